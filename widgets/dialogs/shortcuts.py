"""The F1 cheat sheet: every key and gesture in two columns, scrolling when it is taller
than the screen (the table grows with every action, screens do not)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from limner.widgets.i18n import translate
from limner.widgets.plain import escaped

SCREEN_SHARE = 0.8
"""At most this share of the screen's height; the rest scrolls."""


class ShortcutsDialog(QDialog):
    def __init__(self, rows: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsBox")
        self.setWindowTitle(translate("ShortcutsDialog", "Keyboard shortcuts"))
        cells = "".join(
            f"<tr><td>{escaped(what)}</td><td><b>{escaped(keys)}</b></td></tr>"
            for what, keys in rows
        )
        self.label = QLabel(f"<table cellspacing='4'>{cells}</table>")
        self.label.setObjectName("shortcutsText")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setContentsMargins(8, 8, 8, 8)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.label)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # arrows and Page Down scroll
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll)
        layout.addWidget(buttons)
        self._fit_screen()
        self.scroll.setFocus()

    def _fit_screen(self) -> None:
        screen = (self.parentWidget() or self).screen() or QGuiApplication.primaryScreen()
        limit = int(screen.availableGeometry().height() * SCREEN_SHARE) if screen else 800
        wanted = self.label.sizeHint()
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        self.scroll.setMinimumWidth(wanted.width() + bar + 4)
        self.resize(wanted.width() + bar + 40, min(wanted.height() + 80, limit))

    def text(self) -> str:
        return self.label.text()
