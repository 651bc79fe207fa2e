"""Vertex-level polygon and keypoint editing: find a vertex or edge, move, insert, delete.

Traced outlines easily reach 10,000 vertices, and the select tool hit-tests them on every
pointer move. Looping over tuples in Python costs milliseconds per event at that size, so
each polygon's vertices are flattened once into numpy arrays (:class:`VertexIndex`) and
every query is one vectorized pass over them. The arrays are cached per geometry
*object*: geometries are immutable, so an object's vertices never change, and keying by
identity avoids hashing 10,000 tuples just to find the cache entry.

A vertex is addressed by :class:`VertexRef` ``(part, ring, index)`` where ``ring`` 0 is the
part's outer ring and ``ring`` k >= 1 is its hole k - 1, so holes and every part of a
multi-part polygon are edited exactly like the outer ring of the first one.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from limner.models.domain.geometry import XY, Keypoints, Polygon, PolygonPart, Ring
from limner.models.errors import GeometryError

__all__ = [
    "VertexIndex",
    "VertexRef",
    "add_hole",
    "add_part",
    "delete_vertex",
    "insert_vertex",
    "keypoint_at",
    "move_keypoint",
    "move_vertex",
    "nearest_edge",
    "nearest_vertex",
    "points_in_ring",
    "ring_at",
    "vertex_array",
    "vertex_index",
]

# How many polygons keep their flattened vertices. Editing touches one polygon at a time
# (plus the previous version of it while a drag is committed), so a handful is plenty and
# the cache can never grow with the number of shapes on screen.
_CACHE_SIZE = 8

# Largest points-by-edges matrix built at once by :func:`points_in_ring` (8 MB of floats).
_MATRIX_CELLS = 1_000_000


class VertexRef(NamedTuple):
    """One vertex: ``parts[part]``, ring 0 = outer / k = hole k-1, position in that ring."""

    part: int
    ring: int
    index: int


class VertexIndex:
    """A polygon's vertices flattened into arrays for vectorized hit testing.

    ``xy`` holds every vertex of every ring, ring after ring; ``following`` holds, for the
    same row, the next vertex around that ring (wrapping to the ring's first vertex), so
    row ``i`` of the two arrays is one edge. ``part``, ``ring`` and ``index`` say which
    :class:`VertexRef` each row is.
    """

    __slots__ = ("following", "index", "part", "ring", "xy")

    def __init__(self, polygon: Polygon) -> None:
        coords: list[np.ndarray] = []
        following: list[np.ndarray] = []
        parts: list[np.ndarray] = []
        rings: list[np.ndarray] = []
        indices: list[np.ndarray] = []
        for part_no, part in enumerate(polygon.parts):
            for ring_no, ring in enumerate((part.outer, *part.holes)):
                array = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
                count = len(array)
                coords.append(array)
                following.append(np.roll(array, -1, axis=0))
                parts.append(np.full(count, part_no, dtype=np.int64))
                rings.append(np.full(count, ring_no, dtype=np.int64))
                indices.append(np.arange(count, dtype=np.int64))
        self.xy = np.concatenate(coords)
        self.following = np.concatenate(following)
        self.part = np.concatenate(parts)
        self.ring = np.concatenate(rings)
        self.index = np.concatenate(indices)

    def ref(self, row: int) -> VertexRef:
        return VertexRef(int(self.part[row]), int(self.ring[row]), int(self.index[row]))

    def __len__(self) -> int:
        return len(self.xy)


_cache: OrderedDict[int, tuple[Polygon, VertexIndex]] = OrderedDict()


def vertex_index(polygon: Polygon) -> VertexIndex:
    """The (cached) :class:`VertexIndex` of ``polygon``.

    The entry keeps a reference to the polygon so that its ``id`` cannot be reused by a
    different object while the entry lives; the identity check guards against it anyway.
    """
    key = id(polygon)
    entry = _cache.get(key)
    if entry is not None and entry[0] is polygon:
        _cache.move_to_end(key)
        return entry[1]
    index = VertexIndex(polygon)
    _cache[key] = (polygon, index)
    _cache.move_to_end(key)
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return index


# -- queries ------------------------------------------------------------------------------


def nearest_vertex(polygon: Polygon, x: float, y: float, tol: float) -> VertexRef | None:
    """The vertex closest to ``(x, y)`` if it is within ``tol`` (Euclidean), else None."""
    index = vertex_index(polygon)
    d2 = (index.xy[:, 0] - x) ** 2 + (index.xy[:, 1] - y) ** 2
    row = int(np.argmin(d2))
    if d2[row] > tol * tol:
        return None
    return index.ref(row)


def nearest_edge(polygon: Polygon, x: float, y: float, tol: float) -> tuple[VertexRef, XY] | None:
    """The edge closest to ``(x, y)`` within ``tol``: its first vertex and the nearest point.

    The point returned lies on the edge (the pointer projected onto it), so inserting it
    leaves the outline exactly as it was until the new vertex is dragged.
    """
    index = vertex_index(polygon)
    a = index.xy
    d = index.following - a
    length2 = np.einsum("ij,ij->i", d, d)
    rel = np.array([x, y]) - a
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(length2 > 0.0, np.einsum("ij,ij->i", rel, d) / length2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    foot = a + d * t[:, None]
    d2 = (foot[:, 0] - x) ** 2 + (foot[:, 1] - y) ** 2
    row = int(np.argmin(d2))
    if d2[row] > tol * tol:
        return None
    return index.ref(row), (float(foot[row, 0]), float(foot[row, 1]))


def ring_at(polygon: Polygon, part: int, ring: int) -> Ring:
    """Ring ``ring`` (0 = outer, k = hole k-1) of part ``part``."""
    piece = polygon.parts[part]
    return piece.outer if ring == 0 else piece.holes[ring - 1]


def points_in_ring(points: np.ndarray, ring: Sequence[XY] | np.ndarray) -> np.ndarray:
    """Even-odd test of many points against one ring at once; a boolean per point.

    Same rule as :func:`models.domain.hit.point_in_ring`, vectorized over the ring's edges so that
    testing a drawn hole against a 10,000-vertex outline stays instant.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    r = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
    xi, yi = r[:, 0], r[:, 1]
    xj, yj = np.roll(xi, 1), np.roll(yi, 1)
    dy = yj - yi
    # Horizontal edges never cross a scan line; dividing by 1 instead of 0 keeps the
    # arithmetic quiet, and ``crosses`` discards those edges anyway.
    slope = (xj - xi) / np.where(dy == 0.0, 1.0, dy)
    inside = np.zeros(len(pts), dtype=bool)
    # Points x edges is a matrix; chunking the points bounds its memory for big inputs.
    step = max(1, _MATRIX_CELLS // max(len(r), 1))
    for start in range(0, len(pts), step):
        px = pts[start : start + step, 0:1]
        py = pts[start : start + step, 1:2]
        crosses = (yi > py) != (yj > py)
        at = xi + (py - yi) * slope
        inside[start : start + step] = np.count_nonzero(crosses & (px < at), axis=1) % 2 == 1
    return inside


# -- edits --------------------------------------------------------------------------------


def _with_ring(polygon: Polygon, part: int, ring: int, points: Sequence[XY]) -> Polygon:
    """``polygon`` with one ring replaced; only the touched part is re-validated."""
    piece = polygon.parts[part]
    if ring == 0:
        new_part = PolygonPart(tuple(points), piece.holes)
    else:
        holes = list(piece.holes)
        holes[ring - 1] = tuple(points)
        new_part = PolygonPart(piece.outer, tuple(holes))
    parts = polygon.parts
    return Polygon((*parts[:part], new_part, *parts[part + 1 :]))


def move_vertex(polygon: Polygon, ref: VertexRef, x: float, y: float) -> Polygon:
    """The polygon with one vertex at ``(x, y)``; GeometryError if that degenerates the ring."""
    parts = polygon.parts
    moved = parts[ref.part].with_vertex(ref.ring, ref.index, float(x), float(y))
    return Polygon((*parts[: ref.part], moved, *parts[ref.part + 1 :]))


def insert_vertex(polygon: Polygon, after: VertexRef, x: float, y: float) -> Polygon:
    """The polygon with a vertex ``(x, y)`` inserted after ``after`` in the same ring."""
    points = ring_at(polygon, after.part, after.ring)
    at = after.index + 1
    grown = (*points[:at], (float(x), float(y)), *points[at:])
    return _with_ring(polygon, after.part, after.ring, grown)


def delete_vertex(polygon: Polygon, ref: VertexRef) -> Polygon:
    """The polygon without one vertex; refused when its ring would keep fewer than 3."""
    points = ring_at(polygon, ref.part, ref.ring)
    if len(points) <= 3:
        what = "outline" if ref.ring == 0 else "hole"
        raise GeometryError(f"cannot delete the vertex: the {what} would have fewer than 3 points")
    return _with_ring(polygon, ref.part, ref.ring, (*points[: ref.index], *points[ref.index + 1 :]))


def add_part(polygon: Polygon, ring: Sequence[XY]) -> Polygon:
    """The polygon with one more part outlined by ``ring``."""
    return Polygon((*polygon.parts, PolygonPart(tuple(ring))))


def add_hole(polygon: Polygon, ring: Sequence[XY]) -> Polygon:
    """The polygon with ``ring`` cut out of the part that contains it.

    ``PolygonPart`` does not check containment (it is quadratic in general), so it is
    checked here, where a user draws one small ring at a time: every vertex of the hole
    must lie inside the part's outline, no outline vertex may lie inside the hole (which
    catches a hole drawn across a concave notch), and the hole may not overlap an
    existing hole, since the even-odd rule would fill the overlap back in.
    """
    hole = PolygonPart(tuple(ring)).outer  # validates: >= 3 distinct points, some area
    hole_xy = np.asarray(hole, dtype=np.float64)
    for number, part in enumerate(polygon.parts):
        if not points_in_ring(hole_xy, part.outer).all():
            continue
        if points_in_ring(vertex_array(part.outer), hole).any():
            raise GeometryError("the hole crosses the outline of the polygon")
        for existing in part.holes:
            if (
                points_in_ring(hole_xy, existing).any()
                or points_in_ring(vertex_array(existing), hole).any()
            ):
                raise GeometryError("the hole overlaps an existing hole")
        new_part = PolygonPart(part.outer, (*part.holes, hole))
        parts = polygon.parts
        return Polygon((*parts[:number], new_part, *parts[number + 1 :]))
    raise GeometryError("the hole is not inside any part of the selected polygon")


def vertex_array(ring: Sequence[XY]) -> np.ndarray:
    """A ring as an (N, 2) float array."""
    return np.asarray(ring, dtype=np.float64).reshape(-1, 2)


# -- keypoints ----------------------------------------------------------------------------


def keypoint_at(keypoints: Keypoints, x: float, y: float, tol: float) -> int | None:
    """Index of the labeled point (v > 0) nearest to ``(x, y)`` within ``tol``, else None.

    Unlabeled points sit at ``(0, 0)`` by convention and must never be grabbed there.
    """
    best: tuple[float, int] | None = None
    for number, (px, py, v) in enumerate(keypoints.points):
        if v == 0:
            continue
        d2 = (px - x) ** 2 + (py - y) ** 2
        if d2 <= tol * tol and (best is None or d2 < best[0]):
            best = (d2, number)
    return best[1] if best else None


def move_keypoint(keypoints: Keypoints, number: int, x: float, y: float) -> Keypoints:
    """The instance with point ``number`` at ``(x, y)``, keeping its visibility."""
    points = keypoints.points
    v = points[number][2]
    return Keypoints((*points[:number], (float(x), float(y), v), *points[number + 1 :]))
