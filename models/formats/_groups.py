"""Groups in formats that tie shapes together by a number (labelme, CVAT).

Both formats say "one object in several parts" by giving several polygons of one class
the same group number, and "these shapes belong together" by the same means. Reading, the
polygons of one class in one group become one limner polygon with several parts, and the
other members stay a group; writing, limner's group names become the format's numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

from limner.models.domain.geometry import Polygon
from limner.models.formats.base import ImageLabels, Shape


@dataclass
class Piece:
    """One shape being read, before polygons of a group are merged; ``numbers`` are the
    places in the file of the shapes it was made of."""

    shape: Shape
    group: str | None
    numbers: list[int]


def merge_polygons(items: list[Piece]) -> Iterator[Shape]:
    """Polygons of one class in one group become one polygon with several parts.

    The polygon takes the place of its first part. A group left with that polygon alone
    is no group any more: it was only how the format says "one object in several parts".
    """
    firsts: dict[tuple[str, str | None], Piece] = {}
    merged: set[int] = set()
    for position, item in enumerate(items):
        if item.group is None or not isinstance(item.shape.geometry, Polygon):
            continue
        key = (item.group, item.shape.class_name)
        first = firsts.get(key)
        if first is None:
            firsts[key] = item
            continue
        assert isinstance(first.shape.geometry, Polygon)
        parts = first.shape.geometry.parts + item.shape.geometry.parts
        first.numbers += item.numbers
        where = first.shape.provenance
        if where is not None:
            shapes = ", ".join(str(n) for n in first.numbers)
            where = dataclasses.replace(where, where=f"shapes {shapes}")
        first.shape = dataclasses.replace(first.shape, geometry=Polygon(parts), provenance=where)
        merged.add(position)
    kept = [item for position, item in enumerate(items) if position not in merged]
    members: dict[str, int] = {}
    for item in kept:
        if item.group is not None:
            members[item.group] = members.get(item.group, 0) + 1
    for item in kept:
        shape = item.shape
        if item.group is not None and members[item.group] == 1 and len(item.numbers) > 1:
            shape = dataclasses.replace(shape, group=None)
        yield shape


class GroupNumbers:
    """The format's group numbers for limner's group names, one set per image.

    A group named by a whole number keeps that number (groups read from the format come
    back as they were); other groups, and polygons in several parts, get the smallest
    numbers no group of the image uses. ``polygons`` collects ``(number, class, index)``
    of the polygons written, so that the writer can name the ones a reader will merge.
    """

    def __init__(self, image: ImageLabels) -> None:
        names = {shape.group for shape in image.shapes if shape.group is not None}
        self.used = {int(name) for name in names if name.isdigit()}
        self.assigned: dict[str, int] = {name: int(name) for name in names if name.isdigit()}
        self.next = 1
        self.polygons: list[tuple[int | None, str | None, int]] = []

    def _fresh(self) -> int:
        while self.next in self.used:
            self.next += 1
        self.used.add(self.next)
        return self.next

    def number(self, group: str | None, several: bool) -> int | None:
        if group is not None:
            if group not in self.assigned:
                self.assigned[group] = self._fresh()
            return self.assigned[group]
        return self._fresh() if several else None
