"""Tab and Shift+Tab through the panels; arrows and Enter in the lists."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def _tab_walk(window, key_modifier=Qt.KeyboardModifier.NoModifier, steps: int = 60) -> list:
    window.canvas.setFocus()
    seen = []
    for _ in range(steps):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab, key_modifier)
        seen.append(QApplication.focusWidget())
        if seen[-1] is window.canvas:
            break
    return seen


def test_tab_reaches_every_panel_in_reading_order(qtbot, window) -> None:
    seen = _tab_walk(window)
    wanted = [window.images.table, window.classes.list, window.annotation_list,
              window.workflow.history_panel, window.canvas]  # fmt: skip
    positions = [seen.index(w) for w in wanted]
    assert positions == sorted(positions)
    assert seen.index(window.images.search) < seen.index(window.images.table)


def test_shift_tab_walks_back(qtbot, window) -> None:
    forward = _tab_walk(window)
    backward = _tab_walk(window, Qt.KeyboardModifier.ShiftModifier)
    # Qt sends Shift+Tab as Backtab; the walk back meets the panels in reverse order.
    lists = [window.images.table, window.classes.list, window.annotation_list]
    assert [w for w in forward if w in lists] == lists
    assert [w for w in backward if w in lists] == lists[::-1]


def test_arrows_in_the_image_list_open_images_and_enter_returns_to_the_canvas(
    qtbot, window
) -> None:
    table = window.images.table
    table.setFocus()
    first = window.editor.image.id
    QTest.keyClick(table, Qt.Key.Key_Down)
    assert window.editor.image.id != first
    QTest.keyClick(table, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is window.canvas
    QTest.keyClick(window.canvas, Qt.Key.Key_B)  # the tool keys work at once
    assert window.editor.tool is window.editor.tools["box"]


def test_arrows_in_the_class_list_pick_a_class(qtbot, window) -> None:
    classes = window.classes.list
    classes.setFocus()
    classes.setCurrentRow(0)
    QTest.keyClick(classes, Qt.Key.Key_Down)
    assert window.editor.active_class_id() == window.editor.classes[1].id
    QTest.keyClick(classes, Qt.Key.Key_Enter)
    assert QApplication.focusWidget() is window.canvas
