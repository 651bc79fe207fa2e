"""Turning one kind of shape into another: the Edit menu's conversions.

- rotated box <-> polygon: a box becomes its four corners; a polygon becomes the
  smallest rotated box around it (its minimum-area enclosing rectangle), which is the
  polygon itself when that is a rectangle;
- ellipse -> polygon, with a chosen number of vertices on the outline;
- polyline -> polygon, by joining its last point to its first.

Every conversion that cannot give a valid shape (a polyline along one straight line has
no area) raises GeometryError with the reason; none of them changes its input.
"""

from __future__ import annotations

import math

from limner.models.domain.geometry.box import Box, turn_point
from limner.models.domain.geometry.ellipse import Ellipse
from limner.models.domain.geometry.polygon import XY, Polygon
from limner.models.domain.geometry.polyline import Polyline
from limner.models.errors import GeometryError

__all__ = [
    "box_to_polygon",
    "ellipse_to_polygon",
    "polygon_to_box",
    "polyline_to_polygon",
]

#: Angles this close to a multiple of 90 degrees are taken as exact, so that a polygon
#: drawn as an axis-aligned rectangle converts to an axis-aligned box.
_ANGLE_SNAP = 1e-9


def box_to_polygon(box: Box) -> Polygon:
    """The box's four corners, clockwise on screen from its own top-left."""
    return Polygon.from_points(box.corners())


def ellipse_to_polygon(ellipse: Ellipse, vertices: int = 64) -> Polygon:
    """``vertices`` points evenly spaced (in the ellipse's own angle) on its outline."""
    if isinstance(vertices, bool) or not isinstance(vertices, int) or vertices < 3:
        raise GeometryError(f"an ellipse outline needs at least 3 vertices, got {vertices!r}")
    return Polygon.from_points(ellipse.outline(vertices))


def polyline_to_polygon(polyline: Polyline) -> Polygon:
    """The polyline closed: its last point joined to its first."""
    try:
        return Polygon.from_points(polyline.points)
    except GeometryError as error:
        raise GeometryError(f"the polyline cannot be closed into a polygon: {error}") from None


def _hull(points: list[XY]) -> list[XY]:
    """The convex hull, counter-clockwise in a y-up frame (Andrew's monotone chain)."""
    ordered = sorted(set(points))
    if len(ordered) <= 2:
        return ordered

    def cross(o: XY, a: XY, b: XY) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[XY] = []
    for p in ordered:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[XY] = []
    for p in reversed(ordered):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _snap(angle: float) -> float:
    """``angle`` folded into ``[0, 90)`` (a rectangle looks the same every 90 degrees)."""
    folded = angle % 90.0
    if folded < _ANGLE_SNAP or 90.0 - folded < _ANGLE_SNAP:
        return 0.0
    return folded


def polygon_to_box(polygon: Polygon) -> Box:
    """The smallest rotated box holding every outer ring of ``polygon``.

    Its angle is in ``[0, 90)``; a polygon that is an axis-aligned rectangle gives an
    axis-aligned box with the same corners.
    """
    hull = _hull([p for part in polygon.parts for p in part.outer])
    best: tuple[float, float, Box] | None = None
    for i, (ax, ay) in enumerate(hull):
        bx, by = hull[(i + 1) % len(hull)]
        angle = _snap(math.degrees(math.atan2(by - ay, bx - ax)))
        # The hull in the frame of this angle: an axis-aligned box there.
        turned = [turn_point(x, y, 0.0, 0.0, -angle) for x, y in hull]
        xs = [p[0] for p in turned]
        ys = [p[1] for p in turned]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        area = w * h
        if best is not None and (area > best[0] or (area == best[0] and angle >= best[1])):
            continue
        cx, cy = turn_point((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, 0.0, 0.0, angle)
        if angle == 0.0:
            box = Box(min(xs), min(ys), max(xs), max(ys))
        else:
            box = Box.from_centre(cx, cy, w, h, angle)
        best = (area, angle, box)
    assert best is not None  # a valid polygon has at least three distinct points
    return best[2]
