"""Publishing a project that started offline to the real Label Studio.

A local project of 50 images with boxes, polygons, masks, keypoints and statuses is sent
with ``limner remote add --create``. Every check of what the server holds reads Label
Studio's own REST API: the project's config validates, every image is one task naming
its limner image, every region is there. Exactness is checked by cloning the published
project into a second folder and comparing every shape with the original.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from limner.app.cli import main as cli
from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import (
    Box,
    Keypoints,
    Mask,
    Polygon,
    Skeleton,
    geometry_to_json,
)
from limner.models.editing.commands import AddAnnotations, EditAnnotations, SetImageStatus
from limner.models.editing.history import History
from limner.models.store import queries, tx
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.models.workflow.project import create_project
from tests.fakes.sigkill import KillPlan, RelayProxy, run_killed
from tests.integration.conftest import TOKEN_ENV
from tests.integration.labelstudio_server import LabelStudioServer, make_png

IMAGES = 50
STATUSES = {0: "approved", 1: "submitted", 2: "rejected", 3: "skipped"}


def _local_project(root: Path) -> Path:
    """50 PNGs, each with a box and a polygon; every fifth a mask and keypoints too."""
    folder = root / "pictures"
    folder.mkdir(parents=True)
    files = []
    for i in range(IMAGES):
        path = folder / f"pic{i:02d}.png"
        path.write_bytes(make_png(64 + i, 48 + i % 7, (i * 5 % 255, 80, 200 - i)))
        files.append(path)
    store, _ = create_project(root / "proj", images=files)
    with store.transaction(origin="user") as (conn, changes):
        car = tx.insert_class(conn, changes, {"name": "car", "color": "#e6194b", "kind": "box"})
        road = tx.insert_class(
            conn, changes, {"name": "road", "color": "#3cb44b", "kind": "polygon"}
        )
        blob = tx.insert_class(conn, changes, {"name": "blob", "color": "#4363d8", "kind": "mask"})
        cat = tx.insert_class(
            conn,
            changes,
            {
                "name": "cat",
                "color": "#f58231",
                "kind": "keypoints",
                "skeleton": Skeleton(("nose", "tail"), ((0, 1),)),
            },
        )
    history = History(store)
    with store.read() as conn:
        images = queries.image_page(conn, 0, IMAGES)
    news: list[NewAnnotation] = []
    for i, image in enumerate(images):
        w, h = image.width or 0, image.height or 0
        news.append(NewAnnotation(new_uuid(), image.id, car, Box(2, 3, 20 + i % 9, 30)))
        news.append(
            NewAnnotation(
                new_uuid(), image.id, road, Polygon.from_points([(5, 5), (40, 8), (22, 40)])
            )
        )
        if i % 5 == 0:
            full = np.zeros((h, w), dtype=bool)
            full[10:20, 12:30] = True
            news.append(NewAnnotation(new_uuid(), image.id, blob, Mask.from_array(full)))
            points = Keypoints(((10.5, 12.25, 2), (30.0, 20.0, 2)))
            news.append(NewAnnotation(new_uuid(), image.id, cat, points))
    history.execute(AddAnnotations(tuple(news)))
    for index, status in STATUSES.items():
        history.execute(SetImageStatus({images[index].id: images[index].status}, status))
    store.close()
    return root / "proj"


def _shapes(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Image name -> sorted (class, geometry JSON) of its live annotations."""
    with ProjectStore.open(path) as store, store.read() as conn:
        names = {c.id: c.name for c in queries.label_classes(conn)}
        out: dict[str, list[tuple[str, str]]] = {}
        for image in queries.image_page(conn, 0, 1000):
            out[image.name] = sorted(
                (names.get(a.class_id or 0, ""), _exact(a.geometry))
                for a in queries.annotations_for_image(conn, image.id)
            )
        return out


def _rounded(value: Any) -> Any:
    """Floats to 1e-6 px: the server stores percentages, so the last bits may differ."""
    if isinstance(value, float):
        return round(value, 6) + 0.0
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def _exact(geometry: Any) -> str:
    return json.dumps(_rounded(geometry_to_json(geometry)), sort_keys=True)


