"""One graphics item per annotation, drawing any kind of shape.

Pens are cosmetic (constant width on screen) and handles are sized from the view's
scale at paint time, so shapes read the same at every zoom level. What depends on the
view rather than on the shape (the zoom the margins are sized for, whether unselected
shapes are filled, who the local user is) comes from the :class:`RenderContext` the item
is given: one per scene, shared by its items, so two canvases never disturb each other.

Each item knows its annotation's author. A shape made by someone other than the local user
says who in its label chip ("car · ana"); the chip's text and size are worked out when the
class style or the author changes, never while painting, so scenes with thousands of
shapes pay nothing extra per frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Geometry,
    Keypoints,
    Mask,
    Point,
    Polygon,
    Polyline,
    Skeleton,
    bounds,
)
from limner.models.domain.geometry.polygon import Ring
from limner.models.editing import shape_handles as sh
from limner.widgets.authors import chip_text, local_authors
from limner.widgets.qt_convert import mask_qimage

HANDLE_PX = 5.0
MARGIN_PX = 12.0
FILL_ALPHA = 40
SELECTED_FILL_ALPHA = 70
MASK_ALPHA = 110
CHIP_PAD_PX = 4.0
PATCH_VERTICES = 8
"""Up to this many moved vertices, a polygon's path is edited in place, not rebuilt."""
SPLIT_STROKE = 2000
"""From this many vertices, a polygon repainted in a small area strokes only what is there."""
LOD_SLACK = 1.5
POINT_PX = 4.0
"""Radius on screen of a point shape (it has no size of its own)."""
"""How far the zoom may drift from ``RenderContext.zoom`` before margins are refreshed."""


@dataclass(frozen=True, slots=True)
class ItemStyle:
    color: QColor
    label: str = ""
    skeleton: Skeleton | None = None


@dataclass(slots=True)
class RenderContext:
    """How the items of one scene draw at the current view; the scene's owner sets it.

    ``zoom`` is the zoom the label and handle margins are sized for (refreshed when the
    view's zoom drifts away from it by more than ``LOD_SLACK``); ``fill_unselected`` is
    turned off in dense scenes, where filling thousands of large translucent areas would
    dominate the frame; ``crowded`` is set while hundreds of items are shown at once:
    unselected shapes then draw a one-pixel outline and no label chip (a wider pen goes
    through Qt's path stroker, about six times the cost of a hairline, and hundreds of
    chips only hide the shapes); ``local_authors`` are the names whose shapes are the
    user's own.
    """

    zoom: float = 1.0
    fill_unselected: bool = True
    crowded: bool = False
    local_authors: frozenset[str] = field(default_factory=local_authors)


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


def polyline_path(line: Polyline) -> QPainterPath:
    path = QPainterPath(QPointF(*line.points[0]))
    for x, y in line.points[1:]:
        path.lineTo(QPointF(x, y))
    return path


def _span(a: Ring, b: Ring) -> tuple[int, int]:
    """First and last index where two rings of equal length differ (C-speed slices)."""
    lo, hi = 0, len(a)
    while hi - lo > 32:  # a[:lo] == b[:lo] holds throughout
        mid = (lo + hi) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid
    first = next(i for i in range(lo, len(a)) if a[i] != b[i])
    lo, hi = first, len(a)
    while hi - lo > 32:  # a[hi:] == b[hi:] holds throughout
        mid = (lo + hi) // 2
        if a[mid:hi] == b[mid:hi]:
            hi = mid
        else:
            lo = mid
    last = next(i for i in range(hi - 1, first - 1, -1) if a[i] != b[i])
    return first, last


