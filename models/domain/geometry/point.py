"""The point: one position in the image (a landmark, an object's centre, a click).

It is a shape of its own, unlike the points of a keypoint skeleton, which only exist as
parts of an instance. A point has no size; hit tests and drawing give it one on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from limner.models.domain.geometry.checks import as_finite


@dataclass(frozen=True, slots=True)
class Point:
    """One ``(x, y)`` position in continuous image coordinates."""

    kind: ClassVar[str] = "point"

    x: float
    y: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "x", as_finite(self.x, "point x"))
        object.__setattr__(self, "y", as_finite(self.y, "point y"))
