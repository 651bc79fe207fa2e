"""limner against a CloudFactory work-item project (an in-memory fake of the External API).

Everything runs through the real engine and a real project on disk: clone, offline
labeling, sync until both sides are equal, remote edits, conflicts, a crash between the
server's answer and the local commit (in process, and a real sync process killed with
SIGKILL mid-push), replaced routes and projects limner cannot sync.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import numpy as np
import pytest

from limner.app.cli import main as cli
from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box, Keypoints, Mask, Polygon
from limner.models.editing.commands import AddAnnotations, DeleteAnnotations, EditAnnotations
from limner.models.store import queries, sync_store
from limner.models.store.tx import new_uuid
from limner.models.workflow.queues import queue_image_ids, queues
from limner.models.workflow.review_commands import Submit
from limner.sync.engine import resolve_conflict
from limner.sync.factory import make_adapter
from limner.sync.push import Pusher
from tests.fakes.cloudfactory_server import CloudFactoryFake, png_bytes
from tests.fakes.cloudfactory_world import (
    KEY,
    KEY_ENV,
    SIZES,
    World,
    add_box,
    same_box,
    seed,
    server_regions,
    signals_of,
)
from tests.fakes.sigkill import sync_killed_mid_push


# -- clone --------------------------------------------------------------------------------
def test_clone_pulls_images_classes_regions_statuses_and_batches(world: World, link) -> None:
    linked = link(settings={"page_size": 2, "classes": ["bicycle"]})
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    assert report.pulled_images == 7 and report.downloaded == 7
    with linked.store.read() as conn:
        assert [c.name for c in queries.label_classes(conn)] == ["bicycle", "car", "person"]
        assert queries.image_count(conn) == 7
        assert queries.image_count(conn, queries.ImageFilter(status="error")) == 0
        by_name = {q.name: q for q in queues(conn)}
        night = queue_image_ids(conn, by_name["Night shift"].id)
        default = queue_image_ids(conn, by_name["Default"].id)
    # soonest deadline first
    assert night == [linked.image("img5.png").id, linked.image("img4.png").id]
    assert len(default) == 5
    statuses = {n: linked.image(n).status for n in SIZES}
    assert statuses == {
        "img0.png": "new",
        "img1.png": "in_progress",
        "img2.png": "submitted",
        "img3.png": "skipped",
        "img4.png": "new",
        "img5.png": "new",
        "img6.png": "submitted",
    }
    for name, (w, h) in SIZES.items():
        image = linked.image(name)
        assert (image.width, image.height) == (w, h)
    (car,) = linked.annotations("img0.png").values()
    assert car.geometry == Box(2.5, 3.25, 22.5, 13.75)
    assert car.class_id == linked.class_id("car")
    # the label whose bbox has no area is reported, not dropped or invented
    (person,) = linked.annotations("img1.png").values()
    assert person.geometry == Box(1, 1, 6, 10)
    assert any("img1.png" in i and "cannot be read as a box" in i for i in report.issues)
    # the key went to the API only; storage got none
    for method, target, headers in world.fake.requests:
        has_key = any(k.lower() == "x-api-key" for k in headers)
        assert has_key == target.startswith("/api/v1/"), (method, target)
    # nothing to push after a clone, and a second run changes nothing
    again = linked.engine.run_once()
    assert again.pushed_images == 0 and again.created == again.updated == 0
    assert world.fake.label_writes == 0 and world.fake.signals == []


def test_clone_from_the_command_line(world: World, tmp_path: Path, monkeypatch, capsys) -> None:
    from limner.app.cli import main as cli

    monkeypatch.setenv("CF_TEST_KEY", KEY)
    path = tmp_path / "cli-clone"
    args = ["--kind", "cloudfactory", "--url", world.fake.base_url, "--project", world.ref]
    code = cli(["clone", *args, "--token-env", "CF_TEST_KEY", "--json", str(path)])
    report = json.loads(capsys.readouterr().out)
    assert report["pulled_images"] == 7 and report["downloaded"] == 7
    assert code == 3  # in sync, except the label that is not a box (kept as it is)
    assert len(report["issues"]) == 1 and "img1.png" in report["issues"][0]


# -- offline labeling, push, geometry equality --------------------------------------------
def test_label_offline_and_sync_makes_the_server_equal_the_project(world: World, link) -> None:
    linked = link()
    linked.engine.run_once()
    (pulled_car,) = linked.annotations("img0.png").values()
    (person,) = linked.annotations("img1.png").values()
    (untouched,) = linked.annotations("img2.png").values()
    (untouched_label,) = world.item("img2.png")["labels"]
    world.fake.stop()  # offline from here
    refused: dict[str, str] = {}
    wanted: dict[str, dict[str, tuple[Box, str]]] = {}
    for i, name in enumerate(SIZES):
        w, h = SIZES[name]
        image = linked.image(name)
        box = Box(1.5 + i, 2.25, w / 2 + 0.125, h / 2 + 1 / 3)
        items = [NewAnnotation(new_uuid(), image.id, linked.class_id("car"), box, {"n": i})]
        if i % 2 == 0:
            ring = [(3.0, 3.0), (w - 4.5, 5.0), (w / 2, h - 3.25)]
            items.append(NewAnnotation(new_uuid(), image.id, None, Polygon.from_points(ring)))
            refused[items[-1].uuid] = "polygons"
        if i % 3 == 0:
            full = np.zeros((h, w), bool)
            full[5 : h - 6, 7:20] = True
            items.append(NewAnnotation(new_uuid(), image.id, None, Mask.from_array(full)))
            refused[items[-1].uuid] = "masks"
        if i == 4:
            points = ((w / 3, h / 3, 2), (w / 2, h / 2, 1))
            items.append(NewAnnotation(new_uuid(), image.id, None, Keypoints(points)))
            refused[items[-1].uuid] = "keypoints"
        linked.history.execute(AddAnnotations(tuple(items)))
    # edit and delete what was pulled
    moved = Box(3, 4, 30, 20)
    linked.history.execute(
        EditAnnotations.from_records(
            "Move", [(linked.annotations("img0.png")[pulled_car.uuid], {"geometry": moved})]
        )
    )
    linked.history.execute(DeleteAnnotations((person.uuid,), on_image=person.image_id))

    offline = linked.engine.run_once()
    assert offline.state == "offline" and offline.pending == 7
    world.fake.start()
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    # the five images holding shapes the server refused stay pending, nothing else does
    assert report.pushed_images == 7 and report.pending == 5
    # one issue per refused annotation, naming what the server cannot hold
    for uuid, kind in refused.items():
        matching = [i for i in report.issues if uuid in i]
        assert len(matching) == 1, uuid
        assert f"{kind} cannot be stored there" in matching[0]

    for name in SIZES:
        local = linked.annotations(name)  # deleted ones are not listed
        boxes = {u: a for u, a in local.items() if isinstance(a.geometry, Box)}
        remote = server_regions(world, name)
        boxes.pop(untouched.uuid, None)  # pulled, never edited: on the server as it came
        assert set(remote) - {None} == set(boxes), name
        for uuid, ann in boxes.items():
            assert same_box(remote[uuid][0], ann.geometry), name
            assert remote[uuid][1] == "car"
        wanted[name] = remote
    assert world.item("img2.png")["labels"][0] == untouched_label
    # refused shapes are kept locally, never dropped
    kept = {u for name in SIZES for u in linked.annotations(name)}
    assert set(refused) <= kept
    assert person.uuid not in kept
    assert same_box(wanted["img0.png"][pulled_car.uuid][0], moved)
    # the worker's own metadata survives limner's rewrite
    label = world.item("img0.png")["labels"][0]
    assert label["metadata"]["worker"] == "w-17" and label["metadata"]["confidence"] == 0.93
    attributes = [label["metadata"].get("attributes") for label in world.item("img0.png")["labels"]]
    assert {"n": 0, "occluded": True} in attributes or {"n": 0} in attributes
    # the unreadable label is still there, untouched
    assert {"metadata": {"category": "car"}, "bbox": [5, 5, 0, 4]} in world.item("img1.png")[
        "labels"
    ]
    writes = world.fake.label_writes
    assert linked.engine.run_once().pushed_images == 0
    assert world.fake.label_writes == writes


def test_remote_edit_is_pulled(world: World, link) -> None:
    linked = link()
    linked.engine.run_once()
    (worker_car,) = linked.annotations("img0.png").values()
    mine = add_box(linked, "img0.png", Box(40, 30, 50, 40))
    assert linked.engine.run_once().state == "up_to_date"
    labels = json.loads(json.dumps(world.item("img0.png")["labels"]))
    assert [label["metadata"].get("limner_uuid") for label in labels] == [None, mine]
    labels[0]["bbox"] = [10, 11, 12, 13]  # a label made outside limner: a new label now
    labels[1]["bbox"] = [41, 31, 9, 9]  # one limner wrote: known by its uuid, updated
    labels.append({"metadata": {"category": "truck"}, "bbox": [30, 30, 10, 5]})
    world.fake.edit_labels(world.ids["img0.png"], labels)
    world.fake.edit_labels(world.ids["img1.png"], [world.item("img1.png")["labels"][1]])
    world.fake.set_status(world.ids["img4.png"], "IN_PROGRESS")
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    # created: the edited outside label and the truck; deleted: its old self, the person
    assert (report.created, report.updated, report.deleted) == (2, 1, 2)
    now = linked.annotations("img0.png")
    assert worker_car.uuid not in now and now[mine].geometry == Box(41, 31, 50, 40)
    others = sorted((a.geometry.x0, a.class_id) for u, a in now.items() if u != mine)
    assert others == [(10, linked.class_id("car")), (30, linked.class_id("truck"))]
    assert linked.annotations("img1.png") == {}
    assert linked.image("img4.png").status == "in_progress"
    assert report.pending == 0


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_both_sides_edit_becomes_a_conflict(world: World, link, choice: str) -> None:
    linked = link()
    linked.engine.run_once()
    (pulled,) = linked.annotations("img2.png").values()
    linked.history.execute(
        EditAnnotations.from_records("Move", [(pulled, {"geometry": Box(5, 5, 13, 13)})])
    )
    assert linked.engine.run_once().state == "up_to_date"  # the label now carries its uuid
    car = linked.annotations("img2.png")[pulled.uuid]
    linked.history.execute(
        EditAnnotations.from_records("Move", [(car, {"geometry": Box(7, 7, 17, 17)})])
    )
    labels = json.loads(json.dumps(world.item("img2.png")["labels"]))
    assert labels[0]["metadata"]["limner_uuid"] == car.uuid
    labels[0]["bbox"] = [1, 1, 39, 29]
    world.fake.edit_labels(world.ids["img2.png"], labels)
    report = linked.engine.run_once()
    assert report.conflicts == 1
    assert linked.annotations("img2.png")[car.uuid].geometry == Box(7, 7, 17, 17)
    assert world.item("img2.png")["labels"][0]["bbox"] == [1, 1, 39, 29]
    with linked.store.read() as conn:
        (conflict,) = sync_store.open_conflicts(conn)
    resolve_conflict(linked.store, conflict.id, choice)
    assert linked.engine.run_once().state == "up_to_date"
    local = linked.annotations("img2.png")[car.uuid].geometry
    (remote,) = server_regions(world, "img2.png").values()
    expected = Box(7, 7, 17, 17) if choice == "mine" else Box(1, 1, 40, 30)
    assert local == expected and same_box(remote[0], expected)


def test_push_meeting_a_fresh_remote_change_merges_first(world: World, link) -> None:
    """The server changes between limner's pull and its push: nothing is overwritten."""
    linked = link()
    linked.engine.run_once()
    (worker_label,) = world.item("img2.png")["labels"]
    mine = add_box(linked, "img2.png", Box(20, 20, 30, 30))
    adapter = linked.engine.adapter
    original = adapter.apply
    state = {"done": False}
    person = {"metadata": {"category": "person"}, "bbox": [2, 2, 3, 3]}

    def edit_then_apply(image, plan, push):
        if not state["done"]:
            state["done"] = True
            labels = json.loads(json.dumps(world.item("img2.png")["labels"]))
            world.fake.edit_labels(world.ids["img2.png"], [*labels, person])
        return original(image, plan, push)

    adapter.apply = edit_then_apply  # type: ignore[method-assign]
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    labels = world.item("img2.png")["labels"]
    assert labels[:2] == [worker_label, person]  # both as they were, in their places
    assert len(labels) == 3 and labels[2]["metadata"]["limner_uuid"] == mine
    assert len(linked.annotations("img2.png")) == 3