def patch_path(
    path: QPainterPath, old: Polygon, new: Polygon, coords: list[np.ndarray] | None = None
) -> QRectF | None:
    """Move the elements of ``path`` (built by :func:`polygon_path` from ``old``) to ``new``.

    Only when the rings have the same sizes and at most ``PATCH_VERTICES`` vertices
    differ: then the few elements move in place and the area around the moved segments
    is returned; otherwise None, and the caller rebuilds the path.
    """
    rings_old = [r for part in old.parts for r in (part.outer, *part.holes)]
    rings_new = [r for part in new.parts for r in (part.outer, *part.holes)]
    if len(rings_old) != len(rings_new) or any(
        len(a) != len(b) for a, b in zip(rings_old, rings_new, strict=True)
    ):
        return None
    edits: list[tuple[int, int, Ring, Ring, int, int]] = []
    base = 0
    for number, (a, b) in enumerate(zip(rings_old, rings_new, strict=True)):
        if a is not b and a != b:
            first, last = _span(a, b)
            if last - first >= PATCH_VERTICES:
                return None
            edits.append((number, base, a, b, first, last))
        base += len(b) + 1  # moveTo, a lineTo per further vertex, the closing lineTo
    xs: list[float] = []
    ys: list[float] = []
    for number, start, was, ring, first, last in edits:
        n = len(ring)
        for i in range(first, last + 1):
            path.setElementPositionAt(start + i, *ring[i])
            if coords is not None:
                coords[number][i] = ring[i]
            if i == 0:
                path.setElementPositionAt(start + n, *ring[0])
        for i in range(first - 1, last + 2):  # the segments on either side move too
            for x, y in (was[i % n], ring[i % n]):
                xs.append(x)
                ys.append(y)
    if not xs:
        return QRectF()
    return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def segments_near(rings: list[np.ndarray], rect: QRectF) -> QPainterPath:
    """The outline segments of ``rings`` whose box meets ``rect``, runs kept joined."""
    path = QPainterPath()
    x0, y0, x1, y1 = rect.left(), rect.top(), rect.right(), rect.bottom()
    for pts in rings:
        nxt = np.roll(pts, -1, axis=0)
        lo = np.minimum(pts, nxt)
        hi = np.maximum(pts, nxt)
        hit = np.flatnonzero(
            (lo[:, 0] <= x1) & (hi[:, 0] >= x0) & (lo[:, 1] <= y1) & (hi[:, 1] >= y0)
        )
        last = -2
        for i in hit.tolist():
            if i != last + 1:
                path.moveTo(QPointF(*pts[i]))
            path.lineTo(QPointF(*nxt[i]))
            last = i
    return path


def _chip_size(text: str, font: QFont) -> tuple[float, float]:
    """Width and height in screen pixels of a label chip saying ``text`` in ``font``."""
    metrics = QFontMetricsF(font)
    return metrics.horizontalAdvance(text) + 2 * CHIP_PAD_PX, metrics.height() + 2


