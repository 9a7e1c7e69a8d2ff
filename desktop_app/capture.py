"""Audio capture: a sound device's input into a bounded queue of mono blocks.

The sound device module is passed in (``sounddevice`` in the app, a fake in tests), so tests
replay a WAV file through the real callback. The callback only mixes down, copies and queues;
when the queue is full the block is dropped and counted, never silently.

System audio ("loopback"):
- Linux: PulseAudio and PipeWire expose a ".monitor" source for every output. PortAudio's ALSA
  backend reaches them through the ALSA ``pulse`` device, with the source chosen by the
  ``PULSE_SOURCE`` environment variable while the stream opens; ``pactl`` lists them.
- Windows: WASAPI loopback is not in PortAudio's or sounddevice's API; the ``soundcard``
  package records it (loopback.py), one "System audio: <speaker>" input per output device. A
  "Stereo Mix" device, where the sound driver offers one, is listed as system audio too.
- macOS: needs a virtual device such as BlackHole, which then appears as an ordinary input.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import subprocess
import sys
import threading
from types import ModuleType
from typing import Any

import numpy as np

from .devices import InputDevice
from .loopback import SoundcardInputStream, list_loopback_devices, soundcard_module

log = logging.getLogger("desktop_app.capture")

WASAPI = "Windows WASAPI"  # PortAudio's name for the host API
_LOOPBACK_WORDS = (
    ".monitor",
    "monitor of",
    "loopback",
    "what u hear",
    "blackhole",
    # "Stereo Mix" as Windows names it in its display languages
    "stereo mix",
    "stereomix",  # German, Dutch
    "mixage stéréo",  # French
    "mezcla estéreo",  # Spanish
    "missaggio stereo",  # Italian
    "mixagem estéreo",  # Portuguese (Brazil)
    "mistura estéreo",  # Portuguese
    "стерео микшер",  # Russian
    "miks stereo",  # Polish
    "立体声混音",  # Chinese (simplified)
    "立體聲混音",  # Chinese (traditional)
    "ステレオ ミキサー",  # Japanese
    "스테레오 믹스",  # Korean
)


class CaptureError(Exception):
    """The device could not be opened; the message is written for the user."""


# Windows' privacy settings can block every desktop app from the microphones: WASAPI then
# answers E_ACCESSDENIED (0x80070005, -2147024891 signed), which PortAudio reports as an
# "Unanticipated host error" with that code or Windows' text for it.
PRIVACY_PAGE = "ms-settings:privacy-microphone"
ACCESS_DENIED_MARKS = ("-2147024891", "0x80070005", "access is denied", "e_accessdenied")


def access_denied(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(mark in text for mark in ACCESS_DENIED_MARKS)


def list_input_devices(
    backend: ModuleType | Any,
    pactl: str | None = None,
    system_audio: ModuleType | Any | None = None,
    *,
    all_host_apis: bool = False,
) -> list[InputDevice]:
    """Every input the sound module offers, then PulseAudio/PipeWire monitor sources, then the
    outputs that ``system_audio`` (the soundcard module; by default on Windows) records.

    On Windows PortAudio lists each microphone once per host API (MME, DirectSound, WASAPI,
    WDM-KS); only the WASAPI entries are listed, opened with WASAPI's own format conversion, unless
    ``all_host_apis`` asks for every entry (each named with its host API)."""
    if system_audio is None and sys.platform == "win32":
        system_audio = soundcard_module()
    loopbacks = list_loopback_devices(system_audio) if system_audio is not None else []
    try:
        raw = list(backend.query_devices())
        api_names = [str(api["name"]) for api in backend.query_hostapis()]
    except Exception as exc:
        log.warning("cannot list audio devices: %s", exc)
        return loopbacks
    only = WASAPI if WASAPI in api_names and not all_host_apis else None
    several_apis = only is None and len({d["hostapi"] for d in raw}) > 1
    devices = []
    for index, info in enumerate(raw):
        api = api_names[info["hostapi"]] if info["hostapi"] < len(api_names) else ""
        if info["max_input_channels"] <= 0 or (only and api != only):
            continue
        name = f"{info['name']} ({api})" if several_apis else info["name"]
        devices.append(
            InputDevice(
                name,
                index,
                int(info["max_input_channels"]),
                int(info["default_samplerate"]),
                loopback=any(word in info["name"].lower() for word in _LOOPBACK_WORDS),
                wasapi=api == WASAPI,
            )
        )
    pulse = next((d for d in devices if d.name.split(" (")[0] == "pulse"), None)
    if pulse is not None:
        devices += _pulse_monitors(pulse, pactl if pactl is not None else shutil.which("pactl"))
    return devices + loopbacks


def _pulse_monitors(pulse: InputDevice, pactl: str | None) -> list[InputDevice]:
    if not pactl:
        return []
    try:
        out = subprocess.run(
            [pactl, "list", "short", "sources"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("pactl cannot list sources: %s", exc)
        return []
    monitors = []
    for line in out.stdout.splitlines():
        fields = line.split("\t")
        if len(fields) > 1 and fields[1].endswith(".monitor"):
            source = fields[1]
            label = f"System audio: {source.removesuffix('.monitor')}"
            monitors.append(
                InputDevice(label, pulse.index, pulse.channels, pulse.sample_rate, True, source)
            )
    return monitors


def loopback_note(devices: list[InputDevice]) -> str:
    """What to do when no system-audio source is listed, or "" when there is one."""
    if any(d.loopback for d in devices):
        return ""
    if sys.platform == "win32":
        return (
            "System audio capture (WASAPI loopback) is not available: the 'soundcard' package "
            "is missing or found no output device. Enable the 'Stereo Mix' recording device "
            "in the Windows sound settings, or route the sound through a virtual cable such as VB-CABLE."
        )
    if sys.platform == "darwin":
        return "System audio capture needs a virtual device such as BlackHole."
    return (
        "No system-audio source found: with PulseAudio or PipeWire, install pactl "
        "(pulseaudio-utils) and the ALSA pulse plugin to list the '.monitor' sources."
    )


def default_input(backend: ModuleType | Any) -> InputDevice:
    """The system's default input, or CaptureError when there is none."""
    try:
        info = backend.query_devices(kind="input")
    except Exception as exc:
        raise CaptureError(f"No microphone or other audio input was found ({exc}).") from None
    return InputDevice(
        info["name"], None, int(info["max_input_channels"]), int(info["default_samplerate"])
    )


