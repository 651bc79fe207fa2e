"""Handles of the shapes that turn and of open lines: where they are and what dragging does.

Boxes and ellipses have a rotate handle a fixed screen distance beyond their top edge
(in their own frame, so it turns with them); a rotated box's eight resize handles sit on
its turned outline and resize it in its own frame, keeping the opposite side in place;
an ellipse has one handle at each end of both axes, each setting that radius (the centre
stays). A polyline's vertices are moved, inserted and deleted like a polygon's.

Everything here is plain geometry in image coordinates, shared by the select tool (which
decides what a press grabs) and the canvas (which draws the handles where the tool
looks for them).
"""

from __future__ import annotations

import math

from limner.models.domain.geometry import XY, Box, Ellipse, Polyline
from limner.models.domain.geometry.box import turn_point
from limner.models.domain.hit import HANDLE_EDGES, box_handles, distance_to_segment

ROTATE_HANDLE_SCREEN_PX = 24.0
"""How far beyond the top edge the rotate handle sits, in screen pixels."""
SNAP_DEGREES = 15.0
"""What Shift snaps a rotation to."""


def rotate_handle(g: Box | Ellipse, scale: float) -> XY:
    """The rotate handle of ``g`` at ``scale`` screen pixels per image pixel."""
    reach = ROTATE_HANDLE_SCREEN_PX / max(scale, 1e-6)
    if isinstance(g, Box):
        cx, cy = g.centre
        return turn_point(cx, g.y0 - reach, cx, cy, g.angle)
    return turn_point(g.cx, g.cy - g.ry - reach, g.cx, g.cy, g.angle)


def centre_of(g: Box | Ellipse) -> XY:
    return g.centre if isinstance(g, Box) else (g.cx, g.cy)


def pointer_angle(g: Box | Ellipse, x: float, y: float) -> float:
    """The angle ``g`` has when its rotate handle points at ``(x, y)`` (degrees, clockwise)."""
    cx, cy = centre_of(g)
    return math.degrees(math.atan2(x - cx, -(y - cy)))


def snapped(angle: float, snap: bool) -> float:
    return round(angle / SNAP_DEGREES) * SNAP_DEGREES if snap else angle


def turned(g: Box | Ellipse, angle: float) -> Box | Ellipse:
    """``g`` with ``angle`` instead of its own, about its own centre."""
    if isinstance(g, Box):
        return Box(g.x0, g.y0, g.x1, g.y1, angle)
    return Ellipse(g.cx, g.cy, g.rx, g.ry, angle)


def turned_box_handles(box: Box) -> list[XY]:
    """The eight resize handles of ``box`` on its turned outline, in ``HANDLE_EDGES`` order."""
    plain = box_handles(box)
    if not box.rotated:
        return plain
    cx, cy = box.centre
    return [turn_point(x, y, cx, cy, box.angle) for x, y in plain]


def ellipse_handles(e: Ellipse) -> list[XY]:
    """The ends of both axes: along +x (rx), +y (ry), -x (rx), -y (ry) of the ellipse."""
    ends = ((e.rx, 0.0), (0.0, e.ry), (-e.rx, 0.0), (0.0, -e.ry))
    return [turn_point(e.cx + u, e.cy + v, e.cx, e.cy, e.angle) for u, v in ends]


def nearest_handle(points: list[XY], x: float, y: float, tol: float) -> int | None:
    best: tuple[float, int] | None = None
    for index, (hx, hy) in enumerate(points):
        d = max(abs(hx - x), abs(hy - y))
        if d <= tol and (best is None or d < best[0]):
            best = (d, index)
    return best[1] if best else None


def _local(cx: float, cy: float, angle: float, x: float, y: float) -> XY:
    """``(x, y)`` in the frame of a shape centred on ``(cx, cy)`` turned by ``angle``."""
    lx, ly = turn_point(x, y, cx, cy, -angle)
    return lx - cx, ly - cy


def resize_turned_box(box: Box, handle: int, x: float, y: float) -> Box:
    """``box`` with the edges that ``handle`` moves brought to ``(x, y)``, in its own frame.

    Raises GeometryError when that leaves no width or height.
    """
    cx, cy = box.centre
    u, v = _local(cx, cy, box.angle, x, y)
    half_w, half_h = box.width / 2, box.height / 2
    mx0, my0, mx1, my1 = HANDLE_EDGES[handle]
    u0, u1 = (u if mx0 else -half_w), (u if mx1 else half_w)
    v0, v1 = (v if my0 else -half_h), (v if my1 else half_h)
    u0, u1 = min(u0, u1), max(u0, u1)
    v0, v1 = min(v0, v1), max(v0, v1)
    ncx, ncy = turn_point(cx + (u0 + u1) / 2, cy + (v0 + v1) / 2, cx, cy, box.angle)
    return Box.from_centre(ncx, ncy, u1 - u0, v1 - v0, box.angle)


def resize_ellipse(e: Ellipse, handle: int, x: float, y: float) -> Ellipse:
    """``e`` with the radius of ``handle`` (see :func:`ellipse_handles`) reaching ``(x, y)``."""
    u, v = _local(e.cx, e.cy, e.angle, x, y)
    if handle % 2 == 0:
        return Ellipse(e.cx, e.cy, abs(u), e.ry, e.angle)
    return Ellipse(e.cx, e.cy, e.rx, abs(v), e.angle)


# -- polyline vertices -------------------------------------------------------------------------
def line_vertex_at(line: Polyline, x: float, y: float, tol: float) -> int | None:
    best: tuple[float, int] | None = None
    for index, (px, py) in enumerate(line.points):
        d = math.hypot(px - x, py - y)
        if d <= tol and (best is None or d < best[0]):
            best = (d, index)
    return best[1] if best else None


def line_edge_at(line: Polyline, x: float, y: float, tol: float) -> tuple[int, XY] | None:
    """Where a vertex would go on the segment nearest ``(x, y)``: its index and position."""
    best: tuple[float, int, XY] | None = None
    points = line.points
    for i in range(1, len(points)):
        (ax, ay), (bx, by) = points[i - 1], points[i]
        d = distance_to_segment(x, y, ax, ay, bx, by)
        if d <= tol and (best is None or d < best[0]):
            dx, dy = bx - ax, by - ay
            t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
            best = (d, i, (ax + t * dx, ay + t * dy))
    return (best[1], best[2]) if best else None


def move_line_vertex(line: Polyline, index: int, x: float, y: float) -> Polyline:
    points = list(line.points)
    points[index] = (float(x), float(y))
    return Polyline(tuple(points))


def insert_line_vertex(line: Polyline, index: int, x: float, y: float) -> Polyline:
    points = list(line.points)
    points.insert(index, (float(x), float(y)))
    return Polyline(tuple(points))


def delete_line_vertex(line: Polyline, index: int) -> Polyline:
    """``line`` without vertex ``index``; GeometryError when fewer than two would be left."""
    return Polyline(tuple(p for i, p in enumerate(line.points) if i != index))
