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


def transcribe_blocks(
    engine: WindowRunner,
    blocks: Iterable[np.ndarray],
    options: TranscribeOptions = TranscribeOptions(),
    *,
    total_seconds: float = 0.0,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Transcript:
    """Transcribe audio given as consecutive 16 kHz mono blocks."""
    model = engine.model
    grid = Grid.from_profile(get_profile(options.profile), model.frame_samples)
    windower = Windower(grid)
    stitcher = make_stitcher(model, options.decode)
    log_probs = stitcher.wants_log_probs
    words: list[Word] = []
    pending: list[Window] = []

    def flush(windows: list[Window]) -> None:
        level = options.decode.silence_level
        frames = engine.run_file_windows(windows, level, cancel, log_probs)
        for window, (ids, probs, logp) in zip(windows, frames):
            words.extend(stitcher.add(window, ids, probs, logp))
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
