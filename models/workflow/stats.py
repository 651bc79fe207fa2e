"""The numbers ``limner info`` prints, across the store and the review workflow.

They live above the store because they count review history and queues as well as images
and annotations.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from limner.models.store import schema
from limner.models.store.queries import label_classes
from limner.models.workflow.queues import queue_status_counts
from limner.models.workflow.review import status_change_count

ann_t = schema.annotation_tally
img_t = schema.image_tally
cls = schema.label_class


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
    by_class: dict[str, int] = {c.name: 0 for c in label_classes(conn)}
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
        "queues": queue_status_counts(conn),
        "status_changes": status_change_count(conn),
    }
