"""Render the desktop app's main window, caption overlay, settings dialog and first-run dialog
(with its advice for a hub that cannot be reached) to PNG files, in
English and in Chinese (the zh_CN interface with Chinese captions; ``*_zh.png``).

    python -m tools.screenshots [--out docs/screenshots]

Chinese text needs a CJK font (``apt-get install fonts-noto-cjk``).

Runs under a real X server when DISPLAY is set, else starts Xvfb when it is installed
(``apt-get install xvfb libxcb-icccm4 libxcb-keysyms1 ...``), else uses Qt's offscreen platform.
The windows show made-up captions (no model or sound card is needed); the overlay is drawn over
a sample background, since Xvfb has no compositor to show its translucency.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.ctc import Word

ROOT = Path(__file__).resolve().parents[1]

SAID = [
    ("GOOD MORNING EVERYONE AND WELCOME TO THE WEEKLY PLANNING MEETING", 1.2),
    ("I WOULD LIKE TO START WITH A QUICK LOOK AT LAST WEEK'S RELEASE", 6.0),
    ("THE NEW CAPTION OVERLAY SHIPPED ON TUESDAY AND THE FEEDBACK HAS BEEN GOOD", 11.5),
]
PARTIAL = "NEXT WE WILL TALK ABOUT THE"
# The same meeting in Chinese, as an XLSR zh-CN model writes it (no punctuation).
SAID_ZH = [
    ("大家早上好欢迎参加每周的计划会议", 1.2),
    ("我想先快速回顾一下上周发布的版本", 6.0),
    ("新的字幕浮窗在周二上线了大家的反馈都很好", 11.5),
]
LAST_ZH = "我们现在用Python写代码"
PARTIAL_ZH = "接下来我们讨论一下"
# Each sentence's translation, as Settings > Translation shows it (English to Chinese, and
# Chinese to English in the Chinese interface); written here, so no model is needed.
TRANSLATED = [
    "大家早上好，欢迎参加每周计划会议。",
    "我想先快速回顾一下上周的发布。",
    "新的字幕浮窗已于周二上线，反馈很好。",
    "这就是我们目前的进展。",
]
TRANSLATED_ZH = [
    "Good morning everyone, and welcome to the weekly planning meeting.",
    "I would like to start with a quick look at last week's release.",
    "The new caption overlay went live on Tuesday, and the feedback has been good.",
    "We are now writing the code in Python.",
]


class FakeModel:
    def __init__(self, name: str = "facebook/wav2vec2-base-960h") -> None:
        self.name = name

    def describe(self) -> str:
        return f"{self.name} on CPU (bfloat16)"


class PhraseBook:
    """A translator (engine.translation.Translator) that gives the written translations in
    order."""

    description = "phrase book"

    def __init__(self, translations: list[str]) -> None:
        self._next = iter(translations)

    def translate(self, texts: Any) -> list[str]:
        return [next(self._next, "") for _ in texts]


class FakeDevices:
    """What ``sounddevice`` lists on a typical Linux laptop."""

    PortAudioError = OSError

    def query_devices(self, device: object = None, kind: str | None = None) -> Any:
        devices = [
            {
                "name": "Built-in Microphone",
                "hostapi": 0,
                "max_input_channels": 2,
                "default_samplerate": 48000.0,
            },
            {
                "name": "USB Headset Mono",
                "hostapi": 0,
                "max_input_channels": 1,
                "default_samplerate": 16000.0,
            },
            {
                "name": "Monitor of Built-in Audio Analog Stereo",
                "hostapi": 0,
                "max_input_channels": 2,
                "default_samplerate": 48000.0,
            },
        ]
        return devices[0] if kind or device is not None else devices

    def query_hostapis(self) -> list[dict[str, object]]:
        return [{"name": "ALSA"}]


def words(text: str, start: float) -> tuple[Word, ...]:
    """Caption units as the decoder gives them: words, and single characters of Chinese."""
    from engine.ctc import Word
    from engine.units import split_units

    units = [u for word in text.split() for u in split_units(word)]
    return tuple(Word(u, start + 0.3 * i, start + 0.3 * i + 0.25, 0.9) for i, u in enumerate(units))


def start_display() -> subprocess.Popen[bytes] | None:
    """Xvfb on a free display number when there is no display; None when not needed or absent."""
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if not shutil.which("Xvfb"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return None
    for number in range(99, 120):
        if not Path(f"/tmp/.X11-unix/X{number}").exists():
            break
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):  # wait for its socket, at most 10 s
        if Path(f"/tmp/.X11-unix/X{number}").exists():
            break
        try:
            server.wait(0.1)
            raise SystemExit("Xvfb exited at start-up")
        except subprocess.TimeoutExpired:
            pass
    os.environ["DISPLAY"] = f":{number}"
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    return server


def render(out: Path, language: str = "en") -> list[Path]:
    from PySide6.QtCore import QPoint, QSettings, Qt
    from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPixmap
    from PySide6.QtWidgets import QApplication

    from desktop_app.app import DesktopApp
    from desktop_app.language import install_translators
    from desktop_app.settings import InputOptions, Settings
    from desktop_app.text_models import Translation
    from engine.punctuation import Punctuation
    from engine.punctuation_models import load_punctuation_model
    from engine.streaming import Event, EventType

    running = QApplication.instance()  # typed as the QCoreApplication base class
    app = running if isinstance(running, QApplication) else QApplication(["screenshots"])
    app.setStyle("Fusion")
    install_translators(app, language)
    chinese = language.startswith("zh")
    said, last, partial = (
        (SAID_ZH, LAST_ZH, PARTIAL_ZH) if chinese else (SAID, "SO THAT IS WHERE WE ARE", PARTIAL)
    )
    model = "jonatasgrosman/wav2vec2-large-xlsr-53-chinese-zh-cn" if chinese else FakeModel().name
    scratch = Path(tempfile.mkdtemp())
    settings = Settings(QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat))
    settings.inputs = InputOptions("Built-in Microphone")
    settings.translation_enabled = True
    settings.translation_target = "en" if chinese else "zh"
    desktop = DesktopApp(settings, FakeDevices(), scratch / "transcripts", tray=False)
    window = desktop.window
    window.set_model(FakeModel(model))  # type: ignore[arg-type]  # a name and a description suffice
    window.resize(820, 460)
    session = desktop.session  # its caption pipeline feeds the window and the overlay
    if not chinese:  # the demo punctuation model is English
        punctuator = load_punctuation_model("demo")
        desktop._on_punctuation_loaded(Punctuation.of(punctuator, settings.punctuation_options))
    book = PhraseBook(TRANSLATED_ZH if chinese else TRANSLATED)
    desktop._on_translation_loaded(Translation(book, settings.translation_target))
    for text, start in said:
        session._on_event(Event(EventType.FINAL, start, words(text, start)))
        session._on_event(Event(EventType.UTTERANCE_END, start))
    session._on_event(Event(EventType.FINAL, 17.0, words(last, 17.0)))
    session._emit(session.pipeline.finish())  # the last sentence ends (as a pause would)
    assert session.translation is not None
    session.translation[0].wait()
    session._on_poll()  # the translations, as the session's timer hands them out
    session._on_event(Event(EventType.PARTIAL, 19.2, words(partial, 19.2)))
    window._on_started("Built-in Microphone")
    window.level_meter.set_level(-14.0)
    window._on_lag(0.9)
    window.show()
    desktop.overlay.resize(760, desktop.overlay.height())
    desktop.overlay.show()
    dialog = desktop.open_settings()
    for _ in range(5):
        app.processEvents()

    out.mkdir(parents=True, exist_ok=True)
    suffix = "_zh" if chinese else ""
    names = ("main_window", "overlay", "settings", "first_run", "settings_translation")
    paths = [out / f"{name}{suffix}.png" for name in names]
    window.grab().save(str(paths[0]))
    caption = desktop.overlay.grab()
    backdrop = QPixmap(caption.width() + 80, caption.height() + 80)
    painter = QPainter(backdrop)
    gradient = QLinearGradient(0, 0, backdrop.width(), backdrop.height())
    gradient.setColorAt(0, QColor("#3b6ea5"))
    gradient.setColorAt(1, QColor("#d9a441"))
    painter.fillRect(backdrop.rect(), gradient)
    painter.setPen(QColor(255, 255, 255, 120))
    painter.drawText(
        backdrop.rect().adjusted(12, 8, 0, 0),
        Qt.AlignmentFlag.AlignLeft,
        "一段在浮窗后面播放的视频" if chinese else "a video playing behind the overlay",
    )
    painter.drawPixmap(QPoint(40, 40), caption)
    painter.end()
    backdrop.save(str(paths[1]))
    dialog.grab().save(str(paths[2]))
    dialog.translation.grab().save(str(paths[4]))
    dialog.reject()
    first_run(desktop, app).grab().save(str(paths[3]))
    window._on_stopped()
    desktop.overlay.close()
    window.close()
    desktop.shutdown()
    shutil.rmtree(scratch, ignore_errors=True)
    return paths


def first_run(desktop: Any, app: Any) -> Any:
    """The first-run dialog as a user without network sees it: the hub's answer is made up (a
    HubUnreachable, as engine.hub raises it), so nothing is contacted."""
    from engine.hub import DEFAULT_ENDPOINT, HubUnreachable

    repo = desktop.settings.model = "facebook/wav2vec2-base-960h"
    dialog = desktop.open_first_run()
    dialog._typing.stop()
    dialog._request += 1  # the real question, if it answers, is not shown
    error = HubUnreachable(
        "the hub cannot be reached", code="hub_unreachable", repo=repo, endpoint=DEFAULT_ENDPOINT
    )
    dialog._on_info_failed(dialog._request, error)
    for _ in range(5):
        app.processEvents()
    return dialog


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    server = start_display()
    try:
        for language in ("en", "zh_CN"):
            for path in render(args.out, language):
                print(path)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
