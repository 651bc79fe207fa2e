"""Undoable commands of the review workflow: statuses, reviews, remarks and queues.

Like every command they run inside one transaction opened by ``History`` and keep only
their own deltas: the ids of the history and review rows they wrote (so undo removes
exactly those and nothing a later command or another process added), the statuses they
replaced, the queue items they added or removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from limner.models.domain.entities import ImageStatus
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.commands import Command
from limner.models.errors import StoreError
from limner.models.store import tx
from limner.models.store.store import ChangeSet
from limner.models.workflow import queues as qs
from limner.models.workflow import review as rv

REVIEW_STATUSES = (ImageStatus.APPROVED.value, ImageStatus.REJECTED.value)


@dataclass(frozen=True, slots=True)
class _Applied:
    """What one apply did to one image, so revert can take back exactly that."""

    image_id: int
    from_status: str
    change_id: int
    snapshot_id: int | None


@dataclass(eq=False)
class ChangeStatus(Command):
    """Move images to ``to_status``, recording one history row per image.

    Images already in ``to_status`` are left alone, except for a review with a comment:
    a reviewer deciding again with new words (a second rejection) is an event worth
    keeping, while approving an approved image says nothing new. Approving
    or rejecting also stores a review snapshot, whichever command did it, so "changes
    since the last review" never misses a decision. A rejection needs a comment.
    """

    image_ids: tuple[int, ...]
    to_status: str
    comment: str = ""
    kind: str = ""
    actor: str = ""
    text: str = QT_TRANSLATE_NOOP("Commands", "Set status")
    applied: list[_Applied] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.image_ids = tuple(dict.fromkeys(self.image_ids))
        rv.check_status_change(self.to_status, self.comment)
        if not self.kind:
            self.kind = rv.KIND_FOR_STATUS[self.to_status]

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        self.actor = self.actor or tx.current_user()
        self.applied = []
        review = self.to_status in REVIEW_STATUSES
        for image_id in self.image_ids:
            again = rv.image_status(conn, image_id) == self.to_status
            if again and not (review and self.comment.strip()):
                continue
            change_id, from_status = rv.record_status_change(
                conn,
                changes,
                image_id,
                self.to_status,
                actor=self.actor,
                comment=self.comment,
                kind=self.kind,
            )
            snapshot_id = None
            if review:
                snapshot_id = rv.insert_review_snapshot(
                    conn,
                    image_id,
                    decision="approve" if self.to_status == ImageStatus.APPROVED else "reject",
                    reviewer=self.actor,
                    comment=self.comment,
                    status_change_id=change_id,
                )
            self.applied.append(_Applied(image_id, from_status, change_id, snapshot_id))

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        rv.delete_review_snapshots(
            conn, [a.snapshot_id for a in self.applied if a.snapshot_id is not None]
        )
        rv.delete_status_changes(conn, [a.change_id for a in self.applied])
        for item in reversed(self.applied):
            tx.set_image_status(conn, changes, item.image_id, item.from_status)
        self.applied = []

    @property
    def image_id(self) -> int | None:
        return self.image_ids[0] if self.image_ids else None

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "images": list(self.image_ids),
            "status": self.to_status,
            "kind": self.kind,
        }


class Submit(ChangeStatus):
    """The annotator's Submit: the images go to review (and leave "next unlabeled")."""

    def __init__(self, image_ids: Iterable[int], comment: str = "", actor: str = "") -> None:
        super().__init__(
            tuple(image_ids),
            ImageStatus.SUBMITTED.value,
            comment,
            actor=actor,
            text=QT_TRANSLATE_NOOP("Commands", "Submit"),
        )


class Skip(ChangeStatus):
    """The annotator's Skip; the reason is kept as the history row's comment."""

    def __init__(self, image_ids: Iterable[int], reason: str = "", actor: str = "") -> None:
        super().__init__(
            tuple(image_ids),
            ImageStatus.SKIPPED.value,
            reason,
            actor=actor,
            text=QT_TRANSLATE_NOOP("Commands", "Skip"),
        )


class Review(ChangeStatus):
    """A reviewer's decision on one image: a status change plus a review snapshot."""

    def __init__(self, image_id: int, decision: str, comment: str = "", actor: str = "") -> None:
        if decision not in rv.DECISIONS:
            raise StoreError(f"unknown review decision {decision!r}; use approve or reject")
        self.decision = decision
        super().__init__(
            (image_id,),
            rv.DECISION_STATUS[decision],
            comment,
            kind=decision,
            actor=actor,
            text=QT_TRANSLATE_NOOP("Commands", "Approve")
            if decision == "approve"
            else QT_TRANSLATE_NOOP("Commands", "Reject"),
        )


# -- remarks -------------------------------------------------------------------------------
@dataclass(eq=False)
class AddRemark(Command):
    """Pin a remark to a point (x, y), to an annotation, or to the whole image."""

    on_image: int
    body: str
    x: float | None = None
    y: float | None = None
    annotation_uuid: str | None = None
    uuid: str = field(default_factory=tx.new_uuid)
    author: str = ""
    text: str = QT_TRANSLATE_NOOP("Commands", "Add remark")

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        self.author = self.author or tx.current_user()
        rv.insert_remark(
            conn,
            changes,
            uuid=self.uuid,
            image_id=self.on_image,
            text=self.body,
            author=self.author,
            x=self.x,
            y=self.y,
            annotation_uuid=self.annotation_uuid,
        )

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        rv.set_remark_deleted(conn, changes, self.uuid, True)

    @property
    def image_id(self) -> int | None:
        return self.on_image

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "remark": self.uuid}


