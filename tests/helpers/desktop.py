"""Fakes for the desktop app's tests (no tests here): a sound device module like ``sounddevice``
that plays a WAV file into the real AudioCapture callback, from its own thread like PortAudio."""

from __future__ import annotations

import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from desktop_app.app import DesktopApp
    from desktop_app.settings import Settings


class FakePortAudioError(Exception):
    pass


@dataclass
class FakeStatus:
    input_overflow: bool = False

    def __bool__(self) -> bool:
        return self.input_overflow


class FakeInputStream:
    """Calls ``callback`` with the device's audio in blocks of ``blocksize`` frames.

    mode "burst": every block is delivered inside ``start()``, before it returns (so the capture
    queue is full before the worker reads anything); mode "thread": from a thread, paced by the
    device's ``speed`` (1.0 = real time). After the audio the device delivers nothing more.
    ``abort_after`` blocks: the stream ends by itself (device unplugged) and calls
    ``finished_callback``.
    """

    def __init__(
        self,
        owner: FakeSoundDevice,
        *,
        device: object,
        samplerate: float,
        channels: int,
        blocksize: int,
        callback,
        finished_callback=None,
        **_: object,
    ) -> None:  # type: ignore[no-untyped-def]
        assert samplerate == owner.rate, "capture must open the device at its native rate"
        self.device = owner
        self.device_arg = device
        self.channels = channels
        self.blocksize = blocksize
        self.callback = callback
        self.finished_callback = finished_callback
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.delivered = 0
        self.done = threading.Event()  # every block was delivered (or the stream aborted)
        owner.streams.append(self)

    def _blocks(self):  # type: ignore[no-untyped-def]
        audio = self.device.audio
        for i in range(0, len(audio), self.blocksize):
            block = audio[i : i + self.blocksize, : self.channels]
            if len(block) < self.blocksize:
                block = np.pad(block, ((0, self.blocksize - len(block)), (0, 0)))
            yield np.ascontiguousarray(block, dtype=np.float32)

    def _deliver(self) -> None:
        pace = self.blocksize / self.device.rate / self.device.speed
        for n, block in enumerate(self._blocks()):
            if self._stop.is_set():
                break
            if self.device.abort_after is not None and n == self.device.abort_after:
                self.done.set()
                if self.finished_callback:
                    self.finished_callback()
                return
            status = FakeStatus(input_overflow=n in self.device.overflow_blocks)
            self.callback(block, len(block), None, status)
            self.delivered += 1
            if self.device.mode == "thread":
                self._stop.wait(pace)  # the device's clock, not a test waiting for a result
        self.done.set()

    def start(self) -> None:
        if self.device.fail_on_start:
            raise FakePortAudioError(
                "Error opening InputStream: Device unavailable [PaErrorCode -9985]"
            )
        if self.device.mode == "burst":
            self._deliver()
        else:
            self._thread = threading.Thread(
                target=self._deliver, name="fake-portaudio", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.finished_callback and not (
            self.device.abort_after is not None and self.done.is_set()
        ):
            self.finished_callback()

    def close(self) -> None:
        self.stop()


class FakeSoundDevice:
    """A ``sounddevice``-like module with one input device whose sound is ``audio``."""

    PortAudioError = FakePortAudioError

    def __init__(
        self,
        audio: np.ndarray,
        rate: int,
        *,
        name: str = "Fake microphone",
        mode: str = "thread",
        speed: float = 8.0,
        fail_on_start: bool = False,
        abort_after: int | None = None,
        overflow_blocks: tuple[int, ...] = (),
    ) -> None:
        self.audio = audio if audio.ndim == 2 else audio[:, None]
        self.rate = rate
        self.name = name
        self.mode = mode
        self.speed = speed
        self.fail_on_start = fail_on_start
        self.abort_after = abort_after
        self.overflow_blocks = set(overflow_blocks)
        self.streams: list[FakeInputStream] = []

    def _info(self) -> dict[str, object]:
        return {
            "name": self.name,
            "hostapi": 0,
            "max_input_channels": self.audio.shape[1],
            "max_output_channels": 0,
            "default_samplerate": float(self.rate),
        }

    def query_devices(self, device: object = None, kind: str | None = None):  # type: ignore[no-untyped-def]
        if kind == "input" or device is not None:
            return self._info()
        speaker = {
            "name": "Fake speaker",
            "hostapi": 0,
            "max_input_channels": 0,
            "max_output_channels": 2,
            "default_samplerate": 48000.0,
        }
        return [speaker, self._info()]

    def query_hostapis(self) -> list[dict[str, object]]:
        return [{"name": "Fake API", "devices": [0, 1]}]

    def InputStream(self, **kwargs: object) -> FakeInputStream:
        return FakeInputStream(self, **kwargs)  # type: ignore[arg-type]

    @property
    def stream(self) -> FakeInputStream:
        return self.streams[-1]


def stereo_wav(path: Path) -> tuple[np.ndarray, int]:
    """A WAV file's samples as (frames, 2) float32 (left and right the same), and its rate."""
    import soundfile as sf

    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return np.repeat(data[:, :1], 2, axis=1), rate


def expected_utterances(
    recognizer, audio: np.ndarray, rate: int, profile: str = "balanced", block_s: float = 0.05
) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The final words of the engine's stream over the audio the capture delivers, one list
    per utterance (a pause ends one)."""
    from engine.audio import Resampler
    from engine.streaming import OnlineProcessor, StreamOptions

    blocksize = round(rate * block_s)
    mono = audio.mean(axis=1, dtype=np.float32) if audio.ndim == 2 else audio
    padded = np.pad(mono, (0, -len(mono) % blocksize))
    resample = Resampler(rate)
    processor = OnlineProcessor(recognizer, StreamOptions(profile=profile))
    events = []
    for i in range(0, len(padded), blocksize):
        events += processor.push(resample(padded[i : i + blocksize]))
    events += processor.push(resample(np.zeros(0, np.float32), last=True)) + processor.finish()
    utterances: list[list[str]] = [[]]
    for event in events:
        if event.type == "final":
            utterances[-1] += [w.text for w in event.words]
        elif event.type == "utterance_end" and utterances[-1]:
            utterances.append([])
    return [u for u in utterances if u]


def expected_words(
    recognizer, audio: np.ndarray, rate: int, profile: str = "balanced", block_s: float = 0.05
) -> list[str]:  # type: ignore[no-untyped-def]
    """What file transcription makes of the audio the capture delivers: the device's blocks
    (the last one padded), mixed down and resampled like the worker does."""
    from engine.audio import Resampler
    from engine.config import TranscribeOptions
    from engine.transcribe import transcribe_array

    blocksize = round(rate * block_s)
    mono = audio.mean(axis=1, dtype=np.float32) if audio.ndim == 2 else audio
    padded = np.pad(mono, (0, -len(mono) % blocksize))
    resample = Resampler(rate)
    pieces = [resample(padded[i : i + blocksize]) for i in range(0, len(padded), blocksize)]
    pieces.append(resample(np.zeros(0, np.float32), last=True))
    samples = np.concatenate(pieces)
    return [
        w.text
        for w in transcribe_array(recognizer, samples, TranscribeOptions(profile=profile)).words
    ]


class PulseBackend(FakeSoundDevice):
    """ALSA's view of a PulseAudio system: a hardware input, "pulse" and "default"."""

    def query_devices(self, device: object = None, kind: str | None = None):  # type: ignore[no-untyped-def]
        if kind or device is not None:
            return super().query_devices(device, kind)
        return [
            {
                "name": "HDA Intel PCH: ALC3246 Analog (hw:0,0)",
                "hostapi": 0,
                "max_input_channels": 2,
                "max_output_channels": 2,
                "default_samplerate": 44100.0,
            },
            {
                "name": "pulse",
                "hostapi": 0,
                "max_input_channels": 32,
                "max_output_channels": 32,
                "default_samplerate": 44100.0,
            },
            {
                "name": "default",
                "hostapi": 0,
                "max_input_channels": 32,
                "max_output_channels": 32,
                "default_samplerate": 44100.0,
            },
            {
                "name": "HDMI output",
                "hostapi": 0,
                "max_input_channels": 0,
                "max_output_channels": 2,
                "default_samplerate": 48000.0,
            },
        ]

    def InputStream(self, **kwargs: object):  # type: ignore[no-untyped-def]
        self.pulse_source_at_open = os.environ.get("PULSE_SOURCE")
        return super().InputStream(**kwargs)


def fake_pactl(folder: Path) -> str:
    script = folder / "pactl"
    script.write_text(
        "#!/bin/sh\n"
        "printf '1\\talsa_output.pci.analog-stereo.monitor\\tmodule-alsa-card.c\\ts16le 2ch 44100Hz\\tIDLE\\n'\n"
        "printf '2\\talsa_input.pci.analog-stereo\\tmodule-alsa-card.c\\ts16le 2ch 44100Hz\\tIDLE\\n'\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def ini(path: Path) -> Settings:
    """Settings in an INI file of the test's own (Qt is imported here, not by the fakes)."""
    from PySide6.QtCore import QSettings

    from desktop_app.settings import Settings

    return Settings(QSettings(str(path), QSettings.Format.IniFormat))


TIMEOUT_MS = 120_000  # a session's stop, text models loading: generous on a busy machine


def make_app(  # type: ignore[no-untyped-def]
    qtbot,
    settings: Settings,
    device: FakeSoundDevice | FakeSoundDevices,
    tmp_path: Path,
    *,
    recognizer=None,
    wait_text_models: bool = False,
) -> DesktopApp:
    """The desktop app without a tray icon, closed with the test: a session still running is
    stopped first (its last words reach the file), then the window closes, which shuts the app
    down (scheduler, translation workers, API), and the overlay closes.

    ``recognizer``: the speech model, set at once; ``wait_text_models``: return once the
    punctuation and translation models the settings ask for are loaded (or found missing)."""
    from desktop_app.app import DesktopApp

    app = DesktopApp(settings, device, tmp_path / "transcripts", tray=False)
    qtbot.addWidget(app.window, before_close_func=lambda _: stop_session(qtbot, app))
    qtbot.addWidget(app.overlay)
    if recognizer is not None and wait_text_models:
        with qtbot.waitSignal(app.text_models.finished, timeout=TIMEOUT_MS):
            app.set_recognizer(recognizer)
    elif recognizer is not None:
        app.set_recognizer(recognizer)
    return app


def stop_session(qtbot, app: DesktopApp) -> None:  # type: ignore[no-untyped-def]
    """Stop the app's live captions, if running, and wait until the last words are out."""
    if app.session.running:
        with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS):
            app.session.stop()


class FakeSoundDevices:
    """A ``sounddevice``-like module with several input devices (each a
    :class:`FakeSoundDevice`, its own sound): device ``n + 1`` is ``devices[n]``, the first the
    default input."""

    PortAudioError = FakePortAudioError

    def __init__(self, *devices: FakeSoundDevice) -> None:
        self.devices = devices

    def query_devices(self, device: object = None, kind: str | None = None):  # type: ignore[no-untyped-def]
        if kind == "input":
            return self.devices[0]._info()
        if isinstance(device, int):
            return self.devices[device - 1]._info()
        speaker = FakeSoundDevice.query_devices(self.devices[0])[0]
        return [speaker, *(d._info() for d in self.devices)]

    def query_hostapis(self) -> list[dict[str, object]]:
        return [{"name": "Fake API", "devices": list(range(len(self.devices) + 1))}]

    def InputStream(self, *, device: object, **kwargs: object) -> FakeInputStream:
        owner = self.devices[device - 1 if isinstance(device, int) else 0]
        return owner.InputStream(device=device, **kwargs)
