"""The app's language: Qt translations of the interface, chosen by the Language setting or,
by default, the system's language.

Our strings come from ``translations/live_captions_<locale>.qm`` (made with pyside6-lupdate and
pyside6-lrelease, see tools/translations.py); Qt's own (standard buttons, file dialogs) from the
``qtbase`` translations that PySide6 ships. A change applies from the next start of the app.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger("desktop_app.language")

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
# Language setting values and their names, each in its own language; "" follows the system.
LANGUAGES: dict[str, str] = {
    "": str(QT_TRANSLATE_NOOP("SettingsDialog", "System language")),
    "en": "English",
    "zh_CN": "简体中文",
    "zh_TW": "繁體中文",
}


def locale_for(language: str) -> QLocale:
    """The locale for a Language setting ("" or unknown: the system's)."""
    return QLocale(language) if language in LANGUAGES and language else QLocale.system()


def install_translators(app: QCoreApplication, language: str = "") -> list[QTranslator]:
    """Install the translators for ``language`` on ``app`` (replacing any installed before);
    the ones installed, none for English or a language without a translation."""
    for old in app.findChildren(QTranslator):
        app.removeTranslator(old)
        old.deleteLater()
    locale = locale_for(language)
    QLocale.setDefault(locale)
    installed = []
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name, folder in (("live_captions", str(TRANSLATIONS_DIR)), ("qtbase", qt_dir)):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder) and app.installTranslator(translator):
            installed.append(translator)
        else:
            translator.deleteLater()
    log.info("interface language %s: %d translation files", locale.name(), len(installed))
    return installed
