"""The ellipse: a centre, two radii and a rotation (a circle when both radii agree).

``rx`` runs along the ellipse's own x axis, which is turned by ``angle`` degrees
(clockwise on screen, as for boxes) from the image's x axis; the angle is kept in
``[0, 360)``. Both radii must be positive: a flat ellipse cannot be seen or selected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from limner.models.domain.geometry.box import normal_angle
from limner.models.domain.geometry.checks import as_finite, fmt
from limner.models.errors import GeometryError


@dataclass(frozen=True, slots=True)
class Ellipse:
    """An ellipse centred on ``(cx, cy)`` with radii ``rx`` and ``ry``, turned by ``angle``."""

    kind: ClassVar[str] = "ellipse"

    cx: float
    cy: float
    rx: float
    ry: float
    angle: float = 0.0

    def __post_init__(self) -> None:
        for name in ("cx", "cy", "rx", "ry"):
            object.__setattr__(self, name, as_finite(getattr(self, name), f"ellipse {name}"))
        if self.rx <= 0 or self.ry <= 0:
            raise GeometryError(
                f"ellipse radii must be positive, got {fmt(self.rx)} and {fmt(self.ry)}"
            )
        object.__setattr__(self, "angle", normal_angle(self.angle, "ellipse angle"))

    @property
    def area(self) -> float:
        return math.pi * self.rx * self.ry

    def contains(self, x: float, y: float, grow: float = 0.0) -> bool:
        """True when ``(x, y)`` lies inside the ellipse with both radii grown by ``grow``."""
        radians = math.radians(self.angle)
        cos, sin = math.cos(radians), math.sin(radians)
        dx, dy = x - self.cx, y - self.cy
        u = dx * cos + dy * sin  # the point in the ellipse's own axes
        v = -dx * sin + dy * cos
        rx, ry = self.rx + grow, self.ry + grow
        return (u / rx) ** 2 + (v / ry) ** 2 <= 1.0

    def outline(self, vertices: int) -> tuple[tuple[float, float], ...]:
        """``vertices`` points on the ellipse, evenly spaced in its own angle, starting on
        its x axis and turning clockwise on screen."""
        radians = math.radians(self.angle)
        cos, sin = math.cos(radians), math.sin(radians)
        out: list[tuple[float, float]] = []
        for i in range(vertices):
            t = 2 * math.pi * i / vertices
            u, v = self.rx * math.cos(t), self.ry * math.sin(t)
            out.append((self.cx + u * cos - v * sin, self.cy + u * sin + v * cos))
        return tuple(out)
