"""What the canvas draws over the shapes while a gesture is under way.

A tool's ``Preview`` names the shape being drawn, the band of a band selection, the
vertices placed so far, the brush ring and the live mask of a stroke; this layer keeps
one item for each and shows, moves or hides them. Changes to existing shapes during a
drag (``Preview.overrides``) are not drawn here: the scene owner swaps their geometry.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsPathItem, QGraphicsRectItem

from limner.models.domain.geometry import Box
from limner.models.editing.tools.base import Preview
from limner.widgets.canvas.annotation_item import AnnotationItem, ItemStyle, RenderContext
from limner.widgets.canvas.mask_layer_item import MaskLayerItem

__all__ = ["PREVIEW_Z", "PreviewLayer"]

PREVIEW_Z = 1e6
VERTEX_PX = 3.0
"""Half-size on screen of the squares marking placed vertices."""


def _cosmetic(color: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(color, width, style)
    pen.setCosmetic(True)
    return pen


class PreviewLayer:
    def __init__(self, scene, render: RenderContext) -> None:  # type: ignore[no-untyped-def]
        self._scene = scene
        self._render = render
        self._drawing: AnnotationItem | None = None
        self._band = QGraphicsRectItem()
        self._band.setPen(_cosmetic(QColor(120, 180, 255), 1.0, Qt.PenStyle.DashLine))
        self._band.setBrush(QBrush(QColor(120, 180, 255, 40)))
        self._polyline = QGraphicsPathItem()
        self._polyline.setPen(_cosmetic(QColor(255, 230, 90), 1.5))
        self._ring = QGraphicsEllipseItem()
        self._ring.setPen(_cosmetic(QColor(255, 255, 255), 1.0))
        self._mask = MaskLayerItem()
        for item in (self._band, self._polyline, self._ring):
            item.setZValue(PREVIEW_Z)
        self._mask.setZValue(PREVIEW_Z - 1)
        self._band.hide()
        self._ring.hide()
        for item in (self._band, self._polyline, self._ring, self._mask):
            scene.addItem(item)

    def show(self, preview: Preview, style: ItemStyle | None, zoom: float) -> None:
        """Draw ``preview``; ``style`` is the active class's (None: a neutral yellow)."""
        self._show_drawing(preview, style)
        band = preview.band
        if isinstance(band, Box):
            self._band.setRect(QRectF(band.x0, band.y0, band.width, band.height))
            self._band.show()
        else:
            self._band.hide()
        self._show_polyline(preview.polyline, zoom)
        if preview.ring is not None:
            x, y, r = preview.ring
            self._ring.setRect(QRectF(x - r, y - r, 2 * r, 2 * r))
            self._ring.show()
        else:
            self._ring.hide()
        color = QColor(style.color) if style else QColor(255, 230, 90)
        self._mask.show_layer(preview.mask_layer, color)

    def _show_drawing(self, preview: Preview, style: ItemStyle | None) -> None:
        if preview.drawing is None:
            if self._drawing is not None:
                self._scene.removeItem(self._drawing)
                self._drawing = None
            return
        if self._drawing is None:
            chosen = style or ItemStyle(QColor("yellow"))
            self._drawing = AnnotationItem("", preview.drawing, chosen, 0, render=self._render)
            self._drawing.setZValue(PREVIEW_Z)
            self._scene.addItem(self._drawing)
        else:
            self._drawing.set_geometry(preview.drawing)

    def _show_polyline(self, points: tuple[tuple[float, float], ...], zoom: float) -> None:
        path = QPainterPath()
        if points:
            path.moveTo(QPointF(*points[0]))
            for x, y in points[1:]:
                path.lineTo(QPointF(x, y))
            half = VERTEX_PX / max(zoom, 1e-6)
            for x, y in points[:-1] if len(points) > 1 else points:
                path.addRect(QRectF(x - half, y - half, 2 * half, 2 * half))
        self._polyline.setPath(path)
