"""``live-captions listen``: captions of the microphone (or a replayed file) in the terminal."""

from __future__ import annotations

import argparse
import contextlib
import queue
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from engine.audio import Resampler, iter_audio
from engine.captions import Captions
from engine.config import DEFAULT_LIVE_PROFILE, PROFILES, SAMPLE_RATE, DecodeOptions
from engine.echo import AudioSink
from engine.errors import AudioError, LiveCaptionsError
from engine.model import Recognizer
from engine.pipeline import CaptionPipeline, CaptionUpdate, UpdateKind
from engine.punctuation import Punctuation
from engine.punctuation_stage import caption_pipeline
from engine.scheduler import Scheduler
from engine.streaming import Event, EventType, StreamOptions
from engine.translation import TranslationStage, TranslationWorker

from .console import enable_terminal_sequences
from .extras import missing_extra
from .finals_file import FinalsFile, signals_interrupt
from .listen_sources import SourceAction, caption_sources, echo_pair, sources_and_labels
from .options import (
    add_chinese_option,
    add_decoding_options,
    add_power_saver_option,
    add_punctuation_options,
    add_translation_options,
    check_lm,
    decode_options,
    load_translation,
    model_options,
    punctuation_options,
    translation_options,
)

# --fast keeps at most this much audio waiting for the engine (the lag limit is 60 s).
FAST_AHEAD_S = 5.0


class TerminalCaptions:
    """Writes caption updates to a terminal: the partial tail rewrites the current line; a
    line's final text stays; a line ends at the end of each utterance."""

    def __init__(self, out=sys.stdout) -> None:
        self.out = out
        # Rewriting the line needs ANSI sequences (switched on for a Windows console).
        self.tty = enable_terminal_sequences(out)
        self.captions = Captions()
        self.drawn: tuple[str, str, bool] = ("", "", False)  # the open line as last drawn

    def show(self, update: CaptionUpdate) -> None:
        ending = self.captions.current  # the line a line end closes
        self.captions.apply(update)
        if update.kind is UpdateKind.TRANSLATION:
            self._translation(update.translation or f"[{update.message or 'no translation'}]")
        elif update.kind in (UpdateKind.FINAL, UpdateKind.PARTIAL):
            current = self.captions.current
            partial = update.text if update.kind is UpdateKind.PARTIAL else ""
            self._draw(current.text() if current else "", partial, update.space_before)
        elif update.kind in (UpdateKind.UTTERANCE_END, UpdateKind.END):
            if ending is not None and ending.words:
                self._draw(ending.text(), "", done=True)
        elif update.kind in (UpdateKind.ERROR, UpdateKind.OVERLOAD):
            self.out.write(f"\n[{update.kind}: {update.message}]\n")
        self.out.flush()

    def _translation(self, text: str) -> None:
        """A sentence's translation on its own line under the captions, indented (coloured on a
        terminal, where the open line is drawn again below it)."""
        if self.tty:
            self.out.write(f"\r\033[K  \033[36m{text}\033[0m\n")
            self._draw(*self.drawn)
        else:
            self.out.write(f"  {text}\n")

    def _draw(self, line: str, partial: str, space: bool = False, done: bool = False) -> None:
        self.drawn = ("", "", False) if done else (line, partial, space)
        if self.tty:
            gap = " " if space and line else ""
            tail = f"{gap}\033[2m{partial}\033[0m" if partial else ""
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
        action=SourceAction,
        default=None,
        help="input device number or name (see --list-devices); more than once: caption "
        "each together (with --label)",
    )
    p.add_argument("--list-devices", action="store_true", help="list audio input devices and exit")
    p.add_argument(
        "--input",
        type=Path,
        action=SourceAction,
        help="replay this audio file instead of the microphone; more than once: caption each "
        "together (with --label)",
    )
    p.add_argument(
        "--label",
        action="append",
        metavar="NAME",
        help="a name for each --input/--device, in the same order: lines read 'NAME: text', "
        "all sources interleaved in time order",
    )
    p.add_argument(
        "--echo-source",
        metavar="NAME",
        help="with two sources: the --label of the computer's audio, whose sound reaches the "
        "microphone through the speakers; the microphone's stretches that only echo it are "
        "silenced. Default: on when one device is system audio (a monitor or loopback "
        "device) and the other is not; 'none' switches it off",
    )
    p.add_argument(
        "--fast", action="store_true", help="with --input: as fast as possible, not in real time"
    )
    p.add_argument(
        "--output",
        type=Path,
        help="write the final text to this file as it comes, one line per utterance",
    )
    p.add_argument(
        "--profile", choices=[p for p in PROFILES if p != "file"], default=DEFAULT_LIVE_PROFILE
    )
    p.add_argument(
        "--raw-partials",
        action="store_true",
        help="show every partial result as it comes (sooner, but words change more often)",
    )
    add_power_saver_option(p)
    add_chinese_option(p)
    # --device is the audio input here, as in other capture tools; the model's is --compute-device.
    add_model_options(p, "--compute-device")
    add_decoding_options(p)
    add_punctuation_options(p)
    add_translation_options(p)
    p.set_defaults(handler=cmd_listen)


