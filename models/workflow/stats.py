"""The numbers ``limner info`` prints, across the store and the review workflow.

They live above the store because they count review history and queues as well as images
and annotations.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from limner.models.store import schema
from limner.models.store.queries import label_classes
from limner.models.workflow.queues import queue_status_counts
from limner.models.workflow.review import status_change_count

img = schema.image
ann = schema.annotation
cls = schema.label_class


def project_stats(conn: Connection) -> dict[str, Any]:
    """The numbers ``limner info`` prints: counts by status, kind, class and queue."""
    by_status = {
        status: n
        for status, n in conn.execute(select(img.c.status, func.count()).group_by(img.c.status))
    }
    errors = conn.execute(
        select(func.count()).select_from(img).where(img.c.error.is_not(None))
    ).scalar_one()
    live = ann.c.deleted == 0
    by_kind = {
        kind: n
        for kind, n in conn.execute(
            select(ann.c.kind, func.count()).where(live).group_by(ann.c.kind)
        )
    }
    by_class: dict[str, int] = {c.name: 0 for c in label_classes(conn)}
    class_counts = conn.execute(
        select(cls.c.name, func.count())
        .select_from(ann.outerjoin(cls, ann.c.class_id == cls.c.id))
        .where(live)
        .group_by(cls.c.name)
    )
    for name, n in class_counts:
        by_class[name if name is not None else "(no class)"] = n
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
