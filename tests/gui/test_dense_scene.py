"""Thousands of shapes: zoomed out they draw as one raster, selection still shows alone."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage

from limner.widgets.canvas.annotation_item import ItemStyle
from limner.widgets.canvas.view import DENSE_THRESHOLD, CanvasView
from tests.perf.bench_canvas import dense_annotations


def test_level_of_detail_switches_with_zoom(qtbot) -> None:
    canvas = CanvasView()
    qtbot.addWidget(canvas)
    canvas.resize(900, 700)
    canvas.show()
    image = QImage(4096, 4096, QImage.Format.Format_RGB888)
    image.fill(QColor(80, 80, 80))
    canvas.set_image(image)
    canvas.set_styles({1: ItemStyle(QColor("#3cb44b")), 2: ItemStyle(QColor("#e6194b"))})
    shapes = dense_annotations(1, 4096, DENSE_THRESHOLD + 500, 300)
    canvas.set_annotations(shapes)
    canvas.fit()
    assert canvas.dense_mode
    items = canvas.items_by_uuid()
    assert not any(item.isVisible() for item in items.values())
    chosen = shapes[10].uuid
    canvas.set_selection([chosen])
    assert items[chosen].isVisible()
    assert sum(item.isVisible() for item in items.values()) == 1
    canvas.set_zoom(2.0)
    assert not canvas.dense_mode
    assert all(item.isVisible() for item in items.values())
    canvas.set_annotations(shapes[:100])
    canvas.fit()
    assert not canvas.dense_mode  # few shapes: one item each at every zoom
