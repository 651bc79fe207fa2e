"""The editing session: events that name what changed, reads that follow them, selection
that does not depend on when (or in which thread) anyone hears about it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from limner.models.domain.entities import Annotation, NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.events import (
    SHAPE_EVENTS,
    ImageChanged,
    ImagesChanged,
    SelectionChanged,
    SessionEvent,
    ShapesAdded,
    ShapesRemoved,
    ShapesUpdated,
)
from limner.models.editing.session import EditingSession
from limner.models.editing.shapes import ShapeSet
from limner.models.store import queries, tx
from limner.models.store.store import ProjectStore
from tests.models.editing_session import drag, session_on_first_image, stored, use_tool


@pytest.fixture
def session(project: ProjectStore) -> Iterator[EditingSession]:
    opened = session_on_first_image(project)
    yield opened
    opened.close()


def write_boxes(store: ProjectStore, image_id: int, count: int, origin: str = "sync") -> list[str]:
    """Shapes written straight into the store, as a pull from a server writes them."""
    uuids = []
    with store.transaction(origin=origin) as (conn, changes):
        for i in range(count):
            uuid = tx.new_uuid()
            box = Box(1 + i % 40, 1 + i % 30, 20 + i % 40, 20 + i % 30)
            tx.insert_annotation(conn, changes, NewAnnotation(uuid, image_id, None, box, z=i))
            uuids.append(uuid)
    return uuids


class ReadSpy:
    """Counts the annotation rows the session's queries return, per query."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rows: dict[str, int] = {"annotations_for_image": 0, "annotations_by_uuids": 0}
        for name in self.rows:
            monkeypatch.setattr(queries, name, self._counting(name, getattr(queries, name)))

    def _counting(self, name: str, real: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
        def counted(*args: Any, **kwargs: Any) -> list[Any]:
            found = real(*args, **kwargs)
            self.rows[name] += len(found)
            return found

        return counted


def shape_events(events: list[SessionEvent]) -> list[SessionEvent]:
    return [e for e in events if isinstance(e, (*SHAPE_EVENTS, SelectionChanged))]


# -- reading only what changed ---------------------------------------------------------------


def test_a_box_commit_reads_the_one_row_it_added(
    session: EditingSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert session.image is not None
    write_boxes(session.store, session.image.id, 40)
    assert len(session.annotations) == 40
    spy = ReadSpy(monkeypatch)
    drag(use_tool(session, "box"), (10, 10), (50, 40))
    assert spy.rows == {"annotations_for_image": 0, "annotations_by_uuids": 1}
    assert len(stored(session)) == 41


def test_undo_and_a_move_read_only_their_rows(
    session: EditingSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert session.image is not None
    write_boxes(session.store, session.image.id, 25)
    drag(use_tool(session, "box"), (60, 45), (75, 58))
    spy = ReadSpy(monkeypatch)
    drag(use_tool(session, "select"), (70, 50), (72, 52))
    session.undo()
    session.redo()
    assert spy.rows == {"annotations_for_image": 0, "annotations_by_uuids": 3}
    assert len(stored(session)) == 26


# -- events ----------------------------------------------------------------------------------


def test_events_name_the_shapes_and_the_selection(session: EditingSession) -> None:
    events: list[SessionEvent] = []
    session.subscribe(events.append)
    drag(use_tool(session, "box"), (10, 10), (50, 40))
    (box,) = stored(session)
    image = box.image_id
    assert shape_events(events) == [ShapesAdded(image, (box.uuid,)), SelectionChanged({box.uuid})]
    assert any(isinstance(e, ImagesChanged) for e in events)  # the list's count changed
    events.clear()
    drag(use_tool(session, "select"), (30, 25), (35, 27))
    assert shape_events(events) == [ShapesUpdated(image, (box.uuid,))]
    events.clear()
    session.undo()
    session.undo()
    assert shape_events(events) == [
        ShapesUpdated(image, (box.uuid,)),
        ShapesRemoved(image, (box.uuid,)),
        SelectionChanged(frozenset()),
    ]


def test_a_write_on_another_image_changes_no_shape(session: EditingSession) -> None:
    events: list[SessionEvent] = []
    session.subscribe(events.append)
    with session.store.read() as conn:
        other = queries.neighbor_image(conn, session.image_id or 0, +1)
    assert other is not None
    write_boxes(session.store, other.id, 3)
    assert shape_events(events) == [] and session.annotations == []
    assert [type(e) for e in events] == [ImagesChanged]


def test_opening_an_image_is_one_event_and_one_full_read(
    session: EditingSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session.store.read() as conn:
        other = queries.neighbor_image(conn, session.image_id or 0, +1)
    assert other is not None
    write_boxes(session.store, other.id, 7)
    events: list[SessionEvent] = []
    session.subscribe(events.append)
    spy = ReadSpy(monkeypatch)
    assert session.step(+1)
    assert events == [ImageChanged(session.image)]
    assert spy.rows == {"annotations_for_image": 7, "annotations_by_uuids": 0}


def test_a_shape_deleted_by_a_pull_leaves_the_selection(session: EditingSession) -> None:
    assert session.image is not None
    keep, gone = write_boxes(session.store, session.image.id, 2)
    session.set_selection([keep, gone])
    events: list[SessionEvent] = []
    session.subscribe(events.append)
    with session.store.transaction(origin="sync") as (conn, changes):
        tx.set_annotation_deleted(conn, changes, gone, True)
    assert session.selection() == {keep}
    assert shape_events(events) == [
        ShapesRemoved(session.image.id, (gone,)),
        SelectionChanged({keep}),
    ]


# -- threads and late delivery -----------------------------------------------------------------


def test_a_write_from_another_thread_is_applied_and_told_in_that_thread(
    session: EditingSession,
) -> None:
    assert session.image is not None
    heard: list[tuple[SessionEvent, int]] = []
    session.subscribe(lambda event: heard.append((event, threading.get_ident())))
    written: list[str] = []
    writer = threading.Thread(
        target=lambda: written.extend(write_boxes(session.store, session.image.id, 2))
    )
    writer.start()
    writer.join()
    assert {a.uuid for a in stored(session)} == set(written)
    added = [(e, who) for e, who in heard if isinstance(e, ShapesAdded)]
    assert len(added) == 1 and set(added[0][0].ids) == set(written)
    assert added[0][1] == writer.ident != threading.get_ident()


class Mirror:
    """A view that shows what the session's events tell it, reading the session's current
    state for the ids an event names (as the canvas and the annotation list do)."""

    def __init__(self, session: EditingSession) -> None:
        self.session = session
        self.shapes: dict[str, Annotation] = {}
        self.selected: frozenset[str] = frozenset()

    def handle(self, event: SessionEvent) -> None:
        if isinstance(event, SHAPE_EVENTS):
            for uuid in event.ids:
                record = self.session.shape(uuid)
                if record is None:
                    self.shapes.pop(uuid, None)
                else:
                    self.shapes[uuid] = record
        elif isinstance(event, SelectionChanged):
            self.selected = self.session.selection()


def test_the_box_is_selected_when_events_are_delivered_later(session: EditingSession) -> None:
    queue: list[SessionEvent] = []
    session.subscribe(queue.append)
    mirror = Mirror(session)
    drag(use_tool(session, "box"), (10, 10), (50, 40))
    (box,) = stored(session)
    assert session.selection() == {box.uuid}  # before anyone heard of the new row
    assert mirror.shapes == {}
    drag(use_tool(session, "select"), (30, 25), (40, 30))  # a second edit, also queued
    for event in queue:
        mirror.handle(event)
    (moved,) = stored(session)
    assert mirror.shapes == {box.uuid: moved}  # the late first event shows no older shape
    assert mirror.selected == {box.uuid}


def test_a_failed_commit_selects_nothing(session: EditingSession) -> None:
    assert session.image is not None
    events: list[SessionEvent] = []
    session.subscribe(events.append)
    bad = NewAnnotation("dup", session.image.id, 999_999, Box(1, 1, 5, 5))  # no such class
    assert not session.commit(AddAnnotations((bad,)))
    assert session.selection() == frozenset() and stored(session) == []
    assert [type(e).__name__ for e in events] == ["Failed"]


# -- the shape set -----------------------------------------------------------------------------


def shape(uuid: str, row: int, z: int, image: int = 1) -> Annotation:
    return Annotation(row, uuid, image, None, Box(0, 0, 5 + row, 5), z=z)


def test_shape_set_keeps_drawing_order_through_patches() -> None:
    a, b, c = shape("a", 1, 0), shape("b", 2, 5), shape("c", 3, 2)
    first = ShapeSet(1, [a, b, c])
    assert [s.uuid for s in first] == ["a", "c", "b"]
    lifted = shape("a", 1, 9)
    second, delta = first.patched({"a", "c", "x"}, {"a": lifted, "x": shape("x", 4, 1)})
    assert [s.uuid for s in second] == ["x", "b", "a"]
    assert (set(delta.added), set(delta.updated), set(delta.removed)) == ({"x"}, {"a"}, {"c"})
    assert [s.uuid for s in first] == ["a", "c", "b"]  # the old set is untouched
    assert second.position("b") == 1 and second.position("c") is None


def test_shape_set_ignores_equal_rows_and_other_images() -> None:
    a = shape("a", 1, 0)
    shapes = ShapeSet(1, [a])
    same, delta = shapes.patched({"a", "y"}, {"a": a, "y": shape("y", 2, 0, image=2)})
    assert same is shapes and delta.empty


def test_a_patched_set_keeps_drawing_order_like_a_fresh_one() -> None:
    """Rows changed in place reuse the previous order; a changed z re-sorts."""
    from dataclasses import replace as _replace

    from limner.models.domain.entities import Annotation as _Ann
    from limner.models.domain.geometry import Box as _Box
    from limner.models.editing.shapes import ShapeSet

    rows = [_Ann(i, f"u{i}", 1, 1, _Box(i, i, i + 5, i + 5), z=(i * 7) % 11) for i in range(1, 40)]
    base = ShapeSet(1, rows)
    base.ordered()  # the order a patch may reuse
    moved = _replace(rows[5], geometry=_Box(100, 100, 120, 130))
    lifted = _replace(rows[9], z=99)
    for changes in ([moved], [moved, lifted], [lifted]):
        patched, delta = base.patched([c.uuid for c in changes], {c.uuid: c for c in changes})
        fresh = ShapeSet(1, [next((c for c in changes if c.uuid == r.uuid), r) for r in rows])
        assert patched.ordered() == fresh.ordered()
        assert set(delta.updated) == {c.uuid for c in changes}
        # an edit that keeps every order key shares the sorted keys: no copy per edit
        assert (patched._keys is base._keys) == (changes == [moved])
        assert [patched.position(r.uuid) for r in rows] == [fresh.position(r.uuid) for r in rows]


def test_many_patches_fold_into_a_set_equal_to_a_fresh_one() -> None:
    """Patches go into a small overlay over a shared table, folded in from time to time;
    through adds, moves, re-orders and deletes the set reads as one built from scratch."""
    import random
    from dataclasses import replace as _replace

    from limner.models.domain.entities import Annotation as _Ann
    from limner.models.domain.geometry import Box as _Box

    rng = random.Random(7)
    rows = {f"u{i}": _Ann(i, f"u{i}", 1, 1, _Box(i, i, i + 5, i + 5), z=i % 13) for i in range(300)}
    current = ShapeSet(1, rows.values())
    first = current
    for step in range(3 * ShapeSet.FLATTEN):
        uuid = rng.choice(sorted(rows)) if rows and step % 5 else f"n{step}"
        if step % 7 == 0 and uuid in rows:
            del rows[uuid]
        elif uuid in rows:
            rows[uuid] = _replace(rows[uuid], z=rows[uuid].z + rng.choice((0, 0, 1)))
        else:
            rows[uuid] = _Ann(1000 + step, uuid, 1, 2, _Box(1, 1, 9, 9), z=step % 13)
        current, _delta = current.patched([uuid], {uuid: rows[uuid]} if uuid in rows else {})
        current.ordered()
    fresh = ShapeSet(1, rows.values())
    assert current.ordered() == fresh.ordered()
    assert len(current) == len(fresh) and current.uuids() == fresh.uuids()
    assert all(current.get(u) == r and u in current for u, r in rows.items())
    assert "u0" in first and len(first) == 300  # the first set never changed
    assert len(current._over) < ShapeSet.FLATTEN
