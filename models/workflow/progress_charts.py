"""The numbers behind the Progress charts: what was labelled, when, and by whom.

Three views leads and reviewers ask for, each one grouped query:

- class distribution: shapes per class and the number of images holding each class;
- statuses per day: the status moves of each day from the status history, by the status
  they moved to (so a day's bar says how much was submitted, approved, rejected...);
- throughput per annotator: images each person submitted, and on how many distinct days,
  so "12 images in 3 days" reads as a pace rather than a total.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, distinct, func, select

from limner.models.domain.entities import ImageStatus
from limner.models.store import schema

ann = schema.annotation
cls = schema.label_class
sc = schema.status_change
NO_CLASS = "(no class)"


@dataclass(frozen=True, slots=True)
class ClassCount:
    name: str
    color: str
    shapes: int
    images: int


@dataclass(frozen=True, slots=True)
class Throughput:
    actor: str
    submitted: int
    days: int

    @property
    def per_day(self) -> float:
        return self.submitted / self.days if self.days else 0.0


def class_distribution(conn: Connection) -> list[ClassCount]:
    """Every class in panel order (empty ones too), then shapes without a class if any."""
    live = ann.c.deleted == 0
    counts = {
        class_id: (shapes, images)
        for class_id, shapes, images in conn.execute(
            select(ann.c.class_id, func.count(), func.count(distinct(ann.c.image_id)))
            .where(live)
            .group_by(ann.c.class_id)
        )
    }
    ordered = select(cls.c.id, cls.c.name, cls.c.color).order_by(cls.c.sort_order, cls.c.id)
    found = [
        ClassCount(row.name, row.color, *counts.get(row.id, (0, 0)))
        for row in conn.execute(ordered)
    ]
    if None in counts:
        found.append(ClassCount(NO_CLASS, "#9e9e9e", *counts[None]))
    return found


def statuses_per_day(conn: Connection) -> dict[str, dict[str, int]]:
    """{"2026-12-01": {"submitted": 4, "approved": 2}, ...}, oldest day first."""
    day = func.substr(sc.c.time, 1, 10)
    rows = conn.execute(
        select(day, sc.c.to_status, func.count()).group_by(day, sc.c.to_status).order_by(day)
    )
    found: dict[str, dict[str, int]] = {}
    for when, status, n in rows:
        found.setdefault(str(when), {})[str(status)] = int(n)
    return found


def throughput(conn: Connection) -> list[Throughput]:
    """Images submitted per person and the days they submitted on, busiest first."""
    day = func.substr(sc.c.time, 1, 10)
    rows = conn.execute(
        select(sc.c.actor, func.count(distinct(sc.c.image_id)), func.count(distinct(day)))
        .where(sc.c.to_status == ImageStatus.SUBMITTED.value)
        .group_by(sc.c.actor)
    )
    found = [Throughput(str(actor), int(n), int(days)) for actor, n, days in rows]
    return sorted(found, key=lambda t: (-t.submitted, t.actor))


__all__ = [
    "NO_CLASS",
    "ClassCount",
    "Throughput",
    "class_distribution",
    "statuses_per_day",
    "throughput",
]
