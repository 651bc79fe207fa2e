"""Draws the mask being painted, updating only the rectangles the last dabs changed.

The overlay is one RGBA image at image resolution, allocated once and kept for every
stroke on images of that size: a new stroke only clears what the previous one painted
and converts what its layer already holds (the mask being edited), and each pointer move
converts only the dirty rectangles of the live layer, so neither the first dab nor any
other on an 8192×8192 image costs the image's area. The buffer starts as untouched
zeroed pages, so the memory it takes is what strokes have painted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

OVERLAY_ALPHA = 120


class MaskLayerItem(QGraphicsItem):
    def __init__(self) -> None:
        super().__init__()
        self._layer: Any = None
        self._image: QImage | None = None
        self._buffer: np.ndarray | None = None
        self._color = QColor(255, 230, 90)
        self._painted: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 not clear
        self.allocations = 0
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def boundingRect(self) -> QRectF:
        if self._layer is None:
            return QRectF()
        return QRectF(0, 0, self._layer.width, self._layer.height)

    def show_layer(self, layer: Any, color: QColor) -> None:
        if layer is None:
            if self._layer is not None:
                self.prepareGeometryChange()
                self._layer = None
            return
        if layer is not self._layer:
            self._start(layer, color)
            return
        for rect in layer.take_dirty():
            self._paint_rect(rect)
            x, y, w, h = rect
            self.update(QRectF(x, y, w, h))

    def _start(self, layer: Any, color: QColor) -> None:
        """A new stroke: reuse the buffer, clear the last stroke's area, show the layer."""
        self.prepareGeometryChange()
        self._layer = layer
        self._color = color
        buffer = self._buffer
        if buffer is None or buffer.shape[:2] != (layer.height, layer.width):
            self._buffer = np.zeros((layer.height, layer.width, 4), dtype=np.uint8)
            self._image = QImage(
                self._buffer.data,
                layer.width,
                layer.height,
                layer.width * 4,
                QImage.Format.Format_RGBA8888,
            )
            self._painted = None
            self.allocations += 1
        elif self._painted is not None:
            x0, y0, x1, y1 = self._painted
            buffer[y0:y1, x0:x1] = 0
            self._painted = None
        original = getattr(layer, "original", None)
        if original is not None:
            self._paint_rect((original.left, original.top, original.width, original.height))
        layer.take_dirty()
        self.update()

    def _paint_rect(self, rect: tuple[int, int, int, int]) -> None:
        assert self._buffer is not None and self._layer is not None
        x, y, w, h = rect
        p = self._painted
        self._painted = (
            (x, y, x + w, y + h)
            if p is None
            else (min(p[0], x), min(p[1], y), max(p[2], x + w), max(p[3], y + h))
        )
        crop = self._layer.array[y : y + h, x : x + w]
        out = self._buffer[y : y + h, x : x + w]
        out[...] = 0
        out[crop] = (self._color.red(), self._color.green(), self._color.blue(), OVERLAY_ALPHA)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        if self._image is None or self._layer is None:
            return
        exposed = option.exposedRect.intersected(self.boundingRect())  # type: ignore[attr-defined]
        painter.drawImage(QPointF(exposed.x(), exposed.y()), self._image, exposed)
