"""The Preferences dialog: a form over plain values, which the application applies.

It reads and returns a mapping of the preference names to values, so it knows nothing of
where they are stored; the tile cache line shows the size measured by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from limner.widgets.i18n import translate
from limner.widgets.plain import plain_label

LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "zh_CN": "简体中文"}
"""Each language by its own name, as every language chooser shows it."""


def language_names() -> dict[str, str]:
    return {"system": translate("Preferences", "Follow the system"), **LANGUAGE_NAMES}


def theme_names() -> dict[str, str]:
    return {
        "system": translate("Preferences", "Follow the system"),
        "light": translate("Preferences", "Light"),
        "dark": translate("Preferences", "Dark"),
    }


def wheel_names() -> dict[str, str]:
    return {
        "scroll": translate("Preferences", "Wheel scrolls, Ctrl+wheel zooms"),
        "zoom": translate("Preferences", "Wheel zooms, Ctrl+wheel scrolls"),
    }


def _combo(names: Mapping[str, str], current: str, name: str) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    for key, text in names.items():
        box.addItem(text, key)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


def _spin(value: int, low: int, high: int, suffix: str, name: str) -> QSpinBox:
    box = QSpinBox()
    box.setObjectName(name)
    box.setRange(low, high)
    box.setSuffix(suffix)
    box.setValue(value)
    return box


class PreferencesDialog(QDialog):
    def __init__(
        self, values: Mapping[str, object], cache_used: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle(translate("Preferences", "Preferences"))
        self.language = _combo(language_names(), str(values["language"]), "prefLanguage")
        self.language_note = plain_label(
            translate("Preferences", "A new language shows the next time limner starts."),
            name="prefLanguageNote",
        )
        self.language_note.setWordWrap(True)
        self.theme = _combo(theme_names(), str(values["theme"]), "prefTheme")
        self.wheel = _combo(wheel_names(), str(values["wheel"]), "prefWheel")
        seconds, images = translate("Preferences", " s"), translate("Preferences", " images")
        self.sync_interval = _spin(int(values["sync_interval_s"]), 5, 86400, seconds, "prefSync")  # type: ignore[call-overload]
        self.prefetch = _spin(int(values["prefetch"]), 0, 20, images, "prefPrefetch")  # type: ignore[call-overload]
        self.tile_cache = _spin(int(values["tile_cache_mb"]), 0, 1024 * 1024, " MB", "prefCache")  # type: ignore[call-overload]
        self.author = QLineEdit(str(values["author"]))
        self.author.setObjectName("prefAuthor")
        self.author.setPlaceholderText(translate("Preferences", "your login name or LIMNER_USER"))
        self.toolbar_text = QCheckBox(translate("Preferences", "Show names beside toolbar icons"))
        self.toolbar_text.setObjectName("prefToolbarText")
        self.toolbar_text.setChecked(bool(values["toolbar_text"]))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        form = QFormLayout(self)
        form.addRow(translate("Preferences", "Language"), self.language)
        form.addRow("", self.language_note)
        form.addRow(translate("Preferences", "Theme"), self.theme)
        form.addRow(translate("Preferences", "Mouse wheel"), self.wheel)
        form.addRow(translate("Preferences", "Sync every"), self.sync_interval)
        form.addRow(translate("Preferences", "Read ahead"), self.prefetch)
        form.addRow(translate("Preferences", "Tile cache on disk"), self.tile_cache)
        if cache_used:
            form.addRow("", plain_label(cache_used, name="prefCacheUsed"))
        form.addRow(translate("Preferences", "Author name"), self.author)
        form.addRow("", self.toolbar_text)
        form.addRow(buttons)

    def values(self) -> dict[str, object]:
        return {
            "language": self.language.currentData(),
            "theme": self.theme.currentData(),
            "wheel": self.wheel.currentData(),
            "sync_interval_s": self.sync_interval.value(),
            "prefetch": self.prefetch.value(),
            "tile_cache_mb": self.tile_cache.value(),
            "author": self.author.text().strip(),
            "toolbar_text": self.toolbar_text.isChecked(),
        }
