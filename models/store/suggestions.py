"""Rows of the ``suggestion`` table: what models proposed, with their score and source.

A suggestion moves from ``open`` to ``accepted`` (an annotation was made from it) or
``rejected``; undo moves it back. Rows are never deleted by the annotator, so a rejected
prediction pulled again from a server stays rejected instead of coming back; only undoing
the import that brought them takes rows away again. ``raw`` is the form the source gave
(a Label Studio prediction's fields and result items), kept to be written back as it came.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, func, select

from limner.models.domain.geometry import Geometry, geometry_from_json
from limner.models.store import schema
from limner.models.store.store import ChangeSet
from limner.models.store.tx import new_uuid, now_iso, stored_form

sug = schema.suggestion
OPEN, ACCEPTED, REJECTED = "open", "accepted", "rejected"


@dataclass(frozen=True, slots=True)
class Suggestion:
    uuid: str
    image_id: int
    class_id: int | None
    label: str
    geometry: Geometry
    score: float | None
    source: str
    state: str = OPEN
    remote_key: str | None = None
    annotation_uuid: str | None = None
    raw: Mapping[str, Any] | None = None


class Proposal(Protocol):
    """What a format or a server says a model proposed (``formats.base.Prediction``)."""

    @property
    def geometry(self) -> Geometry: ...
    @property
    def class_name(self) -> str | None: ...
    @property
    def score(self) -> float | None: ...
    @property
    def source(self) -> str: ...
    @property
    def key(self) -> str | None: ...
    @property
    def raw(self) -> Mapping[str, Any] | None: ...


def proposed(image_id: int, class_id: int | None, proposal: Proposal) -> Suggestion:
    """The new suggestion row for a prediction read from a file or pulled from a server:
    one function for both, so a prediction means the same wherever it came from."""
    return Suggestion(
        new_uuid(),
        image_id,
        class_id,
        proposal.class_name or "",
        proposal.geometry,
        proposal.score,
        proposal.source,
        remote_key=proposal.key,
        raw=proposal.raw,
    )


def _row(row: object) -> Suggestion:
    raw = row.raw  # type: ignore[attr-defined]
    return Suggestion(
        uuid=row.uuid,  # type: ignore[attr-defined]
        image_id=row.image_id,  # type: ignore[attr-defined]
        class_id=row.class_id,  # type: ignore[attr-defined]
        label=row.label,  # type: ignore[attr-defined]
        geometry=geometry_from_json(json.loads(row.geometry)),  # type: ignore[attr-defined]
        score=row.score,  # type: ignore[attr-defined]
        source=row.source,  # type: ignore[attr-defined]
        state=row.state,  # type: ignore[attr-defined]
        remote_key=row.remote_key,  # type: ignore[attr-defined]
        annotation_uuid=row.annotation_uuid,  # type: ignore[attr-defined]
        raw=json.loads(raw) if raw else None,
    )


def add(conn: Connection, changes: ChangeSet, items: Iterable[Suggestion]) -> int:
    """Store new suggestions; one whose ``remote_key`` is already known on its image is
    skipped (a server's prediction pulled again). Returns how many were stored."""
    stored = 0
    for item in items:
        if item.remote_key is not None:
            known = conn.execute(
                select(sug.c.id).where(
                    sug.c.image_id == item.image_id, sug.c.remote_key == item.remote_key
                )
            ).first()
            if known is not None:
                continue
        conn.execute(
            sug.insert().values(
                uuid=item.uuid,
                image_id=item.image_id,
                class_id=item.class_id,
                label=item.label,
                kind=item.geometry.kind,
                geometry=stored_form(item.geometry),
                score=item.score,
                source=item.source,
                remote_key=item.remote_key,
                state=item.state,
                created_at=now_iso(),
                raw=json.dumps(item.raw, ensure_ascii=False) if item.raw is not None else None,
            )
        )
        changes.suggestions.add(item.image_id)
        stored += 1
    return stored


def known_keys(conn: Connection, image_ids: Sequence[int]) -> set[tuple[int, str]]:
    """``(image id, remote key)`` of every suggestion these images have from a server or
    a file, whatever became of it."""
    found: set[tuple[int, str]] = set()
    wanted = sorted(set(image_ids))
    for start in range(0, len(wanted), 500):
        query = select(sug.c.image_id, sug.c.remote_key).where(
            sug.c.image_id.in_(wanted[start : start + 500]), sug.c.remote_key.is_not(None)
        )
        found.update((row.image_id, row.remote_key) for row in conn.execute(query))
    return found


def remove(conn: Connection, changes: ChangeSet, items: Iterable[Suggestion]) -> None:
    """Take away rows an undone step added (never the annotator's way to reject one)."""
    for item in items:
        conn.execute(sug.delete().where(sug.c.uuid == item.uuid))
        changes.suggestions.add(item.image_id)


def open_for_images(conn: Connection, image_ids: Sequence[int]) -> dict[int, list[Suggestion]]:
    """The open suggestions of each of these images, in the order they were stored."""
    found: dict[int, list[Suggestion]] = {}
    wanted = sorted(set(image_ids))
    for start in range(0, len(wanted), 500):
        query = (
            select(sug)
            .where(sug.c.image_id.in_(wanted[start : start + 500]), sug.c.state == OPEN)
            .order_by(sug.c.id)
        )
        for row in conn.execute(query):
            item = _row(row)
            found.setdefault(item.image_id, []).append(item)
    return found


def for_image(conn: Connection, image_id: int, state: str | None = OPEN) -> list[Suggestion]:
    query = select(sug).where(sug.c.image_id == image_id)
    if state is not None:
        query = query.where(sug.c.state == state)
    return [_row(r) for r in conn.execute(query.order_by(sug.c.id))]


def by_uuid(conn: Connection, uuids: Sequence[str]) -> list[Suggestion]:
    rows = conn.execute(select(sug).where(sug.c.uuid.in_(list(uuids))).order_by(sug.c.id))
    return [_row(r) for r in rows]


def set_state(
    conn: Connection,
    changes: ChangeSet,
    item: Suggestion,
    state: str,
    annotation_uuid: str | None = None,
) -> None:
    conn.execute(
        sug.update()
        .where(sug.c.uuid == item.uuid)
        .values(state=state, annotation_uuid=annotation_uuid)
    )
    changes.suggestions.add(item.image_id)


def counts(conn: Connection, image_id: int | None = None) -> dict[str, int]:
    """How many suggestions are in each state (of one image, or of the project)."""
    query = select(sug.c.state, func.count()).group_by(sug.c.state)
    if image_id is not None:
        query = query.where(sug.c.image_id == image_id)
    return {state: int(n) for state, n in conn.execute(query)}
