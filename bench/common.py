"""Shared set-up for the benches: a random base-960h model, synthetic speech, memory figures."""

from __future__ import annotations

import contextlib
import os
import resource
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
RANDOM_BASE = RESULTS / "base-random"  # the same folder the streaming benches build
SAMPLE_RATE = 16_000

SENTENCES = [
    "the quick brown fox jumps over the lazy dog",
    "live captions turn speech into text while people are still talking",
    "please remember to bring your umbrella because it may rain this afternoon",
    "a long recording is cut into overlapping windows that the model reads one batch at a time",
    "numbers like twenty four and three hundred are spelled out by the recogniser",
    "she sells sea shells by the sea shore on sunny summer days",
    "the meeting starts at nine and ends when every question has an answer",
    "good evening and welcome to the news at six",
]


def random_base_dir() -> Path:
    """base-960h's architecture with random weights, built once (speed does not depend on weights)."""
    if not (RANDOM_BASE / "config.json").is_file():
        from devkit.models import make_model_dir

        tmp = RANDOM_BASE.with_name(f"{RANDOM_BASE.name}.tmp{os.getpid()}")
        make_model_dir(tmp, base=True)
        with contextlib.suppress(OSError):  # another bench built it meanwhile
            tmp.rename(RANDOM_BASE)
    return RANDOM_BASE


def speech(seconds: float, folder: Path) -> np.ndarray:
    """``seconds`` of espeak-ng speech: the sentences in turn with short pauses, repeated. Where
    espeak-ng or sox is missing (a bare GPU machine), the bundled sample sentence instead."""
    from devkit.speech import have, read_wav, say

    pause = np.zeros(SAMPLE_RATE // 3, dtype=np.float32)
    pieces = []
    if have("espeak-ng") and have("sox"):
        folder.mkdir(parents=True, exist_ok=True)
        for i, text in enumerate(SENTENCES):
            pieces += [read_wav(say(text, folder / f"sentence{i}.wav")), pause]
    else:
        print("bench: no espeak-ng or sox here; the speech is engine/samples/sample.wav repeated")
        pieces = [read_wav(ROOT / "engine" / "samples" / "sample.wav"), pause]
    one_round = np.concatenate(pieces)
    rounds = int(np.ceil(seconds * SAMPLE_RATE / one_round.size))
    return np.tile(one_round, rounds)[: int(seconds * SAMPLE_RATE)]


def rss_mb() -> float:
    """Resident memory now (VmRSS), MB."""
    return _status_mb("VmRSS:")


def peak_rss_mb() -> float:
    """Peak resident memory since the process started or since reset_peak_rss() (VmHWM), MB."""
    value = _status_mb("VmHWM:")
    return value if value else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark so that the next peak is this stage's own (Linux)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _status_mb(key: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
