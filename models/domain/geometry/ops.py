"""What can be done to any shape: its bounds, moving and turning it, clipping a box.

Vector shapes move exactly and may hang over the image edge while dragged; masks are
pixel data, so they move by whole pixels (halves rounded away from zero, the same way in
both directions) and lose what leaves the image, and they cannot be turned. An image tag
has no place: it has no bounds, and moving or turning it leaves it as it is, so that a
whole selection can be moved without sorting tags out first.
"""

from __future__ import annotations

import math

from limner.models.domain.geometry.box import Box, turn_point
from limner.models.domain.geometry.checks import as_finite, fmt
from limner.models.domain.geometry.ellipse import Ellipse
from limner.models.domain.geometry.keypoints import Keypoints
from limner.models.domain.geometry.kinds import Geometry
from limner.models.domain.geometry.mask import Mask
from limner.models.domain.geometry.point import Point
from limner.models.domain.geometry.polygon import Polygon, PolygonPart
from limner.models.domain.geometry.polyline import Polyline
from limner.models.domain.geometry.tag import Tag
from limner.models.errors import GeometryError

_Bounds = tuple[float, float, float, float]


def _extent(points: tuple[tuple[float, float], ...] | list[tuple[float, float]]) -> _Bounds:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _ellipse_bounds(e: Ellipse) -> _Bounds:
    radians = math.radians(e.angle)
    cos, sin = math.cos(radians), math.sin(radians)
    half_w = math.hypot(e.rx * cos, e.ry * sin)
    half_h = math.hypot(e.rx * sin, e.ry * cos)
    return (e.cx - half_w, e.cy - half_h, e.cx + half_w, e.cy + half_h)


def bounds(g: Geometry) -> _Bounds:
    """``(x0, y0, x1, y1)`` enclosing the shape; for keypoints, its labeled points only.

    A single labeled keypoint, and a point, give a zero-size extent; callers that need a
    drawable box pad it themselves. A rotated box or ellipse gives the axis-aligned box
    around it. An image tag has no extent: asking for it is a GeometryError.
    """
    if isinstance(g, Box):
        return (g.x0, g.y0, g.x1, g.y1) if not g.rotated else _extent(g.corners())
    if isinstance(g, Polyline):
        return _extent(g.points)
    if isinstance(g, Point):
        return (g.x, g.y, g.x, g.y)
    if isinstance(g, Ellipse):
        return _ellipse_bounds(g)
    if isinstance(g, Tag):
        raise GeometryError("an image tag has no position, so it has no bounds")
    if isinstance(g, Polygon):
        # Holes lie inside their outer ring, so the outer rings alone set the extent.
        xs = [x for part in g.parts for x, _ in part.outer]
        ys = [y for part in g.parts for _, y in part.outer]
        return (min(xs), min(ys), max(xs), max(ys))
    if isinstance(g, Mask):
        return (
            float(g.left),
            float(g.top),
            float(g.left + g.width),
            float(g.top + g.height),
        )
    if isinstance(g, Keypoints):
        labeled = g.labeled
        if not labeled:
            raise GeometryError("keypoints have no labeled point, so they have no bounds")
        xs = [p[0] for p in labeled]
        ys = [p[1] for p in labeled]
        return (min(xs), min(ys), max(xs), max(ys))
    raise GeometryError(f"not a geometry: {type(g).__name__}")


def _round_half_away(value: float) -> int:
    """Round to the nearest integer, halves away from zero.

    Python's ``round`` sends both 0.5 and -0.5 to 0 and 1.5 to 2; a mask dragged by half
    a pixel should move the same way left and right.
    """
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def _translate_mask(mask: Mask, dx: float, dy: float) -> Mask:
    shift_x = _round_half_away(dx)
    shift_y = _round_half_away(dy)
    left = mask.left + shift_x
    top = mask.top + shift_y
    right = left + mask.width
    bottom = top + mask.height
    if left >= 0 and top >= 0 and right <= mask.image_width and bottom <= mask.image_height:
        return Mask(
            left, top, mask.width, mask.height, mask.counts, mask.image_width, mask.image_height
        )
    outside = GeometryError(
        f"moving the mask by ({shift_x}, {shift_y}) px takes it entirely outside the "
        f"{mask.image_width}x{mask.image_height} image"
    )
    visible_left = max(left, 0)
    visible_top = max(top, 0)
    visible_right = min(right, mask.image_width)
    visible_bottom = min(bottom, mask.image_height)
    if visible_left >= visible_right or visible_top >= visible_bottom:
        raise outside
    crop = mask.crop_array()[
        visible_top - top : visible_bottom - top, visible_left - left : visible_right - left
    ]
    if not crop.any():
        raise outside
    return Mask.from_crop(crop, visible_left, visible_top, mask.image_width, mask.image_height)


