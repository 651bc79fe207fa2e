"""The editing child of the crash trials: random edits through the real command path.

Every edit is a command executed by ``History`` (add a box or a mask, move a box, change
a class, paint or erase with the brush, delete, undo, redo), exactly as the window does.
Before executing one the child says ``DO seq {uuid: state}``, the states its annotations
will have once it has committed; after ``History`` returned it says ``ACK seq`` with the
same states. The kill can land anywhere, so after it every ACK must be on disk, and only
the one command announced but not acknowledged may or may not be.
"""

from __future__ import annotations

import json
import random
import uuid as uuidlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box, Geometry, Mask, geometry_to_json
from limner.models.editing.commands import (
    AddAnnotations,
    Command,
    DeleteAnnotations,
    EditAnnotations,
)
from limner.models.editing.history import History
from limner.models.editing.mask_commands import MaskStroke, paste_crop
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from tests.reliability.states import DELETED, live_state

Say = Callable[[str, str], None]


@dataclass(frozen=True)
class Shape:
    """What the child believes one annotation is, as of its last command."""

    image_id: int
    class_id: int | None
    geometry: Geometry
    deleted: bool = False

    def state(self) -> str:
        if self.deleted:
            return DELETED
        return live_state(self.class_id, geometry_to_json(self.geometry))


Change = dict[str, Shape]  # uuid -> the shape after a command


