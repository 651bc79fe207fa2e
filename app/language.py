"""Which language the window speaks, and loading its catalogues.

The user picks a language in Preferences or leaves it to follow the system, whose UI
languages (``QLocale.system().uiLanguages()``, from ``LANGUAGE``/``LANG`` on Linux) are
tried in order; a language limner has no catalogue for falls back to English, the
language of the source texts, which needs no catalogue. Two catalogues are loaded:

- Qt's own ``qtbase_<lang>.qm`` from the PySide6 wheel: the OK/Cancel buttons, file dialogs
  and the names of keys (``Strg`` for Ctrl in German);
- ``limner_<lang>.qm`` from ``resources/i18n``, compiled from the ``.ts`` beside it.

The language is chosen when limner starts; windows are built in it. Preferences says that
a change of language shows from the next start, since a window cannot re-say every text it
has already handed to Qt.
"""

from __future__ import annotations

import logging
from importlib.resources import as_file, files
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from limner.app.preferences import LANGUAGES

log = logging.getLogger(__name__)

CATALOGUES = tuple(code for code in LANGUAGES if code not in ("system", "en"))
"""The languages with a limner catalogue besides English (the source language)."""
_OURS = "limnerTranslator"


def catalogue_folder() -> Path:
    """The folder of the compiled catalogues (``limner_<lang>.qm``) in the installed package."""
    with as_file(files("limner.resources") / "i18n") as folder:
        return Path(folder)


def system_language(names: list[str] | None = None) -> str:
    """The first of the system's UI languages that limner speaks ("en" when none)."""
    for name in QLocale.system().uiLanguages() if names is None else names:
        locale = QLocale(name)
        if locale.language() == QLocale.Language.German:
            return "de"
        if locale.language() == QLocale.Language.Chinese:
            if locale.script() != QLocale.Script.TraditionalHanScript:
                return "zh_CN"
            continue  # traditional script: look further down the user's list
        if locale.language() == QLocale.Language.English:
            return "en"
    return "en"


def resolve_language(chosen: str) -> str:
    """The language to speak for the preference ``chosen`` ("system" asks the system)."""
    if chosen in CATALOGUES or chosen == "en":
        return chosen
    return system_language()


def install_language(app: QCoreApplication, chosen: str) -> str:
    """Load the catalogues of ``chosen`` (a code or "system") into ``app``, replacing the
    ones loaded before; returns the language now spoken."""
    for old in app.findChildren(QTranslator, _OURS):
        QCoreApplication.removeTranslator(old)
        old.deleteLater()
    code = resolve_language(chosen)
    if code != "en":
        qt_folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
        _load(app, qt_folder / f"qtbase_{code}.qm")
        _load(app, catalogue_folder() / f"limner_{code}.qm")
    QLocale.setDefault(QLocale(code) if code != "en" else QLocale.system())
    return code


def _load(app: QCoreApplication, path: Path) -> None:
    translator = QTranslator(app)
    translator.setObjectName(_OURS)
    if translator.load(str(path)):
        QCoreApplication.installTranslator(translator)
    else:  # a build without the catalogue speaks English rather than fail
        log.warning("cannot load the catalogue %s", path)
        translator.deleteLater()


__all__ = ["CATALOGUES", "install_language", "resolve_language", "system_language"]
