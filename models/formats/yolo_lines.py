"""One YOLO label line to limner shapes and back, for each of the four tasks.

A label file has one object per line: a class index, then values normalised by the image's
width (x) and height (y):

* detect: ``c cx cy w h`` (a sixth value, when present, is a prediction's confidence);
* segment: ``c x1 y1 x2 y2 ...``, one polygon of at least three points;
* pose: ``c cx cy w h`` followed by ``k`` keypoints of ``x y`` or ``x y v`` (``kpt_shape``);
* OBB: ``c x1 y1 x2 y2 x3 y3 x4 y4``, the four corners of a turned rectangle.

Values are written in fixed point with enough decimals that, multiplied back by the image
size, they land within a millionth of a pixel of the original coordinate. Training tools
refuse files with values outside ``[0, 1]``, so the writer clips shapes to the image first
and names that as a loss; the reader accepts such values as they are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from limner.models.domain.geometry import Box, Keypoints, Polygon, PolygonPart
from limner.models.errors import GeometryError

TASKS = ("detect", "segment", "pose", "obb")

# How close (normalised) a pose line's box must be to its keypoints' extent to count as
# derived from them rather than as a box of its own; files round to six decimals.
EXTENT_TOLERANCE = 1e-6
# How far (in pixels, plus a relative part) OBB corners may be from a true rectangle.
RECTANGLE_TOLERANCE = 1e-3


class LineError(ValueError):
    """A line that cannot be read; its message says why (it becomes a loss)."""


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one line holds: a class index and its shapes, plus an optional confidence."""

    class_index: int
    box: Box | None = None
    polygon: Polygon | None = None
    keypoints: Keypoints | None = None
    confidence: float | None = None
    note: str | None = None  # a loss worth naming that did not stop the line
    note_what: str = "oriented box"  # what ``note`` is about


def _numbers(tokens: Sequence[str]) -> list[float]:
    values = []
    for token in tokens:
        try:
            value = float(token)
        except ValueError:
            raise LineError(f"{token!r} is not a number") from None
        if not math.isfinite(value):
            raise LineError(f"{token!r} is not a finite number")
        values.append(value)
    return values


def _class_index(token: str) -> int:
    try:
        value = float(token)
    except ValueError:
        raise LineError(f"class {token!r} is not a number") from None
    if not value.is_integer() or value < 0:
        raise LineError(f"class {token!r} is not a non-negative whole number")
    return int(value)


def _centre_box(values: Sequence[float], size: tuple[int, int]) -> Box:
    w, h = size
    cx, cy, bw, bh = values
    if bw <= 0 or bh <= 0:
        raise LineError(f"box width and height must be positive, got {bw} and {bh}")
    return Box((cx - bw / 2) * w, (cy - bh / 2) * h, (cx + bw / 2) * w, (cy + bh / 2) * h)


def parse_line(
    line: str, task: str | None, size: tuple[int, int], kpt_shape: tuple[int, int] | None
) -> Parsed:
    """Read one non-empty line. ``task`` None reads boxes and polygons by their length."""
    tokens = line.split()
    index = _class_index(tokens[0])
    values = _numbers(tokens[1:])
    if task == "pose" or (task is None and kpt_shape is not None):
        return _pose(index, values, size, kpt_shape)
    if task == "obb":
        return _obb(index, values, size)
    if len(values) in (4, 5) and task != "segment":
        confidence = values[4] if len(values) == 5 else None
        return Parsed(index, box=_centre_box(values[:4], size), confidence=confidence)
    if task == "detect":
        raise LineError(f"{len(values)} values; a detect line has 4 (or 5 with a confidence)")
    return Parsed(index, polygon=_polygon(values, size))


def _polygon(values: Sequence[float], size: tuple[int, int]) -> Polygon:
    if len(values) < 6 or len(values) % 2:
        raise LineError(f"{len(values)} values; a polygon needs an even number, at least 6")
    w, h = size
    points = tuple((x * w, y * h) for x, y in zip(values[0::2], values[1::2], strict=True))
    try:
        return Polygon((PolygonPart(points),))
    except GeometryError as exc:
        raise LineError(str(exc)) from None