@dataclass(eq=False)
class ResolveRemark(Command):
    """Mark a remark resolved (or open again with ``resolved=False``)."""

    uuid: str
    resolved: bool = True
    actor: str = ""
    text: str = QT_TRANSLATE_NOOP("Commands", "Resolve remark")
    before: tuple[bool, str | None, str | None] | None = None
    after: tuple[bool, str | None, str | None] | None = None
    on_image: int | None = None

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        current = rv.remark_by_uuid(conn, self.uuid)
        if current is None or current.deleted:
            raise StoreError("this remark was deleted")
        self.on_image = current.image_id
        if self.before is None:
            self.before = (current.resolved, current.resolved_by, current.resolved_at)
        if self.after is None:
            actor = self.actor or tx.current_user()
            self.after = (True, actor, tx.now_iso()) if self.resolved else (False, None, None)
        resolved, by, at = self.after
        rv.set_remark_resolved(conn, changes, self.uuid, resolved=resolved, by=by, at=at)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        assert self.before is not None
        resolved, by, at = self.before
        rv.set_remark_resolved(conn, changes, self.uuid, resolved=resolved, by=by, at=at)

    @property
    def image_id(self) -> int | None:
        return self.on_image

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "remark": self.uuid, "resolved": self.resolved}


@dataclass(eq=False)
class DeleteRemark(Command):
    uuid: str
    text: str = QT_TRANSLATE_NOOP("Commands", "Delete remark")
    on_image: int | None = None

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        current = rv.remark_by_uuid(conn, self.uuid)
        if current is None:
            raise StoreError(f"remark {self.uuid} does not exist")
        self.on_image = current.image_id
        rv.set_remark_deleted(conn, changes, self.uuid, True)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        rv.set_remark_deleted(conn, changes, self.uuid, False)

    @property
    def image_id(self) -> int | None:
        return self.on_image

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "remark": self.uuid}


# -- queues --------------------------------------------------------------------------------
def _local_queue(conn: Connection, name: str) -> qs.QueueRecord:
    record = qs.require_queue(conn, name)
    if record.source != "local":
        raise StoreError(f"queue {name!r} comes from the server; change its assignments there")
    return record


@dataclass(eq=False)
class CreateQueue(Command):
    """A local queue. Undo deletes it and keeps its items, so redo brings both back."""

    name: str
    role: str
    assignee: str | None = None
    text: str = QT_TRANSLATE_NOOP("Commands", "Create queue")
    items: list[tuple[int, int]] = field(default_factory=list)

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        queue_id = qs.insert_queue(conn, self.name.strip(), self.role, self.assignee)
        qs.restore_queue_items(conn, changes, queue_id, self.items)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        record = qs.require_queue(conn, self.name.strip())
        self.items = qs.queue_items(conn, record.id)
        qs.delete_queue(conn, record.id)
        changes.images.update(i for i, _ in self.items)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "queue": self.name, "role": self.role}


@dataclass(eq=False)
class DeleteQueue(Command):
    """Delete a local queue (its images stay in the project); undo restores it whole."""

    name: str
    text: str = QT_TRANSLATE_NOOP("Commands", "Delete queue")
    saved: qs.QueueRecord | None = None
    items: list[tuple[int, int]] = field(default_factory=list)

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        record = _local_queue(conn, self.name)
        self.saved = record
        self.items = qs.queue_items(conn, record.id)
        qs.delete_queue(conn, record.id)
        changes.images.update(i for i, _ in self.items)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        assert self.saved is not None
        queue_id = qs.insert_queue(conn, self.saved.name, self.saved.role, self.saved.assignee)
        qs.restore_queue_items(conn, changes, queue_id, self.items)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "queue": self.name}


@dataclass(eq=False)
class AssignToQueue(Command):
    """Append images to a local queue; undo takes out exactly the ones it added."""

    queue: str
    image_ids: tuple[int, ...]
    text: str = QT_TRANSLATE_NOOP("Commands", "Assign to queue")
    added: list[int] = field(default_factory=list)

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        record = _local_queue(conn, self.queue)
        self.added = qs.add_queue_items(conn, changes, record.id, self.image_ids)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        record = qs.require_queue(conn, self.queue)
        qs.remove_queue_items(conn, changes, record.id, self.added)

    @property
    def image_id(self) -> int | None:
        return self.image_ids[0] if self.image_ids else None

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "queue": self.queue, "images": list(self.image_ids)}


@dataclass(eq=False)
class RemoveFromQueue(Command):
    """Take images out of a local queue; undo puts them back at their old places."""

    queue: str
    image_ids: tuple[int, ...]
    text: str = QT_TRANSLATE_NOOP("Commands", "Remove from queue")
    removed: list[tuple[int, int]] = field(default_factory=list)

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        record = _local_queue(conn, self.queue)
        self.removed = qs.remove_queue_items(conn, changes, record.id, self.image_ids)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        record = qs.require_queue(conn, self.queue)
        qs.restore_queue_items(conn, changes, record.id, self.removed)

    @property
    def image_id(self) -> int | None:
        return self.image_ids[0] if self.image_ids else None

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "queue": self.queue, "images": list(self.image_ids)}
