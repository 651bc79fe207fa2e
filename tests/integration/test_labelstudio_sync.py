"""limner's sync against a real Label Studio server: clone, offline work, conflicts, crashes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from limner.app.cli import main as cli
from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box, Keypoints, Mask, Polygon
from limner.models.editing.commands import AddAnnotations, EditAnnotations
from limner.models.editing.history import History
from limner.models.store import queries, sync_store
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.sync.adapters.labelstudio_config import parse_label_config
from limner.sync.adapters.labelstudio_read import results_to_regions
from limner.sync.engine import SyncEngine
from limner.sync.factory import make_adapter
from limner.sync.retry import RetryPolicy
from tests.integration.conftest import TOKEN_ENV
from tests.integration.labelstudio_server import DEFAULT_LABEL_CONFIG, LabelStudioServer

ROOT = Path(__file__).resolve().parents[2]


def clone(server: LabelStudioServer, project_id: int, path: Path, capsys) -> dict:
    code = cli(
        [
            "clone",
            "--kind",
            "labelstudio",
            "--url",
            server.url,
            "--project",
            str(project_id),
            "--token-env",
            TOKEN_ENV,
            "--json",
            str(path),
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    return report


def sync_json(path: Path, capsys) -> tuple[int, dict]:
    code = cli(["sync", str(path), "--once", "--json", "--token-env", TOKEN_ENV])
    return code, json.loads(capsys.readouterr().out)


def remote_regions(server: LabelStudioServer, task_id: int, width: int, height: int):
    config = parse_label_config(DEFAULT_LABEL_CONFIG)
    with server.client() as http:
        annotations = http.get(f"/api/tasks/{task_id}/annotations/").json()
    regions = []
    for annotation in annotations:
        found, _warnings = results_to_regions(annotation["result"], config, width, height)
        regions.extend(found)
    return annotations, {r.uuid: r for r in regions}


def close(a: float, b: float, size: float) -> bool:
    return abs(a - b) <= 1e-4 * size  # 0.01% of the image size


def same_geometry(local, remote, width: int, height: int) -> bool:
    if isinstance(local, Box):
        return all(
            close(p, q, s)
            for p, q, s in zip(
                (local.x0, local.y0, local.x1, local.y1),
                (remote.x0, remote.y0, remote.x1, remote.y1),
                (width, height, width, height),
                strict=True,
            )
        )
    if isinstance(local, Polygon):
        a, b = local.parts[0].outer, remote.parts[0].outer
        return len(a) == len(b) and all(
            close(p[0], q[0], width) and close(p[1], q[1], height)
            for p, q in zip(a, b, strict=True)
        )
    if isinstance(local, Mask):
        return np.array_equal(local.to_array(), remote.to_array())
    if isinstance(local, Keypoints):
        return all(
            (pv == 0 and qv == 0) or (close(px, qx, width) and close(py, qy, height) and pv == qv)
            for (px, py, pv), (qx, qy, qv) in zip(local.points, remote.points, strict=True)
        )
    return False


def label_offline(store: ProjectStore) -> dict[str, tuple[int, int]]:
    """Every image gets a box; some also a polygon, a mask and a skeleton. uuid -> size."""
    history = History(store)
    with store.read() as conn:
        classes = {c.name: c.id for c in queries.label_classes(conn)}
        images = queries.image_page(conn, 0, 100)
    kp_class = next(c for c in classes if c not in ("Car", "Person") and "(" not in c)
    sizes: dict[str, tuple[int, int]] = {}
    for i, image in enumerate(images):
        w, h = image.width, image.height
        items = [NewAnnotation(new_uuid(), image.id, classes["Car"], Box(1.5, 2.25, w / 2, h / 2))]
        if i % 3 == 0:
            ring = [(3.0, 3.0), (w - 4.5, 5.0), (w / 2, h - 3.25)]
            items.append(
                NewAnnotation(
                    new_uuid(), image.id, classes["Person (polygon)"], Polygon.from_points(ring)
                )
            )
        if i % 4 == 0:
            full = np.zeros((h, w), bool)
            full[5 : h - 6, 7:20] = True
            full[8:10, 9:12] = False  # a hole: masks hold any shape
            items.append(
                NewAnnotation(new_uuid(), image.id, classes["Car (mask)"], Mask.from_array(full))
            )
        if i % 5 == 0:
            points = ((w / 3, h / 3, 2), (w / 2, h / 2, 1))
            items.append(NewAnnotation(new_uuid(), image.id, classes[kp_class], Keypoints(points)))
        history.execute(AddAnnotations(tuple(items)))
        for item in items:
            sizes[item.uuid] = (w, h)
    return sizes


def test_clone_label_offline_and_sync_everything(project50, token_env, tmp_path, capsys) -> None:
    server, project_id, _ = project50
    path = tmp_path / "clone"
    report = clone(server, project_id, path, capsys)
    assert report["pulled_images"] == 50 and report["downloaded"] == 50
    with ProjectStore.open(path) as store, store.read() as conn:
        assert queries.image_count(conn) == 50
        assert queries.image_count(conn, queries.ImageFilter(status="error")) == 0
        names = {c.name for c in queries.label_classes(conn)}
    assert {"Car", "Person", "Car (polygon)", "Car (mask)"} <= names

    server.stop()
    with ProjectStore.open(path) as store:
        sizes = label_offline(store)
        with store.read() as conn:
            local = {
                a.uuid: a
                for r in queries.image_page(conn, 0, 100)
                for a in queries.annotations_for_image(conn, r.id)
            }
            keys = {link.image_id: link.remote_key for link in sync_store.all_links(conn, 1)}
            image_sizes = {r.id: (r.width, r.height) for r in queries.image_page(conn, 0, 100)}
    code, offline = sync_json(path, capsys)
    assert offline["state"] == "offline" and code != 0
    assert offline["pending"] == 50
    server.start()
    code, report = sync_json(path, capsys)
    assert code == 0, json.dumps(report)[:3000]
    assert report["pushed_images"] == 50 and report["pending"] == 0

    by_task: dict[int, list] = {}
    for ann in local.values():
        by_task.setdefault(int(keys[ann.image_id]), []).append(ann)
    assert len(by_task) == 50
    for task_id, anns in by_task.items():
        w, h = image_sizes[anns[0].image_id]
        annotations, remote = remote_regions(server, task_id, w, h)
        assert len(annotations) == 1  # all of an image's shapes in one annotation
        assert set(remote) == {a.uuid for a in anns}
        for ann in anns:
            assert same_geometry(ann.geometry, remote[ann.uuid].geometry, w, h), ann.kind
    assert len(sizes) == len(local)


def test_server_edit_pulled_and_both_sides_conflict(project50, token_env, tmp_path, capsys) -> None:
    server, project_id, by_name = project50
    path = tmp_path / "clone"
    clone(server, project_id, path, capsys)
    with ProjectStore.open(path) as store:
        history = History(store)
        with store.read() as conn:
            image = queries.image_by_name(conn, "img00.png")
            car = next(c.id for c in queries.label_classes(conn) if c.name == "Car")
        a = NewAnnotation(new_uuid(), image.id, car, Box(1, 1, 10, 10))
        b = NewAnnotation(new_uuid(), image.id, car, Box(20, 20, 30, 30))
        history.execute(AddAnnotations((a, b)))
    assert sync_json(path, capsys)[0] == 0
    task_id = by_name["img00.png"]
    with server.client() as http:
        (annotation,) = http.get(f"/api/tasks/{task_id}/annotations/").json()
        result = annotation["result"]
        for item in result:
            if item["id"] == a.uuid:
                item["value"]["x"] = 50.0  # moved on the server: a clean pull for limner
            if item["id"] == b.uuid:
                item["value"]["y"] = 10.0  # moved on the server and, below, locally too
        http.patch(f"/api/annotations/{annotation['id']}/", json={"result": result})
    with ProjectStore.open(path) as store:
        record = next(x for x in queries_annotations(store, image.id) if x.uuid == b.uuid)
        History(store).execute(
            EditAnnotations.from_records("Move", [(record, {"geometry": Box(22, 22, 33, 33)})])
        )
    code, report = sync_json(path, capsys)
    assert report["conflicts"] == 1 and code != 0
    with ProjectStore.open(path) as store:
        anns = {x.uuid: x for x in queries_annotations(store, image.id)}
        assert abs(anns[a.uuid].geometry.x0 - 0.5 * image.width) < 1e-6  # pulled
        assert anns[b.uuid].geometry == Box(22, 22, 33, 33)  # local kept
        with store.read() as conn:
            (conflict,) = sync_store.open_conflicts(conn)
    _, remote = remote_regions(server, task_id, image.width, image.height)
    assert abs(remote[b.uuid].geometry.y0 - 0.1 * image.height) < 1e-6  # remote kept too
    assert cli(["conflicts", str(path), "--resolve", str(conflict.id), "--take", "mine"]) == 0
    capsys.readouterr()
    assert sync_json(path, capsys)[0] == 0
    _, remote = remote_regions(server, task_id, image.width, image.height)
    assert same_geometry(Box(22, 22, 33, 33), remote[b.uuid].geometry, image.width, image.height)


def queries_annotations(store: ProjectStore, image_id: int):
    with store.read() as conn:
        return queries.annotations_for_image(conn, image_id)


def test_sigkill_mid_push_leaves_no_duplicates(project50, token_env, tmp_path, capsys) -> None:
    server, project_id, _ = project50
    path = tmp_path / "clone"
    clone(server, project_id, path, capsys)
    with ProjectStore.open(path) as store:
        label_offline(store)
    env = {**os.environ, TOKEN_ENV: server.legacy_token, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "limner", "sync", str(path), "--once", "--token-env", TOKEN_ENV],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        with server.client() as http:
            while time.monotonic() < deadline:
                done = (
                    http.get(f"/api/projects/{project_id}/")
                    .json()
                    .get("total_annotations_number", 0)
                )
                if done >= 3:
                    break
                time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    code, report = sync_json(path, capsys)
    assert code == 0, report
    with ProjectStore.open(path) as store, store.read() as conn:
        links = sync_store.all_links(conn, 1)
        counts = {r.id: r.annotation_count for r in queries.image_page(conn, 0, 100)}
    with server.client() as http:
        for link in links:
            annotations = http.get(f"/api/tasks/{link.remote_key}/annotations/").json()
            assert len(annotations) == 1, link.remote_key  # no duplicate container
            regions = {
                item["id"].split(":")[0] for item in annotations[0]["result"] if "id" in item
            }
            assert len(regions) == counts[link.image_id]  # nothing missing, nothing twice


def test_server_stopped_mid_sync_goes_offline_and_resumes(
    project50, token_env, tmp_path, capsys
) -> None:
    server, project_id, _ = project50
    path = tmp_path / "clone"
    clone(server, project_id, path, capsys)
    with ProjectStore.open(path) as store:
        label_offline(store)
        with store.read() as conn:
            (remote,) = sync_store.remotes(conn)
        adapter = make_adapter(
            "labelstudio",
            server.url,
            str(project_id),
            server.legacy_token,
            policy=RetryPolicy(attempts=2, base=0.05, cap=0.1),
        )
        engine = SyncEngine(store, remote.id, adapter, workers=2)
        pushed = threading.Event()

        def progress(stage: str, done: int, total: object) -> None:
            if stage == "push" and done >= 2:
                pushed.set()

        stopper = threading.Thread(target=lambda: (pushed.wait(60), server.stop()))
        stopper.start()
        report = engine.run_once(progress=progress)
        stopper.join()
        assert report.state == "offline", report.to_json()
        assert 0 < report.pending < 50
        server.start()
        again = engine.run_once()
        assert again.state == "up_to_date" and again.pending == 0, again.to_json()
        adapter.close()


def test_personal_access_token_and_no_token_leaks(project50, tmp_path, capsys, monkeypatch) -> None:
    server, project_id, _ = project50
    pat = server.personal_access_token()
    monkeypatch.setenv(TOKEN_ENV, pat)
    path = tmp_path / "clone"
    log_file = tmp_path / "limner.sync.log"
    proc = subprocess.run(
        [
            sys.executable,
            "-m", "limner",
            "-v",
            "clone",
            "--kind",
            "labelstudio",
            "--url",
            server.url,
            "--project",
            str(project_id),
            "--token-env",
            TOKEN_ENV,
            "--json",
            str(path),
        ],
        cwd=ROOT,
        env={**os.environ, TOKEN_ENV: pat, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    log_file.write_text(proc.stderr)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["pulled_images"] == 50
    assert "req=" in proc.stderr  # the log has the requests
    with ProjectStore.open(path) as store:
        label_offline(store)
    monkeypatch.setenv(TOKEN_ENV, server.legacy_token)
    code, report = sync_json(path, capsys)
    assert code == 0
    secrets = [pat, server.legacy_token]
    for secret in secrets:
        for leak_place in (proc.stdout, proc.stderr, json.dumps(report)):
            assert secret not in leak_place
        for file in path.glob("project.limner*"):
            assert secret.encode() not in file.read_bytes(), file
