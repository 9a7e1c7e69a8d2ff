"""Two inputs captioned at once in the desktop app (issue 32): two fake sound devices, each its
own sentence, on one engine; the window, the overlay and the transcript file show each line
with its input's label, in time order (the window the unfinished ones too), each line's
translation under it, and one input failing leaves the other captioning."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from helpers.desktop import FakeSoundDevice, FakeSoundDevices, ini, make_app

from desktop_app.app import DesktopApp
from engine.pipeline import CaptionUpdate, UpdateKind
from engine.translation import TranslationOptions, load_translator

TIMEOUT_MS = 120_000
STAMP = re.compile(r"^\[?\d\d:\d\d:\d\d\]?\s+")


def voice(speech_dir: Path, n: int, before_s: float, after_s: float) -> np.ndarray:
    """SENTENCES[n] (flite's slt voice, which the demo model understands) between silences,
    16 kHz, (frames, 1)."""
    from helpers import SENTENCES, have, read_wav, say

    if not have("flite"):
        pytest.skip("flite is needed for the demo model's voice")
    spoken = read_wav(say(SENTENCES[n], speech_dir / f"sentence{n}.wav", voice="flite:slt"))
    silence = [np.zeros(round(s * 16000), np.float32) for s in (before_s, after_s)]
    return np.concatenate([silence[0], spoken, silence[1]])[:, None]


def make(qtbot, tmp_path: Path, backend: FakeSoundDevices, recognizer, **options) -> DesktopApp:  # type: ignore[no-untyped-def]
    settings = ini(tmp_path / "settings.ini")
    settings.punctuation_enabled = False  # the words as the model spells them
    settings.overlay_lines = 2
    for name, value in options.items():
        setattr(settings, name, value)
    wait = settings.translation_enabled  # the translation model loaded before the captions
    return make_app(
        qtbot, settings, backend, tmp_path, recognizer=recognizer, wait_text_models=wait
    )


def choose_second(app: DesktopApp, name: str) -> None:
    combo = app.window.second_combo
    index = next(i for i in range(combo.count()) if name in combo.itemText(i))
    combo.setCurrentIndex(index)


def caption(qtbot, app: DesktopApp, backend: FakeSoundDevices) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(app.session.started, timeout=TIMEOUT_MS):
        app.window.act_start.trigger()
    for device in backend.devices:
        qtbot.waitUntil(device.stream.done.is_set, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS):
        app.window.act_start.trigger()


def shown(app: DesktopApp) -> list[str]:
    lines = app.window.view.toPlainText().replace("\xa0", " ").splitlines()
    return [STAMP.sub("", line).strip() for line in lines if line.strip()]


def written(app: DesktopApp) -> list[str]:
    log = app.session.transcript_log
    assert log is not None and log.path is not None
    return [STAMP.sub("", line) for line in log.path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.demo_model
def test_two_inputs_are_labelled_and_interleaved_in_the_window_overlay_and_file(
    qtbot, tmp_path, speech_dir, demo_recognizer
) -> None:  # type: ignore[no-untyped-def]
    you = FakeSoundDevice(voice(speech_dir, 0, 0.3, 4.0), 16000, name="Fake microphone")
    others = FakeSoundDevice(voice(speech_dir, 1, 3.0, 1.0), 16000, name="Headset microphone")
    backend = FakeSoundDevices(you, others)
    app = make(qtbot, tmp_path, backend, demo_recognizer)
    choose_second(app, "Headset microphone")
    app.window.second_label_edit.setText("Others")
    inputs = app.settings.inputs
    assert (inputs.second_device, inputs.second_label) == ("Headset microphone", "Others")
    assert app.window.label_edit.placeholderText() == "You"  # a microphone's default
    app.overlay.show()
    partials: list[list[str]] = []
    app.session.source_caption.connect(
        lambda *_: partials.append(
            [t.text for line in app.overlay.visible_lines() for t in line if t.partial]
        )
    )
    unfinished: list[list[str]] = []  # the window while no line is finished yet
    app.session.open_lines.connect(
        lambda _: None if app.window.transcript.utterances else unfinished.append(shown(app))
    )
    caption(qtbot, app, backend)
    assert any(partials), "the overlay shows each input's partial words as they come"
    # The window shows a line's words, after its label, before the line is finished.
    assert any(line.startswith(("You: ", "Others: ")) for view in unfinished for line in view)

    lines = shown(app)
    assert [line.split(":")[0] for line in lines] == ["You", "Others"], lines
    assert "nice today" in lines[0] and "cup" in lines[1], lines
    assert written(app) == lines  # the transcript file: the same lines, the same order
    # The overlay: the latest line of each input, after its label (2 lines: one each).
    overlay = [[t.text for t in line] for line in app.overlay.visible_lines()]
    assert [line[0] for line in overlay] == ["You:", "Others:"], overlay
    assert overlay[0][-1] == "today" and overlay[1][-1] == "tea", overlay


@pytest.mark.demo_model
def test_each_inputs_translation_goes_under_its_labelled_line(
    qtbot, tmp_path, speech_dir, demo_recognizer, marian_dir
) -> None:  # type: ignore[no-untyped-def]
    you = FakeSoundDevice(voice(speech_dir, 0, 0.3, 4.0), 16000, name="Fake microphone")
    others = FakeSoundDevice(voice(speech_dir, 1, 3.0, 1.0), 16000, name="Headset microphone")
    backend = FakeSoundDevices(you, others)
    app = make(
        qtbot,
        tmp_path,
        backend,
        demo_recognizer,
        translation_enabled=True,
        translation_model=str(marian_dir),
    )
    assert app.session.translation is not None
    choose_second(app, "Headset microphone")
    app.window.second_label_edit.setText("Others")
    updates: list[CaptionUpdate] = []
    app.session.caption.connect(updates.append)
    caption(qtbot, app, backend)
    qtbot.waitUntil(lambda: not app.session._poll.isActive(), timeout=TIMEOUT_MS)  # drained

    # One translation per input's sentence, each the library's own for that sentence alone.
    translations = [u for u in updates if u.kind is UpdateKind.TRANSLATION]
    sources = [t.source_text for t in translations]
    assert len(sources) == 2 and "nice today" in sources[0] and "cup" in sources[1], sources
    translator = load_translator(TranslationOptions(target="zh", model=str(marian_dir)))
    expected = [translator.translate([text])[0] for text in sources]
    assert [t.translation for t in translations] == expected
    # The window and the file: each labelled line, then its own translation under it.
    said = [line for line in shown(app) if line.startswith(("You: ", "Others: "))]
    assert [line.split(":")[0] for line in said] == ["You", "Others"], said
    lines = []
    for line, translation in zip(said, expected, strict=True):
        lines += [line] + ([" ".join(translation.split())] if translation.strip() else [])
    assert shown(app) == lines
    assert [" ".join(line.split()) for line in written(app)] == lines
    indented = [line for line in written(app) if line.startswith("  ")]
    assert len(indented) == len(lines) - 2  # the translations, indented


@pytest.mark.demo_model
def test_one_input_failing_leaves_the_other_captioning_with_a_notice(
    qtbot, tmp_path, speech_dir, demo_recognizer
) -> None:  # type: ignore[no-untyped-def]
    you = FakeSoundDevice(voice(speech_dir, 0, 0.3, 1.5), 16000, name="Fake microphone")
    # The computer's audio (an echo gate sits between it and the microphone) is unplugged
    # after 0.5 s.
    system = FakeSoundDevice(
        voice(speech_dir, 1, 0.2, 1.0), 16000, name="Monitor of Fake speaker", abort_after=10
    )
    backend = FakeSoundDevices(you, system)
    app = make(qtbot, tmp_path, backend, demo_recognizer)
    alerts: list[str] = []
    app.session.alert.connect(alerts.append)
    choose_second(app, "Monitor of Fake speaker")
    assert app.window.labels() == ("You", "Others")  # system audio's default label
    caption(qtbot, app, backend)
    assert any(a.startswith("Others: ") and "unplugged" in a for a in alerts), alerts
    assert "Others" in app.window.message_bar.text()
    lines = shown(app)
    # The microphone's sentence, whole, after the system audio's last word before it failed.
    assert [line for line in lines if line.startswith("You: ")] == [lines[-1]], lines
    assert "nice today" in lines[-1], lines
    assert written(app) == lines


@pytest.mark.demo_model
@pytest.mark.parametrize("busy", [1, 0], ids=["second", "first"])
def test_an_input_that_cannot_be_opened_leaves_the_other_captioning(
    qtbot, tmp_path, speech_dir, demo_recognizer, busy: int
) -> None:  # type: ignore[no-untyped-def]
    """Either input: the other one captions alone (no label), with a notice that names the
    one that could not be opened."""
    devices = [
        FakeSoundDevice(voice(speech_dir, 0, 0.3, 1.0), 16000, name="Fake microphone"),
        FakeSoundDevice(voice(speech_dir, 1, 0.2, 0.2), 16000, name="Busy microphone"),
    ]
    devices[1].fail_on_start = True
    if busy == 0:  # the busy one is the system's default input, the first
        devices.reverse()
    app = make(qtbot, tmp_path, FakeSoundDevices(*devices), demo_recognizer)
    alerts: list[str] = []
    app.session.alert.connect(alerts.append)
    choose_second(app, "Fake microphone" if busy == 0 else "Busy microphone")
    app.window.label_edit.setText("Me")
    app.window.second_label_edit.setText("Guest")
    with qtbot.waitSignal(app.session.started, timeout=TIMEOUT_MS) as started:
        app.window.act_start.trigger()
    assert started.args == ["Fake microphone"]
    name = ["Me", "Guest"][busy]
    assert any(a.startswith(f"{name}: ") and "cannot be opened" in a for a in alerts), alerts
    assert name in app.window.message_bar.text()
    working = next(d for d in devices if not d.fail_on_start)
    qtbot.waitUntil(working.stream.done.is_set, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(app.session.stopped, timeout=TIMEOUT_MS):
        app.window.act_start.trigger()
    lines = shown(app)
    assert len(lines) == 1 and "nice today" in lines[0], lines  # alone: no label
    assert written(app) == lines
