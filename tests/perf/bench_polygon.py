"""Benchmark of vertex editing on a traced outline: can a 10,000-vertex drag stay fluid?

A drag redraws on every pointer move, so each move must find no vertex (that happened
at the press), rebuild and re-validate the polygon with the vertex moved, and hand the
canvas a new preview. 30 updates per second is the floor for a drag to feel attached to
the pointer.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from limner.models.domain.entities import Annotation, LabelClass
from limner.models.domain.geometry import Polygon
from limner.models.editing.commands import Command
from limner.models.editing.tools.base import Pointer
from limner.models.editing.tools.select import SelectTool

IMAGE_SIZE = (1000, 1000)
VERTICES = 10_000
MOVES = 100


class _MemoryHost:
    """The smallest ToolHost: one image, one annotation, commits only recorded."""

    def __init__(self, annotations: Sequence[Annotation]) -> None:
        self._annotations = list(annotations)
        self._selection: frozenset[str] = frozenset()
        self.commands: list[Command] = []

    @property
    def image_id(self) -> int | None:
        return 1

    @property
    def image_size(self) -> tuple[int, int] | None:
        return IMAGE_SIZE

    def editable_annotations(self) -> Sequence[Annotation]:
        return self._annotations

    def selection(self) -> frozenset[str]:
        return self._selection

    def set_selection(self, uuids: Iterable[str]) -> None:
        self._selection = frozenset(uuids)

    def active_class_id(self) -> int | None:
        return 1

    def active_class(self) -> LabelClass | None:
        return LabelClass(id=1, name="outline", color="#ff0000", kind="polygon")

    def image_pixels(self) -> np.ndarray | None:
        return None

    def commit(self, command: Command) -> bool:
        self.commands.append(command)
        return True


def _circle(count: int, cx: float = 500.0, cy: float = 500.0, r: float = 400.0) -> Polygon:
    step = 2 * math.pi / count
    return Polygon.from_points(
        [(cx + r * math.cos(i * step), cy + r * math.sin(i * step)) for i in range(count)]
    )


def bench_vertex_drag_10k() -> dict[str, dict[str, Any]]:
    """Pointer moves per second while dragging one vertex of a 10,000-vertex polygon."""
    polygon = _circle(VERTICES)
    ann = Annotation(id=1, uuid="outline", image_id=1, class_id=1, geometry=polygon)
    host = _MemoryHost([ann])
    host.set_selection([ann.uuid])
    tool = SelectTool(host)
    vx, vy = polygon.parts[0].outer[0]
    tool.press(Pointer(vx, vy))
    rates: list[float] = []
    for k in range(MOVES):
        pointer = Pointer(vx + 5.0 + 0.3 * k, vy + 0.2 * k)
        started = time.perf_counter()
        tool.move(pointer)
        elapsed = time.perf_counter() - started
        dragged = tool.preview.overrides[ann.uuid]
        assert isinstance(dragged, Polygon)
        assert dragged.parts[0].outer[0] == (pointer.x, pointer.y)
        rates.append(1.0 / elapsed)
    tool.release(Pointer(vx + 5.0 + 0.3 * (MOVES - 1), vy + 0.2 * (MOVES - 1)))
    assert len(host.commands) == 1
    return {"vertex_drag_10k_ups": {"median": statistics.median(rates), "unit": "ups"}}


if __name__ == "__main__":
    print(bench_vertex_drag_10k())
