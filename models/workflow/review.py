"""Status history, reviews and pinned remarks: records, write primitives and reads.

Every status move of an image is one ``status_change`` row (who, when, from, to, comment,
kind), written by :func:`record_status_change` in the same transaction that changes the
image row, so the history and the status can never disagree. The image status itself is
written with :func:`models.store.tx.set_image_status`, which bumps ``image.rev``: that is what
makes the sync engine push the new status (and the review carried with it).

A review stores a snapshot of the image's annotations as they were when it was decided
(content hash, geometry and class per uuid). "Changes since the last review" compares
the live annotations with that snapshot, so no full copy of an image's shapes has to be
kept anywhere else and the diff survives restarts and undo of unrelated edits.

Remarks are a reviewer's notes pinned to a point, to an annotation, or to the image as a
whole. They carry ``rev`` and a tombstone like annotations, so a remote able to hold them
can sync them; where a remote cannot, they simply stay local.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, and_, func, select

from limner.models.domain.entities import ImageStatus
from limner.models.domain.geometry import Geometry, geometry_from_json
from limner.models.errors import StoreError
from limner.models.store import schema, tx
from limner.models.store.store import ChangeSet

img = schema.image
ann = schema.annotation
sc = schema.status_change
snap = schema.review_snapshot
rmk = schema.remark

DECISIONS: tuple[str, ...] = ("approve", "reject")
"""Review decisions; each maps to the status an image gets (``DECISION_STATUS``)."""

DECISION_STATUS: Mapping[str, str] = MappingProxyType(
    {"approve": ImageStatus.APPROVED.value, "reject": ImageStatus.REJECTED.value}
)

KIND_FOR_STATUS: Mapping[str, str] = MappingProxyType(
    {
        ImageStatus.NEW.value: "reset",
        ImageStatus.IN_PROGRESS.value: "start",
        ImageStatus.SUBMITTED.value: "submit",
        ImageStatus.APPROVED.value: "approve",
        ImageStatus.REJECTED.value: "reject",
        ImageStatus.SKIPPED.value: "skip",
    }
)
"""The kind recorded with a status change when the caller does not name one."""

REJECTION_NEEDS_COMMENT = "a rejection needs a comment"


# -- records -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StatusChange:
    """One step of an image's status history."""

    id: int
    image_id: int
    from_status: str
    to_status: str
    actor: str
    time: str
    comment: str
    kind: str


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """One review decision (without its annotation snapshot)."""

    id: int
    image_id: int
    reviewed_at: str
    reviewer: str
    decision: str
    comment: str
    status_change_id: int | None


@dataclass(frozen=True, slots=True)
class SnapshotEntry:
    """An annotation as a review saw it: enough to tell a change and to draw the old shape."""

    hash: str
    geometry: Geometry
    class_id: int | None


@dataclass(frozen=True, slots=True)
class ReviewChanges:
    """What changed on an image since ``review``: uuids added, changed and removed.

    ``before`` holds the reviewed state of every changed or removed annotation so an
    overlay can draw where it was; added ones are drawn from the live annotations.
    """

    review: ReviewRecord
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    before: Mapping[str, SnapshotEntry]

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


@dataclass(frozen=True, slots=True)
class Remark:
    id: int
    uuid: str
    image_id: int
    annotation_uuid: str | None
    x: float | None
    y: float | None
    text: str
    author: str
    created_at: str
    resolved: bool
    resolved_by: str | None
    resolved_at: str | None
    rev: int
    deleted: bool


@dataclass(frozen=True, slots=True)
class ReviewFeedback:
    """What an annotator is shown on an image: the last review and the open remarks.

    ``pending`` is True while the last review was a rejection and the image has not been
    submitted since: the time during which the comment must stay on screen.
    """

    status: str
    review: ReviewRecord | None
    remarks: tuple[Remark, ...]
    pending: bool


def _status_change(row: Any) -> StatusChange:
    return StatusChange(
        row.id,
        row.image_id,
        row.from_status,
        row.to_status,
        row.actor,
        row.time,
        row.comment,
        row.kind,
    )


def _review(row: Any) -> ReviewRecord:
    return ReviewRecord(
        row.id,
        row.image_id,
        row.reviewed_at,
        row.reviewer,
        row.decision,
        row.comment,
        row.status_change_id,
    )


def _remark(row: Any) -> Remark:
    return Remark(
        id=row.id,
        uuid=row.uuid,
        image_id=row.image_id,
        annotation_uuid=row.annotation_uuid,
        x=row.x,
        y=row.y,
        text=row.text,
        author=row.author,
        created_at=row.created_at,
        resolved=bool(row.resolved),
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
        rev=row.rev,
        deleted=bool(row.deleted),
    )


# -- status --------------------------------------------------------------------------------
def check_status_change(to_status: str, comment: str) -> None:
    """Refuse what the workflow forbids: unknown statuses, a rejection without a comment."""
    try:
        ImageStatus(to_status)
    except ValueError:
        names = ", ".join(s.value for s in ImageStatus)
        raise StoreError(f"unknown status {to_status!r}; use one of {names}") from None
    if to_status == ImageStatus.REJECTED.value and not comment.strip():
        raise StoreError(REJECTION_NEEDS_COMMENT)


