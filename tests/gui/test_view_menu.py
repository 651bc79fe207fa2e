"""View menu, zoom keys, full screen, panels and the wheel, with real key and wheel events."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QMenu

from limner.widgets.panels.sync_widgets import ConflictRow

CTRL = Qt.KeyboardModifier.ControlModifier


def wheel(win, *, angle: int = 0, pixels: QPoint | None = None, modifiers=None) -> None:
    """A wheel (or trackpad, with ``pixels``) event at the centre of the canvas."""
    viewport = win.canvas.viewport()
    center = QPointF(viewport.rect().center())
    event = QWheelEvent(
        center,
        QPointF(viewport.mapToGlobal(center.toPoint())),
        pixels or QPoint(0, 0),
        QPoint(0, angle),
        Qt.MouseButton.NoButton,
        modifiers or Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, event)


def test_zoom_keys_follow_labelme(qtbot, window) -> None:
    QTest.keyClick(window, Qt.Key.Key_0, CTRL)
    assert window.canvas.zoom == 1.0
    QTest.keyClick(window, Qt.Key.Key_Equal, CTRL)
    assert window.canvas.zoom > 1.0
    QTest.keyClick(window, Qt.Key.Key_Minus, CTRL)
    QTest.keyClick(window, Qt.Key.Key_Minus, CTRL)
    assert window.canvas.zoom < 1.0
    QTest.keyClick(window, Qt.Key.Key_F, CTRL)
    assert window.canvas.zoom > 5  # an 80x60 image fitted into a 1200x800 window


def test_plain_wheel_scrolls_ctrl_wheel_zooms_and_the_preference_swaps(qtbot, window) -> None:
    QTest.keyClick(window, Qt.Key.Key_F)
    window.canvas.set_zoom(window.canvas.zoom * 4)  # room to scroll
    zoom = window.canvas.zoom
    bar = window.canvas.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    before = bar.value()
    wheel(window, angle=-120)
    assert window.canvas.zoom == zoom and bar.value() > before
    scrolled = bar.value()
    wheel(window, pixels=QPoint(0, -40), angle=-40)  # a trackpad: pixel deltas
    assert window.canvas.zoom == zoom and bar.value() > scrolled
    wheel(window, angle=120, modifiers=CTRL)
    assert window.canvas.zoom > zoom
    window.canvas.wheel_zooms = True
    zoomed, at = window.canvas.zoom, bar.value()
    wheel(window, angle=120)
    assert window.canvas.zoom > zoomed
    zoomed = window.canvas.zoom
    wheel(window, angle=-120, modifiers=CTRL)
    assert window.canvas.zoom == zoomed and bar.value() != at


def test_no_scrollbars_at_fit(qtbot, window) -> None:
    QTest.keyClick(window, Qt.Key.Key_F)
    assert not window.canvas.verticalScrollBar().isVisible()
    assert not window.canvas.horizontalScrollBar().isVisible()


def test_every_panel_toggles_from_the_view_menu_and_reset_brings_them_back(qtbot, window):
    panels = window.findChild(QMenu, "panelsMenu")
    docks = window.findChildren(QDockWidget)
    titles = {a.text() for a in panels.actions()}
    assert {d.windowTitle() for d in docks} <= titles
    assert "Main toolbar" in titles
    images = window.findChild(QDockWidget, "imagesDock")
    assert images.isVisible()
    next(a for a in panels.actions() if a.text() == "Images").trigger()
    assert not images.isVisible()
    window.action_set["reset_layout"].trigger()
    assert images.isVisible()


def test_conflicts_panel_shows_only_while_there_is_a_conflict(qtbot, window) -> None:
    dock = window.findChild(QDockWidget, "conflictDock")
    assert not dock.isVisible()
    window.conflicts.set_rows([ConflictRow(1, None, "img1.png", "k", "both changed")])
    assert dock.isVisible()
    window.conflicts.set_rows([])
    assert not dock.isVisible()


def test_f11_toggles_full_screen(qtbot, window) -> None:
    QTest.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    assert window.action_set["full_screen"].isChecked()
    QTest.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen())


def test_cheat_sheet_lists_the_view_keys(window) -> None:
    rows = dict(window.shortcut_rows())
    assert rows["Full screen"] == "F11"
    assert "Ctrl+0" in rows["100%"] and "Ctrl+F" in rows["Fit"]
    assert rows["Zoom at the cursor"] == "Ctrl+Wheel"
