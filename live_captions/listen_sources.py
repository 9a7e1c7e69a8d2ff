"""``live-captions listen`` with several sources (``--input``/``--device`` more than once, a
``--label`` for each): every source is one stream on one scheduler with its own caption
pipeline; finished lines print, and go to ``--output``, as ``LABEL: text`` in time order (by
the utterance's first word on the audio clock). With --translate-to, each source's pipeline
has a translation stage on one shared worker; a translation prints as ``  LABEL: text``,
indented, once its line is out."""

from __future__ import annotations

import argparse
import queue
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from engine.echo import AudioSink, EchoGate, EchoOptions, Lockstep, MicrophoneSide, SystemSide
from engine.finals_file import FinalsFile
from engine.interleave import Interleaver, Source
from engine.model import Recognizer
from engine.pipeline import CaptionPipeline
from engine.scheduler import Scheduler
from engine.streaming import Event, EventType, StreamOptions
from engine.translation import TranslationWorker

from .finals_file import signals_interrupt

# Live sources: a finished line waits at most this long (wall clock) for a silent source's
# earlier words; --fast replays wait for the audio clock only, so their order is always the same.
LIVE_HOLD_S = 2.0

Feeder = Callable[[argparse.Namespace, AudioSink, threading.Event, "queue.Queue[Event]"], None]
# Device names that are the computer's audio, not a microphone (PulseAudio/PipeWire monitors,
# Windows' "Stereo Mix", loopback drivers): lower case, as parts of the name.
SYSTEM_AUDIO_NAMES = ("monitor", "loopback", "stereo mix", "what u hear")


class SourceAction(argparse.Action):
    """``--input``/``--device``: each one given is one more source, kept in command-line order
    in ``namespace.sources`` as ``(dest, value)``; ``dest`` collects them too."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest, None) or []), values])
        sources = getattr(namespace, "sources", None) or []
        namespace.sources = [*sources, (self.dest, values)]


def sources_and_labels(args: argparse.Namespace) -> list[tuple[argparse.Namespace, str]] | None:
    """Each source's own arguments (one ``input`` or ``input_device``) and its label; None for
    a single unlabelled source (listen as it always was). A label count that does not match the
    sources is a usage error (ValueError)."""
    sources = list(getattr(args, "sources", None) or [])
    labels = list(args.label or [])
    if not sources:
        sources = [("input_device", None)]  # the default microphone
    if len(sources) == 1 and not labels:
        return None
    if len(labels) != len(sources):
        raise ValueError(
            f"give one --label for each --input/--device, in the same order "
            f"({len(sources)} source(s), {len(labels)} label(s))"
        )
    for label in labels:
        if not label.strip() or len(label) > 40 or any(c in label for c in "\r\n"):
            raise ValueError(f"a --label is 1 to 40 characters on one line, not {label!r}")
    result = []
    for (dest, value), label in zip(sources, labels, strict=True):
        own = argparse.Namespace(**{**vars(args), "input": None, "input_device": None})
        setattr(own, dest, value)
        result.append((own, label))
    return result


def echo_pair(
    sources: list[tuple[argparse.Namespace, str]],
    choice: str | None,
    device_name: Callable[[str], str],
) -> tuple[int, int] | None:
    """(microphone, system audio): the indexes of the two sources the echo gate sits between,
    or None. ``choice``: --echo-source (a label, "none", or None for the default: with two
    devices, one named like system audio and one not). A label that names no source, or an
    echo source among more than two, is a usage error (ValueError)."""
    if choice == "none":
        return None
    labels = [label for _, label in sources]
    if choice is not None:
        if choice not in labels:
            raise ValueError(f"--echo-source {choice!r} is not one of the labels {labels}")
        if len(sources) != 2:
            raise ValueError("--echo-source takes exactly two sources: a microphone and it")
        system = labels.index(choice)
        return 1 - system, system
    if len(sources) != 2 or any(own.input_device is None for own, _ in sources):
        return None
    names = [device_name(own.input_device).lower() for own, _ in sources]
    looks = [any(part in name for part in SYSTEM_AUDIO_NAMES) for name in names]
    if looks.count(True) != 1:
        return None
    system = looks.index(True)
    return 1 - system, system


class _Tagged(queue.Queue[Event]):
    """One source's event queue: forwards to the shared queue, tagged with the source."""

    def __init__(self, index: int, shared: queue.Queue[tuple[int, Event]]) -> None:
        super().__init__()
        self.index = index
        self.shared = shared

    def put(self, item: Event, block: bool = True, timeout: float | None = None) -> None:
        self.shared.put((self.index, item))


