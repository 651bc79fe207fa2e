"""Level of detail for dense scenes: all shapes drawn into one cached raster.

Zoomed out over thousands of shapes, one graphics item per shape costs hundreds of
milliseconds a frame. Below the detail zoom the canvas hides those items and shows this
layer instead: every shown shape rasterized (OpenCV on numpy planes) at a power-of-two
scale near the zoom, then drawn as a single image each frame.

Nothing that answers an input redraws the whole raster on the GUI thread:

- a new scale step or a new set of shapes is rasterized by a background worker (OpenCV
  releases the GIL while it draws) while the previous raster stays on screen, scaled;
- an edit redraws only its dirty rectangle (:meth:`DenseLayerItem.patch`): the planes the
  raster is composed from are kept, so the shapes crossing that rectangle are drawn again
  into them and only that rectangle is composed anew;
- the selection is not in question at all: selected shapes stay in the raster and their
  highlighted items are drawn over it.

:func:`_draw` is the one place that knows how each kind of shape is rasterized.
"""

from __future__ import annotations

import itertools
import math
import time
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain

import cv2
import numpy as np
import shiboken6
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from limner.models.domain.entities import Annotation
from limner.models.domain.geometry import Box, Ellipse, Keypoints, Mask, Point, Polygon, Polyline
from limner.widgets.canvas.dense_kinds import draw_kind

FILL_ALPHA = 0.18
SHIFT = 4  # sub-pixel bits for OpenCV drawing
SCALE = float(1 << SHIFT)
PAD_PX = 4
"""Raster pixels a dirty rectangle grows by: outlines and keypoint dots overhang bounds."""
CHECK_EVERY = 256
"""A background render looks this often whether a newer one has replaced it."""

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in image pixels
RGB = tuple[int, int, int]
NEUTRAL: RGB = (200, 200, 200)


def render_scale(zoom: float) -> float:
    """The power of two at or just above the zoom, capped at 1 (full resolution)."""
    if zoom >= 1.0:
        return 1.0
    return 2.0 ** math.ceil(math.log2(max(zoom, 1e-4)))


def rgb_colors(colors: Mapping[int | None, QColor]) -> dict[int | None, RGB]:
    """Plain tuples, read on the GUI thread, so the worker never touches a QColor."""
    return {cid: (c.red(), c.green(), c.blue()) for cid, c in colors.items()}


@dataclass(slots=True)
class RasterPlanes:
    """One rasterization: the planes it is composed from, and the composed RGBA.

    ``fill``, ``covered`` and ``lines`` stay so that a dirty rectangle can be cleared,
    drawn again and composed without touching the rest.
    """

    scale: float
    fill: np.ndarray
    covered: np.ndarray
    lines: np.ndarray
    rgba: np.ndarray

    @classmethod
    def empty(cls, image_size: tuple[int, int], scale: float) -> RasterPlanes:
        w = max(1, round(image_size[0] * scale))
        h = max(1, round(image_size[1] * scale))
        return cls(
            scale,
            np.zeros((h, w, 3), np.uint8),
            np.zeros((h, w), np.uint8),
            np.zeros((h, w, 4), np.uint8),
            np.zeros((h, w, 4), np.uint8),
        )

    def pixel_rect(self, rect: Rect) -> tuple[int, int, int, int]:
        """The raster pixels ``rect`` (image pixels) covers, grown by the pad, clipped."""
        h, w = self.covered.shape
        s = self.scale
        return (
            max(0, math.floor(rect[0] * s) - PAD_PX),
            max(0, math.floor(rect[1] * s) - PAD_PX),
            min(w, math.ceil(rect[2] * s) + PAD_PX),
            min(h, math.ceil(rect[3] * s) + PAD_PX),
        )

    def draw(
        self,
        shapes: Iterable[Annotation],
        colors: Mapping[int | None, RGB],
        cache: RingCache | None = None,
        window: tuple[int, int, int, int] | None = None,
    ) -> int:
        """Draw ``shapes`` in order; with ``window`` (raster pixels) nothing outside it
        changes, so a patch never leaves a lower shape's pixels over a higher one's
        beyond the rectangle it composes."""
        chosen = list(shapes)
        rings = polygon_rings(chosen, self.scale, cache)
        planes = self._planes()
        origin = (0, 0)
        if window is not None:
            x0, y0, x1, y1 = window
            planes = tuple(p[y0:y1, x0:x1] for p in planes)  # type: ignore[assignment]
            origin = (x0, y0)
        for i, ann in enumerate(chosen):
            color = colors.get(ann.class_id) or NEUTRAL
            _draw(ann, self.scale, color, *planes, rings.get(i), origin)
        return len(chosen)

    def _planes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.fill, self.covered, self.lines

    def clear(self, px: tuple[int, int, int, int]) -> None:
        x0, y0, x1, y1 = px
        for plane in self._planes():
            plane[y0:y1, x0:x1] = 0

    def compose(self, px: tuple[int, int, int, int] | None = None) -> None:
        """Outlines opaque, fills translucent where no outline is, into ``rgba``."""
        h, w = self.covered.shape
        x0, y0, x1, y1 = px if px is not None else (0, 0, w, h)
        lines = self.lines[y0:y1, x0:x1]
        out = self.rgba[y0:y1, x0:x1]
        out[...] = lines
        alpha = (self.covered[y0:y1, x0:x1] > 0) & (lines[..., 3] == 0)
        out[alpha, :3] = self.fill[y0:y1, x0:x1][alpha]
        out[alpha, 3] = int(255 * FILL_ALPHA)

    def qimage(self) -> QImage:
        h, w = self.covered.shape
        return QImage(self.rgba.data, w, h, w * 4, QImage.Format.Format_RGBA8888)


