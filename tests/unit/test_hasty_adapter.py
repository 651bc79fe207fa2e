"""limner's sync with Hasty v1, through the real engine, against the in-memory Hasty fake.

Covers the acceptance of a remote: clone, offline labeling of every kind Hasty holds (and
per-region refusals of what it cannot), sync until the server equals the project, remote
edits pulled, both-sides edits kept as conflicts, a crash between the server's answer and
the local commit (in process, and a real sync process killed with SIGKILL mid-push), and
the faults a real server produces. The last tests run the vendor's
own Python client (``hasty`` 0.3.12) against the fake so the fake cannot drift from it.
"""

from __future__ import annotations

import json
import random
import signal
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from app.cli import main as cli
from models import queries, sync_store
from models.commands import AddAnnotations, EditAnnotations, SetImageStatus
from models.entities import NewAnnotation
from models.geometry import Box, Keypoints, Mask, Polygon, PolygonPart
from models.history import History
from models.queues import queue_image_ids, queues
from models.store import ProjectStore
from models.tx import new_uuid
from sync.adapters.base import Region
from sync.adapters.hasty import HastyAdapter
from sync.adapters.hasty_format import (
    derived_uuid,
    geometry_from_label,
    rle_decode,
    rle_encode,
    uuid_from_external,
)
from sync.engine import SyncEngine, resolve_conflict
from sync.factory import make_adapter
from sync.push import Pusher
from sync.retry import RetryPolicy
from tests.fakes.hasty_server import HastyFake, png_bytes
from tests.fakes.sigkill import sync_killed_mid_push

KEY_ENV = "LIMNER_TEST_HASTY_KEY"
MASK_CROP = np.array([[0, 1, 1, 0], [1, 1, 1, 1], [0, 0, 1, 0]], dtype=bool)


@dataclass
class World:
    fake: HastyFake
    pid: str
    dataset: str
    classes: dict[str, str]
    images: dict[str, str]
    points: list[str]  # keypoint class ids of the "person" schema, in order
    rejected: str  # id of the custom status "Rejected"


@pytest.fixture
def world() -> World:
    fake = HastyFake().start()
    pid = fake.add_project("limner street scenes")
    dataset = fake.add_dataset(pid, "train")
    classes = {
        "car": fake.add_label_class(pid, "car", "#ff0000aa"),
        "person": fake.add_label_class(pid, "person", "#00ff00"),
        "blob": fake.add_label_class(pid, "blob", "#0000ffcc"),
    }
    schema = fake.add_keypoint_schema(
        pid, "pose", ["head", "hip", "foot"], [(0, 1), (1, 2)], [classes["person"]]
    )
    fake.add_attribute(pid, "color", "SELECTION", ["red", "blue"], [classes["car"]])
    fake.add_attribute(pid, "occluded", "BOOL", (), [classes["car"]])
    rejected = fake.add_custom_status(pid, "Rejected")
    images = {
        "img0.png": fake.add_image(pid, dataset, "img0.png", size=(64, 48), queue_ids=["q-a"]),
        "img1.png": fake.add_image(
            pid, dataset, "img1.png", size=(80, 60), status="TO REVIEW", queue_ids=["q-a", "q-b"]
        ),
        "img2.png": fake.add_image(pid, dataset, "img2.png", size=(32, 32), status="DONE"),
    }
    points = [k["id"] for k in schema["keypoint_classes"]]
    fake.add_label(pid, images["img0.png"], {"class_id": classes["car"], "bbox": [4, 5, 20, 30]})
    fake.add_label(
        pid,
        images["img0.png"],
        {
            "class_id": classes["blob"],
            "bbox": [2, 2, 9, 9],
            "polygon": [[2, 2], [9, 2], [5, 9], [2, 2]],  # a closed ring, as the API writes it
        },
    )
    fake.add_label(
        pid,
        images["img1.png"],
        {"class_id": classes["blob"], "bbox": [10, 20, 14, 23], "mask": rle_encode(MASK_CROP)},
    )
    fake.add_label(
        pid,
        images["img1.png"],
        {
            "class_id": classes["person"],
            "bbox": [30, 10, 41, 41],
            "keypoints": [
                {"keypoint_class_id": points[0], "x": 35, "y": 10, "visible": True},
                {"keypoint_class_id": points[2], "x": 40, "y": 40, "visible": False},
            ],
        },
    )
    try:
        yield World(fake, pid, dataset, classes, images, points, rejected)
    finally:
        fake.stop()


@dataclass
class Linked:
    store: ProjectStore
    engine: SyncEngine
    adapter: HastyAdapter
    waits: list[float]


def link(
    tmp_path: Path,
    world: World,
    *,
    timeout: float = 10.0,
    settings: dict | None = None,
    key: str | None = None,
    attempts: int = 5,
) -> Linked:
    store = ProjectStore.create(tmp_path / f"p{len(list(tmp_path.iterdir()))}")
    with store.transaction() as (conn, _):
        remote_id = sync_store.add_remote(conn, "hasty", world.fake.url, world.pid)
    waits: list[float] = []
    policy = RetryPolicy(attempts=attempts, sleeper=waits.append, rng=random.Random(7))
    adapter = make_adapter(
        "hasty",
        world.fake.url,
        world.pid,
        key or world.fake.api_key,
        policy=policy,
        timeout=timeout,
        settings=settings,
    )
    assert isinstance(adapter, HastyAdapter)
    return Linked(store, SyncEngine(store, remote_id, adapter, workers=2), adapter, waits)


@pytest.fixture
def linked(tmp_path: Path, world: World):
    result = link(tmp_path, world)
    try:
        yield result
    finally:
        result.store.close()


def image_named(store: ProjectStore, name: str):
    with store.read() as conn:
        return queries.image_by_name(conn, name)


def local_annotations(store: ProjectStore, name: str) -> dict:
    with store.read() as conn:
        image = queries.image_by_name(conn, name)
        return {a.uuid: a for a in queries.annotations_for_image(conn, image.id)}


def class_ids(store: ProjectStore) -> dict[str, int]:
    with store.read() as conn:
        return {c.name: c.id for c in queries.label_classes(conn)}


