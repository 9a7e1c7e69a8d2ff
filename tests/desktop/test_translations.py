"""The app in Chinese: every tr() string has a zh_CN translation in the shipped files, the
Chinese interface loads (widgets show Chinese text, Qt's own buttons too), the system language
is followed by default, and the Language setting wins over it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from helpers.desktop import FakeSoundDevice
from PySide6.QtCore import QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from desktop_app.app import DesktopApp
from desktop_app.language import LANGUAGES, TRANSLATIONS_DIR, install_translators, locale_for
from desktop_app.settings import Settings
from desktop_app.widgets.settings_dialog import SettingsDialog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chinese(qapp):  # type: ignore[no-untyped-def]
    installed = install_translators(qapp, "zh_CN")
    yield installed
    install_translators(qapp, "en")
    QLocale.setDefault(QLocale.system())


def test_every_string_has_a_chinese_translation(tmp_path: Path) -> None:
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    if not lupdate.exists() and shutil.which("pyside6-lupdate") is None:
        pytest.skip("pyside6-lupdate is not installed")
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "desktop_app").rglob("*.py"))
    subprocess.run(
        [str(lupdate) if lupdate.exists() else "pyside6-lupdate", *sources, "-ts", str(fresh)],
        check=True,
        capture_output=True,
    )
    wanted = {
        (ctx.findtext("name"), m.findtext("source"))
        for ctx in ET.parse(fresh).iter("context")
        for m in ctx.iter("message")
    }
    assert len(wanted) > 100
    for language in ("zh_CN", "zh_TW"):
        translator = QTranslator()
        assert translator.load(str(TRANSLATIONS_DIR / f"live_captions_{language}.qm"))
        missing = [(c, s) for c, s in wanted if not translator.translate(c, s)]
        assert not missing, f"{language}: run tools/translations.py and translate {missing}"


def test_the_chinese_interface_loads(qtbot, chinese, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert sorted(Path(t.filePath()).name for t in chinese) == [
        "live_captions_zh_CN.qm",
        "qtbase_zh_CN.qm",
    ]
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    device = FakeSoundDevice(np.zeros((1600, 1), np.float32), 16000, name="USB")
    app = DesktopApp(settings, device, tmp_path / "transcripts", tray=False)
    qtbot.addWidget(app.window)
    qtbot.addWidget(app.overlay)
    window = app.window
    assert window.start_button.text() == "开始"
    assert window.windowTitle() == "实时字幕"
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["文件(&F)", "编辑(&E)", "字幕(&C)"]
    assert window.model_label.text() == "未加载模型"
    assert "开始" in window.view.placeholderText()
    dialog = SettingsDialog(settings, api_available=True)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "实时字幕设置"
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"  # Qt's own
    app.window.close()
    app.overlay.close()


def test_english_stays_english(qtbot, qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    installed = install_translators(qapp, "en")
    assert not any("live_captions" in t.filePath() for t in installed)
    dialog = SettingsDialog(Settings.defaults(), api_available=True)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Live Captions settings"
    QLocale.setDefault(QLocale.system())


def test_the_system_language_is_followed_and_the_setting_wins(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from PySide6.QtCore import QSettings\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from desktop_app.language import install_translators\n"
        "from desktop_app.settings import Settings\n"
        "from desktop_app.widgets.settings_dialog import SettingsDialog\n"
        "app = QApplication([])\n"
        "install_translators(app, sys.argv[1])\n"
        "print(SettingsDialog(Settings.defaults(), True).windowTitle())\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    env.update(PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", LANG="zh_CN.UTF-8")
    env["LANGUAGE"] = "zh_CN"

    def title(language: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", script, language],
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=True,
        )
        return done.stdout.strip()

    assert title("") == "实时字幕设置"  # a Chinese system
    assert title("en") == "Live Captions settings"  # the setting wins
    env["LANG"] = env["LANGUAGE"] = "en_US.UTF-8"
    assert title("zh_CN") == "实时字幕设置"
    assert title("zh_TW") == "即時字幕設定"


def test_language_choices() -> None:
    assert set(LANGUAGES) >= {"", "en", "zh_CN"}
    assert locale_for("zh_CN").name() == "zh_CN"
    assert locale_for("klingon").name() == QLocale.system().name()


def test_the_first_run_advice_for_a_hub_out_of_reach_is_chinese(qtbot, chinese, hub_cache) -> None:  # type: ignore[no-untyped-def]
    """No network, Chinese interface: the advice (the engine's error, written from a translated
    template) is Chinese and names the mirror field by its Chinese label."""
    import re

    from helpers.fakehub import closed_port_url

    from desktop_app.widgets.first_run import FirstRunDialog
    from engine.hub import MIRROR_EXAMPLE

    dialog = FirstRunDialog("facebook/wav2vec2-base-960h", closed_port_url())
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.info_shown, timeout=60_000) as shown:
        pass
    assert shown.args == [False]
    advice = dialog.status.text()
    assert "无法连接" in advice and "“下载来源”" in advice and MIRROR_EXAMPLE in advice
    assert advice.count(MIRROR_EXAMPLE) == 1
    # No English sentence left: what is Latin script is names and addresses.
    latin = re.sub(r"https?://\S+|facebook/\S+|\d+", "", advice)
    assert not re.search(r"[A-Za-z]{4,}", latin), advice
    label = dialog.findChildren(QLabel)
    assert any(w.text() == "下载来源：" for w in label)


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for pactl")
def test_the_input_list_speaks_the_users_language_and_hides_raw_alsa_names(
    qtbot, chinese, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A PulseAudio system as ALSA lists it: "pulse" and "default" are not offered (the system
    default input stands for them), system audio is named in Chinese, with a speaker icon."""
    from helpers.desktop import PulseBackend, fake_pactl

    from desktop_app import capture

    backend = PulseBackend(np.zeros((4410, 1), np.float32), 44100, mode="burst")
    pactl = fake_pactl(tmp_path)
    original = capture.list_input_devices
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    app = DesktopApp(settings, backend, tmp_path / "transcripts", tray=False)
    qtbot.addWidget(app.window)
    qtbot.addWidget(app.overlay)
    import desktop_app.widgets.main_window as main_window

    main_window.list_input_devices = lambda *a, **k: original(*a, pactl=pactl, **k)
    try:
        app.window.refresh_devices()
    finally:
        main_window.list_input_devices = original
    combo = app.window.device_combo
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels[1:] == [
        "HDA Intel PCH: ALC3246 Analog (hw:0,0)",
        "系统音频：alsa_output.pci.analog-stereo",
    ]
    assert not combo.itemIcon(2).isNull()
    assert combo.itemData(2).pulse_source == "alsa_output.pci.analog-stereo.monitor"


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_no_two_items_of_a_menu_share_a_key(qtbot, qapp, language: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Alt+F, then a letter: one item per letter in every menu, in every language."""
    import re

    install_translators(qapp, language)
    try:
        settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        device = FakeSoundDevice(np.zeros((1600, 1), np.float32), 16000)
        app = DesktopApp(settings, device, tmp_path / "transcripts", tray=False)
        qtbot.addWidget(app.window)
        qtbot.addWidget(app.overlay)
        menus = [a.menu() for a in app.window.menuBar().actions() if a.menu()]
        tops = [re.search(r"&(\w)", a.text()) for a in app.window.menuBar().actions()]
        assert len({m.group(1).lower() for m in tops if m}) == len(tops)
        for menu in menus:
            texts = [a.text() for a in menu.actions() if not a.isSeparator()]
            keys = [re.search(r"&(\w)", t) for t in texts]
            assert all(keys), texts
            letters = [k.group(1).lower() for k in keys if k]
            assert len(set(letters)) == len(letters), texts
    finally:
        install_translators(qapp, "en")
        QLocale.setDefault(QLocale.system())


def _no_english(text: str) -> bool:
    """No English sentence left: what is Latin script is names, paths and numbers."""
    import re

    latin = re.sub(
        r"\b(CPU|CUDA|GPU|Hz|ONNX Runtime|PyTorch|float32|int8|WER|CER|M|GB|MB)\b", "", text
    )
    latin = re.sub(r"\S*[/\\]\S*|\S+\.json|\{\w+\}|\d+", "", latin)
    return not re.search(r"[A-Za-z]{4,}", latin)


def test_the_engines_model_errors_and_model_description_are_chinese(
    qtbot, chinese, tmp_path: Path, tiny_model_dir: Path, tiny_recognizer
) -> None:  # type: ignore[no-untyped-def]
    """Errors of engine/model_dir.py, families.py and model.py, raised by the real loader, and
    the model line of the status bar and Settings, in the Chinese interface."""
    import json
    import shutil

    from desktop_app.messages import describe, describe_model
    from engine import ModelLoadError, ModelOptions, load_recognizer

    def error_of(folder: Path) -> ModelLoadError:
        with pytest.raises(ModelLoadError) as caught:
            load_recognizer(ModelOptions(name=str(folder), device="cpu", warmup=False))
        return caught.value

    empty = tmp_path / "empty"
    empty.mkdir()
    eight_khz = Path(shutil.copytree(tiny_model_dir, tmp_path / "eight-khz"))
    processor = json.loads((eight_khz / "processor_config.json").read_text())
    processor["feature_extractor"]["sampling_rate"] = 8000
    (eight_khz / "processor_config.json").write_text(json.dumps(processor))
    broken = Path(shutil.copytree(tiny_model_dir, tmp_path / "broken"))
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    cases = {
        "folder_not_model": (empty, "不是模型"),  # engine/model_dir.py
        "folder_missing": (tmp_path / "nowhere", "不存在"),
        "sample_rate": (eight_khz, "8000 Hz"),  # engine/families.py
        "weights_unreadable": (broken, "无法加载"),  # engine/model.py
    }
    for code, (folder, chinese_words) in cases.items():
        error = error_of(folder)
        assert error.code == code
        text = describe(error)
        assert chinese_words in text and str(folder) in text, text
        detail = str(error.params.get("reason", ""))  # a library's own words, quoted
        assert _no_english(text.replace(detail, "")), text
    line = describe_model(tiny_recognizer)
    assert line.startswith(f"{tiny_recognizer.name}，运行于 CPU") and _no_english(line), line
    demo = load_recognizer(ModelOptions(name="demo", device="cpu", warmup=False))
    assert describe_model(demo).startswith("演示模型（只能识别合成语音），运行于 CPU")
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    dialog = SettingsDialog(settings, api_available=True)
    qtbot.addWidget(dialog)
    dialog.model.setCurrentText("hf-audio/omniasr-ctc-300m-v2")  # a card without figures
    details = dialog.model_details.text().splitlines()
    assert details[1].startswith("326 M 参数") and details[2] == "错误率：请参阅模型卡片"
    assert details[3] == "CPU 开销为默认模型的 2.0 倍"
