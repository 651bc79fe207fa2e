"""The push sends no more images at once than the adapter says its server takes well."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.history import History
from limner.models.store import queries, sync_store
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.sync.engine import SyncEngine
from tests.sync.fake_remote import FakeAdapter, FakeServer


class InFlightAdapter(FakeAdapter):
    """Counts the images being sent at once. The first send waits (a little) for a second
    one to join it, so a push that would send two at once does so within the wait."""

    def __init__(self, server: FakeServer, parallel: int | None) -> None:
        super().__init__(server)
        self.parallel = parallel
        self.in_flight = 0
        self.most = 0
        self._lock = threading.Lock()
        self._joined = threading.Event()
        self._first = True

    def push_parallelism(self) -> int | None:
        return self.parallel

    def apply(self, image, plan, push):
        with self._lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            first, self._first = self._first, False
            if self.in_flight > 1:
                self._joined.set()
        try:
            if first:
                self._joined.wait(1.0)
            return super().apply(image, plan, push)
        finally:
            with self._lock:
                self.in_flight -= 1


@pytest.mark.parametrize(
    ("parallel", "low", "high"), [(None, 2, 3), (1, 1, 1), (2, 2, 2), (8, 2, 3)]
)
def test_sends_at_once_are_capped_by_the_adapter(
    tmp_path: Path, parallel: int | None, low: int, high: int
) -> None:
    """Three workers; the adapter's number caps them, None leaves them all."""
    server = FakeServer()
    for k in range(8):
        server.add_task(f"t{k}")
    adapter = InFlightAdapter(server, parallel)
    store = ProjectStore.create(tmp_path / "p")
    try:
        with store.transaction() as (conn, _):
            remote_id = sync_store.add_remote(conn, "fake", "fake://server", "1")
        engine = SyncEngine(store, remote_id, adapter, workers=3)
        assert engine.run_once().ok
        history = History(store)
        with store.read() as conn:
            cat = next(c.id for c in queries.label_classes(conn) if c.name == "cat")
            images = queries.image_page(conn, 0, 100)
        for image in images:
            history.execute(
                AddAnnotations((NewAnnotation(new_uuid(), image.id, cat, Box(1, 1, 9, 9)),))
            )
        report = engine.run_once()
        assert report.ok and report.pushed_images == 8
        assert low <= adapter.most <= high
    finally:
        store.close()
