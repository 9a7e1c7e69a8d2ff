"""The Settings dialog's choices that come from the engine: the model catalogue offered beside
free entry, and the Chinese script."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from helpers.desktop import ini

from desktop_app.widgets.settings_dialog import SettingsDialog
from engine.catalogue import catalogue, for_language


def test_settings_offer_the_catalogue_beside_free_entry(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = ini(tmp_path / "s.ini")
    dialog = SettingsDialog(settings, api_available=True)
    qtbot.addWidget(dialog)
    offered = [dialog.model.itemText(i) for i in range(dialog.model.count())]
    assert offered == [e.model for e in catalogue()]
    assert "WER 3.4 %" in dialog.model_details.text()
    chinese = for_language("zh")[0].model
    dialog.model.setCurrentIndex(offered.index(chinese))
    assert "中文" in dialog.model_details.text()
    dialog.model.setCurrentIndex(offered.index("nvidia/parakeet-ctc-0.6b"))
    assert "AMI meetings" in dialog.model_details.text()
    dialog.model.setCurrentIndex(offered.index("hf-audio/omniasr-ctc-300m-v2"))
    assert "see the model card" in dialog.model_details.text()
    dialog.model.setCurrentText("/models/my-own-wav2vec2")
    assert "Not in the catalogue" in dialog.model_details.text()
    dialog.save()
    assert settings.model == "/models/my-own-wav2vec2"


def test_settings_dialog_stores_the_chinese_script(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = ini(tmp_path / "s.ini")
    assert settings.chinese == ""
    dialog = SettingsDialog(settings, api_available=True)
    qtbot.addWidget(dialog)
    dialog.chinese.setCurrentIndex(dialog.chinese.findData("taiwan"))
    assert "profile" in dialog.save()
    assert settings.chinese == "taiwan"
    settings.qsettings.setValue("engine/chinese", "klingon")  # a hand-edited file
    assert settings.chinese == ""