def _statuses(path: Path) -> dict[str, str]:
    with ProjectStore.open(path) as store, store.read() as conn:
        return {i.name: i.status for i in queries.image_page(conn, 0, 1000)}


def _tasks(server: LabelStudioServer, project_id: int) -> list[dict[str, Any]]:
    with server.client() as client:
        body = client.get(
            "/api/tasks/", params={"project": project_id, "page_size": 1000, "fields": "all"}
        )
        body.raise_for_status()
        tasks = body.json()["tasks"]
        for task in tasks:
            full = client.get(f"/api/tasks/{task['id']}/")
            full.raise_for_status()
            task.update(full.json())
        return tasks


def _project_id(path: Path) -> int:
    with ProjectStore.open(path) as store, store.read() as conn:
        from limner.models.store import sync_store

        return int(sync_store.remotes(conn)[0].project_ref)


def _add(path: Path, url: str, *where: str) -> tuple[int, dict[str, Any]]:
    args = ["remote", "add", str(path), "--kind", "labelstudio", "--url", url, *where]
    return cli([*args, "--token-env", TOKEN_ENV, "--json"]), {}


def _publish_json(out: str) -> dict[str, Any]:
    """The publish report of a ``--json`` run (the first JSON document printed)."""
    decoder = json.JSONDecoder()
    report, _end = decoder.raw_decode(out.lstrip())
    return report["publish"]


