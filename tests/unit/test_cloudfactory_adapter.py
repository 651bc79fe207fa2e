"""limner against a CloudFactory work-item project (an in-memory fake of the External API).

Everything runs through the real engine and a real project on disk: clone, offline
labeling, sync until both sides are equal, remote edits, conflicts, a crash between the
server's answer and the local commit (in process, and a real sync process killed with
SIGKILL mid-push), and the faults a real network gives (429 with
Retry-After, 5xx before and after a write landed, timeouts, broken bodies, auth and
validation errors). The fake itself is checked against the API page's examples and,
through the vendor's own SDK, against the client CloudFactory ships.
"""

from __future__ import annotations

import importlib.metadata
import json
import random
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import pytest

from app.cli import main as cli
from models import queries, sync_store
from models.commands import AddAnnotations, DeleteAnnotations, EditAnnotations, SetImageStatus
from models.entities import NewAnnotation
from models.geometry import Box, Keypoints, Mask, Polygon
from models.history import History
from models.queues import queue_image_ids, queues
from models.review_commands import Review, Skip, Submit
from models.store import ProjectStore
from models.tx import new_uuid
from sync.adapters.base import Refused, Region
from sync.adapters.cloudfactory import CloudFactoryAdapter
from sync.adapters.cloudfactory_format import (
    LabelStyle,
    bbox_of,
    box_of,
    canonical_status,
    merge_routes,
    plan_signals,
)
from sync.engine import SyncEngine, resolve_conflict
from sync.errors import ConfigError
from sync.factory import make_adapter
from sync.push import Pusher
from sync.retry import RetryPolicy
from sync.transport import HeaderAuth, Transport
from tests.fakes.cloudfactory_server import CloudFactoryFake, png_bytes
from tests.fakes.sigkill import sync_killed_mid_push

KEY = "cf-test-key-0123"
KEY_ENV = "LIMNER_TEST_CF_KEY"
SIZES = {
    "img0.png": (64, 48),
    "img1.png": (80, 60),
    "img2.png": (72, 40),
    "img3.png": (50, 50),
    "img4.png": (66, 44),
    "img5.png": (40, 30),
    "img6.png": (56, 42),
}


@dataclass
class World:
    fake: CloudFactoryFake
    space: str
    project: str
    ids: dict[str, str]
    night: int

    @property
    def ref(self) -> str:
        return f"{self.space}/{self.project}"

    def item(self, name: str) -> dict:
        return self.fake.items[self.ids[name]]


@dataclass
class Linked:
    store: ProjectStore
    engine: SyncEngine
    waits: list[float]
    history: History = field(init=False)

    def __post_init__(self) -> None:
        self.history = History(self.store)

    def image(self, name: str):
        with self.store.read() as conn:
            return queries.image_by_name(conn, name)

    def annotations(self, name: str) -> dict:
        with self.store.read() as conn:
            image = queries.image_by_name(conn, name)
            return {a.uuid: a for a in queries.annotations_for_image(conn, image.id)}

    def class_id(self, name: str) -> int:
        with self.store.read() as conn:
            return next(c.id for c in queries.label_classes(conn) if c.name == name)


def seed(fake: CloudFactoryFake) -> World:
    """A project as CloudFactory's own workers left it: statuses, labels, two batches."""
    space, project = fake.add_project("Street scenes")
    night = fake.add_batch(project, "Night shift")
    ids: dict[str, str] = {}

    def add(name: str, seed_: int, **kwargs) -> None:
        width, height = SIZES[name]
        ids[name] = fake.add_work_item(project, name, png_bytes(width, height, seed_), **kwargs)

    worker = {"category": "car", "worker": "w-17", "confidence": 0.93}
    add("img0.png", 0, labels=[{"metadata": worker, "bbox": [2.5, 3.25, 20.0, 10.5]}])
    add(
        "img1.png",
        1,
        status="IN_PROGRESS",
        labels=[
            {"metadata": {"category": "person"}, "bbox": [1, 1, 5, 9]},
            {"metadata": {"category": "car"}, "bbox": [5, 5, 0, 4]},  # no area: not a box
        ],
    )
    add(
        "img2.png",
        2,
        status="COMPLETED",
        labels=[{"metadata": {"category": "car"}, "bbox": [4, 4, 8, 8]}],
    )
    add("img3.png", 3, status="FAILED")
    add("img4.png", 4, external=True, batch_id=night, due_in_seconds=3600)
    add("img5.png", 5, batch_id=night, due_in_seconds=60)
    add("img6.png", 6, status="COMPLETED")
    return World(fake, space, project, ids, night)


