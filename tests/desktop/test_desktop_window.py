"""The desktop app's windows: settings that persist, the overlay, file transcription, model
loading, and starting without a display."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from helpers.desktop import FakeSoundDevice, ini, make_app
from PySide6.QtCore import QMimeData, QPoint, QPointF, QRect, Qt, QUrl
from PySide6.QtGui import QDropEvent

from desktop_app.model_loader import ModelLoader
from desktop_app.settings import OverlayStyle, Settings
from desktop_app.widgets.export import write_transcript
from desktop_app.widgets.file_panel import FileTranscriptionDialog
from desktop_app.widgets.overlay import CaptionOverlay
from engine.config import ModelOptions
from engine.ctc import Word
from engine.pipeline import CaptionPipeline
from engine.streaming import Event, EventType

TIMEOUT_MS = 60_000
TRANSPARENT = Qt.WindowType.WindowTransparentForInput


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A fresh profile whose models run on PyTorch: these tests do not wait for an ONNX export
    (minutes on a busy machine with this session's empty export cache); the export's own test
    asks for the default backend."""
    settings = ini(tmp_path / "settings.ini")
    settings.backend = "torch"
    return settings


@pytest.fixture
def device() -> FakeSoundDevice:
    return FakeSoundDevice(np.zeros((1600, 1), np.float32), 16000, name="USB headset")


# settings ------------------------------------------------------------------------------------
def test_settings_are_typed_and_bad_values_read_as_defaults(settings: Settings) -> None:
    assert (
        settings.overlay_lines == 2
        and settings.api_enabled is False
        and settings.overlay_rect is None
    )
    settings.qsettings.setValue("overlay/lines", "four")
    settings.qsettings.setValue("overlay/opacity", "0.25")
    settings.qsettings.setValue("api/enabled", "true")
    settings.qsettings.setValue("overlay/font_size", 500)
    assert settings.overlay_lines == 2
    assert settings.overlay_opacity == 0.25
    assert settings.api_enabled is True
    assert settings.overlay_style.font_size == 96
    settings.reset()
    assert settings.overlay_opacity == 0.7 and settings.api_enabled is False


def test_settings_persist_across_a_restart(qtbot, tmp_path: Path, device: FakeSoundDevice) -> None:  # type: ignore[no-untyped-def]
    app = make_app(qtbot, ini(tmp_path / "s.ini"), device, tmp_path)
    window = app.window
    assert window.device_combo.currentText() == "System default input"
    window.device_combo.setCurrentIndex(window.device_combo.findText("USB headset"))
    app.overlay.setGeometry(QRect(50, 60, 700, 220))
    window.act_lock_overlay.trigger()
    window.act_show_overlay.setChecked(False)
    app.settings.profile = "low_latency"
    app.settings.api_port = 9123
    app.settings.overlay_style = OverlayStyle(
        "DejaVu Serif", 30, "#ffff00", "#808080", "#000080", 0.5, 3
    )
    window.close()
    assert not window.isVisible()

    again = make_app(qtbot, ini(tmp_path / "s.ini"), device, tmp_path)
    assert again.window.device_combo.currentText() == "USB headset"
    assert again.window.selected_device().name == "USB headset"
    assert again.overlay.geometry() == QRect(50, 60, 700, 220)
    assert again.overlay.locked and again.overlay.windowFlags() & TRANSPARENT
    assert again.window.act_lock_overlay.isChecked()
    assert not again.window.act_show_overlay.isChecked() and not again.settings.overlay_visible
    assert (again.settings.profile, again.settings.api_port) == ("low_latency", 9123)
    assert again.overlay.style_ == OverlayStyle(
        "DejaVu Serif", 30, "#ffff00", "#808080", "#000080", 0.5, 3
    )
    assert again.overlay.font().pointSize() == 30


