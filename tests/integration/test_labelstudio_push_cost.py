"""The push's economies on a real Label Studio server: the development server that
``label-studio start`` runs is recognised (one image in flight), and the status PATCH
that loads only the review columns writes the meta as a plain PATCH does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.history import History
from limner.models.store import queries, sync_store
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.models.workflow.review_commands import Submit
from limner.sync.engine import SyncEngine
from limner.sync.factory import make_adapter
from limner.sync.quickack import uses_quick_ack


@contextmanager
def sent() -> Iterator[list[httpx.Request]]:
    """Every request put on the wire by any httpx client of this process."""
    requests: list[httpx.Request] = []
    handle = httpx.HTTPTransport.handle_request

    def record(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return handle(self, request)

    httpx.HTTPTransport.handle_request = record  # type: ignore[method-assign]
    try:
        yield requests
    finally:
        httpx.HTTPTransport.handle_request = handle  # type: ignore[method-assign]


def test_status_push_to_the_development_server(ls_project, tmp_path: Path) -> None:
    server = ls_project.server
    kept_task = ls_project.task_ids[0]
    with server.client() as http:
        http.patch(f"/api/tasks/{kept_task}/", json={"meta": {"team": "north"}}).raise_for_status()
    adapter = make_adapter("labelstudio", server.url, str(ls_project.id), server.legacy_token)
    store = ProjectStore.create(tmp_path / "p")
    try:
        adapter.connect()
        assert adapter.push_parallelism() == 1  # runserver: one process
        assert uses_quick_ack(adapter.t._client._transport)
        with store.transaction() as (conn, _changes):
            remote_id = sync_store.add_remote(conn, "labelstudio", server.url, str(ls_project.id))
        engine = SyncEngine(store, remote_id, adapter)
        assert engine.run_once().ok
        history = History(store)
        with store.read() as conn:
            car = next(c.id for c in queries.label_classes(conn) if c.name == "Car")
            images = queries.image_page(conn, 0, 10)
        for image in images:
            box = NewAnnotation(new_uuid(), image.id, car, Box(1, 1, 9, 9))
            history.execute(AddAnnotations((box,)))
        history.execute(Submit([image.id for image in images]))
        with sent() as requests:
            report = engine.run_once()
        assert report.ok and report.pushed_images == len(images) == 3
        patches = [r for r in requests if r.method == "PATCH"]
        assert sorted(r.url.path for r in patches) == sorted(
            f"/api/tasks/{t}/" for t in ls_project.task_ids
        )
        assert all(dict(r.url.params) == {"review": "true"} for r in patches)
    finally:
        adapter.close()
        store.close()
    with server.client() as http:
        for task_id in ls_project.task_ids:
            task = http.get(f"/api/tasks/{task_id}/").json()
            assert task["meta"]["limner"] == {"status": "submitted"}
            assert len(task["annotations"]) == 1
            assert len(task["annotations"][0]["result"]) == 1
        assert http.get(f"/api/tasks/{kept_task}/").json()["meta"]["team"] == "north"