@pytest.fixture
def fake() -> Iterator[CloudFactoryFake]:
    with CloudFactoryFake(KEY) as server:
        yield server


@pytest.fixture
def world(fake: CloudFactoryFake) -> World:
    return seed(fake)


@pytest.fixture
def link(tmp_path: Path, world: World):
    """``link(settings=..., timeout=..., key=...)`` -> a project linked to the fake."""
    opened: list[ProjectStore] = []

    def make(
        *,
        settings: dict | None = None,
        timeout: float = 5.0,
        key: str = KEY,
        name: str = "clone",
        target: World | None = None,
    ) -> Linked:
        where = target or world
        waits: list[float] = []
        policy = RetryPolicy(attempts=5, sleeper=waits.append, rng=random.Random(11))
        store = ProjectStore.create(tmp_path / name)
        opened.append(store)
        with store.transaction() as (conn, _):
            remote_id = sync_store.add_remote(
                conn, "cloudfactory", where.fake.base_url, where.ref, settings=settings
            )
        adapter = make_adapter(
            "cloudfactory",
            where.fake.base_url,
            where.ref,
            key,
            policy=policy,
            timeout=timeout,
            settings=settings,
        )
        return Linked(store, SyncEngine(store, remote_id, adapter, workers=2), waits)

    yield make
    for store in opened:
        store.close()


def server_regions(world: World, name: str) -> dict[str, tuple[Box, str | None]]:
    """uuid -> (box, class) of a work item's labels that are boxes (``[x, y, w, h]``)."""
    out = {}
    for label in world.item(name)["labels"]:
        meta = label["metadata"]
        x, y, w, h = label["bbox"]
        if w <= 0 or h <= 0:
            continue  # not a box: left as the server had it
        out[meta.get("limner_uuid")] = (Box(x, y, x + w, y + h), meta.get("category"))
    return out


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def same_box(a: Box, b: Box) -> bool:
    return all(
        close(p, q) for p, q in zip((a.x0, a.y0, a.x1, a.y1), (b.x0, b.y0, b.x1, b.y1), strict=True)
    )


def signals_of(world: World, name: str) -> list[tuple[str, str, str]]:
    return [
        (s["signal"], s["taskType"], s["signalOutcome"])
        for s in world.fake.signals
        if s["workItemID"] == world.ids[name]
    ]


def add_box(linked: Linked, name: str, box: Box, cls: str = "car") -> str:
    image = linked.image(name)
    item = NewAnnotation(new_uuid(), image.id, linked.class_id(cls), box, {"occluded": True})
    linked.history.execute(AddAnnotations((item,)))
    return item.uuid


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
    from app.cli import main as cli

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