class AnnotationItem(QGraphicsItem):
    """Draws one annotation; the canvas swaps its geometry during a drag preview.

    ``author`` is who made the annotation; ``render`` is the scene's shared
    :class:`RenderContext` (a private one when the item is drawn on its own).
    """

    def __init__(
        self,
        uuid: str,
        geometry: Geometry,
        style: ItemStyle,
        z: int,
        author: str = "",
        render: RenderContext | None = None,
    ) -> None:
        super().__init__()
        self.uuid = uuid
        self._render = render if render is not None else RenderContext()
        # The zoom this item's margins are sized for: its own copy, so that its bounding
        # rectangle never changes behind the scene index's back (only in refresh_margin).
        self._margin_zoom = self._render.zoom
        self._style = style
        self._author = author
        self._geometry: Geometry = geometry
        self._selected = False
        self._path: QPainterPath | None = None
        self._ring_coords: list[np.ndarray] | None = None  # numpy copies, made when needed
        self._mask_image: QImage | None = None
        self._rect = QRectF()
        self._bounds: tuple[float, QRectF] | None = None  # (zoom, bounding rect) last given
        self._chip = ""
        self._chip_size = (0.0, 0.0)  # screen pixels, in the application font
        self._paint_font: QFont | None = None
        self._paint_size = (0.0, 0.0)  # the same in the font the painter last used
        self.setZValue(float(z))
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self._rebuild()
        self._rebuild_chip()

    # -- state -----------------------------------------------------------------------
    @property
    def geometry(self) -> Geometry:
        return self._geometry

    def set_geometry(self, geometry: Geometry) -> None:
        if geometry is self._geometry:
            return
        old = self._geometry
        if isinstance(old, Polygon) and isinstance(geometry, Polygon) and self._path is not None:
            dirty = patch_path(self._path, old, geometry, self._ring_coords)
            if dirty is not None:
                self._geometry = geometry
                self._moved_vertices(dirty)
                return
        if geometry == old:
            return
        self.prepareGeometryChange()
        self._geometry = geometry
        self._rebuild()
        self.update()

    def _moved_vertices(self, dirty: QRectF) -> None:
        """A few vertices moved in place: repaint around them, re-index only if the box grew
        or shrank (a 10,000-vertex outline is neither rebuilt nor repainted whole)."""
        rect = self._path.controlPointRect() if self._path is not None else QRectF()
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
            self._bounds = None
            self.update()
            return
        margin = MARGIN_PX / self._margin_zoom
        self.update(dirty.adjusted(-margin, -margin, margin, margin))

    def set_style(self, style: ItemStyle) -> None:
        if style == self._style:
            return
        self._style = style
        self._mask_image = None
        self.prepareGeometryChange()
        self._rebuild()
        self._rebuild_chip()
        self.update()

    @property
    def author(self) -> str:
        return self._author

    def set_author(self, author: str) -> None:
        if author == self._author:
            return
        self._author = author
        self.prepareGeometryChange()
        self._rebuild_chip()
        self.update()

    @property
    def chip(self) -> str:
        """The text of the label chip ("" when the shape shows none)."""
        return self._chip

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
        self._bounds = None
        self._path = None
        if isinstance(g, Polygon):
            self._path = polygon_path(g)
        elif isinstance(g, Polyline):
            self._path = polyline_path(g)
        self._ring_coords = None
        if isinstance(g, Mask):
            self._mask_image = mask_qimage(g.crop_array(), self._style.color, MASK_ALPHA)

    def _rebuild_chip(self) -> None:
        self._chip = chip_text(self._style.label, self._author, self._render.local_authors)
        self._paint_font = None
        self._bounds = None
        self._chip_size = (0.0, 0.0)
        if self._chip:
            self._chip_size = _chip_size(self._chip, QGuiApplication.font())

    # -- QGraphicsItem ---------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        # The scene asks for this hundreds of times a frame; it changes only with the
        # geometry, the chip and the zoom the margins are sized for.
        zoom = self._margin_zoom
        if self._bounds is None or self._bounds[0] != zoom:
            self._bounds = (zoom, self._margined(zoom))
        return self._bounds[1]

    def _margined(self, zoom: float) -> QRectF:
        margin = MARGIN_PX / zoom
        rect = self._rect.adjusted(-margin, -margin - 2 * margin, margin, margin)
        if isinstance(self._geometry, Box | Ellipse):
            # The rotate handle turns with the shape, so it may stick out on any side.
            reach = LOD_SLACK * (sh.ROTATE_HANDLE_SCREEN_PX + 2 * HANDLE_PX) / zoom
            rect = rect.united(self._rect.adjusted(-reach, -reach, reach, reach))
        chip_w, chip_h = self._chip_size
        if chip_w:
            # The chip sits on the shape's top-left corner, at a fixed size on screen.
            slack = LOD_SLACK / zoom
            chip = QRectF(self._rect.left(), self._rect.top() - chip_h * slack, chip_w * slack, 0)
            rect = rect.united(chip.adjusted(0, 0, margin, 0))
        return rect

    def refresh_margin(self) -> None:
        """The zoom changed a lot: the label margin in image pixels changes with it."""
        if self._margin_zoom != self._render.zoom:
            self.prepareGeometryChange()
            self._margin_zoom = self._render.zoom

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        scale = option.levelOfDetailFromTransform(painter.worldTransform())
        color = self._style.color
        crowded = self._render.crowded and not self._selected
        pen = QPen(color, 3.0 if self._selected else 1.0 if crowded else 2.0)
        pen.setCosmetic(True)
        fill = QColor(color)
        fill.setAlpha(SELECTED_FILL_ALPHA if self._selected else FILL_ALPHA)
        painter.setPen(pen)
        if self._selected or self._render.fill_unselected:
            painter.setBrush(QBrush(fill))
        else:
            painter.setBrush(Qt.BrushStyle.NoBrush)
        g = self._geometry
        if isinstance(g, Box | Ellipse | Point | Polyline):
            self._paint_new_kind(painter, g, scale)
        elif isinstance(g, Polygon) and self._path is not None:
            self._paint_polygon(painter, option, pen, scale)
            if self._selected and scale > 0.2 and self._vertex_count() <= 2000:
                points = [p for part in g.parts for ring in (part.outer, *part.holes) for p in ring]
                self._paint_handles(painter, points, scale)
        elif isinstance(g, Mask) and self._mask_image is not None:
            painter.drawImage(QPointF(g.left, g.top), self._mask_image)
            if self._selected:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(QRectF(g.left, g.top, g.width, g.height))
        elif isinstance(g, Keypoints):
            self._paint_keypoints(painter, g, scale)
        if self._chip and scale > 0.25 and not crowded:
            self._paint_label(painter, scale)

    def _paint_new_kind(
        self, painter: QPainter, g: Box | Ellipse | Point | Polyline, scale: float
    ) -> None:
        """Boxes (turned or not), ellipses, points and polylines, with their handles."""
        if isinstance(g, Box):
            if g.rotated:
                painter.drawPolygon([QPointF(x, y) for x, y in g.corners()])
            else:
                painter.drawRect(QRectF(g.x0, g.y0, g.width, g.height))
            if self._selected:
                self._paint_rotate_handle(painter, g, scale)
                self._paint_handles(painter, sh.turned_box_handles(g), scale)
        elif isinstance(g, Ellipse):
            painter.save()
            painter.translate(g.cx, g.cy)
            painter.rotate(g.angle)
            painter.drawEllipse(QPointF(0.0, 0.0), g.rx, g.ry)
            painter.restore()
            if self._selected:
                self._paint_rotate_handle(painter, g, scale)
                self._paint_handles(painter, sh.ellipse_handles(g), scale)
        elif isinstance(g, Point):
            radius = (POINT_PX + (1.0 if self._selected else 0.0)) / scale
            painter.setBrush(QBrush(self._style.color))
            painter.drawEllipse(QPointF(g.x, g.y), radius, radius)
            if self._selected:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                ring = radius + 3.0 / scale
                painter.drawEllipse(QPointF(g.x, g.y), ring, ring)
        elif self._path is not None:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self._path)
            if self._selected and scale > 0.2 and len(g.points) <= 2000:
                self._paint_handles(painter, list(g.points), scale)

    def _paint_rotate_handle(self, painter: QPainter, g: Box | Ellipse, scale: float) -> None:
        """A stem from the top edge's middle to a round handle, turned with the shape."""
        hx, hy = sh.rotate_handle(g, scale)
        cx, cy = sh.centre_of(g)
        top = g.y0 if isinstance(g, Box) else g.cy - g.ry
        sx, sy = sh.turn_point(cx, top, cx, cy, g.angle)
        painter.drawLine(QPointF(sx, sy), QPointF(hx, hy))
        painter.save()
        painter.setBrush(QBrush(QColor("white")))
        radius = HANDLE_PX / scale
        painter.drawEllipse(QPointF(hx, hy), radius, radius)
        painter.restore()

    def _vertex_count(self) -> int:
        g = self._geometry
        if not isinstance(g, Polygon):
            return 0
        return sum(len(r) for part in g.parts for r in (part.outer, *part.holes))

    def _paint_polygon(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, pen: QPen, scale: float
    ) -> None:
        """The whole path, or, for a huge outline repainted in a small area (a vertex being
        dragged), its fill and only the outline segments that cross that area: stroking
        10,000 antialiased segments costs far more than filling them."""
        assert self._path is not None
        exposed: QRectF = option.exposedRect  # type: ignore[attr-defined]
        whole = self._rect
        small = exposed.width() * exposed.height() < 0.25 * whole.width() * whole.height()
        if self._vertex_count() < SPLIT_STROKE or not small:
            painter.drawPath(self._path)
            return
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawPath(self._path)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        grow = 2 * pen.widthF() / max(scale, 1e-6)
        painter.drawPath(segments_near(self._coords(), exposed.adjusted(-grow, -grow, grow, grow)))

    def _coords(self) -> list[np.ndarray]:
        if self._ring_coords is None:
            g = self._geometry
            assert isinstance(g, Polygon)
            self._ring_coords = [
                np.asarray(r, dtype=np.float64)
                for part in g.parts
                for r in (part.outer, *part.holes)
            ]
        return self._ring_coords

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
        font = painter.font()
        if font != self._paint_font:
            self._paint_font = QFont(font)
            self._paint_size = _chip_size(self._chip, font)
        width, height = self._paint_size
        rect = QRectF(0, -height, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(self._style.color))
        painter.drawRect(rect)
        painter.setPen(
            QPen(QColor("black") if self._style.color.lightness() > 140 else QColor("white"))
        )
        painter.drawText(
            rect.adjusted(CHIP_PAD_PX, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, self._chip
        )
        painter.restore()
