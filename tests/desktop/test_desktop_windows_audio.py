"""Windows sound paths, simulated at the hardware boundary: soundcard devices that raise while
listed, WASAPI's lost-audio warnings counted as lost blocks, one entry per microphone."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
import pytest
from helpers.windows_audio import (
    FakeMic,
    FakeSoundcard,
    FakeWindowsSoundDevice,
    SoundcardRuntimeWarning,
)

from desktop_app.capture import AudioCapture, InputDevice, list_input_devices
from desktop_app.loopback import BUFFER_READS, list_loopback_devices

RATE = 48_000


def odd_endpoints() -> list[FakeMic]:
    return [
        FakeMic("{0.0.0.1}", "Speakers (Realtek(R) Audio)"),
        FakeMic("{0.0.0.2}", "Headset Earphone (Jabra chat)", broken="name"),
        FakeMic("{0.0.0.3}", "Digital Output (S/PDIF)", broken="channels"),
        FakeMic("{0.0.0.4}", "Bluetooth Hands-Free", broken="isloopback"),
        FakeMic("{0.0.1.1}", "Microphone (Realtek(R) Audio)", isloopback=False),
        FakeMic("{0.0.0.5}", "HDMI (NVIDIA High Definition Audio)", channels=8),
    ]


def test_a_device_that_raises_is_skipped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="desktop_app.loopback"):
        devices = list_loopback_devices(FakeSoundcard(odd_endpoints()))
    assert [(d.name, d.channels, d.soundcard_id) for d in devices] == [
        ("System audio: Speakers (Realtek(R) Audio)", 2, "{0.0.0.1}"),
        ("System audio: HDMI (NVIDIA High Definition Audio)", 2, "{0.0.0.5}"),
    ]
    skipped = [r.getMessage() for r in caplog.records]
    assert len(skipped) == 3
    assert "'{0.0.0.2}'" in skipped[0] and "AssertionError" in skipped[0]
    assert "'{0.0.0.3}'" in skipped[1] and "expected to be a blob" in skipped[1]
    assert "'{0.0.0.4}'" in skipped[2] and "Element not found" in skipped[2]


def test_the_window_opens_when_a_device_raises(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pytestqt")
    from PySide6.QtCore import QSettings

    from desktop_app.app import DesktopApp
    from desktop_app.settings import Settings

    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    backend = FakeWindowsSoundDevice(np.zeros((4800, 2), np.float32), RATE)
    app = DesktopApp(
        settings,
        backend,
        tmp_path / "transcripts",
        tray=False,
        system_audio=FakeSoundcard(odd_endpoints()),
    )
    qtbot.addWidget(app.window)
    qtbot.addWidget(app.overlay)
    combo = app.window.device_combo
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels == [
        "System default input",
        "Microphone (Realtek(R) Audio)",
        "Headset Microphone (Jabra Evolve 65)",
        "System audio: Speakers (Realtek(R) Audio)",
        "System audio: HDMI (NVIDIA High Definition Audio)",
    ]
    # System audio carries a speaker icon (an emoji would need an emoji font).
    assert [combo.itemIcon(i).isNull() for i in range(combo.count())] == [True] * 3 + [False] * 2
    # The "all host APIs" setting lists every host API's entry, each named with its API.
    dialog = app.open_settings()
    dialog.all_host_apis.setChecked(True)
    dialog.accept()
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert len(labels) == 1 + 10 + 2 and "Microphone (Realtek(R) Audio) (MME)" in labels
    assert settings.all_host_apis is True


def test_lost_system_audio_is_counted_like_a_microphone_overflow() -> None:
    audio = np.random.default_rng(0).uniform(-0.5, 0.5, (RATE, 2)).astype(np.float32)
    sc = FakeSoundcard([FakeMic("{0.0.0.1}", "Speakers")], audio, discontinuities=(3, 7))
    device = InputDevice("System audio: Speakers", None, 2, RATE, True, soundcard_id="{0.0.0.1}")
    capture = AudioCapture(FakeWindowsSoundDevice(audio, RATE), device, system_audio=sc)
    with warnings.catch_warnings():
        warnings.simplefilter("always", SoundcardRuntimeWarning)  # as soundcard sets it
        capture.start()
        assert sc.played.wait(10.0)
        capture.stop()
    assert capture.device_overflows == 2 and capture.lost_blocks == 2
    recorder = sc.recorders[-1]
    read = recorder.reads[0]
    assert read == RATE // 20 and recorder.blocksize == BUFFER_READS * read >= 4 * read
    blocks = [capture.queue.get_nowait() for _ in range(capture.queue.qsize())]
    np.testing.assert_allclose(np.concatenate(blocks)[: len(audio)], audio.mean(axis=1), atol=1e-6)


def test_other_warnings_still_reach_the_previous_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        warnings, "showwarning", lambda message, *a, **k: shown.append(str(message))
    )
    audio = np.zeros((RATE // 4, 2), np.float32)
    sc = FakeSoundcard([FakeMic("{0.0.0.1}", "Speakers")], audio, discontinuities=(1,))
    device = InputDevice("System audio: Speakers", None, 2, RATE, True, soundcard_id="{0.0.0.1}")
    capture = AudioCapture(FakeWindowsSoundDevice(audio, RATE), device, system_audio=sc)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        capture.start()
        assert sc.played.wait(10.0)
        warnings.warn("a warning of the test's own thread", UserWarning, stacklevel=1)
        capture.stop()
    assert shown == ["a warning of the test's own thread"]
    assert capture.device_overflows == 1


def test_one_entry_per_microphone_through_wasapi() -> None:
    backend = FakeWindowsSoundDevice(np.zeros((4800, 2), np.float32), RATE)
    devices = list_input_devices(backend, pactl="", system_audio=FakeSoundcard([]))
    assert [(d.name, d.channels, d.sample_rate, d.wasapi) for d in devices] == [
        ("Microphone (Realtek(R) Audio)", 4, 48000, True),
        ("Headset Microphone (Jabra Evolve 65)", 1, 16000, True),
    ]
    # WASAPI converts the mix format (four channels here) to the two channels asked for.
    capture = AudioCapture(backend, devices[0])
    capture.start()
    capture.stop()
    assert backend.stream.channels == 2 and backend.extra_settings.auto_convert is True

    every = list_input_devices(
        backend, pactl="", system_audio=FakeSoundcard([]), all_host_apis=True
    )
    assert len(every) == 10 and all(d.name.endswith(")") for d in every)
    mme = next(d for d in every if d.name == "Microphone (Realtek(R) Audio) (MME)")
    assert not mme.wasapi and mme.sample_rate == 44100


def test_lost_system_audio_shows_in_the_status_bar(qtbot, tmp_path: Path, tiny_recognizer) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    from desktop_app.app import DesktopApp
    from desktop_app.settings import InputOptions, Settings

    audio = np.random.default_rng(1).uniform(-0.3, 0.3, (2 * RATE, 2)).astype(np.float32)
    sc = FakeSoundcard([FakeMic("{0.0.0.1}", "Speakers")], audio, discontinuities=(2, 5))
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    settings.inputs = InputOptions("System audio: Speakers")
    backend = FakeWindowsSoundDevice(np.zeros((4800, 2), np.float32), RATE)
    app = DesktopApp(settings, backend, tmp_path / "transcripts", tray=False, system_audio=sc)
    qtbot.addWidget(app.window)
    qtbot.addWidget(app.overlay)
    app.set_recognizer(tiny_recognizer)
    assert app.window.selected_device().soundcard_id == "{0.0.0.1}"
    with warnings.catch_warnings():
        warnings.simplefilter("always", SoundcardRuntimeWarning)  # as soundcard sets it
        with qtbot.waitSignal(app.session.started, timeout=60_000):
            app.window.act_start.trigger()
        qtbot.waitUntil(sc.played.is_set, timeout=60_000)
        qtbot.waitUntil(lambda: "2 blocks" in app.window.dropped_label.text(), timeout=60_000)
        with qtbot.waitSignal(app.session.stopped, timeout=60_000):
            app.window.act_start.trigger()
    assert app.session.capture.device_overflows == 2
    app.window.close()
    app.overlay.close()


def test_the_default_output_is_listed_first_and_followed_when_windows_switches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Headphones plugged in: Windows plays to them from then on, and the captions' system
    audio moves with it instead of recording the silent speakers."""
    from helpers import wait_for

    from desktop_app.loopback import DEFAULT_OUTPUT, SoundcardInputStream

    audio = np.random.default_rng(1).uniform(-0.5, 0.5, (RATE, 2)).astype(np.float32)
    speakers, headphones = FakeMic("{0.0.0.1}", "Speakers"), FakeMic("{0.0.0.6}", "Headphones")
    sc = FakeSoundcard([speakers, headphones], audio, default_id=speakers.id)
    devices = list_loopback_devices(sc)
    assert [(d.name, d.soundcard_id) for d in devices] == [
        ("System audio: default output", DEFAULT_OUTPUT),
        ("System audio: Speakers", "{0.0.0.1}"),
        ("System audio: Headphones", "{0.0.0.6}"),
    ]
    monkeypatch.setattr(SoundcardInputStream, "CHECK_S", 0.02)
    capture = AudioCapture(FakeWindowsSoundDevice(audio, RATE), devices[0], system_audio=sc)
    capture.start()
    try:
        assert wait_for(lambda: len(sc.recorders) == 1 and len(sc.recorders[0].reads) >= 2)
        assert sc.recorders[0].mic_id == speakers.id
        sc.default_id = headphones.id  # Windows switches its default output
        assert wait_for(lambda: len(sc.recorders) == 2)
        assert sc.recorders[1].mic_id == headphones.id
        assert wait_for(lambda: len(sc.recorders[1].reads) >= 2)
        assert capture.failure is None and capture._stream is not None
        sc.default_id = None  # no output device left: the stream ends, as a lost device's does
        assert wait_for(lambda: capture.failure is not None)
    finally:
        capture.stop()
    assert len(sc.recorders) == 2  # no reopening beyond the one switch