# -- statuses and reviews -------------------------------------------------------------------
def test_statuses_and_reviews_become_signals_and_stay_put(world: World, link) -> None:
    linked = link()
    linked.engine.run_once()
    ids = {n: linked.image(n).id for n in SIZES}
    h = linked.history
    h.execute(Submit([ids["img0.png"]]))
    h.execute(Review(ids["img2.png"], "approve", "tidy"))
    h.execute(Review(ids["img6.png"], "reject", "missed the cyclist"))
    h.execute(Skip([ids["img5.png"]], "blurry"))
    h.execute(Submit([ids["img3.png"]]))
    h.execute(SetImageStatus({ids["img1.png"]: "in_progress"}, "new"))
    report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0, report.message
    status = {n: world.item(n)["status"] for n in SIZES}
    assert status["img0.png"] == "COMPLETED" and status["img2.png"] == "COMPLETED"
    assert status["img6.png"] == "NEW" and status["img5.png"] == "FAILED"
    assert status["img3.png"] == "COMPLETED" and status["img1.png"] == "NEW"
    assert signals_of(world, "img0.png") == [
        ("start", "labeling", "OK"),
        ("complete", "labeling", "OK"),
    ]
    assert signals_of(world, "img2.png") == [("complete", "review", "OK")]
    assert signals_of(world, "img6.png") == [("complete", "review", "NOT_OK")]
    assert signals_of(world, "img5.png") == [("cancel", "labeling", "OK")]
    assert [s[0] for s in signals_of(world, "img3.png")] == ["reopen", "start", "complete"]
    assert signals_of(world, "img1.png") == [("release", "labeling", "OK")]
    marker = world.item("img2.png")["labels"][0]["metadata"]["limner_review"]
    assert marker["decision"] == "approve" and marker["comment"] == "tidy"
    # nothing is sent twice and nothing flips back locally
    sent = len(world.fake.signals)
    assert linked.engine.run_once().state == "up_to_date"
    assert len(world.fake.signals) == sent
    local = {n: linked.image(n).status for n in SIZES}
    assert local["img2.png"] == "approved"
    # img6 has no label to carry the rejection: the server reads "back in labeling" and the
    # project follows it (the review itself stays in the image's history)
    assert local["img6.png"] == "new"
    assert local["img5.png"] == "skipped" and local["img0.png"] == "submitted"
    # a second limner sees limner's approval (it is on the labels)
    other = link(name="other")
    other.engine.run_once()
    assert other.image("img2.png").status == "approved"
    assert other.image("img6.png").status == "new"  # no label to carry the rejection


def test_skip_can_release_instead_of_cancel(world: World, link) -> None:
    linked = link(settings={"skip_signal": "release", "assignee": "ann@example.com"})
    linked.engine.run_once()
    linked.history.execute(Skip([linked.image("img1.png").id], "not mine"))
    assert linked.engine.run_once().state == "up_to_date"
    assert signals_of(world, "img1.png") == [("release", "labeling", "OK")]
    assert world.item("img1.png")["status"] == "NEW"
    assert linked.image("img1.png").status == "skipped"


def test_rejection_can_reopen_with_the_reviewers_comment(world: World, link) -> None:
    linked = link(settings={"reject_signal": "reopen"})
    linked.engine.run_once()
    linked.history.execute(Review(linked.image("img2.png").id, "reject", "box too loose"))
    assert linked.engine.run_once().state == "up_to_date"
    (record,) = [s for s in world.fake.signals if s["workItemID"] == world.ids["img2.png"]]
    assert record["signal"] == "reopen" and record["taskType"] == "bulk"
    assert record["feedback"] == {"comments": ["box too loose"]}
    assert world.item("img2.png")["status"] == "NEW"
    marker = world.item("img2.png")["labels"][0]["metadata"]["limner_review"]
    assert marker["decision"] == "reject" and marker["comment"] == "box too loose"
    other = link(name="other")
    other.engine.run_once()
    assert other.image("img2.png").status == "rejected"


# -- faults -------------------------------------------------------------------------------
def test_429_with_retry_after_is_honoured(world: World, link) -> None:
    linked = link()
    linked.engine.run_once()
    uuid = add_box(linked, "img3.png", Box(1, 1, 9, 9))
    world.fake.fault(2, status=429, headers={"Retry-After": "7"}, method="PUT")
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    assert linked.waits == [7.0, 7.0]
    assert list(server_regions(world, "img3.png")) == [uuid]
    assert world.fake.label_writes == 1


