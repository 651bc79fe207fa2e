"""The open image's spatial index: built once per change, carried across an edit.

Building the index computes every shape's bounding box in Python, about a second at
100,000 shapes; an edit that only rewrites shapes where they stand (a move, a new class)
patches the index it had, so the click after the edit answers at once. Anything that
changes which shapes are in it (added, removed, hidden, locked) or their drawing order
leaves it to be built at its next use.
"""

from __future__ import annotations

from collections.abc import Sequence

from limner.models.domain.entities import Annotation, LabelClass
from limner.models.domain.spatial import BoxIndex
from limner.models.editing.shapes import ShapeDelta, ShapeSet


def _blocked(classes: Sequence[LabelClass]) -> set[int]:
    return {c.id for c in classes if c.locked or c.hidden}


def _editable(annotation: Annotation, blocked: set[int]) -> bool:
    return not (annotation.hidden or annotation.locked or annotation.class_id in blocked)


class ShapeIndex:
    """The editable shapes (not hidden or locked, nor of a hidden or locked class) of a
    shape set and their bounding boxes, for the shapes and classes it was asked about."""

    def __init__(self) -> None:
        self._cached: tuple[ShapeSet, Sequence[LabelClass], BoxIndex] | None = None

    def of(self, shapes: ShapeSet, classes: Sequence[LabelClass]) -> BoxIndex:
        cached = self._cached
        if cached is not None and cached[0] is shapes and cached[1] is classes:
            return cached[2]
        blocked = _blocked(classes)
        index = BoxIndex([a for a in shapes.ordered() if _editable(a, blocked)])
        self._cached = (shapes, classes, index)
        return index

    def carry(
        self,
        before: ShapeSet,
        shapes: ShapeSet,
        classes: Sequence[LabelClass],
        delta: ShapeDelta,
    ) -> None:
        """``before`` became ``shapes`` by ``delta``: patch the index of ``before`` into
        the index of ``shapes`` where the change allows it, else forget it."""
        cached, self._cached = self._cached, None
        if cached is None or cached[0] is not before or cached[1] is not classes:
            return
        if delta.added or delta.removed or delta.reordered:
            return
        blocked = _blocked(classes)
        changed = [a for u in delta.updated if (a := shapes.get(u)) is not None]
        if not all(_editable(a, blocked) for a in changed):
            return
        index = cached[2].replaced(changed)
        if index is not None:
            self._cached = (shapes, classes, index)
