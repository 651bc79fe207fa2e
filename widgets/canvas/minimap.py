"""A small overview in the canvas corner: where the view is on a large image; click to go.

It is shown only while part of the image is off screen, draws the pyramid's coarsest
level (already decoded) and the visible rectangle, and re-centres the view on a click or
a drag.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

SIDE = 180
MARGIN = 10


class Minimap(QWidget):
    """The canvas's corner map; ``canvas`` is its parent widget."""

    def __init__(self, canvas) -> None:  # type: ignore[no-untyped-def]
        super().__init__(canvas)
        self.setObjectName("minimap")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.hide()

    @property
    def _canvas(self):  # type: ignore[no-untyped-def]
        # Reached through Qt's parent, not kept in an attribute: a Python reference back
        # to the canvas would make the pair a reference cycle, and a parentless canvas in
        # a cycle is deleted by the garbage collector whenever it next runs, which can be
        # in the middle of that canvas's own paint (Qt then paints on a freed device).
        return self.parentWidget()

    def _image_rect(self) -> QRectF:
        return QRectF(0, 0, self.width(), self.height())

    def refresh(self) -> None:
        """Place, size and show (or hide) the map for the canvas's current view."""
        size = self._canvas.image_size
        overview = self._canvas.tile_layer.overview
        if size is None or overview is None:
            self.hide()
            return
        w, h = size
        visible = self._canvas.mapToScene(self._canvas.viewport().rect()).boundingRect()
        slack = 3.0 / max(self._canvas.zoom, 1e-6)  # rounding of a fitted view
        if visible.adjusted(-slack, -slack, slack, slack).contains(QRectF(0, 0, w, h)):
            self.hide()
            return
        scale = SIDE / max(w, h)
        self.resize(max(20, round(w * scale)), max(20, round(h * scale)))
        viewport = self._canvas.viewport().geometry()
        self.move(
            viewport.right() - self.width() - MARGIN, viewport.bottom() - self.height() - MARGIN
        )
        self.show()
        self.raise_()
        self.update()

    def visible_rect(self) -> QRectF:
        """The part of the image on screen, in minimap pixels."""
        size = self._canvas.image_size
        if size is None:
            return QRectF()
        w, h = size
        sx, sy = self.width() / w, self.height() / h
        area = self._canvas.mapToScene(self._canvas.viewport().rect()).boundingRect()
        area = area.intersected(QRectF(0, 0, w, h))
        return QRectF(area.x() * sx, area.y() * sy, area.width() * sx, area.height() * sy)

    def paintEvent(self, event: QPaintEvent) -> None:
        overview = self._canvas.tile_layer.overview
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(20, 20, 20, 200))
        if overview is not None:
            painter.drawImage(self._image_rect(), overview)
        pen = QPen(QColor(255, 220, 60), 2)
        painter.setPen(pen)
        painter.drawRect(self.visible_rect().adjusted(1, 1, -1, -1))
        painter.setPen(QPen(QColor(255, 255, 255, 160), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    def _go(self, pos: QPointF) -> None:
        size = self._canvas.image_size
        if size is None:
            return
        w, h = size
        self._canvas.centerOn(pos.x() / self.width() * w, pos.y() / self.height() * h)
        self.refresh()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._go(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._go(event.position())
