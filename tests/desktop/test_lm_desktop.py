"""The language model and custom words in the desktop app: the Settings fields, and custom
words reaching live captions (a fake sound device plays speech through the real capture
callback, the worker and the scheduler, with the demo model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from helpers import DEMO_DIR, say
from helpers.desktop import FakeSoundDevice, stereo_wav
from PySide6.QtCore import QSettings

from desktop_app.app import DesktopApp
from desktop_app.settings import Settings
from desktop_app.widgets.settings_dialog import SettingsDialog
from engine.config import LmOptions
from engine.lm_files import DEMO_LM_DIR

TIMEOUT_MS = 120_000
NAME = "Tamsinet"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


def test_settings_store_the_language_model_and_custom_words(qtbot, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert settings.lm_options == LmOptions()  # on, the model's own LM if any, no custom words
    dialog = SettingsDialog(settings, api_available=True)
    qtbot.addWidget(dialog)
    group = dialog.lm
    assert group.enabled.isChecked() and not group.alpha.isEnabled()
    group.path.setText(str(tmp_path / "missing.arpa"))
    assert "does not exist" in group.status.text()
    group.path.setText(str(DEMO_LM_DIR))
    assert "words known" in group.status.text() and "demo-3gram.arpa" in group.status.text()
    group.custom_weights.setChecked(True)
    assert group.alpha.isEnabled() and group.beta.isEnabled()
    group.alpha.setValue(0.7)
    group.beta.setValue(2.5)
    group.hotwords.setPlainText(f"{NAME}\n  Kubernetes , New   York\n\n{NAME}")
    group.boost.setValue(10)
    with qtbot.waitSignal(dialog.applied) as blocker:
        dialog.accept()
    assert blocker.args[0] == {"lm"}
    assert settings.lm_options == LmOptions(
        lm=str(DEMO_LM_DIR),
        alpha=0.7,
        beta=2.5,
        hotwords=(NAME, "Kubernetes", "New York"),
        hotword_boost=10.0,
    )
    assert settings.decode_options.lm == settings.lm_options

    again = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert again.lm_options == settings.lm_options  # kept across a restart
    dialog = SettingsDialog(again, api_available=True)
    qtbot.addWidget(dialog)
    assert dialog.lm.hotwords.toPlainText() == f"{NAME}\nKubernetes\nNew York"
    dialog.lm.enabled.setChecked(False)
    assert dialog.save() == {"lm"}
    assert again.lm_options.lm is None and not again.lm_options.use_model_lm  # greedy
    assert again.lm_options.hotwords  # custom words apply without an LM too
    dialog.restore_defaults()
    assert dialog.lm.enabled.isChecked() and dialog.lm.path.text() == ""
    assert dialog.lm.hotwords.toPlainText() == "" and dialog.lm.boost.value() == 8.0


@pytest.fixture(scope="module")
def name_speech(speech_dir: Path) -> tuple[np.ndarray, int]:
    return stereo_wav(
        say(f"please call {NAME} tomorrow morning", speech_dir / "name48.wav", rate=48000)
    )


def caption(
    qtbot, settings: Settings, audio: np.ndarray, rate: int, tmp_path: Path
) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    """Run a live session over ``audio``; the words of the transcript and the notices shown."""
    from engine.model import DEMO_MODEL, ModelOptions, load_recognizer

    device = FakeSoundDevice(audio, rate, mode="thread", speed=4.0)
    app = DesktopApp(settings, device, tmp_path / "transcripts", tray=False)
    qtbot.addWidget(app.window)
    app.set_recognizer(
        load_recognizer(ModelOptions(name=DEMO_MODEL, device="cpu", dtype="float32", threads=1))
    )
    notices: list[str] = []
    app.session.notice.connect(notices.append)
    try:
        with qtbot.waitSignal(app.session.started, timeout=TIMEOUT_MS):
            app.window.act_start.trigger()
        qtbot.waitUntil(device.stream.done.is_set, timeout=TIMEOUT_MS)
        with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS):
            app.window.act_start.trigger()
    finally:
        app.window.close()
        app.overlay.close()
    return " ".join(w.text for w in app.window.transcript.words).upper(), notices


def test_custom_words_from_settings_reach_the_live_captions(
    qtbot, settings, name_speech, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    if not (DEMO_DIR / "model.safetensors").is_file():
        pytest.skip("demo model not trained yet")
    audio, rate = name_speech
    plain, _ = caption(qtbot, settings, audio, rate, tmp_path / "plain")
    assert NAME.upper() not in plain.split()
    settings.hotwords = NAME
    settings.lm_path = str(tmp_path / "no-such-lm.arpa")  # unusable: captions run without it
    listed, notices = caption(qtbot, settings, audio, rate, tmp_path / "listed")
    assert NAME.upper() in listed.split(), listed
    assert any("language model cannot be used" in n and "does not exist" in n for n in notices)