def test_throttling_503_on_reads_is_waited_out(world: World, link) -> None:
    linked = link()
    world.fake.fault(
        3, status=503, headers={"Retry-After": "2"}, method="GET", path_contains="/workItems"
    )
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    assert linked.waits == [2.0, 2.0, 2.0]
    assert report.pulled_images == 7


def test_5xx_after_the_write_landed_is_not_written_twice(world: World, link) -> None:
    linked = link()
    linked.engine.run_once()
    uuid = add_box(linked, "img3.png", Box(1, 1, 9, 9))
    linked.history.execute(Submit([linked.image("img4.png").id]))
    world.fake.fault(1, status=502, after=True, method="PUT")
    world.fake.fault(1, status=500, after=True, method="POST", path_contains="/signals")
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    assert world.fake.label_writes == 1
    assert signals_of(world, "img4.png") == [
        ("start", "labeling", "OK"),
        ("complete", "labeling", "OK"),
    ]
    assert list(server_regions(world, "img3.png")) == [uuid]
    assert len(linked.waits) == 2


def test_5xx_before_the_write_is_retried(world: World, link) -> None:
    linked = link()
    linked.engine.run_once()
    linked.history.execute(Submit([linked.image("img4.png").id]))
    world.fake.fault(2, status=500, method="POST", path_contains="/signals")
    assert linked.engine.run_once().state == "up_to_date"
    assert world.item("img4.png")["status"] == "COMPLETED"
    assert len(signals_of(world, "img4.png")) == 2


def test_timeouts_after_the_server_applied_leave_no_duplicates(world: World, link) -> None:
    linked = link(timeout=0.4)
    linked.engine.run_once()
    uuid = add_box(linked, "img3.png", Box(1, 1, 9, 9))
    linked.history.execute(Submit([linked.image("img5.png").id]))
    world.fake.fault(1, after=True, delay=1.5, method="PUT")
    world.fake.fault(1, after=True, delay=1.5, method="POST", path_contains="/signals")
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    assert world.fake.label_writes == 1
    assert list(server_regions(world, "img3.png")) == [uuid]
    assert signals_of(world, "img5.png") == [
        ("start", "labeling", "OK"),
        ("complete", "labeling", "OK"),
    ]


def test_malformed_answers_stop_the_run_and_nothing_is_duplicated(world: World, link) -> None:
    linked = link()
    world.fake.fault(1, malformed=True, after=True, method="GET", path_contains="/workItems")
    report = linked.engine.run_once()
    assert report.state == "error" and "/workItems" in report.message, report.message
    assert linked.waits == []  # the same request would get the same answer: not retried
    again = linked.engine.run_once()  # nothing was half-written: the next run goes through
    assert again.state == "up_to_date" and again.pulled_images == 7, again.message
    uuid = add_box(linked, "img3.png", Box(1, 1, 9, 9))
    # the write is applied, its answer broken: the state is read back, nothing sent twice
    world.fake.fault(1, malformed=True, after=True, method="PUT")
    assert linked.engine.run_once().state == "up_to_date"
    assert world.fake.label_writes == 1
    assert list(server_regions(world, "img3.png")) == [uuid]


def test_long_outage_keeps_everything_queued(world: World, link) -> None:
    linked = link()
    linked.engine.run_once()
    add_box(linked, "img3.png", Box(1, 1, 9, 9))
    world.fake.fault(50, status=503)
    report = linked.engine.run_once()
    assert report.state == "offline" and report.pending == 1
    assert "503" in report.message
    world.fake.clear_faults()
    report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0


def test_bad_key_and_forbidden_stop_for_credentials(world: World, link) -> None:
    report = link(key="wrong-key").engine.run_once()
    assert report.state == "auth" and "401" in report.message
    assert "invalid or expired" in report.message
    linked = link(name="ok")
    linked.engine.run_once()
    add_box(linked, "img3.png", Box(1, 1, 9, 9))
    world.fake.fault(1, status=403, body={"statusCode": 403, "message": "project access revoked"})
    report = linked.engine.run_once()
    assert report.state == "auth" and "project access revoked" in report.message
    assert report.pending == 1


