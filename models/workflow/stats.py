"""The numbers ``limner info`` prints, across the store and the review workflow.

They live above the store because they count review history and queues as well as images
and annotations.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from limner.models.store import schema

ann_t = schema.annotation_tally
img_t = schema.image_tally
cls = schema.label_class
img = schema.image
q = schema.queue
qi = schema.queue_item
sc = schema.status_change


def project_stats(conn: Connection) -> dict[str, Any]:
    """The numbers ``limner info`` prints: counts by status, kind, class and queue.

    Images and annotations are read from the tallies SQLite keeps with every write (a few
    dozen rows), never by counting the annotation table, so the cost does not grow with
    the project.
    """
    by_status: dict[str, int] = {}
    errors = 0
    for status, unreadable, n in conn.execute(select(img_t).where(img_t.c.n > 0)):
        by_status[status] = by_status.get(status, 0) + n
        errors += n if unreadable else 0
    by_kind: dict[str, int] = {}
    live = select(cls.c.name).where(cls.c.deleted == 0).order_by(cls.c.sort_order, cls.c.id)
    by_class: dict[str, int] = dict.fromkeys(conn.execute(live).scalars(), 0)
    rows = conn.execute(
        select(cls.c.name, ann_t.c.kind, ann_t.c.n)
        .select_from(ann_t.outerjoin(cls, ann_t.c.class_id == cls.c.id))
        .where(ann_t.c.n > 0)
    )
    for name, kind, n in rows:
        by_kind[kind] = by_kind.get(kind, 0) + n
        key = name if name is not None else "(no class)"
        by_class[key] = by_class.get(key, 0) + n
    return {
        "images": sum(by_status.values()),
        "by_status": by_status,
        "unreadable_images": errors,
        "annotations": sum(by_kind.values()),
        "by_kind": by_kind,
        "by_class": by_class,
        "queues": _queue_counts(conn),
        "status_changes": conn.execute(select(func.count()).select_from(sc)).scalar_one(),
    }


def _queue_counts(conn: Connection) -> dict[str, dict[str, int]]:
    """{queue name: {status: count}} for every queue, empty ones included.

    Written here rather than borrowed from ``queues``, whose imports (the domain types,
    numpy) would cost ``limner info`` more than all its queries.
    """
    names = {qid: name for qid, name in conn.execute(select(q.c.id, q.c.name))}
    out: dict[str, dict[str, int]] = {name: {} for name in names.values()}
    query = (
        select(qi.c.queue_id, img.c.status, func.count())
        .join(img, img.c.id == qi.c.image_id)
        .group_by(qi.c.queue_id, img.c.status)
    )
    for queue_id, status, n in conn.execute(query):
        out[names[queue_id]][status] = n
    return out
