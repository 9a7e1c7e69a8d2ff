"""File transcription: the streaming grid's windows, batched, with progress and cancellation.

The windows run on a :class:`~engine.frames.WindowRunner`: the process's ``Scheduler``, where they
are its lowest-priority work so that live captions on the same model keep their pace, or a loaded
model itself (a ``Recognizer``), in this thread.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from contextlib import closing
from pathlib import Path

import numpy as np

from .audio import AudioLimits, AudioSource, iter_audio, probe_audio
from .captions import caption_segments
from .config import SAMPLE_RATE, TranscribeOptions, get_profile
from .ctc import Word
from .errors import Cancelled
from .frames import WindowRunner
from .stitch import make_stitcher
from .transcript import Transcript
from .windows import Grid, Window, Windower

# (seconds of audio done, total seconds if known else 0)
Progress = Callable[[float, float], None]


class TranscriptionCancelled(Cancelled):
    """A file transcription stopped by its ``cancel``: ``partial`` holds what was done, the
    words of the audio before the stop with their times (``partial.duration``: how far)."""

    def __init__(self, partial: Transcript, total_seconds: float = 0.0) -> None:
        super().__init__("transcription cancelled")
        self.partial = partial
        self.total_seconds = total_seconds  # the whole file's length, 0 when not known


def transcribe_blocks(
    engine: WindowRunner,
    blocks: Iterable[np.ndarray],
    options: TranscribeOptions = TranscribeOptions(),
    *,
    total_seconds: float = 0.0,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Transcript:
    """Transcribe audio given as consecutive 16 kHz mono blocks. Once ``cancel`` is set, raises
    :class:`TranscriptionCancelled` with the part done."""
    model = engine.model
    grid = Grid.from_profile(get_profile(options.profile, options.power_saver), model.frame_samples)
    windower = Windower(grid)
    stitcher = make_stitcher(model, options.decode)
    log_probs = stitcher.wants_log_probs
    words: list[Word] = []
    pending: list[Window] = []
    covered = 0  # samples whose windows are decoded

    def transcript(duration: float) -> Transcript:
        words.extend(stitcher.finish())
        segments = tuple(caption_segments(words, options.segments))
        return Transcript(segments, duration, getattr(model, "name", ""))

    def flush(windows: list[Window]) -> None:
        nonlocal covered
        level = options.decode.silence_level
        frames = engine.run_file_windows(windows, level, cancel, log_probs)
        for window, (ids, probs, logp) in zip(windows, frames):
            words.extend(stitcher.add(window, ids, probs, logp))
        covered = min(windower.received, (windows[-1].index + 1) * grid.centre * grid.frame_samples)
        if progress:
            progress(covered / SAMPLE_RATE, total_seconds)

    def check_cancel() -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled("transcription cancelled")

    try:
        for block in blocks:
            check_cancel()
            windower.push(block)
            pending.extend(windower.ready())
            while len(pending) >= options.batch_size:
                check_cancel()  # a long block holds many batches
                flush(pending[: options.batch_size])
                del pending[: options.batch_size]
        pending.extend(windower.finish())
        for i in range(0, len(pending), options.batch_size):
            check_cancel()
            flush(pending[i : i + options.batch_size])
    except Cancelled:  # here or in the scheduler: the windows decoded so far are kept
        raise TranscriptionCancelled(transcript(covered / SAMPLE_RATE), total_seconds) from None
    duration = windower.received / SAMPLE_RATE
    if progress:
        progress(duration, duration)
    return transcript(duration)


def transcribe_file(
    engine: WindowRunner,
    source: AudioSource,
    options: TranscribeOptions = TranscribeOptions(),
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    name: str | None = None,
    limits: AudioLimits = AudioLimits(),
) -> Transcript:
    """Transcribe an audio or video file (a path, or a binary file object named by ``name``).

    Raises AudioError for unreadable input or input outside ``limits`` (checked on the header
    before any work, and again while decoding), :class:`TranscriptionCancelled` (with the part
    done) once ``cancel`` is set.
    """
    label = name or (str(source) if isinstance(source, (str, os.PathLike)) else "the upload")
    info = probe_audio(source, label)
    if info.sample_rate:  # 0: the container does not say; checked while decoding
        limits.check_rate(info.sample_rate, label)
    limits.check_seconds(info.seconds, label)
    # Closed when transcription ends, also part-way through: the decoder's file is then closed
    # (not kept open by the traceback until the error is handled), so it can be deleted.
    with closing(iter_audio(source, name=label, limits=limits)) as blocks:
        try:
            result = transcribe_blocks(
                engine,
                blocks,
                options,
                total_seconds=info.seconds,
                progress=progress,
                cancel=cancel,
            )
        except TranscriptionCancelled as stop:
            part = stop.partial
            note = f"cancelled: only the first {part.duration:.1f} s were transcribed"
            named = Transcript(part.segments, part.duration, part.model, Path(label).name, (note,))
            raise TranscriptionCancelled(named, stop.total_seconds) from None
    model = engine.model
    notes: tuple[str, ...] = ("the file contains no audio",) if result.duration == 0 else ()
    if getattr(model, "is_demo", False):
        notes += ("transcribed with the demo model, which understands synthetic voices only",)
    return Transcript(result.segments, result.duration, result.model, Path(label).name, notes)


def transcribe_array(
    engine: WindowRunner, samples: np.ndarray, options: TranscribeOptions = TranscribeOptions()
) -> Transcript:
    """Transcribe 16 kHz mono samples held in memory."""
    return transcribe_blocks(
        engine,
        [np.asarray(samples, dtype=np.float32)],
        options,
        total_seconds=len(samples) / SAMPLE_RATE,
    )
