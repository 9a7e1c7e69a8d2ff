"""The settings dialog's groups for punctuation (engine.punctuation) and translation
(engine.translation) of the captions."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from engine.translation import CATALOGUE, pair_for_model

from ..settings import Settings

TARGET_LABELS = {
    "zh": str(QT_TRANSLATE_NOOP("TranslationGroup", "Chinese (zh)")),
    "en": str(QT_TRANSLATE_NOOP("TranslationGroup", "English (en)")),
    "de": str(QT_TRANSLATE_NOOP("TranslationGroup", "German (de)")),
}
OVERLAY_LABELS = {
    "under": str(QT_TRANSLATE_NOOP("TranslationGroup", "Under the captions")),
    "alone": str(QT_TRANSLATE_NOOP("TranslationGroup", "Instead of the captions")),
}


class PunctuationGroup(QGroupBox):
    """On/off and the punctuation model (empty: the one for the speech model's language)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Punctuation"))
        form = QFormLayout(self)
        self.enabled = QCheckBox(
            self.tr("Punctuate and capitalise the captions (a final word shows a moment later)")
        )
        form.addRow(self.enabled)
        self.model = QLineEdit()
        self.model.setPlaceholderText(self.tr("Automatic: the model for the speech language"))
        self.model.setToolTip(
            self.tr(
                "A token-classification punctuation model: a Hugging Face id (downloaded once), "
                "a folder, or 'demo' for the demo model's own"
            )
        )
        form.addRow(self.tr("Model:"), self.model)
        self.enabled.toggled.connect(self.model.setEnabled)

    def load(self, settings: Settings) -> None:
        self.enabled.setChecked(settings.punctuation_enabled)
        self.model.setText(settings.punctuation_model)
        self.model.setEnabled(settings.punctuation_enabled)

    def save(self, settings: Settings) -> bool:
        """Write the fields; whether anything changed."""
        values = (self.enabled.isChecked(), self.model.text().strip())
        if values == (settings.punctuation_enabled, settings.punctuation_model):
            return False
        settings.punctuation_enabled, settings.punctuation_model = values
        return True


class TranslationGroup(QGroupBox):
    """On/off, the target language, the model (empty: the catalogue's pair) and where the
    overlay shows the translation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Translation"))
        form = QFormLayout(self)
        self.enabled = QCheckBox(
            self.tr("Translate each sentence on this computer (the model is downloaded once)")
        )
        form.addRow(self.enabled)
        self.target = QComboBox(editable=True)
        for key, label in TARGET_LABELS.items():
            self.target.addItem(self.tr(label), key)
        self.target.setToolTip(self.tr("The language to translate into (an ISO 639-1 code)"))
        form.addRow(self.tr("Into:"), self.target)
        self.model = QComboBox(editable=True)
        self.model.addItem("")
        for pair in CATALOGUE:
            self.model.addItem(pair.model)
            self.model.setItemData(
                self.model.count() - 1, pair.summary(), Qt.ItemDataRole.ToolTipRole
            )
        line = self.model.lineEdit()
        if line is not None:  # an editable combo box has one
            line.setPlaceholderText(
                self.tr("Automatic: the catalogue's model for the two languages")
            )
        self.model.setToolTip(
            self.tr("A MarianMT (OPUS-MT) model: a Hugging Face id or a local folder")
        )
        browse = QPushButton(self.tr("Folder…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.model, 1)
        row.addWidget(browse)
        form.addRow(self.tr("Model:"), row)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setStyleSheet("color: #6a6a6a;")
        self.model.currentTextChanged.connect(self._show_details)
        form.addRow("", self.details)
        self.overlay = QComboBox()
        for key, label in OVERLAY_LABELS.items():
            self.overlay.addItem(self.tr(label), key)
        form.addRow(self.tr("In the overlay:"), self.overlay)
        self.enabled.toggled.connect(self._enable)

    def load(self, settings: Settings) -> None:
        self.enabled.setChecked(settings.translation_enabled)
        index = self.target.findData(settings.translation_target)
        if index >= 0:
            self.target.setCurrentIndex(index)
        else:
            self.target.setEditText(settings.translation_target)
        self.model.setCurrentText(settings.translation_model)
        self._show_details(settings.translation_model)
        self.overlay.setCurrentIndex(max(0, self.overlay.findData(settings.translation_overlay)))
        self._enable(settings.translation_enabled)

    def target_code(self) -> str:
        """The chosen language's code (a listed one, or what was typed)."""
        text = self.target.currentText().strip()
        index = self.target.findText(text)
        return str(self.target.itemData(index)) if index >= 0 else text

    def save(self, settings: Settings) -> bool:
        """Write the fields; whether anything changed."""
        values = (
            self.enabled.isChecked(),
            self.target_code() or "zh",
            self.model.currentText().strip(),
            self.overlay.currentData(),
        )
        stored = (
            settings.translation_enabled,
            settings.translation_target,
            settings.translation_model,
            settings.translation_overlay,
        )
        if values == stored:
            return False
        (
            settings.translation_enabled,
            settings.translation_target,
            settings.translation_model,
            settings.translation_overlay,
        ) = values
        return True

    def _enable(self, on: bool) -> None:
        for widget in (self.target, self.model, self.overlay):
            widget.setEnabled(on)

    def _show_details(self, model: str) -> None:
        pair = pair_for_model(model.strip())
        self.details.setText(pair.summary() if pair else "")
        self.details.setVisible(pair is not None)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder with a MarianMT model"))
        if folder:
            self.model.setCurrentText(folder)
