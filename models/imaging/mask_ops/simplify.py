"""Fewer vertices for traced outlines, within a tolerance in pixels.

Traced outlines follow every pixel step; simplifying them trades exactness for polygons a
person can edit. A ring never collapses: it keeps at least three points, and a ring that
would lose its area is kept as it was.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from limner.models.domain.geometry import Polygon, PolygonPart, Ring
from limner.models.errors import GeometryError
from limner.models.imaging.mask_ops.checks import finite_float


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
    tolerance = finite_float(tolerance, "simplify tolerance")
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
