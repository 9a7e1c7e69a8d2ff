"""The real audio path: PortAudio through ALSA's "pulse" device, recording a PulseAudio null
sink's monitor (system audio) while ``paplay`` plays speech into the sink.

Needs pulseaudio, pactl, pacat and paplay (pulseaudio, pulseaudio-utils, libasound2-plugins)
and PortAudio (libportaudio2); skipped without them. The test starts its own PulseAudio
server in a temporary runtime folder and stops it, and everything else it starts, by PID.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from helpers import stop_process

pytestmark = [
    pytest.mark.pulseaudio,
    pytest.mark.skipif(
        not all(shutil.which(tool) for tool in ("pulseaudio", "pactl", "pacat", "paplay")),
        reason="pulseaudio, pactl, pacat and paplay are needed",
    ),
]
TIMEOUT_MS = 60_000


@contextmanager
def playing_sink(name: str, pulse: dict[str, str]) -> Iterator[str]:
    """A null sink ``name`` (16 kHz) with pacat playing silence into it, so that its monitor
    source records; yields the sink's module (unloading it takes the sink away). At the end the
    player stops and the module is unloaded (if the test has not)."""
    module = subprocess.run(
        ["pactl", "load-module", "module-null-sink", f"sink_name={name}", "rate=16000"],
        env=pulse,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    player = subprocess.Popen(
        ["pacat", "--playback", "--raw", "--format=s16le", "--rate=16000", "--channels=1"]
        + [f"--device={name}", "/dev/zero"],
        env=pulse,
    )
    try:
        yield module
    finally:
        stop_process(player)
        subprocess.run(["pactl", "unload-module", module], env=pulse, capture_output=True)


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A private PulseAudio server with two null sinks; the default source is the silent one,
    so that recording "vsink" proves the source was chosen by the app."""
    root = tmp_path_factory.mktemp("pulse")
    runtime, home = root / "run", root / "home"
    runtime.mkdir(mode=0o700)
    home.mkdir()
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(home)}
    env.pop("PULSE_SERVER", None)
    server = subprocess.Popen(
        [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--log-target=stderr",
            "--load=module-native-protocol-unix auth-anonymous=1",
            "--load=module-null-sink sink_name=vsink rate=16000 channels=1",
            "--load=module-null-sink sink_name=quiet rate=16000 channels=1",
            "--load=module-always-sink",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = runtime / "pulse" / "native"
    client_env = {**env, "PULSE_SERVER": f"unix:{socket}"}
    keep_alive = None
    try:
        for _ in range(100):  # the server is ready when pactl can talk to it (at most 10 s)
            if (
                subprocess.run(["pactl", "info"], env=client_env, capture_output=True).returncode
                == 0
            ):
                break
            try:
                server.wait(0.1)
                pytest.skip("pulseaudio does not start here")
            except subprocess.TimeoutExpired:
                pass
        subprocess.run(["pactl", "set-default-source", "quiet.monitor"], env=client_env, check=True)
        # Without something playing, a monitor delivers no frames at all.
        keep_alive = subprocess.Popen(
            [
                "pacat",
                "--playback",
                "--raw",
                "--format=s16le",
                "--rate=16000",
                "--channels=1",
                "--device=vsink",
                "/dev/zero",
            ],
            env=client_env,
        )
        yield client_env
    finally:
        if keep_alive is not None:
            stop_process(keep_alive)
        stop_process(server)


@pytest.fixture
def sd(pulse, monkeypatch):  # type: ignore[no-untyped-def]
    for name in ("PULSE_SERVER", "XDG_RUNTIME_DIR", "HOME"):
        monkeypatch.setenv(name, pulse[name])
    try:
        import sounddevice
    except OSError as exc:
        pytest.skip(f"PortAudio is missing: {exc}")
    # PortAudio lists devices once; list them again now that the server runs.
    sounddevice._terminate()
    sounddevice._initialize()
    yield sounddevice
    sounddevice._terminate()
    sounddevice._initialize()


@pytest.fixture(scope="module")
def speech16(speech_dir: Path) -> Path:
    from helpers import say

    return say(
        "hello world this is a test of live captions", speech_dir / "pulse16.wav", rate=16000
    )


def play(path: Path, env: dict[str, str]) -> None:
    subprocess.run(["paplay", "--device=vsink", str(path)], env=env, check=True, timeout=60)


def captured_seconds(capture) -> float:  # type: ignore[no-untyped-def]
    return capture.queue.qsize() * capture.block_s


@pytest.fixture
def sc(pulse, monkeypatch):  # type: ignore[no-untyped-def]
    """The soundcard package (WASAPI loopback on Windows), connected to the test's server: it
    connects to PulseAudio when imported, so it is imported afresh here."""
    for name in ("PULSE_SERVER", "XDG_RUNTIME_DIR", "HOME"):
        monkeypatch.setenv(name, pulse[name])
    for name in [m for m in sys.modules if m == "soundcard" or m.startswith("soundcard.")]:
        monkeypatch.delitem(sys.modules, name)
    from desktop_app.loopback import soundcard_module

    module = soundcard_module()
    if module is None:
        pytest.skip("the soundcard package is not installed or cannot reach PulseAudio")
    return module


def test_system_audio_is_recorded_from_the_monitor_source(qtbot, sd, pulse, speech16: Path) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.capture import AudioCapture, list_input_devices

    devices = list_input_devices(sd)
    monitor = next(d for d in devices if d.pulse_source == "vsink.monitor")
    assert monitor.loopback and monitor.name == "System audio: vsink"
    assert_records_speech(qtbot, AudioCapture(sd, monitor), pulse, speech16)


def test_system_audio_through_soundcard(qtbot, sd, sc, pulse, speech16: Path) -> None:  # type: ignore[no-untyped-def]
    """The Windows loopback path (soundcard's recorder in a thread of ours), on PulseAudio."""
    from desktop_app.capture import AudioCapture, list_input_devices

    devices = list_input_devices(sd, system_audio=sc)
    monitor = next(d for d in devices if d.soundcard_id == "vsink.monitor")
    assert monitor.loopback and monitor.name.startswith("System audio: ")
    capture = AudioCapture(sd, monitor, system_audio=sc)
    assert_records_speech(qtbot, capture, pulse, speech16)
    assert not capture._stream  # stopped and released


def test_the_default_output_through_soundcard(qtbot, sd, sc, pulse, speech16: Path) -> None:  # type: ignore[no-untyped-def]
    """ "System audio: default output" finds the default sink's monitor (WASAPI: the default
    speaker's loopback) and records what plays there."""
    from desktop_app.capture import AudioCapture, list_input_devices
    from desktop_app.loopback import DEFAULT_OUTPUT

    devices = list_input_devices(sd, system_audio=sc)
    default = next(d for d in devices if d.soundcard_id == DEFAULT_OUTPUT)
    assert default.loopback and default.name == "System audio: default output"
    capture = AudioCapture(sd, default, system_audio=sc)
    assert_records_speech(qtbot, capture, pulse, speech16)
    assert not capture._stream


def test_system_audio_device_that_cannot_open_is_a_clear_error(sd, sc) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.capture import AudioCapture, CaptureError, InputDevice

    gone = InputDevice(
        "System audio: gone", None, 2, 48_000, loopback=True, soundcard_id="no-such-sink.monitor"
    )
    capture = AudioCapture(sd, gone, system_audio=sc)
    with pytest.raises(CaptureError, match="System audio: gone"):
        capture.start()


def assert_records_speech(qtbot, capture, pulse, speech16: Path) -> None:  # type: ignore[no-untyped-def]
    """Start the capture, play the speech into the sink, and find it whole in what was recorded."""
    import soundfile as sf

    from engine.audio import resample

    capture.start()
    try:
        qtbot.waitUntil(
            lambda: captured_seconds(capture) > 0.2, timeout=TIMEOUT_MS
        )  # the stream runs
        play(speech16, pulse)
        start = captured_seconds(capture)
        qtbot.waitUntil(lambda: captured_seconds(capture) > start + 1.0, timeout=TIMEOUT_MS)
    finally:
        capture.stop()
    assert capture.failure is None and capture.lost_blocks == 0
    recorded = np.concatenate([capture.queue.get_nowait() for _ in range(capture.queue.qsize())])
    recorded = resample(recorded, capture.sample_rate)
    reference, _ = sf.read(str(speech16), dtype="float32")
    # Normalised cross-correlation at the best lag: the speech came through whole.
    n = len(recorded) + len(reference)
    corr = np.fft.irfft(np.fft.rfft(recorded, n) * np.conj(np.fft.rfft(reference, n)), n)
    corr = corr[: len(recorded) - len(reference) + 1]
    energy = np.convolve(recorded.astype(np.float64) ** 2, np.ones(len(reference)), "valid")
    score = corr / np.sqrt(energy * np.dot(reference, reference) + 1e-12)
    assert score.max() > 0.9


def test_live_captions_of_system_audio_in_the_app(
    qtbot, sd, pulse, speech16: Path, tiny_recognizer, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    from desktop_app.app import DesktopApp
    from desktop_app.settings import InputOptions, Settings

    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.inputs = InputOptions("System audio: vsink")
    app = DesktopApp(settings, sd, tmp_path / "transcripts", tray=False)
    qtbot.addWidget(app.window)
    app.set_recognizer(tiny_recognizer)
    assert app.window.selected_device().pulse_source == "vsink.monitor"
    levels: list[float] = []
    app.session.level.connect(levels.append)
    try:
        with qtbot.waitSignal(app.session.started, timeout=TIMEOUT_MS):
            app.window.act_start.trigger()
        qtbot.waitUntil(lambda: len(levels) > 4, timeout=TIMEOUT_MS)  # audio flows
        play(speech16, pulse)
        count = len(levels)
        qtbot.waitUntil(lambda: len(levels) > count + 20, timeout=TIMEOUT_MS)  # 1 s more
        with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS):
            app.window.act_start.trigger()
    finally:
        app.window.close()
        app.shutdown()
    assert max(levels) > -30.0  # speech, not the silent default source
    assert app.window.transcript.words, "the tiny model spells something for any speech"
    assert app.session.capture.lost_blocks == 0
    written = next((tmp_path / "transcripts").glob("captions-*.txt")).read_text(encoding="utf-8")
    assert written.split()[1].lower() == app.window.transcript.words[0].text.lower()


def test_system_audio_device_that_disappears_ends_capture_with_a_message(
    qtbot, sd, sc, pulse
) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.capture import AudioCapture, list_input_devices

    with playing_sink("brief", pulse) as module:
        device = next(
            d for d in list_input_devices(sd, system_audio=sc) if d.soundcard_id == "brief.monitor"
        )
        capture = AudioCapture(sd, device, system_audio=sc)
        capture.start()
        qtbot.waitUntil(lambda: captured_seconds(capture) > 0.2, timeout=TIMEOUT_MS)
        subprocess.run(["pactl", "unload-module", module], env=pulse, check=True)
        qtbot.waitUntil(lambda: capture.failure is not None, timeout=TIMEOUT_MS)
        assert "stopped delivering sound" in capture.failure
        capture.stop()


def test_a_removed_source_is_noticed_when_pulseaudio_moves_the_stream(
    qtbot, sd, pulse, tiny_recognizer, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The recorded sink is unloaded while captions run: PulseAudio moves the stream to its
    fallback source (the stream itself goes on), and the app says so at once."""
    from PySide6.QtCore import QSettings

    from desktop_app.app import DesktopApp
    from desktop_app.settings import InputOptions, Settings

    with playing_sink("gone", pulse) as module:
        settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
        settings.inputs = InputOptions("System audio: gone")
        app = DesktopApp(settings, sd, tmp_path / "transcripts", tray=False)
        qtbot.addWidget(app.window)
        app.set_recognizer(tiny_recognizer)
        levels: list[float] = []
        app.session.level.connect(levels.append)
        try:
            assert app.window.selected_device().pulse_source == "gone.monitor"
            with qtbot.waitSignal(app.session.started, timeout=TIMEOUT_MS):
                app.window.act_start.trigger()
            qtbot.waitUntil(lambda: len(levels) > 4, timeout=TIMEOUT_MS)  # the stream records
            with qtbot.waitSignal(app.session.alert, timeout=TIMEOUT_MS) as alert:
                subprocess.run(["pactl", "unload-module", module], env=pulse, check=True)
            assert "“gone”" in alert.args[0] and "quiet" in alert.args[0]  # the fallback
            assert "gone" in app.window.message_bar.text() and app.session.running
            with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS):
                app.window.act_start.trigger()
            assert not app.session.pulse_watch.running
        finally:
            app.window.close()
            app.shutdown()
