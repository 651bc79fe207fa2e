"""Polylines, points, ellipses and rotated boxes drawn and edited with real mouse and key
events in the window: stored, undone, redone, copied and pasted, and converted."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog

from limner.models.domain.geometry import Box, Ellipse, Geometry, Point, Polygon, Polyline
from limner.models.editing import shape_handles as sh
from limner.models.store import queries
from tests.gui.conftest import drag, image_to_view

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
NONE = Qt.KeyboardModifier.NoModifier


def live(win) -> list[Geometry]:
    """What SQLite holds for the open image."""
    with win.store.read() as conn:
        return [a.geometry for a in queries.annotations_for_image(conn, win.editor.image.id)]


def click(win, x: float, y: float, modifier=NONE) -> None:
    QTest.mouseClick(
        win.canvas.viewport(), Qt.MouseButton.LeftButton, modifier, image_to_view(win, x, y)
    )


def undo_redo_copy_paste(win, shape: Geometry, before: list[Geometry] | None = None) -> None:
    """Ctrl+Z (back to ``before``), Ctrl+Shift+Z, then Ctrl+C / Ctrl+V of ``shape``."""
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)
    assert live(win) == (before or [])
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL | SHIFT)
    assert live(win) == [shape]
    (ann,) = win.editor.annotations
    win.editor.set_selection([ann.uuid])
    QTest.keyClick(win, Qt.Key.Key_C, CTRL)
    QTest.keyClick(win, Qt.Key.Key_V, CTRL)
    assert live(win) == [shape, shape]
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)
    assert live(win) == [shape]


def near(a: tuple[float, float], b: tuple[float, float], tol: float) -> bool:
    return abs(a[0] - b[0]) <= tol and abs(a[1] - b[1]) <= tol


def row_texts(win) -> list[str]:
    model = win.annotation_list.model()
    return [model.index(i, 0).data() for i in range(model.rowCount())]


def shift_drag(widget, start: QPoint, end: QPoint, steps: int = 5) -> None:
    """A left-button drag with Shift held throughout, moves included (QTest's moves carry
    no modifiers, so they are sent as the mouse events the platform would send)."""
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, SHIFT, start)
    for i in range(1, steps + 1):
        point = QPointF(start + (end - start) * (i / steps))
        event = QMouseEvent(
            QEvent.Type.MouseMove,
            point,
            widget.mapToGlobal(point),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            SHIFT,
        )
        QApplication.sendEvent(widget, event)
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, SHIFT, end)


def test_polyline_drawn_stored_undone_copied(qtbot, window) -> None:
    win = window
    tol = 1.5 / win.canvas.zoom
    QTest.keyClick(win, Qt.Key.Key_I)
    assert win.editor.tool.name == "polyline"
    for x, y in [(10, 10), (40, 15), (60, 40), (70, 50)]:
        click(win, x, y)
    QTest.keyClick(win.canvas, Qt.Key.Key_Backspace)
    assert live(win) == []
    QTest.keyClick(win.canvas, Qt.Key.Key_Return)
    (line,) = live(win)
    assert isinstance(line, Polyline) and len(line.points) == 3
    assert all(
        near(p, q, tol) for p, q in zip(line.points, [(10, 10), (40, 15), (60, 40)], strict=True)
    )
    assert "polyline" in row_texts(win)[0]
    win.grab()  # the selected line with its vertex handles paints
    undo_redo_copy_paste(win, line)


def test_polyline_vertex_drag_in_the_window(qtbot, window) -> None:
    win = window
    tol = 1.5 / win.canvas.zoom
    QTest.keyClick(win, Qt.Key.Key_I)
    click(win, 10, 10)
    click(win, 40, 10)
    QTest.mouseDClick(
        win.canvas.viewport(), Qt.MouseButton.LeftButton, NONE, image_to_view(win, 40, 10)
    )
    (line,) = live(win)
    assert len(line.points) == 2
    QTest.keyClick(win, Qt.Key.Key_V)
    drag(win.canvas.viewport(), image_to_view(win, *line.points[1]), image_to_view(win, 40, 40))
    (moved,) = live(win)
    assert near(moved.points[1], (40, 40), tol) and moved.points[0] == line.points[0]
    # a line being drawn is dropped by Esc, and Enter afterwards finishes nothing
    QTest.keyClick(win, Qt.Key.Key_I)
    click(win, 60, 50)
    click(win, 70, 55)
    QTest.keyClick(win.canvas, Qt.Key.Key_Escape)
    QTest.keyClick(win.canvas, Qt.Key.Key_Return)
    assert live(win) == [moved]


def test_point_drawn_stored_undone_copied(qtbot, window) -> None:
    win = window
    tol = 1.5 / win.canvas.zoom
    QTest.keyClick(win, Qt.Key.Key_T)
    assert win.editor.tool.name == "point"
    click(win, 25, 35)
    (point,) = live(win)
    assert isinstance(point, Point) and near((point.x, point.y), (25, 35), tol)
    assert "point" in row_texts(win)[0]
    win.grab()
    undo_redo_copy_paste(win, point)


def test_ellipse_drawn_as_circle_with_shift(qtbot, window) -> None:
    win = window
    tol = 1.5 / win.canvas.zoom
    QTest.keyClick(win, Qt.Key.Key_O)
    assert win.editor.tool.name == "ellipse"
    viewport = win.canvas.viewport()
    drag(viewport, image_to_view(win, 10, 10), image_to_view(win, 50, 30))
    (ellipse,) = live(win)
    assert isinstance(ellipse, Ellipse)
    assert near((ellipse.cx, ellipse.cy), (30, 20), tol)
    assert near((ellipse.rx, ellipse.ry), (20, 10), tol)
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)
    shift_drag(viewport, image_to_view(win, 10, 10), image_to_view(win, 50, 30))
    (circle,) = live(win)
    assert isinstance(circle, Ellipse) and circle.rx == circle.ry
    assert abs(circle.rx - 20) <= tol
    assert "ellipse" in row_texts(win)[0]
    win.grab()
    undo_redo_copy_paste(win, circle)


def test_rotate_handle_with_shift_snap_then_convert(qtbot, window, monkeypatch) -> None:
    win = window
    QTest.keyClick(win, Qt.Key.Key_B)
    viewport = win.canvas.viewport()
    drag(viewport, image_to_view(win, 20, 20), image_to_view(win, 60, 40))
    (box,) = live(win)
    QTest.keyClick(win, Qt.Key.Key_V)
    handle = sh.rotate_handle(box, win.canvas.zoom)
    cx, cy = box.centre
    # towards about 40 degrees clockwise of straight up; Shift snaps that to 45
    shift_drag(viewport, image_to_view(win, *handle), image_to_view(win, cx + 14, cy - 17))
    (turned,) = live(win)
    assert isinstance(turned, Box) and turned.angle == 45.0
    assert (turned.width, turned.height) == (box.width, box.height)
    assert "rotated box" in row_texts(win)[0]
    win.grab()
    undo_redo_copy_paste(win, turned, before=[box])
    win.editor.set_selection([win.editor.annotations[0].uuid])
    win.action_set["box_to_polygon"].trigger()
    (polygon,) = live(win)
    assert isinstance(polygon, Polygon) and len(polygon.parts[0].outer) == 4
    win.editor.set_selection([win.editor.annotations[0].uuid])
    win.action_set["polygon_to_box"].trigger()
    (back,) = live(win)
    assert isinstance(back, Box) and abs(back.area - turned.area) < 1e-6
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)
    assert live(win) == [turned]


def test_ellipse_and_polyline_conversions_from_the_menu(qtbot, window, monkeypatch) -> None:
    win = window
    asked: list[int] = []

    def get_int(parent, title, label, value, low, high):  # type: ignore[no-untyped-def]
        asked.append(value)
        return 10, True

    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(get_int))
    QTest.keyClick(win, Qt.Key.Key_O)
    drag(win.canvas.viewport(), image_to_view(win, 10, 10), image_to_view(win, 50, 30))
    win.action_set["ellipse_to_polygon"].trigger()
    assert asked == [32]  # the dialog offers 32 vertices
    (polygon,) = live(win)
    assert isinstance(polygon, Polygon) and len(polygon.parts[0].outer) == 10
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)
    assert isinstance(live(win)[0], Ellipse)
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)
    QTest.keyClick(win, Qt.Key.Key_I)
    for x, y in [(10, 10), (50, 10), (50, 40)]:
        click(win, x, y)
    QTest.keyClick(win.canvas, Qt.Key.Key_Return)
    win.action_set["polyline_to_polygon"].trigger()
    (closed,) = live(win)
    assert isinstance(closed, Polygon) and len(closed.parts[0].outer) == 3