def rasterize(
    image_size: tuple[int, int],
    shapes: Iterable[Annotation],
    colors: Mapping[int | None, RGB],
    scale: float,
    alive: Callable[[], bool] = lambda: True,
) -> RasterPlanes | None:
    """Every shape drawn at ``scale``; None when ``alive`` says the result is not wanted."""
    planes = RasterPlanes.empty(image_size, scale)
    chosen = list(shapes)
    for start in range(0, len(chosen), CHECK_EVERY):
        if not alive():
            return None
        planes.draw(chosen[start : start + CHECK_EVERY], colors)
    planes.compose()
    return planes


class _Relay(QObject):
    """Carries finished renders to the GUI thread; one for the process, never deleted,
    so a worker finishing after its canvas closed emits into something alive."""

    done = Signal(int, int, object)  # layer key, job, RasterPlanes

    def __init__(self) -> None:
        super().__init__()
        self.layers: weakref.WeakValueDictionary[int, DenseLayerItem] = (
            weakref.WeakValueDictionary()
        )
        self.done.connect(self._deliver)

    def _deliver(self, key: int, job: int, planes: RasterPlanes) -> None:
        layer = self.layers.get(key)
        # The canvas may have closed while the worker drew: its scene deleted the item.
        if layer is not None and shiboken6.isValid(layer):
            layer._arrived(job, planes)


_RELAY: _Relay | None = None
_KEYS = itertools.count(1)


def _relay() -> _Relay:
    global _RELAY
    if _RELAY is None:
        _RELAY = _Relay()
    return _RELAY


ShapesIn = Callable[[Rect], list[Annotation]]


