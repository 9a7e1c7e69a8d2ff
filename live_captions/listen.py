"""``live-captions listen``: captions of the microphone (or a replayed file) in the terminal."""

from __future__ import annotations

import argparse
import queue
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from engine.audio import Resampler, iter_audio
from engine.config import DEFAULT_LIVE_PROFILE, PROFILES, SAMPLE_RATE
from engine.errors import AudioError
from engine.scheduler import Scheduler, Stream
from engine.streaming import Event, StreamOptions
from engine.transcript import caption_text
from engine.units import needs_space

from .console import enable_terminal_sequences
from .options import add_chinese_option, decode_options, model_options


class TerminalCaptions:
    """Writes events to a terminal: the partial tail rewrites the current line; an utterance's
    final text stays; a line ends at the end of each utterance."""

    def __init__(self, out=sys.stdout) -> None:
        self.out = out
        # Rewriting the line needs ANSI sequences (switched on for a Windows console).
        self.tty = enable_terminal_sequences(out)
        self.finals: list[str] = []  # final units of the current utterance
        self.all_finals: list[str] = []  # every final unit, for --output

    def handle(self, event: Event) -> None:
        if event.type == "final":
            words = [w.text for w in event.words]
            self.finals += words
            self.all_finals += words
            self._draw("")
        elif event.type == "partial":
            self._draw(caption_text([w.text for w in event.words], not self.finals))
        elif event.type in ("utterance_end", "end"):
            if self.finals:
                self._draw("", done=True)
            self.finals = []
        elif event.type in ("error", "overload"):
            self.out.write(f"\n[{event.type}: {event.message}]\n")
        self.out.flush()

    def _draw(self, partial: str, done: bool = False) -> None:
        line = caption_text(self.finals)
        if self.tty:
            space = " " if needs_space(line, partial) else ""
            tail = f"{space}\033[2m{partial}\033[0m" if partial else ""
            self.out.write(f"\r\033[K{line}{tail}" + ("\n" if done else ""))
        elif done:
            self.out.write(line + "\n")


def add_listen_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    add_model_options: Callable[..., None],
) -> None:
    p = sub.add_parser("listen", help="caption the microphone (or a replayed file) in the terminal")
    p.add_argument(
        "--device",
        dest="input_device",
        default=None,
        help="input device number or name (see --list-devices)",
    )
    p.add_argument("--list-devices", action="store_true", help="list audio input devices and exit")
    p.add_argument("--input", type=Path, help="replay this audio file instead of the microphone")
    p.add_argument(
        "--fast", action="store_true", help="with --input: as fast as possible, not in real time"
    )
    p.add_argument("--output", type=Path, help="write the final text to this file")
    p.add_argument(
        "--profile", choices=[p for p in PROFILES if p != "file"], default=DEFAULT_LIVE_PROFILE
    )
    p.add_argument(
        "--raw-partials",
        action="store_true",
        help="show every partial result as it comes (sooner, but words change more often)",
    )
    add_chinese_option(p)
    # --device is the audio input here, as in other capture tools; the model's is --compute-device.
    add_model_options(p, "--compute-device")
    p.set_defaults(handler=cmd_listen)


def cmd_listen(args: argparse.Namespace) -> int:
    from .download import load_model

    if args.list_devices:
        return _list_devices()
    recognizer = load_model(model_options(args))
    print(f"model: {recognizer.describe()}", file=sys.stderr)
    captions = TerminalCaptions()
    events: queue.Queue[Event] = queue.Queue()
    with Scheduler(recognizer) as scheduler:
        options = StreamOptions(
            profile=args.profile,
            stable_partials=not args.raw_partials,
            decode=decode_options(args),
        )
        stream = scheduler.open_stream(events.put, options)
        stop = threading.Event()
        feeder = threading.Thread(
            target=_replay if args.input else _microphone,
            args=(args, stream, stop, events),
            daemon=True,
        )
        feeder.start()
        try:
            while True:
                event = events.get()
                captions.handle(event)
                if event.type in ("end", "error"):
                    break
        except KeyboardInterrupt:
            stop.set()  # the feeder finishes the stream; drain what is left
            while True:
                event = events.get()
                captions.handle(event)
                if event.type in ("end", "error"):
                    break
        feeder.join(timeout=5)
    if args.output:
        args.output.write_text(caption_text(captions.all_finals) + "\n", encoding="utf-8")
    return 0 if event.type == "end" else 1


def _replay(
    args: argparse.Namespace, stream: Stream, stop: threading.Event, events: queue.Queue[Event]
) -> None:
    piece = SAMPLE_RATE // 10  # 100 ms, like an audio callback
    started = time.monotonic()
    sent = 0
    try:
        for block in iter_audio(args.input, block_s=1.0):
            for i in range(0, len(block), piece):
                if stop.is_set():
                    break
                if not stream.push(block[i : i + piece]):
                    return  # the engine ended the stream; its error event ends listen
                sent += len(block[i : i + piece])
                if not args.fast:
                    delay = started + sent / SAMPLE_RATE - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
    except AudioError as exc:
        events.put(Event("error", sent / SAMPLE_RATE, message=str(exc)))
        stream.close()
        return
    stream.finish()


def _microphone(
    args: argparse.Namespace, stream: Stream, stop: threading.Event, events: queue.Queue[Event]
) -> None:
    import sounddevice as sd

    device = (
        int(args.input_device)
        if args.input_device and args.input_device.isdigit()
        else args.input_device
    )
    try:
        rate = int(sd.query_devices(device, "input")["default_samplerate"])
        resample = Resampler(rate)

        def callback(indata: np.ndarray, frames: int, time_info: object, status: object) -> None:
            stream.push(resample(indata.mean(axis=1)))  # only copies; never blocks on the model

        with sd.InputStream(
            device=device, channels=1, samplerate=rate, dtype="float32", callback=callback
        ) as mic:
            print(
                f"listening on {sd.query_devices(device, 'input')['name']} ({rate} Hz); Ctrl-C stops",
                file=sys.stderr,
            )
            while not stop.wait(0.1):
                if not mic.active:  # the device went away or stopped delivering
                    print("\nthe input device stopped; finishing", file=sys.stderr)
                    break
    except (sd.PortAudioError, ValueError) as exc:
        events.put(Event("error", 0.0, message=f"microphone: {exc}"))
        stream.close()
        return
    stream.finish()


def _list_devices() -> int:
    import sounddevice as sd

    for index, dev in enumerate(sd.query_devices()):
        if dev["max_input_channels"] > 0:
            print(f"{index:3d}  {dev['name']}  ({int(dev['default_samplerate'])} Hz)")
    return 0
