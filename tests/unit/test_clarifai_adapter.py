"""limner's sync with Clarifai, through the real engine and store, against a protocol fake.

Every request the adapter sends and every answer the fake gives is parsed into the
official ``clarifai-grpc`` messages (unknown fields rejected) inside the fake, so each
test here is also a fidelity test: the ``fake`` fixture fails a test that caused any
violation.
"""

from __future__ import annotations

import base64
import io
import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from app.cli import main as cli
from models import queries, sync_store
from models.commands import AddAnnotations, DeleteAnnotations, EditAnnotations
from models.entities import NewAnnotation
from models.geometry import Box, Keypoints, Mask, Polygon, PolygonPart
from models.history import History
from models.review_commands import Review, Skip, Submit
from models.store import ProjectStore
from models.tx import new_uuid
from sync.adapters.base import Refused, Region
from sync.adapters.clarifai import ClarifaiAdapter, build_adapter
from sync.adapters.clarifai_format import (
    derive_status,
    local_uuid_for,
    remote_id_for,
    status_code,
)
from sync.adapters.clarifai_http import THROTTLE_WAIT, Pacer, is_clarifai_host
from sync.engine import SyncEngine, resolve_conflict
from sync.errors import ConfigError, RemoteConflictError, TransientError
from sync.factory import KINDS, make_adapter
from sync.push import Pusher
from sync.retry import RetryPolicy
from tests.fakes.clarifai_server import (
    ROUTES,
    ClarifaiFake,
    FidelityError,
    Recorder,
    check_response,
    match_route,
    png,
)
from tests.fakes.sigkill import sync_killed_mid_push

POSE = {
    "keypoint_names": ["nose", "left eye", "right eye"],
    "skeleton": [{"k1": 0, "k2": 1}, {"k1": 0, "k2": 2}],
}
PAT_ENV = "LIMNER_TEST_CLARIFAI_PAT"
SIZES = {"img0": (64, 48), "img1": (80, 60), "img2": (72, 40), "img3": (50, 50)}


def box_region(top: float, left: float, bottom: float, right: float, concept: str) -> dict:
    return {
        "region_info": {
            "bounding_box": {
                "top_row": top,
                "left_col": left,
                "bottom_row": bottom,
                "right_col": right,
            }
        },
        "data": {"concepts": [{"id": concept, "value": 1}]},
    }