def test_400_parks_the_image_with_the_servers_message(world: World, link) -> None:
    linked = link()
    linked.engine.run_once()
    add_box(linked, "img3.png", Box(1, 1, 9, 9))
    other = add_box(linked, "img4.png", Box(2, 2, 9, 9))
    message = "labels[0].bbox must lie inside the asset"
    world.fake.fault(
        1,
        status=400,
        method="PUT",
        path_contains=world.ids["img3.png"],
        body={"statusCode": 400, "message": message, "error": "Bad Request"},
    )
    report = linked.engine.run_once()
    assert report.state == "up_to_date"
    assert any("img3.png" in i and message in i for i in report.issues), report.issues
    assert report.pending == 1
    assert list(server_regions(world, "img4.png")) == [other]
    report = linked.engine.run_once()
    assert report.pending == 0 and not any("img3.png" in i for i in report.issues)


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


def test_route_overrides_are_checked() -> None:
    assert merge_routes({"signal": "post /x/{workItemID}"})["signal"] == ("POST", "/x/{workItemID}")
    with pytest.raises(ConfigError, match="unknown CloudFactory route"):
        merge_routes({"labels": "PUT /x"})
    with pytest.raises(ConfigError, match="batchID"):
        merge_routes({"put_labels": "PUT /projects/{projectID}/batches/{batchID}"})
    with pytest.raises(ConfigError, match="METHOD /path"):
        merge_routes({"put_labels": "FETCH /x"})


# -- mapping rules ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("current", "status", "signals"),
    [
        ("NEW", "new", []),
        ("NEW", "in_progress", ["start"]),
        ("NEW", "submitted", ["start", "complete"]),
        ("IN_PROGRESS", "submitted", ["complete"]),
        ("IN_PROGRESS", "new", ["release"]),
        ("COMPLETED", "submitted", []),
        ("COMPLETED", "approved", ["complete/review/OK"]),
        ("COMPLETED", "rejected", ["complete/review/NOT_OK"]),
        ("COMPLETED", "new", ["reopen"]),
        ("COMPLETED", "skipped", ["reopen", "cancel"]),
        ("FAILED", "submitted", ["reopen", "start", "complete"]),
        ("FAILED", "skipped", []),
        ("NEW", "approved", ["start", "complete", "complete/review/OK"]),
        ("IN_PROGRESS", "rejected", []),
        ("NEW", "skipped", ["cancel"]),
    ],
)
def test_signal_plans(current: str, status: str, signals: list[str]) -> None:
    plan = plan_signals(current, status, skip_signal="cancel", approval_on_server=False)
    names = [s.signal if s.task == "labeling" else f"{s.signal}/{s.task}/{s.outcome}" for s in plan]
    assert names == signals


def test_an_approval_already_on_the_server_is_not_sent_again() -> None:
    assert (
        plan_signals("COMPLETED", "approved", skip_signal="cancel", approval_on_server=True) == []
    )
    assert canonical_status("COMPLETED", {"decision": "approve"}) == "approved"
    assert canonical_status("NEW", {"decision": "reject"}) == "rejected"
    assert canonical_status("FAILED", None) == "skipped"
    assert canonical_status("ARCHIVED", None) is None


@pytest.mark.parametrize("fmt", ["xywh", "xyxy", "xywh_normalized", "xyxy_normalized"])
def test_bbox_formats_round_trip(fmt: str) -> None:
    box = Box(1.25, 2.5, 31.0 / 3.0, 17.75)
    back = box_of(bbox_of(box, 64, 48, fmt), 64, 48, fmt)
    assert same_box(back, box)
    with pytest.raises(ConfigError):
        LabelStyle(bbox_format="yxhw")


