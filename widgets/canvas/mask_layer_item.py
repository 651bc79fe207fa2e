"""Draws the mask being painted, updating only the rectangles the last dabs changed.

The overlay is one ARGB image at image resolution that is created when a stroke starts;
each pointer move converts only the dirty rectangles of the live layer, so a dab on an
8192×8192 image costs the dab's area, not the image's.
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
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def boundingRect(self) -> QRectF:
        if self._layer is None:
            return QRectF()
        return QRectF(0, 0, self._layer.width, self._layer.height)

    def show_layer(self, layer: Any, color: QColor) -> None:
        if layer is None:
            if self._layer is not None:
                self.prepareGeometryChange()
                self._layer, self._image, self._buffer = None, None, None
            return
        if layer is not self._layer:
            self.prepareGeometryChange()
            self._layer = layer
            self._color = color
            self._buffer = np.zeros((layer.height, layer.width, 4), dtype=np.uint8)
            self._image = QImage(
                self._buffer.data,
                layer.width,
                layer.height,
                layer.width * 4,
                QImage.Format.Format_RGBA8888,
            )
            self._paint_rect((0, 0, layer.width, layer.height))
            layer.take_dirty()
            self.update()
            return
        for rect in layer.take_dirty():
            self._paint_rect(rect)
            x, y, w, h = rect
            self.update(QRectF(x, y, w, h))

    def _paint_rect(self, rect: tuple[int, int, int, int]) -> None:
        assert self._buffer is not None and self._layer is not None
        x, y, w, h = rect
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
        if self._image is None:
            return
        exposed = option.exposedRect.intersected(self.boundingRect())  # type: ignore[attr-defined]
        painter.drawImage(QPointF(exposed.x(), exposed.y()), self._image, exposed)
