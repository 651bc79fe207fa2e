"""labelme's shape types and limner's shapes, one shape at a time, both ways.

labelme keeps every shape as a ``shape_type`` and a list of ``points`` in the same
continuous pixel coordinates as limner (the top-left corner of the image is ``(0, 0)``),
so positions go across unchanged; only the meaning of the points differs by type:

=================== ==========================================================
``rectangle``       two opposite corners (four, axis-aligned, from some tools)
``oriented_rectangle`` four corners in order (also X-AnyLabeling's ``rotation``)
``polygon``         the outline, three points or more
``circle``          the centre and one point on the circle
``line``            two points; ``linestrip`` two or more
``point``           one point; ``points`` several, each its own point
``mask``            the top-left and bottom-right pixels of a PNG crop (``mask``)
=================== ==========================================================

Reading a circle takes its angle from where the point on the circle lies, so a circle
limner writes comes back with the angle it had. A rotated box is written as its four
corners starting at its own top-left, and read back from the first edge's direction and
length, so it comes back as the same box.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Geometry,
    Keypoints,
    Mask,
    Point,
    Polygon,
    Polyline,
    ellipse_to_polygon,
)
from limner.models.errors import GeometryError
from limner.models.imaging.mask_ops import polygon_to_mask_geometry

ELLIPSE_VERTICES = 64
"""Vertices of the polygon an ellipse that is not a circle is written as."""
_RIGHT_ANGLE_TOLERANCE = 1e-6


class ShapeError(Exception):
    """A shape that cannot be read: ``what`` is short, ``why`` the sentence for a user."""

    def __init__(self, what: str, why: str) -> None:
        super().__init__(why)
        self.what = what
        self.why = why


# -- reading ---------------------------------------------------------------------------


def _points(data: Mapping[str, Any]) -> list[tuple[float, float]]:
    raw = data.get("points")
    if not isinstance(raw, list):
        raise ShapeError("points", f"'points' must be a list, got {raw!r}")
    out: list[tuple[float, float]] = []
    for index, point in enumerate(raw):
        ok = isinstance(point, list | tuple) and len(point) == 2
        if not ok or not all(_is_number(v) for v in point):
            raise ShapeError("points", f"point {index} is not an [x, y] pair of numbers")
        out.append((float(point[0]), float(point[1])))
    return out


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _need(points: Sequence[tuple[float, float]], counts: Sequence[int], kind: str) -> None:
    if len(points) not in counts:
        wanted = " or ".join(str(c) for c in counts)
        raise ShapeError(kind, f"a {kind} has {wanted} points, this one has {len(points)}")


def read_geometry(
    data: Mapping[str, Any], size: tuple[int, int] | None
) -> tuple[list[Geometry], list[tuple[str, str]]]:
    """The limner shapes one labelme shape holds, and what was changed reading it.

    Raises :class:`ShapeError` when the shape cannot be read at all.
    """
    kind = data.get("shape_type") or "polygon"
    points = _points(data) if kind != "mask" else []
    notes: list[tuple[str, str]] = []
    try:
        if kind == "rectangle":
            return [_rectangle(points, notes)], notes
        if kind in ("oriented_rectangle", "rotation"):
            _need(points, (4,), kind)
            return [_turned_box(points, notes)], notes
        if kind == "polygon":
            return [Polygon.from_points(points)], notes
        if kind == "circle":
            _need(points, (2,), kind)
            return [_circle(points)], notes
        if kind == "line":
            _need(points, (2,), kind)
            return [Polyline.from_points(points)], notes
        if kind == "linestrip":
            if len(points) == 2:
                notes.append(("linestrip", "a linestrip of two points is written back as a line"))
            return [Polyline.from_points(points)], notes
        if kind == "point":
            _need(points, (1,), kind)
            return [Point(*points[0])], notes
        if kind == "points":
            if len(points) > 1:
                why = f"the {len(points)} points are read as points of one group"
                notes.append(("points", why))
            return [Point(x, y) for x, y in points], notes
        if kind == "mask":
            return [_mask(data, size, notes)], notes
    except GeometryError as error:
        raise ShapeError(kind, f"the {kind} cannot be read: {error}") from None
    raise ShapeError("shape type", f"limner has no shape of type {kind!r}")


def _rectangle(points: list[tuple[float, float]], notes: list[tuple[str, str]]) -> Box:
    _need(points, (2, 4), "rectangle")
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    if len(points) == 2:
        return Box.from_corners(xs[0], ys[0], xs[1], ys[1])
    if len(set(xs)) == 2 and len(set(ys)) == 2:
        return Box(min(xs), min(ys), max(xs), max(ys))
    return _turned_box(points, notes)


def _turned_box(points: list[tuple[float, float]], notes: list[tuple[str, str]]) -> Box:
    """A rotated box from its corners in order; a quadrilateral that is not a rectangle
    stays the polygon it is."""
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = points
    width = math.hypot(bx - ax, by - ay)
    height = math.hypot(cx - bx, cy - by)
    if width == 0 or height == 0:
        raise GeometryError("two of its corners coincide")
    cos_first = ((bx - ax) * (cx - bx) + (by - ay) * (cy - by)) / (width * height)
    diagonal_gap = math.hypot(ax + cx - bx - dx, ay + cy - by - dy)
    if abs(cos_first) > _RIGHT_ANGLE_TOLERANCE or diagonal_gap > 1e-6 * max(width, height):
        raise GeometryError("its four corners do not make a rectangle")
    angle = math.degrees(math.atan2(by - ay, bx - ax))
    centre_x = (ax + bx + cx + dx) / 4
    centre_y = (ay + by + cy + dy) / 4
    return Box.from_centre(centre_x, centre_y, width, height, angle)


def _circle(points: list[tuple[float, float]]) -> Ellipse:
    (cx, cy), (px, py) = points
    radius = math.hypot(px - cx, py - cy)
    if radius == 0:
        raise GeometryError("its point on the circle is its centre")
    return Ellipse(cx, cy, radius, radius, math.degrees(math.atan2(py - cy, px - cx)))


def _mask(
    data: Mapping[str, Any], size: tuple[int, int] | None, notes: list[tuple[str, str]]
) -> Mask:
    if size is None:
        raise GeometryError("the image's size is unknown, and a mask needs it")
    crop = decode_png(data.get("mask"))
    points = _points(data)
    if not points:
        raise GeometryError("it has no points saying where its crop lies")
    left, top = (math.floor(v + 0.5) for v in points[0])
    width, height = size
    full_h, full_w = crop.shape
    x0, y0 = max(left, 0), max(top, 0)
    x1, y1 = min(left + full_w, width), min(top + full_h, height)
    if x0 >= x1 or y0 >= y1:
        raise GeometryError("its crop lies outside the image")
    inside = crop[y0 - top : y1 - top, x0 - left : x1 - left]
    if inside.sum() != crop.sum():
        notes.append(("mask", "the pixels of the mask outside the image are dropped"))
    return Mask.from_crop(inside, x0, y0, width, height)


def decode_png(value: object) -> np.ndarray:
    """A boolean array from a base64 PNG: any non-zero pixel (in any channel) is set."""
    if not isinstance(value, str) or not value:
        raise GeometryError("its 'mask' is not a base64 PNG")
    try:
        raw = base64.b64decode(value, validate=False)
        with Image.open(io.BytesIO(raw)) as img:
            if img.width * img.height > 1 << 30:
                raise GeometryError(f"its mask of {img.width}x{img.height} is too large")
            pixels = np.asarray(img.convert("L") if img.mode not in ("1", "L") else img)
    except (binascii.Error, UnidentifiedImageError, OSError, ValueError) as error:
        raise GeometryError(f"its 'mask' cannot be decoded as a PNG ({error})") from None
    return pixels.astype(bool) if pixels.ndim == 2 else pixels.any(axis=-1)


# -- writing ---------------------------------------------------------------------------


def encode_png(array: np.ndarray) -> str:
    """A boolean array as a 1-bit PNG, base64-encoded (what labelme reads as a mask)."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(array, dtype=bool)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _pairs(points: Sequence[tuple[float, float]]) -> list[list[float]]:
    return [[float(x), float(y)] for x, y in points]


