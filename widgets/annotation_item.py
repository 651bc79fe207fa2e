"""One graphics item per annotation, drawing any of the four geometry kinds.

Pens are cosmetic (constant width on screen) and handles are sized from the view's
scale at paint time, so shapes read the same at every zoom level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from models.geometry import Box, Geometry, Keypoints, Mask, Polygon, Skeleton, bounds
from models.hit import box_handles
from widgets.qt_convert import mask_qimage

HANDLE_PX = 5.0
MARGIN_PX = 12.0
FILL_ALPHA = 40
SELECTED_FILL_ALPHA = 70
MASK_ALPHA = 110


@dataclass(frozen=True, slots=True)
class ItemStyle:
    color: QColor
    label: str = ""
    skeleton: Skeleton | None = None


def polygon_path(polygon: Polygon) -> QPainterPath:
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    for part in polygon.parts:
        for ring in (part.outer, *part.holes):
            path.moveTo(QPointF(*ring[0]))
            for x, y in ring[1:]:
                path.lineTo(QPointF(x, y))
            path.closeSubpath()
    return path


class AnnotationItem(QGraphicsItem):
    """Draws one annotation; the canvas swaps its geometry during a drag preview.

    ``view_zoom`` (the canvas's zoom) sizes the margin that labels and handles need around
    the shape; ``fill_unselected`` is turned off in dense scenes, where filling thousands of
    large translucent areas would dominate the frame.
    """

    view_zoom: ClassVar[float] = 1.0
    fill_unselected: ClassVar[bool] = True

    def __init__(self, uuid: str, geometry: Geometry, style: ItemStyle, z: int) -> None:
        super().__init__()
        self.uuid = uuid
        self._style = style
        self._geometry: Geometry = geometry
        self._selected = False
        self._path: QPainterPath | None = None
        self._mask_image: QImage | None = None
        self._rect = QRectF()
        self.setZValue(float(z))
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._rebuild()

    # -- state -----------------------------------------------------------------------
    @property
    def geometry(self) -> Geometry:
        return self._geometry

    def set_geometry(self, geometry: Geometry) -> None:
        if geometry == self._geometry:
            return
        self.prepareGeometryChange()
        self._geometry = geometry
        self._rebuild()
        self.update()

    def set_style(self, style: ItemStyle) -> None:
        if style == self._style:
            return
        self._style = style
        self._mask_image = None
        self._rebuild()
        self.update()

    def set_highlighted(self, selected: bool) -> None:
        if selected != self._selected:
            self._selected = selected
            self.update()

    @property
    def highlighted(self) -> bool:
        return self._selected

    def _rebuild(self) -> None:
        g = self._geometry
        x0, y0, x1, y1 = bounds(g)
        self._rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        self._path = polygon_path(g) if isinstance(g, Polygon) else None
        if isinstance(g, Mask):
            self._mask_image = mask_qimage(g.crop_array(), self._style.color, MASK_ALPHA)

    # -- QGraphicsItem ---------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        margin = MARGIN_PX / AnnotationItem.view_zoom
        return self._rect.adjusted(-margin, -margin - 2 * margin, margin, margin)

    def refresh_margin(self) -> None:
        """The zoom changed a lot: the label margin in image pixels changes with it."""
        self.prepareGeometryChange()

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        scale = option.levelOfDetailFromTransform(painter.worldTransform())
        color = self._style.color
        pen = QPen(color, 3.0 if self._selected else 2.0)
        pen.setCosmetic(True)
        fill = QColor(color)
        fill.setAlpha(SELECTED_FILL_ALPHA if self._selected else FILL_ALPHA)
        painter.setPen(pen)
        if self._selected or AnnotationItem.fill_unselected:
            painter.setBrush(QBrush(fill))
        else:
            painter.setBrush(Qt.BrushStyle.NoBrush)
        g = self._geometry
        if isinstance(g, Box):
            painter.drawRect(QRectF(g.x0, g.y0, g.width, g.height))
            if self._selected:
                self._paint_handles(painter, box_handles(g), scale)
        elif isinstance(g, Polygon) and self._path is not None:
            painter.drawPath(self._path)
            if self._selected and scale > 0.2:
                points = [p for part in g.parts for ring in (part.outer, *part.holes) for p in ring]
                if len(points) <= 2000:
                    self._paint_handles(painter, points, scale)
        elif isinstance(g, Mask) and self._mask_image is not None:
            painter.drawImage(QPointF(g.left, g.top), self._mask_image)
            if self._selected:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(QRectF(g.left, g.top, g.width, g.height))
        elif isinstance(g, Keypoints):
            self._paint_keypoints(painter, g, scale)
        if self._style.label and scale > 0.25:
            self._paint_label(painter, scale)

    def _paint_handles(
        self, painter: QPainter, points: list[tuple[float, float]], scale: float
    ) -> None:
        half = HANDLE_PX / scale
        painter.setBrush(QBrush(QColor("white")))
        for x, y in points:
            painter.drawRect(QRectF(x - half, y - half, 2 * half, 2 * half))

    def _paint_keypoints(self, painter: QPainter, g: Keypoints, scale: float) -> None:
        skeleton = self._style.skeleton
        if skeleton is not None:
            for a, b in skeleton.edges:
                if a < len(g.points) and b < len(g.points):
                    pa, pb = g.points[a], g.points[b]
                    if pa[2] > 0 and pb[2] > 0:
                        painter.drawLine(QPointF(pa[0], pa[1]), QPointF(pb[0], pb[1]))
        radius = (4.5 if self._selected else 3.5) / scale
        for x, y, v in g.points:
            if v == 0:
                continue
            painter.setBrush(QBrush(self._style.color if v == 2 else QColor("white")))
            painter.drawEllipse(QPointF(x, y), radius, radius)

    def _paint_label(self, painter: QPainter, scale: float) -> None:
        x0, y0, _x1, _y1 = bounds(self._geometry)
        painter.save()
        painter.translate(x0, y0)
        painter.scale(1.0 / scale, 1.0 / scale)
        metrics = painter.fontMetrics()
        text = self._style.label
        rect = QRectF(
            0, -metrics.height() - 2, metrics.horizontalAdvance(text) + 8, metrics.height() + 2
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(self._style.color))
        painter.drawRect(rect)
        painter.setPen(
            QPen(QColor("black") if self._style.color.lightness() > 140 else QColor("white"))
        )
        painter.drawText(rect.adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, text)
        painter.restore()
