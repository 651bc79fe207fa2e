"""Edge following for the intelligent-scissors tool, on OpenCV's ``IntelligentScissorsMB``.

The costly parts are the edge features of the image and the shortest-path map from each
anchor (a Dijkstra over every pixel it covers); the path to the pointer is then read from
that map in well under a millisecond, which is what makes the preview live. On a large
image a map over every pixel would take seconds per click, so the map covers a *window*
around the anchor: the part of the image the user is looking at, resampled to at most
:data:`WINDOW_PX` pixels a side. Zoomed in, that is full resolution; zoomed out, a coarser
path over a wider area, which matches what the user can see and aim at anyway. The
features of a window are kept, so clicking again inside the same view reuses them, and an
image that fits in one window has its features computed exactly once.

The heavy work runs on a worker thread (:class:`EdgeTracer` owns one); until a map is
ready the path is a straight segment, so the pointer never waits for OpenCV.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

XY = tuple[float, float]

WINDOW_PX = 640
"""Side of the working raster of one anchor's map, in working pixels."""
SIMPLIFY_PX = 0.75
"""Douglas-Peucker tolerance of a traced path, in working pixels (it follows pixel edges)."""


@dataclass(frozen=True, slots=True)
class Window:
    """A part of the image, ``x0, y0`` its corner and ``side_x, side_y`` its size in image
    pixels, resampled by ``factor`` (working pixels per image pixel, at most 1)."""

    x0: int
    y0: int
    side_x: int
    side_y: int
    factor: float

    def to_work(self, x: float, y: float) -> tuple[int, int]:
        wx = round((x - self.x0) * self.factor - 0.5)
        wy = round((y - self.y0) * self.factor - 0.5)
        width, height = self.work_size
        return min(max(wx, 0), width - 1), min(max(wy, 0), height - 1)

    def to_image(self, wx: float, wy: float) -> XY:
        return (self.x0 + (wx + 0.5) / self.factor, self.y0 + (wy + 0.5) / self.factor)

    @property
    def work_size(self) -> tuple[int, int]:
        return (
            max(1, round(self.side_x * self.factor)),
            max(1, round(self.side_y * self.factor)),
        )


def window_around(size: tuple[int, int], x: float, y: float, scale: float) -> Window:
    """The window a click at (x, y) works in, when the view shows ``scale`` screen pixels
    per image pixel: :data:`WINDOW_PX` screen pixels a side, at most the image."""
    width, height = size
    span = WINDOW_PX / min(max(scale, 1e-6), 1.0)
    factor = min(1.0, WINDOW_PX / span)
    side_x, side_y = min(width, round(span)), min(height, round(span))
    return Window(_snap(x, side_x, width), _snap(y, side_y, height), side_x, side_y, factor)


def _snap(at: float, side: int, limit: int) -> int:
    """Where a window of ``side`` around ``at`` starts: on a grid of a quarter side, so
    nearby clicks share one window's features, with ``at`` kept in its middle half."""
    step = max(1, side // 4)
    start = round((at - side / 2) / step) * step
    return int(min(max(start, 0), limit - side))


def _gray(pixels: np.ndarray, window: Window) -> np.ndarray:
    crop = pixels[window.y0 : window.y0 + window.side_y, window.x0 : window.x0 + window.side_x]
    if crop.ndim == 3:
        crop = crop[..., :3]
    if crop.dtype != np.uint8:
        crop = cv2.normalize(crop, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if window.factor < 1.0:
        crop = cv2.resize(crop, window.work_size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(crop)


class _Map:
    """One anchor's shortest-path map over one window."""

    def __init__(self, scissors: cv2.segmentation.IntelligentScissorsMB, window: Window) -> None:
        self.scissors = scissors
        self.window = window

    def path_to(self, x: float, y: float) -> list[XY]:
        target = self.window.to_work(x, y)
        contour = self.scissors.getContour(target)
        points = contour.reshape(-1, 1, 2).astype(np.int32)
        if len(points) > 2:
            points = cv2.approxPolyDP(points, SIMPLIFY_PX, False)
        return [self.window.to_image(float(px), float(py)) for px, py in points.reshape(-1, 2)]


class EdgeTracer:
    """Paths along the image's edges from an anchor to any point, for one image.

    :meth:`anchor` starts building the map from a new anchor on the worker thread;
    :meth:`path` answers at once with the traced path when the map is ready and a straight
    segment before. :meth:`wait` blocks until the map is built (tests, the final close).
    """

    def __init__(self, pixels: np.ndarray) -> None:
        self.pixels = pixels
        self.size = (int(pixels.shape[1]), int(pixels.shape[0]))
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scissors")
        self._features: dict[Window, cv2.segmentation.IntelligentScissorsMB] = {}
        self._lock = threading.Lock()
        self._pending: Future[_Map] | None = None
        self._anchor: XY | None = None

    def _scissors_for(self, window: Window) -> cv2.segmentation.IntelligentScissorsMB:
        with self._lock:
            found = self._features.get(window)
        if found is not None:
            return found
        scissors = cv2.segmentation.IntelligentScissorsMB()
        scissors.setEdgeFeatureCannyParameters(32, 100)
        scissors.setGradientMagnitudeMaxLimit(200)
        scissors.applyImage(_gray(self.pixels, window))
        with self._lock:
            self._features[window] = scissors
        return scissors

    def _build(self, x: float, y: float, scale: float) -> _Map:
        window = window_around(self.size, x, y, scale)
        scissors = self._scissors_for(window)
        scissors.buildMap(window.to_work(x, y))
        return _Map(scissors, window)

    def prepare(self, scale: float = 1.0) -> None:
        """Compute the features of the window at the image's centre ahead of the first
        click (an image that fits one window needs no other)."""
        w, h = self.size
        window = window_around(self.size, w / 2, h / 2, scale)
        self._executor.submit(self._scissors_for, window)

    def anchor(self, x: float, y: float, scale: float = 1.0) -> None:
        self._anchor = (x, y)
        self._pending = self._executor.submit(self._build, x, y, scale)

    def wait(self) -> None:
        if self._pending is not None:
            self._pending.result()

    @property
    def ready(self) -> bool:
        return self._pending is not None and self._pending.done()

    def path(self, x: float, y: float) -> list[XY]:
        """From the anchor to (x, y), anchor first; (x, y) itself is always the last point."""
        if self._anchor is None:
            return [(x, y)]
        pending = self._pending
        if pending is None or not pending.done() or pending.exception() is not None:
            return [self._anchor, (x, y)]
        traced = pending.result().path_to(x, y)
        if not traced:
            return [self._anchor, (x, y)]
        traced[0] = self._anchor
        if len(traced) == 1:
            traced.append((x, y))
        else:
            traced[-1] = (x, y)
        return traced

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