class DenseLayerItem(QGraphicsItem):
    """The raster; ``renders``, ``patches`` and ``drawn`` count its work for tests."""

    def __init__(self) -> None:
        super().__init__()
        self._planes: RasterPlanes | None = None
        self._image: QImage | None = None
        self._size = (0, 0)
        self._scale = 1.0
        self._colors: dict[int | None, RGB] = {}
        self._job = 0
        self._running: int | None = None
        self._dirty_since: list[Rect] = []
        self._shapes_in: ShapesIn = lambda _rect: []
        self._rings = RingCache()  # the patches' converted polygons
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="limner-raster")
        self._key = next(_KEYS)
        _relay().layers[self._key] = self
        self.renders = 0
        self.patches = 0
        self.drawn = 0
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self._size[0], self._size[1])

    @property
    def scale_step(self) -> float:
        """The scale the raster is (or is being) drawn at."""
        return self._scale

    @property
    def busy(self) -> bool:
        return self._running is not None

    def render_later(
        self,
        image_size: tuple[int, int],
        shapes: Callable[[], Iterable[Annotation]],
        colors: Mapping[int | None, QColor],
        scale: float,
        shapes_in: ShapesIn,
    ) -> None:
        """Rasterize ``shapes()`` in the background; the current raster stays meanwhile.

        ``shapes`` runs on the worker, so it must read a snapshot, never live state;
        ``shapes_in(rect)`` gives the current shapes crossing a rectangle, for patches.
        """
        if image_size != self._size:
            self.prepareGeometryChange()
            self._size = (image_size[0], image_size[1])
            self._planes, self._image = None, None  # another image: nothing to show scaled
        self._scale = scale
        self._colors = rgb_colors(colors)
        self._shapes_in = shapes_in
        self._job += 1
        self._running = self._job
        self._dirty_since = []
        job, size, palette = self._job, self._size, self._colors
        self._pool.submit(self._work, job, size, shapes, palette, scale)
        self.update()

    def _work(self, job: int, size, shapes, colors, scale: float) -> None:  # type: ignore[no-untyped-def]
        if job != self._job:
            return
        planes = rasterize(size, shapes(), colors, scale, alive=lambda: job == self._job)
        if planes is not None:
            _relay().done.emit(self._key, job, planes)

    def _arrived(self, job: int, planes: RasterPlanes) -> None:
        if job != self._job:
            return  # a newer render replaced this one
        for rect in self._dirty_since:
            self._redraw(planes, rect)
        self._dirty_since = []
        self._running = None
        self._planes = planes
        self._image = planes.qimage()
        self.renders += 1
        self.update()

    def patch(self, rect: Rect, added: str | None = None) -> None:
        """The shapes crossing ``rect`` (image pixels) changed: redraw that rectangle only.

        With ``added``, the only change there is that this shape appeared (a dragged shape
        dropped, a new one drawn): the planes hold everything else already, so only it and
        the shapes drawn after it are drawn again, over what is there. On a crowded image
        that is a handful of shapes instead of the thousand under it.
        """
        if self._running is not None:
            self._dirty_since.append(rect)  # the arriving render gets a whole redraw there
        if self._planes is None:
            return
        px = self._redraw(self._planes, rect, added)
        self.patches += 1
        s = self._planes.scale
        self.update(QRectF(px[0] / s, px[1] / s, (px[2] - px[0]) / s, (px[3] - px[1]) / s))

    def _redraw(
        self, planes: RasterPlanes, rect: Rect, added: str | None = None
    ) -> tuple[int, int, int, int]:
        px = planes.pixel_rect(rect)
        if px[2] <= px[0] or px[3] <= px[1]:
            return px
        s = planes.scale
        shapes = self._shapes_in((px[0] / s, px[1] / s, px[2] / s, px[3] / s))
        if added is None:
            planes.clear(px)
        else:
            start = next((i for i, a in enumerate(shapes) if a.uuid == added), len(shapes))
            shapes = shapes[start:]  # nothing when the shape is not drawn (a hidden class)
        self.drawn += planes.draw(shapes, self._colors, self._rings, px)
        planes.compose(px)
        return px

    def clear(self) -> None:
        """Show nothing until the next render (the shapes are another image's)."""
        self._job += 1
        self._running = None
        self._planes, self._image = None, None
        self._rings = RingCache()
        self.update()

    def wait_ready(self, timeout: float = 30.0) -> bool:
        """For tests and benchmarks: until no background render is under way."""
        from PySide6.QtWidgets import QApplication

        deadline = time.monotonic() + timeout
        while self._running is not None and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.002)
        return self._running is None

    def shutdown(self) -> None:
        self._job += 1
        self._pool.shutdown(wait=False, cancel_futures=True)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        if self._image is None:
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(
            QRectF(0, 0, self._size[0], self._size[1]),
            self._image,
            QRectF(0, 0, self._image.width(), self._image.height()),
            Qt.ImageConversionFlag.AutoColor,
        )


class RingCache:
    """Polygons' fixed-point rings at one raster scale, kept between patches.

    A drag hides the shape from the raster and its release draws it back, and each time
    the thousand shapes around it on a crowded image are drawn again; their rings, once
    converted, are reused as long as their geometry is the same object (shapes are never
    changed in place) and the scale is the same. Bounded, and used on the GUI thread only.
    """

    LIMIT = 20_000

    def __init__(self) -> None:
        self.scale = 0.0
        self._rings: dict[str, tuple[object, list[np.ndarray]]] = {}

    def at(self, scale: float) -> dict[str, tuple[object, list[np.ndarray]]]:
        if scale != self.scale or len(self._rings) > self.LIMIT:
            self.scale, self._rings = scale, {}
        return self._rings


