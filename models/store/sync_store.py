"""Rows of the sync tables, read and written by the sync engine (which has no SQL of its own).

``remote`` says where a project syncs to (never a secret); ``remote_image`` links a local
image to its remote object and keeps the remote versions last seen; ``remote_ref`` keeps,
per annotation, the revision and content hash last synced, which is what "dirty" and
"changed remotely" are measured against; ``remote_image.remote_state`` keeps the remote
object exactly as the server last sent it; ``conflict`` and ``sync_problem`` hold what
sync could not settle alone (one row per region and problem), so nothing is ever dropped
or silently forgotten.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from limner.models.domain.geometry import Geometry, geometry_to_json
from limner.models.store import schema
from limner.models.store.tx import now_iso

rem = schema.remote
rimg = schema.remote_image
ref = schema.remote_ref
cur = schema.sync_cursor
con = schema.conflict
prob = schema.sync_problem
img = schema.image
ann = schema.annotation


@dataclass(frozen=True, slots=True)
class RemoteRecord:
    id: int
    kind: str
    base_url: str
    project_ref: str
    name: str
    settings: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RemoteImageLink:
    image_id: int
    remote_key: str
    remote_version: str
    container_key: str | None
    container_version: str | None
    source_url: str | None
    synced_rev: int
    remote_status: str | None
    identity: str | None = None
    remote_state: Any = None
    base_review: Mapping[str, Any] | None = None
    deleted_remotely: bool = False


@dataclass(frozen=True, slots=True)
class ProblemRecord:
    id: int
    image_id: int | None
    image_name: str | None
    scope: str
    kind: str
    local_key: str | None
    remote_key: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "image": self.image_name,
            "local_key": self.local_key,
            "remote_key": self.remote_key,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class RefRecord:
    local_key: str
    remote_key: str | None
    remote_version: str | None
    synced_rev: int
    synced_hash: str | None


@dataclass(frozen=True, slots=True)
class ConflictRecord:
    id: int
    remote_id: int
    entity: str
    local_key: str
    image_id: int | None
    remote_payload: Mapping[str, Any]
    remote_version: str | None
    detail: str
    created_at: str


def _rounded(value: Any) -> Any:
    """Floats to 1e-6: a round trip through a server's percentages may move the last bits."""
    if isinstance(value, float):
        return round(value, 6) + 0.0
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def content_hash(geometry: Geometry | None, class_name: str | None, attributes: Mapping) -> str:
    """A stable fingerprint of what an annotation says (None geometry = deleted)."""
    payload = {
        "g": _rounded(geometry_to_json(geometry)) if geometry is not None else None,
        "c": class_name,
        "a": dict(attributes),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# -- remotes -------------------------------------------------------------------------------
def add_remote(
    conn: Connection,
    kind: str,
    base_url: str,
    project_ref: str,
    name: str = "",
    settings: Mapping[str, Any] | None = None,
) -> int:
    result = conn.execute(
        rem.insert().values(
            kind=kind,
            base_url=base_url.rstrip("/"),
            project_ref=str(project_ref),
            name=name,
            settings=json.dumps(dict(settings or {})),
            created_at=now_iso(),
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def remotes(conn: Connection) -> list[RemoteRecord]:
    return [
        RemoteRecord(r.id, r.kind, r.base_url, r.project_ref, r.name, json.loads(r.settings))
        for r in conn.execute(select(rem).order_by(rem.c.id))
    ]


def update_remote_settings(conn: Connection, remote_id: int, settings: Mapping[str, Any]) -> None:
    conn.execute(rem.update().where(rem.c.id == remote_id).values(settings=json.dumps(settings)))


# -- cursors -------------------------------------------------------------------------------
def get_cursor(conn: Connection, remote_id: int, name: str) -> str | None:
    return conn.execute(
        select(cur.c.value).where(cur.c.remote_id == remote_id, cur.c.name == name)
    ).scalar_one_or_none()


def set_cursor(conn: Connection, remote_id: int, name: str, value: str) -> None:
    conn.execute(cur.delete().where(cur.c.remote_id == remote_id, cur.c.name == name))
    conn.execute(cur.insert().values(remote_id=remote_id, name=name, value=value))


# -- images --------------------------------------------------------------------------------
def _link(row: Any) -> RemoteImageLink:
    return RemoteImageLink(
        row.image_id,
        row.remote_key,
        row.remote_version,
        row.container_key,
        row.container_version,
        row.source_url,
        row.synced_rev,
        row.remote_status,
        row.identity,
        json.loads(row.remote_state) if row.remote_state else None,
        json.loads(row.base_review) if row.base_review else None,
        bool(row.deleted_remotely),
    )


def dumps_state(state: Any) -> str:
    """A remote state as stored: plain JSON, floats as Python writes them (exact)."""
    return json.dumps(state, ensure_ascii=False, separators=(",", ":"))


def link_by_key(conn: Connection, remote_id: int, remote_key: str) -> RemoteImageLink | None:
    row = conn.execute(
        select(rimg).where(rimg.c.remote_id == remote_id, rimg.c.remote_key == remote_key)
    ).first()
    return _link(row) if row else None


def link_by_image(conn: Connection, remote_id: int, image_id: int) -> RemoteImageLink | None:
    row = conn.execute(
        select(rimg).where(rimg.c.remote_id == remote_id, rimg.c.image_id == image_id)
    ).first()
    return _link(row) if row else None


def all_links(conn: Connection, remote_id: int) -> list[RemoteImageLink]:
    return [_link(r) for r in conn.execute(select(rimg).where(rimg.c.remote_id == remote_id))]


def save_link(conn: Connection, remote_id: int, image_id: int, **values: Any) -> None:
    exists = conn.execute(
        select(rimg.c.id).where(rimg.c.remote_id == remote_id, rimg.c.image_id == image_id)
    ).scalar_one_or_none()
    if exists is None:
        conn.execute(rimg.insert().values(remote_id=remote_id, image_id=image_id, **values))
    else:
        conn.execute(rimg.update().where(rimg.c.id == exists).values(**values))


def forget_link(conn: Connection, remote_id: int, image_id: int) -> None:
    """The remote object behind this image is gone: keep the image, flag it, free the key.

    The key is renamed rather than deleted so that the flag survives and a new remote
    object that reuses the key can be linked to a new image.
    """
    conn.execute(
        rimg.update()
        .where(rimg.c.remote_id == remote_id, rimg.c.image_id == image_id)
        .values(deleted_remotely=1, remote_key=rimg.c.remote_key + "#gone-" + str(image_id))
    )


def linked_count(conn: Connection, remote_id: int) -> int:
    """How many images are linked to a remote object that still exists there."""
    query = select(func.count()).where(rimg.c.remote_id == remote_id, rimg.c.deleted_remotely == 0)
    return int(conn.execute(query).scalar_one())


def image_rev(conn: Connection, image_id: int) -> int:
    return int(conn.execute(select(img.c.rev).where(img.c.id == image_id)).scalar_one())


def refresh_image_file(conn: Connection, image_id: int, **values: Any) -> None:
    """Record what a (re)downloaded file turned out to be (sizes, hash, error)."""
    conn.execute(img.update().where(img.c.id == image_id).values(**values))


def mark_deleted_remotely(conn: Connection, remote_id: int, image_ids: Iterable[int]) -> None:
    ids = list(image_ids)
    if ids:
        conn.execute(
            rimg.update()
            .where(rimg.c.remote_id == remote_id, rimg.c.image_id.in_(ids))
            .values(deleted_remotely=1)
        )


# -- annotation refs -----------------------------------------------------------------------
def refs_for_image(conn: Connection, remote_id: int, image_id: int) -> dict[str, RefRecord]:
    query = (
        select(ref)
        .join(ann, and_(ann.c.uuid == ref.c.local_key, ref.c.entity == "annotation"))
        .where(ref.c.remote_id == remote_id, ann.c.image_id == image_id)
    )
    return {
        r.local_key: RefRecord(
            r.local_key, r.remote_key, r.remote_version, r.synced_rev, r.synced_hash
        )
        for r in conn.execute(query)
    }


def delete_ref(conn: Connection, remote_id: int, entity: str, local_key: str) -> None:
    conn.execute(
        ref.delete().where(
            ref.c.remote_id == remote_id, ref.c.entity == entity, ref.c.local_key == local_key
        )
    )


def save_ref(
    conn: Connection,
    remote_id: int,
    entity: str,
    local_key: str,
    *,
    synced_rev: int,
    synced_hash: str | None,
    remote_key: str | None = None,
    remote_version: str | None = None,
) -> None:
    conn.execute(
        ref.delete().where(
            ref.c.remote_id == remote_id, ref.c.entity == entity, ref.c.local_key == local_key
        )
    )
    conn.execute(
        ref.insert().values(
            remote_id=remote_id,
            entity=entity,
            local_key=local_key,
            remote_key=remote_key,
            remote_version=remote_version,
            synced_rev=synced_rev,
            synced_hash=synced_hash,
        )
    )


def save_refs(
    conn: Connection, remote_id: int, entity: str, refs: Sequence[Mapping[str, Any]]
) -> None:
    """:func:`save_ref` for many entities in two statements per few hundred rows.

    Each row holds ``local_key``, ``synced_rev``, ``synced_hash``, ``remote_key`` and
    ``remote_version``; a ``local_key`` may appear once only.
    """
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        keys = [r["local_key"] for r in chunk]
        conn.execute(
            ref.delete().where(
                ref.c.remote_id == remote_id, ref.c.entity == entity, ref.c.local_key.in_(keys)
            )
        )
        conn.execute(ref.insert(), [{"remote_id": remote_id, "entity": entity, **r} for r in chunk])


def dirty_image_ids(conn: Connection, remote_id: int, limit: int | None = None) -> list[int]:
    """Linked images with an annotation or a status changed since it was last synced."""
    refs = ref.alias("r")
    dirty_ann = (
        select(ann.c.image_id)
        .select_from(
            ann.outerjoin(
                refs,
                and_(
                    refs.c.local_key == ann.c.uuid,
                    refs.c.entity == "annotation",
                    refs.c.remote_id == remote_id,
                ),
            )
        )
        .where(
            or_(
                and_(refs.c.id.is_(None), ann.c.deleted == 0),
                and_(refs.c.id.is_not(None), ann.c.rev > refs.c.synced_rev),
            )
        )
    )
    dirty_status = (
        select(rimg.c.image_id)
        .join(img, img.c.id == rimg.c.image_id)
        .where(rimg.c.remote_id == remote_id, img.c.rev > rimg.c.synced_rev)
    )
    query = (
        select(rimg.c.image_id)
        .where(
            rimg.c.remote_id == remote_id,
            rimg.c.deleted_remotely == 0,
            or_(rimg.c.image_id.in_(dirty_ann), rimg.c.image_id.in_(dirty_status)),
        )
        .order_by(rimg.c.image_id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(conn.execute(query).scalars())


def pending_count(conn: Connection, remote_id: int) -> int:
    return len(dirty_image_ids(conn, remote_id))


# -- conflicts and issues ------------------------------------------------------------------
def add_conflict(
    conn: Connection,
    remote_id: int,
    entity: str,
    local_key: str,
    image_id: int | None,
    remote_payload: Mapping[str, Any],
    remote_version: str | None,
    detail: str,
) -> None:
    """Record (or refresh) the open conflict of one entity."""
    conn.execute(
        con.delete().where(
            con.c.remote_id == remote_id,
            con.c.entity == entity,
            con.c.local_key == local_key,
            con.c.resolved_at.is_(None),
        )
    )
    conn.execute(
        con.insert().values(
            remote_id=remote_id,
            entity=entity,
            local_key=local_key,
            image_id=image_id,
            remote_payload=json.dumps(dict(remote_payload), default=str),
            remote_version=remote_version,
            detail=detail,
            created_at=now_iso(),
        )
    )


def open_conflicts(
    conn: Connection,
    remote_id: int | None = None,
    *,
    image_id: int | None = None,
    conflict_id: int | None = None,
) -> list[ConflictRecord]:
    """Open conflicts, all of them or those of one remote, one image or one id."""
    query = select(con).where(con.c.resolved_at.is_(None)).order_by(con.c.id)
    if remote_id is not None:
        query = query.where(con.c.remote_id == remote_id)
    if image_id is not None:
        query = query.where(con.c.image_id == image_id)
    if conflict_id is not None:
        query = query.where(con.c.id == conflict_id)
    return [
        ConflictRecord(
            r.id,
            r.remote_id,
            r.entity,
            r.local_key,
            r.image_id,
            json.loads(r.remote_payload),
            r.remote_version,
            r.detail,
            r.created_at,
        )
        for r in conn.execute(query)
    ]


def open_conflict_keys(conn: Connection, remote_id: int) -> set[str]:
    return set(
        conn.execute(
            select(con.c.local_key).where(con.c.remote_id == remote_id, con.c.resolved_at.is_(None))
        ).scalars()
    )


def close_conflict(conn: Connection, conflict_id: int, resolution: str) -> None:
    conn.execute(
        con.update()
        .where(con.c.id == conflict_id)
        .values(resolved_at=now_iso(), resolution=resolution)
    )


def replace_problems(
    conn: Connection,
    remote_id: int,
    image_id: int | None,
    scope: str,
    problems: Iterable[tuple[str, str | None, str | None, str]],
) -> None:
    """Make ``(kind, local_key, remote_key, message)`` the problems of one image and step.

    Each pull of an image re-states its pull problems and each push its push problems, so
    a row stays exactly as long as what it describes is still true.
    """
    where = [prob.c.remote_id == remote_id, prob.c.scope == scope]
    where.append(prob.c.image_id.is_(None) if image_id is None else prob.c.image_id == image_id)
    conn.execute(prob.delete().where(*where))
    rows = [
        {
            "remote_id": remote_id,
            "image_id": image_id,
            "scope": scope,
            "kind": kind,
            "local_key": local_key,
            "remote_key": remote_key,
            "message": message,
            "created_at": now_iso(),
        }
        for kind, local_key, remote_key, message in problems
    ]
    if rows:
        conn.execute(prob.insert(), rows)


def problems(conn: Connection, remote_id: int | None = None) -> list[ProblemRecord]:
    query = (
        select(prob, img.c.name)
        .select_from(prob.outerjoin(img, img.c.id == prob.c.image_id))
        .order_by(prob.c.id)
    )
    if remote_id is not None:
        query = query.where(prob.c.remote_id == remote_id)
    return [
        ProblemRecord(
            r.id, r.image_id, r.name, r.scope, r.kind, r.local_key, r.remote_key, r.message
        )
        for r in conn.execute(query)
    ]


def issues(conn: Connection, remote_id: int | None = None) -> list[tuple[str, str, str]]:
    """Problems as (kind, key, message) lines, for short listings."""
    return [
        (p.kind, p.local_key or p.remote_key or "", f"{p.image_name or ''}: {p.message}")
        for p in problems(conn, remote_id)
    ]


def count_open_conflicts(conn: Connection) -> int:
    return conn.execute(
        select(func.count()).select_from(con).where(con.c.resolved_at.is_(None))
    ).scalar_one()