def mask_b64(array: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(array.astype(np.uint8) * 255, mode="L").save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


@pytest.fixture
def outside() -> Iterator[Recorder]:
    server = Recorder(png(30, 20, 7))
    yield server
    server.stop()


def seed_colleague(server: ClarifaiFake) -> None:
    """What a colleague labeled: on img0 a box, a polygon and a mask with a hole."""
    car_box = box_region(0.1, 0.2, 0.5, 0.6, "car")
    server.add_annotation({"id": "a" * 32, "input_id": "img0", "data": {"regions": [car_box]}})
    server.add_annotation(
        {
            "id": "b" * 32,
            "input_id": "img0",
            "data": {
                "regions": [
                    {
                        "region_info": {
                            "polygon": {
                                "points": [
                                    {"row": 0.1, "col": 0.1},
                                    {"row": 0.2, "col": 0.8},
                                    {"row": 0.9, "col": 0.5},
                                ]
                            }
                        },
                        "data": {"concepts": [{"id": "person", "value": 1}]},
                    }
                ]
            },
        }
    )
    full = np.zeros((48, 64), bool)
    full[10:20, 5:30] = True
    full[12:14, 8:10] = False
    server.add_annotation(
        {
            "id": "c" * 32,
            "input_id": "img0",
            "data": {
                "regions": [
                    {
                        "region_info": {"mask": {"image": {"base64": mask_b64(full)}}},
                        "data": {"concepts": [{"id": "car", "value": 1}]},
                    }
                ]
            },
        }
    )


def seed_pose_and_tag(server: ClarifaiFake) -> None:
    """On img1: a pose awaiting review, and a tag of the whole image."""
    server.add_annotation(
        {
            "id": "d" * 32,
            "input_id": "img1",
            "status": {"code": 24157},
            "data": {
                "regions": [
                    {
                        "region_info": {
                            "bounding_box": {
                                "top_row": 0.1,
                                "left_col": 0.1,
                                "bottom_row": 0.6,
                                "right_col": 0.5,
                            },
                            "keypoint_locations": [
                                {"row": 0.2, "col": 0.3, "visibility": "VISIBLE"},
                                {"row": 0.25, "col": 0.2, "visibility": "NOT_VISIBLE"},
                                {"visibility": "NOT_PRESENT"},
                            ],
                        },
                        "data": {"concepts": [{"id": "pose", "value": 1}]},
                    }
                ]
            },
        }
    )
    server.add_annotation(
        {"id": "e" * 32, "input_id": "img1", "data": {"concepts": [{"id": "car", "value": 1}]}}
    )


@pytest.fixture
def fake(outside: Recorder) -> Iterator[ClarifaiFake]:
    """A Clarifai app with concepts, inputs, annotations by a colleague, and a task."""
    server = ClarifaiFake().start()
    server.add_concept("car", "Car")
    server.add_concept("person", "Person")
    server.add_concept("pose", "Pose", POSE)
    for index, (key, (w, h)) in enumerate(SIZES.items()):
        server.add_input(key, w, h, seed=index)
    server.add_input("street", 30, 20, url=outside.url("street.png"))
    seed_colleague(server)
    seed_pose_and_tag(server)
    server.add_task(
        "cars-task",
        name="Label cars",
        workers=[server.user_id],
        reviewers=[server.user_id],
        concepts=["car"],
        input_ids=["img2", "img3"],
    )
    yield server
    server.stop()
    assert server.violations == [], "requests or answers Clarifai's protos refuse"


def adapter_for(
    fake: ClarifaiFake,
    *,
    waits: list[float] | None = None,
    attempts: int = 4,
    timeout: float = 5.0,
    settings: dict | None = None,
    token: str | None = None,
) -> ClarifaiAdapter:
    policy = RetryPolicy(attempts=attempts, sleeper=(waits if waits is not None else []).append)
    return build_adapter(
        fake.url,
        f"{fake.user_id}/{fake.app_id}",
        token or fake.token,
        policy=policy,
        timeout=timeout,
        settings=settings,
        pacer=Pacer(0),
    )


@pytest.fixture
def linked(tmp_path: Path, fake: ClarifaiFake) -> Iterator[tuple[ProjectStore, SyncEngine]]:
    store = ProjectStore.create(tmp_path / "p")
    with store.transaction() as (conn, _):
        remote_id = sync_store.add_remote(
            conn, "clarifai", fake.url, f"{fake.user_id}/{fake.app_id}"
        )
    engine = SyncEngine(store, remote_id, adapter_for(fake), workers=2)
    yield store, engine
    engine.adapter.close()
    store.close()


def image(store: ProjectStore, name: str):
    with store.read() as conn:
        return queries.image_by_name(conn, name)


def local(store: ProjectStore, name: str) -> dict[str, Any]:
    with store.read() as conn:
        record = queries.image_by_name(conn, name)
        return {a.uuid: a for a in queries.annotations_for_image(conn, record.id)}


def class_id(store: ProjectStore, name: str) -> int:
    with store.read() as conn:
        return next(c.id for c in queries.label_classes(conn) if c.name == name)


def near(a: float, b: float, size: float) -> bool:
    return abs(a - b) <= 1e-6 * size


def same_as_server(geometry: Any, annotation: dict, width: int, height: int) -> bool:
    """Compare a local shape with the server's region (not limner's exact copy)."""
    region = annotation["data"]["regions"][0]
    info = region["region_info"]
    if isinstance(geometry, Keypoints):
        points = info["keypoint_locations"]
        for (x, y, v), p in zip(geometry.points, points, strict=True):
            vis = {1: 2, 2: 1, 3: 0}[p.get("visibility", 0)]
            if vis != v:
                return False
            if v and not (
                near(x, p.get("col", 0) * width, width)
                and near(y, p.get("row", 0) * height, height)
            ):
                return False
        return True
    if isinstance(geometry, Box):
        bb = info["bounding_box"]
        values = [bb.get(k, 0.0) for k in ("left_col", "top_row", "right_col", "bottom_row")]
        return all(
            near(mine, theirs * size, size)
            for mine, theirs, size in zip(
                (geometry.x0, geometry.y0, geometry.x1, geometry.y1),
                values,
                (width, height, width, height),
                strict=True,
            )
        )
    if isinstance(geometry, Polygon):
        ring = geometry.parts[0].outer
        points = info["polygon"]["points"]
        return len(ring) == len(points) and all(
            near(x, p.get("col", 0) * width, width) and near(y, p.get("row", 0) * height, height)
            for (x, y), p in zip(ring, points, strict=True)
        )
    if isinstance(geometry, Mask):
        data = base64.b64decode(info["mask"]["image"]["base64"])
        with Image.open(io.BytesIO(data)) as img:
            array = np.asarray(img.convert("L")) > 127
        return np.array_equal(array, geometry.to_array())
    return False


# -- clone ---------------------------------------------------------------------------------
def test_clone_pulls_images_classes_regions_and_queues(linked, fake, outside) -> None:
    store, engine = linked
    report = engine.run_once()
    assert report.state == "up_to_date", report.message
    assert report.pulled_images == 5 and report.downloaded == 5
    with store.read() as conn:
        classes = {c.name: c for c in queries.label_classes(conn)}
        assert queries.image_count(conn) == 5
        assert queries.image_count(conn, queries.ImageFilter(status="error")) == 0
    assert set(classes) == {"Car", "Person", "Pose"}
    assert classes["Pose"].skeleton.names == ("nose", "left eye", "right eye")
    assert classes["Pose"].skeleton.edges == ((0, 1), (0, 2))

    img0 = local(store, "img0.png")
    box, polygon, mask = (img0[local_uuid_for(c * 32)] for c in "abc")
    assert box.geometry == Box(0.2 * 64, 0.1 * 48, 0.6 * 64, 0.5 * 48)
    assert box.class_id == class_id(store, "Car")
    for uuid, record in img0.items():
        assert same_as_server(record.geometry, fake.annotations[remote_id_for(uuid)], 64, 48)
    assert isinstance(polygon.geometry, Polygon) and isinstance(mask.geometry, Mask)
    assert mask.geometry.area == 10 * 25 - 4  # the hole came along, pixel for pixel
    pose = local(store, "img1.png")[local_uuid_for("d" * 32)]
    assert pose.geometry.points[2] == (0.0, 0.0, 0)
    assert [p[2] for p in pose.geometry.points] == [2, 1, 0]
    assert same_as_server(pose.geometry, fake.annotations["d" * 32], 80, 60)

    # statuses: the colleague's annotations are approved, the pose awaits review
    assert image(store, "img0.png").status == "approved"
    assert image(store, "img1.png").status == "submitted"
    assert image(store, "img2.png").status == "new"
    # the whole-image tag cannot be a region: said, not dropped silently
    assert any("tags the whole image" in issue for issue in report.issues)

    # the hosted images were fetched with the key; the outside host never saw it
    hosted = [c for c in fake.calls if c.path.startswith("/sdh/")]
    assert len(hosted) == 4 and all(c.authorization == f"Key {fake.token}" for c in hosted)
    assert len(outside.headers) == 1 and "authorization" not in outside.headers[0]
    assert image(store, "street.png").width == 30

    # the task is a queue with the inputs LABEL_START handed out
    with store.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT q.name, q.role, COUNT(i.image_id) FROM queue q "
            "LEFT JOIN queue_item i ON i.queue_id = q.id GROUP BY q.id ORDER BY q.name"
        ).fetchall()
    assert rows == [("Label cars", "annotate", 2), ("Label cars (review)", "review", 0)]

    again = engine.run_once()
    assert again.state == "up_to_date"
    assert (again.created, again.updated, again.deleted, again.pushed_images) == (0, 0, 0, 0)
    assert fake.rpc_calls("PostAnnotationsSearches"), "later pulls search what changed"