def polygon_rings(
    shapes: Sequence[Annotation], scale: float, cache: RingCache | None = None
) -> dict[int, list[np.ndarray]]:
    """The rings of every polygon in ``shapes`` (by index) as OpenCV's fixed-point arrays.

    All rings not in ``cache`` are converted by one numpy call: converting each ring of
    tuples on its own cost about 10 µs, more than drawing it, and a patch after an edit on
    a crowded image draws a thousand polygons.
    """
    known = cache.at(scale) if cache is not None else {}
    out: dict[int, list[np.ndarray]] = {}
    rings: list[Sequence[tuple[float, float]]] = []
    owners: list[int] = []
    for i, ann in enumerate(shapes):
        g = ann.geometry
        if isinstance(g, Polygon):
            held = known.get(ann.uuid)
            if held is not None and held[0] is g:
                out[i] = held[1]
                continue
            for part in g.parts:
                for ring in (part.outer, *part.holes):
                    rings.append(ring)
                    owners.append(i)
    if not rings:
        return out
    flat = np.fromiter(chain.from_iterable(chain.from_iterable(rings)), np.float64)
    points = np.round(flat * (scale * SCALE)).astype(np.int32).reshape(-1, 1, 2)
    start = 0
    for owner, ring in zip(owners, rings, strict=True):
        out.setdefault(owner, []).append(points[start : start + len(ring)])
        start += len(ring)
    if cache is not None:
        for owner in set(owners):
            known[shapes[owner].uuid] = (shapes[owner].geometry, out[owner])
    return out


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
    rings: list[np.ndarray] | None = None,
    origin: tuple[int, int] = (0, 0),
) -> None:
    """One shape into the planes, whose top left is raster pixel ``origin``; a polygon's
    ``rings`` may come converted already."""
    g = ann.geometry
    line = (*color, 255)
    ox, oy = origin[0] << SHIFT, origin[1] << SHIFT
    if isinstance(g, Box) and not g.rotated:
        p0 = (round(g.x0 * scale * SCALE) - ox, round(g.y0 * scale * SCALE) - oy)
        p1 = (round(g.x1 * scale * SCALE) - ox, round(g.y1 * scale * SCALE) - oy)
        cv2.rectangle(fill, p0, p1, color, -1, cv2.LINE_8, SHIFT)
        cv2.rectangle(covered, p0, p1, 255, -1, cv2.LINE_8, SHIFT)
        cv2.rectangle(lines, p0, p1, line, 1, cv2.LINE_8, SHIFT)
    elif isinstance(g, Polygon):
        if rings is None:
            rings = [_pts(r, scale) for part in g.parts for r in (part.outer, *part.holes)]
        if ox or oy:
            shift = np.array([ox, oy], np.int32)
            rings = [r - shift for r in rings]
        cv2.fillPoly(fill, rings, color, cv2.LINE_8, SHIFT)
        cv2.fillPoly(covered, rings, 255, cv2.LINE_8, SHIFT)
        cv2.polylines(lines, rings, True, line, 1, cv2.LINE_8, SHIFT)
    elif isinstance(g, Mask):
        _draw_mask(g, scale, color, fill, covered, origin)
    elif isinstance(g, Keypoints):
        for x, y, v in g.points:
            if v > 0:
                centre = (round(x * scale * SCALE) - ox, round(y * scale * SCALE) - oy)
                cv2.circle(lines, centre, 2 << SHIFT, line, -1, cv2.LINE_8, SHIFT)
    elif isinstance(g, Box | Ellipse | Polyline | Point):
        draw_kind(g, scale, color, fill, covered, lines, (ox, oy))


def _draw_mask(
    g: Mask,
    scale: float,
    color: RGB,
    fill: np.ndarray,
    covered: np.ndarray,
    origin: tuple[int, int],
) -> None:
    """A mask scaled to the raster, cut to the planes on every side."""
    crop = g.crop_array().astype(np.uint8)
    x0, y0 = round(g.left * scale) - origin[0], round(g.top * scale) - origin[1]
    cw, ch = max(1, round(g.width * scale)), max(1, round(g.height * scale))
    h, w = covered.shape
    sx, sy = max(0, -x0), max(0, -y0)
    ex, ey = min(cw, w - x0), min(ch, h - y0)
    if ex <= sx or ey <= sy:
        return
    small = cv2.resize(crop, (cw, ch), interpolation=cv2.INTER_NEAREST)[sy:ey, sx:ex] > 0
    covered[y0 + sy : y0 + ey, x0 + sx : x0 + ex][small] = 255
    fill[y0 + sy : y0 + ey, x0 + sx : x0 + ex][small] = color
