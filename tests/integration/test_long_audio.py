"""A three-hour file: correct result, no hang, memory flat in audio length."""

from __future__ import annotations

import subprocess
import tracemalloc

import pytest
import soundfile as sf
from helpers import have

from engine.transcribe import transcribe_file


@pytest.mark.slow
@pytest.mark.skipif(not have("sox"), reason="sox makes the long file")
def test_three_hour_file_is_streamed_not_loaded(tiny_recognizer, hello_wav, tmp_path):
    silence = tmp_path / "silence.flac"
    long_file = tmp_path / "three-hours.flac"
    seconds = 3 * 3600 - 5
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "16000",
            "-c",
            "1",
            "-b",
            "16",
            str(silence),
            "trim",
            "0",
            str(seconds),
        ],
        check=True,
    )
    subprocess.run(["sox", str(silence), str(hello_wav), str(long_file)], check=True)
    progress = []
    tracemalloc.start()
    try:
        transcript = transcribe_file(
            tiny_recognizer, long_file, progress=lambda d, t: progress.append((d, t))
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    speech_s = sf.info(str(hello_wav)).duration
    assert transcript.duration == pytest.approx(seconds + speech_s, abs=0.01)
    # Three hours of float32 would be 690 MB; the file is decoded and windowed block by block.
    assert peak < 150 * 2**20, f"peak traced memory {peak / 2**20:.0f} MB"
    words = transcript.words
    # Only windows that see the speech at the end produce words (a random model also labels the
    # silence inside such a window; the silent windows before it are skipped).
    assert words and all(w.start >= seconds - 20 for w in words)
    assert progress[-1][0] == pytest.approx(transcript.duration)
    assert all(b[0] >= a[0] for a, b in zip(progress, progress[1:]))
