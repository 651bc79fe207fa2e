"""The box: a rectangle given by its unrotated corners and a rotation about its centre.

A box that exists has finite corners with ``x0 < x1`` and ``y0 < y1``; a drag gesture,
whose corners come in any order, goes through :meth:`Box.from_corners`. The angle is in
degrees, clockwise on screen (image y points down), about the centre, and is kept in
``[0, 360)``: an axis-aligned box has angle 0, so every box limner ever stored reads as
the same box it was, and a rotated box is one value rather than a separate kind.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from limner.models.domain.geometry.checks import as_finite, fmt
from limner.models.errors import GeometryError


def normal_angle(angle: object, what: str) -> float:
    """``angle`` in degrees as a finite float in ``[0, 360)``, never ``-0.0``.

    One canonical value per orientation lets two boxes that look the same compare equal
    (and fingerprint the same for sync): 360 and -0.0 both become 0.0.
    """
    value = as_finite(angle, what) % 360.0
    if value >= 360.0:  # a tiny negative angle rounds up to exactly 360
        value = 0.0
    return value + 0.0


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle ``[x0, x1) x [y0, y1)`` turned by ``angle`` degrees about its centre.

    The corners are ordered on purpose: an inverted box is almost always a tool bug, and
    refusing it here keeps every consumer (drawing, IoU, export) free of ``min``/``max``
    juggling. Use :meth:`from_corners` when the two corners come from a drag gesture and
    :meth:`from_centre` for a rotated box given by its centre and size.
    """

    kind: ClassVar[str] = "box"

    x0: float
    y0: float
    x1: float
    y1: float
    angle: float = 0.0

    def __post_init__(self) -> None:
        for name in ("x0", "y0", "x1", "y1"):
            object.__setattr__(self, name, as_finite(getattr(self, name), f"box {name}"))
        if self.x0 >= self.x1:
            raise GeometryError(f"box has x0 >= x1 ({fmt(self.x0)} >= {fmt(self.x1)})")
        if self.y0 >= self.y1:
            raise GeometryError(f"box has y0 >= y1 ({fmt(self.y0)} >= {fmt(self.y1)})")
        object.__setattr__(self, "angle", normal_angle(self.angle, "box angle"))

    @classmethod
    def from_corners(cls, ax: float, ay: float, bx: float, by: float) -> Box:
        """Build a box from any two opposite corners, in any order (e.g. a mouse drag)."""
        ax = as_finite(ax, "box corner x")
        ay = as_finite(ay, "box corner y")
        bx = as_finite(bx, "box corner x")
        by = as_finite(by, "box corner y")
        if ax == bx:
            raise GeometryError(f"box has zero width (both corners at x = {fmt(ax)})")
        if ay == by:
            raise GeometryError(f"box has zero height (both corners at y = {fmt(ay)})")
        return cls(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))

    @classmethod
    def from_centre(
        cls, cx: float, cy: float, width: float, height: float, angle: float = 0.0
    ) -> Box:
        """A box of ``width`` x ``height`` centred on ``(cx, cy)``, turned by ``angle``."""
        cx = as_finite(cx, "box centre x")
        cy = as_finite(cy, "box centre y")
        width = as_finite(width, "box width")
        height = as_finite(height, "box height")
        if width <= 0 or height <= 0:
            raise GeometryError(f"box size must be positive, got {fmt(width)}x{fmt(height)}")
        return cls(cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2, angle)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        return self.width * self.height

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2)

    @property
    def rotated(self) -> bool:
        """True when the box is not axis-aligned."""
        return self.angle != 0.0

    def corners(self) -> tuple[tuple[float, float], ...]:
        """The four corners in image space: top-left, top-right, bottom-right, bottom-left
        of the unrotated box, each turned about the centre (exact for angle 0)."""
        plain = ((self.x0, self.y0), (self.x1, self.y0), (self.x1, self.y1), (self.x0, self.y1))
        if not self.rotated:
            return plain
        cx, cy = self.centre
        return tuple(turn_point(x, y, cx, cy, self.angle) for x, y in plain)


def turn_point(x: float, y: float, cx: float, cy: float, angle: float) -> tuple[float, float]:
    """``(x, y)`` turned by ``angle`` degrees (clockwise on screen) about ``(cx, cy)``."""
    radians = math.radians(angle)
    cos, sin = math.cos(radians), math.sin(radians)
    dx, dy = x - cx, y - cy
    return (cx + dx * cos - dy * sin, cy + dx * sin + dy * cos)