def remote_regions(world: World, adapter: HastyAdapter, name: str) -> dict[str, Region]:
    """The server's labels of one image, read back into limner's model."""
    image = adapter.fetch_image(world.images[name])
    meta = world.fake.images[world.images[name]]
    decoded = adapter.decode(image, meta["width"], meta["height"])
    assert not decoded.problems, decoded.problems
    assert all(r.region is not None for r in decoded.regions), decoded.regions
    return {r.uuid: r.region for r in decoded.regions if r.region is not None}


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def same_geometry(local, remote) -> bool:
    if type(local) is not type(remote):
        return False
    if isinstance(local, Box):
        return all(
            close(p, q)
            for p, q in zip(
                (local.x0, local.y0, local.x1, local.y1),
                (remote.x0, remote.y0, remote.x1, remote.y1),
                strict=True,
            )
        )
    if isinstance(local, Polygon):
        a, b = local.parts[0].outer, remote.parts[0].outer
        return len(a) == len(b) and all(
            close(p[0], q[0]) and close(p[1], q[1]) for p, q in zip(a, b, strict=True)
        )
    if isinstance(local, Mask):
        return np.array_equal(local.to_array(), remote.to_array())
    return len(local.points) == len(remote.points) and all(
        pv == qv and (pv == 0 or (close(px, qx) and close(py, qy)))
        for (px, py, pv), (qx, qy, qv) in zip(local.points, remote.points, strict=True)
    )


def assert_server_equals_project(world: World, linked: Linked, refused: set[str]) -> None:
    """Every image: the server's labels are the project's annotations (bar refusals)."""
    with linked.store.read() as conn:
        names = [r.name for r in queries.image_page(conn, 0, 100)]
    for name in names:
        local = {u: a for u, a in local_annotations(linked.store, name).items() if u not in refused}
        remote = remote_regions(world, linked.adapter, name)
        assert set(local) == set(remote), name
        for uuid, ann in local.items():
            region = remote[uuid]
            assert same_geometry(ann.geometry, region.geometry), (name, ann.geometry, region)
            with linked.store.read() as conn:
                cls = next(c for c in queries.label_classes(conn) if c.id == ann.class_id)
            assert region.class_name == cls.name
            assert dict(region.attributes) == dict(ann.attributes)


# -- format --------------------------------------------------------------------------------
def test_mask_rle_matches_the_documented_example() -> None:
    # digest section 4: bbox [100, 50, 104, 53], rows 0110 / 1111 / 0010 -> [2,2, 5,4, 11,1]
    assert rle_encode(MASK_CROP) == [2, 2, 5, 4, 11, 1]
    assert np.array_equal(rle_decode([2, 2, 5, 4, 11, 1], 4, 3), MASK_CROP)
    mask = geometry_from_label({"bbox": [100, 50, 104, 53], "mask": [2, 2, 5, 4, 11, 1]}, 200, 100)
    assert isinstance(mask, Mask)
    full = np.zeros((100, 200), bool)
    full[50:53, 100:104] = MASK_CROP
    assert np.array_equal(mask.to_array(), full)


def test_bbox_edges_are_exclusive_pixel_edges() -> None:
    box = geometry_from_label({"bbox": [4, 5, 20, 30]}, 64, 48)
    assert box == Box(4.0, 5.0, 20.0, 30.0)  # 16 x 25 pixels, no half-pixel shift


# -- clone ---------------------------------------------------------------------------------
def test_clone_pulls_images_classes_regions_statuses_and_queues(world, linked) -> None:
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    assert report.pulled_images == 3 and report.downloaded == 3 and report.ok
    with linked.store.read() as conn:
        classes = {c.name: c for c in queries.label_classes(conn)}
    assert set(classes) == {"car", "person", "blob"}
    assert classes["car"].color == "#ff0000"
    assert classes["person"].kind == "keypoints"
    assert classes["person"].skeleton.names == ("head", "hip", "foot")
    assert classes["person"].skeleton.edges == ((0, 1), (1, 2))
    assert [a["name"] for a in classes["car"].attribute_schema] == ["color", "occluded"]

    img0 = local_annotations(linked.store, "img0.png")
    car_label, blob_label = world.fake.image_labels(world.images["img0.png"])
    assert img0[derived_uuid(car_label["id"])].geometry == Box(4, 5, 20, 30)
    assert img0[derived_uuid(blob_label["id"])].geometry == Polygon.from_points(
        [(2, 2), (9, 2), (5, 9)]
    )
    img1 = {a.kind: a for a in local_annotations(linked.store, "img1.png").values()}
    full = np.zeros((60, 80), bool)
    full[20:23, 10:14] = MASK_CROP
    assert np.array_equal(img1["mask"].geometry.to_array(), full)
    assert img1["keypoints"].geometry == Keypoints(((35, 10, 2), (0, 0, 0), (40, 40, 1)))
    assert image_named(linked.store, "img0.png").status == "new"
    assert image_named(linked.store, "img1.png").status == "submitted"
    assert image_named(linked.store, "img2.png").status == "approved"
    with linked.store.read() as conn:
        found = {q.remote_key: q for q in queues(conn) if q.remote_key}
        members = {
            key: sorted(queries.image_by_id(conn, i).name for i in queue_image_ids(conn, queue.id))
            for key, queue in found.items()
        }
    assert members == {"q-a": ["img0.png", "img1.png"], "q-b": ["img1.png"]}
    again = linked.engine.run_once()
    assert again.created == again.updated == again.deleted == 0 and again.pushed_images == 0
    assert world.fake.count("POST") == world.fake.count("PUT") == 0


