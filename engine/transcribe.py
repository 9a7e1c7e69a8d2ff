"""File transcription: the streaming grid's windows, batched, with progress and cancellation.

Given a :class:`Scheduler`, the forward passes go through it as its lowest-priority work, so that
live captions on the same model keep their pace; given a bare model, they run in this thread.
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
from .model import FrameModel
from .scheduler import Scheduler
from .stitch import Frames, make_stitcher, run_windows, wants_log_probs
from .transcript import Transcript
from .windows import Grid, Window, Windower

# (seconds of audio done, total seconds if known else 0)
Progress = Callable[[float, float], None]
# What runs the windows: the process's scheduler (front ends) or a model used directly.
Engine = Scheduler | FrameModel


def _window_runner(
    engine: Engine, cancel: threading.Event | None
) -> tuple[FrameModel, Callable[[list[Window], float, bool], list[Frames]]]:
    """The model, and what runs windows (silence level, log-probabilities wanted) on it."""
    if isinstance(engine, Scheduler):
        scheduler = engine
        return scheduler.model, lambda w, level, logp: scheduler.run_file_windows(
            w, level, cancel, logp
        )
    model = engine
    return model, lambda w, level, logp: run_windows(model, w, level, logp)


def transcribe_blocks(
    engine: Engine,
    blocks: Iterable[np.ndarray],
    options: TranscribeOptions = TranscribeOptions(),
    *,
    total_seconds: float = 0.0,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Transcript:
    """Transcribe audio given as consecutive 16 kHz mono blocks."""
    model, run = _window_runner(engine, cancel)
    grid = Grid.from_profile(get_profile(options.profile), model.frame_samples)
    windower = Windower(grid)
    stitcher = make_stitcher(model, options.decode)
    log_probs = wants_log_probs(stitcher)
    words: list[Word] = []
    pending: list[Window] = []

    def flush(windows: list[Window]) -> None:
        for window, frames in zip(windows, run(windows, options.decode.silence_level, log_probs)):
            words.extend(stitcher.add(window, *frames))
        if progress:
            done = min(
                windower.received, (windows[-1].index + 1) * grid.centre * grid.frame_samples
            )
            progress(done / SAMPLE_RATE, total_seconds)

    def check_cancel() -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled("transcription cancelled")

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
    words.extend(stitcher.finish())
    duration = windower.received / SAMPLE_RATE
    if progress:
        progress(duration, duration)
    return Transcript(
        tuple(caption_segments(words, options.segments)), duration, getattr(model, "name", "")
    )


def transcribe_file(
    engine: Engine,
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
    before any work, and again while decoding), Cancelled once ``cancel`` is set.
    """
    label = name or (str(source) if isinstance(source, (str, os.PathLike)) else "the upload")
    info = probe_audio(source, label)
    if info.sample_rate:  # 0: the container does not say; checked while decoding
        limits.check_rate(info.sample_rate, label)
    limits.check_seconds(info.seconds, label)
    # Closed when transcription ends, also part-way through: the decoder's file is then closed
    # (not kept open by the traceback until the error is handled), so it can be deleted.
    with closing(iter_audio(source, name=label, limits=limits)) as blocks:
        result = transcribe_blocks(
            engine, blocks, options, total_seconds=info.seconds, progress=progress, cancel=cancel
        )
    model = engine.model if isinstance(engine, Scheduler) else engine
    notes: tuple[str, ...] = ("the file contains no audio",) if result.duration == 0 else ()
    if getattr(model, "is_demo", False):
        notes += ("transcribed with the demo model, which understands synthetic voices only",)
    return Transcript(result.segments, result.duration, result.model, Path(label).name, notes)


def transcribe_array(
    engine: Engine, samples: np.ndarray, options: TranscribeOptions = TranscribeOptions()
) -> Transcript:
    """Transcribe 16 kHz mono samples held in memory."""
    return transcribe_blocks(
        engine,
        [np.asarray(samples, dtype=np.float32)],
        options,
        total_seconds=len(samples) / SAMPLE_RATE,
    )
