"""Two inputs in the desktop app's settings (issue 32): the Settings dialog and the main
window's pickers choose the inputs and labels alike (one Settings.inputs), and the overlay
tells the inputs apart by label, colour or both, as chosen in Settings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from helpers.desktop import FakeSoundDevice, FakeSoundDevices, ini, make_app
from PySide6.QtGui import QColor

from desktop_app.app import DesktopApp
from desktop_app.settings import InputOptions
from desktop_app.widgets.settings_dialog import SettingsDialog
from engine.pipeline import CaptionUpdate, UpdateKind

SILENCE = np.zeros((1600, 1), np.float32)


def app_with_inputs(qtbot, tmp_path: Path) -> DesktopApp:  # type: ignore[no-untyped-def]
    backend = FakeSoundDevices(
        FakeSoundDevice(SILENCE, 16000, name="Fake microphone"),
        FakeSoundDevice(SILENCE, 16000, name="Monitor of Fake speaker"),  # system audio
    )
    return make_app(qtbot, ini(tmp_path / "settings.ini"), backend, tmp_path)


def choose(combo, text: str) -> None:  # type: ignore[no-untyped-def]
    index = combo.findText(text)
    assert index >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(index)


def test_the_settings_dialog_and_the_window_choose_the_inputs_and_labels_alike(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    app = app_with_inputs(qtbot, tmp_path)
    window = app.window
    dialog = app.open_settings()
    offered = [dialog.inputs.second.itemText(i) for i in range(dialog.inputs.second.count())]
    assert offered == ["None", "Fake microphone", "Monitor of Fake speaker"]
    choose(dialog.inputs.second, "Monitor of Fake speaker")
    assert dialog.inputs.second_label.placeholderText() == "Others"  # system audio's default
    dialog.inputs.label.setText("  Ann   Lee ")
    assert window.settings.inputs == InputOptions()  # nothing stored before OK
    dialog.accept()
    assert app.settings.inputs == InputOptions("", "Ann Lee", "Monitor of Fake speaker", "")
    # The window's pickers show the choice, and start captions with it.
    assert window.second_combo.currentText() == "Monitor of Fake speaker"
    assert window.label_edit.text() == "Ann Lee"
    assert window.labels() == ("Ann Lee", "Others")
    assert window.inputs.selected()[1] is not None and window.inputs.selected()[1].loopback

    # A label typed beside the window's picker is what the dialog shows next.
    window.second_label_edit.setText("Call")
    assert app.settings.inputs.second_label == "Call"
    dialog = app.open_settings()
    assert dialog.inputs.second_label.text() == "Call"
    assert dialog.inputs.second.currentText() == "Monitor of Fake speaker"
    choose(dialog.inputs.second, "None")
    dialog.reject()  # Cancel keeps everything
    assert app.settings.inputs.second_device == "Monitor of Fake speaker"

    # An input remembered but not plugged in now stays remembered through OK in Settings.
    app.settings.inputs = InputOptions("USB headset", "Ann")
    window.refresh_devices()
    assert window.device_combo.currentText() == "System default input"
    dialog = app.open_settings()
    assert dialog.inputs.first.currentText() == "System default input"
    dialog.lines.setValue(3)
    dialog.accept()
    assert app.settings.inputs == InputOptions("USB headset", "Ann")
    # Restore defaults: one input, the default one, no labels.
    dialog = app.open_settings()
    dialog.restore_defaults()
    dialog.accept()
    assert app.settings.inputs == InputOptions()
    assert window.second_combo.currentText() == "None" and window.label_edit.text() == ""


def said(index: int, label: str, units: tuple[str, ...], partial: bool = False):  # type: ignore[no-untyped-def]
    kind = UpdateKind.PARTIAL if partial else UpdateKind.FINAL
    return index, label, CaptionUpdate(kind, 1.0, units=units)


def colours_drawn(widget) -> set[str]:  # type: ignore[no-untyped-def]
    """The opaque colours in the widget as drawn ("#rrggbb")."""
    image = widget.grab().toImage()
    return {
        image.pixelColor(x, y).name()
        for y in range(0, image.height())
        for x in range(0, image.width())
        if image.pixelColor(x, y).alpha() == 255
    }


def test_the_overlay_tells_two_inputs_apart_by_label_colour_or_both(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = app_with_inputs(qtbot, tmp_path)
    overlay = app.overlay
    overlay.resize(900, overlay.height())
    overlay.show()
    for update in (
        said(0, "You", ("Hello", "there")),
        said(1, "Others", ("Good", "morning")),
        said(1, "Others", ("everyone",), partial=True),
    ):
        overlay.apply_source(*update)
    first, second = app.settings.overlay_style.source_colors
    assert overlay.style_.source_mark == "label"  # the default: the label before each line
    assert overlay.visible_text() == "You: Hello there\nOthers: Good morning everyone"
    assert not {first, second} & colours_drawn(overlay)  # white and grey text

    # Settings: a colour for each input, no label.
    dialog = app.open_settings()
    assert dialog.first_color.color == first and dialog.second_color.color == second
    dialog.source_mark.setCurrentIndex(dialog.source_mark.findData("color"))
    dialog.second_color.set_color("#40ff40")
    dialog.accept()
    assert app.settings.overlay_style.source_mark == "color"
    assert overlay.style_.source_colors == (first, "#40ff40")
    assert overlay.visible_text() == "Hello there\nGood morning everyone"
    tokens = {
        t.text: overlay.token_color(t).name() for line in overlay.visible_lines() for t in line
    }
    assert tokens["Hello"] == first and tokens["Good"] == "#40ff40"
    assert tokens["everyone"] not in (first, "#40ff40", overlay.style_.partial_color)  # dimmer
    drawn = colours_drawn(overlay)
    assert first in drawn and "#40ff40" in drawn

    # Both: the label, in its input's colour.
    dialog = app.open_settings()
    dialog.source_mark.setCurrentIndex(dialog.source_mark.findData("both"))
    dialog.accept()
    assert overlay.visible_text() == "You: Hello there\nOthers: Good morning everyone"
    label = overlay.visible_lines()[1][0]
    assert label.text == "Others:" and overlay.token_color(label) == QColor("#40ff40")
    # Kept across a restart of the app.
    again = SettingsDialog(ini(tmp_path / "settings.ini"), api_available=True)
    qtbot.addWidget(again)
    assert again.source_mark.currentData() == "both"
    assert again.second_color.color == "#40ff40"
