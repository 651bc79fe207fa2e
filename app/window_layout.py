"""The window's layout: which panels show, the View menu that toggles them, the layout
limner starts with (to reset to), the user's saved layout, and full screen.

The Conflicts panel stays out of the way until it has something to say: it shows itself
when a conflict or a sync problem appears and hides again when they are gone, so a
project without a server never gives a third of the right column to an empty list.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar

from limner.app.settings import app_settings
from limner.widgets.i18n import translate


class WindowLayout:
    def __init__(self, window: QMainWindow) -> None:
        self._window = window
        self.docks: dict[str, QDockWidget] = {}
        self._default: QByteArray | None = None
        self._attention: QDockWidget | None = None

    def add_dock(self, dock: QDockWidget, *, on_attention: bool = False) -> None:
        self.docks[dock.objectName()] = dock
        if on_attention:
            self._attention = dock

    def add_panels_menu(self, view: QMenu) -> QMenu:
        """View > Panels: one checkable entry per panel and toolbar, in window order."""
        panels = QMenu(translate("WindowLayout", "&Panels"), view)
        panels.setObjectName("panelsMenu")
        for dock in self.docks.values():
            panels.addAction(dock.toggleViewAction())
        panels.addSeparator()
        for bar in self._window.findChildren(QToolBar):
            action = bar.toggleViewAction()
            named = translate("WindowLayout", "{name} toolbar")
            action.setText(named.format(name=bar.windowTitle()))
            panels.addAction(action)
        first = view.actions()[0] if view.actions() else None
        view.insertMenu(first, panels)  # type: ignore[arg-type]
        view.insertSeparator(first)  # type: ignore[arg-type]
        return panels

    def remember_default(self) -> None:
        """The layout as built, before any saved one is restored: what Reset goes back to."""
        if self._attention is not None:
            self._attention.hide()
        self._default = self._window.saveState()

    def reset(self) -> None:
        if self._default is not None:
            self._window.restoreState(self._default)
        self.follow_attention(self._attention_needed())

    def toggle_full_screen(self) -> None:
        if self._window.isFullScreen():
            self._window.showNormal()
        else:
            self._window.showFullScreen()

    def is_full_screen(self) -> bool:
        return self._window.isFullScreen()

    def follow_attention(self, needed: bool) -> None:
        if self._attention is not None:
            self._attention.setVisible(needed)

    def _attention_needed(self) -> bool:
        panel = self._attention.widget() if self._attention is not None else None
        return bool(getattr(panel, "needs_attention", False))

    def save(self) -> None:
        settings = app_settings()
        settings.setValue("geometry", self._window.saveGeometry())
        settings.setValue("state", self._window.saveState())

    def restore(self) -> None:
        settings = app_settings()
        geometry = settings.value("geometry")
        state = settings.value("state")
        if geometry is not None:
            self._window.restoreGeometry(geometry)
        if state is not None:
            self._window.restoreState(state)
        self.follow_attention(self._attention_needed())


__all__ = ["WindowLayout"]
