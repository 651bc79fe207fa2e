"""Pixels to polygons: the exact outline of a mask, along pixel boundaries.

Rings run on integer coordinates between pixels, one part per 8-connected region with its
holes, so filling the outline gives back the mask pixel for pixel and no region, however
thin, is dropped. Tracing is vectorized, so a mask with a million boundary edges still
converts in a fraction of a second.
"""

from __future__ import annotations

import cv2
import numpy as np

from limner.models.domain.geometry import Mask, Polygon, PolygonPart, Ring
from limner.models.errors import GeometryError
from limner.models.imaging.mask_ops.rects import tight_rect

# Directions of boundary edges: east, south, west, north, in image space (y down).
_STEP_X = np.array([1, 0, -1, 0], dtype=np.int64)
_STEP_Y = np.array([0, 1, 0, -1], dtype=np.int64)


def _nonzero_2d(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of every set element, row-major, like ``np.nonzero``.

    ``np.nonzero`` on a 2-D array builds both index arrays element by element and is some
    twenty times slower than finding the flat positions and dividing them by the width,
    which on a large mask was most of the cost of tracing it.
    """
    flat = np.flatnonzero(flags)
    return np.divmod(flat, flags.shape[1])


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
    yy, cc = _nonzero_2d(below & ~above)  # heading east from (c, Y)
    xs.append(cc), ys.append(yy), ds.append(np.zeros(cc.size, np.int64))
    yy, cc = _nonzero_2d(above & ~below)  # heading west from (c + 1, Y)
    xs.append(cc + 1), ys.append(yy), ds.append(np.full(cc.size, 2, np.int64))
    # Vertical edge on grid line X over row r: index [r, X].
    rr, xx = _nonzero_2d(left & ~right)  # heading south from (X, r)
    xs.append(xx), ys.append(rr), ds.append(np.ones(xx.size, np.int64))
    rr, xx = _nonzero_2d(right & ~left)  # heading north from (X, r + 1)
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