def test_publish_with_create_sends_everything_once(
    labelstudio_running: LabelStudioServer,
    token_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = labelstudio_running
    path = _local_project(tmp_path)
    before = _shapes(path)
    code, _ = _add(path, server.url, "--create", "published from limner")
    out = capsys.readouterr().out
    assert code == 0, out
    first = _publish_json(out)
    assert first["sent"] == IMAGES and first["refused"] == [], first

    project_id = _project_id(path)
    with server.client() as client:
        project = client.get(f"/api/projects/{project_id}/").json()
        check = client.post(
            f"/api/projects/{project_id}/validate/", json={"label_config": project["label_config"]}
        )
    assert check.status_code == 200, check.text
    tasks = _tasks(server, project_id)
    assert len(tasks) == IMAGES
    assert len({t["data"]["limner_image"] for t in tasks}) == IMAGES
    types = [r["type"] for t in tasks for a in t["annotations"] for r in a["result"]]
    assert types.count("rectanglelabels") == IMAGES
    assert types.count("polygonlabels") == IMAGES
    assert types.count("brushlabels") == IMAGES // 5
    assert types.count("keypointlabels") == 2 * (IMAGES // 5)

    clone = tmp_path / "clone"
    args = ["clone", "--kind", "labelstudio", "--url", server.url, "--project", str(project_id)]
    assert cli([*args, "--token-env", TOKEN_ENV, str(clone)]) in (0, 3)
    capsys.readouterr()
    assert _shapes(clone) == before, "a label did not arrive exactly"
    statuses = _statuses(clone)
    for index, status in STATUSES.items():
        assert statuses[f"pic{index:02d}.png"] == status

    code, _ = _add(path, server.url, "--create", "published from limner")
    again = _publish_json(capsys.readouterr().out)
    assert code == 0 and again["sent"] == 0 and again["already_there"] == []
    assert len(_tasks(server, project_id)) == IMAGES


def test_publish_into_a_project_that_has_some_images_sends_only_the_rest(
    labelstudio_running: LabelStudioServer,
    token_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = labelstudio_running
    path = _local_project(tmp_path)
    with ProjectStore.open(path) as store, store.read() as conn:
        records = queries.image_page(conn, 0, 10)
    from limner.models.workflow.project import resolve_image_path

    with ProjectStore.open(path) as store:
        payloads = {r.name: resolve_image_path(store, r.path).read_bytes() for r in records}
    project_id = server.create_project("half there", _generated_config(path))
    server.upload_images(project_id, payloads)

    code, _ = _add(path, server.url, "--project", str(project_id))
    out = capsys.readouterr().out
    assert code == 0, out
    report = _publish_json(out)
    assert report["sent"] == IMAGES - 10
    assert sorted(a["image"] for a in report["already_there"]) == sorted(payloads)
    assert {a["matched_by"] for a in report["already_there"]} == {"file name"}
    assert len(_tasks(server, project_id)) == IMAGES


def _generated_config(path: Path) -> str:
    from limner.sync.adapters.labelstudio_config_gen import generate_label_config
    from limner.sync.publish import class_kind_counts

    with ProjectStore.open(path) as store:
        with store.read() as conn:
            classes = queries.label_classes(conn)
        return generate_label_config(classes, class_kind_counts(store)).xml


def test_a_publish_killed_mid_upload_continues_without_duplicates(
    labelstudio_running: LabelStudioServer,
    token_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = labelstudio_running
    path = _local_project(tmp_path)
    before = _shapes(path)
    env = {TOKEN_ENV: server.legacy_token}
    with RelayProxy(server.url) as relay:
        argv = [
            "remote",
            "add",
            str(path),
            "--kind",
            "labelstudio",
            "--url",
            relay.url,
            "--create",
            "killed publish",
            "--token-env",
            TOKEN_ENV,
        ]
        # writes: the project, then per batch its files and its tasks, three batches at a
        # time; of writes 2-5 one at least is a task import (a batch's second write). The
        # 5th is carried out while its answer never reaches limner, and nothing sent after
        # it reaches the server, so the kill lands with some tasks made and others not.
        plan = KillPlan(5, "answered", last=True)
        killed = run_killed(argv, env=env, relay=relay, plan=plan, log=tmp_path / "killed.log")
        assert killed.killed, killed.stderr
        project_id = _project_id(path)
        assert 0 < len(_tasks(server, project_id)) < IMAGES
        code, _ = _add(path, relay.url, "--create", "killed publish")
    out = capsys.readouterr().out
    assert code == 0, out
    tasks = _tasks(server, project_id)
    assert len(tasks) == IMAGES, "a task is missing or was made twice"
    assert len({t["data"]["limner_image"] for t in tasks}) == IMAGES
    clone = tmp_path / "clone"
    args = ["clone", "--kind", "labelstudio", "--url", server.url, "--project", str(project_id)]
    assert cli([*args, "--token-env", TOKEN_ENV, str(clone)]) in (0, 3)
    assert _shapes(clone) == before


def test_after_publishing_edits_on_both_sides_sync(
    labelstudio_running: LabelStudioServer,
    token_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = labelstudio_running
    path = _local_project(tmp_path)
    assert _add(path, server.url, "--create", "edited after")[0] == 0
    project_id = _project_id(path)
    tasks = {t["data"]["limner_image"]: t for t in _tasks(server, project_id)}
    with ProjectStore.open(path) as store:
        with store.read() as conn:
            first, second = queries.image_page(conn, 0, 2)
            (box,) = [a for a in queries.annotations_for_image(conn, first.id) if a.kind == "box"]
        History(store).execute(
            EditAnnotations.from_records("Move", [(box, {"geometry": Box(4, 4, 14, 14)})])
        )
    remote = tasks[second.uuid]
    (annotation,) = remote["annotations"]
    result = [r for r in annotation["result"] if r["type"] != "polygonlabels"]
    with server.client() as client:
        client.patch(f"/api/annotations/{annotation['id']}/", json={"result": result})
    capsys.readouterr()
    assert cli(["sync", str(path), "--once", "--token-env", TOKEN_ENV]) in (0, 3)
    shapes = _shapes(path)
    assert [c for c, _ in shapes[second.name]] == ["car"], "the server's delete did not arrive"
    fresh = {t["data"]["limner_image"]: t for t in _tasks(server, project_id)}
    (moved,) = [
        r
        for a in fresh[first.uuid]["annotations"]
        for r in a["result"]
        if r["type"] == "rectanglelabels"
    ]
    width = first.width or 1
    assert abs(moved["value"]["width"] - 10 / width * 100) < 1e-6
