"""A canvas its owner lets go of is deleted at once, by reference counting alone.

A parentless Qt widget is deleted when its Python wrapper is freed. If the canvas sat in a
reference cycle, only the garbage collector could free it, and the collector runs at any
allocation, including inside the canvas's own paint; Qt then goes on painting a device
that no longer exists and the process dies. So the canvas and what hangs off it (minimap,
scene owner, layers) must never point back at the canvas from Python.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QImage

from limner.models.domain.entities import Annotation
from limner.models.domain.geometry import Box, Polygon
from limner.widgets.canvas.annotation_item import ItemStyle
from limner.widgets.canvas.view import CanvasView


@pytest.fixture
def no_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _busy_canvas(qtbot) -> CanvasView:  # type: ignore[no-untyped-def]
    canvas = CanvasView()
    canvas.resize(400, 300)
    canvas.show()
    image = QImage(600, 400, QImage.Format.Format_RGB888)
    image.fill(QColor(0, 0, 0))
    canvas.set_image(image)
    canvas.set_styles({1: ItemStyle(QColor("#e6194b"), "car")})
    shapes = [
        Annotation(i, f"u{i}", 1, 1, Box(i, i, i + 20, i + 20), author="ana@x.org")
        for i in range(1, 40)
    ]
    shapes.append(
        Annotation(99, "p", 1, 1, Polygon.from_points([(300, 50), (380, 60), (340, 150)]))
    )
    canvas.set_annotations(shapes)
    canvas.set_selection(["u3"])
    canvas.set_zoom(3.0)
    canvas.viewport().repaint()
    return canvas


def test_dropped_canvas_is_deleted_without_the_collector(qtbot, no_collector) -> None:
    canvas = _busy_canvas(qtbot)
    ref = weakref.ref(canvas)
    destroyed: list[bool] = []
    canvas.destroyed.connect(lambda *_: destroyed.append(True))
    del canvas
    assert ref() is None, "the canvas is kept alive by a reference cycle"
    assert destroyed == [True]


def test_dense_canvas_is_deleted_without_the_collector(qtbot, no_collector) -> None:
    canvas = CanvasView()
    canvas.resize(400, 300)
    canvas.show()
    canvas.set_image(QImage(2000, 2000, QImage.Format.Format_RGB888))
    canvas.set_styles({1: ItemStyle(QColor("#3cb44b"), "tree")})
    canvas.set_annotations(
        [
            Annotation(
                i,
                f"d{i}",
                1,
                1,
                Box(i * 3 % 1900, i * 7 % 1900, i * 3 % 1900 + 30, i * 7 % 1900 + 30),
            )
            for i in range(1, 600)
        ]
    )
    canvas.fit()
    assert canvas.dense_mode
    canvas.annotation_scene.dense_layer.wait_ready()
    canvas.viewport().repaint()
    ref = weakref.ref(canvas)
    del canvas
    assert ref() is None, "the dense canvas is kept alive by a reference cycle"