# -- offline labeling ----------------------------------------------------------------------
def label_everything(store: ProjectStore) -> dict[str, NewAnnotation]:
    history = History(store)
    car, person, pose = (class_id(store, n) for n in ("Car", "Person", "Pose"))
    img2, img3 = image(store, "img2.png"), image(store, "img3.png")
    full = np.zeros((40, 72), bool)
    full[5:30, 10:40] = True
    full[10:12, 15:17] = False
    items = {
        "box": NewAnnotation(new_uuid(), img2.id, car, Box(1.5, 2.25, 36.123456789, 20.5)),
        "polygon": NewAnnotation(
            new_uuid(),
            img2.id,
            person,
            Polygon.from_points([(3.0, 3.0), (60.7, 5.0), (36.0, 36.75)]),
        ),
        "mask": NewAnnotation(new_uuid(), img2.id, car, Mask.from_array(full)),
        "keypoints": NewAnnotation(
            new_uuid(), img3.id, pose, Keypoints(((10.5, 12.25, 2), (20.0, 30.0, 1), (0, 0, 0)))
        ),
        "holes": NewAnnotation(
            new_uuid(),
            img3.id,
            person,
            Polygon(
                (
                    PolygonPart(
                        ((1.0, 1.0), (40.0, 1.0), (40.0, 40.0), (1.0, 40.0)),
                        (((10.0, 10.0), (20.0, 10.0), (20.0, 20.0)),),
                    ),
                )
            ),
        ),
        "parts": NewAnnotation(
            new_uuid(),
            img3.id,
            person,
            Polygon(
                (
                    PolygonPart(((1.0, 1.0), (5.0, 1.0), (5.0, 5.0))),
                    PolygonPart(((30.0, 30.0), (45.0, 30.0), (45.0, 45.0))),
                )
            ),
        ),
        "no_class": NewAnnotation(new_uuid(), img3.id, None, Box(1, 1, 4, 4)),
    }
    history.execute(AddAnnotations(tuple(items.values())))
    return items


def test_offline_labels_of_every_kind_reach_the_server(linked, fake) -> None:
    store, engine = linked
    assert engine.run_once().state == "up_to_date"
    fake.stop()
    items = label_everything(store)
    offline = engine.run_once()
    assert offline.state == "offline" and offline.pending == 2
    fake.start()
    report = engine.run_once()
    assert report.state == "up_to_date", report.message
    # img3's refused shapes stay dirty (and reported): it alone is still pending
    assert report.pending == 1 and report.pushed_images == 2

    for kind in ("box", "polygon", "mask", "keypoints"):
        item = items[kind]
        stored = fake.annotations[remote_id_for(item.uuid)]
        key = "img2" if kind != "keypoints" else "img3"
        assert stored["input_id"] == key
        assert same_as_server(item.geometry, stored, *SIZES[key]), kind
        assert len(stored["data"]["regions"]) == 1
    # refused per annotation, with the reason, never sent
    issues = "\n".join(report.issues)
    assert "cannot hold holes" in issues and "2 separate parts" in issues
    assert "need a concept" in issues
    for kind in ("holes", "parts", "no_class"):
        assert remote_id_for(items[kind].uuid) not in fake.annotations
    # pulled back exactly: no spurious update from float32 storage
    again = engine.run_once()
    assert (again.updated, again.created, again.conflicts) == (0, 0, 0)
    assert local(store, "img2.png")[items["box"].uuid].geometry == items["box"].geometry


def test_local_class_becomes_a_concept_and_batches_stay_within_128(linked, fake) -> None:
    store, engine = linked
    engine.run_once()
    history = History(store)
    from models.commands import AddClass

    history.execute(AddClass({"name": "Traffic light", "color": "#ff0000"}))
    light = class_id(store, "Traffic light")
    img3 = image(store, "img3.png")
    boxes = tuple(
        NewAnnotation(new_uuid(), img3.id, light, Box(i * 0.3, 1, i * 0.3 + 0.25, 2))
        for i in range(130)
    )
    history.execute(AddAnnotations(boxes))
    report = engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0, report.to_json()
    assert fake.concepts["traffic-light"]["name"] == "Traffic light"
    posts = fake.rpc_calls("PostAnnotations")
    assert sorted(len(c.body["annotations"]) for c in posts) == [2, 128]
    assert len(fake.regions_of("img3")) == 130
    # deleting locally deletes remotely, in batches too
    history.execute(DeleteAnnotations(tuple(b.uuid for b in boxes), on_image=img3.id))
    assert engine.run_once().pending == 0
    assert fake.regions_of("img3") == {}
    deletes = fake.rpc_calls("DeleteAnnotations")
    assert sorted(len(c.body["ids"]) for c in deletes) == [2, 128]
    assert all(c.body["input_ids"] == ["img3"] * len(c.body["ids"]) for c in deletes)


