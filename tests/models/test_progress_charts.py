"""Class distribution, statuses per day and throughput, from real edits and reviews."""

from __future__ import annotations

import pytest

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.history import History
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.models.workflow.progress_charts import (
    NO_CLASS,
    class_distribution,
    statuses_per_day,
    throughput,
)
from limner.models.workflow.review_commands import Review, Submit


def test_the_three_charts_count_what_happened(
    project: ProjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = History(project)
    with project.read() as conn:
        images = [r.id for r in queries.image_page(conn, 0, 10)]
        cat = queries.label_classes(conn)[0]
    boxes = [(images[0], cat.id), (images[0], cat.id), (images[1], cat.id), (images[1], None)]
    history.execute(AddAnnotations(tuple(
        NewAnnotation(new_uuid(), image, cid, Box(1, 1, 5, 5)) for image, cid in boxes
    )))  # fmt: skip
    monkeypatch.setenv("LIMNER_USER", "ana")
    history.execute(Submit(images[:3]))
    monkeypatch.setenv("LIMNER_USER", "bo")
    history.execute(Submit([images[3]]))
    history.execute(Review(images[0], "approve"))
    with project.read() as conn:
        classes = {c.name: (c.shapes, c.images) for c in class_distribution(conn)}
        days = statuses_per_day(conn)
        pace = throughput(conn)
    assert classes == {"cat": (3, 2), "dog": (0, 0), "bird": (0, 0), NO_CLASS: (1, 1)}
    (today,) = days
    assert days[today] == {"in_progress": 2, "submitted": 4, "approved": 1}  # two images started
    assert [(t.actor, t.submitted, t.days, t.per_day) for t in pace] == [
        ("ana", 3, 1, 3.0), ("bo", 1, 1, 1.0),
    ]  # fmt: skip