def test_only_boxes_are_accepted_with_a_reason() -> None:
    transport = Transport("http://127.0.0.1:9", HeaderAuth("X-API-Key", KEY))
    adapter = CloudFactoryAdapter(transport, "s/p")
    try:
        label = adapter.encode(Region("a", None, Box(0, 0, 1, 1)), 10, 10, target=None)
        assert label == {"metadata": {"limner_uuid": "a"}, "bbox": [0.0, 0.0, 1.0, 1.0]}
        polygon = Polygon.from_points([(0, 0), (4, 0), (0, 4)])
        with pytest.raises(Refused, match="only a bbox"):
            adapter.encode(Region("b", None, polygon), 10, 10, target=None)
        with pytest.raises(Refused, match="left or top edge"):
            adapter.encode(Region("c", None, Box(-1, 0, 4, 4)), 10, 10, target=None)
        assert adapter.capabilities.refuses("mask") is not None
        assert adapter.capabilities.refuses("box") is None
    finally:
        adapter.close()
    with pytest.raises(ConfigError, match="spaceID"):
        CloudFactoryAdapter(transport, "only-a-project")
    with pytest.raises(ConfigError, match="skip_signal"):
        CloudFactoryAdapter(transport, "s/p", settings={"skip_signal": "drop"})


# -- the fake against the API page --------------------------------------------------------
SEED_KEYS = {
    "batch": {"id", "projectId", "name", "createdBy", "createdAt", "metadata"},
    "batch_stats": {"totalCount", "completedCount"},
    "meta": {"object", "limit", "page", "cursor_next", "cursor_prev"},
    "project": {"id", "name", "description", "createdAt", "spaceID", "dataType", "companyID"},
    "signal_item": {"id", "projectID", "workItemID", "feedback"},
    "work_item": {
        "id", "status", "assetUrl", "assetId", "batchId", "resultsUrl", "createdAt",
        "updatedAt", "taxonomyVersionId", "metadata", "dueInSeconds", "difficulty",
        "assetType",
    },
    "label": {"metadata", "bbox"},
    "annotation": {
        "id", "projectID", "workItemID", "inference", "groundTruthReviewer", "createdAt",
        "updatedAt", "metadata",
    },
    "signed": {"path", "signedUrl"},
}  # fmt: skip