def image_status(conn: Connection, image_id: int) -> str:
    status = conn.execute(select(img.c.status).where(img.c.id == image_id)).scalar_one_or_none()
    if status is None:
        raise StoreError(f"image {image_id} does not exist")
    return status


def record_status_change(
    conn: Connection,
    changes: ChangeSet,
    image_id: int,
    to_status: str,
    *,
    actor: str,
    comment: str = "",
    kind: str = "",
) -> tuple[int, str]:
    """Set the image's status and append the history row; returns (row id, old status).

    This is the one way a user-visible status move should be written (the sync engine may
    use it for statuses pulled from a remote too, with ``kind="sync"``).
    """
    from_status = image_status(conn, image_id)
    tx.set_image_status(conn, changes, image_id, to_status)
    result = conn.execute(
        sc.insert().values(
            image_id=image_id,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            time=tx.now_iso(),
            comment=comment,
            kind=kind or KIND_FOR_STATUS.get(to_status, "set"),
        )
    )
    return int(result.inserted_primary_key[0]), from_status  # type: ignore[index]


def delete_status_changes(conn: Connection, ids: list[int]) -> None:
    """Remove exactly these history rows (what undo of a status command must take back)."""
    if ids:
        conn.execute(sc.delete().where(sc.c.id.in_(ids)))


def status_history(conn: Connection, image_id: int) -> list[StatusChange]:
    """Every status move of one image, oldest first."""
    query = select(sc).where(sc.c.image_id == image_id).order_by(sc.c.id)
    return [_status_change(r) for r in conn.execute(query)]


def status_change_count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(sc)).scalar_one()


