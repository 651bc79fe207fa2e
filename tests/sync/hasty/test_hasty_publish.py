"""Publishing a local project to the Hasty fake: upload slots, PUT, image with external_id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from limner.app.cli import main as cli
from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations, SetImageStatus
from limner.models.editing.history import History
from limner.models.store import queries, sync_store, tx
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.models.workflow.project import create_project, resolve_image_path
from limner.sync.adapters.hasty import make_hasty_adapter
from limner.sync.adapters.hasty_publish import HastyPublisher
from limner.sync.publish import Publisher
from tests.fakes.hasty_server import HastyFake
from tests.integration.labelstudio_server import make_png

KEY_ENV = "LIMNER_TEST_HASTY_KEY"
IMAGES = 12


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[HastyFake, str]]:
    server = HastyFake().start()
    pid = server.add_project("published")
    server.add_label_class(pid, "car", "#ff0000")
    monkeypatch.setenv(KEY_ENV, server.api_key)
    try:
        yield server, pid
    finally:
        server.stop()


def _local(root: Path) -> Path:
    files = []
    for i in range(IMAGES):
        path = root / "pics" / f"h{i:02d}.png"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(make_png(30 + i, 20, (i * 9, 40, 90)))
        files.append(path)
    store, _ = create_project(root / "proj", images=files)
    with store.transaction(origin="user") as (conn, changes):
        car = tx.insert_class(conn, changes, {"name": "car", "color": "#ff0000", "kind": "box"})
    with store.read() as conn:
        images = queries.image_page(conn, 0, IMAGES)
    history = History(store)
    history.execute(
        AddAnnotations(
            tuple(NewAnnotation(new_uuid(), i.id, car, Box(1, 2, 11, 12)) for i in images)
        )
    )
    history.execute(SetImageStatus({images[0].id: "new"}, "approved"))
    store.close()
    return root / "proj"


def _add(path: Path, fake: HastyFake, pid: str, capsys: pytest.CaptureFixture[str]) -> dict:
    args = ["remote", "add", str(path), "--kind", "hasty", "--url", fake.url, "--project", pid]
    code = cli([*args, "--set", "dataset=fresh", "--token-env", KEY_ENV, "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    report, _ = json.JSONDecoder().raw_decode(out.lstrip())
    return report["publish"]


def _server_images(fake: HastyFake, pid: str) -> list[dict]:
    return [i for i in fake.images.values() if i["_project_id"] == pid]


def _uuids(path: Path) -> dict[str, str]:
    with ProjectStore.open(path) as store, store.read() as conn:
        return {i.uuid: i.name for i in queries.image_page(conn, 0, 100)}


def test_publish_sends_images_then_labels_and_a_second_run_sends_nothing(
    fake: tuple[HastyFake, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server, pid = fake
    path = _local(tmp_path)
    report = _add(path, server, pid, capsys)
    assert report["sent"] == IMAGES and report["refused"] == []
    images = _server_images(server, pid)
    assert len(images) == IMAGES
    assert {d["name"] for d in server.datasets.values()} == {"fresh"}
    assert {i["external_id"] for i in images} == {f"limner:{u}" for u in _uuids(path)}
    labels = [lab for lab in server.labels.values() if lab["image_id"] in {i["id"] for i in images}]
    assert len(labels) == IMAGES
    first = next(i for i in images if i["name"] == "h00.png")
    assert first["status"] == "DONE"
    again = _add(path, server, pid, capsys)
    assert again["sent"] == 0 and len(_server_images(server, pid)) == IMAGES


def test_a_cancelled_publish_continues_without_duplicates(
    fake: tuple[HastyFake, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server, pid = fake
    path = _local(tmp_path)
    with ProjectStore.open(path) as store:
        with store.transaction(origin="settings") as (conn, _changes):
            sync_store.add_remote(conn, "hasty", server.url, pid, settings={"dataset": "fresh"})
        with store.read() as conn:
            (remote,) = sync_store.remotes(conn)
        adapter = make_hasty_adapter(server.url, pid, server.api_key)
        asked = iter([False, True])
        first = Publisher(store, remote.id, HastyPublisher(adapter.api, "fresh"), batch_size=5)
        done = first.run(cancelled=lambda: next(asked, True))
        assert done.cancelled and len(done.sent) == 5
    report = _add(path, server, pid, capsys)
    assert report["sent"] == IMAGES - 5
    assert len(_server_images(server, pid)) == IMAGES


def test_images_already_in_the_project_are_matched_by_name(
    fake: tuple[HastyFake, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server, pid = fake
    path = _local(tmp_path)
    dataset = server.add_dataset(pid, "fresh")
    with ProjectStore.open(path) as store, store.read() as conn:
        for record in queries.image_page(conn, 0, 4):
            content = resolve_image_path(store, record.path).read_bytes()
            server.add_image(pid, dataset, record.name, content)
    report = _add(path, server, pid, capsys)
    assert report["sent"] == IMAGES - 4
    assert [a["matched_by"] for a in report["already_there"]] == ["file name"] * 4
    assert len(_server_images(server, pid)) == IMAGES


def test_create_is_refused_for_hasty_before_anything_is_written(
    fake: tuple[HastyFake, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server, _pid = fake
    path = _local(tmp_path)
    args = ["remote", "add", str(path), "--kind", "hasty", "--url", server.url]
    assert cli([*args, "--create", "new", "--token-env", KEY_ENV]) == 2
    assert "--project" in capsys.readouterr().err
    with ProjectStore.open(path) as store, store.read() as conn:
        assert sync_store.remotes(conn) == []
    assert len(server.images) == 0
