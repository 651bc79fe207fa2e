"""A ToolHost over a real ProjectStore, for driving tools without Qt.

Every read goes to the store, so a test sees exactly what a tool committed (and what
undo restored), not a copy the host keeps in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from limner.models.domain.entities import Annotation, LabelClass, NewAnnotation
from limner.models.domain.geometry import Geometry
from limner.models.editing.commands import AddAnnotations, AddClass, Command
from limner.models.editing.history import History
from limner.models.editing.tools.base import Pointer, Tool
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid


class StoreHost:
    """Implements ``models.editing.tools.ToolHost`` on the first image of ``store``."""

    def __init__(self, store: ProjectStore, image_id: int | None = None) -> None:
        self.store = store
        self.history = History(store)
        with store.read() as conn:
            image = (
                queries.image_by_id(conn, image_id)
                if image_id is not None
                else queries.first_image(conn)
            )
            classes = queries.label_classes(conn)
        assert image is not None and image.width and image.height
        self.image = image
        self._selection: frozenset[str] = frozenset()
        self._active: int | None = classes[0].id if classes else None
        self.committed: list[Command] = []

    # -- ToolHost --------------------------------------------------------------------
    @property
    def image_id(self) -> int | None:
        return self.image.id

    @property
    def image_size(self) -> tuple[int, int] | None:
        assert self.image.width and self.image.height
        return (self.image.width, self.image.height)

    def editable_annotations(self) -> Sequence[Annotation]:
        with self.store.read() as conn:
            return queries.annotations_for_image(conn, self.image.id)

    def selection(self) -> frozenset[str]:
        return self._selection

    def set_selection(self, uuids: Iterable[str]) -> None:
        self._selection = frozenset(uuids)

    def active_class_id(self) -> int | None:
        return self._active

    def active_class(self) -> LabelClass | None:
        if self._active is None:
            return None
        with self.store.read() as conn:
            return queries.label_class_by_id(conn, self._active)

    def image_pixels(self) -> np.ndarray | None:
        return None

    def commit(self, command: Command) -> bool:
        self.history.execute(command)
        self.committed.append(command)
        return True

    # -- test conveniences -------------------------------------------------------------
    def set_active_class(self, class_id: int | None) -> None:
        self._active = class_id

    def class_named(self, name: str) -> LabelClass:
        with self.store.read() as conn:
            found = [c for c in queries.label_classes(conn) if c.name == name]
        assert found, name
        return found[0]

    def add_class(self, **fields: Any) -> LabelClass:
        """Create a class through the undoable command, as the class dialog does."""
        command = AddClass(fields)
        self.history.execute(command)
        assert command.class_id is not None
        with self.store.read() as conn:
            created = queries.label_class_by_id(conn, command.class_id)
        assert created is not None
        return created

    def add(self, geometry: Geometry, class_id: int | None = None) -> str:
        """Store a shape directly (not through a tool) and return its uuid."""
        uuid = new_uuid()
        chosen = class_id if class_id is not None else self._active
        item = NewAnnotation(uuid, self.image.id, chosen, geometry)
        self.history.execute(AddAnnotations((item,)))
        return uuid

    def geometry(self, uuid: str) -> Geometry:
        with self.store.read() as conn:
            record = queries.annotation_by_uuid(conn, uuid)
        assert record is not None, f"annotation {uuid} is not live"
        return record.geometry

    def annotations(self) -> list[Annotation]:
        return list(self.editable_annotations())


def click(tool: Tool, x: float, y: float, **modifiers: Any) -> None:
    """Press and release at one point, as a mouse click does."""
    pointer = Pointer(x, y, **modifiers)
    tool.press(pointer)
    tool.release(pointer)


def drag(tool: Tool, start: tuple[float, float], end: tuple[float, float], steps: int = 5) -> None:
    """Press at ``start``, move in ``steps`` to ``end``, release there."""
    tool.press(Pointer(*start))
    for step in range(1, steps + 1):
        t = step / steps
        x = start[0] + (end[0] - start[0]) * t
        y = start[1] + (end[1] - start[1]) * t
        tool.move(Pointer(x, y))
    tool.release(Pointer(*end))
