"""Drawing, editing and undoing boxes with real mouse and key events."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from limner.models.domain.geometry import Box
from limner.models.store import queries
from tests.gui.conftest import drag, image_to_view, info_in_new_process


def live_boxes(win) -> list[Box]:
    with win.store.read() as conn:
        return [a.geometry for a in queries.annotations_for_image(conn, win.editor.image.id)]


def test_draw_box_persists_undo_redo_across_processes(qtbot, window) -> None:
    win = window
    QTest.keyClick(win, Qt.Key.Key_B)
    assert win.editor.tool.name == "box"
    viewport = win.canvas.viewport()
    drag(viewport, image_to_view(win, 10, 10), image_to_view(win, 50, 40))
    (box,) = live_boxes(win)
    # the view maps whole screen pixels, so corners land within one screen pixel
    tol = 1.5 / win.canvas.zoom
    assert abs(box.x0 - 10) < tol and abs(box.y0 - 10) < tol
    assert abs(box.x1 - 50) < tol and abs(box.y1 - 40) < tol
    cat = win.editor.classes[0]
    (ann,) = win.editor.annotations
    assert ann.class_id == cat.id  # the first class by default, no dialog
    assert win.editor.selection() == {ann.uuid}
    assert win.annotation_list.count() == 1
    assert win.annotation_list.selected_uuids() == {ann.uuid}

    folder = win.store.folder
    assert info_in_new_process(folder)["by_kind"] == {"box": 1}
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert live_boxes(win) == []
    assert info_in_new_process(folder)["by_kind"] == {}
    QTest.keyClick(
        win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert live_boxes(win) == [box]
    assert info_in_new_process(folder)["by_kind"] == {"box": 1}
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(win, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert live_boxes(win) == [box]


def test_tiny_drag_and_escape_make_no_box(qtbot, window) -> None:
    win = window
    QTest.keyClick(win, Qt.Key.Key_B)
    viewport = win.canvas.viewport()
    start = image_to_view(win, 10, 10)
    drag(viewport, start, start + QPoint(1, 1))
    assert live_boxes(win) == []
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, image_to_view(win, 40, 40))
    assert win.editor.tool.busy
    QTest.keyClick(win.canvas, Qt.Key.Key_Escape)
    QTest.mouseRelease(
        viewport,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        image_to_view(win, 40, 40),
    )
    assert live_boxes(win) == []


def test_select_move_resize_delete(qtbot, window) -> None:
    win = window
    QTest.keyClick(win, Qt.Key.Key_B)
    viewport = win.canvas.viewport()
    drag(viewport, image_to_view(win, 10, 10), image_to_view(win, 30, 30))
    (original,) = live_boxes(win)
    QTest.keyClick(win, Qt.Key.Key_V)
    # click empty space clears the selection, click inside selects
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=image_to_view(win, 60, 50))
    assert win.editor.selection() == frozenset()
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=image_to_view(win, 20, 20))
    assert len(win.editor.selection()) == 1
    # move by dragging the inside: one undo step for the whole drag
    steps_before = len(win.editor.history)
    drag(viewport, image_to_view(win, 20, 20), image_to_view(win, 30, 25), steps=8)
    (moved,) = live_boxes(win)
    assert len(win.editor.history) == steps_before + 1
    tol = 1.5 / win.canvas.zoom
    assert abs(moved.x0 - (original.x0 + 10)) < tol and abs(moved.y0 - (original.y0 + 5)) < tol
    assert abs(moved.width - original.width) < 1e-9
    # resize by the bottom-right handle
    drag(viewport, image_to_view(win, moved.x1, moved.y1), image_to_view(win, 60, 50))
    (resized,) = live_boxes(win)
    assert abs(resized.x1 - 60) < tol and abs(resized.y1 - 50) < tol
    assert resized.x0 == moved.x0 and resized.y0 == moved.y0
    # undo the resize, then delete with the Delete key
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert live_boxes(win) == [moved]
    QTest.keyClick(win, Qt.Key.Key_Delete)
    assert live_boxes(win) == []
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert live_boxes(win) == [moved]


def test_digit_keys_pick_class_and_relabel_selection(qtbot, window) -> None:
    win = window
    names = [c.name for c in win.editor.classes]
    assert names == ["cat", "dog", "bird"]
    QTest.keyClick(win, Qt.Key.Key_B)
    QTest.keyClick(win, Qt.Key.Key_2)
    drag(win.canvas.viewport(), image_to_view(win, 5, 5), image_to_view(win, 25, 25))
    (ann,) = win.editor.annotations
    assert win.editor.class_by_id(ann.class_id).name == "dog"
    QTest.keyClick(win, Qt.Key.Key_3)
    (ann,) = win.editor.annotations
    assert win.editor.class_by_id(ann.class_id).name == "bird"
    assert win.classes.active_class_id == ann.class_id
    # the panel does the same
    win.classes.list.setCurrentRow(0)
    (ann,) = win.editor.annotations
    assert win.editor.class_by_id(ann.class_id).name == "cat"


def test_class_panel_add_rename_recolor_delete(qtbot, window) -> None:
    win = window
    win.classes.addRequested.emit("fish")
    assert [c.name for c in win.editor.classes] == ["cat", "dog", "bird", "fish"]
    assert win.classes.list.count() == 4
    fish = win.editor.classes[-1]
    win.classes.renameRequested.emit(fish.id, "shark")
    win.classes.recolorRequested.emit(fish.id, "#010203")
    shark = win.editor.class_by_id(fish.id)
    assert (shark.name, shark.color) == ("shark", "#010203")
    assert "shark" in win.classes.list.item(3).text()
    win.classes.deleteRequested.emit(fish.id)
    assert [c.name for c in win.editor.classes] == ["cat", "dog", "bird"]
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [c.name for c in win.editor.classes][-1] == "shark"


def test_next_previous_and_status_bar(qtbot, window) -> None:
    win = window
    assert win.editor.image.name == "img1.png"
    QTest.keyClick(win, Qt.Key.Key_D)
    assert win.editor.image.name == "img2.png"
    assert "2 / 5" in win.position_label.text()
    QTest.keyClick(win, Qt.Key.Key_A)
    QTest.keyClick(win, Qt.Key.Key_A)
    assert win.editor.image.name == "img1.png"
    QTest.mouseMove(win.canvas.viewport(), image_to_view(win, 3.5, 2.5))
    text = win.cursor_label.text()
    value = win.editor.pixels[2, 3]
    assert f"RGB({value[0]}, {value[1]}, {value[2]})" in text
    assert "x 3." in text and "y 2." in text


def test_zoom_fit_and_actual_size(qtbot, window) -> None:
    win = window
    QTest.keyClick(win, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert win.canvas.zoom == 1.0
    QTest.keyClick(win, Qt.Key.Key_F)
    fitted = win.canvas.zoom
    assert fitted > 1.0  # an 80x60 image fills a 1200x800 window
    before = win.canvas.mapToScene(win.canvas.viewport().rect().center())
    qtbot.wait(1)
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent

    center = win.canvas.viewport().rect().center()
    event = QWheelEvent(
        QPointF(center),
        QPointF(win.canvas.mapToGlobal(center)),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,  # Ctrl+wheel zooms; the plain wheel scrolls
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    win.canvas.wheelEvent(event)
    assert abs(win.canvas.zoom - fitted * 1.25) < 1e-6
    after = win.canvas.mapToScene(center)
    assert abs(after.x() - before.x()) < 2 / win.canvas.zoom + 0.5
