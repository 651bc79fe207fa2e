"""Rows of the ``suggestion`` table: what models proposed, with their score and source.

A suggestion moves from ``open`` to ``accepted`` (an annotation was made from it) or
``rejected``; undo moves it back. Rows are never deleted by the annotator, so a rejected
prediction pulled again from a server stays rejected instead of coming back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from limner.models.domain.geometry import Geometry, geometry_from_json
from limner.models.store import schema
from limner.models.store.store import ChangeSet
from limner.models.store.tx import now_iso, stored_form

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


def _row(row: object) -> Suggestion:
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
            )
        )
        changes.suggestions.add(item.image_id)
        stored += 1
    return stored


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