def translate(g: Geometry, dx: float, dy: float) -> Geometry:
    """The shape moved by ``(dx, dy)``.

    Vector shapes move exactly and are not clipped (they may hang over the image edge
    while being dragged). Masks are pixel data: they move by whole pixels and lose what
    leaves the image, because a mask cannot hold pixels the image does not have.
    """
    dx = as_finite(dx, "dx")
    dy = as_finite(dy, "dy")
    if isinstance(g, Box):
        return Box(g.x0 + dx, g.y0 + dy, g.x1 + dx, g.y1 + dy, g.angle)
    if isinstance(g, Polyline):
        return Polyline(tuple((x + dx, y + dy) for x, y in g.points))
    if isinstance(g, Point):
        return Point(g.x + dx, g.y + dy)
    if isinstance(g, Ellipse):
        return Ellipse(g.cx + dx, g.cy + dy, g.rx, g.ry, g.angle)
    if isinstance(g, Tag):
        return g
    if isinstance(g, Polygon):
        return Polygon(
            tuple(
                PolygonPart(
                    tuple((x + dx, y + dy) for x, y in part.outer),
                    tuple(tuple((x + dx, y + dy) for x, y in hole) for hole in part.holes),
                )
                for part in g.parts
            )
        )
    if isinstance(g, Mask):
        return _translate_mask(g, dx, dy)
    if isinstance(g, Keypoints):
        return Keypoints(tuple((x + dx, y + dy, v) if v > 0 else (x, y, v) for x, y, v in g.points))
    raise GeometryError(f"not a geometry: {type(g).__name__}")


def rotate(g: Geometry, degrees: float, cx: float, cy: float) -> Geometry:
    """The shape turned by ``degrees`` (clockwise on screen) about ``(cx, cy)``.

    Boxes and ellipses keep their size and gain the angle; point-based shapes turn each
    point (unlabeled keypoints stay unlabeled). A mask is refused: turning pixel data
    would resample it, which is a conversion, not a move.
    """
    degrees = as_finite(degrees, "rotation")
    cx = as_finite(cx, "rotation centre x")
    cy = as_finite(cy, "rotation centre y")

    def turn(x: float, y: float) -> tuple[float, float]:
        return turn_point(x, y, cx, cy, degrees)

    if isinstance(g, Box):
        bx, by = turn(*g.centre)
        return Box.from_centre(bx, by, g.width, g.height, g.angle + degrees)
    if isinstance(g, Ellipse):
        ex, ey = turn(g.cx, g.cy)
        return Ellipse(ex, ey, g.rx, g.ry, g.angle + degrees)
    if isinstance(g, Polygon):
        return Polygon(
            tuple(
                PolygonPart(
                    tuple(turn(x, y) for x, y in part.outer),
                    tuple(tuple(turn(x, y) for x, y in hole) for hole in part.holes),
                )
                for part in g.parts
            )
        )
    if isinstance(g, Polyline):
        return Polyline(tuple(turn(x, y) for x, y in g.points))
    if isinstance(g, Point):
        return Point(*turn(g.x, g.y))
    if isinstance(g, Keypoints):
        return Keypoints(tuple((*turn(x, y), v) if v > 0 else (x, y, v) for x, y, v in g.points))
    if isinstance(g, Tag):
        return g
    if isinstance(g, Mask):
        raise GeometryError("a mask cannot be turned; convert it to a polygon first")
    raise GeometryError(f"not a geometry: {type(g).__name__}")


def clip_box(box: Box, width: float, height: float) -> Box | None:
    """The part of ``box`` inside a ``width`` x ``height`` image, or None if nothing is.

    Used before export, since most formats refuse boxes that leave the image. The part of
    a rotated box inside the image is no rotated box, so a rotated box comes back whole
    while any of it is inside (its bounds overlap the image), and None otherwise.
    """
    width = as_finite(width, "image width")
    height = as_finite(height, "image height")
    if width <= 0 or height <= 0:
        raise GeometryError(f"image size must be positive, got {fmt(width)}x{fmt(height)}")
    if box.rotated:
        bx0, by0, bx1, by1 = bounds(box)
        return box if bx0 < width and by0 < height and bx1 > 0 and by1 > 0 else None
    x0 = max(box.x0, 0.0)
    y0 = max(box.y0, 0.0)
    x1 = min(box.x1, width)
    y1 = min(box.y1, height)
    if x0 >= x1 or y0 >= y1:
        return None
    if (x0, y0, x1, y1) == (box.x0, box.y0, box.x1, box.y1):
        return box
    return Box(x0, y0, x1, y1)
