"""Brush, eraser, wand, GrabCut and conversions through the window, with real events."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from limner.models.domain.geometry import Mask, Polygon
from limner.models.store import queries
from limner.models.workflow.project import import_images
from tests.gui.conftest import drag, image_to_view


def masks(win) -> list[Mask]:
    return [a.geometry for a in win.editor.annotations if isinstance(a.geometry, Mask)]


def open_picture(win, tmp_path: Path) -> None:
    """A 120x90 image: dark background, a bright 40x30 rectangle at (20, 25)."""
    pixels = np.full((90, 120, 3), 30, np.uint8)
    pixels[25:55, 20:60] = (230, 200, 40)
    path = tmp_path / "shapes.png"
    Image.fromarray(pixels).save(path)
    import_images(win.store, [path])
    with win.store.read() as conn:
        record = queries.image_by_name(conn, "shapes.png")
    win.editor.open_image(record.id)
    win.canvas.fit()


def test_brush_stroke_is_one_step_and_eraser_removes(qtbot, window) -> None:
    win = window
    QTest.keyClick(win, Qt.Key.Key_M)
    assert win.editor.tool.name == "brush"
    radius = win.editor.tool.radius
    QTest.keyClick(win.canvas, Qt.Key.Key_BracketRight)
    assert win.editor.tool.radius > radius
    radius = win.editor.tool.radius
    steps = len(win.editor.history)
    drag(win.canvas.viewport(), image_to_view(win, 15, 20), image_to_view(win, 45, 20), steps=10)
    assert len(win.editor.history) == steps + 1
    (mask,) = masks(win)
    full = mask.to_array()
    assert full[20, 30] and full[20, 16] and not full[20, 70]
    assert abs(int(full[:, 30].sum()) - 2 * radius) <= 3  # a stroke as thick as the brush
    QTest.keyClick(win, Qt.Key.Key_E)
    drag(win.canvas.viewport(), image_to_view(win, 30, 5), image_to_view(win, 30, 40), steps=10)
    (erased,) = masks(win)
    assert not erased.to_array()[20, 30] and erased.to_array()[20, 16]
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    (restored,) = masks(win)
    assert np.array_equal(restored.to_array(), full)


def test_escape_cancels_a_stroke(qtbot, window) -> None:
    win = window
    QTest.keyClick(win, Qt.Key.Key_M)
    viewport = win.canvas.viewport()
    QTest.mousePress(
        viewport,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        image_to_view(win, 10, 10),
    )
    QTest.mouseMove(viewport, image_to_view(win, 30, 30))
    QTest.keyClick(win.canvas, Qt.Key.Key_Escape)
    QTest.mouseRelease(
        viewport,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        image_to_view(win, 30, 30),
    )
    assert masks(win) == []


def test_wand_grabcut_and_conversions(qtbot, window, tmp_path: Path) -> None:
    win = window
    open_picture(win, tmp_path)
    QTest.keyClick(win, Qt.Key.Key_W)
    QTest.mouseClick(
        win.canvas.viewport(), Qt.MouseButton.LeftButton, pos=image_to_view(win, 40, 40)
    )
    (wand,) = masks(win)
    expected = np.zeros((90, 120), bool)
    expected[25:55, 20:60] = True
    assert np.array_equal(wand.to_array(), expected)
    # mask -> polygons -> mask keeps every pixel
    win.editor.set_selection([win.editor.annotations[0].uuid])
    win.action_set["to_polygons"].trigger()
    (ann,) = win.editor.annotations
    assert isinstance(ann.geometry, Polygon)
    win.editor.set_selection([ann.uuid])
    win.action_set["to_mask"].trigger()
    (back,) = masks(win)
    assert np.array_equal(back.to_array(), expected)
    QTest.keyClick(win, Qt.Key.Key_Delete)
    # GrabCut from a box around the rectangle
    QTest.keyClick(win, Qt.Key.Key_G)
    drag(win.canvas.viewport(), image_to_view(win, 12, 17), image_to_view(win, 68, 63))
    (cut,) = masks(win)
    got = cut.to_array()
    iou = (got & expected).sum() / (got | expected).sum()
    assert iou > 0.9
