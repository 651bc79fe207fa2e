"""Suggestions drawn on the image: dashed outlines that are clearly not annotations yet.

A model's proposal must never be mistaken for the annotator's work, so it is drawn dashed,
in one colour, with the current one (the one Enter and Delete act on) thicker. Boxes and
polygons show their outline; a mask shows its bounds, which is enough to judge it before
accepting and costs nothing to draw on a large image. A suggested image tag (a predicted
choice) has no place on the image: only the panel lists it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

from limner.models.domain.geometry import Box, Geometry, Polygon, Tag, bounds

SUGGESTION_Z = 9e5
COLOR = QColor("#ffb000")


def _path(geometry: Geometry) -> QPainterPath:
    path = QPainterPath()
    if isinstance(geometry, Polygon):
        for part in geometry.parts:
            for ring in (part.outer, *part.holes):
                path.moveTo(*ring[0])
                for x, y in ring[1:]:
                    path.lineTo(x, y)
                path.closeSubpath()
        return path
    if isinstance(geometry, Box) and geometry.angle == 0:
        path.addRect(QRectF(geometry.x0, geometry.y0, geometry.width, geometry.height))
        return path
    x0, y0, x1, y1 = bounds(geometry)
    path.addRect(QRectF(x0, y0, x1 - x0, y1 - y0))
    return path


class SuggestionOverlay:
    """The dashed items of the open image's suggestions, owned by one scene."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self._scene = scene
        self.items: dict[str, QGraphicsPathItem] = {}

    def show(self, shapes: Sequence[tuple[str, Geometry]], current: str | None) -> None:
        for item in self.items.values():
            self._scene.removeItem(item)
        self.items = {}
        for uuid, geometry in shapes:
            if isinstance(geometry, Tag):
                continue
            pen = QPen(COLOR, 3.0 if uuid == current else 1.5, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            item = QGraphicsPathItem(_path(geometry))
            item.setPen(pen)
            item.setZValue(SUGGESTION_Z)
            item.setData(0, uuid)
            self._scene.addItem(item)
            self.items[uuid] = item