# -- remote changes and conflicts ----------------------------------------------------------
def test_malformed_annotations_are_reported_by_id_and_left_alone(linked, fake) -> None:
    store, engine = linked
    inverted = fake.add_annotation(
        {"input_id": "img2", "data": {"regions": [box_region(0.6, 0.1, 0.2, 0.5, "car")]}}
    )
    far = fake.add_annotation(
        {"input_id": "img2", "data": {"regions": [box_region(0.1, 0.1, 0.2, 9.0, "car")]}}
    )
    before = {
        k: json.dumps(fake.annotations[k], sort_keys=True) for k in (inverted["id"], far["id"])
    }
    report = engine.run_once()
    assert report.state == "up_to_date", report.message
    malformed = {p["remote_key"]: p["message"] for p in report.problems if p["kind"] == "malformed"}
    assert set(malformed) == {inverted["id"], far["id"]}
    assert "far outside the image" in malformed[far["id"]]
    assert local(store, "img2.png") == {}  # neither became a local shape
    History(store).execute(
        AddAnnotations(
            (
                NewAnnotation(
                    new_uuid(), image(store, "img2.png").id, class_id(store, "Car"), Box(1, 1, 5, 5)
                ),
            )
        )
    )
    assert engine.run_once().pending == 0
    for key, text in before.items():
        assert json.dumps(fake.annotations[key], sort_keys=True) == text  # untouched
    assert len(fake.regions_of("img2")) == 3


def test_remote_edit_new_input_and_deletion_are_pulled(linked, fake, tmp_path) -> None:
    store, engine = linked
    engine.run_once()

    def move(item: dict) -> None:
        item["data"]["regions"][0]["region_info"]["bounding_box"]["left_col"] = 0.5
        item["data"]["regions"][0]["region_info"]["bounding_box"]["right_col"] = 0.75

    fake.edit_annotation("a" * 32, move)
    fake.add_input("img9", 40, 40, seed=9)
    fake.add_annotation(
        {"input_id": "img9", "data": {"regions": [box_region(0.1, 0.1, 0.2, 0.2, "car")]}}
    )
    report = engine.run_once()
    assert report.state == "up_to_date"
    assert report.updated == 1 and report.created == 1
    moved = local(store, "img0.png")[local_uuid_for("a" * 32)]
    assert moved.geometry == Box(0.5 * 64, 0.1 * 48, 0.75 * 64, 0.5 * 48)
    assert len(local(store, "img9.png")) == 1
    # deletions are not reported by Clarifai: the periodic full pass finds them
    fake.delete_annotation("b" * 32)
    engine.adapter = adapter_for(fake, settings={"full_pass_hours": 0})
    report = engine.run_once()
    assert report.deleted == 1
    assert local_uuid_for("b" * 32) not in local(store, "img0.png")


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_both_sides_edit_is_a_conflict_and_nothing_is_overwritten(linked, fake, choice) -> None:
    store, engine = linked
    engine.run_once()
    uuid = local_uuid_for("a" * 32)
    record = local(store, "img0.png")[uuid]
    History(store).execute(
        EditAnnotations.from_records("Move", [(record, {"geometry": Box(1, 1, 10, 10)})])
    )

    def grow(item: dict) -> None:
        item["data"]["regions"][0]["region_info"]["bounding_box"]["bottom_row"] = 0.9

    fake.edit_annotation("a" * 32, grow)
    report = engine.run_once()
    assert report.conflicts == 1
    assert local(store, "img0.png")[uuid].geometry == Box(1, 1, 10, 10)
    bb = fake.annotations["a" * 32]["data"]["regions"][0]["region_info"]["bounding_box"]
    assert bb["bottom_row"] == pytest.approx(0.9)
    with store.read() as conn:
        (conflict,) = sync_store.open_conflicts(conn)
    resolve_conflict(store, conflict.id, choice)
    assert engine.run_once().state == "up_to_date"
    mine = local(store, "img0.png")[uuid].geometry
    server = fake.annotations["a" * 32]
    assert same_as_server(mine, server, 64, 48)
    expected = Box(1, 1, 10, 10) if choice == "mine" else Box(12.8, 4.8, 38.4, 0.9 * 48)
    assert same_as_server(expected, server, 64, 48)


def test_a_newcomer_is_no_conflict_but_a_changed_target_is(linked, fake) -> None:
    store, engine = linked
    engine.run_once()
    record = local(store, "img0.png")[local_uuid_for("a" * 32)]
    History(store).execute(
        EditAnnotations.from_records("Move", [(record, {"geometry": Box(2, 2, 12, 12)})])
    )
    snap = engine.pusher.snapshot(record.image_id)  # as the engine would push it
    assert snap is not None and [w.uuid for w in snap.plan.updates] == [record.uuid]
    newcomer = fake.add_annotation(
        {"input_id": "img0", "data": {"regions": [box_region(0.7, 0.7, 0.8, 0.8, "car")]}}
    )
    engine.adapter.apply(snap.image, snap.plan, snap.push)  # another annotation: no conflict
    assert same_as_server(Box(2, 2, 12, 12), fake.annotations["a" * 32], 64, 48)
    assert fake.annotations[newcomer["id"]] == newcomer
    # the edited annotation itself changed on the server after the plan was made
    History(store).execute(
        EditAnnotations.from_records(
            "Move", [(local(store, "img0.png")[record.uuid], {"geometry": Box(3, 3, 13, 13)})]
        )
    )
    snap = engine.pusher.snapshot(record.image_id)
    assert snap is not None

    def grow(item: dict) -> None:
        item["data"]["regions"][0]["region_info"]["bounding_box"]["bottom_row"] = 0.9

    fake.edit_annotation("a" * 32, grow)
    theirs = json.dumps(fake.annotations["a" * 32], sort_keys=True)
    with pytest.raises(RemoteConflictError):
        engine.adapter.apply(snap.image, snap.plan, snap.push)
    report = engine.run_once()  # pulls both, records the conflict, overwrites nothing
    assert report.state == "up_to_date" and report.conflicts == 1
    assert json.dumps(fake.annotations["a" * 32], sort_keys=True) == theirs
    assert local(store, "img0.png")[record.uuid].geometry == Box(3, 3, 13, 13)
    assert len(fake.regions_of("img0")) == 4


