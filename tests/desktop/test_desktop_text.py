"""Punctuation and translation in the desktop app (issues 25 and 26): live captions of spoken
sentences through the real capture callback (a fake sound device), the engine worker, the
session's one caption pipeline, and the window, the overlay and the transcript file; the
Settings groups; models that cannot be had; a translation model downloaded from a stand-in hub
with progress and cancel; file transcription with the same settings."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from helpers import SENTENCES, desktop, have, sentences_with_pauses
from helpers.desktop import FakeSoundDevice, stereo_wav
from helpers.fakehub import FakeHub, closed_port_url
from PySide6.QtCore import QSettings

from desktop_app.app import DesktopApp
from desktop_app.settings import Settings
from engine.hub import cached_model
from engine.pipeline import SENTENCE_ENDS, CaptionUpdate, UpdateKind
from engine.translation import MARIAN_FILES, TranslationOptions, Translator, load_translator

TIMEOUT_MS = 120_000
STAMP = re.compile(r"^\[\d\d:\d\d:\d\d\] ")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.overlay_lines = 5
    return settings


@pytest.fixture(scope="module")
def three_sentences(speech_dir: Path) -> tuple[np.ndarray, int]:
    if not have("flite"):
        pytest.skip("flite is needed for the demo model's voice")
    return stereo_wav(sentences_with_pauses(speech_dir))


@pytest.fixture
def make_app(qtbot, settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The app on a speech model, its text models loaded (helpers.desktop.make_app), closed
    with the test."""
    return lambda device, recognizer: desktop.make_app(
        qtbot, settings, device, tmp_path, recognizer=recognizer, wait_text_models=True
    )


def caption(qtbot, app: DesktopApp, device: FakeSoundDevice) -> list[CaptionUpdate]:  # type: ignore[no-untyped-def]
    """Start, let the device play everything, stop; the session's caption updates."""
    updates: list[CaptionUpdate] = []
    app.session.caption.connect(updates.append)
    with qtbot.waitSignal(app.session.started, timeout=TIMEOUT_MS):
        app.window.act_start.trigger()
    qtbot.waitUntil(device.stream.done.is_set, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS):
        app.window.act_start.trigger()
    return updates


def written(app: DesktopApp) -> list[str]:
    log = app.session.transcript_log
    assert log is not None and log.path is not None
    return log.path.read_text(encoding="utf-8").splitlines()


@pytest.mark.demo_model
def test_live_captions_are_punctuated_in_the_window_overlay_and_file_until_switched_off(
    qtbot, make_app, three_sentences, demo_recognizer
) -> None:  # type: ignore[no-untyped-def]
    audio, rate = three_sentences
    device = FakeSoundDevice(audio, rate, mode="burst")
    app = make_app(device, demo_recognizer)
    assert app.session.punctuation is not None  # the demo speech model's own, by default
    app.overlay.show()
    caption(qtbot, app, device)

    lines = [u for u in app.window.transcript.utterances if u.words]
    assert len(lines) == len(SENTENCES)
    for line in lines:  # each pause ends a sentence: a full stop, and a capital after it
        assert line.units[-1].endswith(SENTENCE_ENDS), line.units
        assert line.units[0][:1].isupper(), line.units
    assert "I" in [u.strip(",.?!") for line in lines for u in line.units]  # "i would like"
    window = [line.text() for line in lines]
    shown = [
        re.sub(r"^\d\d:\d\d:\d\d\s+", "", t) for t in app.window.view.toPlainText().split("\n")
    ]
    assert [t.replace("\xa0", " ").strip() for t in shown if t.strip()] == window
    assert [STAMP.sub("", line) for line in written(app)] == window
    overlay = [t.text for line in app.overlay.visible_lines() for t in line]
    units = [u for line in lines for u in line.units]
    assert overlay and overlay == units[-len(overlay) :]
    assert any(u.endswith(".") for u in overlay)

    # Settings > Punctuation off: the next captions are plain words.
    dialog = app.open_settings()
    assert dialog.punctuation.enabled.isChecked()
    dialog.punctuation.enabled.setChecked(False)
    with qtbot.waitSignal(app.text_models.finished, timeout=TIMEOUT_MS):
        dialog.accept()
    assert app.session.punctuation is None and not app.settings.punctuation_enabled
    app.window.clear_transcript()
    caption(qtbot, app, device)
    plain = [u for line in app.window.transcript.utterances for u in line.units]
    assert plain and not any(u.endswith((".", ",", "?", "!")) for u in plain), plain
    assert not any(line.rstrip().endswith(".") for line in written(app))