class AudioCapture:
    """One input stream at the device's native rate, mixed down to mono into a bounded queue.

    ``start`` opens the device; ``stop`` closes it, after which the callback runs no more. The
    reader (the engine worker) takes blocks from ``queue``. ``failure`` is set when the stream
    ends by itself (the device was unplugged or failed).
    """

    def __init__(
        self,
        backend: ModuleType | Any,
        device: InputDevice | None = None,
        *,
        block_s: float = 0.05,
        max_queue_s: float = 10.0,
        system_audio: ModuleType | Any | None = None,
    ) -> None:
        self.backend = backend
        self.system_audio = system_audio  # the soundcard module, for devices with a soundcard_id
        self.device = device
        self.block_s = block_s
        self.queue: queue.Queue[np.ndarray] = queue.Queue(
            maxsize=max(1, round(max_queue_s / block_s))
        )
        self.sample_rate = 0
        # Written by the audio callback's thread, read by others: under the lock.
        self._counts = threading.Lock()
        self._dropped = 0  # blocks lost because the queue was full
        self._overflows = 0  # blocks the device reported as lost (input overflow)
        self.failure: str | None = None  # why the stream ended on its own
        self._stream: Any = None
        self._stopping = threading.Event()

    @property
    def dropped_blocks(self) -> int:
        """Blocks lost because the queue was full."""
        with self._counts:
            return self._dropped

    @property
    def device_overflows(self) -> int:
        """Blocks the device reported as lost (input overflow)."""
        with self._counts:
            return self._overflows

    @property
    def lost_blocks(self) -> int:
        with self._counts:
            return self._dropped + self._overflows

    def start(self) -> None:
        device = self.device or default_input(self.backend)
        self.device = device
        self.sample_rate = device.sample_rate
        error_types = (getattr(self.backend, "PortAudioError", OSError), ValueError, OSError)
        self._stopping.clear()
        try:
            with _pulse_source(device.pulse_source):
                self._stream = self._open(device)
                self._stream.start()
        except error_types as exc:
            self._stream = None
            if access_denied(exc) and not device.soundcard_id:
                raise CaptureError(
                    f"Windows does not let Live Captions use the microphone '{device.name}'. "
                    "Turn on 'Microphone access' and 'Let desktop apps access your microphone' "
                    f"in Settings > Privacy & security > Microphone ({PRIVACY_PAGE}), then "
                    "start captions again."
                ) from None
            raise CaptureError(
                f"The audio device '{device.name}' cannot be opened: {exc}. "
                "Choose another input device, or check that no other program holds it."
            ) from None
        log.info("capturing %s at %d Hz", device.name, device.sample_rate)

    def _open(self, device: InputDevice) -> Any:
        common: dict[str, Any] = dict(
            samplerate=device.sample_rate,
            channels=max(1, min(2, device.channels)),
            blocksize=max(1, round(device.sample_rate * self.block_s)),
            callback=self._callback,
            finished_callback=self._finished,
        )
        if not device.soundcard_id:
            if device.wasapi:  # the mix format's channels may differ from what we ask for
                common["extra_settings"] = self.backend.WasapiSettings(auto_convert=True)
            return self.backend.InputStream(device=device.index, dtype="float32", **common)
        system_audio = self.system_audio or soundcard_module()
        if system_audio is None:
            raise OSError("system audio needs the 'soundcard' package, which is not available")
        return SoundcardInputStream(system_audio, device.soundcard_id, **common)

    def stop(self) -> None:
        """Close the device. Blocks already queued stay for the reader to drain."""
        self._stopping.set()
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.stop()
            stream.close()
        except Exception as exc:
            log.warning("closing the audio device failed: %s", exc)

    def _callback(self, indata: np.ndarray, frames: int, time_info: object, status: Any) -> None:
        if status and getattr(status, "input_overflow", False):
            with self._counts:
                self._overflows += 1
        block = (
            indata[:, 0].copy() if indata.shape[1] == 1 else indata.mean(axis=1, dtype=np.float32)
        )
        try:
            self.queue.put_nowait(block)
        except queue.Full:
            with self._counts:
                self._dropped += 1

    def _finished(self) -> None:
        if not self._stopping.is_set():
            name = self.device.name if self.device else "the audio device"
            self.failure = f"The audio input '{name}' stopped delivering sound (was it unplugged or disabled?)."
            log.warning(self.failure)