def test_fake_answers_in_the_shapes_of_the_api_page(world: World) -> None:
    fake = world.fake
    p, s = world.project, world.space
    with httpx.Client(base_url=fake.base_url, headers={"X-API-Key": KEY}) as http:
        created = http.post(f"/projects/{p}/batches", json={"name": "Day"})
        assert created.status_code == 201 and set(created.json()) == SEED_KEYS["batch"]
        dup = http.post(f"/projects/{p}/batches", json={"name": "Day"})
        assert dup.status_code == 409 and "already exists" in dup.json()["message"]
        listed = http.get(f"/projects/{p}/batches", params={"limit": 2}).json()
        assert set(listed["meta"]) == SEED_KEYS["meta"] and listed["meta"]["cursor_next"]
        assert set(listed["items"][0]) == SEED_KEYS["batch"] | SEED_KEYS["batch_stats"]
        patched = http.patch(
            f"/projects/{p}/batches/{created.json()['id']}", json={"metadata": {"a": 1}}
        )
        assert patched.json()["metadata"] == {"a": 1}
        (project,) = http.get(f"/spaces/{s}/projects").json()["items"]
        assert set(project) == SEED_KEYS["project"]
        assert http.get(f"/spaces/{s}/projects/{p}").json() == project
        item = http.post(
            f"/projects/{p}/workItems",
            json={"assetUrl": "uploads/x.png", "assetType": "image", "dueInSeconds": 10},
        )
        assert item.status_code == 201 and set(item.json()) == SEED_KEYS["work_item"]
        assert item.json()["status"] == "NEW"
        assert item.json()["batchId"] == fake.default_batch(p)
        bad = http.post(
            f"/projects/{p}/workItems",
            json={"assetUrl": "x", "assetType": "image", "dueInSeconds": 0},
        )
        assert bad.status_code == 400 and "dueInSeconds" in bad.json()["message"]
        page = http.get(f"/projects/{p}/workItems", params={"limit": 3}).json()
        assert set(page["meta"]) == SEED_KEYS["meta"] and page["meta"]["object"] == "work_item"
        assert set(page["items"][0]) == SEED_KEYS["work_item"] | {"labels"}
        assert set(page["items"][0]["labels"][0]) == SEED_KEYS["label"]
        following = http.get(
            f"/projects/{p}/workItems",
            params={"limit": 3, "cursor": page["meta"]["cursor_next"], "page": "NEXT"},
        ).json()
        back = http.get(
            f"/projects/{p}/workItems",
            params={"limit": 3, "cursor": following["meta"]["cursor_prev"], "page": "PREV"},
        ).json()
        assert [i["id"] for i in back["items"]] == [i["id"] for i in page["items"]]
        for limit in (0, 101):
            assert http.get(f"/projects/{p}/workItems", params={"limit": limit}).status_code == 400
        two = [world.ids["img0.png"], world.ids["img1.png"]]
        comma = http.get(f"/projects/{p}/workItems", params={"workItemIDs": ",".join(two)})
        repeated = http.get(f"/projects/{p}/workItems", params={"workItemIDs": two})
        assert {i["id"] for i in comma.json()["items"]} == set(two)
        assert comma.json()["items"] == repeated.json()["items"]
        night = http.get(f"/projects/{p}/workItems", params={"batchIds": [world.night]}).json()
        assert len(night["items"]) == 2
        done = http.get(f"/projects/{p}/workItems", params={"status": "COMPLETED"}).json()
        assert {i["id"] for i in done["items"]} == {world.ids["img2.png"], world.ids["img6.png"]}
        target = world.ids["img0.png"]
        no_outcome = http.post(
            f"/projects/{p}/workItems/{target}/signals",
            json={"signal": "start", "taskType": "labeling"},
        )
        assert no_outcome.status_code == 400
        wrong = http.post(
            f"/projects/{p}/workItems/{target}/signals",
            json={"signal": "complete", "taskType": "labeling", "signalOutcome": "OK"},
        )
        assert wrong.status_code == 409
        bulk = http.post(
            f"/projects/{p}/workItems/signals",
            json={
                "signal": "start",
                "workItems": [{"workItemID": target, "feedback": {"comments": ["go"]}}],
            },
        )
        assert bulk.status_code == 200
        assert set(bulk.json()["items"][0]) == SEED_KEYS["signal_item"]
        all_or_nothing = http.post(
            f"/projects/{p}/workItems/signals",
            json={
                "signal": "start",
                "workItems": [{"workItemID": world.ids["img5.png"]}, {"workItemID": target}],
            },
        )
        assert all_or_nothing.status_code == 409
        assert fake.items[world.ids["img5.png"]]["status"] == "NEW"
        annotation = http.get(
            f"/projects/{p}/workItems/{world.ids['img2.png']}/annotations",
            params={"format": "coco"},
        ).json()
        assert set(annotation) == SEED_KEYS["annotation"]
        assert annotation["metadata"]["coco_results_url"].startswith(
            f"s3://{fake.bucket}/spaces/{s}/"
        )
        ups = http.get(f"/spaces/{s}/signedurls", params={"count": 2}).json()["items"]
        assert len(ups) == 2 and set(ups[0]) == SEED_KEYS["signed"]
        assert http.get(f"/spaces/{s}/signedurls", params={"count": 11}).status_code == 400
        too_many = http.post(f"/spaces/{s}/signedurls", json={"paths": ["a"] * 1001})
        assert too_many.status_code == 400
        assert (
            http.get(f"/projects/{p}/workItems", headers={"X-API-Key": "nope"}).status_code == 401
        )
    with httpx.Client() as storage:
        url = ups[0]["signedUrl"]
        assert storage.put(url, content=b"abc", headers={"Content-Type": ""}).status_code == 400
        assert (
            storage.put(url, content=b"abc", headers={"Content-Type": "image/png"}).status_code
            == 200
        )
        leaked = storage.put(
            url, content=b"abc", headers={"Content-Type": "image/png", "X-API-Key": KEY}
        )
        assert leaked.status_code == 400
    assert fake.storage[(s, ups[0]["path"])] == (b"abc", "image/png")


