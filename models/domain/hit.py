"""Hit testing in image coordinates: which annotation is under the pointer.

Tolerances come in image pixels (the canvas divides its screen tolerance by the zoom), so
the same code serves every zoom level and needs no Qt. Shapes without area (a polyline, a
point, a keypoint) are hit within the tolerance, and never less than one pixel, so that
they can be picked at all; an image tag has no place and is never under the pointer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from limner.models.domain.entities import Annotation
from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Geometry,
    Keypoints,
    Mask,
    Point,
    Polygon,
    Polyline,
    Tag,
    bounds,
)
from limner.models.domain.geometry.box import turn_point

Ring = Sequence[tuple[float, float]]


def point_in_ring(x: float, y: float, ring: Ring) -> bool:
    """Even-odd rule; points exactly on an edge may go either way."""
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y):
            cross = xi + (y - yi) * (xj - xi) / (yj - yi)
            if x < cross:
                inside = not inside
        j = i
    return inside


def distance_to_segment(x: float, y: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0.0:
        return math.hypot(x - ax, y - ay)
    t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
    return math.hypot(x - (ax + t * dx), y - (ay + t * dy))


def _near_ring(x: float, y: float, ring: Ring, tol: float) -> bool:
    n = len(ring)
    return any(distance_to_segment(x, y, *ring[i - 1], *ring[i]) <= tol for i in range(n))


def _hits_box(box: Box, x: float, y: float, tol: float) -> bool:
    if box.rotated:
        cx, cy = box.centre
        x, y = turn_point(x, y, cx, cy, -box.angle)  # the pointer in the box's own frame
    return box.x0 - tol <= x <= box.x1 + tol and box.y0 - tol <= y <= box.y1 + tol


def _hits_thin(geometry: Polyline | Point, x: float, y: float, tol: float) -> bool:
    reach = max(tol, 1.0)
    if isinstance(geometry, Point):
        return math.hypot(geometry.x - x, geometry.y - y) <= reach
    points = geometry.points
    return any(
        distance_to_segment(x, y, *points[i - 1], *points[i]) <= reach
        for i in range(1, len(points))
    )


def hits(geometry: Geometry, x: float, y: float, tol: float = 0.0) -> bool:
    if isinstance(geometry, Tag):
        return False
    x0, y0, x1, y1 = bounds(geometry)
    reach = max(tol, 1.0) if isinstance(geometry, Polyline | Point | Keypoints) else tol
    if x < x0 - reach or x > x1 + reach or y < y0 - reach or y > y1 + reach:
        return False
    if isinstance(geometry, Box):
        return _hits_box(geometry, x, y, tol)
    if isinstance(geometry, Polyline | Point):
        return _hits_thin(geometry, x, y, tol)
    if isinstance(geometry, Ellipse):
        return geometry.contains(x, y, tol)
    if isinstance(geometry, Polygon):
        for part in geometry.parts:
            if point_in_ring(x, y, part.outer) and not any(
                point_in_ring(x, y, h) for h in part.holes
            ):
                return True
            if tol > 0 and (
                _near_ring(x, y, part.outer, tol)
                or any(_near_ring(x, y, h, tol) for h in part.holes)
            ):
                return True
        return False
    if isinstance(geometry, Mask):
        col, row = math.floor(x) - geometry.left, math.floor(y) - geometry.top
        if 0 <= col < geometry.width and 0 <= row < geometry.height:
            if bool(geometry.crop_array()[row, col]):
                return True
        return tol > 0 and x0 <= x <= x1 and y0 <= y <= y1 and _mask_near(geometry, x, y, tol)
    if isinstance(geometry, Keypoints):
        return any(
            v > 0 and math.hypot(px - x, py - y) <= max(tol, 1.0) for px, py, v in geometry.points
        )
    return False


def _mask_near(mask: Mask, x: float, y: float, tol: float) -> bool:
    crop = mask.crop_array()
    r = max(1, math.ceil(tol))
    col, row = int(x) - mask.left, int(y) - mask.top
    sub = crop[max(0, row - r) : row + r + 1, max(0, col - r) : col + r + 1]
    return bool(sub.any())


def topmost_at(
    annotations: Sequence[Annotation], x: float, y: float, tol: float
) -> Annotation | None:
    """The highest annotation (by z, then newest) under the point; exact hits win over near ones."""
    ordered = sorted(annotations, key=lambda a: (a.z, a.id), reverse=True)
    for ann in ordered:
        if hits(ann.geometry, x, y, 0.0):
            return ann
    for ann in ordered:
        if hits(ann.geometry, x, y, tol):
            return ann
    return None


# -- box handles ---------------------------------------------------------------------------
# Handle index -> which edges it moves: (moves x0, moves y0, moves x1, moves y1)
HANDLE_EDGES: tuple[tuple[bool, bool, bool, bool], ...] = (
    (True, True, False, False),  # 0 top-left
    (False, True, False, False),  # 1 top
    (False, True, True, False),  # 2 top-right
    (False, False, True, False),  # 3 right
    (False, False, True, True),  # 4 bottom-right
    (False, False, False, True),  # 5 bottom
    (True, False, False, True),  # 6 bottom-left
    (True, False, False, False),  # 7 left
)


def box_handles(box: Box) -> list[tuple[float, float]]:
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    return [
        (box.x0, box.y0),
        (cx, box.y0),
        (box.x1, box.y0),
        (box.x1, cy),
        (box.x1, box.y1),
        (cx, box.y1),
        (box.x0, box.y1),
        (box.x0, cy),
    ]


def handle_at(box: Box, x: float, y: float, tol: float) -> int | None:
    best: tuple[float, int] | None = None
    for index, (hx, hy) in enumerate(box_handles(box)):
        d = max(abs(hx - x), abs(hy - y))
        if d <= tol and (best is None or d < best[0]):
            best = (d, index)
    return best[1] if best else None