def write_geometry(
    geometry: Geometry, size: tuple[int, int] | None
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """labelme shapes (``shape_type``, ``points``, maybe ``mask``) for one limner shape,
    and what could not be written exactly. Tags and keypoints are the writer's business."""
    if isinstance(geometry, Box):
        if not geometry.rotated:
            corners = [(geometry.x0, geometry.y0), (geometry.x1, geometry.y1)]
            return [{"shape_type": "rectangle", "points": _pairs(corners)}], []
        return [{"shape_type": "oriented_rectangle", "points": _pairs(geometry.corners())}], []
    if isinstance(geometry, Polygon):
        return _polygon(geometry, size)
    if isinstance(geometry, Ellipse):
        return _ellipse(geometry)
    if isinstance(geometry, Polyline):
        kind = "line" if len(geometry.points) == 2 else "linestrip"
        return [{"shape_type": kind, "points": _pairs(geometry.points)}], []
    if isinstance(geometry, Point):
        return [{"shape_type": "point", "points": [[geometry.x, geometry.y]]}], []
    if isinstance(geometry, Mask):
        return [_mask_shape(geometry)], []
    if isinstance(geometry, Keypoints):
        labeled = [(x, y) for x, y, v in geometry.points if v > 0]
        why = "labelme has no skeletons; the labeled keypoints are written as points"
        return [{"shape_type": "point", "points": [[x, y]]} for x, y in labeled], [
            ("keypoints", why)
        ]
    return [], [(geometry.kind, f"labelme has no place for a {geometry.kind}")]


def _polygon(
    polygon: Polygon, size: tuple[int, int] | None
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    if not any(part.holes for part in polygon.parts):
        return [{"shape_type": "polygon", "points": _pairs(p.outer)} for p in polygon.parts], []
    if size is None:
        why = "labelme has no holes, and without the image's size it cannot be a mask"
        return [], [("polygon hole", why)]
    mask = polygon_to_mask_geometry(polygon, size[0], size[1])
    if mask is None:
        return [], [("polygon hole", "the polygon with holes covers no pixel of the image")]
    why = "labelme has no holes; the polygon is written as a mask of its pixels"
    return [_mask_shape(mask)], [("polygon hole", why)]


def _ellipse(ellipse: Ellipse) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    if ellipse.rx == ellipse.ry:
        radians = math.radians(ellipse.angle)
        rim = (
            ellipse.cx + ellipse.rx * math.cos(radians),
            ellipse.cy + ellipse.rx * math.sin(radians),
        )
        return [{"shape_type": "circle", "points": _pairs([(ellipse.cx, ellipse.cy), rim])}], []
    outline = ellipse_to_polygon(ellipse, ELLIPSE_VERTICES)
    why = f"labelme has only circles; the ellipse is written as a {ELLIPSE_VERTICES}-gon"
    return [{"shape_type": "polygon", "points": _pairs(outline.parts[0].outer)}], [("ellipse", why)]


def _mask_shape(mask: Mask) -> dict[str, Any]:
    corners = [(mask.left, mask.top), (mask.left + mask.width - 1, mask.top + mask.height - 1)]
    return {
        "shape_type": "mask",
        "points": _pairs(corners),
        "mask": encode_png(mask.crop_array()),
    }