class Editor:
    """The child's model of the project, kept in step with every command it runs."""

    def __init__(self, store: ProjectStore, rng: random.Random) -> None:
        self.store = store
        self.history = History(store)
        self.rng = rng
        with store.read() as conn:
            records = queries.image_page(conn, 0, 100)
            self.images = [(r.id, r.width or 64, r.height or 48) for r in records]
            self.classes = [c.id for c in queries.label_classes(conn)]
        self.shapes: dict[str, Shape] = {}
        self.undo: list[tuple[Change, Change]] = []  # (before, after) beside History's stacks
        self.redo: list[tuple[Change, Change]] = []

    # -- choosing an edit ------------------------------------------------------------------
    def live(self, kind: str | None = None) -> list[str]:
        return [
            u
            for u, s in self.shapes.items()
            if not s.deleted and (kind is None or s.geometry.kind == kind)
        ]

    def next_edit(self) -> tuple[Callable[[], object], Change]:
        """A runnable edit and the shapes it leaves; falls back to adding a box."""
        roll = self.rng.random()
        if roll < 0.07 and self.undo:
            before, after = self.undo[-1]
            return self._undo, before
        if roll < 0.12 and self.redo:
            before, after = self.redo[-1]
            return self._redo, after
        builders = (
            (0.30, self.add_box, None),
            (0.40, self.add_mask, None),
            (0.58, self.move_box, "box"),
            (0.68, self.change_class, None),
            (0.88, self.stroke, "mask"),
            (1.00, self.delete, None),
        )
        pick = self.rng.random()
        for limit, build, kind in builders:
            if pick < limit and (build in (self.add_box, self.add_mask) or self.live(kind)):
                return self._executor(*build())
        return self._executor(*self.add_box())

    def _executor(self, command: Command, after: Change) -> tuple[Callable[[], object], Change]:
        # Undoing an add tombstones the new annotation, so that is its state "before".
        before = {u: self.shapes.get(u, replace(s, deleted=True)) for u, s in after.items()}

        def run() -> object:
            done = self.history.execute(command)
            self.undo.append((before, after))
            self.redo.clear()
            return done

        return run, after

    def _undo(self) -> object:
        done = self.history.undo()
        self.redo.append(self.undo.pop())
        return done

    def _redo(self) -> object:
        done = self.history.redo()
        self.undo.append(self.redo.pop())
        return done

    # -- the edits -------------------------------------------------------------------------
    def _place(self) -> tuple[int, int, int]:
        return self.rng.choice(self.images)

    def add_box(self) -> tuple[Command, Change]:
        image_id, width, height = self._place()
        x0, y0 = self.rng.uniform(0, width - 8), self.rng.uniform(0, height - 8)
        box = Box(x0, y0, x0 + self.rng.uniform(2, 8), y0 + self.rng.uniform(2, 8))
        return self._add(image_id, box)

    def add_mask(self) -> tuple[Command, Change]:
        image_id, width, height = self._place()
        full = np.zeros((height, width), dtype=bool)
        x, y = self.rng.randrange(width - 6), self.rng.randrange(height - 6)
        full[y : y + self.rng.randint(2, 6), x : x + self.rng.randint(2, 6)] = True
        return self._add(image_id, Mask.from_array(full))

    def _add(self, image_id: int, geometry: Geometry) -> tuple[Command, Change]:
        uuid = str(uuidlib.uuid4())
        class_id = self.rng.choice(self.classes)
        item = NewAnnotation(uuid=uuid, image_id=image_id, class_id=class_id, geometry=geometry)
        return AddAnnotations((item,), text="Add"), {uuid: Shape(image_id, class_id, geometry)}

    def _edit(self, uuid: str, fields: Mapping[str, Any], after: Shape) -> tuple[Command, Change]:
        with self.store.read() as conn:
            record = queries.annotation_by_uuid(conn, uuid)
        assert record is not None, f"{uuid} vanished from the child's own project"
        return EditAnnotations.from_records("Edit", [(record, fields)]), {uuid: after}

    def move_box(self) -> tuple[Command, Change]:
        uuid = self.rng.choice(self.live("box"))
        shape = self.shapes[uuid]
        box = shape.geometry
        assert isinstance(box, Box)
        dx, dy = self.rng.uniform(0.5, 3), self.rng.uniform(0.5, 3)
        moved = Box(box.x0 + dx, box.y0 + dy, box.x1 + dx + 1, box.y1 + dy)
        return self._edit(uuid, {"geometry": moved}, replace(shape, geometry=moved))

    def change_class(self) -> tuple[Command, Change]:
        uuid = self.rng.choice(self.live())
        shape = self.shapes[uuid]
        others = [c for c in self.classes if c != shape.class_id] or self.classes
        class_id = self.rng.choice(others)
        return self._edit(uuid, {"class_id": class_id}, replace(shape, class_id=class_id))

    def stroke(self) -> tuple[Command, Change]:
        uuid = self.rng.choice(self.live("mask"))
        shape = self.shapes[uuid]
        mask = shape.geometry
        assert isinstance(mask, Mask)
        width, height = mask.image_width, mask.image_height
        cx = min(max(mask.left + self.rng.randint(-3, mask.width + 3), 0), width - 1)
        cy = min(max(mask.top + self.rng.randint(-3, mask.height + 3), 0), height - 1)
        radius = self.rng.randint(1, 4)
        x, y = max(cx - radius, 0), max(cy - radius, 0)
        w, h = min(cx + radius + 1, width) - x, min(cy + radius + 1, height) - y
        rows, cols = np.ogrid[y : y + h, x : x + w]
        disk = (rows - cy) ** 2 + (cols - cx) ** 2 <= radius * radius
        before = mask.to_array()[y : y + h, x : x + w]
        after = before & ~disk if self.rng.random() < 0.3 else before | disk
        rect = (x, y, w, h)
        command = MaskStroke.from_crops(uuid, shape.image_id, rect, before, after, (width, height))
        result = paste_crop(mask, rect, after)
        # Erasing the last pixel tombstones the mask and keeps its last shape for undo.
        left = replace(shape, deleted=True) if result is None else replace(shape, geometry=result)
        return command, {uuid: left}

    def delete(self) -> tuple[Command, Change]:
        uuid = self.rng.choice(self.live())
        shape = self.shapes[uuid]
        command = DeleteAnnotations((uuid,), on_image=shape.image_id)
        return command, {uuid: replace(shape, deleted=True)}


def run_edits(task: Mapping[str, Any], say: Say) -> int:
    """Edit ``task["project"]`` ``task["edits"]`` times, announcing and acknowledging each."""
    store = ProjectStore.open(task["project"])
    editor = Editor(store, random.Random(task["seed"]))
    say("READY", "")
    for seq in range(int(task["edits"])):
        run, after = editor.next_edit()
        states = json.dumps({u: s.state() for u, s in after.items()}, separators=(",", ":"))
        say("DO", f"{seq} {states}")
        run()
        editor.shapes.update(after)
        say("ACK", f"{seq} {states}")
    return 0
