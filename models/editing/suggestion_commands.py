"""Accepting and rejecting suggestions, as undoable commands.

Accepting makes an annotation of the suggestion's class and geometry whose ``source`` is
the model's (so the annotation's history, its row and review all tell that a model
proposed it), and marks the suggestion accepted with the new annotation's uuid; undo
deletes that annotation and opens the suggestion again. Rejecting only marks it. Both run
in one transaction like every edit, and the annotation made is dirty for sync like any
drawn shape, while the suggestion itself never leaves the project. An image holds one
answer per tag class, so accepting a suggested tag (a predicted choice) replaces the
image's answer of that class, and undo brings the old answer back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import Connection

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Tag
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.commands import Command
from limner.models.store import queries, tx
from limner.models.store import suggestions as rows
from limner.models.store.store import ChangeSet
from limner.models.store.suggestions import ACCEPTED, OPEN, REJECTED, Suggestion

__all__ = ["AcceptSuggestions", "RejectSuggestions", "above"]


def above(items: Sequence[Suggestion], threshold: float) -> list[Suggestion]:
    """The open suggestions scoring at least ``threshold`` (unscored ones never do)."""
    return [s for s in items if s.state == OPEN and s.score is not None and s.score >= threshold]


@dataclass(eq=False)
class AcceptSuggestions(Command):
    starts_image: ClassVar[bool] = True

    items: tuple[Suggestion, ...]
    text: str = QT_TRANSLATE_NOOP("Commands", "Accept suggestion")
    made: dict[str, str] = field(default_factory=dict)  # suggestion uuid -> annotation uuid
    replaced: dict[str, str] = field(default_factory=dict)  # suggestion uuid -> old tag uuid

    def __post_init__(self) -> None:
        for item in self.items:
            self.made.setdefault(item.uuid, tx.new_uuid())

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        for item in self.items:
            new = NewAnnotation(
                uuid=self.made[item.uuid],
                image_id=item.image_id,
                class_id=item.class_id,
                geometry=item.geometry,
                source=item.source,
            )
            if isinstance(item.geometry, Tag) and item.class_id is not None:
                self._replace_answer(conn, changes, item.uuid, item.image_id, item.class_id)
            tx.insert_annotation(conn, changes, new)
            rows.set_state(conn, changes, item, ACCEPTED, new.uuid)

    def _replace_answer(
        self, conn: Connection, changes: ChangeSet, uuid: str, image_id: int, class_id: int
    ) -> None:
        for tag in queries.image_tags(conn, image_id):
            if tag.class_id == class_id:
                tx.set_annotation_deleted(conn, changes, tag.uuid, True)
                self.replaced[uuid] = tag.uuid

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        for item in reversed(self.items):
            tx.set_annotation_deleted(conn, changes, self.made[item.uuid], True)
            old = self.replaced.pop(item.uuid, None)
            if old is not None:
                tx.set_annotation_deleted(conn, changes, old, False)
            rows.set_state(conn, changes, item, OPEN)

    @property
    def image_id(self) -> int | None:
        return self.items[0].image_id if self.items else None

    @property
    def select_after(self) -> tuple[str, ...] | None:
        return tuple(self.made[i.uuid] for i in self.items)

    def describe(self) -> dict[str, Any]:
        sources = sorted({i.source for i in self.items})
        return {**super().describe(), "accepted": dict(self.made), "sources": sources}


@dataclass(eq=False)
class RejectSuggestions(Command):
    items: tuple[Suggestion, ...]
    text: str = QT_TRANSLATE_NOOP("Commands", "Reject suggestion")

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        for item in self.items:
            rows.set_state(conn, changes, item, REJECTED)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        for item in self.items:
            rows.set_state(conn, changes, item, OPEN)

    @property
    def image_id(self) -> int | None:
        return self.items[0].image_id if self.items else None

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "rejected": [i.uuid for i in self.items]}
