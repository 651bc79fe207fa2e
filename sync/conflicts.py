"""Settling a conflict: keep mine, take theirs, or keep both.

A conflict exists because both sides changed one thing (a region, a status, a review) and
sync wrote neither. Resolving it changes only the local project and what both sides are
taken to have agreed on; the next push then carries the user's choice to the server.

- mine: the server's version becomes the agreed base, so the local version is pushed;
- theirs: the server's version is written locally and becomes the agreement;
- both (regions): mine is kept as a new copy, theirs takes the original's place.
"""

from __future__ import annotations

from typing import Any

from limner.models.domain.entities import NewAnnotation
from limner.models.store import queries, sync_store, tx
from limner.models.store.store import ProjectStore
from limner.models.workflow.review import review_payload
from limner.sync.adapters.base import region_digest
from limner.sync.errors import SyncError
from limner.sync.merge import LocalWriter, local_regions, region_from_payload
from limner.sync.pull import apply_remote_status, review_base

CHOICES = ("mine", "theirs", "both")


def resolve_conflict(store: ProjectStore, conflict_id: int, choice: str, source: str = "") -> None:
    """Settle one conflict (see the module docstring for what each choice does)."""
    if choice not in CHOICES:
        raise ValueError(f"unknown choice {choice!r}; use one of {', '.join(CHOICES)}")
    with store.transaction(origin="user") as (conn, changes):
        record = next(iter(sync_store.open_conflicts(conn, conflict_id=conflict_id)), None)
        if record is None:
            raise SyncError(f"conflict {conflict_id} is not open")
        if record.entity == "image":
            _resolve_status(conn, changes, record, choice, source or "remote")
        else:
            class_ids = {c.name: c.id for c in queries.label_classes(conn)}
            writer = LocalWriter(conn, changes, record.remote_id, class_ids, source or "remote")
            _resolve_annotation(conn, changes, writer, record, choice)
        sync_store.close_conflict(conn, conflict_id, choice)
        tx.log_event(conn, "resolve", {"conflict": conflict_id, "choice": choice})


def _resolve_annotation(
    conn: Any,
    changes: Any,
    writer: LocalWriter,
    record: sync_store.ConflictRecord,
    choice: str,
) -> None:
    uuid = record.local_key
    image_id = record.image_id
    assert image_id is not None
    theirs = region_from_payload(uuid, record.remote_payload)
    names = {c.id: c.name for c in queries.label_classes(conn)}
    local = local_regions(conn, image_id, names).get(uuid)
    their_digest = region_digest(theirs) if theirs is not None else None
    if choice == "mine":
        # The server's version is now the agreement, so the local one is dirty against it.
        rev = local.rev if local else 0
        sync_store.save_ref(
            conn,
            record.remote_id,
            "annotation",
            uuid,
            synced_rev=rev - 1,
            synced_hash=their_digest,
            remote_key=record.remote_payload.get("key") or uuid,
        )
        return
    if choice == "both" and local is not None and local.region is not None:
        tx.insert_annotation(
            conn,
            changes,
            NewAnnotation(
                tx.new_uuid(),
                image_id,
                writer.class_ids.get(local.region.class_name or ""),
                local.region.geometry,
                local.region.attributes,
            ),
        )
    if theirs is None:
        writer.delete(uuid, record.remote_version)
    elif local is None:
        raise SyncError("the local annotation of this conflict no longer exists")
    else:
        writer.update(uuid, theirs, their_digest, record.remote_version)


def _resolve_status(
    conn: Any, changes: Any, record: sync_store.ConflictRecord, choice: str, actor: str
) -> None:
    image_id = record.image_id
    assert image_id is not None
    status = record.remote_payload.get("status")
    review = record.remote_payload.get("review")
    if choice == "theirs":
        apply_remote_status(conn, changes, image_id, status, review, actor)
        rev = queries.image_by_id(conn, image_id).rev  # type: ignore[union-attr]
        local_review = review_payload(conn, image_id)
        sync_store.save_link(
            conn,
            record.remote_id,
            image_id,
            remote_status=status,
            base_review=review_base(review, local_review, status),
            synced_rev=rev,
        )
        return
    # mine (or both, which for a status means mine): the server's state is the base now.
    link = sync_store.link_by_image(conn, record.remote_id, image_id)
    agreed = (link.base_review or {}) if link else {}
    sync_store.save_link(
        conn,
        record.remote_id,
        image_id,
        remote_status=status,
        base_review=review_base(review, agreed.get("local"), status),
    )
