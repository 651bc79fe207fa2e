"""limner's sync with Clarifai, through the real engine and store, against a protocol fake:
clone, offline labeling, remote changes and conflicts, statuses through tasks and notes.

Every request the adapter sends and every answer the fake gives is parsed into the
official ``clarifai-grpc`` messages (unknown fields rejected) inside the fake, so each
test here is also a fidelity test: the ``fake`` fixture fails a test that caused any
violation.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box, Keypoints, Mask, Polygon, PolygonPart, Tag, TagSpec
from limner.models.editing.commands import AddAnnotations, DeleteAnnotations, EditAnnotations
from limner.models.editing.history import History
from limner.models.store import queries, sync_store
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.models.workflow.review_commands import Review, Skip, Submit
from limner.sync.adapters.clarifai_format import (
    derive_status,
    local_uuid_for,
    remote_id_for,
    status_code,
)
from limner.sync.engine import SyncEngine, resolve_conflict
from limner.sync.errors import RemoteConflictError
from tests.sync.clarifai_world import (
    SIZES,
    adapter_for,
    box_region,
    class_id,
    image,
    local,
    same_as_server,
)


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
    assert set(classes) == {"Car", "Person", "Pose", "Image concepts"}
    assert classes["Image concepts"].kind == "tag"
    assert classes["Image concepts"].tag == TagSpec("multiple", ("Car", "Person", "Pose"))
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
    # the colleague's whole-image concept is the image's tag
    with store.read() as conn:
        (tag,) = queries.image_tags(conn, image(store, "img1.png").id)
    assert tag.geometry == Tag(("Car",)) and tag.uuid == local_uuid_for("e" * 32)
    assert not any("tags the whole image" in issue for issue in report.issues)

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
    from limner.models.editing.commands import AddClass

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