# -- offline labeling and push --------------------------------------------------------------
def label_offline(linked: Linked, world: World) -> dict[str, NewAnnotation]:
    history = History(linked.store)
    ids = class_ids(linked.store)
    img0, img2 = image_named(linked.store, "img0.png"), image_named(linked.store, "img2.png")
    full = np.zeros((48, 64), bool)
    full[10:30, 20:40] = True
    full[15:18, 25:28] = False  # a hole: masks hold any shape
    items = {
        "box": NewAnnotation(
            new_uuid(), img0.id, ids["car"], Box(1.5, 2.25, 30.7, 20.0), {"color": "blue"}
        ),
        "box_whole": NewAnnotation(
            new_uuid(), img2.id, ids["car"], Box(3, 4, 10, 12), {"occluded": True}
        ),
        "polygon": NewAnnotation(
            new_uuid(), img0.id, ids["blob"], Polygon.from_points([(3, 3), (40, 5), (20, 40)])
        ),
        "mask": NewAnnotation(new_uuid(), img0.id, ids["blob"], Mask.from_array(full)),
        "keypoints": NewAnnotation(
            new_uuid(), img2.id, ids["person"], Keypoints(((5, 5, 2), (8, 9, 1), (0, 0, 0)))
        ),
        "hole": NewAnnotation(
            new_uuid(),
            img2.id,
            ids["blob"],
            Polygon(
                (PolygonPart(((1, 1), (30, 1), (30, 30), (1, 30)), (((5, 5), (9, 5), (9, 9)),)),)
            ),
        ),
        "two_parts": NewAnnotation(
            new_uuid(),
            img2.id,
            ids["blob"],
            Polygon(
                (
                    PolygonPart(((1, 1), (5, 1), (5, 5))),
                    PolygonPart(((10, 10), (15, 10), (15, 15))),
                )
            ),
        ),
        "no_class": NewAnnotation(new_uuid(), img2.id, None, Box(1, 1, 5, 5)),
    }
    history.execute(AddAnnotations(tuple(items.values())))
    history.execute(SetImageStatus({img0.id: "new"}, "submitted"))
    history.execute(SetImageStatus({img2.id: "approved"}, "rejected"))
    return items


def test_label_offline_sync_and_the_server_equals_the_project(world, linked) -> None:
    linked.engine.run_once()
    world.fake.stop()  # offline: edits queue locally
    items = label_offline(linked, world)
    offline = linked.engine.run_once()
    assert offline.state == "offline" and offline.pending == 2
    world.fake.start()  # back, on the same port
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    # img2 stays pending: the shapes Hasty cannot hold stay dirty here until resolved
    assert report.pushed_images == 2 and report.pending == 1
    # what Hasty cannot hold is refused per region, with the reason, and kept locally
    issues = "\n".join(report.issues)
    assert "cannot have holes" in issues
    assert "one polygon ring" in issues and "2 parts" in issues
    assert "need a class" in issues
    assert len(report.issues) == 3
    img2_remote = remote_regions(world, linked.adapter, "img2.png")
    for refused in ("hole", "two_parts", "no_class"):
        assert items[refused].uuid not in img2_remote
        assert items[refused].uuid in local_annotations(linked.store, "img2.png")
    # labels carry limner's uuid in external_id; statuses mapped to Hasty's model
    external = {
        uuid_from_external(label["external_id"])
        for label in world.fake.image_labels(world.images["img0.png"])
    }
    assert {items["box"].uuid, items["polygon"].uuid, items["mask"].uuid} <= external
    assert world.fake.images[world.images["img0.png"]]["status"] == "TO REVIEW"
    # no "rejected" custom status known yet: the image goes back to the labeller
    assert world.fake.images[world.images["img2.png"]]["status"] == "IN PROGRESS"
    # Hasty keeps whole pixels: the fractional box is stored rounded, the rest exactly
    box = next(
        label
        for label in world.fake.image_labels(world.images["img0.png"])
        if label["external_id"] == f"limner:{items['box'].uuid}"
    )
    assert box["bbox"] == [2, 2, 31, 20]
    # the next sync brings the server's rounding back: then both sides are equal
    label_writes = [(m, p) for m, p, _ in world.fake.requests if m != "GET" and "labels" in p]
    settle = linked.engine.run_once()
    assert settle.state == "up_to_date", settle.message
    again = [(m, p) for m, p, _ in world.fake.requests if m != "GET" and "labels" in p]
    assert again == label_writes  # no label is written again
    assert local_annotations(linked.store, "img0.png")[items["box"].uuid].geometry == Box(
        2, 2, 31, 20
    )
    assert_server_equals_project(
        world, linked, {items[k].uuid for k in ("hole", "two_parts", "no_class")}
    )
    assert image_named(linked.store, "img2.png").status == "rejected"
    assert world.fake.count("POST", r"/labels$") == 2  # one batch per image, never twice


