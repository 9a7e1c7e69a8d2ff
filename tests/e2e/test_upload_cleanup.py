"""A file whose transcription fails part-way is closed at once, so that it can be deleted (on
Windows an open file cannot be): the API's temporary upload is removed, and the error the user
sees is the transcription's, not the clean-up's."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import CountingModel

from engine.transcribe import transcribe_file


class FailsPartWay(CountingModel):
    def frames(self, windows, valid=None):  # type: ignore[no-untyped-def]
        raise RuntimeError("the GPU fell off the bus")


def open_descriptors(path: Path) -> int:
    """How many of this process's file descriptors point at ``path`` (Linux: /proc)."""
    fds = Path("/proc/self/fd")
    count = 0
    for fd in fds.iterdir():
        try:
            count += os.readlink(fd) == str(path)
        except OSError:
            continue
    return count


@pytest.fixture
def long_noise(tmp_path: Path) -> Path:
    path = tmp_path / "long.wav"
    rng = np.random.default_rng(3)
    sf.write(str(path), rng.uniform(-0.3, 0.3, 120 * 16000).astype(np.float32), 16000)
    return path


def test_a_failed_transcription_closes_its_file(tiny_recognizer, long_noise: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError, match="fell off the bus") as failure:
        transcribe_file(FailsPartWay(tiny_recognizer), long_noise)
    assert failure.value.__traceback__ is not None  # the failure, and its frames, are still alive
    if sys.platform == "linux":
        assert open_descriptors(long_noise) == 0
    os.remove(long_noise)  # on Windows this is what fails while the decoder holds the file


def test_the_api_deletes_an_upload_whose_transcription_fails(  # type: ignore[no-untyped-def]
    tiny_recognizer, long_noise: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    from engine.api import ApiServer, ServerSettings

    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(uploads))
    from engine.api.deps import get_scheduler
    from engine.scheduler import Scheduler

    # Uploads run through the scheduler: one over the failing model stands in for the server's.
    with (
        Scheduler(FailsPartWay(tiny_recognizer)) as failing,
        ApiServer(ServerSettings(port=0), tiny_recognizer) as server,
    ):
        server.app.dependency_overrides[get_scheduler] = lambda: failing
        with long_noise.open("rb") as audio:
            response = httpx.post(
                f"{server.url}/v1/audio/transcriptions",
                files={"file": ("meeting.wav", audio, "audio/wav")},
                timeout=120,
            )
    assert response.status_code >= 500, response.text
    assert "Traceback" not in response.text
    assert list(uploads.iterdir()) == []
