"""The box: an axis-aligned rectangle with its corners in order.

A box that exists has finite corners with ``x0 < x1`` and ``y0 < y1``; a drag gesture,
whose corners come in any order, goes through :meth:`Box.from_corners`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from limner.models.domain.geometry.checks import as_finite, fmt
from limner.models.errors import GeometryError


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle ``[x0, x1) x [y0, y1)`` in continuous image coordinates.

    The corners are ordered on purpose: an inverted box is almost always a tool bug, and
    refusing it here keeps every consumer (drawing, IoU, export) free of ``min``/``max``
    juggling. Use :meth:`from_corners` when the two corners come from a drag gesture.
    """

    kind: ClassVar[str] = "box"

    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        for name in ("x0", "y0", "x1", "y1"):
            object.__setattr__(self, name, as_finite(getattr(self, name), f"box {name}"))
        if self.x0 >= self.x1:
            raise GeometryError(f"box has x0 >= x1 ({fmt(self.x0)} >= {fmt(self.x1)})")
        if self.y0 >= self.y1:
            raise GeometryError(f"box has y0 >= y1 ({fmt(self.y0)} >= {fmt(self.y1)})")

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

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        return self.width * self.height