def test_the_settings_dialog_saves_applies_and_restores_defaults(
    qtbot, settings: Settings, device, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(qtbot, settings, device, tmp_path)
    dialog = app.open_settings()
    qtbot.addWidget(dialog)
    dialog.lines.setValue(4)
    dialog.font_size.setValue(40)
    dialog.background_color.set_color("#203040")
    dialog.profile.setCurrentIndex(dialog.profile.findData("accurate"))
    assert dialog.stable_partials.isChecked()
    dialog.stable_partials.setChecked(False)
    with qtbot.waitSignal(dialog.applied) as blocker:
        dialog.accept()
    assert blocker.args[0] == {"overlay", "profile"}
    assert (
        settings.overlay_lines == 4
        and settings.profile == "accurate"
        and settings.stable_partials is False
    )
    assert app.overlay.style_.lines == 4 and app.overlay.style_.background_color == "#203040"
    assert app.overlay.height() >= app.overlay.fontMetrics().lineSpacing() * 4

    dialog = app.open_settings()
    qtbot.addWidget(dialog)
    assert dialog.lines.value() == 4
    dialog.restore_defaults()
    assert dialog.lines.value() == 2 and dialog.profile.currentData() == "balanced"
    assert dialog.stable_partials.isChecked()
    dialog.reject()
    assert settings.overlay_lines == 4  # Cancel keeps what was saved


def test_power_saving_is_an_engine_setting(qtbot, settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Settings > Power saving: stored, and a change reloads the model (bfloat16 or int8)."""
    from desktop_app.widgets.settings_dialog import SettingsDialog

    dialog = SettingsDialog(settings, api_available=True)
    qtbot.addWidget(dialog)
    assert not dialog.power_saver.isChecked()  # off by default
    dialog.power_saver.setChecked(True)
    assert dialog.save() == {"model"}
    assert ini(tmp_path / "settings.ini").power_saver is True
    dialog.restore_defaults()
    assert not dialog.power_saver.isChecked()


# overlay -------------------------------------------------------------------------------------
def test_overlay_lock_makes_it_click_through_and_unlock_undoes_it(
    qtbot, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    overlay = CaptionOverlay(settings)
    qtbot.addWidget(overlay)
    overlay.show()
    flags = overlay.windowFlags()
    assert flags & Qt.WindowType.FramelessWindowHint and flags & Qt.WindowType.WindowStaysOnTopHint
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
    assert not flags & TRANSPARENT
    with qtbot.waitSignal(overlay.lock_changed) as blocker:
        overlay.set_locked(True)
    assert blocker.args == [True]
    assert overlay.windowFlags() & TRANSPARENT and overlay.isVisible() and settings.overlay_locked
    assert overlay.windowFlags() & Qt.WindowType.FramelessWindowHint
    overlay.set_locked(False)
    assert (
        not overlay.windowFlags() & TRANSPARENT
        and overlay.isVisible()
        and not settings.overlay_locked
    )


def feed(overlay: CaptionOverlay, pipeline: CaptionPipeline, kind: str, texts: list[str]) -> None:
    """Words through a caption pipeline to the overlay, as the session sends them."""
    words = tuple(Word(t, i * 0.1, i * 0.1 + 0.1, 1.0) for i, t in enumerate(texts))
    for update in pipeline.handle(Event(kind, 0.0, words)):
        overlay.apply(update)


def test_overlay_shows_a_fixed_number_of_lines_without_jumping(qtbot, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    pipeline = CaptionPipeline()
    settings.overlay_lines = 2
    overlay = CaptionOverlay(settings)
    qtbot.addWidget(overlay)
    overlay.resize(300, overlay.height())
    words = [f"WORD{i}" for i in range(60)]
    before: list[list[str]] = []
    for i in range(0, len(words), 3):
        feed(overlay, pipeline, "final", words[i : i + 3])
        lines = [[t.text for t in line] for line in overlay._layout(overlay._finals)]
        assert (
            lines[: max(0, len(before) - 1)] == before[:-1]
        )  # only the last line grows; none re-wraps
        shown = [[t.text for t in line] for line in overlay.visible_lines()]
        assert shown == lines[-2:]  # the newest lines, at most two
        before = lines
    assert len(before) > 2 and shown[-1][-1] == "word59"
    assert shown[0][0] != "Word0"  # older text left through the top
    feed(overlay, pipeline, "partial", ["MORE", "TO", "COME"])
    tokens = [t for line in overlay.visible_lines() for t in line]
    assert [t.text for t in tokens[-3:]] == ["more", "to", "come"] and all(
        t.partial for t in tokens[-3:]
    )
    feed(overlay, pipeline, "utterance_end", [])
    assert not any(t.partial for line in overlay.visible_lines() for t in line)
    feed(overlay, pipeline, "final", ["NEW", "SENTENCE", "I", "SAID"])
    assert " ".join(overlay.visible_text().split()).endswith("New sentence I said")
    image = overlay.grab().toImage()
    assert image.width() == overlay.width()


def test_a_very_long_final_history_is_trimmed_at_line_boundaries(qtbot, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    overlay = CaptionOverlay(settings)
    qtbot.addWidget(overlay)
    pipeline = CaptionPipeline()
    for i in range(300):
        feed(overlay, pipeline, "final", [f"W{i}", "AND"])
    assert len(overlay._finals) <= 400
    assert overlay.visible_text().endswith("w299 and")


# file transcription --------------------------------------------------------------------------
def test_file_transcription_reaches_100_percent_and_exports(
    qtbot, tiny_recognizer, hello_wav: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    dialog = FileTranscriptionDialog(tiny_recognizer, hello_wav)
    qtbot.addWidget(dialog)
    progress: list[int] = []
    dialog.progress_bar.valueChanged.connect(progress.append)
    with qtbot.waitSignal(dialog.ended, timeout=TIMEOUT_MS):
        dialog.start()
    assert progress[-1] == 100 and dialog.progress_bar.value() == 100
    transcript = dialog.transcript
    assert transcript is not None and transcript.segments
    lines = dialog.result_view.toPlainText().splitlines()
    assert len(lines) == len(transcript.segments)
    assert lines[0].startswith("[00:00:") and "→" in lines[0]
    assert dialog.export_button.isEnabled() and not dialog.cancel_button.isEnabled()
    for fmt in ("txt", "srt", "vtt", "json"):
        path = write_transcript(tmp_path / f"out.{fmt}", transcript)
        assert path.read_text(encoding="utf-8").strip()
    assert "-->" in (tmp_path / "out.srt").read_text()
    assert (tmp_path / "out.vtt").read_text().startswith("WEBVTT")
    assert json.loads((tmp_path / "out.json").read_text())["segments"]
    assert write_transcript(tmp_path / "named", transcript, "srt").name == "named.srt"


def long_noise_file(folder: Path, seed: int) -> Path:
    """200 s of noise: long enough that a job is still running when it is cancelled."""
    import soundfile as sf

    path = folder / "long.wav"
    rng = np.random.default_rng(seed)
    sf.write(str(path), (0.1 * rng.standard_normal(200 * 16000)).astype(np.float32), 16000)
    return path


def test_file_transcription_can_be_cancelled(qtbot, tiny_recognizer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = FileTranscriptionDialog(tiny_recognizer, long_noise_file(tmp_path, seed=1))
    qtbot.addWidget(dialog)
    # Cancel from the worker thread as soon as the first batch is done.
    dialog.job.progress.connect(dialog.job.cancel, Qt.ConnectionType.DirectConnection)
    with qtbot.waitSignal(dialog.ended, timeout=TIMEOUT_MS):
        dialog.start()
    assert not dialog.running and dialog.status.text().startswith("Cancelled after ")
    assert dialog.transcript is not None and dialog.transcript.duration < 200  # the part done
    assert dialog.progress_bar.value() < 100


def test_a_cancelled_file_offers_the_part_done_and_exports_it(
    qtbot, demo_recognizer, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Cancel part-way: the dialog shows the captions done so far with their times and says
    so; Export saves them in the chosen format (SRT here) with the same times."""
    from helpers import GREEDY, sentences_with_pauses
    from PySide6.QtWidgets import QFileDialog

    from engine.config import TranscribeOptions

    speech = sentences_with_pauses(tmp_path)
    options = TranscribeOptions(profile="balanced", batch_size=1, decode=GREEDY)
    dialog = FileTranscriptionDialog(demo_recognizer, speech, options=options)
    qtbot.addWidget(dialog)

    def cancel_past_half(done: float, total: float) -> None:
        if done > 0.6 * total:
            dialog.job.cancel()

    dialog.job.progress.connect(cancel_past_half, Qt.ConnectionType.DirectConnection)
    with qtbot.waitSignal(dialog.ended, timeout=TIMEOUT_MS):
        dialog.start()
    part = dialog.transcript
    assert part is not None and dialog.partial and len(part.segments) >= 2
    assert dialog.progress_bar.value() < 100
    status = dialog.status.text()
    assert status.startswith(f"Cancelled after {part.duration:.0f} s of ") and "Export" in status
    lines = dialog.result_view.toPlainText().splitlines()
    assert len(lines) == len(part.segments) and lines[0].startswith("[00:00:")
    assert dialog.export_button.isEnabled() and dialog.copy_button.isEnabled()
    target = tmp_path / "kept.srt"
    asked: list[str] = []

    def save_as(parent, title, start, filters):  # type: ignore[no-untyped-def]
        asked.append(start)
        return str(target), "SubRip subtitles (*.srt)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    dialog.export()
    assert asked[0].endswith(f"{speech.stem}-partial.txt")
    srt = target.read_text(encoding="utf-8")
    assert srt.count(" --> ") == len(part.segments)
    assert part.segments[-1].text() in srt and "Transcript saved" in dialog.status.text()


def test_closing_a_running_file_dialog_cancels_it_first(
    qtbot, tiny_recognizer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    dialog = FileTranscriptionDialog(tiny_recognizer, long_noise_file(tmp_path, seed=2))
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.ended, timeout=TIMEOUT_MS):
        dialog.start()
        dialog.close()  # hides at once; closes when the job has stopped
        assert not dialog.isVisible()
    assert not dialog.running and dialog.status.text() == "Cancelled." and dialog.transcript is None


def test_the_tray_menu_offers_the_windows_actions(
    qtbot, settings, device, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QSystemTrayIcon

    from desktop_app.widgets.tray import make_tray

    app = make_app(qtbot, settings, device, tmp_path)
    actions = [
        app.window.act_start,
        app.window.act_show_overlay,
        app.window.act_lock_overlay,
        None,
        app.window.act_quit,
    ]
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: False))
    assert make_tray(app.window, actions) is None
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    tray = make_tray(app.window, actions)
    assert tray is not None
    menu = [a for a in tray.contextMenu().actions() if not a.isSeparator()]
    assert menu[1:] == [a for a in actions if a is not None]
    tray.hide()


def test_files_dropped_on_the_window_are_transcribed(
    qtbot, settings, device, tiny_recognizer, hello_wav, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(qtbot, settings, device, tmp_path)
    assert app.window.open_file(hello_wav) is None  # no model yet: a message instead
    assert "No speech model" in app.window.message_bar.text()
    app.set_recognizer(tiny_recognizer)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(hello_wav))])
    event = QDropEvent(
        QPointF(QPoint(10, 10)),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    app.window.dropEvent(event)
    assert len(app.window.file_dialogs) == 1
    dialog = app.window.file_dialogs[0]
    qtbot.waitUntil(lambda: dialog.transcript is not None, timeout=TIMEOUT_MS)
    assert dialog.progress_bar.value() == 100
    app.window.close()
    app.shutdown()


# model loading -------------------------------------------------------------------------------
def test_model_loader_loads_off_the_gui_thread(qtbot, tiny_model_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QThread

    loader = ModelLoader()
    options = ModelOptions(name=str(tiny_model_dir), device="cpu", dtype="float32", warmup=False)
    threads: list[bool] = []
    loader.loaded.connect(lambda _: threads.append(QThread.currentThread() is loader.thread()))
    with qtbot.waitSignal(loader.loaded, timeout=TIMEOUT_MS) as blocker:
        assert loader.load(options)
        assert loader.busy and not loader.load(options)  # one load at a time
    assert blocker.args[0].note == "" and blocker.args[0].recognizer.device == "cpu"
    assert threads == [True]  # delivered on the GUI thread
    assert not loader.busy


def test_the_engine_setting_picks_the_backend_and_export_shows_progress(
    qtbot, settings, device, tmp_path: Path, tiny_model_dir: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LIVE_CAPTIONS_ONNX_CACHE", str(tmp_path / "onnx-cache"))
    settings.backend = "auto"  # the default: ONNX Runtime on the CPU
    app = make_app(qtbot, settings, device, tmp_path)
    settings.model, settings.compute_device = str(tiny_model_dir), "cpu"
    shown: list[tuple[str, int, int]] = []
    app.loader.export_progress.connect(lambda *args: shown.append(args))
    downloads: list[tuple[str, int, int]] = []
    app.loader.progress.connect(lambda *args: downloads.append(args))
    # The export takes seconds on a quiet machine and minutes on a busy one.
    with qtbot.waitSignal(app.loader.loaded, timeout=600_000):
        app.load_model()
    assert app.recognizer.backend == "onnx"  # the default on the CPU, exported on first use
    assert shown and all("ONNX Runtime" in text and total for text, _, total in shown)
    assert not any("ONNX Runtime" in text for text, _, _ in downloads)  # two signals
    assert "ONNX Runtime" in app.window.model_label.text()
    dialog = app.open_settings()
    qtbot.addWidget(dialog)
    assert dialog.backend.currentData() == "auto"
    dialog.backend.setCurrentIndex(dialog.backend.findData("torch"))
    loaded = qtbot.waitSignal(app.loader.loaded, timeout=TIMEOUT_MS)
    with loaded, qtbot.waitSignal(dialog.applied) as blocker:
        dialog.accept()
    assert blocker.args[0] == {"model"} and settings.backend == "torch"
    assert app.recognizer.backend == "torch" and "PyTorch" in app.window.model_label.text()
    app.shutdown()


def test_a_model_that_cannot_be_had_says_what_to_do(
    qtbot, settings, device, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(qtbot, settings, device, tmp_path)
    settings.model = str(tmp_path / "no-such-model")
    settings.compute_device = "cpu"
    outcome: list[str] = []
    app.loader.loaded.connect(lambda _: outcome.append("loaded"))
    app.loader.failed.connect(lambda _: outcome.append("failed"))
    app.load_model()
    qtbot.waitUntil(lambda: bool(outcome), timeout=TIMEOUT_MS)
    message = app.window.message_bar.text()
    assert "no-such-model" in message and "does not exist" in message
    assert "Settings" in message and "--model" not in message  # the GUI's words, not the CLI's
    if outcome == ["failed"]:  # the demo model is not trained here: nothing loaded, app usable
        assert app.recognizer is None
        assert not app.window.act_start.isEnabled() and app.window.act_settings.isEnabled()
    else:  # the demo model stands in, with a visible note
        assert app.recognizer.is_demo and "demo model" in message
    app.shutdown()


# start-up ------------------------------------------------------------------------------------
def test_without_a_display_the_app_points_to_the_command_line(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from live_captions import gui as entry

    assert not entry.display_available({}, "linux")
    assert entry.display_available({"DISPLAY": ":0"}, "linux")
    assert entry.display_available({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert entry.display_available({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert entry.display_available({}, "win32")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(entry.sys, "platform", "linux")
    assert entry.main(argparse.Namespace(verbose=False)) == 2
    err = capsys.readouterr().err
    for command in ("live-captions transcribe", "live-captions listen", "live-captions serve"):
        assert command in err


# embedded API --------------------------------------------------------------------------------
def test_the_embedded_api_serves_the_apps_own_model(
    qtbot, settings, device, tiny_recognizer, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("uvicorn")
    httpx = pytest.importorskip("httpx")
    settings.api_enabled, settings.api_port, settings.api_token = True, 0, "s3cret"
    app = make_app(qtbot, settings, device, tmp_path)
    assert app.api.available()
    app.set_recognizer(tiny_recognizer)
    try:
        assert app.api.running, app.api.error
        runner = app.api._runner
        assert (
            runner.context.scheduler is app.scheduler
            and runner.context.recognizer is tiny_recognizer
        )
        assert app.window.api_label.text() == f"API on {runner.url}"
        assert httpx.get(f"{runner.url}/health", timeout=10).status_code == 401
        health = httpx.get(
            f"{runner.url}/health", headers={"Authorization": "Bearer s3cret"}, timeout=10
        )
        assert health.status_code == 200 and health.json()["model"] == tiny_recognizer.name
        settings.api_enabled = False
        app.apply_settings({"api"})
        assert not app.api.running and app.window.api_label.text() == ""
    finally:
        app.shutdown()
    assert app.scheduler is None


def test_the_engine_does_not_import_the_desktop_app() -> None:
    import subprocess
    import sys

    code = (
        "import sys, engine, engine.scheduler, engine.transcribe, engine.formats, live_captions.cli; "
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'desktop_app', 'sounddevice'))]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_overlay_and_transcript_join_chinese_units_without_spaces(
    qtbot, settings: Settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.live_transcript import LiveTranscript, TranscriptLog

    settings.overlay_lines = 3
    overlay = CaptionOverlay(settings)
    qtbot.addWidget(overlay)
    overlay.resize(600, overlay.height())
    pipeline = CaptionPipeline()
    feed(overlay, pipeline, "final", ["我", "用", "PYTHON"])
    feed(overlay, pipeline, "partial", ["写", "代", "码"])
    assert overlay.visible_text() == "我用python写代码"
    feed(overlay, pipeline, "utterance_end", [])
    feed(overlay, pipeline, "final", ["HELLO", "WORLD"])
    assert overlay.visible_text().replace("\n", " ") == "我用python Hello world"

    units = [Word(c, i * 0.2, i * 0.2 + 0.2, 0.9) for i, c in enumerate("你好世界")]
    live, stream = LiveTranscript(), CaptionPipeline()  # Captions only accumulates updates
    for event in (
        Event(EventType.FINAL, 0.4, tuple(units[:2])),
        Event(EventType.PARTIAL, 0.8, tuple(units[2:])),
    ):
        for update in stream.handle(event):
            live.apply(update)
    assert live.text() == "你好" and live.partial_text() == "世界"
    log = TranscriptLog(tmp_path / "log")
    log.open(dt.datetime(2026, 12, 7, 14, 3, 27))  # lines carry the time of day they were said
    pipeline = CaptionPipeline()
    for piece in (units[:2], units[2:]):
        for update in pipeline.handle(Event(EventType.FINAL, piece[-1].end, tuple(piece))):
            log.write(update)
    log.close()
    assert log.path is not None
    assert log.path.read_text(encoding="utf-8") == "[14:03:27] 你好世界\n"


def test_an_overlay_saved_on_a_larger_screen_comes_back_in_sight(qtbot, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """Saved at the bottom right of a 2560x1440 monitor, restored on a smaller screen: the
    whole overlay is on the screen; "Reset overlay position" puts it back to the default."""
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen().availableGeometry()
    settings.overlay_rect = QRect(screen.right() + 600, screen.bottom() + 400, 1600, 110)
    overlay = CaptionOverlay(settings)
    qtbot.addWidget(overlay)
    overlay.show()
    assert screen.contains(overlay.geometry()), (overlay.geometry(), screen)
    assert overlay.width() == min(1600, screen.width())
    overlay.move(screen.x() + 5, screen.y() + 5)
    assert overlay.act_reset in overlay.actions()  # in its context menu
    overlay.act_reset.trigger()
    geometry = overlay.geometry()
    assert screen.contains(geometry) and geometry.bottom() > screen.center().y()
    assert abs(geometry.center().x() - screen.center().x()) <= 1
    assert settings.overlay_rect == geometry  # remembered
    # A position that is on the screen is kept as it was.
    inside = QRect(screen.x() + 10, screen.y() + 20, 300, geometry.height())
    settings.overlay_rect = inside
    again = CaptionOverlay(settings)
    qtbot.addWidget(again)
    assert again.geometry() == inside


def test_settings_open_clear_of_the_overlay(
    qtbot, settings: Settings, device: FakeSoundDevice, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The overlay stays on top: where the dialog cannot move off it (this 800x600 screen has
    no room for both), the overlay steps aside while Settings is open, and comes back."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QDialogButtonBox

    app = make_app(qtbot, settings, device, tmp_path)
    screen = QGuiApplication.primaryScreen().availableGeometry()
    app.window.show()
    app.overlay.show()
    app.overlay.setGeometry(screen.x(), screen.bottom() - 100, screen.width(), 100)
    dialog = app.open_settings()
    qtbot.addWidget(dialog)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    button = QRect(ok.mapToGlobal(QPoint(0, 0)), ok.size())
    covered = app.overlay.isVisible() and button.intersects(app.overlay.frameGeometry())
    assert not covered, (button, app.overlay.geometry())
    dialog.reject()
    assert app.overlay.isVisible()


def test_a_dialog_moves_off_the_overlay_where_the_screen_has_room(
    qtbot, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QDialog

    from desktop_app.widgets.overlay import keep_clear

    screen = QGuiApplication.primaryScreen().availableGeometry()
    overlay = CaptionOverlay(settings)
    qtbot.addWidget(overlay)
    overlay.show()
    overlay.setGeometry(screen.x(), screen.bottom() - 100, screen.width(), 100)
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.resize(300, 200)
    dialog.show()
    dialog.move(screen.x() + 50, screen.bottom() - 150)  # its lower part under the overlay
    keep_clear(dialog, overlay)
    assert not dialog.frameGeometry().intersects(overlay.frameGeometry())
    assert screen.contains(dialog.frameGeometry()) and overlay.isVisible()


def test_the_start_key_is_not_the_chinese_input_toggle_and_can_be_changed(
    qtbot, settings: Settings, device: FakeSoundDevice, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+Space switches the Chinese input method on Windows: the default is another key, and
    Settings changes it (the tooltip says which)."""
    from PySide6.QtGui import QKeySequence

    app = make_app(qtbot, settings, device, tmp_path)
    key = app.window.act_start.shortcut()
    assert not key.isEmpty() and key != QKeySequence("Ctrl+Space")
    assert key.toString(QKeySequence.SequenceFormat.NativeText) in app.window.start_button.toolTip()
    dialog = app.open_settings()
    qtbot.addWidget(dialog)
    dialog.start_shortcut.setKeySequence(QKeySequence("Ctrl+Alt+K"))
    dialog.accept()
    assert settings.start_shortcut == "Ctrl+Alt+K"
    assert app.window.act_start.shortcut() == QKeySequence("Ctrl+Alt+K")
    assert "K" in app.window.start_button.toolTip()
    dialog = app.open_settings()
    qtbot.addWidget(dialog)
    dialog.start_shortcut.clear()  # no key at all
    dialog.accept()
    assert app.window.act_start.shortcut().isEmpty() and settings.start_shortcut == ""


def test_open_transcripts_folder_without_a_file_manager_says_where_they_are(
    qtbot, settings: Settings, device: FakeSoundDevice, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QDesktopServices

    app = make_app(qtbot, settings, device, tmp_path)
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or False)
    app.window.act_folder.trigger()
    folder = tmp_path / "transcripts"
    assert opened == [QUrl.fromLocalFile(str(folder))] and folder.is_dir()
    assert str(folder) in app.window.message_bar.text()


def test_saving_the_transcript_says_where_it_went(
    qtbot, settings: Settings, device: FakeSoundDevice, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog

    from engine.ctc import Word
    from engine.streaming import Event, EventType

    app = make_app(qtbot, settings, device, tmp_path)
    words = (Word("HELLO", 0.1, 0.4, 0.9), Word("THERE", 0.5, 0.8, 0.9))
    app.session._on_event(Event(EventType.FINAL, 0.8, words))  # as the engine sends it
    target = tmp_path / "a rather long name for the meeting of the seventh of december.srt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    app.window.act_save.trigger()
    assert target.is_file() and "HELLO" in target.read_text(encoding="utf-8").upper()
    assert str(target) in app.window.statusBar().currentMessage()
