"""The settings dialog: model and compute device, latency profile, language model and custom
words, overlay look, local API.

The fields are filled from :class:`Settings` when the dialog opens and written back on OK;
"Restore defaults" puts the default values into the fields (saved on OK, like any change).
``applied`` tells which groups changed, so the app reloads only what it must.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFontComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.catalogue import catalogue, find
from engine.config import DEFAULT_MODEL, PROFILES
from engine.hub import DEFAULT_ENDPOINT, MIRROR_EXAMPLE

from ..devices import InputDevice
from ..language import LANGUAGES
from ..messages import catalogue_lines
from ..settings import OverlayStyle, Settings
from .inputs import InputPicker
from .lm_group import LanguageModelGroup
from .text_groups import PunctuationGroup, TranslationGroup

PROFILE_LABELS = {
    "low_latency": str(QT_TRANSLATE_NOOP("SettingsDialog", "Low latency (about 0.5 s behind)")),
    "balanced": str(QT_TRANSLATE_NOOP("SettingsDialog", "Balanced (about 1 s behind)")),
    "accurate": str(QT_TRANSLATE_NOOP("SettingsDialog", "Accurate (about 2 s behind)")),
}
DEVICE_LABELS = {
    "auto": str(QT_TRANSLATE_NOOP("SettingsDialog", "Automatic (CUDA when available)")),
    "cpu": str(QT_TRANSLATE_NOOP("SettingsDialog", "CPU")),
    "cuda": str(QT_TRANSLATE_NOOP("SettingsDialog", "CUDA (NVIDIA GPU)")),
}
CHINESE_LABELS = {
    "": str(QT_TRANSLATE_NOOP("SettingsDialog", "As the model writes them")),
    "simplified": str(QT_TRANSLATE_NOOP("SettingsDialog", "Simplified (简体)")),
    "traditional": str(QT_TRANSLATE_NOOP("SettingsDialog", "Traditional (繁體)")),
    "taiwan": str(QT_TRANSLATE_NOOP("SettingsDialog", "Traditional, Taiwan (臺灣正體)")),
    "hongkong": str(QT_TRANSLATE_NOOP("SettingsDialog", "Traditional, Hong Kong (香港繁體)")),
}
BACKEND_LABELS = {
    "auto": str(
        QT_TRANSLATE_NOOP("SettingsDialog", "Automatic (ONNX Runtime on the CPU, PyTorch on CUDA)")
    ),
    "onnx": str(QT_TRANSLATE_NOOP("SettingsDialog", "ONNX Runtime (CPU only)")),
    "torch": str(QT_TRANSLATE_NOOP("SettingsDialog", "PyTorch")),
}
SOURCE_MARK_LABELS = {  # settings.SOURCE_MARKS
    "label": str(QT_TRANSLATE_NOOP("SettingsDialog", "The label before each line")),
    "color": str(QT_TRANSLATE_NOOP("SettingsDialog", "A colour for each input")),
    "both": str(QT_TRANSLATE_NOOP("SettingsDialog", "The label and a colour")),
}


class ColorButton(QPushButton):
    """A button that shows a colour and picks another when clicked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedWidth(80)
        self._color = "#000000"
        self.clicked.connect(self._pick)

    @property
    def color(self) -> str:
        return self._color

    def set_color(self, color: str) -> None:
        self._color = QColor(color).name()
        self.setText(self._color)
        text = "#000000" if QColor(self._color).lightness() > 128 else "#ffffff"
        self.setStyleSheet(f"background-color: {self._color}; color: {text};")

    def _pick(self) -> None:
        chosen = QColorDialog.getColor(QColor(self._color), self, self.tr("Choose a colour"))
        if chosen.isValid():
            self.set_color(chosen.name())


