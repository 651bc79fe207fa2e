"""The polyline: an open chain of points (a road edge, a crack, a lane marking).

It differs from a polygon in being open: its last point is not joined to its first, and
it encloses no area. A polyline that exists has at least two distinct, finite points;
points repeated one after another are dropped, because a zero-length segment can be
neither seen nor edited.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from limner.models.domain.geometry.polygon import XY, xy_points
from limner.models.errors import GeometryError


@dataclass(frozen=True, slots=True)
class Polyline:
    """An open list of ``(x, y)`` points in drawing order.

    The points are a tuple of float tuples so that a polyline is hashable and compares by
    value, like the rings of a polygon.
    """

    kind: ClassVar[str] = "polyline"

    points: tuple[XY, ...]

    def __post_init__(self) -> None:
        found = xy_points(self.points, "polyline")
        chain: list[XY] = []
        for point in found:
            if not chain or chain[-1] != point:
                chain.append(point)
        if len(set(chain)) < 2:
            raise GeometryError(
                f"polyline has {len(set(chain))} distinct point(s); a line needs at least 2"
            )
        object.__setattr__(self, "points", tuple(chain))

    @classmethod
    def from_points(cls, points: Iterable[Sequence[float]]) -> Polyline:
        return cls(tuple(points))  # type: ignore[arg-type]

    @property
    def length(self) -> float:
        """The summed length of the segments, in pixels."""
        return sum(
            math.hypot(bx - ax, by - ay)
            for (ax, ay), (bx, by) in zip(self.points, self.points[1:], strict=False)
        )
