"""Small things a newcomer hits: the F1 sheet scrolls, an empty rejection asks again, the
status-bar counter follows the list, and focus comes back to the canvas."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog

from limner.widgets.dialogs.shortcuts import ShortcutsDialog
from tests.conftest import write_image

CTRL = Qt.KeyboardModifier.ControlModifier


def test_the_cheat_sheet_fits_the_screen_and_scrolls(qtbot, window) -> None:
    QTest.keyClick(window, Qt.Key.Key_F1)
    box = window.findChild(ShortcutsDialog, "shortcutsBox")
    qtbot.waitExposed(box)
    screen = box.screen().availableGeometry().height()
    assert box.height() <= screen
    rows = box.text().count("<tr>")
    assert rows == len(window.shortcut_rows()) > 40
    if box.label.sizeHint().height() > box.scroll.viewport().height():
        bar = box.scroll.verticalScrollBar()
        assert bar.maximum() > 0
        for _ in range(20):
            QTest.keyClick(box.scroll, Qt.Key.Key_PageDown)
        assert bar.value() == bar.maximum()


def _dialog(qtbot, window) -> QInputDialog:
    qtbot.waitUntil(lambda: isinstance(window.workflow.dialog, QInputDialog))
    dialog = window.workflow.dialog
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_an_empty_rejection_asks_again_and_the_keys_keep_working(qtbot, window) -> None:
    first = window.editor.image.id
    QTest.keyClick(window, Qt.Key.Key_Return, CTRL)  # submit
    QTest.keyClick(window, Qt.Key.Key_F7)
    window.editor.open_image(first)
    QTest.keyClick(window, Qt.Key.Key_R)
    empty = _dialog(qtbot, window)
    QTest.keyClick(empty.focusWidget(), Qt.Key.Key_Return)  # no comment
    again = _dialog(qtbot, window)
    assert again is not empty and "needs a comment" in again.labelText()
    QTest.keyClicks(again.focusWidget(), "too loose")
    QTest.keyClick(again.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not again.isVisible())
    with window.store.read() as conn:
        from limner.models.store import queries

        assert queries.image_by_id(conn, first).status == "rejected"
    QApplication.processEvents()
    focused = QApplication.focusWidget()
    assert focused is None or focused.window() is window  # keys reach the window


def test_focus_returns_to_the_canvas_after_a_dialog(qtbot, window) -> None:
    QTest.keyClick(window, Qt.Key.Key_P, CTRL)  # Progress…
    dialog = window.workflow.progress_dialog
    qtbot.waitExposed(dialog)
    dialog.close()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.canvas)


def test_the_counter_follows_images_that_arrive_later(qtbot, window, tmp_path) -> None:
    assert window.position_label.text().endswith("1 / 5")
    more = tmp_path / "later"
    for i in range(3):
        write_image(more / f"late{i}.png", seed=40 + i)
    window.importer.add_paths([more])
    window.importer.wait()
    qtbot.waitUntil(lambda: window.position_label.text().endswith("1 / 8"))