# -- fidelity: the vendor's SDK against the fake ------------------------------------------
def test_vendor_sdk_reads_the_fake(world: World, tmp_path: Path) -> None:
    """CloudFactory's own client (``cf-ai-platform-client``) parses every answer it gets."""
    sdk = pytest.importorskip(
        "cf_ai_platform_client",
        reason="cf-ai-platform-client is not installed (pip install -e '.[test]')",
    )
    from cf_ai_platform_client.models import (
        Annotation,
        BatchesResponse,
        SearchResponse,
        SignedURLResponse,
    )

    assert importlib.metadata.version("cf-ai-platform-client") == "0.3.0"
    fake = world.fake
    with httpx.Client(base_url=fake.base_url, headers={"X-API-Key": KEY}) as http:
        page = http.get(f"/projects/{world.project}/workItems", params={"limit": 2}).json()
        parsed = SearchResponse(**page)
        assert parsed.meta is not None and parsed.meta.cursor_next
        assert {i.id for i in parsed.items} <= set(world.ids.values())
        assert BatchesResponse(**http.get(f"/projects/{world.project}/batches").json()).items
        raw = http.get(
            f"/projects/{world.project}/workItems/{world.ids['img2.png']}/annotations",
            params={"format": "coco"},
        ).json()
        assert Annotation(**raw).work_item_id == world.ids["img2.png"]
        signed = http.post(f"/spaces/{world.space}/signedurls", json={"paths": ["a/b.json"]})
        assert SignedURLResponse(**signed.json()).items[0].path == "a/b.json"

    with sdk.SyncCFUserClient.create_with_api_key(KEY, base_url=fake.base_url) as client:
        summary = client.download_project(
            project_id=world.project,
            space_id=world.space,
            destination=str(tmp_path / "sdk"),
            limit=1,  # one item a page: the keyset loop runs to its end
        )
        assert summary.total_items == 2 and summary.failed == 0, summary
        for name in ("img2.png", "img6.png"):
            coco = json.loads(
                (tmp_path / "sdk" / "Default" / f"{world.ids[name]}.json").read_text()
            )
            assert coco["info"]["asset_url"] == world.item(name)["assetUrl"]
            boxes = [a["bbox"] for a in coco["annotations"]]
            assert boxes == [label["bbox"] for label in world.item(name)["labels"]]
            assert coco["images"][0]["width"] == SIZES[name][0]
        only = client.download_project(
            project_id=world.project,
            space_id=world.space,
            destination=str(tmp_path / "one"),
            work_item_ids=[world.ids["img6.png"]],
        )
        assert only.total_items == 1 and only.successful == 1
        none = client.download_project(
            project_id=world.project,
            space_id=world.space,
            destination=str(tmp_path / "none"),
            batch_ids=[world.night],
        )
        assert none.total_items == 0
    storage_requests = [r for r in fake.requests if r[1].startswith("/storage/")]
    assert storage_requests and all(
        "x-api-key" not in {k.lower() for k in r[2]} for r in storage_requests
    )
    with sdk.SyncCFUserClient.create_with_api_key("wrong", base_url=fake.base_url) as client:
        with pytest.raises(httpx.HTTPStatusError) as caught:
            client.download_project(
                project_id=world.project, space_id=world.space, destination=str(tmp_path / "x")
            )
        assert caught.value.response.status_code == 401
