"""A spatial index over the shapes of one image, for hit tests on every pointer move.

Dense scenes have thousands of shapes; testing each against the pointer in Python on
every mouse move would stall the canvas. The index keeps all bounding boxes in numpy
arrays, so one query is a few vectorised comparisons, and only the few shapes whose box
contains the point are tested exactly. Image tags have no place in the image, so the
index leaves them out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from limner.models.domain.entities import Annotation
from limner.models.domain.geometry import Box, bounds, has_extent


class BoxIndex:
    def __init__(self, annotations: Sequence[Annotation]) -> None:
        self._items = [a for a in annotations if has_extent(a.geometry)]
        boxes = np.array([bounds(a.geometry) for a in self._items], dtype=np.float64)
        self._boxes = boxes.reshape(-1, 4)
        self._slots = {a.uuid: i for i, a in enumerate(self._items)}

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> list[Annotation]:
        return self._items

    def get(self, uuid: str) -> Annotation | None:
        slot = self._slots.get(uuid)
        return None if slot is None else self._items[slot]

    def replaced(self, changed: Sequence[Annotation]) -> BoxIndex | None:
        """A copy with the rows of ``changed`` replaced where they stand (the usual edit: a
        move, a new class), or None when one of them is not here or has no extent any
        more and the index must be built again. The copy is a few C-speed copies plus the
        changed boxes, where a build computes every box in Python (a second at 100,000
        shapes). The caller keeps the drawing order: a shape whose z changed needs a build.
        """
        slots = self._slots
        items, boxes = list(self._items), self._boxes.copy()
        for annotation in changed:
            slot = slots.get(annotation.uuid)
            if slot is None or not has_extent(annotation.geometry):
                return None
            items[slot] = annotation
            boxes[slot] = bounds(annotation.geometry)
        index = BoxIndex.__new__(BoxIndex)
        index._items, index._boxes, index._slots = items, boxes, slots
        return index

    def at(self, x: float, y: float, tol: float = 0.0) -> list[Annotation]:
        """Shapes whose bounding box, grown by ``tol``, contains (x, y)."""
        if not self._items:
            return []
        b = self._boxes
        hit = (
            (b[:, 0] - tol <= x)
            & (x <= b[:, 2] + tol)
            & (b[:, 1] - tol <= y)
            & (y <= b[:, 3] + tol)
        )
        return [self._items[i] for i in np.flatnonzero(hit)]

    def inside(self, area: Box) -> list[Annotation]:
        """Shapes whose bounding box lies entirely inside ``area`` (band selection)."""
        if not self._items:
            return []
        b = self._boxes
        hit = (
            (area.x0 <= b[:, 0])
            & (area.y0 <= b[:, 1])
            & (b[:, 2] <= area.x1)
            & (b[:, 3] <= area.y1)
        )
        return [self._items[i] for i in np.flatnonzero(hit)]


class BoxTable:
    """Bounding boxes by key that change one at a time, for the canvas's area queries.

    :class:`BoxIndex` is built once from a list; the canvas instead follows edits one
    shape at a time and asks, on every view change and every edit, which shapes cross a
    rectangle. Boxes live in one numpy array with a slot per key (a removed key leaves a
    NaN row, so no comparison matches it), so an update is one row write and a query a
    few vectorised comparisons. Keys come back in the order they were first set, the
    order the canvas draws them in.
    """

    def __init__(self) -> None:
        self._boxes = np.full((64, 4), np.nan)
        self._keys: list[str | None] = []
        self._slots: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, key: object) -> bool:
        return key in self._slots

    def set(self, key: str, box: tuple[float, float, float, float] | None) -> None:
        """Store ``box`` (x0, y0, x1, y1) for ``key``; None removes it."""
        if box is None:
            self.remove(key)
            return
        slot = self._slots.get(key)
        if slot is None:
            slot = len(self._keys)
            if slot == len(self._boxes):
                grown = np.full((2 * len(self._boxes), 4), np.nan)
                grown[:slot] = self._boxes
                self._boxes = grown
            self._keys.append(key)
            self._slots[key] = slot
        self._boxes[slot] = box

    def remove(self, key: str) -> None:
        slot = self._slots.pop(key, None)
        if slot is not None:
            self._boxes[slot] = np.nan
            self._keys[slot] = None
            if len(self._keys) > 1024 and len(self._slots) * 2 < len(self._keys):
                self._compact()

    def get(self, key: str) -> tuple[float, float, float, float] | None:
        slot = self._slots.get(key)
        if slot is None:
            return None
        x0, y0, x1, y1 = (float(v) for v in self._boxes[slot])
        return x0, y0, x1, y1

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def overlapping(self, x0: float, y0: float, x1: float, y1: float) -> list[str]:
        """Keys whose box meets the rectangle, in the order they were first set."""
        keys = self._keys
        return [keys[i] for i in np.flatnonzero(self._hits(x0, y0, x1, y1))]  # type: ignore[misc]

    def count_overlapping(self, x0: float, y0: float, x1: float, y1: float) -> int:
        """How many boxes meet the rectangle, without building their list."""
        return int(np.count_nonzero(self._hits(x0, y0, x1, y1)))

    def _hits(self, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        b = self._boxes[: len(self._keys)]
        return (b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0)

    def _compact(self) -> None:
        live = [i for i, k in enumerate(self._keys) if k is not None]
        boxes = np.full((max(64, 2 * len(live)), 4), np.nan)
        boxes[: len(live)] = self._boxes[live]
        self._keys = [self._keys[i] for i in live]
        self._slots = {k: i for i, k in enumerate(self._keys)}  # type: ignore[misc]
        self._boxes = boxes
