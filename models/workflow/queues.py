"""Work queues, "next image" jumps and progress counts.

A queue is an ordered list of images for one role (annotate or review) and optionally
one assignee. Local queues are made in limner for projects without a server; remote
queues are written by the sync engine from the server's assignments (:func:`sync_remote_queue`)
and are read-only here, since the next pull would overwrite a local edit anyway.

Queue order is the order images were assigned (``queue_item.position``), which for a
remote queue is the server's order. Filtering the project list by queue membership
(``queries.ImageFilter(queue_id=...)``) keeps project order instead, like every other
filter of that list.

Progress attributes an image to an annotator: the actor of its latest change to
``submitted``; for an image never submitted, the author of its most recently added live
annotation; images with neither count under ``NO_ANNOTATOR`` ("").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, Select, and_, func, select

from limner.models.domain.entities import ImageRecord, ImageStatus
from limner.models.errors import StoreError
from limner.models.store import schema, tx
from limner.models.store.rows import image_from_row
from limner.models.store.store import ChangeSet

img = schema.image
ann = schema.annotation
sc = schema.status_change
q = schema.queue
qi = schema.queue_item

ROLES: tuple[str, ...] = ("annotate", "review")
SOURCES: tuple[str, ...] = ("local", "remote")
NO_ANNOTATOR = ""
"""Progress key of images nobody has annotated or submitted yet."""

WANTED: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "unlabeled": (ImageStatus.NEW.value, ImageStatus.IN_PROGRESS.value),
        "rejected": (ImageStatus.REJECTED.value,),
        "submitted": (ImageStatus.SUBMITTED.value,),
        **{s.value: (s.value,) for s in ImageStatus},
    }
)
"""What :func:`next_image` can look for: "unlabeled" is work not handed in yet (new or
in progress); any canonical status can be asked for by name as well."""


@dataclass(frozen=True, slots=True)
class QueueRecord:
    id: int
    name: str
    role: str
    assignee: str | None
    source: str
    remote_id: int | None
    remote_key: str | None
    created_at: str
    size: int
    by_status: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Progress:
    """Counts for a progress view: by status, and by annotator then status."""

    total: int
    by_status: Mapping[str, int]
    by_annotator: Mapping[str, Mapping[str, int]]

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_status": dict(self.by_status),
            "by_annotator": {k: dict(v) for k, v in self.by_annotator.items()},
        }


# -- reading queues ------------------------------------------------------------------------
def _status_counts(conn: Connection, queue_ids: Sequence[int] | None) -> dict[int, dict[str, int]]:
    query = (
        select(qi.c.queue_id, img.c.status, func.count())
        .join(img, img.c.id == qi.c.image_id)
        .group_by(qi.c.queue_id, img.c.status)
    )
    if queue_ids is not None:
        query = query.where(qi.c.queue_id.in_(list(queue_ids)))
    out: dict[int, dict[str, int]] = {}
    for queue_id, status, n in conn.execute(query):
        out.setdefault(queue_id, {})[status] = n
    return out


def _records(conn: Connection, query: Select[Any]) -> list[QueueRecord]:
    rows = list(conn.execute(query))
    counts = _status_counts(conn, [r.id for r in rows])
    return [
        QueueRecord(
            id=r.id,
            name=r.name,
            role=r.role,
            assignee=r.assignee,
            source=r.source,
            remote_id=r.remote_id,
            remote_key=r.remote_key,
            created_at=r.created_at,
            size=sum(counts.get(r.id, {}).values()),
            by_status=MappingProxyType(counts.get(r.id, {})),
        )
        for r in rows
    ]


def queues(
    conn: Connection, *, role: str | None = None, assignee: str | None = None
) -> list[QueueRecord]:
    """Queues by name, with their size and counts by status (optionally one role/person)."""
    query = select(q).order_by(q.c.name)
    if role is not None:
        query = query.where(q.c.role == role)
    if assignee is not None:
        query = query.where(q.c.assignee == assignee)
    return _records(conn, query)


def queue_by_name(conn: Connection, name: str) -> QueueRecord | None:
    found = _records(conn, select(q).where(q.c.name == name))
    return found[0] if found else None


def queue_by_id(conn: Connection, queue_id: int) -> QueueRecord | None:
    found = _records(conn, select(q).where(q.c.id == queue_id))
    return found[0] if found else None


def require_queue(conn: Connection, name: str) -> QueueRecord:
    """The queue called ``name``, or a StoreError naming the queues that do exist."""
    record = queue_by_name(conn, name)
    if record is None:
        names = list(conn.execute(select(q.c.name).order_by(q.c.name)).scalars())
        known = ", ".join(names) if names else "none yet"
        raise StoreError(f"no queue named {name!r} (queues: {known})")
    return record


def queue_status_counts(conn: Connection) -> dict[str, dict[str, int]]:
    """{queue name: {status: count}} for every queue, empty ones included."""
    counts = _status_counts(conn, None)
    return {name: counts.get(qid, {}) for qid, name in conn.execute(select(q.c.id, q.c.name))}


def _queue_query(queue_id: int, status: str | None) -> Select[Any]:
    query = select(img).join(qi, qi.c.image_id == img.c.id).where(qi.c.queue_id == queue_id)
    if status:
        query = query.where(img.c.status == status)
    return query


def queue_count(conn: Connection, queue_id: int, status: str | None = None) -> int:
    query = (
        select(func.count())
        .select_from(qi.join(img, img.c.id == qi.c.image_id))
        .where(qi.c.queue_id == queue_id)
    )
    if status:
        query = query.where(img.c.status == status)
    return conn.execute(query).scalar_one()


def queue_page(
    conn: Connection, queue_id: int, offset: int, limit: int, status: str | None = None
) -> list[ImageRecord]:
    """One page of a queue's images, in queue order."""
    query = _queue_query(queue_id, status).order_by(qi.c.position).offset(offset).limit(limit)
    return [image_from_row(r) for r in conn.execute(query)]


