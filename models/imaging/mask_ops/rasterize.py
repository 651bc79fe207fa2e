"""Polygons to pixels: the pixels whose centres lie inside a polygon.

The rule is the centre of the pixel, as for painting, and the outline's own pixels are not
added, so a mask traced into a polygon fills back to exactly the same pixels. Only the
polygon's bounding window is ever rasterized.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from limner.models.domain.geometry import XY, Mask, Polygon, PolygonPart
from limner.models.errors import GeometryError
from limner.models.imaging.mask_ops.rects import Rect, rect_union, tight_rect


class Paintable(Protocol):
    """What :func:`fill_polygon` needs of a painting layer: its size and a way to paint.

    The brush's :class:`~limner.models.imaging.mask_ops.layer.MaskLayer` is one; naming
    only this much keeps rasterizing free of the layer, which itself fills polygons.
    """

    width: int
    height: int

    def paint(self, x: int, y: int, inside: np.ndarray, value: bool) -> Rect | None: ...


def _ring_array(ring: Sequence[XY]) -> np.ndarray:
    return np.asarray(ring, dtype=np.float64).reshape(-1, 2)


def _part_raster(part: PolygonPart, width: int, height: int) -> tuple[int, int, np.ndarray] | None:
    """The pixels of one part (outer minus holes, even-odd) in its clipped bounding window.

    A scanline rasterizer written out here rather than ``cv2.fillPoly``: OpenCV also draws
    the outline, so it sets pixels whose centres lie outside (a ``[1, 4)`` square covers
    four columns instead of three), and traced mask outlines would not fill back to the
    same pixels. Each edge toggles, on every row whose centre line it crosses, the pixels
    whose centres lie right of the crossing; a running parity then gives even-odd filling,
    so holes and self-overlaps need no special case. Edges are half-open in y, so a
    vertex on a centre line is counted once.
    """
    outer = _ring_array(part.outer)
    c0 = max(math.ceil(float(outer[:, 0].min()) - 0.5), 0)
    c1 = min(math.floor(float(outer[:, 0].max()) - 0.5) + 1, width)
    r0 = max(math.ceil(float(outer[:, 1].min()) - 0.5), 0)
    r1 = min(math.floor(float(outer[:, 1].max()) - 0.5) + 1, height)
    if c0 >= c1 or r0 >= r1:
        return None
    w, h = c1 - c0, r1 - r0
    rings = [outer, *(_ring_array(hole) for hole in part.holes)]
    a = np.concatenate(rings)
    # Each vertex's successor within its own ring (the last one wraps to the first).
    following = np.arange(1, a.shape[0] + 1)
    ends = np.cumsum([ring.shape[0] for ring in rings])
    following[ends - 1] = ends - np.array([ring.shape[0] for ring in rings])
    b = a[following]
    sloped = a[:, 1] != b[:, 1]
    a, b = a[sloped], b[sloped]
    y_lo = np.minimum(a[:, 1], b[:, 1])
    y_hi = np.maximum(a[:, 1], b[:, 1])
    first = np.maximum(np.ceil(y_lo - 0.5).astype(np.int64), r0)
    stop = np.minimum(np.ceil(y_hi - 0.5).astype(np.int64), r1)
    count = np.maximum(stop - first, 0)
    total = int(count.sum())
    if total == 0:
        return None
    edge = np.repeat(np.arange(count.size), count)
    row = first[edge] + (np.arange(total) - np.repeat(np.cumsum(count) - count, count))
    ax, ay, bx, by = a[edge, 0], a[edge, 1], b[edge, 0], b[edge, 1]
    x = ax + (row + 0.5 - ay) * (bx - ax) / (by - ay)
    col = np.clip(np.ceil(x - 0.5).astype(np.int64), c0, c1) - c0
    flat = (row - r0) * (w + 1) + col
    ids, counts = np.unique(flat, return_counts=True)
    toggles = np.zeros(h * (w + 1), dtype=np.uint8)
    toggles[ids[counts % 2 == 1]] = 1
    parity = np.cumsum(toggles.reshape(h, w + 1), axis=1, dtype=np.uint8) & 1
    return c0, r0, parity[:, :w].astype(bool)


def fill_polygon(
    target: Paintable | np.ndarray, polygon: Polygon, value: bool = True
) -> Rect | None:
    """Set (or clear, with ``value=False``) every pixel whose centre lies inside ``polygon``.

    Parts are united (a pixel in any part is inside); inside a part, the outer ring and its
    holes combine even-odd, so a hole punches out what it covers. Works on a layer (dirty
    rectangles are recorded) or on a plain ``(H, W)`` bool array, in place. Returns the
    rectangle of pixels that changed, or None.
    """
    if isinstance(target, np.ndarray):
        if target.ndim != 2 or target.dtype != np.bool_:
            raise GeometryError(f"fill target must be a 2-D bool array, got {target.dtype}")
        height, width = target.shape
    else:
        height, width = target.height, target.width
    changed: Rect | None = None
    for part in polygon.parts:
        raster = _part_raster(part, width, height)
        if raster is None:
            continue
        x, y, inside = raster
        if isinstance(target, np.ndarray):
            h, w = inside.shape
            view = target[y : y + h, x : x + w]
            rect = tight_rect(inside & (view != value), x, y)
            view[inside] = bool(value)
        else:
            rect = target.paint(x, y, inside, bool(value))
        changed = rect_union(changed, rect)
    return changed


def polygons_to_mask(polygon: Polygon, width: int, height: int) -> np.ndarray:
    """A full ``(height, width)`` bool array with the pixels whose centres are inside."""
    out = np.zeros((int(height), int(width)), dtype=bool)
    fill_polygon(out, polygon, True)
    return out


def polygon_to_mask_geometry(polygon: Polygon, width: int, height: int) -> Mask | None:
    """``polygon`` as a :class:`Mask` of a ``width`` x ``height`` image, or None if it
    covers no pixel centre.

    Only the polygon's bounding window is rasterized, never the whole image.
    """
    x0 = max(math.floor(min(x for part in polygon.parts for x, _ in part.outer)), 0)
    y0 = max(math.floor(min(y for part in polygon.parts for _, y in part.outer)), 0)
    x1 = min(math.ceil(max(x for part in polygon.parts for x, _ in part.outer)), width)
    y1 = min(math.ceil(max(y for part in polygon.parts for _, y in part.outer)), height)
    if x0 >= x1 or y0 >= y1:
        return None
    shifted = Polygon(
        tuple(
            PolygonPart(
                tuple((x - x0, y - y0) for x, y in part.outer),
                tuple(tuple((x - x0, y - y0) for x, y in hole) for hole in part.holes),
            )
            for part in polygon.parts
        )
    )
    window = polygons_to_mask(shifted, x1 - x0, y1 - y0)
    if not window.any():
        return None
    return Mask.from_crop(window, x0, y0, width, height)
