"""Every user edit is a command: it writes deltas in one transaction and can be reverted.

A command keeps only what it changed (the uuids it added, the fields it edited with their
old and new values), never a snapshot of the image's shapes, so the undo history can be
unbounded. ``apply`` and ``revert`` both run inside a transaction opened by ``History``.

A command also says what the user should have selected once it is done
(:attr:`Command.select_after`): a drawn shape, a pasted group, a converted mask. The editing
session applies that after the commit, so no tool has to select after committing (and none
depends on when the views hear of the new rows).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

from sqlalchemy import Connection

from limner.models.domain.entities import Annotation, NewAnnotation
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.store import tx
from limner.models.store.store import ChangeSet


class Command(ABC):
    """One undoable edit. ``text`` names it in the Edit menu ("Undo Add box").

    ``starts_image`` marks the commands that change an image's labels: the first of them on
    a new image moves it to in progress, in the same transaction, and undoing that command
    moves it back (``started`` holds each image it started with the history row it wrote, for
    the undo to remove).
    Statuses, reviews, remarks and classes leave an image's status alone.
    """

    text: str = "edit"
    starts_image: ClassVar[bool] = False
    started: tuple[tuple[int, int], ...] = ()

    @abstractmethod
    def apply(self, conn: Connection, changes: ChangeSet) -> None: ...

    @abstractmethod
    def revert(self, conn: Connection, changes: ChangeSet) -> None: ...

    @property
    def image_id(self) -> int | None:
        """The image the edit happened on, so undo can show it; None if not tied to one."""
        return None

    @property
    def select_after(self) -> tuple[str, ...] | None:
        """The uuids to select once the command is done; None keeps the selection as it is
        (less any shape the command removed)."""
        return None

    def describe(self) -> dict[str, Any]:
        return {"command": type(self).__name__, "text": self.text}


@dataclass(eq=False)
class AddAnnotations(Command):
    """Add shapes; unless ``select`` is False they become the selection."""

    starts_image: ClassVar[bool] = True

    items: tuple[NewAnnotation, ...]
    text: str = QT_TRANSLATE_NOOP("Commands", "Add annotation")
    select: bool = True

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        for item in self.items:
            tx.insert_annotation(conn, changes, item)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        for item in self.items:
            tx.set_annotation_deleted(conn, changes, item.uuid, True)

    @property
    def image_id(self) -> int | None:
        return self.items[0].image_id if self.items else None

    @property
    def select_after(self) -> tuple[str, ...] | None:
        return tuple(i.uuid for i in self.items) if self.select else None

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "uuids": [i.uuid for i in self.items]}


@dataclass(eq=False)
class DeleteAnnotations(Command):
    starts_image: ClassVar[bool] = True

    uuids: tuple[str, ...]
    on_image: int | None = None
    text: str = QT_TRANSLATE_NOOP("Commands", "Delete annotation")

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        for uuid in self.uuids:
            tx.set_annotation_deleted(conn, changes, uuid, True)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        for uuid in self.uuids:
            tx.set_annotation_deleted(conn, changes, uuid, False)

    @property
    def image_id(self) -> int | None:
        return self.on_image

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "uuids": list(self.uuids)}


@dataclass(frozen=True, slots=True)
class FieldEdit:
    """The changed fields of one annotation, before and after."""

    uuid: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]


def _record_fields(record: Annotation, keys: Iterable[str]) -> dict[str, Any]:
    values = {
        "geometry": record.geometry,
        "class_id": record.class_id,
        "attributes": dict(record.attributes),
        "z": record.z,
        "hidden": record.hidden,
        "locked": record.locked,
        "group_id": record.group_id,
    }
    return {k: values[k] for k in keys}


@dataclass(eq=False)
class EditAnnotations(Command):
    """Change fields of shapes; ``selects`` (if not None) becomes the selection."""

    starts_image: ClassVar[bool] = True

    edits: tuple[FieldEdit, ...]
    on_image: int | None = None
    text: str = QT_TRANSLATE_NOOP("Commands", "Edit annotation")
    selects: tuple[str, ...] | None = None

    @classmethod
    def from_records(
        cls,
        text: str,
        changes: Iterable[tuple[Annotation, Mapping[str, Any]]],
        select: Iterable[str] | None = None,
    ) -> EditAnnotations:
        """Build the deltas from the records on screen and the new values of some fields."""
        edits: list[FieldEdit] = []
        image_id: int | None = None
        for record, after in changes:
            before = _record_fields(record, after.keys())
            if before == dict(after):
                continue
            edits.append(
                FieldEdit(record.uuid, MappingProxyType(before), MappingProxyType(dict(after)))
            )
            image_id = record.image_id
        selects = tuple(select) if select is not None else None
        return cls(tuple(edits), on_image=image_id, text=text, selects=selects)

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        for edit in self.edits:
            tx.update_annotation(conn, changes, edit.uuid, edit.after)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        for edit in reversed(self.edits):
            tx.update_annotation(conn, changes, edit.uuid, edit.before)

    @property
    def image_id(self) -> int | None:
        return self.on_image

    @property
    def select_after(self) -> tuple[str, ...] | None:
        return self.selects

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "uuids": [e.uuid for e in self.edits]}


@dataclass(eq=False)
class AddClass(Command):
    fields: Mapping[str, Any]
    text: str = QT_TRANSLATE_NOOP("Commands", "Add class")
    class_id: int | None = None

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        if self.class_id is None:
            self.class_id = tx.insert_class(conn, changes, self.fields)
        else:
            tx.set_class_deleted(conn, changes, self.class_id, False)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        assert self.class_id is not None
        tx.set_class_deleted(conn, changes, self.class_id, True)


@dataclass(eq=False)
class UpdateClass(Command):
    class_id: int
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    text: str = QT_TRANSLATE_NOOP("Commands", "Change class")

    @classmethod
    def capture(cls, conn: Connection, class_id: int, after: Mapping[str, Any], text: str):
        current = tx.class_fields(conn, class_id)
        return cls(class_id, {k: current[k] for k in after}, dict(after), text=text)

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        tx.update_class(conn, changes, self.class_id, self.after)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        tx.update_class(conn, changes, self.class_id, self.before)


@dataclass(eq=False)
class DeleteClass(Command):
    """Delete a class; its annotations stay, without a class, and come back on undo."""

    class_id: int
    text: str = QT_TRANSLATE_NOOP("Commands", "Delete class")
    orphaned: tuple[str, ...] = field(default=())

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        self.orphaned = tuple(tx.live_annotations_of_class(conn, self.class_id))
        for uuid in self.orphaned:
            tx.update_annotation(conn, changes, uuid, {"class_id": None})
        tx.set_class_deleted(conn, changes, self.class_id, True)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        tx.set_class_deleted(conn, changes, self.class_id, False)
        for uuid in self.orphaned:
            tx.update_annotation(conn, changes, uuid, {"class_id": self.class_id})


@dataclass(eq=False)
class SetImageStatus(Command):
    before: Mapping[int, str]
    status: str
    text: str = QT_TRANSLATE_NOOP("Commands", "Set status")

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        for image_id in self.before:
            tx.set_image_status(conn, changes, image_id, self.status)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        for image_id, status in self.before.items():
            tx.set_image_status(conn, changes, image_id, status)

    @property
    def image_id(self) -> int | None:
        return next(iter(self.before), None)
