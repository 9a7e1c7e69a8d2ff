"""Caption a WAV file through Live Captions' OpenAI Realtime transcription endpoint, with the
official ``openai`` client (``pip install "openai[realtime]"``).

    python docs/examples/realtime_client.py speech.wav [--url http://127.0.0.1:8000] [--token T]
        [--realtime] [--no-turn-detection]

Each line printed is one item (an utterance, or what one commit held): its deltas are printed
as they come, and the line ends when the item is completed, so a line is the item's completed
transcript. The audio goes at the file's own rate; the server resamples it.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import sys
from typing import Any

import soundfile as sf
from openai import AsyncOpenAI

CHUNK_S = 0.1  # audio per append event


async def caption(args: argparse.Namespace) -> None:
    samples, rate = sf.read(args.file, dtype="int16", always_2d=True)
    pcm = samples.mean(axis=1).round().astype("<i2").tobytes()  # mono, 16-bit little-endian
    client = AsyncOpenAI(
        api_key=args.token or "no-token",  # sent as "Authorization: Bearer ..."
        base_url=f"{args.url}/v1",
        websocket_base_url=args.url.replace("http", "ws", 1) + "/v1",
    )
    async with client.realtime.connect(extra_query={"intent": "transcription"}) as conn:
        # Any rate and a null turn detection are fine here; the package's types know only 24 kHz
        # and a turn detection object, hence Any.
        session: Any = {
            "type": "transcription",
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": rate},
                    "turn_detection": None if args.no_turn_detection else {"type": "server_vad"},
                }
            },
        }
        await conn.session.update(session=session)
        step = int(rate * CHUNK_S) * 2
        for start in range(0, len(pcm), step):
            await conn.input_audio_buffer.append(
                audio=base64.b64encode(pcm[start : start + step]).decode()
            )
            if args.realtime:
                await asyncio.sleep(CHUNK_S)
        await conn.input_audio_buffer.commit()  # the end: whatever is left becomes one item

        stopped: set[str] = set()  # items that turn detection ended
        last: str | None = None  # the item of our commit (committed without speech_stopped)
        async for event in conn:
            if event.type == "conversation.item.input_audio_transcription.delta":
                print(event.delta, end="", flush=True)
            elif event.type == "conversation.item.input_audio_transcription.completed":
                print(flush=True)
                if event.item_id == last:
                    break
            elif event.type == "input_audio_buffer.speech_stopped":
                stopped.add(event.item_id)
            elif event.type == "input_audio_buffer.committed" and event.item_id not in stopped:
                last = event.item_id
            elif event.type == "error":
                print(f"error: {event.error.message}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="a WAV (or FLAC, OGG) file")
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server")
    parser.add_argument("--token", help="the API token, if the server has one")
    parser.add_argument("--realtime", action="store_true", help="send at the speed of speech")
    parser.add_argument(
        "--no-turn-detection", action="store_true", help="one item for the whole file"
    )
    asyncio.run(caption(parser.parse_args()))


if __name__ == "__main__":
    main()
