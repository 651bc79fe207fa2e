"""Level of detail for dense scenes: all shapes drawn into one cached raster.

Zoomed out over thousands of shapes, one graphics item per shape costs hundreds of
milliseconds a frame. Below the detail zoom the canvas hides those items and shows this
layer instead: every unselected shape rasterized once (OpenCV on a numpy buffer) at a
power-of-two scale near the zoom, then drawn as a single image each frame. It is redrawn
only when the shapes, their styles, the selection or the scale step change, and
:meth:`DenseLayerItem.render_later` waits for the next paint to do it, so the few changes
one edit makes (a new shape, then its selection) cost one raster, not one each.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

import cv2
import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from limner.models.domain.entities import Annotation
from limner.models.domain.geometry import Box, Ellipse, Keypoints, Mask, Point, Polygon, Polyline
from limner.widgets.canvas.dense_kinds import draw_kind

FILL_ALPHA = 0.18
SHIFT = 4  # sub-pixel bits for OpenCV drawing
SCALE = float(1 << SHIFT)


def render_scale(zoom: float) -> float:
    """The power of two at or just above the zoom, capped at 1 (full resolution)."""
    if zoom >= 1.0:
        return 1.0
    return 2.0 ** math.ceil(math.log2(max(zoom, 1e-4)))


class DenseLayerItem(QGraphicsItem):
    def __init__(self) -> None:
        super().__init__()
        self._image: QImage | None = None
        self._buffer: np.ndarray | None = None
        self._size = (0, 0)
        self._scale = 1.0
        self._pending: tuple[Callable[[], Iterable[Annotation]], Mapping] | None = None
        self.renders = 0
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self._size[0], self._size[1])

    @property
    def scale_step(self) -> float:
        return self._scale

    def render(
        self,
        image_size: tuple[int, int],
        annotations: Iterable[Annotation],
        colors: Mapping[int | None, QColor],
        scale: float,
    ) -> None:
        """Rasterize ``annotations`` at ``scale`` now."""
        self._frame(image_size, scale)
        self._rasterize(annotations, colors)

    def render_later(
        self,
        image_size: tuple[int, int],
        annotations: Callable[[], Iterable[Annotation]],
        colors: Mapping[int | None, QColor],
        scale: float,
    ) -> None:
        """Rasterize what ``annotations()`` returns when the layer is next painted."""
        self._frame(image_size, scale)
        self._pending = (annotations, colors)
        self.update()

    def _frame(self, image_size: tuple[int, int], scale: float) -> None:
        if image_size != self._size:
            self.prepareGeometryChange()
            self._size = (image_size[0], image_size[1])
        self._scale = scale

    def _rasterize(
        self, annotations: Iterable[Annotation], colors: Mapping[int | None, QColor]
    ) -> None:
        self._pending = None
        width, height = self._size
        scale = self._scale
        w, h = max(1, round(width * scale)), max(1, round(height * scale))
        fill = np.zeros((h, w, 3), np.uint8)
        covered = np.zeros((h, w), np.uint8)
        lines = np.zeros((h, w, 4), np.uint8)
        for ann in annotations:
            color = colors.get(ann.class_id) or QColor(200, 200, 200)
            bgr = (color.red(), color.green(), color.blue())
            _draw(ann, scale, bgr, fill, covered, lines)
        rgba = lines
        alpha = (covered > 0) & (lines[..., 3] == 0)
        rgba[alpha, :3] = fill[alpha]
        rgba[alpha, 3] = int(255 * FILL_ALPHA)
        self._buffer = np.ascontiguousarray(rgba)
        self._image = QImage(self._buffer.data, w, h, w * 4, QImage.Format.Format_RGBA8888)
        self.renders += 1
        self.update()

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        if self._pending is not None:
            shapes, colors = self._pending
            self._rasterize(shapes(), colors)
        if self._image is None:
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(
            QRectF(0, 0, self._size[0], self._size[1]),
            self._image,
            QRectF(0, 0, self._image.width(), self._image.height()),
            Qt.ImageConversionFlag.AutoColor,
        )


def _pts(ring: Iterable[tuple[float, float]], scale: float) -> np.ndarray:
    arr = np.asarray(list(ring), dtype=np.float64) * (scale * SCALE)
    return np.round(arr).astype(np.int32).reshape(-1, 1, 2)


def _draw(
    ann: Annotation,
    scale: float,
    color: tuple[int, int, int],
    fill: np.ndarray,
    covered: np.ndarray,
    lines: np.ndarray,
) -> None:
    g = ann.geometry
    line = (*color, 255)
    if isinstance(g, Box) and not g.rotated:
        p0 = (round(g.x0 * scale * SCALE), round(g.y0 * scale * SCALE))
        p1 = (round(g.x1 * scale * SCALE), round(g.y1 * scale * SCALE))
        cv2.rectangle(fill, p0, p1, color, -1, cv2.LINE_8, SHIFT)
        cv2.rectangle(covered, p0, p1, 255, -1, cv2.LINE_8, SHIFT)
        cv2.rectangle(lines, p0, p1, line, 1, cv2.LINE_8, SHIFT)
    elif isinstance(g, Polygon):
        rings = [_pts(r, scale) for part in g.parts for r in (part.outer, *part.holes)]
        cv2.fillPoly(fill, rings, color, cv2.LINE_8, SHIFT)
        cv2.fillPoly(covered, rings, 255, cv2.LINE_8, SHIFT)
        cv2.polylines(lines, rings, True, line, 1, cv2.LINE_8, SHIFT)
    elif isinstance(g, Mask):
        crop = g.crop_array().astype(np.uint8)
        x0, y0 = round(g.left * scale), round(g.top * scale)
        cw, ch = max(1, round(g.width * scale)), max(1, round(g.height * scale))
        small = cv2.resize(crop, (cw, ch), interpolation=cv2.INTER_NEAREST) > 0
        h, w = covered.shape
        cw, ch = min(cw, w - x0), min(ch, h - y0)
        if cw > 0 and ch > 0:
            small = small[:ch, :cw]
            covered[y0 : y0 + ch, x0 : x0 + cw][small] = 255
            fill[y0 : y0 + ch, x0 : x0 + cw][small] = color
    elif isinstance(g, Keypoints):
        for x, y, v in g.points:
            if v > 0:
                centre = (round(x * scale * SCALE), round(y * scale * SCALE))
                cv2.circle(lines, centre, 2 << SHIFT, line, -1, cv2.LINE_8, SHIFT)
    elif isinstance(g, Box | Ellipse | Polyline | Point):
        draw_kind(g, scale, color, fill, covered, lines)