@pytest.mark.demo_model
def test_translations_show_in_the_overlay_window_and_file(
    qtbot, make_app, settings, three_sentences, demo_recognizer, marian_dir
) -> None:  # type: ignore[no-untyped-def]
    settings.translation_enabled = True
    settings.translation_model = str(marian_dir)
    audio, rate = three_sentences
    device = FakeSoundDevice(audio, rate, mode="burst")
    app = make_app(device, demo_recognizer)
    assert app.session.translation is not None
    app.overlay.show()
    updates = caption(qtbot, app, device)
    qtbot.waitUntil(lambda: not app.session._poll.isActive(), timeout=TIMEOUT_MS)  # drained

    sentences = [u for u in updates if u.kind is UpdateKind.SENTENCE]
    translations = [u for u in updates if u.kind is UpdateKind.TRANSLATION]
    assert len(sentences) >= len(SENTENCES)
    assert [t.source_text for t in translations] == [s.source_text for s in sentences]
    # Each translation is the library's own for its sentence (the same loaded model).
    translator = load_translator(TranslationOptions(target="zh", model=str(marian_dir)))
    expected = [translator.translate([s.source_text])[0] for s in sentences]
    assert [t.translation for t in translations] == expected
    assert all(t.language == "zh" for t in translations)

    # The overlay: the last translation under the captions.
    last = " ".join(expected[-1].split())
    drawn = app.overlay.translation_lines()
    assert drawn and last.startswith(drawn[0].rstrip("…"))
    assert app.overlay.visible_lines()  # the captions are still there, above it
    # The window: each sentence's translation under its line.
    text = " ".join(app.window.view.toPlainText().replace("\xa0", " ").split())
    position = 0
    for sentence, translation in zip(sentences, expected, strict=True):
        position = text.index(sentence.source_text, position)
        position = text.index(" ".join(translation.split()), position)
    assert [t for line in app.window.transcript.utterances for t in line.translations] == [
        t for t in expected if t.strip()
    ]
    # The transcript file: the translation lines, indented, after their caption line.
    lines = written(app)
    indented = [line.strip() for line in lines if line.startswith("  ")]
    assert indented == [" ".join(t.split()) for t in expected if t.strip()]
    assert not lines[0].startswith("  ")


