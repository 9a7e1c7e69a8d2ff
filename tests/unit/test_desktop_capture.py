"""Audio capture without Qt: device listing, mono mixdown into the bounded queue, lost blocks
counted, device failures reported."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from helpers import posix_only
from helpers.desktop import FakeSoundDevice, PulseBackend, fake_pactl
from helpers.windows_audio import FakeSoundcard

from desktop_app.capture import (
    PRIVACY_PAGE,
    AudioCapture,
    CaptureError,
    InputDevice,
    UnavailableBackend,
    list_input_devices,
    loopback_note,
)

# No soundcard outputs: on Windows the real soundcard would otherwise list the machine's speakers.
NO_SPEAKERS = FakeSoundcard([])


def tone(seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    left = 0.5 * np.sin(2 * np.pi * 440 * t)
    return np.stack([left, np.zeros_like(left)], axis=1).astype(np.float32)


def test_capture_mixes_down_to_mono_at_the_native_rate() -> None:
    audio = tone(0.5, 44100)
    device = FakeSoundDevice(audio, 44100, mode="burst")
    capture = AudioCapture(device)
    capture.start()
    capture.stop()
    assert capture.sample_rate == 44100
    blocks = [capture.queue.get_nowait() for _ in range(capture.queue.qsize())]
    assert all(b.ndim == 1 and b.dtype == np.float32 for b in blocks)
    mono = np.concatenate(blocks)[: len(audio)]
    np.testing.assert_allclose(mono, audio.mean(axis=1), atol=1e-6)
    assert capture.lost_blocks == 0 and capture.failure is None


def test_a_full_queue_drops_blocks_and_counts_them() -> None:
    device = FakeSoundDevice(tone(1.0, 16000), 16000, mode="burst", overflow_blocks=(0, 1))
    capture = AudioCapture(device, block_s=0.05, max_queue_s=0.2)
    capture.start()
    capture.stop()
    assert capture.queue.qsize() == 4
    assert capture.dropped_blocks == device.stream.delivered - 4 == 16
    assert capture.device_overflows == 2
    assert capture.lost_blocks == 18


def test_a_device_that_cannot_open_raises_a_message_for_the_user() -> None:
    device = FakeSoundDevice(tone(0.1, 16000), 16000, fail_on_start=True)
    with pytest.raises(
        CaptureError, match="cannot be opened.*Device unavailable.*another input device"
    ):
        AudioCapture(device).start()


class PrivacyBlocked(FakeSoundDevice):
    """PortAudio's answer when Windows' privacy settings block the microphone (WASAPI)."""

    def InputStream(self, **kwargs: object):  # type: ignore[no-untyped-def]
        raise self.PortAudioError(
            "Error opening InputStream: Unanticipated host error [PaErrorCode -9999]: "
            "'Access is denied.' [Windows WASAPI error -2147024891]"
        )


def test_a_microphone_blocked_by_windows_privacy_points_to_the_privacy_page() -> None:
    device = PrivacyBlocked(tone(0.1, 16000), 16000)
    with pytest.raises(CaptureError) as failure:
        AudioCapture(device).start()
    message = str(failure.value)
    assert "Privacy & security > Microphone" in message and PRIVACY_PAGE in message
    assert "another program" not in message


def test_a_stream_that_ends_by_itself_is_a_failure_but_a_stop_is_not() -> None:
    device = FakeSoundDevice(tone(1.0, 16000), 16000, mode="burst", abort_after=5)
    capture = AudioCapture(device)
    capture.start()
    assert capture.failure and "stopped delivering sound" in capture.failure
    assert capture.queue.qsize() == 5  # what came before the failure is kept
    device = FakeSoundDevice(tone(1.0, 16000), 16000, mode="burst")
    capture = AudioCapture(device)
    capture.start()
    capture.stop()
    assert capture.failure is None


def test_without_portaudio_nothing_is_listed_and_capture_explains_why() -> None:
    backend = UnavailableBackend("audio input is unavailable: PortAudio library not found")
    assert list_input_devices(backend, system_audio=NO_SPEAKERS) == []
    with pytest.raises(CaptureError, match="PortAudio library not found"):
        AudioCapture(backend).start()


@posix_only("PulseAudio's pactl (faked here by a shell script)")
def test_pulseaudio_monitor_sources_are_listed_as_system_audio(tmp_path: Path) -> None:
    backend = PulseBackend(tone(0.2, 44100), 44100, mode="burst")
    devices = list_input_devices(backend, pactl=fake_pactl(tmp_path), system_audio=NO_SPEAKERS)
    names = [d.name for d in devices]
    assert names[:3] == ["HDA Intel PCH: ALC3246 Analog (hw:0,0)", "pulse", "default"]
    monitor = devices[3]
    assert monitor == InputDevice(
        "System audio: alsa_output.pci.analog-stereo",
        1,
        32,
        44100,
        True,
        "alsa_output.pci.analog-stereo.monitor",
    )
    assert len(devices) == 4 and loopback_note(devices) == ""
    # Opening it opens ALSA's "pulse" device with the source chosen through PULSE_SOURCE.
    before = os.environ.get("PULSE_SOURCE")
    capture = AudioCapture(backend, monitor)
    capture.start()
    capture.stop()
    assert backend.pulse_source_at_open == "alsa_output.pci.analog-stereo.monitor"
    assert backend.stream.device_arg == 1 and backend.stream.channels == 2
    assert os.environ.get("PULSE_SOURCE") == before


def test_devices_without_system_audio_say_what_to_do() -> None:
    device = FakeSoundDevice(tone(0.1, 16000), 16000)
    devices = list_input_devices(device, pactl="", system_audio=NO_SPEAKERS)
    assert [d.name for d in devices] == ["Fake microphone"]
    assert devices[0].index == 1 and devices[0].sample_rate == 16000
    assert "system" in loopback_note(devices).lower()


class LocalisedWindows(FakeSoundDevice):
    """A German and a Chinese Windows' "Stereo Mix", beside a microphone (WASAPI)."""

    NAMES = (
        "Mikrofon (Realtek Audio)",
        "Stereomix (Realtek Audio)",
        "立体声混音 (Realtek(R) Audio)",
    )

    def query_devices(self, device: object = None, kind: str | None = None):  # type: ignore[no-untyped-def]
        if kind or device is not None:
            return super().query_devices(device, kind)
        return [
            {"name": name, "hostapi": 0, "max_input_channels": 2, "default_samplerate": 48000.0}
            for name in self.NAMES
        ]

    def query_hostapis(self):  # type: ignore[no-untyped-def]
        return [{"name": "Windows WASAPI"}]


def test_stereo_mix_in_other_languages_is_system_audio() -> None:
    devices = list_input_devices(
        LocalisedWindows(tone(0.1, 16000), 16000), system_audio=NO_SPEAKERS
    )
    assert [(d.name, d.loopback) for d in devices] == [
        ("Mikrofon (Realtek Audio)", False),
        ("Stereomix (Realtek Audio)", True),
        ("立体声混音 (Realtek(R) Audio)", True),
    ]
