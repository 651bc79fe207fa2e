"""Polygon and keypoint tools driven with real mouse and key events in the window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from limner.models.domain.geometry import Keypoints, Polygon, Skeleton
from limner.models.domain.hit import hits
from tests.gui.conftest import drag, image_to_view

NONE = Qt.KeyboardModifier.NoModifier


def click(win, x: float, y: float, modifier=NONE) -> None:
    QTest.mouseClick(
        win.canvas.viewport(), Qt.MouseButton.LeftButton, modifier, image_to_view(win, x, y)
    )


def close_to(a: tuple[float, float], b: tuple[float, float], tol: float) -> bool:
    return abs(a[0] - b[0]) <= tol and abs(a[1] - b[1]) <= tol


def only_polygon(win) -> Polygon:
    (ann,) = win.editor.annotations
    assert isinstance(ann.geometry, Polygon)
    return ann.geometry


def test_polygon_enter_backspace_and_escape(qtbot, window) -> None:
    win = window
    tol = 1.5 / win.canvas.zoom
    QTest.keyClick(win, Qt.Key.Key_P)
    assert win.editor.tool.name == "polygon"
    for x, y in [(10, 10), (50, 10), (55, 45), (30, 30)]:
        click(win, x, y)
    QTest.keyClick(win.canvas, Qt.Key.Key_Backspace)  # drop (30, 30)
    assert win.editor.annotations == []  # Backspace edited the drawing, deleted nothing
    click(win, 10, 45)
    QTest.keyClick(win.canvas, Qt.Key.Key_Return)
    ring = only_polygon(win).parts[0].outer
    expected = [(10, 10), (50, 10), (55, 45), (10, 45)]
    assert len(ring) == 4
    assert all(close_to(p, q, tol) for p, q in zip(ring, expected, strict=True))
    # a second polygon cancelled with Esc leaves nothing behind
    for x, y in [(60, 5), (70, 5), (70, 15)]:
        click(win, x, y)
    QTest.keyClick(win.canvas, Qt.Key.Key_Escape)
    QTest.keyClick(win.canvas, Qt.Key.Key_Return)
    assert len(win.editor.annotations) == 1


def test_polygon_closes_on_first_vertex_and_cuts_a_hole(qtbot, window) -> None:
    win = window
    tol = 1.5 / win.canvas.zoom
    QTest.keyClick(win, Qt.Key.Key_P)
    for x, y in [(5, 5), (70, 5), (70, 50), (5, 50), (5, 5)]:
        click(win, x, y)
    poly = only_polygon(win)
    assert len(poly.parts[0].outer) == 4
    assert win.editor.selection() == {win.editor.annotations[0].uuid}
    # Ctrl at the first click with the polygon selected: the ring becomes a hole
    click(win, 20, 20, Qt.KeyboardModifier.ControlModifier)
    for x, y in [(40, 20), (40, 35), (20, 35)]:
        click(win, x, y)
    QTest.keyClick(win.canvas, Qt.Key.Key_Return)
    poly = only_polygon(win)
    (hole,) = poly.parts[0].holes
    assert close_to(hole[0], (20, 20), tol)
    assert not hits(poly, 30, 27)  # inside the hole
    assert hits(poly, 10, 10)
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert only_polygon(win).parts[0].holes == ()


def test_polygon_double_click_closes_and_vertex_drag_edits(qtbot, window) -> None:
    win = window
    tol = 1.5 / win.canvas.zoom
    QTest.keyClick(win, Qt.Key.Key_P)
    click(win, 10, 10)
    click(win, 60, 12)
    click(win, 40, 50)
    QTest.mouseDClick(
        win.canvas.viewport(), Qt.MouseButton.LeftButton, NONE, image_to_view(win, 40, 50)
    )
    poly = only_polygon(win)
    assert len(poly.parts[0].outer) == 3
    QTest.keyClick(win, Qt.Key.Key_V)
    drag(win.canvas.viewport(), image_to_view(win, 60, 12), image_to_view(win, 70, 20))
    moved = only_polygon(win).parts[0].outer
    assert close_to(moved[1], (70, 20), tol)
    assert close_to(moved[0], poly.parts[0].outer[0], 1e-9)
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert only_polygon(win) == poly


def test_keypoints_in_skeleton_order_with_occluded_and_skipped(qtbot, window) -> None:
    win = window
    bird = next(c for c in win.editor.classes if c.name == "bird")
    skeleton = Skeleton(("head", "body", "tail"), ((0, 1), (1, 2)))
    assert win.editor.update_class(bird.id, kind="keypoints", skeleton=skeleton)
    QTest.keyClick(win, Qt.Key.Key_3)
    QTest.keyClick(win, Qt.Key.Key_K)
    assert win.editor.tool.name == "keypoints"
    assert "head" in win.statusBar().currentMessage()
    click(win, 10, 10)
    assert "body" in win.statusBar().currentMessage()
    click(win, 20, 20, Qt.KeyboardModifier.ShiftModifier)  # occluded
    QTest.keyClick(win.canvas, Qt.Key.Key_X)  # skip the tail: the instance is complete
    (ann,) = win.editor.annotations
    assert isinstance(ann.geometry, Keypoints)
    (hx, hy, hv), (bx, by, bv), tail = ann.geometry.points
    tol = 1.5 / win.canvas.zoom
    assert close_to((hx, hy), (10, 10), tol) and hv == 2
    assert close_to((bx, by), (20, 20), tol) and bv == 1
    assert tail == (0.0, 0.0, 0)
    assert ann.class_id == bird.id
    # Esc drops a half-placed instance
    click(win, 30, 30)
    QTest.keyClick(win.canvas, Qt.Key.Key_Escape)
    QTest.keyClick(win.canvas, Qt.Key.Key_Return)
    assert len(win.editor.annotations) == 1
