"""Fakes of Windows' sound hardware as the app sees it (no tests here): the ``soundcard`` module
over WASAPI (devices that raise like soundcard does on odd endpoints, a recorder that reports lost
audio the way soundcard does), and ``sounddevice`` listing each microphone once per host API."""

from __future__ import annotations

import threading
import time
import warnings
from typing import Any

import numpy as np

from helpers.desktop import FakeSoundDevice


class SoundcardRuntimeWarning(RuntimeWarning):
    """soundcard.mediafoundation's warning class (matched by name, as the real one is)."""


class FakeMic:
    """One soundcard device. ``broken``: the property that raises, as soundcard 0.4.6 does on
    some endpoints ("name": an assertion, SoundCard#93; "channels": #138; "isloopback")."""

    def __init__(
        self,
        id: str,
        name: str,
        *,
        channels: int = 2,
        isloopback: bool = True,
        broken: str = "",
        owner: FakeSoundcard | None = None,
    ) -> None:
        self.id = id
        self._name = name
        self._channels = channels
        self._isloopback = isloopback
        self.broken = broken
        self.owner = owner

    @property
    def name(self) -> str:
        if self.broken == "name":
            raise AssertionError
        return self._name

    @property
    def channels(self) -> int:
        if self.broken == "channels":
            raise RuntimeError("Property was expected to be a blob, but is not a blob")
        return self._channels

    @property
    def isloopback(self) -> bool:
        if self.broken == "isloopback":
            raise OSError(-2147023728, "Element not found")
        return self._isloopback

    def recorder(self, samplerate: int, channels: int, blocksize: int) -> FakeRecorder:
        assert self.owner is not None
        recorder = FakeRecorder(self.owner, samplerate, channels, blocksize)
        recorder.mic_id = self.id
        self.owner.recorders.append(recorder)
        return recorder


class FakeRecorder:
    """Returns the owner's audio in reads of ``numframes``; before the reads listed in the owner's
    ``discontinuities`` it warns like soundcard does when WASAPI flags
    AUDCLNT_BUFFERFLAGS_DATA_DISCONTINUITY. After the audio it is a silent device: zeros at about
    real time, and ``played`` is set."""

    def __init__(self, owner: FakeSoundcard, samplerate: int, channels: int, blocksize: int):
        self.owner = owner
        self.samplerate = samplerate
        self.channels = channels
        self.blocksize = blocksize  # WASAPI's buffer, in frames
        self.reads: list[int] = []
        self.position = 0
        self.mic_id = ""  # the device it records

    def __enter__(self) -> FakeRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def record(self, numframes: int) -> np.ndarray:
        audio = self.owner.audio
        if self.position >= len(audio):
            self.owner.played.set()
            time.sleep(numframes / self.samplerate)  # the device's clock: silence in real time
            return np.zeros((numframes, self.channels), np.float32)
        if len(self.reads) in self.owner.discontinuities:
            warnings.warn("data discontinuity in recording", SoundcardRuntimeWarning, stacklevel=1)
        self.reads.append(numframes)
        block = audio[self.position : self.position + numframes, : self.channels]
        self.position += numframes
        return np.pad(block, ((0, numframes - len(block)), (0, 0)))


class FakeSoundcard:
    """A ``soundcard``-like module: microphones (loopback or not), some of which raise."""

    def __init__(
        self,
        mics: list[FakeMic],
        audio: np.ndarray | None = None,
        discontinuities: tuple[int, ...] = (),
        default_id: str | None = None,
    ) -> None:
        self.mics = mics
        self.default_id = default_id  # the default output's id (None: soundcard knows none)
        for mic in mics:
            mic.owner = self
        self.audio = audio if audio is not None else np.zeros((0, 2), np.float32)
        self.discontinuities = set(discontinuities)
        self.recorders: list[FakeRecorder] = []
        self.played = threading.Event()  # every read of the audio was made

    def all_microphones(self, include_loopback: bool = False) -> list[FakeMic]:
        return [m for m in self.mics if include_loopback or not m._isloopback]

    def default_speaker(self) -> FakeMic:
        if self.default_id is None:
            raise RuntimeError("no default speaker")
        return next(m for m in self.mics if m.id == self.default_id)

    def get_microphone(self, id: str, include_loopback: bool = False) -> FakeMic:
        for mic in self.all_microphones(include_loopback):
            if mic.id == id:
                return mic
        raise IndexError(f"no soundcard with id {id}")


HOST_APIS = ["MME", "Windows DirectSound", "Windows WASAPI", "Windows WDM-KS"]


class WasapiSettings:
    """sounddevice.WasapiSettings, remembering what it was given."""

    def __init__(self, exclusive: bool = False, auto_convert: bool = False) -> None:
        self.exclusive = exclusive
        self.auto_convert = auto_convert


class FakeWindowsSoundDevice(FakeSoundDevice):
    """``sounddevice`` on Windows: two microphones, each listed once per host API (MME names
    cut at 31 characters), the MME and DirectSound mappers, and a speaker."""

    WasapiSettings = WasapiSettings
    extra_settings: Any = None  # what the last InputStream was opened with

    def query_devices(self, device: object = None, kind: str | None = None) -> Any:
        if kind or device is not None:
            return super().query_devices(device, kind)

        def entry(name: str, api: int, inputs: int, rate: float = 48000.0) -> dict[str, Any]:
            outputs = 0 if inputs else 2
            return {
                "name": name,
                "hostapi": api,
                "max_input_channels": inputs,
                "max_output_channels": outputs,
                "default_samplerate": rate,
            }

        return [
            entry("Microsoft Sound Mapper - Input", 0, 2, 44100.0),
            entry("Microphone (Realtek(R) Audio)", 0, 2, 44100.0),
            entry("Headset Microphone (Jabra Evolv", 0, 1, 44100.0),
            entry("Speakers (Realtek(R) Audio)", 0, 0, 44100.0),
            entry("Primary Sound Capture Driver", 1, 2, 44100.0),
            entry("Microphone (Realtek(R) Audio)", 1, 2, 44100.0),
            entry("Headset Microphone (Jabra Evolve 65)", 1, 1, 44100.0),
            entry("Microphone (Realtek(R) Audio)", 2, 4, 48000.0),
            entry("Headset Microphone (Jabra Evolve 65)", 2, 1, 16000.0),
            entry("Speakers (Realtek(R) Audio)", 2, 0),
            entry("Microphone (Realtek HD Audio Mic input)", 3, 2),
            entry("Headset Microphone (Jabra Evolve 65)", 3, 1, 16000.0),
        ]

    def query_hostapis(self) -> list[dict[str, object]]:
        return [{"name": name} for name in HOST_APIS]

    def InputStream(self, **kwargs: object) -> Any:
        self.extra_settings = kwargs.get("extra_settings")
        return super().InputStream(**kwargs)