def _pose(
    index: int, values: Sequence[float], size: tuple[int, int], kpt_shape: tuple[int, int] | None
) -> Parsed:
    if kpt_shape is None:
        raise LineError("a pose line needs kpt_shape in data.yaml")
    count, dims = kpt_shape
    if len(values) != 4 + count * dims:
        raise LineError(f"{len(values)} values; kpt_shape {count}x{dims} needs {4 + count * dims}")
    w, h = size
    raw = values[4:]
    points: list[tuple[float, float, int]] = []
    placed_unlabeled = 0
    for i in range(count):
        x, y = raw[i * dims], raw[i * dims + 1]
        if dims == 3:
            v = raw[i * dims + 2]
            if v not in (0.0, 1.0, 2.0):
                raise LineError(f"keypoint {i} has visibility {v}; it must be 0, 1 or 2")
            visibility = int(v)
        else:  # no visibility column: a point at the origin is one nobody placed
            visibility = 0 if x == 0 and y == 0 else 2
        points.append((x * w, y * h, visibility) if visibility else (0.0, 0.0, 0))
        placed_unlabeled += visibility == 0 and (x, y) != (0.0, 0.0)
    note = _unlabeled_note(placed_unlabeled)
    if all(v == 0 for _, _, v in points):
        return Parsed(index, box=_centre_box(values[:4], size), note=note, note_what="keypoints")
    keypoints = Keypoints(tuple(points))
    labeled = keypoints.labeled
    xs = [p[0] / w for p in labeled]
    ys = [p[1] / h for p in labeled]
    extent = (min(xs), min(ys), max(xs), max(ys))
    cx, cy, bw, bh = values[:4]
    own = (cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2)
    # A box that is just the extent of the points (one point has a flat one) says nothing.
    if all(abs(a - b) <= EXTENT_TOLERANCE for a, b in zip(extent, own, strict=True)):
        return Parsed(index, keypoints=keypoints, note=note, note_what="keypoints")
    return Parsed(
        index,
        box=_centre_box(values[:4], size),
        keypoints=keypoints,
        note=note,
        note_what="keypoints",
    )


def _unlabeled_note(count: int) -> str | None:
    """The loss of positions given to points marked not labeled (visibility 0)."""
    if not count:
        return None
    return (
        f"{count} point{'s' if count > 1 else ''} marked not labeled (visibility 0) had a "
        "position; limner keeps no position for a point that is not labeled"
    )


def _obb(index: int, values: Sequence[float], size: tuple[int, int]) -> Parsed:
    if len(values) != 8:
        raise LineError(f"{len(values)} values; an oriented box has 8 (four corners)")
    w, h = size
    corners = [(x * w, y * h) for x, y in zip(values[0::2], values[1::2], strict=True)]
    box = box_from_corners(corners)
    if box is not None:
        return Parsed(index, box=box)
    polygon = _polygon(values, size)
    why = "its corners do not form a rectangle; kept as a polygon"
    return Parsed(index, polygon=polygon, note=why)


def box_from_corners(corners: Sequence[tuple[float, float]]) -> Box | None:
    """The (possibly turned) box whose corners, in order, are ``corners``, or None.

    The first side gives the angle and the width, the second the height; the centre is
    the mean of the corners. None when the four points are not a rectangle.
    """
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = corners
    width = math.hypot(x1 - x0, y1 - y0)
    height = math.hypot(x2 - x1, y2 - y1)
    scale = max(width, height, 1.0)
    tolerance = RECTANGLE_TOLERANCE + 1e-6 * scale
    # A parallelogram (diagonals bisect each other) with equal diagonals is a rectangle.
    if abs((x0 + x2) - (x1 + x3)) > tolerance or abs((y0 + y2) - (y1 + y3)) > tolerance:
        return None
    if abs(math.hypot(x2 - x0, y2 - y0) - math.hypot(x3 - x1, y3 - y1)) > tolerance:
        return None
    if width <= 0 or height <= 0:
        return None
    cx, cy = (x0 + x1 + x2 + x3) / 4, (y0 + y1 + y2 + y3) / 4
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0)) % 360.0
    if min(angle, 360.0 - angle) <= 1e-9:
        angle = 0.0
    return Box.from_centre(cx, cy, width, height, angle)


# -- writing -------------------------------------------------------------------------------
def decimals_for(size: tuple[int, int]) -> int:
    """Decimals that keep a coordinate within 1e-7 px after multiplying by the size."""
    return max(6, math.ceil(math.log10(max(size))) + 7)


def number(value: float, decimals: int) -> str:
    """Fixed point, trailing zeros dropped (never an exponent, never ``-0``)."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def box_values(x0: float, y0: float, x1: float, y1: float, size: tuple[int, int]) -> list[float]:
    w, h = size
    return [(x0 + x1) / 2 / w, (y0 + y1) / 2 / h, (x1 - x0) / w, (y1 - y0) / h]


def point_values(points: Sequence[tuple[float, float]], size: tuple[int, int]) -> list[float]:
    w, h = size
    return [c for x, y in points for c in (x / w, y / h)]


def keypoint_values(keypoints: Keypoints | None, count: int, size: tuple[int, int]) -> list[float]:
    """``x y v`` per point, normalised; zeros for every point when there are none."""
    if keypoints is None:
        return [0.0] * (3 * count)
    w, h = size
    return [c for x, y, v in keypoints.points for c in (x / w, y / h, float(v))]


def format_line(class_index: int, values: Sequence[float], decimals: int) -> str:
    return " ".join([str(class_index), *(number(v, decimals) for v in values)])
