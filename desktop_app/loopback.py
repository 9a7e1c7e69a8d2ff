"""System audio through the ``soundcard`` package: WASAPI loopback on Windows.

PortAudio (and so ``sounddevice``) cannot record what Windows plays; ``soundcard`` can, by
opening an output device in WASAPI loopback mode. Its recorder is blocking, so
:class:`SoundcardInputStream` runs it in a thread of its own and hands each block to the same
callback a ``sounddevice.InputStream`` would call: the rest of the capture path does not know
the difference. On Linux ``soundcard`` talks to PulseAudio and lists the ".monitor" sources the
same way; the app uses the ALSA "pulse" device there (see capture.py), and the tests use this
module against a PulseAudio null sink, which exercises the same code as WASAPI loopback does.
"""

from __future__ import annotations

import logging
import sys
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from .devices import InputDevice

log = logging.getLogger("desktop_app.loopback")

LOOPBACK_RATE = 48_000  # WASAPI converts from the device's mix format (AUTOCONVERTPCM)
OPEN_TIMEOUT_S = 10.0
# WASAPI's buffer, in reads: soundcard asks for reads well below the recorder's blocksize, and
# WASAPI drops audio ("data discontinuity") when one read must wait for the whole buffer.
BUFFER_READS = 4


def soundcard_module() -> ModuleType | None:
    """The ``soundcard`` module, or None where it is missing or finds no sound server."""
    try:
        import soundcard
    except Exception as exc:
        log.info("system audio through soundcard is unavailable: %s", exc)
        return None
    return soundcard


# The soundcard_id of "System audio: default output": whatever output Windows plays to now,
# followed when the default changes (headphones plugged in, a Bluetooth headset connecting).
DEFAULT_OUTPUT = "default-output"


def list_loopback_devices(sc: ModuleType | Any) -> list[InputDevice]:
    """ "System audio: default output" first (where soundcard knows a default speaker), then one
    "System audio: <speaker>" input per output device. Each device is read in a guard of its
    own: soundcard asserts or raises on some endpoints (a headset's chat output, SoundCard#93;
    "Property was expected to be a blob", #138), and one odd device must not hide the others or
    stop the window from opening. A device that cannot be read is skipped and logged."""
    try:
        mics = list(sc.all_microphones(include_loopback=True))
    except Exception as exc:
        log.warning("cannot list system-audio devices: %s", _describe(exc))
        return []
    devices = []
    default = _default_output_id(sc)
    if default is not None:
        channels = next((m.channels for m in mics if _same_id(m, default)), 2)
        devices.append(
            InputDevice(
                "System audio: default output",
                None,
                max(1, min(2, int(channels))),
                LOOPBACK_RATE,
                loopback=True,
                soundcard_id=DEFAULT_OUTPUT,
            )
        )
    for mic in mics:
        try:
            if not mic.isloopback:
                continue
            device = InputDevice(
                f"System audio: {mic.name}",
                None,
                max(1, min(2, int(mic.channels))),
                LOOPBACK_RATE,
                loopback=True,
                soundcard_id=str(mic.id),
            )
        except Exception as exc:  # anything soundcard raises for one device skips that device
            log.warning("skipping the system-audio device %s: %s", _device_id(mic), _describe(exc))
            continue
        devices.append(device)
    return devices


def _default_output_id(sc: ModuleType | Any) -> str | None:
    """The id of the output Windows plays to now, or None."""
    try:
        return str(sc.default_speaker().id)
    except Exception as exc:  # no output device, or soundcard cannot read it
        log.info("no default output for system audio: %s", _describe(exc))
        return None


def _loopback_of(sc: ModuleType | Any, device_id: str) -> Any:
    """The loopback recorder of an output (WASAPI: the speaker's own id; PulseAudio: its
    ``.monitor`` source), or of the input ``device_id`` names."""
    for mic_id in (device_id, f"{device_id}.monitor"):
        try:
            return sc.get_microphone(mic_id, include_loopback=True)
        except IndexError:
            continue
    raise OSError(f"no system-audio recorder for {device_id}")


def _same_id(mic: Any, device_id: str) -> bool:
    try:
        return str(mic.id) == device_id
    except Exception:  # an odd endpoint (see list_loopback_devices)
        return False


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _device_id(mic: Any) -> str:
    try:
        return repr(str(mic.id))
    except Exception:
        return "(unreadable id)"