def caption_sources(
    args: argparse.Namespace,
    recognizer: Recognizer,
    output: FinalsFile | None,
    sources: list[tuple[argparse.Namespace, str]],
    make_pipeline: Callable[[], CaptionPipeline],
    options: StreamOptions,
    feeder: Callable[[argparse.Namespace], Feeder],
    echo: tuple[int, int] | None = None,
    translation: TranslationWorker | None = None,
) -> int:
    """Caption every source on one scheduler until all have ended; 0 when all ended well.
    ``echo``: (microphone, system audio) indexes: the microphone's audio goes through an echo
    gate that silences what only echoes the system audio (engine/echo.py). ``translation``:
    the worker every source's translation stage shares (its results are polled here)."""
    shared: queue.Queue[tuple[int, Event]] = queue.Queue()

    def write(line: str) -> None:
        print(line, flush=True)
        if output is not None:
            output.write_line(line)

    states = [Source(label, make_pipeline()) for _, label in sources]
    lines = Interleaver(
        states, write, None if args.fast else LIVE_HOLD_S, note=lambda m: print(m, file=sys.stderr)
    )
    failed = False
    stop = threading.Event()
    with Scheduler(recognizer) as scheduler, signals_interrupt():
        threads = []
        tags = [_Tagged(index, shared) for index in range(len(sources))]
        sinks: list[AudioSink] = [scheduler.open_stream(tag.put, options) for tag in tags]
        gate = _gate(args, sources, sinks, echo)
        for (own, _), sink, tag in zip(sources, sinks, tags, strict=True):
            thread = threading.Thread(target=feeder(own), args=(own, sink, stop, tag), daemon=True)
            thread.start()
            threads.append(thread)

        def drain() -> None:
            nonlocal failed
            while not all(s.done for s in states):
                wait = 0.2 if lines.pending else None
                if translation is not None:
                    lines.poll()
                    wait = 0.05
                try:
                    index, event = shared.get(timeout=wait)
                except queue.Empty:
                    lines.release()
                    continue
                failed |= event.type is EventType.ERROR
                lines.take(index, event)

        try:
            drain()
        except KeyboardInterrupt:  # Ctrl-C, SIGTERM or SIGHUP: every source finishes
            stop.set()
            drain()
        if translation is not None:  # the last sentences' translations
            translation.wait(60)
            lines.poll()
        lines.release(final=True)
        for thread in threads:
            thread.join(timeout=5)
    if gate is not None and echo is not None:
        print(
            f"[echo: {gate.frames_silenced * 100 // max(gate.frames_seen, 1)} % of "
            f"{sources[echo[0]][1]}'s audio silenced as echo of {sources[echo[1]][1]}, "
            f"delay {gate.delay_s * 1000:.0f} ms]",
            file=sys.stderr,
        )
    return 1 if failed else 0


def _gate(
    args: argparse.Namespace,
    sources: list[tuple[argparse.Namespace, str]],
    sinks: list[AudioSink],
    echo: tuple[int, int] | None,
) -> EchoGate | None:
    """Put an echo gate between the microphone's and the system audio's streams (in place in
    ``sinks``). Live devices start at different moments: their capture clock aligns them."""
    if echo is None:
        return None
    mic, system = echo
    live = all(own.input is None for own, _ in sources)
    gate = EchoGate(EchoOptions(max_wait_s=None if args.fast else 1.0))
    clock = time.monotonic if live else None
    # Two files: the feeders take turns, so the gate decides the same on every run.
    replay = all(own.input is not None for own, _ in sources)
    lockstep = Lockstep() if replay else None
    sinks[mic] = MicrophoneSide(gate, sinks[mic], clock, lockstep)
    sinks[system] = SystemSide(gate, sinks[system], clock, lockstep)
    print(
        f"echo: {sources[mic][1]}'s audio is gated against {sources[system][1]}'s "
        "(--echo-source none switches it off)",
        file=sys.stderr,
    )
    return gate
