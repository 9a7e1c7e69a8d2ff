"""The settings dialog's group for the language model and custom words (engine.lm)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from engine.errors import ModelLoadError
from engine.lm_files import find_lm, split_hotwords

from ..settings import Settings


class LanguageModelGroup(QGroupBox):
    """On/off, an LM file or folder (empty: the model's own), the weights, custom words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Language model and custom words"))
        form = QFormLayout(self)
        self.enabled = QCheckBox(
            self.tr(
                "Decode with a language model: fewer word errors; final words come "
                "about half a second later"
            )
        )
        form.addRow(self.enabled)
        self.path = QLineEdit()
        self.path.setPlaceholderText(self.tr("The model's own, if it has one (the demo model has)"))
        self.path.setToolTip(
            self.tr(
                "A word n-gram model: an ARPA file, a KenLM binary (with unigrams.txt beside "
                "it), a language_model folder, or 'demo' for the demo model's own"
            )
        )
        browse = QPushButton(self.tr("File…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow(self.tr("Language model:"), row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.path.textChanged.connect(self._check_path)
        form.addRow("", self.status)
        self.custom_weights = QCheckBox(self.tr("Own weights:"))
        self.custom_weights.setToolTip(
            self.tr("Otherwise the language model's own (attrs.json) or the measured defaults")
        )
        self.alpha = QDoubleSpinBox(minimum=0.0, maximum=5.0, singleStep=0.05, decimals=2)
        self.beta = QDoubleSpinBox(minimum=-5.0, maximum=10.0, singleStep=0.25, decimals=2)
        self.custom_weights.toggled.connect(self.alpha.setEnabled)
        self.custom_weights.toggled.connect(self.beta.setEnabled)
        weights = QHBoxLayout()
        weights.addWidget(self.custom_weights)
        weights.addWidget(QLabel(self.tr("LM weight")))
        weights.addWidget(self.alpha)
        weights.addWidget(QLabel(self.tr("word bonus")))
        weights.addWidget(self.beta)
        weights.addStretch(1)
        form.addRow("", weights)
        self.hotwords = QPlainTextEdit()
        self.hotwords.setPlaceholderText(
            self.tr("Names, places, jargon: one word or phrase per line")
        )
        self.hotwords.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.hotwords.setToolTip(
            self.tr("Favoured by the decoder, with or without a language model")
        )
        form.addRow(self.tr("Custom words:"), self.hotwords)
        self.boost = QDoubleSpinBox(minimum=0.0, maximum=30.0, singleStep=1.0, decimals=1)
        self.boost.setToolTip(
            self.tr("How strongly custom words are favoured (a log-probability bonus per word)")
        )
        form.addRow(self.tr("Custom word boost:"), self.boost)

    def load(self, settings: Settings) -> None:
        self.enabled.setChecked(settings.lm_enabled)
        self.path.setText(settings.lm_path)
        self.custom_weights.setChecked(settings.lm_custom_weights)
        self.alpha.setValue(settings.lm_alpha)
        self.beta.setValue(settings.lm_beta)
        self.alpha.setEnabled(settings.lm_custom_weights)
        self.beta.setEnabled(settings.lm_custom_weights)
        self.hotwords.setPlainText(settings.hotwords)
        self.boost.setValue(settings.hotword_boost)
        self._check_path(settings.lm_path)

    def values(self) -> dict[str, bool | str | float]:
        """The fields, by the Settings attribute each is stored in."""
        return {
            "lm_enabled": self.enabled.isChecked(),
            "lm_path": self.path.text().strip(),
            "lm_custom_weights": self.custom_weights.isChecked(),
            "lm_alpha": round(self.alpha.value(), 2),
            "lm_beta": round(self.beta.value(), 2),
            "hotwords": "\n".join(split_hotwords(self.hotwords.toPlainText())),
            "hotword_boost": round(self.boost.value(), 1),
        }

    def save(self, settings: Settings) -> bool:
        """Write the fields; whether anything changed."""
        changed = {k: v for k, v in self.values().items() if getattr(settings, k) != v}
        for name, value in changed.items():
            setattr(settings, name, value)
        return bool(changed)

    def _check_path(self, text: str) -> None:
        """Say what the named LM is, or why it cannot be used (the file is read, not loaded)."""
        path = text.strip()
        if not path:
            self.status.setText("")
            return
        try:
            found = find_lm(path) if path != "demo" else None
        except ModelLoadError as exc:
            self.status.setStyleSheet("color: #b00020;")
            self.status.setText(str(exc))
            return
        self.status.setStyleSheet("color: #6a6a6a;")
        if found is None:
            self.status.setText(self.tr("The demo model's own language model"))
        else:
            self.status.setText(
                self.tr("{} words known ({})").format(
                    f"{len(found.unigrams):,}", Path(found.path).name
                )
            )

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Language model"),
            "",
            self.tr("Language models (*.arpa *.bin *.binary);;All files (*)"),
        )
        if name:
            self.path.setText(name)