def test_settings_translation_group_is_stored(qtbot, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.widgets.settings_dialog import SettingsDialog

    assert not settings.translation_options.enabled  # off by default
    assert settings.punctuation_options.enabled  # on by default
    dialog = SettingsDialog(settings, api_available=True)
    qtbot.addWidget(dialog)
    group = dialog.translation
    assert not group.target.isEnabled()
    group.enabled.setChecked(True)
    assert group.target.isEnabled() and group.model.isEnabled()
    group.target.setCurrentIndex(group.target.findData("de"))
    group.model.setCurrentText("Helsinki-NLP/opus-mt-en-de")
    assert "CC-BY-4.0" in group.details.text()  # the catalogue's facts
    group.overlay.setCurrentIndex(group.overlay.findData("alone"))
    assert dialog.save() == {"translation"}
    again = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert again.translation_options == TranslationOptions(
        target="de", model="Helsinki-NLP/opus-mt-en-de"
    )
    assert again.translation_overlay == "alone"
    dialog = SettingsDialog(again, api_available=True)
    qtbot.addWidget(dialog)
    assert dialog.translation.target_code() == "de"
    dialog.restore_defaults()
    assert not dialog.translation.enabled.isChecked()
    assert dialog.punctuation.enabled.isChecked()
    assert "translation" in dialog.save() and "punctuation" not in dialog.save()
    assert not again.translation_options.enabled


def test_models_that_cannot_be_had_are_a_notice_and_captions_go_on(
    qtbot, settings, hub_cache, tiny_recognizer, hello_wav
) -> None:  # type: ignore[no-untyped-def]
    """No network: the punctuation and translation models named in Settings cannot be
    downloaded. Each is one notice; the captions come, without punctuation and translation."""
    from helpers import read_wav

    settings.hub_endpoint = closed_port_url()
    settings.punctuation_model = "acme/punctuation-en"
    settings.translation_enabled = True
    settings.translation_model = "acme/opus-mt-en-unreachable"
    device = FakeSoundDevice(read_wav(hello_wav), 16000, mode="burst")
    notices: list[str] = []
    app = desktop.make_app(qtbot, settings, device, hub_cache.parent)
    app.text_models.notice.connect(notices.append)
    with qtbot.waitSignal(app.text_models.finished, timeout=TIMEOUT_MS):
        app.set_recognizer(tiny_recognizer)
    assert len(notices) == 2, notices
    assert "without punctuation" in notices[0] and "acme/punctuation-en" in notices[0]
    assert "without translation" in notices[1] and "acme/opus-mt-en-unreachable" in notices[1]
    assert all("cannot be downloaded now" in n for n in notices)
    assert app.window.message_bar.text() == notices[-1]
    assert app.session.punctuation is None and app.session.translation is None
    updates = caption(qtbot, app, device)
    assert app.window.transcript.words  # the captions went on
    assert not [u for u in updates if u.kind is UpdateKind.TRANSLATION]


def test_a_translation_model_downloads_with_progress_and_can_be_cancelled(
    qtbot, settings, hub_cache, tiny_recognizer, marian_dir, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.translation_enabled = True
    settings.translation_model = "acme/opus-mt-en-dl"
    device = FakeSoundDevice(np.zeros(1600, np.float32), 16000, mode="burst")
    with FakeHub({"acme/opus-mt-en-dl": marian_dir}, rate=50_000) as slow:
        settings.hub_endpoint = slow.url
        app = desktop.make_app(qtbot, settings, device, tmp_path)
        try:
            with qtbot.waitSignal(
                app.text_models.progress,
                check_params_cb=lambda text, done, total: "Downloading" in text and total > 0,
                timeout=TIMEOUT_MS,
            ):
                app.set_recognizer(tiny_recognizer)
            assert app.window.text_progress.isVisibleTo(app.window)
            assert "acme/opus-mt-en-dl" in app.window.text_label.text()
            with qtbot.waitSignal(app.text_models.cancelled, timeout=TIMEOUT_MS):
                app.window.text_cancel.click()
            assert not app.window.text_progress.isVisibleTo(app.window)
            assert app.session.translation is None
            # The download itself stopped (not only the app stopped listening): once the
            # loading thread has ended, the model is not in the cache.
            qtbot.waitUntil(
                lambda: not any(t.name == "text-models" for t in threading.enumerate()),
                timeout=TIMEOUT_MS,
            )
            assert cached_model("acme/opus-mt-en-dl", MARIAN_FILES) is None
        finally:
            app.shutdown()
    with FakeHub({"acme/opus-mt-en-dl": marian_dir}) as hub:
        settings.hub_endpoint = hub.url
        seen: list[tuple[int, int]] = []
        app.text_models.progress.connect(lambda _, done, total: seen.append((done, total)))
        with qtbot.waitSignal(app.text_models.translation_loaded, timeout=TIMEOUT_MS) as loaded:
            app.apply_settings({"translation"})
        assert loaded.args[0] is not None and app.session.translation is not None
        assert seen and seen[-1][0] == seen[-1][1] > 0


@pytest.mark.demo_model
def test_file_transcription_uses_the_punctuation_and_translation_settings(
    qtbot, make_app, settings, speech_dir, demo_recognizer, marian_dir
) -> None:  # type: ignore[no-untyped-def]
    if not have("flite"):
        pytest.skip("flite is needed for the demo model's voice")
    settings.translation_enabled = True
    settings.translation_model = str(marian_dir)
    device = FakeSoundDevice(np.zeros(1600, np.float32), 16000, mode="burst")
    app = make_app(device, demo_recognizer)
    dialog = app.window.open_file(sentences_with_pauses(speech_dir))
    assert dialog is not None
    with qtbot.waitSignal(dialog.ended, timeout=TIMEOUT_MS):
        pass
    transcript = dialog.transcript
    assert transcript is not None and transcript.segments
    assert transcript.segments[-1].text().endswith(".")  # punctuated, as the captions are
    assert transcript.translation_language == "zh"
    assert all(s.translation is not None for s in transcript.segments)
    shown = dialog.result_view.toPlainText()
    assert all(s.translation.strip() in shown for s in transcript.segments if s.translation)


class Watched:
    """The loaded translator, watched: which thread calls it, and held back until ``go`` is
    set (a busy machine, made certain)."""

    def __init__(self, translator: Translator) -> None:
        self.translator = translator
        self.description = translator.description
        self.go = threading.Event()
        self.threads: list[str] = []

    def translate(self, texts: Sequence[str]) -> list[str]:
        self.threads.append(threading.current_thread().name)
        assert self.go.wait(TIMEOUT_MS / 1000)
        return self.translator.translate(texts)


def watch(app: DesktopApp) -> Watched:
    assert app.session.translation is not None
    worker = app.session.translation[0]
    watched = Watched(worker.translator)
    worker.translator = watched
    return watched


@pytest.mark.demo_model
def test_quitting_waits_for_the_last_translations_with_a_notice(
    qtbot, make_app, settings, three_sentences, demo_recognizer, marian_dir
) -> None:  # type: ignore[no-untyped-def]
    """Quit while sentences wait for their translations: the window says so and stays until
    they are in the transcript file, then closes."""
    settings.translation_enabled = True
    settings.translation_model = str(marian_dir)
    audio, rate = three_sentences
    device = FakeSoundDevice(audio, rate, mode="burst")
    app = make_app(device, demo_recognizer)
    watched = watch(app)
    sentences: list[CaptionUpdate] = []
    app.session.caption.connect(
        lambda u: sentences.append(u) if u.kind is UpdateKind.SENTENCE else None
    )
    with qtbot.waitSignal(app.session.started, timeout=TIMEOUT_MS):
        app.window.act_start.trigger()
    qtbot.waitUntil(device.stream.done.is_set, timeout=TIMEOUT_MS)
    closed: list[bool] = []
    app.window.closed.connect(lambda: closed.append(True))
    with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS):
        app.window.act_quit.trigger()
    assert app.session.finishing == len(sentences) >= len(SENTENCES)
    assert "Quitting once the last translations" in app.window.message_bar.text()
    assert not closed  # the window waits

    watched.go.set()
    qtbot.waitUntil(lambda: bool(closed), timeout=TIMEOUT_MS)
    translator = load_translator(TranslationOptions(target="zh", model=str(marian_dir)))
    expected = [translator.translate([s.source_text])[0] for s in sentences]
    lines = written(app)
    assert [line.strip() for line in lines if line.startswith("  ")] == [
        " ".join(t.split()) for t in expected if t.strip()
    ]
    assert [STAMP.sub("", line) for line in lines if not line.startswith("  ")] == [
        line.text() for line in app.window.transcript.utterances if line.words
    ]


@pytest.mark.demo_model
def test_quitting_again_does_not_wait(
    qtbot, make_app, settings, three_sentences, demo_recognizer, marian_dir
) -> None:  # type: ignore[no-untyped-def]
    """A second Quit while translations are awaited quits at once; every caption line is in
    the transcript file."""
    settings.translation_enabled = True
    settings.translation_model = str(marian_dir)
    audio, rate = three_sentences
    device = FakeSoundDevice(audio, rate, mode="burst")
    app = make_app(device, demo_recognizer)
    watched = watch(app)
    with qtbot.waitSignal(app.session.started, timeout=TIMEOUT_MS):
        app.window.act_start.trigger()
    qtbot.waitUntil(device.stream.done.is_set, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS):
        app.window.act_quit.trigger()
    assert app.session.finishing
    watched.go.set()  # the worker may go on now (and ends with the app); the quit does not wait
    with qtbot.waitSignal(app.window.closed, timeout=TIMEOUT_MS):
        app.window.act_quit.trigger()
    assert not app.session._poll.isActive()  # the transcript file was closed at once
    lines = written(app)
    assert [STAMP.sub("", line) for line in lines if not line.startswith("  ")] == [
        line.text() for line in app.window.transcript.utterances if line.words
    ]


@pytest.mark.demo_model
def test_a_file_translated_beside_live_captions_shares_their_worker(
    qtbot, make_app, settings, speech_dir, three_sentences, demo_recognizer, marian_dir
) -> None:  # type: ignore[no-untyped-def]
    """File > Open while live captions translate: the model has one caller, the worker's
    thread, and both get their translations (each the library's own for its text)."""
    settings.translation_enabled = True
    settings.translation_model = str(marian_dir)
    audio, rate = three_sentences
    device = FakeSoundDevice(audio, rate, mode="burst")
    app = make_app(device, demo_recognizer)
    watched = watch(app)
    watched.go.set()
    updates: list[CaptionUpdate] = []
    app.session.caption.connect(updates.append)
    with qtbot.waitSignal(app.session.started, timeout=TIMEOUT_MS):
        app.window.act_start.trigger()
    dialog = app.window.open_file(sentences_with_pauses(speech_dir))
    assert dialog is not None
    with qtbot.waitSignal(dialog.ended, timeout=TIMEOUT_MS):
        pass
    qtbot.waitUntil(device.stream.done.is_set, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS):
        app.window.act_start.trigger()
    qtbot.waitUntil(lambda: not app.session._poll.isActive(), timeout=TIMEOUT_MS)  # drained

    assert set(watched.threads) == {"translation"}  # the worker's thread only
    translator = load_translator(TranslationOptions(target="zh", model=str(marian_dir)))
    transcript = dialog.transcript
    assert transcript is not None and transcript.segments
    assert not [n for n in transcript.notes if "translation" in n]
    assert [s.translation for s in transcript.segments] == [
        translator.translate([s.text()])[0] for s in transcript.segments
    ]
    sentences = [u for u in updates if u.kind is UpdateKind.SENTENCE]
    translations = [u for u in updates if u.kind is UpdateKind.TRANSLATION]
    assert sentences and [t.translation for t in translations] == [
        translator.translate([s.source_text])[0] for s in sentences
    ]
