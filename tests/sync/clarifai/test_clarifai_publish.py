"""Publishing a local project to the Clarifai fake: inputs made under limner's image ids."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from limner.app.cli import main as cli
from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.history import History
from limner.models.store import queries, sync_store, tx
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.models.workflow.project import create_project
from limner.sync.adapters.clarifai import build_adapter
from limner.sync.adapters.clarifai_publish import ClarifaiPublisher
from limner.sync.errors import ValidationError
from limner.sync.publish import Publisher
from tests.fakes.clarifai_server import ClarifaiFake
from tests.integration.labelstudio_server import make_png

TOKEN_ENV = "LIMNER_TEST_CLARIFAI_PAT"
IMAGES = 9


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[ClarifaiFake]:
    server = ClarifaiFake().start()
    server.add_concept("car", "car")
    monkeypatch.setenv(TOKEN_ENV, server.token)
    try:
        yield server
    finally:
        server.stop()
    assert server.violations == [], "requests Clarifai's protos refuse"


def _local(root: Path) -> Path:
    files = []
    for i in range(IMAGES):
        path = root / "pics" / f"c{i}.png"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(make_png(30 + i, 24, (i * 20, 10, 90)))
        files.append(path)
    store, _ = create_project(root / "proj", images=files)
    with store.transaction(origin="user") as (conn, changes):
        car = tx.insert_class(conn, changes, {"name": "car", "color": "#ff0000", "kind": "box"})
    with store.read() as conn:
        images = queries.image_page(conn, 0, IMAGES)
    History(store).execute(
        AddAnnotations(
            tuple(NewAnnotation(new_uuid(), i.id, car, Box(2, 2, 12, 14)) for i in images)
        )
    )
    store.close()
    return root / "proj"


def _add(path: Path, fake: ClarifaiFake, capsys: pytest.CaptureFixture[str]) -> dict:
    project = f"{fake.user_id}/{fake.app_id}"
    args = ["remote", "add", str(path), "--kind", "clarifai", "--url", fake.url]
    code = cli([*args, "--project", project, "--token-env", TOKEN_ENV, "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    report, _ = json.JSONDecoder().raw_decode(out.lstrip())
    return report["publish"]


def _uuids(path: Path) -> set[str]:
    with ProjectStore.open(path) as store, store.read() as conn:
        return {i.uuid for i in queries.image_page(conn, 0, 100)}


def _boxes(fake: ClarifaiFake) -> list[str]:
    return [
        a["input_id"]
        for a in fake.annotations.values()
        if any(
            "bounding_box" in (r.get("region_info") or {})
            for r in (a.get("data") or {}).get("regions", [])
        )
    ]


def test_inputs_take_limner_ids_and_a_second_publish_sends_nothing(
    fake: ClarifaiFake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _local(tmp_path)
    report = _add(path, fake, capsys)
    assert report["sent"] == IMAGES and report["refused"] == []
    assert set(fake.inputs) == _uuids(path)
    assert sorted(_boxes(fake)) == sorted(_uuids(path)), "a label did not arrive"
    again = _add(path, fake, capsys)
    assert again["sent"] == 0 and len(fake.inputs) == IMAGES


def test_a_cancelled_publish_continues_without_duplicates(
    fake: ClarifaiFake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _local(tmp_path)
    project = f"{fake.user_id}/{fake.app_id}"
    with ProjectStore.open(path) as store:
        with store.transaction(origin="settings") as (conn, _changes):
            sync_store.add_remote(conn, "clarifai", fake.url, project)
        with store.read() as conn:
            (remote,) = sync_store.remotes(conn)
        adapter = build_adapter(fake.url, project, fake.token)
        asked = iter([False, True])
        target = ClarifaiPublisher(adapter.api)
        done = Publisher(store, remote.id, target, batch_size=4).run(
            cancelled=lambda: next(asked, True)
        )
        assert done.cancelled and len(done.sent) == 4
    report = _add(path, fake, capsys)
    assert report["sent"] == IMAGES - 4
    assert len(fake.inputs) == IMAGES


def test_a_taken_input_id_is_refused_never_doubled(
    fake: ClarifaiFake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _local(tmp_path)
    project = f"{fake.user_id}/{fake.app_id}"
    with ProjectStore.open(path) as store:
        with store.transaction(origin="settings") as (conn, _changes):
            sync_store.add_remote(conn, "clarifai", fake.url, project)
        with store.read() as conn:
            (remote,) = sync_store.remotes(conn)
            first = queries.image_page(conn, 0, 1)[0]
        target = ClarifaiPublisher(build_adapter(fake.url, project, fake.token).api)
        publisher = Publisher(store, remote.id, target)
        local = publisher._unlinked()
        target.upload(local[:1])  # the same id now exists there...
        with pytest.raises(ValidationError):  # ...so a second create is refused, not doubled
            target.upload(local[:1])
        mixed = target.upload(local[:2])  # one refused, one stored: told item by item
    assert [u.image_uuid for u in mixed] == [local[1].uuid]
    assert "code 40010" in target.refusals[first.uuid]
    assert len(fake.inputs) == 2
