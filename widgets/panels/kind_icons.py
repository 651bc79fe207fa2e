"""Row icons that say a shape's kind as well as its class colour.

Boxes, polygons, masks and skeletons keep the plain colour square they always had; the
kinds that look alike in a list of names (a rotated box beside a box, a point, a line,
an ellipse) get a small drawing of themselves in the class colour, so a glance down the
list tells them apart.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF

GLYPH_KINDS = frozenset({"rotated box", "polyline", "point", "ellipse"})
"""The kind names (as the list shows them) that get a drawing instead of a square."""


def kind_icon(color: str, kind: str, size: int = 14) -> QIcon:
    """The icon of a shape of ``kind`` in a class of ``color``."""
    pixmap = QPixmap(size, size)
    if kind not in GLYPH_KINDS:
        pixmap.fill(QColor(color))
        return QIcon(pixmap)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(color), 2.0))
    painter.setBrush(QColor(color))
    s = float(size)
    if kind == "rotated box":
        diamond = [(s / 2, 1), (s - 1, s / 2), (s / 2, s - 1), (1, s / 2)]
        painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in diamond]))
    elif kind == "polyline":
        painter.setBrush(Qt.BrushStyle.NoBrush)
        zigzag = [(1, s - 2), (s / 3, 2), (2 * s / 3, s - 2), (s - 1, 2)]
        painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in zigzag]))
    elif kind == "point":
        painter.drawEllipse(QPointF(s / 2, s / 2), s / 4, s / 4)
    else:
        painter.drawEllipse(QRectF(1, s / 4, s - 2, s / 2))
    painter.end()
    return QIcon(pixmap)
