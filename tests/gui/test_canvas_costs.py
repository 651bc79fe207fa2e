"""What a stroke start and a vertex drag cost the canvas, counted rather than timed.

A brush stroke on a big image must not allocate (or convert) an image-sized overlay per
stroke, and dragging one vertex of a huge outline must move that vertex in the item's
path instead of building a new path from every point.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor

from limner.models.domain.geometry import Polygon
from limner.models.editing.polygon_edit import VertexRef, move_vertex
from limner.models.editing.tools.base import Preview
from limner.models.imaging.mask_ops import MaskLayer
from limner.widgets.canvas.annotation_item import AnnotationItem, ItemStyle, segments_near
from limner.widgets.canvas.mask_layer_item import MaskLayerItem


def _ring(n: int) -> list[tuple[float, float]]:
    return [
        (500 + 400 * math.cos(2 * math.pi * i / n), 500 + 400 * math.sin(2 * math.pi * i / n))
        for i in range(n)
    ]


def test_brush_overlay_is_allocated_once_across_strokes(qtbot) -> None:
    item = MaskLayerItem()
    color = QColor("red")
    first = MaskLayer(4096, 4096)
    item.show_layer(first, color)
    first.dab(100, 100, 10, True)
    item.show_layer(first, color)
    item.show_layer(None, color)
    second = MaskLayer(4096, 4096)
    item.show_layer(second, color)
    assert item.allocations == 1
    buffer = item._buffer
    assert buffer is not None and not buffer[90:110, 90:110].any()  # last stroke cleared
    second.dab(300, 300, 10, True)
    item.show_layer(second, color)
    assert buffer[300, 300, 3] > 0
    item.show_layer(MaskLayer(1024, 1024), color)  # another image size: a new buffer
    assert item.allocations == 2


def test_brush_strokes_in_the_window_reuse_the_overlay(qtbot) -> None:
    from limner.widgets.canvas.view import CanvasView

    canvas = CanvasView()
    qtbot.addWidget(canvas)
    for _ in range(3):
        layer = MaskLayer(2048, 2048)
        layer.dab(50, 50, 5, True)
        canvas.show_preview(Preview(mask_layer=layer))
        canvas.show_preview(Preview())
    assert canvas._preview._mask.allocations == 1


def test_vertex_drag_moves_only_that_vertex_in_the_path(qtbot) -> None:
    polygon = Polygon.from_points(_ring(10_000))
    item = AnnotationItem("p", polygon, ItemStyle(QColor("red")), 0)
    path = item._path
    assert path is not None
    count = path.elementCount()
    moved = move_vertex(polygon, VertexRef(0, 0, 5000), 90.0, 505.0)
    item.set_geometry(moved)
    assert item._path is path and path.elementCount() == count  # edited, not rebuilt
    element = path.elementAt(5000)
    assert (element.x, element.y) == (90.0, 505.0)
    assert item.geometry is moved
    moved_first = move_vertex(moved, VertexRef(0, 0, 0), 905.0, 500.0)
    item.set_geometry(moved_first)  # vertex 0 also closes the ring
    assert path.elementAt(0).x == 905.0 and path.elementAt(10_000).x == 905.0


def test_a_small_repaint_strokes_only_the_segments_there() -> None:
    ring = np.asarray(_ring(10_000))
    near = segments_near([ring], QRectF(895, 495, 10, 10))
    assert 0 < near.elementCount() < 100  # of 10,001


def test_a_vertex_dragged_outward_grows_the_item_bounds(qtbot) -> None:
    """The in-place edit still tells the scene the new extent: a vertex pulled past the
    outline's box must lie inside the rectangle the scene indexes and repaints."""
    polygon = Polygon.from_points(_ring(2_000))
    item = AnnotationItem("p", polygon, ItemStyle(QColor("red")), 0)
    before = item.boundingRect()
    path = item._path
    moved = move_vertex(polygon, VertexRef(0, 0, 1000), before.left() - 300.0, 500.0)
    item.set_geometry(moved)
    assert item._path is path  # the in-place edit, not a rebuild
    after = item.boundingRect()
    assert after.left() < before.left() - 299.0
    assert after.contains(before.left() - 300.0, 500.0)
