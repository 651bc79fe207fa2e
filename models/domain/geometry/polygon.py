"""Polygons: outer rings with holes, possibly in several parts.

A ring is stored open (a repeated closing point is dropped), as a tuple of float pairs so
that parts are hashable and compare by value, and is refused when it has fewer than three
distinct points or no area. Re-validating a ring that is already in canonical form is
cheap, because tools rebuild polygons on every pointer move.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias

from limner.models.domain.geometry.checks import as_finite
from limner.models.errors import GeometryError

XY: TypeAlias = tuple[float, float]
"""One ``(x, y)`` position (the :class:`~limner.models.domain.geometry.point.Point` shape
is a different thing: an annotation of its own)."""
Ring: TypeAlias = tuple[XY, ...]


def _signed_area(ring: Sequence[XY]) -> float:
    """Shoelace area, positive for counter-clockwise rings in a y-up frame.

    Coordinates are taken relative to the first vertex: for rings far from the origin
    this avoids the cancellation that would otherwise make a collinear ring look like a
    tiny non-zero area.
    """
    if len(ring) < 3:
        return 0.0
    ox, oy = ring[0]
    total = 0.0
    px, py = 0.0, 0.0
    for x, y in ring[1:]:
        qx, qy = x - ox, y - oy
        total += px * qy - qx * py
        px, py = qx, qy
    return total / 2.0


def polygon_area(ring: Iterable[Sequence[float]]) -> float:
    """Unsigned area enclosed by a ring of ``(x, y)`` points (closed or not).

    A ring is a plain sequence here so that tools can measure a polygon while it is
    still being drawn, before it is valid enough to become a :class:`PolygonPart`.
    """
    points = [(float(p[0]), float(p[1])) for p in ring]
    return abs(_signed_area(points))


def _plain_float_pairs(items: list[Any]) -> bool:
    """True when every item is already a ``(float, float)`` tuple of finite numbers.

    Rings rebuilt from an existing shape (a dragged vertex, a moved polygon) arrive in this
    form. Recognizing it with exact type tests skips the per-coordinate ``numbers.Real``
    checks, which dominate re-validating a 10,000-vertex outline on every pointer move.
    Anything else (lists, ints, numpy scalars, NaN) takes the careful path, which converts
    it and names the offending point.
    """
    return all(
        type(p) is tuple
        and len(p) == 2
        and type(p[0]) is float
        and type(p[1]) is float
        and math.isfinite(p[0])
        and math.isfinite(p[1])
        for p in items
    )


def xy_points(points: object, what: str) -> list[XY]:
    """``points`` as a list of finite ``(float, float)`` tuples, or a message naming the
    offending point (``what`` says whose points they are)."""
    if isinstance(points, str | bytes | Mapping):
        raise GeometryError(f"{what} must be a list of (x, y) points, got {points!r}")
    try:
        items = list(points)  # type: ignore[call-overload]
    except TypeError:
        raise GeometryError(f"{what} must be a list of (x, y) points, got {points!r}") from None
    if _plain_float_pairs(items):
        return items
    ring: list[XY] = []
    for index, point in enumerate(items):
        if isinstance(point, str | bytes | Mapping):
            raise GeometryError(f"{what} point {index} must be an (x, y) pair, got {point!r}")
        try:
            x, y = point
        except (TypeError, ValueError):
            raise GeometryError(
                f"{what} point {index} must be an (x, y) pair, got {point!r}"
            ) from None
        x = as_finite(x, f"{what} point {index} x")
        y = as_finite(y, f"{what} point {index} y")
        ring.append((x, y))
    return ring


def _ring(points: object, what: str) -> Ring:
    """Normalize and validate one ring: float tuples, not closed, >= 3 points, area > 0."""
    ring = xy_points(points, what)
    # Callers coming from GeoJSON, shapely or OpenCV often repeat the first point at the
    # end; storing it would double a vertex, so the canonical ring is the open one.
    if len(ring) >= 2 and ring[0] == ring[-1]:
        ring.pop()
    distinct = len(set(ring))
    if distinct < 3:
        plural = "point" if distinct == 1 else "points"
        raise GeometryError(
            f"{what} has only {distinct} distinct {plural}; a polygon needs at least 3"
        )
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    diagonal_sq = (max(xs) - min(xs)) ** 2 + (max(ys) - min(ys)) ** 2
    # Collinear points rarely give an exact zero in floating point, so "zero" means a
    # sliver thinner than a billionth of its length, or under a billionth of a pixel.
    if abs(_signed_area(ring)) <= 1e-9 * max(diagonal_sq, 1.0):
        raise GeometryError(f"{what} has zero area (its points are collinear)")
    return tuple(ring)


@dataclass(frozen=True, slots=True)
class PolygonPart:
    """One connected piece of a polygon: an outer ring and the holes cut out of it.

    Rings are tuples of ``(x, y)`` float tuples, never lists or arrays, so that parts are
    hashable and compare by value (the undo stack relies on equality to skip no-op edits).
    Holes are not checked to lie inside the outer ring, and rings are not checked for
    self-intersection: both are quadratic and would make 10k-vertex traced outlines slow.
    """

    outer: Ring
    holes: tuple[Ring, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "outer", _ring(self.outer, "polygon outer ring"))
        holes = self.holes
        if isinstance(holes, str | bytes | Mapping):
            raise GeometryError(f"polygon holes must be a list of rings, got {holes!r}")
        try:
            hole_list = list(holes)
        except TypeError:
            raise GeometryError(f"polygon holes must be a list of rings, got {holes!r}") from None
        object.__setattr__(
            self,
            "holes",
            tuple(_ring(hole, f"polygon hole {i}") for i, hole in enumerate(hole_list)),
        )

    def with_vertex(self, ring: int, index: int, x: float, y: float) -> PolygonPart:
        """This part with vertex ``index`` of ring ``ring`` (0 the outer, then the holes)
        at ``(x, y)``, re-checking only what moving one vertex can break.

        A drag of one vertex of a 10,000-vertex outline builds a part on every pointer
        move; validating every point again is what made that slow. The other points are
        already canonical, so only the new point's finiteness, the ring's distinct points
        and its area are in question; anything unusual (a tiny ring, the point landing on a
        neighbour) takes the full check of the constructor.
        """
        rings = (self.outer, *self.holes)
        old = rings[ring]
        n = len(old)
        x = as_finite(x, "polygon vertex x")
        y = as_finite(y, "polygon vertex y")
        moved = (*old[:index], (x, y), *old[index + 1 :])
        if n < 5 or (x, y) in (old[index - 1], old[(index + 1) % n]):
            return PolygonPart(moved if ring == 0 else self.outer, self._holes(ring, moved))
        xs = [p[0] for p in moved]
        ys = [p[1] for p in moved]
        diagonal_sq = (max(xs) - min(xs)) ** 2 + (max(ys) - min(ys)) ** 2
        if abs(_signed_area(moved)) <= 1e-9 * max(diagonal_sq, 1.0):
            raise GeometryError("the ring would have zero area (its points are collinear)")
        part = object.__new__(PolygonPart)
        object.__setattr__(part, "outer", moved if ring == 0 else self.outer)
        object.__setattr__(part, "holes", self._holes(ring, moved))
        return part

    def _holes(self, ring: int, moved: Ring) -> tuple[Ring, ...]:
        if ring == 0:
            return self.holes
        holes = list(self.holes)
        holes[ring - 1] = moved
        return tuple(holes)

    @property
    def area(self) -> float:
        """Area of the outer ring minus its holes."""
        return abs(_signed_area(self.outer)) - sum(abs(_signed_area(h)) for h in self.holes)


@dataclass(frozen=True, slots=True)
class Polygon:
    """A possibly multi-part polygon with holes, e.g. an object split by an occluder."""

    kind: ClassVar[str] = "polygon"

    parts: tuple[PolygonPart, ...]

    def __post_init__(self) -> None:
        parts = self.parts
        if isinstance(parts, PolygonPart):
            parts = (parts,)
        try:
            part_tuple = tuple(parts)
        except TypeError:
            raise GeometryError(
                f"polygon parts must be a list of polygon parts, got {parts!r}"
            ) from None
        if not part_tuple:
            raise GeometryError("polygon has no parts")
        for index, part in enumerate(part_tuple):
            if not isinstance(part, PolygonPart):
                raise GeometryError(
                    f"polygon part {index} must be a PolygonPart, got {type(part).__name__}"
                )
        object.__setattr__(self, "parts", part_tuple)

    @classmethod
    def from_points(cls, points: Iterable[Sequence[float]]) -> Polygon:
        """The common case: one ring, no holes (what every polygon tool produces)."""
        return cls((PolygonPart(tuple(points)),))  # type: ignore[arg-type]

    @property
    def area(self) -> float:
        return sum(part.area for part in self.parts)
