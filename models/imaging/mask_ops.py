"""Raster operations behind the mask tools: painting, rasterizing, tracing, wand, GrabCut.

Everything here is plain numpy/OpenCV on boolean arrays so that it can be tested without a
window and reused by importers. Coordinates follow :mod:`models.geometry`: continuous image
space, pixel (row ``r``, column ``c``) covers ``[c, c + 1) x [r, r + 1)`` and its centre is
``(c + 0.5, r + 0.5)``. A pixel belongs to a disc, a capsule or a polygon when its *centre*
does, which makes painting and rasterizing independent of the zoom level.

Rectangles are ``(x, y, w, h)`` integer tuples in pixels (column, row, width, height), the
form the canvas needs to redraw a region.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeAlias

import cv2
import numpy as np

from limner.models.domain.geometry import Box, Mask, Point, Polygon, PolygonPart, Ring
from limner.models.errors import GeometryError

__all__ = [
    "MaskLayer",
    "Rect",
    "fill_polygon",
    "grabcut",
    "magic_wand",
    "mask_crop",
    "mask_to_polygons",
    "overlay_rgba",
    "polygon_to_mask_geometry",
    "polygons_to_mask",
    "rect_union",
    "simplify_polygon",
    "simplify_ring",
    "tight_rect",
]

Rect: TypeAlias = tuple[int, int, int, int]
"""``(x, y, w, h)``: left column, top row, width and height in pixels."""

# A capsule's bounding window grows with the square of a diagonal segment's length; cutting
# long segments into pieces of at most this many radii keeps every window small. The union
# of the pieces' capsules is exactly the whole capsule, so the result does not change.
_SEGMENT_PIECE_RADII = 4.0
_SEGMENT_PIECE_MIN_PX = 32.0

# Past this many pending dirty rectangles they are merged into their union: a canvas that
# stops collecting them (hidden, minimized) must not make the list grow without bound.
_MAX_DIRTY_RECTS = 64

# GrabCut looks at some background around the box; the margin is this share of the box's
# longer side, at least _GRABCUT_MIN_MARGIN pixels.
_GRABCUT_MARGIN = 0.1
_GRABCUT_MIN_MARGIN = 8


# ---------------------------------------------------------------------------------------
# Rectangles
# ---------------------------------------------------------------------------------------


def rect_union(a: Rect | None, b: Rect | None) -> Rect | None:
    """The smallest rectangle holding both (either may be None, meaning "nothing")."""
    if a is None:
        return b
    if b is None:
        return a
    x0 = min(a[0], b[0])
    y0 = min(a[1], b[1])
    x1 = max(a[0] + a[2], b[0] + b[2])
    y1 = max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


def tight_rect(array: np.ndarray, x: int = 0, y: int = 0) -> Rect | None:
    """Bounding rectangle of the set pixels of ``array`` placed at ``(x, y)``, or None."""
    rows = np.flatnonzero(array.any(axis=1))
    if rows.size == 0:
        return None
    top, bottom = int(rows[0]), int(rows[-1])
    cols = np.flatnonzero(array[top : bottom + 1].any(axis=0))
    left, right = int(cols[0]), int(cols[-1])
    return (x + left, y + top, right - left + 1, bottom - top + 1)


def mask_crop(mask: Mask | None, rect: Rect) -> np.ndarray:
    """The pixels of ``mask`` inside ``rect`` as an ``(h, w)`` bool array (False outside it).

    Reading a window this way never builds the full-image array, which is what keeps an
    undo step of a small brush stroke small on a large image.
    """
    x, y, w, h = rect
    out = np.zeros((h, w), dtype=bool)
    if mask is None:
        return out
    x0 = max(x, mask.left)
    y0 = max(y, mask.top)
    x1 = min(x + w, mask.left + mask.width)
    y1 = min(y + h, mask.top + mask.height)
    if x0 >= x1 or y0 >= y1:
        return out
    crop = mask.crop_array()
    out[y0 - y : y1 - y, x0 - x : x1 - x] = crop[
        y0 - mask.top : y1 - mask.top, x0 - mask.left : x1 - mask.left
    ]
    return out


def _finite(value: float, what: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise GeometryError(f"{what} is not a finite number ({number})")
    return number


def _radius(value: float) -> float:
    radius = _finite(value, "brush radius")
    if radius <= 0:
        raise GeometryError(f"brush radius must be positive, got {radius}")
    return radius


# ---------------------------------------------------------------------------------------
# Live painting layer
# ---------------------------------------------------------------------------------------


class MaskLayer:
    """The full-image raster a brush stroke paints into, with what changed where.

    The layer is full size so that a dab is a slice assignment with no re-encoding; every
    operation touches only the bounding window of what it paints, so the cost of a dab
    does not depend on the image size. The canvas collects :meth:`take_dirty` after each
    event and re-uploads only those rectangles; the tool reads :attr:`changed_bbox` at the
    end of the stroke to store only that crop in the undo step.
    """

    def __init__(
        self,
        width: int,
        height: int,
        *,
        uuid: str | None = None,
        original: Mask | None = None,
    ) -> None:
        if width < 1 or height < 1:
            raise GeometryError(f"mask layer size must be at least 1x1, got {width}x{height}")
        self.width = int(width)
        self.height = int(height)
        self.uuid = uuid
        self.original = original
        self.array = np.zeros((self.height, self.width), dtype=bool)
        self._dirty: list[Rect] = []
        self._changed: Rect | None = None
        if original is not None:
            if original.image_width != self.width or original.image_height != self.height:
                raise GeometryError(
                    f"the mask belongs to a {original.image_width}x{original.image_height} "
                    f"image, not {self.width}x{self.height}"
                )
            self.array[
                original.top : original.top + original.height,
                original.left : original.left + original.width,
            ] = original.crop_array()

    @classmethod
    def from_mask(
        cls, mask: Mask | None, image_w: int, image_h: int, *, uuid: str | None = None
    ) -> MaskLayer:
        """A layer holding ``mask`` (or empty when None), to edit annotation ``uuid``."""
        return cls(image_w, image_h, uuid=uuid, original=mask)

    # -- what changed ------------------------------------------------------------------
    @property
    def changed_bbox(self) -> Rect | None:
        """Union of every rectangle changed since the layer was made (the stroke's extent)."""
        return self._changed

    def take_dirty(self) -> list[Rect]:
        """Rectangles changed since the previous call; the list is cleared."""
        dirty, self._dirty = self._dirty, []
        return dirty

    def crop(self, rect: Rect) -> np.ndarray:
        """A copy of the current pixels inside ``rect``."""
        x, y, w, h = rect
        return self.array[y : y + h, x : x + w].copy()

    def original_crop(self, rect: Rect) -> np.ndarray:
        """The pixels inside ``rect`` as they were before this layer was painted on."""
        return mask_crop(self.original, rect)

    def _record(self, rect: Rect) -> None:
        self._changed = rect_union(self._changed, rect)
        self._dirty.append(rect)
        if len(self._dirty) > _MAX_DIRTY_RECTS:
            merged: Rect | None = None
            for item in self._dirty:
                merged = rect_union(merged, item)
            assert merged is not None
            self._dirty = [merged]

    def paint(self, x: int, y: int, inside: np.ndarray, value: bool) -> Rect | None:
        """Set the pixels where ``inside`` is True (a window placed at ``(x, y)``) to ``value``.

        Returns the tight rectangle of pixels that actually changed, or None, so that
        painting over already painted pixels neither dirties the canvas nor the undo step.
        """
        h, w = inside.shape
        view = self.array[y : y + h, x : x + w]
        changed = inside & (view != value)
        rect = tight_rect(changed, x, y)
        if rect is None:
            return None
        view[changed] = value
        self._record(rect)
        return rect

    # -- painting ------------------------------------------------------------------------
    def _window(self, x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        """Pixel columns/rows whose centres may lie in ``[x0, x1] x [y0, y1]``, clipped."""
        c0 = max(math.ceil(x0 - 0.5), 0)
        r0 = max(math.ceil(y0 - 0.5), 0)
        c1 = min(math.floor(x1 - 0.5) + 1, self.width)
        r1 = min(math.floor(y1 - 0.5) + 1, self.height)
        return c0, r0, c1, r1

    def dab(self, x: float, y: float, radius: float, value: bool) -> Rect | None:
        """Paint the disc of pixels whose centres lie within ``radius`` of ``(x, y)``."""
        x = _finite(x, "dab x")
        y = _finite(y, "dab y")
        radius = _radius(radius)
        c0, r0, c1, r1 = self._window(x - radius, y - radius, x + radius, y + radius)
        if c0 >= c1 or r0 >= r1:
            return None
        dx = np.arange(c0, c1, dtype=np.float64) + (0.5 - x)
        dy = np.arange(r0, r1, dtype=np.float64) + (0.5 - y)
        inside = dy[:, None] ** 2 + dx[None, :] ** 2 <= radius * radius
        return self.paint(c0, r0, inside, bool(value))

    def segment(
        self, x0: float, y0: float, x1: float, y1: float, radius: float, value: bool
    ) -> Rect | None:
        """Paint the capsule of pixels within ``radius`` of the segment; fast strokes stay solid.

        Long segments are cut into pieces so that no bounding window gets large.
        """
        x0, y0 = _finite(x0, "segment x0"), _finite(y0, "segment y0")
        x1, y1 = _finite(x1, "segment x1"), _finite(y1, "segment y1")
        radius = _radius(radius)
        length = math.hypot(x1 - x0, y1 - y0)
        piece = max(_SEGMENT_PIECE_RADII * radius, _SEGMENT_PIECE_MIN_PX)
        pieces = max(1, math.ceil(length / piece))
        changed: Rect | None = None
        ax, ay = x0, y0
        for i in range(1, pieces + 1):
            t = i / pieces
            bx, by = (x1, y1) if i == pieces else (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            changed = rect_union(changed, self._capsule(ax, ay, bx, by, radius, bool(value)))
            ax, ay = bx, by
        return changed

    def _capsule(
        self, ax: float, ay: float, bx: float, by: float, radius: float, value: bool
    ) -> Rect | None:
        c0, r0, c1, r1 = self._window(
            min(ax, bx) - radius, min(ay, by) - radius, max(ax, bx) + radius, max(ay, by) + radius
        )
        if c0 >= c1 or r0 >= r1:
            return None
        px = (np.arange(c0, c1, dtype=np.float64) + (0.5 - ax))[None, :]
        py = (np.arange(r0, r1, dtype=np.float64) + (0.5 - ay))[:, None]
        dx, dy = bx - ax, by - ay
        length_sq = dx * dx + dy * dy
        if length_sq == 0.0:
            distance_sq = px * px + py * py
        else:
            t = np.clip((px * dx + py * dy) / length_sq, 0.0, 1.0)
            distance_sq = (px - t * dx) ** 2 + (py - t * dy) ** 2
        return self.paint(c0, r0, distance_sq <= radius * radius, value)

    def fill_polygon(self, polygon: Polygon, value: bool) -> Rect | None:
        """Rasterize ``polygon`` into the layer (see :func:`fill_polygon`)."""
        return fill_polygon(self, polygon, value)


def overlay_rgba(
    layer: MaskLayer | np.ndarray, rect: Rect, color: tuple[int, int, int, int]
) -> np.ndarray:
    """The ``(h, w, 4)`` uint8 pixels of ``rect``: ``color`` where set, transparent elsewhere.

    This is what the canvas uploads for each dirty rectangle, so it is one broadcast
    multiply with no per-pixel Python.
    """
    array = layer.array if isinstance(layer, MaskLayer) else layer
    x, y, w, h = rect
    window = array[y : y + h, x : x + w]
    rgba = np.asarray(color, dtype=np.uint8)
    return window[:, :, None] * rgba


# ---------------------------------------------------------------------------------------
# Polygon -> raster
# ---------------------------------------------------------------------------------------


def _ring_array(ring: Sequence[Point]) -> np.ndarray:
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
    target: MaskLayer | np.ndarray, polygon: Polygon, value: bool = True
) -> Rect | None:
    """Set (or clear, with ``value=False``) every pixel whose centre lies inside ``polygon``.

    Parts are united (a pixel in any part is inside); inside a part, the outer ring and its
    holes combine even-odd, so a hole punches out what it covers. Works on a layer (dirty
    rectangles are recorded) or on a plain ``(H, W)`` bool array, in place. Returns the
    rectangle of pixels that changed, or None.
    """
    if isinstance(target, MaskLayer):
        height, width = target.height, target.width
    else:
        if target.ndim != 2 or target.dtype != np.bool_:
            raise GeometryError(f"fill target must be a 2-D bool array, got {target.dtype}")
        height, width = target.shape
    changed: Rect | None = None
    for part in polygon.parts:
        raster = _part_raster(part, width, height)
        if raster is None:
            continue
        x, y, inside = raster
        if isinstance(target, MaskLayer):
            rect = target.paint(x, y, inside, bool(value))
        else:
            h, w = inside.shape
            view = target[y : y + h, x : x + w]
            rect = tight_rect(inside & (view != value), x, y)
            view[inside] = bool(value)
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


# ---------------------------------------------------------------------------------------
# Raster -> polygon
# ---------------------------------------------------------------------------------------

# Directions of boundary edges: east, south, west, north, in image space (y down).
_STEP_X = np.array([1, 0, -1, 0], dtype=np.int64)
_STEP_Y = np.array([0, 1, 0, -1], dtype=np.int64)


def _boundary_edges(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit pixel-boundary edges between set and unset pixels, set pixels on the right.

    Returns start x, start y (grid corners, 0..W and 0..H) and direction (0 E, 1 S, 2 W,
    3 N). With a consistent side, every corner has as many edges in as out, so the edges
    link into closed rings.
    """
    h, w = m.shape
    padded = np.zeros((h + 2, w + 2), dtype=bool)
    padded[1:-1, 1:-1] = m
    above = padded[0 : h + 1, 1 : w + 1]
    below = padded[1 : h + 2, 1 : w + 1]
    left = padded[1 : h + 1, 0 : w + 1]
    right = padded[1 : h + 1, 1 : w + 2]
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    ds: list[np.ndarray] = []
    # Horizontal edge on grid line Y over column c: index [Y, c].
    yy, cc = np.nonzero(below & ~above)  # heading east from (c, Y)
    xs.append(cc), ys.append(yy), ds.append(np.zeros(cc.size, np.int64))
    yy, cc = np.nonzero(above & ~below)  # heading west from (c + 1, Y)
    xs.append(cc + 1), ys.append(yy), ds.append(np.full(cc.size, 2, np.int64))
    # Vertical edge on grid line X over row r: index [r, X].
    rr, xx = np.nonzero(left & ~right)  # heading south from (X, r)
    xs.append(xx), ys.append(rr), ds.append(np.ones(xx.size, np.int64))
    rr, xx = np.nonzero(right & ~left)  # heading north from (X, r + 1)
    xs.append(xx), ys.append(rr + 1), ds.append(np.full(xx.size, 3, np.int64))
    return (
        np.concatenate(xs).astype(np.int64),
        np.concatenate(ys).astype(np.int64),
        np.concatenate(ds),
    )


def _cycle_order(nxt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order the edges of a permutation ring by ring: returns (order, ring label per edge).

    Pointer jumping instead of walking each ring in Python: labelling every edge with the
    smallest edge index of its ring, then ranking edges by distance to the ring's end,
    takes O(log n) vectorized passes, so a mask with a million boundary edges still
    converts in a fraction of a second.
    """
    n = nxt.size
    label = np.arange(n)
    jump = nxt.copy()
    while True:
        new_label = np.minimum(label, label[jump])
        if np.array_equal(new_label, label):
            break
        label = new_label
        jump = jump[jump]
    # Cut each ring just before its smallest edge and rank edges by distance to the tail.
    link = np.where(label[nxt] == nxt, np.arange(n), nxt)
    to_tail = (link != np.arange(n)).astype(np.int64)
    while True:
        further = link[link]
        if np.array_equal(further, link):
            break
        to_tail = to_tail + to_tail[link]
        link = further
    order = np.lexsort((-to_tail, label))
    return order, label[order]


def _trace_rings(m: np.ndarray) -> list[tuple[np.ndarray, int]]:
    """Closed pixel-boundary rings of ``m`` as ``(corners (k, 2), label)`` pairs.

    ``label`` is the 8-connected component (from ``cv2.connectedComponents``) of the set
    pixels the ring bounds. At a corner where two set pixels touch diagonally the ring
    turns left, onto the other pixel: set pixels are joined by 8-connectivity, like
    OpenCV's contours, and unset regions by 4-connectivity, so rings never cross and each
    bounds exactly one component.
    """
    w = m.shape[1]
    sx, sy, d = _boundary_edges(m)
    if sx.size == 0:
        return []
    stride = w + 1
    key = (sy * stride + sx) * 4 + d
    sort = np.argsort(key, kind="stable")
    sorted_key = key[sort]
    ex = sx + _STEP_X[d]
    ey = sy + _STEP_Y[d]
    end_vertex = ey * stride + ex
    wanted = end_vertex * 4 + (d + 3) % 4  # the left turn, used where there is a choice
    pos = np.minimum(np.searchsorted(sorted_key, wanted), sorted_key.size - 1)
    turn_left = sorted_key[pos] == wanted
    only = np.minimum(np.searchsorted(sorted_key, end_vertex * 4), sorted_key.size - 1)
    nxt = sort[np.where(turn_left, pos, only)]
    # Each edge must lead to an edge starting where it ends, each edge exactly once;
    # anything else would be a bug here, and filling it would give wrong pixels.
    if ((sy[nxt] * stride + sx[nxt]) != end_vertex).any() or (
        np.bincount(nxt, minlength=nxt.size) != 1
    ).any():
        raise GeometryError("mask outline could not be closed (internal tracing error)")

    order, ring_of = _cycle_order(nxt)
    sx, sy, d = sx[order], sy[order], d[order]
    starts = np.flatnonzero(np.r_[True, ring_of[1:] != ring_of[:-1]])
    ends = np.r_[starts[1:], ring_of.size]
    # The previous edge of each edge within its ring, to drop corners that are not turns.
    prev = np.arange(ring_of.size) - 1
    prev[starts] = ends - 1
    corner = d != d[prev]

    _, labels = cv2.connectedComponents(m.astype(np.uint8), connectivity=8)
    # The set pixel on the right of each ring's first edge names the ring's component.
    first = starts
    fd = d[first]
    px = sx[first] - np.isin(fd, (1, 2)).astype(np.int64)
    py = sy[first] - np.isin(fd, (2, 3)).astype(np.int64)
    ring_labels = labels[py, px]

    rings: list[tuple[np.ndarray, int]] = []
    for index, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        keep = corner[start:end]
        points = np.stack((sx[start:end][keep], sy[start:end][keep]), axis=1)
        rings.append((points, int(ring_labels[index])))
    return rings


def _shoelace(points: np.ndarray) -> float:
    x = points[:, 0].astype(np.float64)
    y = points[:, 1].astype(np.float64)
    return float((x * np.roll(y, -1) - np.roll(x, -1) * y).sum()) / 2.0


def mask_to_polygons(mask: Mask | np.ndarray) -> Polygon | None:
    """The exact outline of a mask: one part per 8-connected region, with its holes.

    Rings run along pixel boundaries (integer coordinates), so
    ``fill_polygon(mask_to_polygons(m))`` gives back ``m`` pixel for pixel. Nothing is
    dropped: a single pixel or a one-pixel-wide line is a valid ring around its pixels, so
    there are no degenerate contours to handle. Rings follow every pixel step; pass the
    result to :func:`simplify_polygon` for fewer vertices at the cost of exactness.
    Returns None for an empty mask.
    """
    if isinstance(mask, Mask):
        array, left, top = mask.crop_array(), mask.left, mask.top
    elif isinstance(mask, np.ndarray):
        if mask.ndim != 2:
            raise GeometryError(f"mask array must be 2-D, got shape {mask.shape}")
        array, left, top = mask.astype(bool, copy=False), 0, 0
        rect = tight_rect(array)
        if rect is None:
            return None
        x, y, w, h = rect
        array, left, top = array[y : y + h, x : x + w], x, y
    else:
        raise GeometryError(f"expected a Mask or a numpy array, got {type(mask).__name__}")
    rings = _trace_rings(array)
    if not rings:
        return None
    outers: dict[int, Ring] = {}
    holes: dict[int, list[Ring]] = {}
    for points, label in rings:
        ring: Ring = tuple(
            (float(x), float(y)) for x, y in (points + np.array([left, top])).tolist()
        )  # integers stay exact as floats
        if _shoelace(points) > 0:
            if label in outers:
                raise GeometryError(f"mask region {label} has two outer outlines")
            outers[label] = ring
        else:
            holes.setdefault(label, []).append(ring)
    missing = set(holes) - set(outers)
    if missing:
        raise GeometryError(f"mask holes without an outer outline (regions {sorted(missing)})")
    return Polygon(
        tuple(PolygonPart(outers[label], tuple(holes.get(label, ()))) for label in sorted(outers))
    )


# ---------------------------------------------------------------------------------------
# Simplification
# ---------------------------------------------------------------------------------------


def _segment_distances(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance of each point to the segment ``a``-``b`` (to ``a`` when they coincide)."""
    ab = b - a
    length_sq = float(ab @ ab)
    rel = points - a
    if length_sq == 0.0:
        return np.hypot(rel[:, 0], rel[:, 1])
    t = np.clip(rel @ ab / length_sq, 0.0, 1.0)
    nearest = rel - t[:, None] * ab
    return np.hypot(nearest[:, 0], nearest[:, 1])


def simplify_ring(ring: Sequence[Sequence[float]], tolerance: float) -> Ring:
    """Douglas–Peucker on a closed ring, keeping at least 3 points.

    Iterative (an explicit stack) so that traced outlines with tens of thousands of
    vertices cannot hit the recursion limit. The ring is split at its first point and the
    point farthest from it, so the result does not depend on a chord of length zero.
    """
    tolerance = _finite(tolerance, "simplify tolerance")
    points = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
    if points.shape[0] >= 2 and np.array_equal(points[0], points[-1]):
        points = points[:-1]
    n = points.shape[0]
    if n <= 3 or tolerance <= 0:
        return tuple((float(x), float(y)) for x, y in points.tolist())
    far = int(np.argmax(np.hypot(*(points - points[0]).T)))
    closed = np.vstack((points, points[:1]))  # index n is point 0 again
    keep = np.zeros(n + 1, dtype=bool)
    keep[[0, far, n]] = True
    stack = [(0, far), (far, n)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        distances = _segment_distances(closed[i + 1 : j], closed[i], closed[j])
        k = int(np.argmax(distances))
        if distances[k] > tolerance:
            keep[i + 1 + k] = True
            stack.append((i, i + 1 + k))
            stack.append((i + 1 + k, j))
    kept = np.flatnonzero(keep[:n])
    if kept.size < 3:
        # Everything lies within the tolerance of the chord: keep the point farthest
        # from it so that the ring still encloses some area.
        distances = _segment_distances(points, points[0], points[far])
        distances[kept] = -1.0
        kept = np.sort(np.r_[kept, int(np.argmax(distances))])
    return tuple((float(x), float(y)) for x, y in points[kept].tolist())


def simplify_polygon(polygon: Polygon, tolerance: float) -> Polygon:
    """Every ring simplified; a ring that would collapse to no area is kept as it was."""

    def simplified(ring: Ring) -> Ring:
        candidate = simplify_ring(ring, tolerance)
        try:
            return PolygonPart(candidate).outer
        except GeometryError:
            return ring

    return Polygon(
        tuple(
            PolygonPart(
                simplified(part.outer),
                tuple(simplified(hole) for hole in part.holes),
            )
            for part in polygon.parts
        )
    )


# ---------------------------------------------------------------------------------------
# Magic wand and GrabCut
# ---------------------------------------------------------------------------------------


def _color_image(pixels: np.ndarray) -> np.ndarray:
    """A contiguous uint8 image with 1 or 3 channels (alpha dropped), as OpenCV wants."""
    if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8:
        raise GeometryError("image pixels must be a uint8 numpy array")
    if pixels.ndim == 3 and pixels.shape[2] == 4:
        pixels = pixels[:, :, :3]
    elif pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    if not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)):
        raise GeometryError(f"image pixels must be gray, RGB or RGBA, got shape {pixels.shape}")
    return np.ascontiguousarray(pixels)


def magic_wand(
    pixels: np.ndarray, x: float, y: float, tolerance: int, *, connectivity: int = 8
) -> np.ndarray:
    """The region connected to pixel ``(x, y)`` whose colour is within ``tolerance`` of it.

    Fixed range (every pixel is compared with the seed, not with its neighbour) so that a
    soft gradient does not leak the selection across the whole image. The tolerance applies
    to each channel separately. Returns a full-size bool array; all False when the point
    lies outside the image.
    """
    if connectivity not in (4, 8):
        raise GeometryError(f"connectivity must be 4 or 8, got {connectivity}")
    image = _color_image(pixels)
    h, w = image.shape[:2]
    col, row = math.floor(_finite(x, "wand x")), math.floor(_finite(y, "wand y"))
    if not (0 <= col < w and 0 <= row < h):
        return np.zeros((h, w), dtype=bool)
    t = float(min(max(int(tolerance), 0), 255))
    diff = (t,) * (1 if image.ndim == 2 else 3)
    if not image.flags.writeable:
        # The binding insists on a writable image even with FLOODFILL_MASK_ONLY, which
        # leaves it untouched; only a read-only image (a shared decoded frame) is copied.
        image = image.copy()
    flood = np.zeros((h + 2, w + 2), dtype=np.uint8)
    flags = connectivity | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (1 << 8)
    cv2.floodFill(image, flood, (col, row), 0, diff, diff, flags)
    return flood[1:-1, 1:-1].astype(bool)


def grabcut(pixels: np.ndarray, box: Box, iterations: int = 5, max_side: int = 1024) -> np.ndarray:
    """Foreground inside ``box`` by OpenCV's GrabCut, as a full-size bool array.

    GrabCut's cost grows with the pixels it models, so it runs on a crop around the box
    (with a margin of background for its colour model) shrunk until its longer side is at
    most ``max_side``; the result is scaled back up and pasted at the crop's place. The
    random generator is seeded, so the same input always gives the same mask.
    """
    image = _color_image(pixels)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    h, w = image.shape[:2]
    bx0 = max(math.floor(box.x0), 0)
    by0 = max(math.floor(box.y0), 0)
    bx1 = min(math.ceil(box.x1), w)
    by1 = min(math.ceil(box.y1), h)
    out = np.zeros((h, w), dtype=bool)
    if bx1 - bx0 < 2 or by1 - by0 < 2:
        return out
    margin = max(_GRABCUT_MIN_MARGIN, math.ceil(_GRABCUT_MARGIN * max(bx1 - bx0, by1 - by0)))
    cx0, cy0 = max(bx0 - margin, 0), max(by0 - margin, 0)
    cx1, cy1 = min(bx1 + margin, w), min(by1 + margin, h)
    crop = image[cy0:cy1, cx0:cx1]
    crop_h, crop_w = crop.shape[:2]
    scale = min(1.0, max_side / max(crop_w, crop_h))
    if scale < 1.0:
        small_w = max(round(crop_w * scale), 1)
        small_h = max(round(crop_h * scale), 1)
        work = cv2.resize(crop, (small_w, small_h), interpolation=cv2.INTER_AREA)
    else:
        small_w, small_h, work = crop_w, crop_h, np.ascontiguousarray(crop)
    sx, sy = small_w / crop_w, small_h / crop_h
    rx0 = min(max(math.floor((bx0 - cx0) * sx), 0), small_w - 1)
    ry0 = min(max(math.floor((by0 - cy0) * sy), 0), small_h - 1)
    rx1 = min(max(math.ceil((bx1 - cx0) * sx), rx0 + 1), small_w)
    ry1 = min(max(math.ceil((by1 - cy0) * sy), ry0 + 1), small_h)
    # GrabCut needs background samples; a box covering the whole crop (an object filling
    # the image) leaves none, so its outermost pixels are given up as background.
    if (rx0, ry0, rx1, ry1) == (0, 0, small_w, small_h):
        rx0, ry0 = min(1, small_w - 1), min(1, small_h - 1)
        rx1, ry1 = max(small_w - 1, rx0 + 1), max(small_h - 1, ry0 + 1)
    labels = np.zeros((small_h, small_w), dtype=np.uint8)
    background = np.zeros((1, 65), dtype=np.float64)
    foreground = np.zeros((1, 65), dtype=np.float64)
    cv2.setRNGSeed(0)
    try:
        cv2.grabCut(
            work,
            labels,
            (rx0, ry0, rx1 - rx0, ry1 - ry0),
            background,
            foreground,
            max(int(iterations), 1),
            cv2.GC_INIT_WITH_RECT,
        )
    except cv2.error as exc:
        raise GeometryError(f"GrabCut could not segment this box: {exc.msg}") from exc
    fg = ((labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)).astype(np.uint8)
    if scale < 1.0:
        # Linear upscaling then a 0.5 threshold gives smoother edges than nearest.
        up = cv2.resize(fg * 255, (crop_w, crop_h), interpolation=cv2.INTER_LINEAR)
        crop_mask = up >= 128
    else:
        crop_mask = fg.astype(bool)
    # Nothing outside the user's box belongs to the object.
    crop_mask[: by0 - cy0, :] = False
    crop_mask[by1 - cy0 :, :] = False
    crop_mask[:, : bx0 - cx0] = False
    crop_mask[:, bx1 - cx0 :] = False
    out[cy0:cy1, cx0:cx1] = crop_mask
    return out