def queue_image_ids(conn: Connection, queue_id: int) -> list[int]:
    query = select(qi.c.image_id).where(qi.c.queue_id == queue_id).order_by(qi.c.position)
    return list(conn.execute(query).scalars())


def queues_of_image(conn: Connection, image_id: int) -> list[str]:
    query = select(q.c.name).join(qi, qi.c.queue_id == q.c.id).where(qi.c.image_id == image_id)
    return list(conn.execute(query.order_by(q.c.name)).scalars())


# -- writing queues ------------------------------------------------------------------------
def check_queue_fields(conn: Connection, name: str, role: str) -> None:
    if not name.strip():
        raise StoreError("a queue needs a name")
    if role not in ROLES:
        raise StoreError(f"unknown queue role {role!r}; use annotate or review")
    if conn.execute(select(q.c.id).where(q.c.name == name)).first() is not None:
        raise StoreError(f"a queue named {name!r} exists already")


def insert_queue(
    conn: Connection,
    name: str,
    role: str,
    assignee: str | None = None,
    *,
    source: str = "local",
    remote_id: int | None = None,
    remote_key: str | None = None,
) -> int:
    check_queue_fields(conn, name, role)
    if source not in SOURCES:
        raise StoreError(f"unknown queue source {source!r}")
    result = conn.execute(
        q.insert().values(
            name=name,
            role=role,
            assignee=assignee or None,
            source=source,
            remote_id=remote_id,
            remote_key=remote_key,
            created_at=tx.now_iso(),
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def delete_queue(conn: Connection, queue_id: int) -> None:
    conn.execute(q.delete().where(q.c.id == queue_id))


def _existing_images(conn: Connection, image_ids: Sequence[int]) -> None:
    wanted = set(image_ids)
    found: set[int] = set()
    ids = list(wanted)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(conn.execute(select(img.c.id).where(img.c.id.in_(chunk))).scalars())
    missing = sorted(wanted - found)
    if missing:
        raise StoreError(f"no image with id {missing[0]}")


def add_queue_items(
    conn: Connection, changes: ChangeSet, queue_id: int, image_ids: Iterable[int]
) -> list[int]:
    """Append images to the end of a queue in the given order; returns the ones added.

    Images already in the queue keep their place (assigning twice is not an error).
    """
    ids = list(dict.fromkeys(image_ids))
    _existing_images(conn, ids)
    present = set(queue_image_ids(conn, queue_id))
    top = conn.execute(
        select(func.max(qi.c.position)).where(qi.c.queue_id == queue_id)
    ).scalar_one_or_none()
    position = (top if top is not None else -1) + 1
    added: list[int] = []
    rows: list[dict[str, int]] = []
    for image_id in ids:
        if image_id in present:
            continue
        rows.append({"queue_id": queue_id, "image_id": image_id, "position": position})
        added.append(image_id)
        position += 1
    if rows:
        conn.execute(qi.insert(), rows)
    changes.images.update(added)
    return added


def remove_queue_items(
    conn: Connection, changes: ChangeSet, queue_id: int, image_ids: Iterable[int]
) -> list[tuple[int, int]]:
    """Take images out of a queue; returns (image id, position) of those that were in it."""
    ids = list(dict.fromkeys(image_ids))
    removed: list[tuple[int, int]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        removed.extend(
            (r.image_id, r.position)
            for r in conn.execute(
                select(qi.c.image_id, qi.c.position).where(
                    qi.c.queue_id == queue_id, qi.c.image_id.in_(chunk)
                )
            )
        )
        conn.execute(qi.delete().where(qi.c.queue_id == queue_id, qi.c.image_id.in_(chunk)))
    changes.images.update(i for i, _ in removed)
    return removed


def restore_queue_items(
    conn: Connection, changes: ChangeSet, queue_id: int, items: Sequence[tuple[int, int]]
) -> None:
    """Put back (image id, position) pairs removed earlier, at their old places."""
    if items:
        conn.execute(
            qi.insert(),
            [{"queue_id": queue_id, "image_id": i, "position": p} for i, p in items],
        )
        changes.images.update(i for i, _ in items)


def queue_items(conn: Connection, queue_id: int) -> list[tuple[int, int]]:
    query = select(qi.c.image_id, qi.c.position).where(qi.c.queue_id == queue_id)
    return [(r.image_id, r.position) for r in conn.execute(query.order_by(qi.c.position))]


def sync_remote_queue(
    conn: Connection,
    changes: ChangeSet,
    *,
    remote_id: int,
    remote_key: str,
    name: str,
    role: str,
    assignee: str | None,
    image_ids: Sequence[int],
) -> int:
    """Make the local copy of a remote queue match the server (for the sync engine).

    The queue is found by its remote key; its items are replaced by ``image_ids`` in the
    server's order. A name already used by another queue gets the remote key appended,
    so a pulled queue never takes over a local one.
    """
    row = conn.execute(
        select(q.c.id).where(q.c.remote_id == remote_id, q.c.remote_key == remote_key)
    ).first()
    taken = conn.execute(select(q.c.id).where(q.c.name == name)).scalar_one_or_none()
    if taken is not None and (row is None or taken != row.id):
        name = f"{name} [{remote_key}]"
    if row is None:
        queue_id = insert_queue(
            conn, name, role, assignee, source="remote", remote_id=remote_id, remote_key=remote_key
        )
    else:
        queue_id = row.id
        if role not in ROLES:
            raise StoreError(f"unknown queue role {role!r}; use annotate or review")
        conn.execute(
            q.update().where(q.c.id == queue_id).values(name=name, role=role, assignee=assignee)
        )
        old = queue_image_ids(conn, queue_id)
        conn.execute(qi.delete().where(qi.c.queue_id == queue_id))
        changes.images.update(old)
    rows = [
        {"queue_id": queue_id, "image_id": image_id, "position": n}
        for n, image_id in enumerate(dict.fromkeys(image_ids))
    ]
    if rows:
        conn.execute(qi.insert(), rows)
    changes.images.update(r["image_id"] for r in rows)
    return queue_id


# -- navigation ----------------------------------------------------------------------------
def _resolve_queue_id(conn: Connection, queue: int | str | None) -> int | None:
    if queue is None or isinstance(queue, int):
        return queue
    return require_queue(conn, queue).id


def next_image(
    conn: Connection,
    after_image_id: int | None,
    wanted: str = "unlabeled",
    queue: int | str | None = None,
) -> ImageRecord | None:
    """The next image after ``after_image_id`` that needs ``wanted``, wrapping around.

    Order is project order, or queue order when ``queue`` (an id or a name) is given.
    Unreadable images are never offered. The current image is not its own next; None
    means nothing else is left (a "done" state for the caller to show).
    """
    statuses = WANTED.get(wanted)
    if statuses is None:
        raise StoreError(f"cannot look for {wanted!r}; use one of {', '.join(WANTED)}")
    queue_id = _resolve_queue_id(conn, queue)
    base = select(img).where(img.c.status.in_(statuses), img.c.error.is_(None))
    if queue_id is None:
        order = img.c.position
        here = (
            conn.execute(select(img.c.position).where(img.c.id == after_image_id)).scalar()
            if after_image_id is not None
            else None
        )
    else:
        base = base.join(qi, qi.c.image_id == img.c.id).where(qi.c.queue_id == queue_id)
        order = qi.c.position
        here = (
            conn.execute(
                select(qi.c.position).where(
                    qi.c.queue_id == queue_id, qi.c.image_id == after_image_id
                )
            ).scalar()
            if after_image_id is not None
            else None
        )
    if here is None:
        row = conn.execute(base.order_by(order).limit(1)).first()
        return image_from_row(row) if row else None
    row = conn.execute(base.where(order > here).order_by(order).limit(1)).first()
    if row is None:
        row = conn.execute(base.where(order < here).order_by(order).limit(1)).first()
    return image_from_row(row) if row else None


# -- progress ------------------------------------------------------------------------------
def _annotator_expr() -> Any:
    submitter = (
        select(sc.c.actor)
        .where(sc.c.image_id == img.c.id, sc.c.to_status == ImageStatus.SUBMITTED.value)
        .order_by(sc.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    last_author = (
        select(ann.c.author)
        .where(and_(ann.c.image_id == img.c.id, ann.c.deleted == 0))
        .order_by(ann.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(submitter, last_author, NO_ANNOTATOR)


def progress(conn: Connection, queue: int | str | None = None) -> Progress:
    """Counts by status and by annotator for the project, or for one queue."""
    queue_id = _resolve_queue_id(conn, queue)
    inner = select(img.c.status.label("status"), _annotator_expr().label("annotator"))
    if queue_id is not None:
        inner = inner.join(qi, qi.c.image_id == img.c.id).where(qi.c.queue_id == queue_id)
    per_image = inner.subquery()
    query = select(per_image.c.annotator, per_image.c.status, func.count()).group_by(
        per_image.c.annotator, per_image.c.status
    )
    by_status: dict[str, int] = {}
    by_annotator: dict[str, dict[str, int]] = {}
    for annotator, status, n in conn.execute(query):
        by_status[status] = by_status.get(status, 0) + n
        by_annotator.setdefault(annotator, {})[status] = n
    return Progress(
        total=sum(by_status.values()),
        by_status=MappingProxyType(by_status),
        by_annotator=MappingProxyType(
            {k: MappingProxyType(v) for k, v in sorted(by_annotator.items())}
        ),
    )


def progress_by_queue(conn: Connection) -> dict[str, Progress]:
    """The progress of every queue, by queue name."""
    return {r.name: progress(conn, r.id) for r in queues(conn)}
