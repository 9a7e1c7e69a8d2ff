"""Stream an audio file to the Live Captions WebSocket API and print the captions.

    pip install websockets soundfile
    live-captions serve &                       # in another terminal
    python ws_client.py speech.wav              # as fast as the server goes
    python ws_client.py speech.wav --realtime   # paced like a microphone

Finals are printed as lines; with a terminal, the current partial shows in grey and is replaced
by the next one. The protocol is described in docs/api.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

import soundfile as sf
import websockets

PIECE_S = 0.1  # seconds of audio per message, like an audio callback


async def send_audio(ws, path: str, realtime: bool) -> None:  # type: ignore[no-untyped-def]
    """Send the file as 16-bit PCM at its own sample rate (the server resamples), then close."""
    with sf.SoundFile(path) as f:
        piece = max(1, int(f.samplerate * PIECE_S))
        for block in f.blocks(blocksize=piece, dtype="int16", always_2d=True):
            mono = (
                block.mean(axis=1).astype("<i2")
                if block.shape[1] > 1
                else block[:, 0].astype("<i2")
            )
            await ws.send(mono.tobytes())
            if realtime:
                await asyncio.sleep(len(mono) / f.samplerate)
    await ws.send(json.dumps({"type": "close"}))  # flush the last words, then the server closes


async def print_captions(ws, tty: bool) -> list[str]:  # type: ignore[no-untyped-def]
    finals: list[str] = []
    try:
        async for raw in ws:  # ends when the server closes with 1000
            handle(json.loads(raw), finals, tty)
    except websockets.ConnectionClosedError:
        pass  # closed with an error code; main() reports it
    return finals


def handle(message: dict, finals: list[str], tty: bool) -> None:
    """Print one server message; keep the text of finals."""
    kind = message["type"]
    if kind == "transcript" and message["is_final"]:
        finals.append(message["text"])
        print(
            ("\r\033[K" if tty else "") + f"[{message['start']:7.2f}] {message['text']}", flush=True
        )
    elif kind == "transcript" and tty:
        print(f"\r\033[K\033[2m{message['text']}\033[0m", end="", flush=True)
    elif kind in ("error", "overload"):
        print(f"{kind}: {message['message']}", file=sys.stderr)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="audio file (WAV, FLAC, OGG, MP3)")
    parser.add_argument("--url", default="ws://127.0.0.1:8000/ws/transcribe")
    parser.add_argument("--token", help="the server's API token, if it has one")
    parser.add_argument("--realtime", action="store_true", help="send no faster than real time")
    args = parser.parse_args()

    rate = sf.info(args.file).samplerate
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else None
    url = f"{args.url}?encoding=pcm_s16le&sample_rate={rate}"
    async with websockets.connect(url, additional_headers=headers) as ws:
        ready = json.loads(await ws.recv())
        if ready["type"] != "ready":  # refused: the message says why, then the server closes
            print(f"refused: {ready.get('message')}", file=sys.stderr)
            return 1
        print(f"session {ready['session_id']} on {ready['model']}", file=sys.stderr)
        sender = asyncio.create_task(send_audio(ws, args.file, args.realtime))
        finals = await print_captions(ws, sys.stdout.isatty())
        sender.cancel()  # done already, unless the server closed early
        await asyncio.gather(sender, return_exceptions=True)
    if ws.close_code != 1000:
        print(f"closed with {ws.close_code}: {ws.close_reason}", file=sys.stderr)
        return 1
    print(f"{len(finals)} final results", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
