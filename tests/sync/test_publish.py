"""Publishing against a server stand-in: batches, retries, refusals, cancel and resume."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from limner.models.store import sync_store
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import create_project
from limner.sync.errors import AuthError, TransientError
from limner.sync.publish import (
    INTENT_CURSOR,
    Existing,
    LocalImage,
    Publisher,
    Uploaded,
    batches,
    match_existing,
)
from limner.sync.retry import RetryPolicy
from tests.integration.labelstudio_server import make_png


class Server:
    """Holds one object per upload; can lose an answer or refuse credentials."""

    def __init__(self) -> None:
        self.objects: dict[str, Existing] = {}
        self.uploads = 0
        self.lose_answers = 0
        self.refuse_auth = False
        self.flying = 0
        self.most_flying = 0
        self.lock = threading.Lock()

    def existing(self) -> list[Existing]:
        return list(self.objects.values())

    def upload(self, batch: Sequence[LocalImage]) -> list[Uploaded]:
        with self.lock:
            self.uploads += 1
            self.flying += 1
            self.most_flying = max(self.most_flying, self.flying)
        try:
            if self.refuse_auth:
                raise AuthError("401 token refused")
            out = []
            for image in batch:
                key = str(len(self.objects) + 1)
                self.objects[key] = Existing(key, image.name, image.content_hash, image.uuid)
                out.append(Uploaded(image.uuid, key))
            if self.lose_answers:
                self.lose_answers -= 1
                raise TransientError("connection reset after the server answered")
            return out
        finally:
            with self.lock:
                self.flying -= 1


@pytest.fixture
def project(tmp_path: Path) -> ProjectStore:
    files = []
    for i in range(23):
        path = tmp_path / "img" / f"p{i:02d}.png"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(make_png(20 + i, 10, (i, 2 * i, 3 * i)))
        files.append(path)
    store, _ = create_project(tmp_path / "proj", images=files)
    with store.transaction(origin="settings") as (conn, _changes):
        sync_store.add_remote(conn, "labelstudio", "http://example.test", "1")
    return store


def _remote_id(store: ProjectStore) -> int:
    with store.read() as conn:
        return sync_store.remotes(conn)[0].id


def _publisher(store: ProjectStore, server: Server, **kw: object) -> Publisher:
    policy = RetryPolicy(attempts=3, sleeper=lambda _s: None)
    return Publisher(store, _remote_id(store), server, policy=policy, **kw)  # type: ignore[arg-type]


def _linked(store: ProjectStore) -> dict[int, str]:
    with store.read() as conn:
        return {link.image_id: link.remote_key for link in sync_store.all_links(conn, 1)}


def test_everything_is_sent_once_in_limited_parallel_batches(project: ProjectStore) -> None:
    server = Server()
    report = _publisher(project, server, batch_size=5, parallel=2).run()
    assert len(report.sent) == 23 and len(server.objects) == 23
    assert server.uploads == 5 and server.most_flying <= 2
    assert len(set(_linked(project).values())) == 23
    again = _publisher(project, server).run()
    assert again.sent == [] and server.uploads == 5


def test_a_lost_answer_is_found_on_the_server_not_sent_again(project: ProjectStore) -> None:
    server = Server()
    server.lose_answers = 1
    report = _publisher(project, server, batch_size=30, parallel=1).run()
    assert len(server.objects) == 23, "an image was sent twice"
    assert server.uploads == 1 and len(report.sent) == 23


def test_refused_credentials_stop_without_retrying(project: ProjectStore) -> None:
    server = Server()
    server.refuse_auth = True
    with pytest.raises(AuthError):
        _publisher(project, server, batch_size=30, parallel=1).run()
    assert server.uploads == 1 and _linked(project) == {}


def test_cancel_stops_between_batches_and_a_second_run_continues(project: ProjectStore) -> None:
    server = Server()
    asked = iter([False, True])
    report = _publisher(project, server, batch_size=10, parallel=1).run(
        cancelled=lambda: next(asked, True)
    )
    assert report.cancelled and len(report.sent) == 10
    rest = _publisher(project, server, batch_size=10, parallel=1).run()
    assert len(rest.sent) == 13 and len(server.objects) == 23


def test_images_in_flight_when_a_run_died_are_found_by_their_id(project: ProjectStore) -> None:
    server = Server()
    publisher = _publisher(project, server)
    local = publisher._unlinked()
    server.upload(local[:4])  # the dead run's batch reached the server
    with project.transaction(origin="sync") as (conn, _changes):
        uuids = '["' + '","'.join(i.uuid for i in local[:6]) + '"]'
        sync_store.set_cursor(conn, _remote_id(project), INTENT_CURSOR, uuids)
    report = _publisher(project, server).run()
    assert report.resumed == 6
    assert [rule for _n, rule in report.already] == ["limner id, sent by the run that stopped"] * 4
    assert len(report.sent) == 19 and len(server.objects) == 23


def _image(n: int, name: str, digest: str | None = None) -> LocalImage:
    return LocalImage(n, f"u{n}", name, Path(name), digest)


def test_existing_objects_match_by_id_then_hash_then_a_unique_name() -> None:
    images = [
        _image(1, "a.png", "h1"),
        _image(2, "b.png", "h2"),
        _image(3, "c.png"),
        _image(4, "d.png"),
        _image(5, "d.png"),
    ]
    there = [
        Existing("10", "x.png", None, "u1"),
        Existing("11", "other.png", "h2", None),
        Existing("12", "c.png", None, None),
        Existing("13", "d.png", None, None),
    ]
    pairs, rest = match_existing(images, there)
    assert [(i.name, e.key, rule) for i, e, rule in pairs] == [
        ("a.png", "10", "limner id"),
        ("b.png", "11", "content hash"),
        ("c.png", "12", "file name"),
    ]
    assert [i.image_id for i in rest] == [4, 5]  # "d.png" is not unique locally


def test_batches_never_hold_two_files_of_one_name() -> None:
    images = [_image(n, "same.png" if n % 2 else f"{n}.png") for n in range(8)]
    made = batches(images, 3)
    assert all(len(b) <= 3 for b in made)
    assert all(len({i.name for i in b}) == len(b) for b in made)
    assert sorted(i.image_id for b in made for i in b) == list(range(8))