class SoundcardInputStream:
    """The parts of ``sounddevice.InputStream`` that AudioCapture uses, over a soundcard recorder.

    ``start`` opens the device in the reader thread and raises OSError if that fails; the thread
    then calls ``callback(block, frames, None, status)`` for every block until ``stop``, where
    ``status.input_overflow`` says that WASAPI lost audio before the block (counted as lost,
    like a microphone's overflow). When recording fails on its own (the device went away),
    ``finished_callback`` runs, as it does after ``stop``. A removed device does not always end soundcard's recorder (PulseAudio moves
    the stream to another source, or it waits for data forever), so a watchdog checks every
    ``CHECK_S`` that the device is still listed.
    """

    CHECK_S = 1.0

    def __init__(
        self,
        sc: ModuleType | Any,
        device_id: str,
        *,
        samplerate: int,
        channels: int,
        blocksize: int,
        callback: Callable[..., None],
        finished_callback: Callable[[], None],
    ) -> None:
        self.sc = sc
        self.device_id = device_id
        self.samplerate = samplerate
        self.channels = channels
        self.blocksize = blocksize
        self.callback = callback
        self.finished_callback = finished_callback
        self.error: Exception | None = None
        self._opened = threading.Event()
        self._stop = threading.Event()
        self._switch = threading.Event()  # the default output changed: reopen on the new one
        self.recording: str | None = None  # the id of the device being recorded
        self._thread: threading.Thread | None = None
        self._finished = threading.Lock()  # finished_callback runs once

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="system-audio", daemon=True)
        self._thread.start()
        if not self._opened.wait(OPEN_TIMEOUT_S):
            self._stop.set()
            raise OSError("the system-audio device did not open in time")
        if self.error is not None:
            raise OSError(str(self.error) or type(self.error).__name__)
        threading.Thread(target=self._watch, name="system-audio-watchdog", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)

    def close(self) -> None:
        self.stop()

    def _run(self) -> None:
        uninit = _com_init()
        _route_discontinuity_warnings()
        lost = _LostAudio()
        _reader.lost = lost
        try:
            while not self._stop.is_set():
                self._switch.clear()
                self.recording = self._target()
                self._record(self.recording, lost)
                if self._switch.is_set() and not self._stop.is_set():
                    log.info("the default output changed: system audio now follows it")
        except Exception as exc:
            self._fail(exc)
        finally:
            _reader.lost = None
            self._opened.set()
            uninit()
            self._finish()

    def _target(self) -> str:
        if self.device_id != DEFAULT_OUTPUT:
            return self.device_id
        default = _default_output_id(self.sc)
        if default is None:
            raise OSError("Windows has no default output device")
        return default

    def _record(self, device_id: str, lost: _LostAudio) -> None:
        """Blocks from ``device_id`` until stopped, or until the default output changes."""
        mic = _loopback_of(self.sc, device_id)
        with mic.recorder(
            samplerate=self.samplerate,
            channels=self.channels,
            blocksize=self.blocksize * BUFFER_READS,
        ) as rec:
            self._opened.set()
            while not self._stop.is_set() and not self._switch.is_set():
                block = np.asarray(rec.record(numframes=self.blocksize), dtype=np.float32)
                block = block.reshape(len(block), -1)
                if self._stop.is_set():
                    break
                self.callback(block, len(block), None, lost.take())

    def _watch(self) -> None:
        uninit = _com_init()  # listing devices is a WASAPI call too
        try:
            self._watch_loop()
        finally:
            uninit()

    def _watch_loop(self) -> None:
        while not self._stop.wait(self.CHECK_S):
            if not self._still_there():
                self._fail(OSError("the device is gone"))
                self._stop.set()  # the reader may stay blocked inside soundcard; it is a daemon
                self._finish()

    def _still_there(self) -> bool:
        """Whether the device is still listed; for the default output, whether Windows has one
        (and when it is another device now, the reader is told to follow it)."""
        if self.device_id == DEFAULT_OUTPUT:
            default = _default_output_id(self.sc)
            if default is not None and self.recording not in (None, default):
                self._switch.set()  # the reader reopens on the new default after this block
            return default is not None
        try:
            return any(
                str(m.id) == self.device_id for m in self.sc.all_microphones(include_loopback=True)
            )
        except Exception as exc:
            log.info("cannot list system-audio devices: %s", exc)
            return False

    def _fail(self, exc: Exception) -> None:
        if self.error is None:
            self.error = exc
            log.warning("system-audio recording ended: %s", exc)

    def _finish(self) -> None:
        if self._finished.acquire(blocking=False):
            self.finished_callback()


@dataclass
class _LostAudio:
    """The status passed with each block, like sounddevice's CallbackFlags: ``input_overflow``
    when WASAPI reported lost audio ("data discontinuity") since the block before."""

    discontinuities: int = 0

    @property
    def input_overflow(self) -> bool:
        return self.discontinuities > 0

    def __bool__(self) -> bool:
        return self.input_overflow

    def take(self) -> _LostAudio:
        status = _LostAudio(self.discontinuities)
        self.discontinuities = 0
        return status


_reader = threading.local()  # .lost: the _LostAudio of the recorder running in this thread


def _route_discontinuity_warnings() -> None:
    """soundcard reports audio that WASAPI lost only as a ``SoundcardRuntimeWarning`` ("data
    discontinuity in recording"), which would end up as a log line nobody counts. Warnings of that
    kind raised in a recorder thread are counted as lost audio for its stream; all other
    warnings go where they went before. Installed once per process (warnings are process-wide)."""
    previous = warnings.showwarning
    if getattr(previous, "routes_discontinuities", False):
        return

    def showwarning(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        lost = getattr(_reader, "lost", None)
        if (
            lost is not None
            and category.__name__ == "SoundcardRuntimeWarning"
            and "discontinuity" in str(message)
        ):
            lost.discontinuities += 1
            return
        previous(message, category, filename, lineno, file, line)

    showwarning.routes_discontinuities = True  # type: ignore[attr-defined]  # a marker on the function
    warnings.showwarning = showwarning


def _com_init() -> Callable[[], None]:
    """On Windows, COM must be initialised in every thread that talks to WASAPI."""
    if sys.platform != "win32":
        return lambda: None
    import ctypes

    ole32 = ctypes.windll.ole32  # type: ignore[attr-defined,unused-ignore]  # Windows only
    hr = ole32.CoInitializeEx(None, 0)  # COINIT_MULTITHREADED
    return ole32.CoUninitialize if hr in (0, 1) else (lambda: None)  # S_OK, S_FALSE