# -- review snapshots ----------------------------------------------------------------------
def _digest(geometry_text: str, class_id: int | None, attributes_text: str) -> str:
    """A fingerprint of what an annotation says (shape, class, attributes).

    View state (z order, hidden, locked) is left out on purpose: hiding a box is not a
    change a reviewer needs to look at again.
    """
    payload = {
        "g": json.loads(geometry_text),
        "c": class_id,
        "a": json.loads(attributes_text),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def annotation_state(conn: Connection, image_id: int) -> dict[str, dict[str, Any]]:
    """The live annotations of an image as a snapshot stores them, keyed by uuid."""
    query = select(ann.c.uuid, ann.c.geometry, ann.c.class_id, ann.c.attributes).where(
        and_(ann.c.image_id == image_id, ann.c.deleted == 0)
    )
    return {
        r.uuid: {
            "hash": _digest(r.geometry, r.class_id, r.attributes),
            "geometry": json.loads(r.geometry),
            "class_id": r.class_id,
        }
        for r in conn.execute(query)
    }


def insert_review_snapshot(
    conn: Connection,
    image_id: int,
    *,
    decision: str,
    reviewer: str,
    comment: str = "",
    status_change_id: int | None = None,
) -> int:
    """Store a review with the image's current annotation state; returns its row id."""
    if decision not in DECISIONS:
        raise StoreError(f"unknown review decision {decision!r}; use approve or reject")
    state = annotation_state(conn, image_id)
    result = conn.execute(
        snap.insert().values(
            image_id=image_id,
            status_change_id=status_change_id,
            reviewed_at=tx.now_iso(),
            reviewer=reviewer,
            decision=decision,
            comment=comment,
            annotations=json.dumps(state, separators=(",", ":"), sort_keys=True),
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def delete_review_snapshots(conn: Connection, ids: list[int]) -> None:
    if ids:
        conn.execute(snap.delete().where(snap.c.id.in_(ids)))


def reviews(conn: Connection, image_id: int) -> list[ReviewRecord]:
    """Every review of an image, oldest first."""
    query = select(snap).where(snap.c.image_id == image_id).order_by(snap.c.id)
    return [_review(r) for r in conn.execute(query)]


def latest_review(conn: Connection, image_id: int) -> ReviewRecord | None:
    row = conn.execute(
        select(snap).where(snap.c.image_id == image_id).order_by(snap.c.id.desc()).limit(1)
    ).first()
    return _review(row) if row else None


def review_payload(conn: Connection, image_id: int) -> dict[str, str] | None:
    """The last review as plain values (decision, comment, reviewer, time) for a remote."""
    review = latest_review(conn, image_id)
    if review is None:
        return None
    return {
        "decision": review.decision,
        "comment": review.comment,
        "reviewer": review.reviewer,
        "time": review.reviewed_at,
    }


def changes_since_review(conn: Connection, image_id: int) -> ReviewChanges | None:
    """Annotations added, changed and removed since the last review (None: never reviewed)."""
    row = conn.execute(
        select(snap).where(snap.c.image_id == image_id).order_by(snap.c.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    then: dict[str, dict[str, Any]] = json.loads(row.annotations)
    now = annotation_state(conn, image_id)
    added = tuple(sorted(set(now) - set(then)))
    removed = tuple(sorted(set(then) - set(now)))
    changed = tuple(sorted(u for u in set(now) & set(then) if now[u]["hash"] != then[u]["hash"]))
    before = {
        uuid: SnapshotEntry(
            then[uuid]["hash"], geometry_from_json(then[uuid]["geometry"]), then[uuid]["class_id"]
        )
        for uuid in (*changed, *removed)
    }
    return ReviewChanges(_review(row), added, changed, removed, MappingProxyType(before))


# -- remarks -------------------------------------------------------------------------------
def _check_remark(
    conn: Connection,
    image_id: int,
    text: str,
    x: float | None,
    y: float | None,
    annotation_uuid: str | None,
) -> None:
    if not text.strip():
        raise StoreError("a remark needs some text")
    if (x is None) != (y is None):
        raise StoreError("a remark is pinned to a point (x and y) or to no point")
    if x is not None and y is not None and not (math.isfinite(x) and math.isfinite(y)):
        raise StoreError("a remark's point must be finite")
    image_status(conn, image_id)  # raises when the image does not exist
    if annotation_uuid is not None:
        on = conn.execute(
            select(ann.c.image_id).where(ann.c.uuid == annotation_uuid)
        ).scalar_one_or_none()
        if on is None:
            raise StoreError(f"annotation {annotation_uuid} does not exist")
        if on != image_id:
            raise StoreError(f"annotation {annotation_uuid} is not on this image")


def insert_remark(
    conn: Connection,
    changes: ChangeSet,
    *,
    uuid: str,
    image_id: int,
    text: str,
    author: str,
    x: float | None = None,
    y: float | None = None,
    annotation_uuid: str | None = None,
) -> None:
    """Add a remark, or bring back the tombstoned one with this uuid (redo of an add)."""
    existing = conn.execute(select(rmk.c.id).where(rmk.c.uuid == uuid)).scalar_one_or_none()
    if existing is not None:
        set_remark_deleted(conn, changes, uuid, False)
        return
    _check_remark(conn, image_id, text, x, y, annotation_uuid)
    conn.execute(
        rmk.insert().values(
            uuid=uuid,
            image_id=image_id,
            annotation_uuid=annotation_uuid,
            x=x,
            y=y,
            text=text.strip(),
            author=author,
            created_at=tx.now_iso(),
            resolved=0,
            rev=1,
            deleted=0,
        )
    )
    changes.images.add(image_id)


def _remark_row(conn: Connection, uuid: str) -> Any:
    row = conn.execute(select(rmk).where(rmk.c.uuid == uuid)).first()
    if row is None:
        raise StoreError(f"remark {uuid} does not exist")
    return row


def set_remark_deleted(conn: Connection, changes: ChangeSet, uuid: str, deleted: bool) -> None:
    row = _remark_row(conn, uuid)
    if bool(row.deleted) == deleted:
        return
    conn.execute(
        rmk.update().where(rmk.c.uuid == uuid).values(deleted=int(deleted), rev=rmk.c.rev + 1)
    )
    changes.images.add(row.image_id)


def set_remark_resolved(
    conn: Connection,
    changes: ChangeSet,
    uuid: str,
    *,
    resolved: bool,
    by: str | None,
    at: str | None,
) -> None:
    row = _remark_row(conn, uuid)
    conn.execute(
        rmk.update()
        .where(rmk.c.uuid == uuid)
        .values(resolved=int(resolved), resolved_by=by, resolved_at=at, rev=rmk.c.rev + 1)
    )
    changes.images.add(row.image_id)


def remark_by_uuid(conn: Connection, uuid: str) -> Remark | None:
    row = conn.execute(select(rmk).where(rmk.c.uuid == uuid)).first()
    return _remark(row) if row else None


def remarks_for_image(
    conn: Connection, image_id: int, *, include_resolved: bool = True
) -> list[Remark]:
    """Live remarks of an image, oldest first."""
    query = select(rmk).where(rmk.c.image_id == image_id, rmk.c.deleted == 0)
    if not include_resolved:
        query = query.where(rmk.c.resolved == 0)
    return [_remark(r) for r in conn.execute(query.order_by(rmk.c.id))]


def open_remarks(conn: Connection, image_id: int) -> list[Remark]:
    return remarks_for_image(conn, image_id, include_resolved=False)


def review_feedback(conn: Connection, image_id: int) -> ReviewFeedback:
    """The last review and open remarks of an image, and whether they still apply."""
    status = image_status(conn, image_id)
    review = latest_review(conn, image_id)
    pending = False
    if review is not None and review.decision == "reject":
        later = (
            select(func.count())
            .select_from(sc)
            .where(sc.c.image_id == image_id, sc.c.to_status == ImageStatus.SUBMITTED.value)
        )
        if review.status_change_id is not None:
            later = later.where(sc.c.id > review.status_change_id)
        else:
            later = later.where(sc.c.time > review.reviewed_at)
        pending = conn.execute(later).scalar_one() == 0
    return ReviewFeedback(status, review, tuple(open_remarks(conn, image_id)), pending)