# -- crashes and faults --------------------------------------------------------------------
def test_crash_after_remote_write_creates_no_duplicate(linked, fake, monkeypatch) -> None:
    store, engine = linked
    engine.run_once()
    img2 = image(store, "img2.png")
    item = NewAnnotation(new_uuid(), img2.id, class_id(store, "Car"), Box(2, 3, 14, 15))
    History(store).execute(AddAnnotations((item,)))
    calls = {"n": 0}
    original = Pusher.record

    def die_once(self, snap, result):
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt("killed between the server's answer and the commit")
        return original(self, snap, result)

    monkeypatch.setattr(Pusher, "record", die_once)
    with pytest.raises(KeyboardInterrupt):
        engine.run_once()
    assert remote_id_for(item.uuid) in fake.regions_of("img2")
    report = engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0, report.to_json()
    assert list(fake.regions_of("img2")) == [remote_id_for(item.uuid)]
    assert all(len(c.body["annotations"]) == 1 for c in fake.rpc_calls("PostAnnotations"))
    assert len(fake.rpc_calls("PostAnnotations")) == 1  # looked first, never re-created


def two_boxes_each(store: ProjectStore, keys: list[str]) -> dict[str, dict[str, Box]]:
    """Two new car boxes on each image (offline work): uuid -> box, by image key."""
    history = History(store)
    car = class_id(store, "Car")
    wanted: dict[str, dict[str, Box]] = {}
    for index, key in enumerate(keys):
        record = image(store, f"{key}.png")
        shift = index % 10
        items = (
            NewAnnotation(new_uuid(), record.id, car, Box(1, 2, 11, 12)),
            NewAnnotation(new_uuid(), record.id, car, Box(5 + shift, 3, 20 + shift, 18)),
        )
        history.execute(AddAnnotations(items))
        wanted[key] = {item.uuid: item.geometry for item in items}
    return wanted


