"""Keypoint skeletons (on a label class) and their instances (on an annotation).

A skeleton names its points once, with drawing edges and left/right pairs that are checked
to refer to real, distinct points; an instance is one ``(x, y, v)`` per point with COCO
visibility. Unlabeled points are stored as COCO stores them, so their forgotten positions
never make two instances differ.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from limner.models.domain.geometry.checks import as_finite, as_number, as_whole
from limner.models.errors import GeometryError


def _pair_list(pairs: object, count: int, what: str) -> tuple[tuple[int, int], ...]:
    """Validate a list of index pairs into a list of ``count`` named points."""
    if isinstance(pairs, str | bytes | Mapping):
        raise GeometryError(f"skeleton {what} must be a list of index pairs, got {pairs!r}")
    try:
        items = list(pairs)  # type: ignore[call-overload]
    except TypeError:
        raise GeometryError(
            f"skeleton {what} must be a list of index pairs, got {pairs!r}"
        ) from None
    result: list[tuple[int, int]] = []
    for index, pair in enumerate(items):
        if isinstance(pair, str | bytes | Mapping):
            raise GeometryError(f"skeleton {what} {index} must be a pair of indices")
        try:
            a, b = pair
        except (TypeError, ValueError):
            raise GeometryError(
                f"skeleton {what} {index} must be a pair of indices, got {pair!r}"
            ) from None
        a = as_whole(a, f"skeleton {what} {index} first index")
        b = as_whole(b, f"skeleton {what} {index} second index")
        for value in (a, b):
            if not 0 <= value < count:
                raise GeometryError(
                    f"skeleton {what} {index} refers to point {value}, but the skeleton "
                    f"has {count} points (0 to {count - 1})"
                )
        if a == b:
            raise GeometryError(f"skeleton {what} {index} joins point {a} to itself")
        result.append((a, b))
    return tuple(result)


@dataclass(frozen=True, slots=True)
class Skeleton:
    """Point names, drawing edges and left/right pairs of a keypoint label class.

    It lives on the label class, not on each instance, so that renaming a joint or adding
    an edge is one edit; :meth:`Keypoints.check_against` ties instances back to it.
    ``flip_pairs`` tells horizontal-flip tools which points swap roles (left/right eye).
    """

    names: tuple[str, ...]
    edges: tuple[tuple[int, int], ...] = ()
    flip_pairs: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        names = self.names
        if isinstance(names, str | bytes | Mapping):
            raise GeometryError(f"skeleton names must be a list of strings, got {names!r}")
        try:
            name_tuple = tuple(names)
        except TypeError:
            raise GeometryError(
                f"skeleton names must be a list of strings, got {names!r}"
            ) from None
        if not name_tuple:
            raise GeometryError("skeleton has no points")
        seen: set[str] = set()
        for index, name in enumerate(name_tuple):
            if not isinstance(name, str):
                raise GeometryError(f"skeleton point {index} name must be a string, got {name!r}")
            if not name.strip():
                raise GeometryError(f"skeleton point {index} has an empty name")
            if name in seen:
                raise GeometryError(f"skeleton point name {name!r} is used twice")
            seen.add(name)
        object.__setattr__(self, "names", name_tuple)
        count = len(name_tuple)

        edges = _pair_list(self.edges, count, "edge")
        seen_edges: set[frozenset[int]] = set()
        for a, b in edges:
            key = frozenset((a, b))
            if key in seen_edges:
                raise GeometryError(f"skeleton edge {a}-{b} is listed twice")
            seen_edges.add(key)
        object.__setattr__(self, "edges", edges)

        flip_pairs = _pair_list(self.flip_pairs, count, "flip pair")
        paired: set[int] = set()
        for a, b in flip_pairs:
            for value in (a, b):
                if value in paired:
                    raise GeometryError(
                        f"skeleton point {value} ({name_tuple[value]!r}) is in two flip pairs"
                    )
                paired.add(value)
        object.__setattr__(self, "flip_pairs", flip_pairs)

    def to_json(self) -> dict[str, Any]:
        return {
            "names": list(self.names),
            "edges": [list(edge) for edge in self.edges],
            "flip_pairs": [list(pair) for pair in self.flip_pairs],
        }

    @classmethod
    def from_json(cls, data: object) -> Skeleton:
        """Parse :meth:`to_json` output; ``edges`` and ``flip_pairs`` may be omitted."""
        if not isinstance(data, Mapping):
            raise GeometryError(f"skeleton JSON must be an object, got {type(data).__name__}")
        if "names" not in data:
            raise GeometryError("skeleton JSON is missing 'names'")
        names = data["names"]
        if not isinstance(names, list | tuple):
            raise GeometryError(f"skeleton 'names' must be a list, got {names!r}")
        edges = data.get("edges", [])
        flip_pairs = data.get("flip_pairs", [])
        for key, value in (("edges", edges), ("flip_pairs", flip_pairs)):
            if not isinstance(value, list | tuple):
                raise GeometryError(f"skeleton {key!r} must be a list, got {value!r}")
        return cls(tuple(names), tuple(edges), tuple(flip_pairs))


@dataclass(frozen=True, slots=True)
class Keypoints:
    """One skeleton instance: ``(x, y, v)`` per point with COCO visibility.

    ``v`` is 0 (not labeled), 1 (labeled but occluded) or 2 (visible). Unlabeled points
    are stored as ``(0.0, 0.0, 0)``, as COCO does, so that two instances that differ only
    in the forgotten position of an unlabeled point still compare equal.
    """

    kind: ClassVar[str] = "keypoints"

    points: tuple[tuple[float, float, int], ...]

    def __post_init__(self) -> None:
        points = self.points
        if isinstance(points, str | bytes | Mapping):
            raise GeometryError(f"keypoints must be a list of (x, y, v), got {points!r}")
        try:
            items = list(points)
        except TypeError:
            raise GeometryError(f"keypoints must be a list of (x, y, v), got {points!r}") from None
        if not items:
            raise GeometryError("keypoints have no points")
        result: list[tuple[float, float, int]] = []
        for index, point in enumerate(items):
            if isinstance(point, str | bytes | Mapping):
                raise GeometryError(f"keypoint {index} must be (x, y, v), got {point!r}")
            try:
                x, y, v = point
            except (TypeError, ValueError):
                raise GeometryError(f"keypoint {index} must be (x, y, v), got {point!r}") from None
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or v not in (0, 1, 2):
                raise GeometryError(
                    f"keypoint {index} has visibility {v!r}; it must be 0 (not labeled), "
                    "1 (occluded) or 2 (visible)"
                )
            visibility = int(v)
            if visibility == 0:
                as_number(x, f"keypoint {index} x")
                as_number(y, f"keypoint {index} y")
                result.append((0.0, 0.0, 0))
            else:
                result.append(
                    (
                        as_finite(x, f"keypoint {index} x"),
                        as_finite(y, f"keypoint {index} y"),
                        visibility,
                    )
                )
        object.__setattr__(self, "points", tuple(result))

    def check_against(self, skeleton: Skeleton) -> None:
        """Refuse an instance whose point count does not match its class's skeleton."""
        if len(self.points) != len(skeleton.names):
            raise GeometryError(
                f"keypoints have {len(self.points)} points but the skeleton has "
                f"{len(skeleton.names)} ({', '.join(skeleton.names)})"
            )

    @property
    def labeled(self) -> tuple[tuple[float, float, int], ...]:
        """The points with ``v > 0``, the only ones with a meaningful position."""
        return tuple(p for p in self.points if p[2] > 0)
