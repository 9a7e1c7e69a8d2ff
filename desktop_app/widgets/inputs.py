"""The inputs to caption: a device, and a second one captioned at once, each with its label.

The main window and the Settings dialog each hold one :class:`InputPicker` (its widgets laid
out in their own way); both read and write :attr:`Settings.inputs`, one :class:`InputOptions`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QStyle, QWidget

from ..capture import InputDevice, loopback_note
from ..settings import MAX_LABEL, InputOptions

# ALSA's "pulse" and "default" are the sound server's default input again, by a name that says
# nothing to a user: "System default input" stands for them.
RAW_ALSA_DEVICES = frozenset({"pulse", "default", "sysdefault", "pipewire"})


def listed(devices: Sequence[InputDevice]) -> list[InputDevice]:
    """The inputs worth offering: raw ALSA aliases of the default input left out."""
    return [d for d in devices if d.loopback or d.name not in RAW_ALSA_DEVICES]


class InputPicker(QObject):
    """A combo box for the input and one for a second input ("None" by default), and a label
    edit for each (empty: "You" for a microphone, "Others" for system audio, shown greyed).
    A device remembered but not listed now (unplugged) stays in :meth:`options` until the
    user picks another."""

    changed = Signal()  # the user picked an input or edited a label

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.devices: list[InputDevice] = []
        self._options = InputOptions()
        self.first = QComboBox()
        self.first.setMinimumWidth(260)
        self.second = QComboBox()
        self.second.setMinimumWidth(200)
        self.second.setToolTip(
            self.tr(
                "Caption a second input at once, for example your microphone and the computer's "
                "audio in a call: each line shows whose it is."
            )
        )
        self.label = QLineEdit()
        self.second_label = QLineEdit()
        for edit in (self.label, self.second_label):
            edit.setMaxLength(MAX_LABEL)
            edit.setMaximumWidth(120)
            edit.setToolTip(self.tr("The label shown before this input's lines"))
            edit.textChanged.connect(self._edited)
        self.first.currentIndexChanged.connect(self._first_chosen)
        self.second.currentIndexChanged.connect(self._second_chosen)

    # filling ---------------------------------------------------------------------------------
    def set_devices(self, devices: Sequence[InputDevice]) -> None:
        """Offer these inputs in both pickers; the choice stays where it is listed."""
        self.devices = listed(devices)
        speaker = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MediaVolume)
        for combo, empty in (
            (self.first, self.tr("System default input")),
            (self.second, self.tr("None")),
        ):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(empty, None)
            for device in self.devices:
                if device.loopback:  # an icon, not an emoji: drawn without an emoji font
                    combo.addItem(speaker, self.device_text(device), device)
                else:
                    combo.addItem(device.name, device)
            combo.blockSignals(False)
        self.first.setToolTip(
            loopback_note(self.devices)
            or self.tr("Inputs with a speaker icon record what the computer plays.")
        )
        self._show()

    def set_options(self, options: InputOptions) -> None:
        """Show these choices (a device not listed shows as the default, and is kept)."""
        self._options = options
        self._show()

    def _show(self) -> None:
        names = [d.name for d in self.devices]
        widgets = self.widgets()
        for widget in widgets:
            widget.blockSignals(True)
        for combo, name in (
            (self.first, self._options.device),
            (self.second, self._options.second_device),
        ):
            combo.setCurrentIndex(names.index(name) + 1 if name in names else 0)
        self.label.setText(self._options.label)
        self.second_label.setText(self._options.second_label)
        for widget in widgets:
            widget.blockSignals(False)
        self._placeholders()

    def device_text(self, device: InputDevice) -> str:
        """An input's name as listed: a system-audio input's in the interface's language."""
        prefix = "System audio: "
        if device.name.startswith(prefix):
            return self.tr("System audio: {}").format(device.name.removeprefix(prefix))
        return device.name

    # reading ---------------------------------------------------------------------------------
    def options(self) -> InputOptions:
        return self._options

    def selected(self) -> tuple[InputDevice | None, InputDevice | None]:
        """The input and the second one (None: the default input; no second input). The same
        input twice is captioned once."""
        first, second = self.first.currentData(), self.second.currentData()
        if second is not None and first is not None and second.name == first.name:
            second = None
        return first, second

    def labels(self) -> tuple[str, str]:
        """The two inputs' labels: as typed, or "You" (a microphone) / "Others" (system audio)."""
        return (
            self.label.text().strip() or self.label.placeholderText(),
            self.second_label.text().strip() or self.second_label.placeholderText(),
        )

    def widgets(self) -> list[QWidget]:
        return [self.first, self.second, self.label, self.second_label]

    # the user's changes ----------------------------------------------------------------------
    def _first_chosen(self) -> None:
        device = self.first.currentData()
        self._changed(device=device.name if device else "")

    def _second_chosen(self) -> None:
        device = self.second.currentData()
        self._changed(second_device=device.name if device else "")

    def _edited(self) -> None:
        self._changed(label=self.label.text(), second_label=self.second_label.text())

    def _changed(self, **choice: str) -> None:
        self._options = dataclasses.replace(self._options, **choice)
        self._placeholders()
        self.changed.emit()

    def _default_label(self, device: InputDevice | None) -> str:
        return self.tr("Others") if device is not None and device.loopback else self.tr("You")

    def _placeholders(self) -> None:
        self.label.setPlaceholderText(self._default_label(self.first.currentData()))
        self.second_label.setPlaceholderText(self._default_label(self.second.currentData()))
