"""The open image's spatial index, carried across an edit instead of built again.

Building the index computes every shape's bounding box in Python, about a second at
100,000 shapes; an edit that only rewrites shapes where they stand (a move, a new class)
patches the index it had, so the click after the edit answers at once. Anything that
changes which shapes are in it (added, removed, hidden, locked) or their drawing order
leaves it to be built at its next use.
"""

from __future__ import annotations

from collections.abc import Sequence

from limner.models.domain.entities import LabelClass
from limner.models.domain.spatial import BoxIndex
from limner.models.editing.shapes import ShapeDelta, ShapeSet

Cached = tuple[ShapeSet, Sequence[LabelClass], BoxIndex]


def index_after(
    cached: Cached | None,
    before: ShapeSet,
    classes: Sequence[LabelClass],
    shapes: ShapeSet,
    delta: ShapeDelta,
) -> Cached | None:
    """The index of ``shapes`` patched from ``cached`` (the index of ``before`` with these
    ``classes``), or None when it must be built again."""
    if cached is None or cached[0] is not before or cached[1] is not classes:
        return None
    if delta.added or delta.removed or delta.reordered:
        return None
    blocked = {c.id for c in classes if c.locked or c.hidden}
    changed = [a for u in delta.updated if (a := shapes.get(u)) is not None]
    if any(a.hidden or a.locked or a.class_id in blocked for a in changed):
        return None
    index = cached[2].replaced(changed)
    return None if index is None else (shapes, cached[1], index)
