"""The sync engine against an in-memory remote: pull, push, conflicts, offline, crashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import (
    AddAnnotations,
    DeleteAnnotations,
    EditAnnotations,
    SetImageStatus,
)
from limner.models.editing.history import History
from limner.models.store import queries, sync_store
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.sync.adapters.base import Region
from limner.sync.engine import SyncEngine, resolve_conflict
from tests.sync.fake_remote import FakeAdapter, FakeServer


@pytest.fixture
def server() -> FakeServer:
    srv = FakeServer()
    srv.add_task("t1", regions=[Region("r-1", "cat", Box(1, 1, 10, 10))])
    srv.add_task("t2")
    srv.add_task("t3", regions=[Region("r-3", "dog", Box(5, 5, 20, 20), {"note": "x"})])
    return srv


@pytest.fixture
def linked(tmp_path: Path, server: FakeServer):
    store = ProjectStore.create(tmp_path / "p")
    with store.transaction() as (conn, _):
        remote_id = sync_store.add_remote(conn, "fake", "fake://server", "1")
    engine = SyncEngine(store, remote_id, FakeAdapter(server), workers=2)
    yield store, engine, server
    store.close()


def image_named(store: ProjectStore, name: str):
    with store.read() as conn:
        return queries.image_by_name(conn, name)


def annotations(store: ProjectStore, name: str):
    with store.read() as conn:
        return {a.uuid: a for a in queries.annotations_for_image(conn, image_named(store, name).id)}


def test_first_sync_clones_images_classes_and_regions(linked) -> None:
    store, engine, server = linked
    report = engine.run_once()
    assert report.state == "up_to_date", report.message
    assert report.pulled_images == 3 and report.downloaded == 3
    assert report.pending == 0 and report.ok
    with store.read() as conn:
        assert [c.name for c in queries.label_classes(conn)] == ["cat", "dog"]
        assert queries.image_count(conn) == 3
    t1 = annotations(store, "t1.png")
    assert t1["r-1"].geometry == Box(1, 1, 10, 10)
    assert t1["r-1"].source == "remote:fake"
    assert dict(annotations(store, "t3.png")["r-3"].attributes) == {"note": "x"}
    assert image_named(store, "t1.png").status == "submitted"
    assert image_named(store, "t1.png").width == 60
    # a second run pulls nothing new and pushes nothing
    again = engine.run_once()
    assert again.pulled_images == 0 and again.pushed_images == 0
    assert server.containers_created == 2


def test_local_edits_are_pushed_as_current_state(linked) -> None:
    store, engine, server = linked
    engine.run_once()
    history = History(store)
    t2 = image_named(store, "t2.png")
    new = NewAnnotation(new_uuid(), t2.id, None, Box(2, 3, 4, 5))
    history.execute(AddAnnotations((new,)))
    record = annotations(store, "t1.png")["r-1"]
    history.execute(
        EditAnnotations.from_records("Move", [(record, {"geometry": Box(2, 2, 11, 11)})])
    )
    history.execute(SetImageStatus({t2.id: "new"}, "submitted"))
    with store.read() as conn:
        assert sync_store.pending_count(conn, engine.remote_id) == 2
    report = engine.run_once()
    assert report.pushed_images == 2 and report.pending == 0, report.message
    assert server.tasks["t2"].container.regions[new.uuid].geometry == Box(2, 3, 4, 5)
    assert server.tasks["t2"].status == "submitted"
    assert server.tasks["t1"].container.regions["r-1"].geometry == Box(2, 2, 11, 11)
    # deleting locally deletes remotely
    history.execute(DeleteAnnotations(("r-1",), on_image=record.image_id))
    engine.run_once()
    assert server.tasks["t1"].container.regions == {}
    assert engine.run_once().pushed_images == 0


def test_remote_edit_is_pulled(linked) -> None:
    store, engine, server = linked
    engine.run_once()
    server.edit("t1", Region("r-1", "dog", Box(3, 3, 30, 30)))
    server.edit("t1", Region("r-9", "cat", Box(0, 0, 5, 5)))
    server.edit("t3", None, uuid="r-3")
    report = engine.run_once()
    assert report.updated == 1 and report.created == 1 and report.deleted == 1
    t1 = annotations(store, "t1.png")
    assert t1["r-1"].geometry == Box(3, 3, 30, 30)
    with store.read() as conn:
        dog = next(c for c in queries.label_classes(conn) if c.name == "dog")
    assert t1["r-1"].class_id == dog.id
    assert "r-3" not in annotations(store, "t3.png")
    assert report.pending == 0  # pulled changes are not dirty


@pytest.mark.parametrize("choice", ["mine", "theirs", "both"])
def test_both_sides_edit_becomes_a_conflict(linked, choice: str) -> None:
    store, engine, server = linked
    engine.run_once()
    history = History(store)
    record = annotations(store, "t1.png")["r-1"]
    history.execute(
        EditAnnotations.from_records("Move", [(record, {"geometry": Box(7, 7, 17, 17)})])
    )
    server.edit("t1", Region("r-1", "cat", Box(1, 1, 40, 30)))
    report = engine.run_once()
    assert report.conflicts == 1
    # nothing overwritten in either direction
    assert annotations(store, "t1.png")["r-1"].geometry == Box(7, 7, 17, 17)
    assert server.tasks["t1"].container.regions["r-1"].geometry == Box(1, 1, 40, 30)
    with store.read() as conn:
        (conflict,) = sync_store.open_conflicts(conn)
    resolve_conflict(store, conflict.id, choice)
    engine.run_once()
    local = annotations(store, "t1.png")
    remote = server.tasks["t1"].container.regions
    if choice == "mine":
        assert local["r-1"].geometry == remote["r-1"].geometry == Box(7, 7, 17, 17)
    elif choice == "theirs":
        assert local["r-1"].geometry == remote["r-1"].geometry == Box(1, 1, 40, 30)
        assert len(local) == 1
    else:
        assert local["r-1"].geometry == remote["r-1"].geometry == Box(1, 1, 40, 30)
        copies = [a for u, a in local.items() if u != "r-1"]
        assert [a.geometry for a in copies] == [Box(7, 7, 17, 17)]
        assert {r.geometry for r in remote.values()} == {Box(1, 1, 40, 30), Box(7, 7, 17, 17)}
    with store.read() as conn:
        assert sync_store.open_conflicts(conn) == []


def test_offline_keeps_edits_and_resumes(linked) -> None:
    store, engine, server = linked
    engine.run_once()
    history = History(store)
    t2 = image_named(store, "t2.png")
    item = NewAnnotation(new_uuid(), t2.id, None, Box(2, 3, 4, 5))
    history.execute(AddAnnotations((item,)))
    server.offline = True
    report = engine.run_once()
    assert report.state == "offline" and report.pending == 1
    assert server.tasks["t2"].container is None
    server.offline = False
    report = engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0
    assert item.uuid in server.tasks["t2"].container.regions


def test_crash_after_remote_write_creates_no_duplicate(linked, monkeypatch) -> None:
    store, engine, server = linked
    engine.run_once()
    history = History(store)
    t2 = image_named(store, "t2.png")
    item = NewAnnotation(new_uuid(), t2.id, None, Box(2, 3, 4, 5))
    history.execute(AddAnnotations((item,)))
    calls = {"n": 0}
    from limner.sync.push import Pusher

    original = Pusher.record

    def die_once(self, snap, result):
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt("killed between the server's answer and the commit")
        return original(self, snap, result)

    monkeypatch.setattr(Pusher, "record", die_once)
    with pytest.raises(KeyboardInterrupt):
        engine.run_once()
    created = server.containers_created
    report = engine.run_once()
    assert report.pending == 0, report.message
    assert server.containers_created == created  # the retry reused the container
    assert list(server.tasks["t2"].container.regions) == [item.uuid]


def test_validation_error_parks_the_image_and_others_go_on(linked) -> None:
    store, engine, server = linked
    engine.run_once()
    history = History(store)
    from limner.models.editing.commands import AddClass

    history.execute(AddClass({"name": "forbidden", "color": "#000000"}))
    with store.read() as conn:
        bad_class = next(c for c in queries.label_classes(conn) if c.name == "forbidden")
    t1, t2 = image_named(store, "t1.png"), image_named(store, "t2.png")
    history.execute(
        AddAnnotations((NewAnnotation(new_uuid(), t1.id, bad_class.id, Box(1, 1, 3, 3)),))
    )
    good = NewAnnotation(new_uuid(), t2.id, None, Box(1, 1, 3, 3))
    history.execute(AddAnnotations((good,)))
    report = engine.run_once()
    assert any("forbidden" in issue for issue in report.issues)
    assert good.uuid in server.tasks["t2"].container.regions
    assert not report.ok


def test_cursor_advances_only_with_a_committed_batch(linked, monkeypatch) -> None:
    store, engine, server = linked
    from limner.sync.merge import LocalWriter

    original = LocalWriter.apply_pull
    seen = {"n": 0}

    def fail_on_third(self, image_id, plan, version):
        seen["n"] += 1
        if seen["n"] == 3:
            raise RuntimeError("disk full")
        return original(self, image_id, plan, version)

    monkeypatch.setattr(LocalWriter, "apply_pull", fail_on_third)
    with pytest.raises(RuntimeError):
        engine.run_once()
    with store.read() as conn:
        cursor = sync_store.get_cursor(conn, engine.remote_id, "images")
        count = queries.image_count(conn)
    assert count == 2  # the first page of two committed, the failed one rolled back
    assert cursor == f"{server.tasks['t2'].version:08d}"
    monkeypatch.setattr(LocalWriter, "apply_pull", original)
    assert engine.run_once().state == "up_to_date"
    with store.read() as conn:
        assert queries.image_count(conn) == 3


def test_remote_deletion_is_flagged_not_applied(linked) -> None:
    store, engine, server = linked
    engine.run_once()
    del server.tasks["t2"]
    engine.run_once()
    with store.read() as conn:
        assert queries.image_count(conn) == 3  # local work is never deleted by a sweep
        flags = conn.exec_driver_sql(
            "SELECT remote_key, deleted_remotely FROM remote_image ORDER BY remote_key"
        ).fetchall()
    assert flags == [("t1", 0), ("t2", 1), ("t3", 0)]


def test_an_image_that_cannot_be_read_is_a_problem_not_silence(linked) -> None:
    _store, engine, server = linked
    task = server.add_task("broken")
    task.file = b"this is not an image"
    report = engine.run_once()
    rows = [p for p in report.problems if p["remote_key"] == "broken"]
    assert [p["kind"] for p in rows] == ["error"], report.problems
    assert "could not be read" in rows[0]["message"]
    assert report.exit_code == 1
