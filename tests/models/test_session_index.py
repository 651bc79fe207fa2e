"""The editing session's spatial index follows an edit without being built again.

Building it computes the bounding box of every shape in Python (about a second at 100,000
shapes), so a session that built it after every edit made the click after each edit wait
that long. An edit that rewrites shapes where they stand patches it; anything that changes
which shapes are in it, or their drawing order, builds it again at the next use. Either
way it must answer exactly as a fresh build would.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from limner.models.domain import spatial
from limner.models.domain.geometry import Box
from limner.models.editing import shape_index
from limner.models.editing.commands import EditAnnotations
from limner.models.editing.session import EditingSession
from tests.models.editing_session import SessionFactory, add_shape, make_session

__all__ = ["make_session"]  # the fixture, used by name


class CountingIndex(spatial.BoxIndex):
    built = 0

    def __init__(self, annotations) -> None:  # type: ignore[no-untyped-def]
        CountingIndex.built += 1
        super().__init__(annotations)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> type[CountingIndex]:
    CountingIndex.built = 0
    monkeypatch.setattr(shape_index, "BoxIndex", CountingIndex)
    return CountingIndex


def fresh(session: EditingSession) -> spatial.BoxIndex:
    blocked = {c.id for c in session.classes if c.locked or c.hidden}
    return spatial.BoxIndex(
        [a for a in session.annotations if not (a.hidden or a.locked or a.class_id in blocked)]
    )


def assert_like_fresh(session: EditingSession) -> None:
    index, expected = session.spatial_index(), fresh(session)
    assert [a.uuid for a in index.items] == [a.uuid for a in expected.items]
    assert index.items == expected.items
    assert np.array_equal(index._boxes, expected._boxes)


def edit(session: EditingSession, uuid: str, **fields: object) -> None:
    record = session.shape(uuid)
    assert record is not None
    assert session.commit(EditAnnotations.from_records("edit", [(record, fields)]))


def boxes_on(session: EditingSession, count: int) -> list[str]:
    return [add_shape(session, Box(10 + 3 * i, 10, 40 + 3 * i, 50)) for i in range(count)]


def test_a_move_patches_the_index(make_session: SessionFactory, counted) -> None:
    session = make_session((400, 300))
    uuids = boxes_on(session, 6)
    session.spatial_index()
    built = counted.built
    edit(session, uuids[2], geometry=Box(200, 200, 260, 280))
    edit(session, uuids[4], geometry=Box(300, 10, 390, 90), class_id=None)
    assert_like_fresh(session)
    hit = session.spatial_index().at(230, 240)
    assert [a.uuid for a in hit] == [uuids[2]]
    assert session.spatial_index().at(20, 20)  # the shapes left where they were
    assert counted.built == built  # patched, never built again


def test_order_membership_and_additions_build_it_again(
    make_session: SessionFactory, counted
) -> None:
    session = make_session((400, 300))
    uuids = boxes_on(session, 5)
    for change in (
        lambda: edit(session, uuids[0], z=100),  # to the front: the order changed
        lambda: edit(session, uuids[1], hidden=True),  # leaves the index
        lambda: edit(session, uuids[1], hidden=False),  # comes back
        lambda: edit(session, uuids[2], locked=True),
        lambda: add_shape(session, Box(5, 5, 9, 9)),
    ):
        session.spatial_index()
        built = counted.built
        change()
        assert_like_fresh(session)
        assert counted.built == built + 1


def test_a_patched_index_is_a_copy(make_session: SessionFactory) -> None:
    session = make_session((400, 300))
    uuids = boxes_on(session, 3)
    before = session.spatial_index()
    kept = list(before.items)
    edit(session, uuids[0], geometry=Box(100, 100, 150, 150))
    assert before.items == kept  # a reader holding the old index sees the old shapes
    assert replace(kept[0], geometry=Box(100, 100, 150, 150)).geometry == (
        session.spatial_index().get(uuids[0]).geometry
    )