def cmd_listen(args: argparse.Namespace) -> int:
    from .download import load_model, load_punctuation

    try:
        sources = sources_and_labels(args)
        echo = echo_pair(sources, args.echo_source, _device_name) if sources else None
    except ValueError as exc:
        print(f"live-captions listen: error: {exc}", file=sys.stderr)
        return 2
    if sources is None and args.echo_source not in (None, "none"):
        print(
            "live-captions listen: error: --echo-source takes two labelled sources",
            file=sys.stderr,
        )
        return 2
    if sources is None:  # one source, unlabelled: as it always was
        args.input = args.input[0] if args.input else None
        args.input_device = args.input_device[0] if args.input_device else None
    elif any(own.input is None for own, _ in sources):
        args.input = None  # a microphone among them: sounddevice is needed
    if args.list_devices or not args.input:
        try:
            import sounddevice  # noqa: F401  (the microphone; checked before the model loads)
        except ImportError as exc:
            return missing_extra("The microphone", "gui", exc)
    if args.list_devices:
        return _list_devices()
    decode = decode_options(args)
    translate = translation_options(args)
    output = _open_output(args.output)
    with output or contextlib.nullcontext():
        options = model_options(args)
        translator = load_translation(translate, options.name)  # fails before the speech model
        recognizer = load_model(options)
        print(f"model: {recognizer.describe()}", file=sys.stderr)
        check_lm(decode, recognizer)
        punctuation = load_punctuation(
            punctuation_options(args), model_options(args), recognizer, decode.lm.hotwords
        )
        if sources is not None:
            stream_options = StreamOptions(
                profile=args.profile,
                stable_partials=not args.raw_partials,
                power_saver=args.power_saver,
                decode=decode,
            )
            # One translation worker for every source; a translation stage in each pipeline.
            shared = TranslationWorker(translator) if translator is not None else None

            def pipeline() -> CaptionPipeline:
                stage = TranslationStage(shared, translate.target) if shared else None
                return caption_pipeline(punctuation, stage)

            try:
                return caption_sources(
                    args,
                    recognizer,
                    output,
                    sources,
                    pipeline,
                    stream_options,
                    lambda own: _replay if own.input else _microphone,
                    echo,
                    shared,
                )
            finally:
                if shared is not None:
                    shared.close()
        if translator is None:
            return _caption(args, recognizer, output, decode, punctuation)
        worker = TranslationWorker(translator)
        try:
            return _caption(
                args, recognizer, output, decode, punctuation, (worker, translate.target)
            )
        finally:
            worker.close()


def _open_output(path: Path | None) -> FinalsFile | None:
    """The --output file, created before the model loads so that a bad path fails at once."""
    if path is None:
        return None
    try:
        return FinalsFile(path)
    except OSError as exc:
        raise LiveCaptionsError(f"cannot write {path}: {exc.strerror or exc}") from None


def _caption(
    args: argparse.Namespace,
    recognizer: Recognizer,
    output: FinalsFile | None,
    decode: DecodeOptions,
    punctuation: Punctuation | None = None,
    translation: tuple[TranslationWorker, str] | None = None,
) -> int:
    terminal = TerminalCaptions()
    # The stream's captions: the terminal and the file read them.
    stage = TranslationStage(*translation) if translation else None
    pipeline = caption_pipeline(punctuation, stage)
    events: queue.Queue[Event] = queue.Queue()

    def show_updates(updates: list[CaptionUpdate]) -> None:
        for update in updates:
            terminal.show(update)
            if output is not None:
                output.write(update)

    def show(event: Event) -> None:
        show_updates(pipeline.handle(event))

    def next_event() -> Event:
        while True:  # translations are shown as they come, between events
            try:
                return events.get(timeout=0.05 if stage else None)
            except queue.Empty:
                show_updates(pipeline.poll())

    with Scheduler(recognizer) as scheduler, signals_interrupt():
        options = StreamOptions(
            profile=args.profile,
            stable_partials=not args.raw_partials,
            power_saver=args.power_saver,
            decode=decode,
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
                event = next_event()
                show(event)
                if event.type in (EventType.END, EventType.ERROR):
                    break
        except KeyboardInterrupt:  # Ctrl-C, SIGTERM or SIGHUP
            stop.set()  # the feeder finishes the stream; drain what is left
            while True:
                event = next_event()
                show(event)
                if event.type in (EventType.END, EventType.ERROR):
                    break
        feeder.join(timeout=5)
        if translation is not None:  # the last sentences' translations
            translation[0].wait(60)
            show_updates(pipeline.poll())
    return 0 if event.type is EventType.END else 1


def _replay(
    args: argparse.Namespace, stream: AudioSink, stop: threading.Event, events: queue.Queue[Event]
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
                if args.fast:
                    # As fast as the engine goes, not faster: a replay is not a live stream
                    # falling behind, so it never meets the lag limit, whatever its length.
                    while stream.lag_s > FAST_AHEAD_S and not stop.is_set() and not stream.closed:
                        time.sleep(0.01)
                else:
                    delay = started + sent / SAMPLE_RATE - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
    except AudioError as exc:
        events.put(Event(EventType.ERROR, sent / SAMPLE_RATE, message=str(exc)))
        stream.close()
        return
    stream.finish()


def _microphone(
    args: argparse.Namespace, stream: AudioSink, stop: threading.Event, events: queue.Queue[Event]
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
        events.put(Event(EventType.ERROR, 0.0, message=f"microphone: {exc}"))
        stream.close()
        return
    stream.finish()


def _device_name(device: str) -> str:
    """An input device's name (by number or name), or what was given if it is not found."""
    try:
        import sounddevice as sd

        return str(sd.query_devices(int(device) if device.isdigit() else device, "input")["name"])
    except (ImportError, ValueError, OSError):
        return device


def _list_devices() -> int:
    import sounddevice as sd

    for index, dev in enumerate(sd.query_devices()):
        if dev["max_input_channels"] > 0:
            print(f"{index:3d}  {dev['name']}  ({int(dev['default_samplerate'])} Hz)")
    return 0
