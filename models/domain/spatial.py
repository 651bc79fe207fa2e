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
        self._by_uuid = {a.uuid: a for a in self._items}

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> list[Annotation]:
        return self._items

    def get(self, uuid: str) -> Annotation | None:
        return self._by_uuid.get(uuid)

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