class SettingsDialog(QDialog):
    # changed groups: "model", "profile", "lm", "devices", "inputs", "overlay", "api",
    # "language", "shortcut", "punctuation", "translation"
    applied = Signal(set)

    def __init__(
        self,
        settings: Settings,
        api_available: bool,
        parent: QWidget | None = None,
        *,
        devices: Sequence[InputDevice] = (),
    ) -> None:
        """``devices``: the inputs to offer (the main window's list)."""
        super().__init__(parent)
        self.settings = settings
        self.inputs = InputPicker(self)
        self.inputs.set_devices(devices)
        self.setWindowTitle(self.tr("Live Captions settings"))
        layout = QVBoxLayout(self)
        # Two columns: what decides the words on the left, how they look and go out on the right.
        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        self.lm = LanguageModelGroup()
        self.punctuation = PunctuationGroup()
        self.translation = TranslationGroup()
        left.addWidget(self._engine_group())
        left.addWidget(self.lm)
        left.addWidget(self.punctuation)
        left.addStretch(1)
        right.addWidget(self._inputs_group())
        right.addWidget(self._overlay_group())
        right.addWidget(self.translation)
        right.addWidget(self._api_group(api_available))
        right.addWidget(self._language_group())
        right.addStretch(1)
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout.addLayout(columns)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            self.restore_defaults
        )
        layout.addWidget(buttons)
        self.load(settings)

    # building --------------------------------------------------------------------------------
    def _engine_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Speech recognition"))
        form = QFormLayout(box)
        self.model = QComboBox(editable=True)
        # The catalogue's models by language; any other hub id or folder can be typed in.
        for entry in catalogue():
            self.model.addItem(entry.model)
            self.model.setItemData(
                self.model.count() - 1, entry.summary(), Qt.ItemDataRole.ToolTipRole
            )
        self.model.setToolTip(
            self.tr(
                "A Hugging Face model id (downloaded once, then cached), a local folder with "
                "a Wav2Vec2ForCTC checkpoint, or 'demo' for the bundled demo model."
            )
        )
        browse = QPushButton(self.tr("Folder…"))
        browse.clicked.connect(self._browse_model)
        row = QHBoxLayout()
        row.addWidget(self.model, 1)
        row.addWidget(browse)
        form.addRow(self.tr("Model:"), row)
        self.model_details = QLabel()
        self.model_details.setWordWrap(True)  # with a language model it takes two lines
        self.model_details.setStyleSheet("color: #6a6a6a;")
        self.model.currentTextChanged.connect(self._show_model_details)
        form.addRow("", self.model_details)
        self.hub_endpoint = QComboBox(editable=True)
        self.hub_endpoint.addItems(["", DEFAULT_ENDPOINT, MIRROR_EXAMPLE])
        self.hub_endpoint.setPlaceholderText(
            self.tr("Automatic (HF_ENDPOINT if set, else huggingface.co)")
        )
        self.hub_endpoint.setToolTip(
            self.tr(
                "Where models are downloaded from: the Hugging Face hub or a mirror of it, such as "
                "{} (reachable from mainland China)"
            ).format(MIRROR_EXAMPLE)
        )
        form.addRow(self.tr("Download from:"), self.hub_endpoint)
        self.compute_device = QComboBox()
        for key, label in DEVICE_LABELS.items():
            self.compute_device.addItem(self.tr(label), key)
        form.addRow(self.tr("Runs on:"), self.compute_device)
        self.backend = QComboBox()
        for key, label in BACKEND_LABELS.items():
            self.backend.addItem(self.tr(label), key)
        self.backend.setToolTip(
            self.tr(
                "ONNX Runtime labels frames exactly as PyTorch does; a model is prepared "
                "for it once (a minute or more) on first use."
            )
        )
        form.addRow(self.tr("Engine:"), self.backend)
        self.power_saver = QCheckBox(self.tr("Power saving"))
        self.power_saver.setToolTip(
            self.tr(
                "Uses less processor time: smaller weights (words may differ a little), "
                "captions up to a second later, and partial text once every two seconds"
            )
        )
        form.addRow("", self.power_saver)
        self.profile = QComboBox()
        for key in PROFILES:
            if key in PROFILE_LABELS:
                self.profile.addItem(self.tr(PROFILE_LABELS[key]), key)
        form.addRow(self.tr("Live captions:"), self.profile)
        self.stable_partials = QCheckBox(self.tr("Steady partial text"))
        self.stable_partials.setToolTip(
            self.tr(
                "Steady partial text: a word shows about half a second later, "
                "but rarely changes once shown"
            )
        )
        form.addRow("", self.stable_partials)
        self.all_host_apis = QCheckBox(
            self.tr(
                "List every host API's entry for each input (MME, DirectSound, WDM-KS), "
                "not only WASAPI's"
            )
        )
        self.all_host_apis.setToolTip(
            self.tr(
                "On Windows each microphone is listed once, through WASAPI. An entry through "
                "another host API can help with an old driver."
            )
        )
        if sys.platform == "win32":  # host APIs other than WASAPI exist on Windows only
            form.addRow(self.tr("Inputs:"), self.all_host_apis)
        else:
            self.all_host_apis.hide()
        self.chinese = QComboBox()
        for key, label in CHINESE_LABELS.items():
            self.chinese.addItem(self.tr(label), key)
        self.chinese.setToolTip(
            self.tr(
                "Write Chinese captions and transcripts in simplified or traditional characters, "
                "whichever the model writes"
            )
        )
        form.addRow(self.tr("Chinese characters:"), self.chinese)
        return box

    def _inputs_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Audio inputs"))
        form = QFormLayout(box)
        for text, combo, label in (
            (self.tr("Input:"), self.inputs.first, self.inputs.label),
            (self.tr("Second input:"), self.inputs.second, self.inputs.second_label),
        ):
            row = QHBoxLayout()
            row.addWidget(combo, 1)
            row.addWidget(QLabel(self.tr("Label:")))
            row.addWidget(label)
            form.addRow(text, row)
        return box

    def _overlay_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Caption overlay"))
        form = QFormLayout(box)
        self.font_family = QFontComboBox()
        self.font_size = QSpinBox(minimum=8, maximum=96, suffix=" pt")
        row = QHBoxLayout()
        row.addWidget(self.font_family, 1)
        row.addWidget(self.font_size)
        form.addRow(self.tr("Font:"), row)
        self.lines = QSpinBox(minimum=1, maximum=5)
        form.addRow(self.tr("Lines:"), self.lines)
        self.text_color = ColorButton()
        self.partial_color = ColorButton()
        self.background_color = ColorButton()
        colours = QHBoxLayout()
        for label, button in (
            (self.tr("Text"), self.text_color),
            (self.tr("Unfinal"), self.partial_color),
            (self.tr("Background"), self.background_color),
        ):
            colours.addWidget(QLabel(label))
            colours.addWidget(button)
        colours.addStretch(1)
        form.addRow(self.tr("Colours:"), colours)
        self.opacity = QDoubleSpinBox(minimum=0.0, maximum=1.0, singleStep=0.05, decimals=2)
        self.opacity.setToolTip(self.tr("Opacity of the background: 0 invisible, 1 solid"))
        form.addRow(self.tr("Background opacity:"), self.opacity)
        # Two inputs: how their lines are told apart.
        self.source_mark = QComboBox()
        for key, label in SOURCE_MARK_LABELS.items():
            self.source_mark.addItem(self.tr(label), key)
        self.source_mark.setToolTip(
            self.tr("With two inputs, how the overlay shows whose each line is")
        )
        self.first_color, self.second_color = ColorButton(), ColorButton()
        self.first_color.setToolTip(self.tr("The first input's colour"))
        self.second_color.setToolTip(self.tr("The second input's colour"))
        sources = QHBoxLayout()
        sources.addWidget(self.source_mark, 1)
        sources.addWidget(self.first_color)
        sources.addWidget(self.second_color)
        form.addRow(self.tr("Two inputs:"), sources)
        return box

    def _language_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("Interface"))
        form = QFormLayout(box)
        self.language = QComboBox()
        for key, name in LANGUAGES.items():
            self.language.addItem(self.tr(name) if not key else name, key)
        self.language.setToolTip(self.tr("The language of the app; applies from the next start"))
        form.addRow(self.tr("Language:"), self.language)
        self.start_shortcut = QKeySequenceEdit()
        self.start_shortcut.setMaximumSequenceLength(1)
        self.start_shortcut.setClearButtonEnabled(True)
        self.start_shortcut.setToolTip(self.tr("The key that starts and stops live captions"))
        form.addRow(self.tr("Start/stop key:"), self.start_shortcut)
        return box

    def _api_group(self, available: bool) -> QGroupBox:
        box = QGroupBox(self.tr("Local speech API"))
        form = QFormLayout(box)
        self.api_enabled = QCheckBox(
            self.tr("Serve the loaded model to other programs over HTTP and WebSocket")
        )
        self.api_port = QSpinBox(minimum=1024, maximum=65535)
        self.api_token = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.api_token.setPlaceholderText(self.tr("none: any program on this computer may connect"))
        form.addRow(self.api_enabled)
        form.addRow(self.tr("Port (localhost):"), self.api_port)
        form.addRow(self.tr("Access token:"), self.api_token)
        if not available:
            note = QLabel(self.tr("The API is not part of this installation."))
            note.setStyleSheet("color: #8a8a8a;")
            form.addRow(note)
            for widget in (self.api_enabled, self.api_port, self.api_token):
                widget.setEnabled(False)
        return box

    # values ----------------------------------------------------------------------------------
    def load(self, settings: Settings) -> None:
        self.model.setCurrentText(settings.model)
        self.hub_endpoint.setCurrentText(settings.hub_endpoint)
        self._show_model_details(settings.model)
        self._select(self.compute_device, settings.compute_device)
        self._select(self.backend, settings.backend)
        self.power_saver.setChecked(settings.power_saver)
        self._select(self.profile, settings.profile)
        self.stable_partials.setChecked(settings.stable_partials)
        self.all_host_apis.setChecked(settings.all_host_apis)
        self._select(self.chinese, settings.chinese)
        self._select(self.language, settings.language)
        self.start_shortcut.setKeySequence(QKeySequence(settings.start_shortcut))
        self.lm.load(settings)
        self.punctuation.load(settings)
        self.translation.load(settings)
        style = settings.overlay_style
        # An empty family means the system's default font, shown as that font's name.
        self.font_family.setCurrentFont(QFont(style.font_family) if style.font_family else QFont())
        self.font_size.setValue(style.font_size)
        self.lines.setValue(style.lines)
        self.text_color.set_color(style.text_color)
        self.partial_color.set_color(style.partial_color)
        self.background_color.set_color(style.background_color)
        self.opacity.setValue(style.opacity)
        self._select(self.source_mark, style.source_mark)
        self.first_color.set_color(style.source_colors[0])
        self.second_color.set_color(style.source_colors[1])
        self.inputs.set_options(settings.inputs)
        self.api_enabled.setChecked(settings.api_enabled)
        self.api_port.setValue(settings.api_port)
        self.api_token.setText(settings.api_token)

    def restore_defaults(self) -> None:
        self.load(Settings.defaults())

    def overlay_style(self) -> OverlayStyle:
        return OverlayStyle(
            font_family=self._font_family(),
            font_size=self.font_size.value(),
            text_color=self.text_color.color,
            partial_color=self.partial_color.color,
            background_color=self.background_color.color,
            opacity=round(self.opacity.value(), 2),
            lines=self.lines.value(),
            source_mark=self.source_mark.currentData(),
            source_colors=(self.first_color.color, self.second_color.color),
        )

    def _font_family(self) -> str:
        family = self.font_family.currentFont().family()
        return "" if family == QFont().family() else family

    def save(self) -> set[str]:
        """Write the fields to the settings; the groups that changed."""
        s = self.settings
        changed = set()
        model = self.model.currentText().strip() or DEFAULT_MODEL
        hub = self.hub_endpoint.currentText().strip().rstrip("/")
        engine = (
            model,
            self.compute_device.currentData(),
            self.backend.currentData(),
            hub,
            self.power_saver.isChecked(),
        )
        if engine != (s.model, s.compute_device, s.backend, s.hub_endpoint, s.power_saver):
            s.model, s.compute_device, s.backend, s.hub_endpoint, s.power_saver = engine
            changed.add("model")
        live = (
            self.profile.currentData(),
            self.stable_partials.isChecked(),
            self.chinese.currentData(),
        )
        if live != (s.profile, s.stable_partials, s.chinese):
            s.profile, s.stable_partials, s.chinese = live
            changed.add("profile")
        if self.lm.save(s):
            changed.add("lm")
        if self.punctuation.save(s):
            changed.add("punctuation")
        if self.translation.save(s):
            changed.add("translation")
        if self.all_host_apis.isChecked() != s.all_host_apis:
            s.all_host_apis = self.all_host_apis.isChecked()
            changed.add("devices")
        if self.inputs.options() != s.inputs:
            s.inputs = self.inputs.options()
            changed.add("inputs")
        if self.language.currentData() != s.language:
            s.language = self.language.currentData()
            changed.add("language")
        shortcut = self.start_shortcut.keySequence().toString()
        if shortcut != s.start_shortcut:
            s.start_shortcut = shortcut
            changed.add("shortcut")
        if self.overlay_style() != s.overlay_style:
            s.overlay_style = self.overlay_style()
            changed.add("overlay")
        api = (self.api_enabled.isChecked(), self.api_port.value(), self.api_token.text())
        if api != (s.api_enabled, s.api_port, s.api_token):
            s.api_enabled, s.api_port, s.api_token = api
            changed.add("api")
        s.sync()
        return changed

    def accept(self) -> None:
        changed = self.save()
        super().accept()
        if changed:
            self.applied.emit(changed)

    # helpers ---------------------------------------------------------------------------------
    @staticmethod
    def _select(combo: QComboBox, key: str) -> None:
        index = combo.findData(key)
        combo.setCurrentIndex(max(0, index))

    def _show_model_details(self, model: str) -> None:
        """The catalogue's facts about the chosen model (language, size, licence, error rate)."""
        entry = find(model.strip())
        self.model_details.setText(
            "\n".join(catalogue_lines(entry))
            if entry
            else self.tr("Not in the catalogue: any CTC speech model (hub id or folder) works.")
        )

    def _browse_model(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder with a CTC speech model"))
        if folder:
            self.model.setCurrentText(folder)