def test_crash_after_remote_write_creates_no_duplicate(world: World, link, monkeypatch) -> None:
    linked = link()
    linked.engine.run_once()
    uuid = add_box(linked, "img3.png", Box(2, 3, 4, 5))
    linked.history.execute(Submit([linked.image("img5.png").id]))
    calls = {"n": 0}
    original = Pusher.record

    def die_once(self, snap, result):
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt("killed between the server's answer and the commit")
        return original(self, snap, result)

    monkeypatch.setattr(Pusher, "record", die_once)
    with pytest.raises(KeyboardInterrupt):
        linked.engine.run_once()
    report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0, report.message
    assert list(server_regions(world, "img3.png")) == [uuid]
    assert [s for s in signals_of(world, "img5.png") if s[0] == "complete"] == [
        ("complete", "labeling", "OK")
    ]
    assert world.item("img5.png")["status"] == "COMPLETED"


def test_sigkill_mid_push_then_a_second_sync_leaves_no_duplicates(
    world: World, link, monkeypatch, capsys
) -> None:
    """A real ``limner sync`` process killed mid-push; the next sync finishes the job."""
    fake = world.fake
    names = [f"batch{i:02d}.png" for i in range(30)]
    for index, name in enumerate(names):
        world.ids[name] = fake.add_work_item(world.project, name, png_bytes(40, 30, 100 + index))
    linked = link()
    clone = linked.engine.run_once()
    assert clone.state == "up_to_date", clone.message
    car = linked.class_id("car")
    wanted: dict[str, dict[str, Box]] = {}
    for index, name in enumerate(names):
        record = linked.image(name)
        shift = index % 10
        items = (
            NewAnnotation(new_uuid(), record.id, car, Box(1, 2, 11, 12)),
            NewAnnotation(new_uuid(), record.id, car, Box(5 + shift, 3.5, 20.25 + shift, 18)),
        )
        linked.history.execute(AddAnnotations(items))
        wanted[name] = {item.uuid: item.geometry for item in items}
    seeded = sum(len(item["labels"]) for item in fake.project_items(world.project))
    # each labels write is applied, then answered 50 ms later: the kill lands mid-push,
    # with writes on the server that the project has not recorded yet
    fake.fault(10**6, after=True, delay=0.05, method="PUT", path_contains="/labels")
    batch = {world.ids[name] for name in names}

    def landed() -> int:
        with fake.lock:
            return sum(1 for key in batch if fake.items[key]["labels"])

    def connections() -> set[object]:
        with fake.lock:
            return set(fake._connections)

    killed = sync_killed_mid_push(
        linked.store.folder, token_env=KEY_ENV, token=KEY, landed=landed, connections=connections
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert 3 <= killed.landed < len(names)  # some images pushed, not all: killed mid-push
    fake.clear_faults()

    monkeypatch.setenv(KEY_ENV, KEY)
    code = cli(["sync", str(linked.store.folder), "--once", "--json", "--token-env", KEY_ENV])
    report = json.loads(capsys.readouterr().out)
    assert report["state"] == "up_to_date" and report["pending"] == 0, report
    assert report["conflicts"] == 0 and set(report["issues"]) == set(clone.issues), report
    assert code == (3 if clone.issues else 0)  # the seeded label that is not a box is kept
    # every shape is on its work item exactly once, found by the uuid in its metadata
    for name, shapes in wanted.items():
        labels = world.item(name)["labels"]
        found = sorted(label["metadata"].get("limner_uuid") for label in labels)
        assert found == sorted(shapes), name
        held = server_regions(world, name)
        for uuid, box in shapes.items():
            assert same_box(held[uuid][0], box) and held[uuid][1] == "car", (name, uuid)
    total = sum(len(item["labels"]) for item in fake.project_items(world.project))
    assert total == seeded + 2 * len(names)
    # nothing came back as a second local copy and nothing is left to push
    for name, shapes in wanted.items():
        assert set(linked.annotations(name)) == set(shapes), name
    with linked.store.read() as conn:
        assert sync_store.pending_count(conn, linked.engine.remote_id) == 0


def test_unknown_or_unsuitable_project_is_a_setup_error(
    world: World, link, fake: CloudFactoryFake
) -> None:
    missing = World(fake, world.space, "7d0c0d59-2f43-4c7e-9a55-2b9b1c3b2d10", {}, 0)
    report = link(target=missing, name="missing").engine.run_once()
    assert report.state == "error" and "does not exist" in report.message
    _space, videos = fake.add_project("Dashcam", space_id=world.space, data_type="image_sequence")
    report = link(target=World(fake, world.space, videos, {}, 0), name="videos").engine.run_once()
    assert report.state == "error" and "limner syncs image projects" in report.message
    # the space alone lists its projects (what a connect dialog shows)
    lister = make_adapter("cloudfactory", fake.base_url, f"{world.space}/", KEY)
    try:
        assert dict(lister.projects()) == {  # type: ignore[attr-defined]
            world.ref: "Street scenes",
            f"{world.space}/{videos}": "Dashcam",
        }
    finally:
        lister.close()


# -- routes ---------------------------------------------------------------------------------
ALT_ROUTES = {
    "put_labels": ("PATCH", "/projects/{projectID}/workItems/{workItemID}"),
    "signal": ("POST", "/projects/{projectID}/workItems/{workItemID}/signal"),
    "get_project": ("GET", "/projects/{projectID}"),
}


def test_routes_can_be_replaced_from_the_settings(tmp_path: Path, link) -> None:
    with CloudFactoryFake(KEY, routes=ALT_ROUTES) as server:
        moved = seed(server)
        settings = {
            "routes": {
                "put_labels": "PATCH /projects/{projectID}/workItems/{workItemID}",
                "signal": ["POST", "/projects/{projectID}/workItems/{workItemID}/signal"],
                "get_project": {"method": "get", "path": "/projects/{projectID}"},
            }
        }
        linked = link(settings=settings, target=moved, name="moved")
        assert linked.engine.run_once().state == "up_to_date"
        uuid = add_box(linked, "img3.png", Box(1, 1, 9, 9))
        linked.history.execute(Submit([linked.image("img3.png").id]))
        report = linked.engine.run_once()
        assert report.state == "up_to_date", report.message
        assert list(server_regions(moved, "img3.png")) == [uuid]
        assert moved.item("img3.png")["status"] == "COMPLETED"
        # the built-in routes do not reach this server: said clearly, nothing lost
        stale = link(target=moved, name="stale")
        report = stale.engine.run_once()
        assert report.state == "error" and "404" in report.message