class _pulse_source:
    """Select a PulseAudio source for the ALSA "pulse" device while a stream opens."""

    _lock = threading.Lock()

    def __init__(self, source: str) -> None:
        self.source = source
        self.saved: str | None = None

    def __enter__(self) -> None:
        if self.source:
            self._lock.acquire()
            self.saved = os.environ.get("PULSE_SOURCE")
            os.environ["PULSE_SOURCE"] = self.source

    def __exit__(self, *exc: object) -> None:
        if self.source:
            if self.saved is None:
                os.environ.pop("PULSE_SOURCE", None)
            else:
                os.environ["PULSE_SOURCE"] = self.saved
            self._lock.release()


class UnavailableBackend:
    """Stands in for ``sounddevice`` when it cannot be imported (no PortAudio library): lists no
    devices and explains why a stream cannot open, so file transcription still works."""

    PortAudioError = OSError

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def query_devices(self, device: object = None, kind: str | None = None) -> Any:
        if kind is not None:
            raise OSError(self.reason)
        return []

    def query_hostapis(self) -> list[dict[str, object]]:
        return []

    def InputStream(self, **kwargs: object) -> Any:
        raise OSError(self.reason)


def sound_backend() -> ModuleType | UnavailableBackend:
    """The ``sounddevice`` module, or a stand-in that says why audio input is unavailable."""
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        log.warning("no audio input: %s", exc)
        return UnavailableBackend(
            f"audio input is unavailable: {exc} (install PortAudio, e.g. libportaudio2)"
        )
    return sounddevice