def test_sigkill_mid_push_then_a_second_sync_leaves_no_duplicates(
    linked, fake, monkeypatch, capsys
) -> None:
    """A real ``limner sync`` process killed mid-push; the next sync finishes the job."""
    store, engine = linked
    keys = [f"batch{i:02d}" for i in range(30)]
    for index, key in enumerate(keys):
        fake.add_input(key, 40, 30, seed=100 + index)
    clone = engine.run_once()
    assert clone.state == "up_to_date", clone.message
    # Paced at Clarifai's 15 requests a second the second sync would crawl: the fake's
    # delay hook sets the pace instead. Each create is stored, then answered 50 ms later,
    # so the kill finds creates on the server that the project has not recorded yet.
    with store.transaction() as (conn, _):
        sync_store.update_remote_settings(conn, engine.remote_id, {"requests_per_second": 1000})
    slow = fake.fail(times=10**6, rpc="PostAnnotations", apply_first=True, delay=0.05)
    wanted = two_boxes_each(store, keys)
    with fake.lock:
        seeded = sum(1 for a in fake.annotations.values() if not a.get("input_level"))

    def landed() -> int:
        with fake.lock:
            held = {a["input_id"] for a in fake.annotations.values() if not a.get("input_level")}
        return len(held.intersection(keys))

    def connections() -> set[object]:
        with fake.lock:
            return set(fake.connections)

    killed = sync_killed_mid_push(
        store.folder, token_env=PAT_ENV, token=fake.token, landed=landed, connections=connections
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert 3 <= killed.landed < len(keys)  # some images pushed, not all: killed mid-push
    with fake.lock:
        fake.faults.remove(slow)

    monkeypatch.setenv(PAT_ENV, fake.token)
    code = cli(["sync", str(store.folder), "--once", "--json", "--token-env", PAT_ENV])
    report = json.loads(capsys.readouterr().out)
    assert report["state"] == "up_to_date" and report["pending"] == 0, report
    assert report["conflicts"] == 0 and set(report["issues"]) == set(clone.issues), report
    # in sync; the colleague's whole-image tag is kept as it is (exit code 3 says so)
    assert report["kept"] >= 1 and code == report["exit_code"] == 3
    # every shape is on Clarifai exactly once, under the id made from its uuid
    for key, shapes in wanted.items():
        held = fake.regions_of(key)
        assert sorted(held) == sorted(remote_id_for(uuid) for uuid in shapes), key
        for uuid, box in shapes.items():
            assert same_as_server(box, held[remote_id_for(uuid)], 40, 30), (key, uuid)
    with fake.lock:
        total = sum(1 for a in fake.annotations.values() if not a.get("input_level"))
    assert total == seeded + 2 * len(keys)
    # nothing came back as a second local copy and nothing is left to push
    for key, shapes in wanted.items():
        assert set(local(store, f"{key}.png")) == set(shapes), key
    with store.read() as conn:
        assert sync_store.pending_count(conn, engine.remote_id) == 0


def test_lost_answer_to_a_create_is_not_created_twice(tmp_path, fake) -> None:
    store = ProjectStore.create(tmp_path / "p")
    with store.transaction() as (conn, _):
        remote_id = sync_store.add_remote(conn, "clarifai", fake.url, "tester/limner-app")
    waits: list[float] = []
    engine = SyncEngine(store, remote_id, adapter_for(fake, waits=waits, timeout=0.3), workers=1)
    engine.run_once()
    img2 = image(store, "img2.png")
    item = NewAnnotation(new_uuid(), img2.id, class_id(store, "Car"), Box(2, 3, 14, 15))
    History(store).execute(AddAnnotations((item,)))
    # the server stores the annotation but its answer comes too late: the client retries
    fake.fail(rpc="PostAnnotations", apply_first=True, delay=0.6)
    report = engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0, report.to_json()
    posts = fake.rpc_calls("PostAnnotations")
    assert len(posts) == 1  # the input was looked at before sending again ...
    assert list(fake.regions_of("img2")) == [remote_id_for(item.uuid)]  # ... and nothing doubled
    assert len(waits) == 1
    engine.adapter.close()
    store.close()


def edit_something(store: ProjectStore) -> NewAnnotation:
    img2 = image(store, "img2.png")
    item = NewAnnotation(new_uuid(), img2.id, class_id(store, "Car"), Box(2, 3, 14, 15))
    History(store).execute(AddAnnotations((item,)))
    return item


def test_429_with_retry_after_is_honoured(linked, fake) -> None:
    store, engine = linked
    waits: list[float] = []
    engine.adapter = adapter_for(fake, waits=waits)
    engine.run_once()
    item = edit_something(store)
    fake.fail(times=2, rpc="PostAnnotations", http=429, code=11005, headers={"Retry-After": "3"})
    report = engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0
    assert waits == [3.0, 3.0]
    assert list(fake.regions_of("img2")) == [remote_id_for(item.uuid)]


@pytest.mark.parametrize(
    ("http", "code", "expected"),
    [
        (429, 11005, [THROTTLE_WAIT]),  # throttled without Retry-After: the documented pause
        (200, 11005, [THROTTLE_WAIT]),  # the body says it even when HTTP does not
        (200, 10030, None),  # TRY_AGAIN: backoff
        (200, 98004, None),  # an internal issue: backoff
        (503, None, None),
    ],
)
def test_throttling_codes_and_5xx_are_retried(linked, fake, http, code, expected) -> None:
    store, engine = linked
    waits: list[float] = []
    engine.adapter = adapter_for(fake, waits=waits)
    engine.run_once()
    item = edit_something(store)
    fake.fail(rpc="ListAnnotations", http=http, code=code)
    report = engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0, report.to_json()
    assert len(waits) == 1
    if expected is not None:
        assert waits == expected
    assert list(fake.regions_of("img2")) == [remote_id_for(item.uuid)]


def test_timeouts_are_retried(tmp_path, fake) -> None:
    store = ProjectStore.create(tmp_path / "p")
    with store.transaction() as (conn, _):
        remote_id = sync_store.add_remote(conn, "clarifai", fake.url, "tester/limner-app")
    waits: list[float] = []
    engine = SyncEngine(store, remote_id, adapter_for(fake, waits=waits, timeout=0.3), workers=1)
    fake.fail(rpc="StreamInputs", delay=0.6)
    report = engine.run_once()
    assert report.state == "up_to_date", report.message
    assert len(waits) == 1 and report.pulled_images == 5
    engine.adapter.close()
    store.close()


@pytest.mark.parametrize("garbage", ["truncated", "list", "no status"])
def test_a_malformed_answer_is_one_clear_error_and_nothing_is_lost(linked, fake, garbage) -> None:
    store, engine = linked
    waits: list[float] = []
    engine.adapter = adapter_for(fake, waits=waits, attempts=3)
    engine.run_once()
    item = edit_something(store)
    if garbage == "truncated":
        fake.fail(rpc="StreamInputs", malformed=True)
    else:
        body = {"list": [1, 2, 3], "no status": {"inputs": []}}[garbage]
        fake.fail(rpc="StreamInputs", content=json.dumps(body).encode())
    report = engine.run_once()
    assert report.state == "error" and waits == []  # the same answer again would not help
    assert "/inputs/stream" in report.message and "\n" not in report.message, report.message
    assert report.pending == 1  # kept for the next run, nothing lost
    assert engine.run_once().pending == 0
    assert remote_id_for(item.uuid) in fake.regions_of("img2")


def test_bad_key_and_missing_scopes_stop_with_auth(linked, fake) -> None:
    _store, engine = linked
    engine.adapter = adapter_for(fake, token="pat-wrong")
    report = engine.run_once()
    assert report.state == "auth" and "11008" in report.message
    engine.adapter = adapter_for(fake)
    fake.scoped_out = True
    report = engine.run_once()
    assert report.state == "auth" and "Insufficient scopes" in report.message
    fake.scoped_out = False
    assert engine.run_once().state == "up_to_date"


def test_400_parks_the_image_with_the_servers_message(linked, fake) -> None:
    store, engine = linked
    engine.run_once()
    item = edit_something(store)
    img3 = image(store, "img3.png")
    other = NewAnnotation(new_uuid(), img3.id, class_id(store, "Car"), Box(1, 1, 5, 5))
    History(store).execute(AddAnnotations((other,)))
    fake.fail(rpc="PostAnnotations", http=400, code=11102, details="input_ids has a bad value")
    report = engine.run_once()
    assert report.state == "up_to_date"
    assert any("input_ids has a bad value" in issue for issue in report.issues), report.issues
    assert report.pending == 1  # the parked image stays queued, the other went through
    assert len(fake.regions_of("img2")) + len(fake.regions_of("img3")) == 1
    assert engine.run_once().pending == 0
    assert remote_id_for(item.uuid) in fake.regions_of("img2")


def test_mixed_status_commits_the_stored_and_parks_the_refused(linked, fake) -> None:
    store, engine = linked
    engine.run_once()
    img2 = image(store, "img2.png")
    car = class_id(store, "Car")
    good = NewAnnotation(new_uuid(), img2.id, car, Box(1, 1, 6, 6))
    bad = NewAnnotation(new_uuid(), img2.id, car, Box(10, 10, 16, 16))
    History(store).execute(AddAnnotations((good, bad)))
    fake.refused[remote_id_for(bad.uuid)] = (24156, "not yours to change")
    report = engine.run_once()
    assert list(fake.regions_of("img2")) == [remote_id_for(good.uuid)]
    assert any("not yours to change" in issue and bad.uuid in issue for issue in report.issues)
    assert report.pending == 1  # the stored one committed, the refused one stays dirty
    with store.read() as conn:
        refs = sync_store.refs_for_image(conn, engine.remote_id, img2.id)
    assert refs[good.uuid].synced_hash is not None
    # a later edit of the refused annotation is tried again
    del fake.refused[remote_id_for(bad.uuid)]
    History(store).execute(
        EditAnnotations.from_records(
            "Move", [(local(store, "img2.png")[bad.uuid], {"geometry": Box(9, 9, 15, 15)})]
        )
    )
    assert engine.run_once().pending == 0
    assert len(fake.regions_of("img2")) == 2


# -- statuses, tasks, review ---------------------------------------------------------------
def test_submit_and_review_go_through_the_task(linked, fake) -> None:
    store, engine = linked
    engine.run_once()
    img2 = image(store, "img2.png")
    item = NewAnnotation(new_uuid(), img2.id, class_id(store, "Car"), Box(1, 1, 6, 6))
    history = History(store)
    history.execute(AddAnnotations((item,)))
    history.execute(Submit([img2.id]))
    report = engine.run_once()
    assert report.pending == 0, report.to_json()
    stored = fake.annotations[remote_id_for(item.uuid)]
    assert stored["task_id"] == "cars-task"
    assert stored["status"]["code"] == 24157  # LABEL_SUBMIT moved it to review
    actions = [c.body["action"] for c in fake.rpc_calls("PutTaskAssignments")]
    assert "LABEL_SUBMIT" in actions
    engine.run_once()  # the review queue now holds it
    history.execute(Review(img2.id, "approve", "fine"))
    report = engine.run_once()
    assert report.pending == 0
    assert fake.annotations[remote_id_for(item.uuid)]["status"]["code"] == 24150
    assert "REVIEW_APPROVE" in [c.body["action"] for c in fake.rpc_calls("PutTaskAssignments")]
    assert image(store, "img2.png").status == "approved"
    again = engine.run_once()
    assert image(store, "img2.png").status == "approved" and again.pending == 0


def test_skipped_and_empty_statuses_live_in_the_input_metadata(linked, fake) -> None:
    store, engine = linked
    engine.run_once()
    img3 = image(store, "img3.png")
    History(store).execute(Skip([img3.id], "too blurry"))
    assert engine.run_once().pending == 0
    meta = fake.inputs["img3"]["data"]["metadata"]["limner"]
    assert meta["status"] == "skipped"
    # a fresh clone reads it back
    other = ProjectStore.create(store.folder.parent / "clone2")
    with other.transaction() as (conn, _):
        rid = sync_store.add_remote(conn, "clarifai", fake.url, "tester/limner-app")
    SyncEngine(other, rid, adapter_for(fake)).run_once()
    assert image(other, "img3.png").status == "skipped"
    # an annotation made on Clarifai afterwards makes limner's note stale
    fake.add_annotation(
        {
            "input_id": "img3",
            "status": {"code": 24151},
            "data": {"regions": [box_region(0.1, 0.1, 0.3, 0.3, "car")]},
        }
    )
    engine.run_once()
    assert image(store, "img3.png").status == "in_progress"
    other.close()


def test_status_mapping_both_ways() -> None:
    assert derive_status([]) == "new"
    assert derive_status([24150, 24150]) == "approved"
    assert derive_status([24150, 24157]) == "submitted"
    assert derive_status([24157, 24151]) == "in_progress"
    assert derive_status([24150, 24158]) == "rejected"
    assert derive_status([24159]) == "submitted"
    assert status_code({"code": "ANNOTATION_PENDING"}) == 24151
    assert status_code({"code": 24157}) == 24157
    assert local_uuid_for(remote_id_for("0f8f3f54-8a7e-4b5f-9b3a-2d6c9e1f0a11")) == (
        "0f8f3f54-8a7e-4b5f-9b3a-2d6c9e1f0a11"
    )
    assert (
        remote_id_for("0f8f3f54-8a7e-4b5f-9b3a-2d6c9e1f0a11") == "0f8f3f548a7e4b5f9b3a2d6c9e1f0a11"
    )
    assert local_uuid_for("my-own-id") == "my-own-id"


# -- fidelity, pacing, hosts, wiring -------------------------------------------------------
def test_fidelity_check_catches_a_wrong_field(fake) -> None:
    with httpx.Client(base_url=fake.url, headers={"Authorization": f"Key {fake.token}"}) as http:
        bad = http.post(
            "/v2/users/tester/apps/limner-app/annotations",
            json={"annotations": [{"id": "x", "input_id": "img0", "regoin_info": {}}]},
        )
        assert bad.status_code == 400 and bad.json()["status"]["code"] == 11102
        wrong_query = http.get(
            "/v2/users/tester/apps/limner-app/annotations", params={"list_all": "true"}
        )
        assert wrong_query.status_code == 400
        no_route = http.get("/v2/users/tester/apps/limner-app/annotationz")
        assert no_route.status_code == 404 and no_route.json()["status"]["code"] == 11101
    assert len(fake.violations) == 2
    assert "regoin_info" in fake.violations[0] and "list_all" in fake.violations[1]
    fake.violations.clear()
    route, _ = match_route("GET", "/v2/users/u/apps/a/annotations")
    check_response(route, {"status": {"code": 10000}, "annotations": []})
    with pytest.raises(FidelityError, match="annotationz"):
        check_response(route, {"status": {"code": 10000}, "annotationz": []})
    # the routes are Clarifai's own: e.g. the assignments route exists only scoped, as PUT
    puts = [r for r in ROUTES if r.rpc == "PutTaskAssignments"]
    assert [(r.method, r.template) for r in puts] == [
        (
            "PUT",
            "/v2/users/{user_app_id.user_id}/apps/{user_app_id.app_id}/tasks/{task_id}/assignments",
        )
    ]


def test_pacing_spaces_request_starts() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(15.0, clock=lambda: now[0], sleeper=sleep)
    for _ in range(31):
        pacer.wait()
    assert len(slept) == 30
    assert sum(slept) == pytest.approx(30 / 15.0)


def test_real_pacing_stays_under_the_servers_limit(fake) -> None:
    fake.limit_rate(15.0)
    unpaced = adapter_for(fake, attempts=1)  # the same calls without pacing get throttled
    with pytest.raises(TransientError, match="throttled"):
        for _ in range(8):
            unpaced.connect()
    unpaced.close()
    fake.limit_rate(15.0)
    fake.throttled = 0
    adapter = build_adapter(
        fake.url, "tester/limner-app", fake.token, policy=RetryPolicy(attempts=1)
    )
    for _ in range(8):
        adapter.connect()  # three requests each: 24 in all, paced at 15 a second
    adapter.close()
    assert fake.throttled == 0


def test_credentials_go_only_to_clarifai_hosts() -> None:
    assert is_clarifai_host("https://data.clarifai.com/orig/users/u/apps/a/inputs/image/x")
    assert is_clarifai_host("https://api.clarifai.com/v2/users/me")
    assert not is_clarifai_host("http://data.clarifai.com/orig/x")  # not over plain http
    assert not is_clarifai_host("https://clarifai.com.example.org/x")
    assert not is_clarifai_host("https://images.example.org/cat.jpg")
    adapter = build_adapter("https://api.clarifai.com/v2", "owner/app", "k")
    assert adapter.t.base_url == "https://api.clarifai.com/"
    assert adapter.t.same_origin("https://data.clarifai.com/orig/x")
    assert not adapter.t.same_origin("https://images.example.org/cat.jpg")
    adapter.close()


def test_factory_builds_it_and_routes_can_be_overridden(fake) -> None:
    assert "clarifai" in KINDS
    adapter = make_adapter(
        "clarifai",
        fake.url,
        "tester/limner-app",
        fake.token,
        settings={"routes": {"ListConcepts": "/v2/concepts"}, "requests_per_second": 50},
    )
    assert isinstance(adapter, ClarifaiAdapter)
    assert adapter.t.pacer.interval == pytest.approx(1 / 50)
    assert adapter.connect().project_title == "limner test app"
    assert [c.rpc for c in fake.calls if c.path == "/v2/concepts"] == ["ListConcepts"]
    adapter.close()
    # the connect dialog lists apps before a project is chosen
    unchosen = make_adapter("clarifai", fake.url, "0", fake.token)
    assert unchosen.projects() == [("tester/limner-app", "limner test app")]
    with pytest.raises(ConfigError, match="user_id/app_id"):
        unchosen.connect()
    unchosen.close()


def test_apps_and_tasks_are_listed(fake) -> None:
    adapter = adapter_for(fake)
    adapter.connect()
    assert adapter.apps() == [("tester/limner-app", "limner test app")]
    assert [t["id"] for t in adapter.tasks()] == ["cars-task"]
    assert [t["id"] for t in adapter.tasks(worker_user_ids=["someone-else"])] == []
    adapter.close()


def test_paging_follows_short_pages(fake) -> None:
    for index in range(7):
        fake.add_input(f"more{index}", 20, 20, seed=20 + index)
    adapter = adapter_for(fake)
    adapter.page_size = 3
    adapter.connect()
    pages = list(adapter.changed_images(None))
    keys = [i.key for p in pages for i in p.images]
    assert len(keys) == len(set(keys)) == 12
    assert all(len(p.images) <= 3 for p in pages)
    cursors = [json.loads(p.cursor) for p in pages]
    assert all("resume" in c for c in cursors[:-1]) and "resume" not in cursors[-1]
    assert adapter.image_keys() == set(fake.inputs)
    adapter.close()


def test_encode_refuses_what_clarifai_cannot_hold(fake) -> None:
    adapter = adapter_for(fake)
    adapter.connect()
    ring = Polygon(
        (
            PolygonPart(
                ((1.0, 1.0), (9.0, 1.0), (9.0, 9.0)), (((2.0, 2.0), (3.0, 2.0), (3.0, 3.0)),)
            ),
        )
    )

    def refusal(region: Region) -> str:
        with pytest.raises(Refused) as caught:
            adapter.encode(region, 64, 48, target=None)
        return str(caught.value)

    assert "holes" in refusal(Region("u1", "Person", ring))
    assert "outside the image" in refusal(Region("u2", "Car", Box(60, 1, 70, 5)))
    assert "3 keypoints" in refusal(Region("u3", "Pose", Keypoints(((1, 1, 2), (2, 2, 2)))))
    assert "need a concept" in refusal(Region("u5", None, Box(1, 1, 5, 5)))
    raw = adapter.encode(Region("u4", "Car", Box(1, 1, 5, 5)), 64, 48, target=None)
    assert raw["data"]["regions"][0]["data"]["concepts"] == [{"id": "car", "value": 1}]
    adapter.close()
