"""What a sync run may leave out, and how a push stops, against the in-memory remote.

A run lists the whole remote project only when that can show something new: the
deletion sweep when the remote's count of images differs from the number linked here
(and as a safety net every ``SWEEP_EVERY``), the queues when the pull brought changes
(and every ``QUEUES_EVERY``). A push keeps every worker busy, and when it stops (a cancel,
the server gone) every image already sent is recorded, and only those.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.history import History
from limner.models.store import queries, sync_store
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.sync.adapters.base import RemoteQueue
from limner.sync.engine import QUEUES_EVERY, SWEEP_EVERY, SyncEngine
from limner.sync.errors import OfflineError
from tests.sync.fake_remote import FakeAdapter, FakeServer


class CountingAdapter(FakeAdapter):
    """The fake remote with a count of its images learned at connect, and one queue."""

    def __init__(self, server: FakeServer) -> None:
        super().__init__(server)
        self.count: int | None = None
        self.count_offset = 0  # a server whose count lies
        self.applied: list[str] = []
        self._lock = threading.Lock()

    def connect(self):
        info = super().connect()
        self.count = len(self.server.tasks) + self.count_offset
        return info

    def image_count(self) -> int | None:
        return self.count

    def queues(self) -> list[RemoteQueue]:
        self._online("queues")
        keys = tuple(sorted(self.server.tasks))
        return [RemoteQueue("q1", "all", "annotate", None, keys)]

    def apply(self, image, plan, push):
        result = super().apply(image, plan, push)
        with self._lock:
            self.applied.append(push.key)
        return result


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[ProjectStore, SyncEngine, FakeServer, Clock]]:
    server = FakeServer()
    for n in range(1, 4):
        server.add_task(f"t{n}")
    store = ProjectStore.create(tmp_path / "p")
    with store.transaction() as (conn, _):
        remote_id = sync_store.add_remote(conn, "fake", "fake://server", "1")
    clock = Clock()
    engine = SyncEngine(store, remote_id, CountingAdapter(server), workers=2, clock=clock)
    yield store, engine, server, clock
    store.close()


def flagged(store: ProjectStore) -> list[str]:
    with store.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT remote_key FROM remote_image WHERE deleted_remotely = 1 ORDER BY remote_key"
        ).fetchall()
    return [r[0] for r in rows]


def test_the_sweep_runs_only_when_the_counts_differ(world) -> None:
    store, engine, server, _clock = world
    engine.run_once()
    assert server.calls["keys"] == 1  # the first run has no sweep to go by
    engine.run_once()
    assert server.calls["keys"] == 1  # 3 on the server, 3 linked here: nothing deleted
    del server.tasks["t2"]
    engine.run_once()
    assert server.calls["keys"] == 2 and flagged(store) == ["t2"]
    engine.run_once()
    assert server.calls["keys"] == 2  # 2 there, 2 still linked here


def test_a_deletion_and_an_addition_between_runs_are_both_seen(world) -> None:
    store, engine, server, _clock = world
    engine.run_once()
    del server.tasks["t1"]
    server.add_task("t4")  # the server's count is what it was
    report = engine.run_once()
    assert report.pulled_images == 1
    assert flagged(store) == ["t1"]


def test_a_full_sweep_runs_every_sweep_every_even_if_the_counts_agree(world) -> None:
    store, engine, server, clock = world
    engine.run_once()
    del server.tasks["t3"]
    engine.adapter.count_offset = 1  # the server still counts the deleted image
    clock.now += SWEEP_EVERY - timedelta(seconds=1)
    engine.run_once()
    assert server.calls["keys"] == 1 and flagged(store) == []
    clock.now += timedelta(seconds=2)
    engine.run_once()
    assert server.calls["keys"] == 2 and flagged(store) == ["t3"]


def test_a_clock_set_back_sweeps_at_once(world) -> None:
    _store, engine, server, clock = world
    engine.run_once()
    clock.now -= timedelta(hours=1)
    engine.run_once()
    assert server.calls["keys"] == 2


def test_an_adapter_without_a_count_sweeps_every_run(world) -> None:
    _store, engine, server, _clock = world
    engine.adapter = FakeAdapter(server)
    for runs in range(1, 4):
        engine.run_once()
        assert server.calls["keys"] == runs


def test_queues_are_listed_after_changes_and_every_queues_every(world) -> None:
    store, engine, server, clock = world
    engine.run_once()
    assert server.calls["queues"] == 1
    engine.run_once()
    assert server.calls["queues"] == 1  # nothing changed, listed a moment ago
    server.add_task("t4")
    engine.run_once()
    assert server.calls["queues"] == 2
    with store.read() as conn:
        from limner.models.workflow import queues as qs

        (queue,) = [q for q in qs.queues(conn) if q.name == "all"]
        assert queue.size == 4
    clock.now += QUEUES_EVERY + timedelta(seconds=1)
    engine.run_once()
    assert server.calls["queues"] == 3


# -- how a push stops ---------------------------------------------------------------------
def _edit_every_image(store: ProjectStore) -> int:
    history = History(store)
    with store.read() as conn:
        cat = next(c.id for c in queries.label_classes(conn) if c.name == "cat")
        records = queries.image_page(conn, 0, 100)
    for record in records:
        box = NewAnnotation(new_uuid(), record.id, cat, Box(1, 1, 8, 8))
        history.execute(AddAnnotations((box,)))
    return len(records)


@pytest.fixture
def many(world) -> tuple[ProjectStore, SyncEngine, FakeServer, int]:
    store, engine, server, _clock = world
    for n in range(4, 25):
        server.add_task(f"t{n}")
    engine.run_once()
    return store, engine, server, _edit_every_image(store)


def pending(store: ProjectStore, engine: SyncEngine) -> int:
    with store.read() as conn:
        return sync_store.pending_count(conn, engine.remote_id)


def test_a_cancelled_push_records_every_image_it_sent_and_only_those(many) -> None:
    store, engine, server, total = many
    cancel = threading.Event()

    def progress(stage: str, done: int, _total: int | None) -> None:
        if stage == "push" and done >= 3:
            cancel.set()

    report = engine.run_once(progress=progress, cancel=cancel)
    assert report.state == "cancelled"
    sent = len(engine.adapter.applied)
    assert 3 <= sent < total
    assert pending(store, engine) == total - sent
    assert engine.run_once().ok  # the rest goes next time, nothing twice
    assert sorted(engine.adapter.applied) == sorted(f"t{n}" for n in range(1, 25))
    assert server.containers_created == total


def test_a_push_that_loses_the_server_records_what_went_through(many) -> None:
    store, engine, server, total = many
    server.fail_push = [OfflineError("cannot reach fake server")]
    report = engine.run_once()
    assert report.state == "offline"
    sent = len(engine.adapter.applied)
    assert sent < total
    assert pending(store, engine) == total - sent
    assert engine.run_once().ok
    assert server.containers_created == total