def test_batches_hold_at_most_100_labels(world, linked) -> None:
    linked.engine.run_once()
    img2 = image_named(linked.store, "img2.png")
    blob = class_ids(linked.store)["blob"]
    boxes = tuple(
        NewAnnotation(new_uuid(), img2.id, blob, Box(i % 30, i // 30, i % 30 + 2, i // 30 + 2))
        for i in range(150)
    )
    History(linked.store).execute(AddAnnotations(boxes))
    report = linked.engine.run_once()
    assert report.ok, report.to_json()
    assert world.fake.count("POST", r"/labels$") == 2
    assert len(world.fake.image_labels(world.images["img2.png"])) == 150
    History(linked.store).execute(
        EditAnnotations.from_records(
            "Move",
            [
                (a, {"geometry": Box(1, 1, 3, 3)})
                for a in local_annotations(linked.store, "img2.png").values()
            ],
        )
    )
    assert linked.engine.run_once().ok
    assert world.fake.count("PUT", r"/labels$") == 2
    assert {tuple(x["bbox"]) for x in world.fake.image_labels(world.images["img2.png"])} == {
        (1, 1, 3, 3)
    }


def test_local_delete_and_class_change(world, linked) -> None:
    linked.engine.run_once()
    history = History(linked.store)
    anns = local_annotations(linked.store, "img0.png")
    car_uuid = next(u for u, a in anns.items() if a.kind == "box")
    blob_uuid = next(u for u, a in anns.items() if a.kind == "polygon")
    from models.commands import DeleteAnnotations

    history.execute(DeleteAnnotations((car_uuid,), on_image=anns[car_uuid].image_id))
    history.execute(
        EditAnnotations.from_records(
            "Class", [(anns[blob_uuid], {"class_id": class_ids(linked.store)["car"]})]
        )
    )
    report = linked.engine.run_once()
    assert report.ok, report.to_json()
    (label,) = world.fake.image_labels(world.images["img0.png"])
    assert label["class_id"] == world.classes["car"]
    # only the class changed: the server keeps its geometry fields as they were
    assert label["bbox"] == [2, 2, 9, 9] and label["polygon"] == [[2, 2], [9, 2], [5, 9], [2, 2]]
    assert world.fake.count("DELETE", r"/labels$") == 1


# -- remote changes ------------------------------------------------------------------------
def test_remote_edits_are_pulled(world, linked) -> None:
    linked.engine.run_once()
    fake, pid = world.fake, world.pid
    car, blob = fake.image_labels(world.images["img0.png"])
    fake.edit_label(pid, car["id"], bbox=[10, 10, 40, 40])
    fake.remove_label(blob["id"])
    added = fake.add_label(
        pid, world.images["img2.png"], {"class_id": world.classes["car"], "bbox": [1, 1, 8, 8]}
    )
    fake.set_status(pid, world.images["img2.png"], "Rejected")
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    assert (report.updated, report.created, report.deleted) == (1, 1, 1)
    img0 = local_annotations(linked.store, "img0.png")
    assert img0[derived_uuid(car["id"])].geometry == Box(10, 10, 40, 40)
    assert derived_uuid(blob["id"]) not in img0
    img2 = local_annotations(linked.store, "img2.png")
    assert img2[derived_uuid(added["id"])].geometry == Box(1, 1, 8, 8)
    assert image_named(linked.store, "img2.png").status == "rejected"
    assert report.pending == 0


def test_a_remote_deletion_is_found_by_the_rotating_rescan(world, tmp_path) -> None:
    linked = link(tmp_path, world, settings={"rescan_per_sync": 1})
    linked.engine.run_once()
    (_, blob) = world.fake.image_labels(world.images["img0.png"])
    world.fake.remove_label(blob["id"])  # no tombstone, no date moves
    seen = []
    for _ in range(3):  # three images, one rescanned per sync
        linked.engine.run_once()
        seen.append(derived_uuid(blob["id"]) in local_annotations(linked.store, "img0.png"))
    assert seen[-1] is False
    linked.store.close()


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_both_sides_edit_becomes_a_conflict(world, linked, choice) -> None:
    linked.engine.run_once()
    car, _ = world.fake.image_labels(world.images["img0.png"])
    uuid = derived_uuid(car["id"])
    record = local_annotations(linked.store, "img0.png")[uuid]
    History(linked.store).execute(
        EditAnnotations.from_records("Move", [(record, {"geometry": Box(7, 7, 17, 17)})])
    )
    world.fake.edit_label(world.pid, car["id"], bbox=[1, 1, 40, 30])
    report = linked.engine.run_once()
    assert report.conflicts == 1
    assert local_annotations(linked.store, "img0.png")[uuid].geometry == Box(7, 7, 17, 17)
    assert world.fake.labels[car["id"]]["bbox"] == [1, 1, 40, 30]  # nothing overwritten
    with linked.store.read() as conn:
        (conflict,) = sync_store.open_conflicts(conn)
    resolve_conflict(linked.store, conflict.id, choice)
    assert linked.engine.run_once().conflicts == 0
    expected = [7, 7, 17, 17] if choice == "mine" else [1, 1, 40, 30]
    assert world.fake.labels[car["id"]]["bbox"] == expected
    assert local_annotations(linked.store, "img0.png")[uuid].geometry == Box(*expected)


def test_an_edit_on_a_stale_base_is_a_conflict_not_an_overwrite(world, linked, monkeypatch) -> None:
    """The label being edited changed on the server between the pull and the push."""
    linked.engine.run_once()
    img0 = image_named(linked.store, "img0.png")
    ours = NewAnnotation(new_uuid(), img0.id, class_ids(linked.store)["car"], Box(1, 1, 6, 6))
    car, _ = world.fake.image_labels(world.images["img0.png"])
    record = local_annotations(linked.store, "img0.png")[derived_uuid(car["id"])]
    history = History(linked.store)
    history.execute(AddAnnotations((ours,)))
    history.execute(
        EditAnnotations.from_records("Move", [(record, {"geometry": Box(7, 7, 17, 17)})])
    )
    original = HastyAdapter.apply

    def edited_meanwhile(self, image, plan, push):
        if not getattr(edited_meanwhile, "done", False):
            edited_meanwhile.done = True
            world.fake.edit_label(world.pid, car["id"], bbox=[0, 0, 12, 12])
        return original(self, image, plan, push)

    monkeypatch.setattr(HastyAdapter, "apply", edited_meanwhile)
    monkeypatch.setattr(linked.engine.puller, "run", lambda *args: None)  # push straight away
    report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.conflicts == 1, report.to_json()
    assert world.fake.labels[car["id"]]["bbox"] == [0, 0, 12, 12]  # the server's edit stays
    local = local_annotations(linked.store, "img0.png")
    assert local[derived_uuid(car["id"])].geometry == Box(7, 7, 17, 17)  # and so does ours
    assert ours.uuid in {  # the rest of the plan went through once the image was read again
        uuid_from_external(x["external_id"])
        for x in world.fake.image_labels(world.images["img0.png"])
    }


def test_a_create_on_a_stale_base_leaves_the_servers_edit_alone(world, linked, monkeypatch) -> None:
    """Another label changed on the server meanwhile: the create costs no extra read and
    touches nothing else; the next sync brings the server's edit in."""
    linked.engine.run_once()
    img0 = image_named(linked.store, "img0.png")
    ours = NewAnnotation(new_uuid(), img0.id, class_ids(linked.store)["car"], Box(1, 1, 6, 6))
    History(linked.store).execute(AddAnnotations((ours,)))
    car, _ = world.fake.image_labels(world.images["img0.png"])
    world.fake.edit_label(world.pid, car["id"], bbox=[0, 0, 12, 12])
    world.fake.requests.clear()
    monkeypatch.setattr(linked.engine.puller, "run", lambda *args: None)
    monkeypatch.setattr(linked.engine, "sweep_deleted", lambda: None)
    report = linked.engine.run_once()
    assert report.ok and report.pushed_images == 1, report.to_json()
    writes = [(m, p) for m, p, _ in world.fake.requests if m != "GET"]
    assert writes == [
        ("POST", f"/v1/projects/{world.pid}/images/{world.images['img0.png']}/labels")
    ]
    assert world.fake.count("GET", r"/images/[^/]+/labels$") == 0
    assert world.fake.labels[car["id"]]["bbox"] == [0, 0, 12, 12]
    monkeypatch.undo()
    assert linked.engine.run_once().ok
    local = local_annotations(linked.store, "img0.png")
    assert local[derived_uuid(car["id"])].geometry == Box(0, 0, 12, 12)
    assert local[ours.uuid].geometry == Box(1, 1, 6, 6)


def test_a_region_refused_here_stays_on_the_server(world, linked) -> None:
    linked.engine.run_once()
    _, blob = world.fake.image_labels(world.images["img0.png"])
    uuid = derived_uuid(blob["id"])
    record = local_annotations(linked.store, "img0.png")[uuid]
    holed = Polygon((PolygonPart(((2, 2), (9, 2), (5, 9)), (((4, 4), (6, 4), (5, 6)),)),))
    History(linked.store).execute(
        EditAnnotations.from_records("Hole", [(record, {"geometry": holed})])
    )
    report = linked.engine.run_once()
    assert any("cannot have holes" in issue for issue in report.issues)
    assert world.fake.labels[blob["id"]]["polygon"] == [[2, 2], [9, 2], [5, 9], [2, 2]]


def test_labels_limner_cannot_read_are_kept(world, linked) -> None:
    # a label an older import stored without the API's checks: a polygon of two points
    odd = world.fake.add_raw_label(
        world.images["img0.png"],
        {"class_id": world.classes["blob"], "bbox": [1, 1, 3, 3], "polygon": [[1, 1], [2, 2]]},
    )
    raw_before = json.dumps(world.fake.labels[odd["id"]], sort_keys=True)
    report = linked.engine.run_once()
    assert any(
        issue.startswith("malformed") and odd["id"] in issue and "kept as it is" in issue
        for issue in report.issues
    ), report.issues
    img0 = image_named(linked.store, "img0.png")
    History(linked.store).execute(
        AddAnnotations(
            (NewAnnotation(new_uuid(), img0.id, class_ids(linked.store)["car"], Box(1, 1, 4, 4)),)
        )
    )
    assert linked.engine.run_once().pushed_images == 1
    assert json.dumps(world.fake.labels[odd["id"]], sort_keys=True) == raw_before


# -- crashes and faults --------------------------------------------------------------------
def test_crash_after_the_server_applied_a_push_creates_no_duplicate(
    world, linked, monkeypatch
) -> None:
    linked.engine.run_once()
    img2 = image_named(linked.store, "img2.png")
    car = class_ids(linked.store)["car"]
    items = tuple(
        NewAnnotation(new_uuid(), img2.id, car, Box(i, i, i + 5, i + 5)) for i in range(3)
    )
    History(linked.store).execute(AddAnnotations(items))
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
    assert len(world.fake.image_labels(world.images["img2.png"])) == 3
    report = linked.engine.run_once()
    assert report.pending == 0 and report.conflicts == 0, report.to_json()
    labels = world.fake.image_labels(world.images["img2.png"])
    assert sorted(uuid_from_external(x["external_id"]) for x in labels) == sorted(
        i.uuid for i in items
    )
    assert world.fake.count("POST", r"/labels$") == 1


def test_sigkill_mid_push_then_a_second_sync_leaves_no_duplicates(
    world, linked, monkeypatch, capsys
) -> None:
    """A real ``limner sync`` process killed mid-push; the next sync finishes the job."""
    fake = world.fake
    names = [f"batch{i:02d}.png" for i in range(30)]
    ids = {name: fake.add_image(world.pid, world.dataset, name, size=(40, 30)) for name in names}
    clone = linked.engine.run_once()
    assert clone.ok, clone.to_json()
    history = History(linked.store)
    car = class_ids(linked.store)["car"]
    wanted: dict[str, dict[str, Box]] = {}
    for index, name in enumerate(names):
        record = image_named(linked.store, name)
        shift = index % 10
        items = (
            NewAnnotation(new_uuid(), record.id, car, Box(1, 2, 11, 12)),
            NewAnnotation(new_uuid(), record.id, car, Box(5 + shift, 3, 20 + shift, 18)),
        )
        history.execute(AddAnnotations(items))
        wanted[name] = {item.uuid: item.geometry for item in items}
    seeded = len(fake.labels)
    # each label batch waits 50 ms before it is applied, so the kill lands mid-push (and a
    # batch the child sent just before it died is applied after it is gone)
    fake.delay_next(0.05, times=10**6, method="POST", path=r"/labels$")

    def landed() -> int:
        with fake.lock:
            held = {label["image_id"] for label in fake.labels.values()}
        return len(held.intersection(ids.values()))

    def connections() -> set[object]:
        with fake.lock:
            return set(fake._connections)

    killed = sync_killed_mid_push(
        linked.store.folder,
        token_env=KEY_ENV,
        token=fake.api_key,
        landed=landed,
        connections=connections,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert 3 <= killed.landed < len(names)  # some images pushed, not all: killed mid-push
    with fake.lock:
        fake.faults.clear()

    monkeypatch.setenv(KEY_ENV, fake.api_key)
    code = cli(["sync", str(linked.store.folder), "--once", "--json", "--token-env", KEY_ENV])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert report["state"] == "up_to_date" and report["pending"] == 0, report
    # every shape is on Hasty exactly once, found by the uuid in its external_id
    for name, shapes in wanted.items():
        labels = fake.image_labels(ids[name])
        found = sorted(uuid_from_external(label["external_id"]) for label in labels)
        assert found == sorted(shapes), name
        for label in labels:
            box = shapes[uuid_from_external(label["external_id"])]
            assert label["bbox"] == [box.x0, box.y0, box.x1, box.y1], name
            assert label["class_id"] == world.classes["car"]
    assert len(fake.labels) == seeded + 2 * len(names)
    # nothing came back as a second local copy and nothing is left to push
    for name, shapes in wanted.items():
        assert set(local_annotations(linked.store, name)) == set(shapes), name
    with linked.store.read() as conn:
        assert sync_store.pending_count(conn, linked.engine.remote_id) == 0


FAULTS = {
    "500 after applying": lambda fake: fake.fail_after_apply(500, method="POST", path=r"/labels$"),
    "connection dropped after applying": lambda fake: fake.drop_after_apply(
        method="POST", path=r"/labels$"
    ),
    "malformed answer after applying": lambda fake: fake.malformed_next(
        apply=True, method="POST", path=r"/labels$"
    ),
    "answer slower than the client timeout": lambda fake: fake.delay_next(
        1.5, method="POST", path=r"/labels$"
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_an_ambiguous_create_is_looked_up_not_repeated(world, tmp_path, fault) -> None:
    linked = link(tmp_path, world, timeout=0.5)
    linked.engine.run_once()
    img2 = image_named(linked.store, "img2.png")
    car = class_ids(linked.store)["car"]
    items = tuple(
        NewAnnotation(new_uuid(), img2.id, car, Box(i, i, i + 4, i + 4)) for i in range(4)
    )
    History(linked.store).execute(AddAnnotations(items))
    FAULTS[fault](world.fake)
    report = linked.engine.run_once()
    if fault == "answer slower than the client timeout":
        # the server may still be saving: nothing is sent again until the next sync
        assert report.state == "offline" and report.pending == 1, report.to_json()
        assert world.fake.wait_idle()
        report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0, report.to_json()
    labels = world.fake.image_labels(world.images["img2.png"])
    assert sorted(uuid_from_external(x["external_id"]) for x in labels) == sorted(
        i.uuid for i in items
    )
    assert world.fake.count("POST", r"/labels$") == 1  # looked up, not sent again
    assert len(linked.waits) >= 1
    linked.store.close()


def test_429_with_retry_after_is_honoured(world, linked) -> None:
    world.fake.fail_next(429, times=2, retry_after="7", method="GET", path=r"/images$")
    report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.pulled_images == 3
    assert linked.waits == [7.0, 7.0]


def test_throttling_without_retry_after_backs_off_exponentially(world, linked) -> None:
    world.fake.fail_next(429, times=3, path=r"/label_classes$")
    assert linked.engine.run_once().state == "up_to_date"
    assert len(linked.waits) == 3
    for attempt, wait in enumerate(linked.waits):
        assert 0.0 <= wait <= 0.5 * 2**attempt  # full jitter under a doubling ceiling


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_and_nothing_is_lost(world, linked, status) -> None:
    linked.engine.run_once()
    img2 = image_named(linked.store, "img2.png")
    item = NewAnnotation(new_uuid(), img2.id, class_ids(linked.store)["car"], Box(1, 1, 9, 9))
    History(linked.store).execute(AddAnnotations((item,)))
    world.fake.fail_next(status, times=2, method="PUT")
    world.fake.fail_next(status, times=1, method="POST")
    History(linked.store).execute(SetImageStatus({img2.id: "approved"}, "submitted"))
    report = linked.engine.run_once()
    assert report.ok, report.to_json()
    assert world.fake.images[world.images["img2.png"]]["status"] == "TO REVIEW"
    assert [
        uuid_from_external(x["external_id"])
        for x in world.fake.image_labels(world.images["img2.png"])
    ] == [item.uuid]
    assert len(linked.waits) == 3


def test_a_read_timeout_is_retried(world, tmp_path) -> None:
    linked = link(tmp_path, world, timeout=0.5)
    world.fake.delay_next(1.5, method="GET", path=r"/images$")
    report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.pulled_images == 3
    assert len(linked.waits) == 1
    linked.store.close()


def test_a_read_answer_that_is_not_json_stops_the_run_naming_the_route(world, linked) -> None:
    world.fake.malformed_next(times=1, method="GET", path=r"/labels$")
    report = linked.engine.run_once()
    assert report.state == "error" and "/labels" in report.message, report.message
    assert linked.waits == []  # the same request would get the same answer: not retried
    again = linked.engine.run_once()  # nothing was half-written: the next run goes through
    assert again.state == "up_to_date" and again.pulled_images == 3, again.message


def test_an_outage_longer_than_the_retries_is_offline_and_resumes(world, tmp_path) -> None:
    linked = link(tmp_path, world, attempts=2)
    linked.engine.run_once()
    img2 = image_named(linked.store, "img2.png")
    item = NewAnnotation(new_uuid(), img2.id, class_ids(linked.store)["car"], Box(1, 1, 9, 9))
    History(linked.store).execute(AddAnnotations((item,)))
    world.fake.fail_next(503, times=2)
    report = linked.engine.run_once()
    assert report.state == "offline" and report.pending == 1
    assert "503" in report.message
    report = linked.engine.run_once()
    assert report.ok and report.pending == 0
    assert len(world.fake.image_labels(world.images["img2.png"])) == 1
    linked.store.close()


def test_a_wrong_key_stops_with_an_auth_state(world, tmp_path) -> None:
    linked = link(tmp_path, world, key="not-the-key")
    report = linked.engine.run_once()
    assert report.state == "auth"
    assert "401" in report.message and "check your API key" in report.message
    assert linked.waits == []  # never retried
    linked.store.close()


def test_a_role_without_write_permission_stops_with_an_auth_state(world, linked) -> None:
    linked.engine.run_once()
    img2 = image_named(linked.store, "img2.png")
    item = NewAnnotation(new_uuid(), img2.id, class_ids(linked.store)["car"], Box(1, 1, 9, 9))
    History(linked.store).execute(AddAnnotations((item,)))
    world.fake.fail_next(
        403, message="Looks like service account doesn't have a permission", method="POST"
    )
    report = linked.engine.run_once()
    assert report.state == "auth" and "permission" in report.message
    assert report.pending == 1 and linked.waits == []


def test_out_of_credits_stops_the_run_with_the_reason(world, linked) -> None:
    world.fake.fail_next(402, message="please top up your account", path=r"/images$")
    report = linked.engine.run_once()
    assert report.state == "error"
    assert "402" in report.message and "top up" in report.message and "credits" in report.message


def test_a_refused_label_parks_the_image_with_the_servers_message(world, linked) -> None:
    linked.engine.run_once()
    img0, img2 = image_named(linked.store, "img0.png"), image_named(linked.store, "img2.png")
    car = class_ids(linked.store)["car"]
    good = NewAnnotation(new_uuid(), img0.id, car, Box(1, 1, 9, 9))
    bad = NewAnnotation(new_uuid(), img2.id, car, Box(2, 2, 9, 9))
    History(linked.store).execute(AddAnnotations((good, bad)))
    world.fake.fail_next(
        400,
        message="class_id: label class is archived",
        method="POST",
        path=world.images["img2.png"],
    )
    report = linked.engine.run_once()
    assert any("img2.png" in i and "label class is archived" in i for i in report.issues)
    assert good.uuid in {
        uuid_from_external(x["external_id"])
        for x in world.fake.image_labels(world.images["img0.png"])
    }
    assert world.fake.image_labels(world.images["img2.png"]) == []
    assert linked.waits == []
    assert linked.engine.run_once().ok  # next time it goes through; nothing was lost


def test_an_edit_names_the_label_by_id_with_every_field_the_document_lists(
    world, linked, monkeypatch
) -> None:
    linked.engine.run_once()
    car, _ = world.fake.image_labels(world.images["img0.png"])
    record = local_annotations(linked.store, "img0.png")[derived_uuid(car["id"])]
    History(linked.store).execute(
        EditAnnotations.from_records("Move", [(record, {"geometry": Box(5, 5, 9, 9)})])
    )
    sent: list = []
    original = HastyFake.handle

    def spy(self, method, path, query, body, headers):
        if method == "PUT" and path.endswith("/labels"):
            sent.extend(body)
        return original(self, method, path, query, body, headers)

    monkeypatch.setattr(HastyFake, "handle", spy)
    assert linked.engine.run_once().ok
    (item,) = sent
    assert item["id"] == car["id"] and "label_id" not in item
    assert set(item) == {
        "id", "class_id", "bbox", "polygon", "mask", "keypoints", "tool_used",
        "z_index", "external_id", "external_event_id",
    }  # fmt: skip
    # a label made elsewhere keeps its own fields through limner's edit
    assert (item["external_id"], item["z_index"]) == (car["external_id"], car["z_index"])
    assert world.fake.labels[car["id"]]["bbox"] == [5, 5, 9, 9]


def test_paging_of_images_and_labels(world, tmp_path) -> None:
    for i in range(5):
        iid = world.fake.add_image(world.pid, world.dataset, f"extra{i}.png")
        for j in range(3):
            world.fake.add_label(
                world.pid, iid, {"class_id": world.classes["car"], "bbox": [j, j, j + 4, j + 4]}
            )
    linked = link(tmp_path, world, settings={"page_size": 2})
    report = linked.engine.run_once()
    assert report.pulled_images == 8 and report.ok
    assert len(local_annotations(linked.store, "extra4.png")) == 3
    assert all(int(q.get("limit", 0)) <= 2 for m, p, q in world.fake.requests if "limit" in q)
    linked.store.close()


def test_route_table_can_be_overridden(world, tmp_path) -> None:
    linked = link(
        tmp_path,
        world,
        settings={"routes": {"keypoint_schemas": "/v1/projects/{project_id}/no_such_path"}},
    )
    report = linked.engine.run_once()
    assert report.state == "up_to_date"
    with linked.store.read() as conn:
        person = next(c for c in queries.label_classes(conn) if c.name == "person")
    assert person.skeleton is None  # no schema found there: keypoint labels are not shown
    assert any("keypoint schema" in issue for issue in report.issues)
    linked.store.close()


# -- the vendor's own client against the fake ---------------------------------------------
def _vendor_client():
    try:
        import hasty
    except ImportError:
        pytest.fail(
            "the official Hasty client is missing: pip install 'hasty==0.3.12' "
            "(it is in the test extra of pyproject.toml)",
            pytrace=False,
        )
    assert hasty.__version__ == "0.3.12", "the fidelity check is written against hasty 0.3.12"
    return hasty


def test_fidelity_the_official_client_runs_against_the_fake(world, tmp_path) -> None:
    hasty = _vendor_client()
    client = hasty.Client(api_key=world.fake.api_key, base_url=world.fake.url)
    assert [w.id for w in client.get_workspaces()] == [world.fake.workspace_id]
    projects = client.get_projects()
    assert len(projects) == 1 and projects[0].id == world.pid
    project = client.get_project(world.pid)
    assert project.name == "limner street scenes"
    assert [d.name for d in project.get_datasets()] == ["train"]
    dataset = project.create_dataset("val", 1)
    assert dataset.name == "val"
    assert {c.name for c in project.get_label_classes()} == {"car", "person", "blob"}
    tree = project.create_label_class("tree", color="#00aa00ff", norder=5)
    assert project.get_label_class(tree.id).name == "tree"
    path = tmp_path / "upload.png"
    path.write_bytes(png_bytes(40, 30, (1, 2, 3)))
    uploaded = project.upload_from_file(dataset, str(path), external_id="ext-1")
    assert (uploaded.width, uploaded.height, uploaded.external_id) == (40, 30, "ext-1")
    image = project.get_image(uploaded.id)
    assert image.name == "upload.png" and image.status == "NEW"
    assert len(project.get_images()) == 4
    assert {i.name for i in project.get_images(image_status=["TO REVIEW", "DONE"])} == {
        "img1.png",
        "img2.png",
    }
    assert len(project.get_images(dataset=[dataset])) == 1

    crop = np.zeros((5, 6), np.uint8)
    crop[1:4, 2:5] = 1
    # the vendor's encoder yields numpy integers, which its own JSON encoding cannot send
    rle = [int(v) for v in hasty.label_utils.rle_encoding(crop)]
    labels = image.create_labels(
        [
            {"class_id": tree.id, "bbox": [1, 2, 11, 12], "external_id": "a"},
            {
                "class_id": tree.id,
                "polygon": [[1, 1], [10, 1], [5, 9], [1, 1]],
                "bbox": [1, 1, 10, 9],
            },
            {"class_id": tree.id, "bbox": [20, 10, 26, 15], "mask": rle, "z_index": 2},
        ]
    )
    assert [label.external_id for label in labels] == ["a", None, None]
    got = list(image.get_labels())
    assert [g.bbox for g in got] == [[1, 2, 11, 12], [1, 1, 10, 9], [20, 10, 26, 15]]
    assert got[2].mask == rle and got[2].z_index == 2
    # limner reads the vendor's mask encoding pixel for pixel
    mask = geometry_from_label({"bbox": got[2].bbox, "mask": got[2].mask}, 40, 30)
    expected = np.zeros((30, 40), bool)
    expected[10:15, 20:26] = crop.astype(bool)
    assert np.array_equal(mask.to_array(), expected)
    # the client names an edited label "label_id"; the API document names it "id", and the
    # fake, which follows the document, refuses the field it does not list
    with pytest.raises(hasty.exception.ValidationException) as renamed:
        got[1].edit(tree, bbox=[2, 2, 8, 8])
    assert "unknown field" in renamed.value.message and "label_id" in renamed.value.message
    with pytest.raises(hasty.exception.ValidationException):
        image.edit_labels([{"label_id": got[0].id, "class_id": tree.id, "bbox": [0, 0, 4, 4]}])
    # an open ring is refused: the document's polygons end with their first point
    with pytest.raises(hasty.exception.ValidationException) as open_ring:
        image.create_labels([{"class_id": tree.id, "polygon": [[1, 1], [10, 1], [5, 9]]}])
    assert "closed ring" in open_ring.value.message
    image.delete_labels([got[0].id])
    assert [g.id for g in image.get_labels()] == [got[1].id, got[2].id]
    image.set_status("TO REVIEW")
    assert project.get_image(image.id).status == "TO REVIEW"
    assert world.fake.images[image.id]["status"] == "TO REVIEW"
    target = tmp_path / "down.png"
    image.download(str(target))
    assert target.read_bytes() == path.read_bytes()
    attribute = next(a for a in project.get_attributes() if a.name == "occluded")
    car_label = next(iter(project.get_image(world.images["img0.png"]).get_labels()))
    car_label.set_attribute(attribute, True)
    assert [(a.id, a.value) for a in car_label.get_attributes()] == [(attribute.id, True)]
    assert {(r["attribute_id"], r["class_id"]) for r in project.get_attribute_classes()} == {
        (a, world.classes["car"]) for a in world.fake.attributes
    }
    with pytest.raises(hasty.exception.ValidationException) as refused:
        image.create_labels([{"class_id": tree.id, "bbox": [1.5, 1, 4, 4]}])
    assert "integers" in refused.value.message  # the fake's 400 body, read by the client
    with pytest.raises(hasty.exception.NotFound):
        client.get_project(world.fake.workspace_id)
    with pytest.raises(hasty.exception.AuthenticationException):
        hasty.Client(api_key="wrong", base_url=world.fake.url).get_projects()


def test_fidelity_the_official_client_reads_what_limner_wrote(world, linked) -> None:
    hasty = _vendor_client()
    linked.engine.run_once()
    items = label_offline(linked, world)
    linked.engine.run_once()
    client = hasty.Client(api_key=world.fake.api_key, base_url=world.fake.url)
    image = client.get_project(world.pid).get_image(world.images["img0.png"])
    assert image.status == "TO REVIEW"
    by_external = {label.external_id: label for label in image.get_labels()}
    mask_label = by_external[f"limner:{items['mask'].uuid}"]
    x0, y0, x1, y1 = mask_label.bbox
    decoded = hasty.label_utils.rle_decode(mask_label.mask, (x1 - x0, y1 - y0))
    full = np.zeros((48, 64), bool)
    full[y0:y1, x0:x1] = decoded.astype(bool)
    assert np.array_equal(full, items["mask"].geometry.to_array())
    assert hasty.label_utils.check_rle_mask(mask_label.bbox, mask_label.mask)
    polygon = by_external[f"limner:{items['polygon'].uuid}"]
    assert polygon.polygon == [[3, 3], [40, 5], [20, 40], [3, 3]]  # closed, as documented
    assert polygon.bbox == hasty.label_utils.polygon2box(polygon.polygon)


def test_rejected_is_written_as_a_custom_status_when_one_is_known(world, tmp_path) -> None:
    linked = link(tmp_path, world, settings={"status_ids": {"rejected": world.rejected}})
    linked.engine.run_once()
    img0 = image_named(linked.store, "img0.png")
    History(linked.store).execute(SetImageStatus({img0.id: "new"}, "rejected"))
    assert linked.engine.run_once().ok
    assert world.fake.images[world.images["img0.png"]]["status"] == "Rejected"
    linked.store.close()


def test_a_custom_status_seen_on_an_image_is_reused_for_rejected(world, linked) -> None:
    world.fake.set_status(world.pid, world.images["img2.png"], "Rejected")
    linked.engine.run_once()
    assert image_named(linked.store, "img2.png").status == "rejected"
    img0 = image_named(linked.store, "img0.png")
    History(linked.store).execute(SetImageStatus({img0.id: "new"}, "rejected"))
    assert linked.engine.run_once().ok
    assert world.fake.images[world.images["img0.png"]]["status_id"] == world.rejected
    again = linked.engine.run_once()
    assert again.ok and image_named(linked.store, "img0.png").status == "rejected"


def test_projects_and_datasets_are_listed(world, linked) -> None:
    other = world.fake.add_project("another project")
    linked.adapter.connect()
    assert sorted(linked.adapter.projects()) == sorted(
        [(world.pid, "limner street scenes"), (other, "another project")]
    )
    assert linked.adapter.datasets() == [(world.dataset, "train")]


def test_an_expired_file_url_is_replaced_by_a_fresh_one(world, linked) -> None:
    world.fake.fail_next(403, message="Request has expired", path=r"^/files/")
    report = linked.engine.run_once()
    assert report.ok and report.downloaded == 3, report.to_json()
    files = [p for p in world.fake.requests if p[1].startswith("/files/")]
    assert len(files) == 4  # one refused, fetched again from a fresh image answer


def test_files_are_fetched_without_the_api_key(world, linked, monkeypatch) -> None:
    seen: list[str | None] = []
    original = HastyFake.handle

    def spy(self, method, path, query, body, headers):
        if path.startswith("/files/"):
            seen.append(headers.get("X-Api-Key"))
        return original(self, method, path, query, body, headers)

    monkeypatch.setattr(HastyFake, "handle", spy)
    assert linked.engine.run_once().ok
    assert seen == [None, None, None]


def test_an_image_deleted_on_the_server_is_flagged_not_deleted(world, linked) -> None:
    linked.engine.run_once()
    del world.fake.images[world.images["img1.png"]]
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    with linked.store.read() as conn:
        assert queries.image_count(conn) == 3  # local work is kept
        flags = dict(
            conn.exec_driver_sql(
                "SELECT i.name, r.deleted_remotely FROM remote_image r "
                "JOIN image i ON i.id = r.image_id ORDER BY i.name"
            ).fetchall()
        )
    assert flags == {"img0.png": 0, "img1.png": 1, "img2.png": 0}


def test_a_push_to_an_image_gone_meanwhile_parks_it(world, linked, monkeypatch) -> None:
    linked.engine.run_once()
    img2 = image_named(linked.store, "img2.png")
    item = NewAnnotation(new_uuid(), img2.id, class_ids(linked.store)["car"], Box(1, 1, 9, 9))
    History(linked.store).execute(AddAnnotations((item,)))
    del world.fake.images[world.images["img2.png"]]
    monkeypatch.setattr(linked.engine.puller, "run", lambda *args: None)
    monkeypatch.setattr(linked.engine, "sweep_deleted", lambda: None)
    report = linked.engine.run_once()
    assert report.state == "up_to_date"
    assert any("img2.png" in i and "no longer exists" in i for i in report.issues)
