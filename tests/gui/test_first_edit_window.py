"""Drawing the first shape on a new image shows it as in progress at once, and Ctrl+Z as new.

Driven through the real window: the B key, a real drag on the canvas, Ctrl+Z, and the
status column of the image list as the user reads it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.gui.conftest import drag, image_to_view


def listed_status(win, image_id: int) -> str:  # type: ignore[no-untyped-def]
    model = win.images.model
    for row in range(model.rowCount()):
        if model.data(model.index(row, 0), model.ImageRole) == image_id:
            return str(model.data(model.index(row, 1)))
    raise AssertionError(f"image {image_id} is not listed")


def test_the_first_box_starts_the_image_and_undo_makes_it_new(qtbot, window) -> None:
    win = window
    image_id = win.editor.image.id
    assert win.editor.image.status == "new"
    assert listed_status(win, image_id) == "new"

    QTest.keyClick(win, Qt.Key.Key_B)
    drag(win.canvas.viewport(), image_to_view(win, 10, 10), image_to_view(win, 40, 30))
    qtbot.waitUntil(lambda: len(win.editor.shapes) == 1)
    assert win.editor.image.status == "in_progress"
    qtbot.waitUntil(lambda: listed_status(win, image_id) == "in progress")

    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(win.editor.shapes) == 0)
    assert win.editor.image.status == "new"
    qtbot.waitUntil(lambda: listed_status(win, image_id) == "new")
