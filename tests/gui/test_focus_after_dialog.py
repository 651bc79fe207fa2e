"""Closing a dialog gives the keyboard back to the project window, so the next shortcut works.

Qt keeps a closed dialog as the focused window when nothing (no window manager) hands the
focus back; the reviewer's next R or the next Ctrl+Q would then go nowhere until a click.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog


def open_dialog(qtbot, win) -> QDialog:  # type: ignore[no-untyped-def]
    dialog = QDialog(win)
    dialog.setObjectName("someDialog")
    dialog.open()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() == dialog.windowHandle())
    return dialog


def test_the_window_has_the_keyboard_again_after_a_dialog_closes(qtbot, window) -> None:
    win = window
    dialog = open_dialog(qtbot, win)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() == win.windowHandle())
    assert QApplication.focusWidget() is not None and QApplication.focusWidget().window() is win

    # and a second time: every dialog, not only the first one, gives the keyboard back
    again = open_dialog(qtbot, win)
    again.accept()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() == win.windowHandle())
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_B)
    assert win.editor.tool.name == "box"


def test_a_focused_widget_of_the_window_keeps_the_keyboard(qtbot, window) -> None:
    win = window
    search = win.images.search
    search.setFocus()
    dialog = open_dialog(qtbot, win)
    dialog.reject()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() == win.windowHandle())
    assert QApplication.focusWidget() is search
