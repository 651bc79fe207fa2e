"""The keyboard comes back to the project window when one of its dialogs closes.

Without a window manager that hands the focus back (a bare X server, some tiling setups),
closing a dialog leaves no window with the keyboard: the next R, A or Ctrl+Q goes nowhere
until the user clicks. So when the focused window goes away and no window of the
application has the keyboard any more, the project window asks for it again and the canvas
takes the keys, unless a widget of the project window had them before the dialog. When the user
leaves for another application, the window that had the keyboard is still shown, and
nothing is taken back. And whenever the project window becomes active again with none of
its widgets focused, the canvas takes the keys, so R, a comment, Enter, next keeps flowing.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import QApplication, QWidget


class FocusReturn(QObject):
    def __init__(self, window: QWidget, canvas: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._canvas = canvas
        self._watched: set[int] = set()
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication)
        app.focusWindowChanged.connect(self._focus_window_changed)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.WindowActivate:
            QTimer.singleShot(0, self._canvas_if_nothing_focused)
        return False

    def _canvas_if_nothing_focused(self) -> None:
        if not shiboken6.isValid(self._window) or not shiboken6.isValid(self._canvas):
            return
        focused = QApplication.focusWidget()
        if focused is None or focused.window() is not self._window:
            self._canvas.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def _focus_window_changed(self, focused: QWindow | None) -> None:
        """Watch every other window that takes the keyboard, to know when it goes away."""
        if focused is None or focused == self._window.windowHandle():
            return
        key = int(shiboken6.getCppPointer(focused)[0])
        if key in self._watched:
            return
        self._watched.add(key)
        focused.visibleChanged.connect(lambda shown: self._went_away(key, shown))
        focused.destroyed.connect(lambda *_: self._went_away(key, False))

    def _went_away(self, key: int, shown: bool) -> None:
        if shown:
            return
        self._watched.discard(key)
        QTimer.singleShot(0, self._take_back)

    def _take_back(self) -> None:
        window = self._window
        if not shiboken6.isValid(window) or not window.isVisible():
            return
        if QApplication.activeModalWidget() is not None:
            return  # another dialog is up and has the keyboard
        focused = QGuiApplication.focusWindow()
        if focused is not None and focused != window.windowHandle() and focused.isVisible():
            return  # another window of ours has the keyboard
        window.raise_()
        window.activateWindow()
        if window.focusWidget() is None:
            self._canvas.setFocus()
