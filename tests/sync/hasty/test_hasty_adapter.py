"""limner's sync with Hasty v1, through the real engine, against the in-memory Hasty fake.

Covers the acceptance of a remote: clone, offline labeling of every kind Hasty holds (and
per-region refusals of what it cannot), sync until the server equals the project, remote
edits pulled, both-sides edits kept as conflicts, edits on a stale base, labels limner
cannot read kept as they are, statuses, files and images deleted on the server. Crashes
and server faults are in ``test_hasty_faults``, the vendor's own client against the fake
in ``test_hasty_fidelity``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box, Keypoints, Mask, Polygon, PolygonPart
from limner.models.editing.commands import AddAnnotations, EditAnnotations, SetImageStatus
from limner.models.editing.history import History
from limner.models.store import queries, sync_store
from limner.models.store.tx import new_uuid
from limner.models.workflow.queues import queue_image_ids, queues
from limner.sync.adapters.hasty import HastyAdapter
from limner.sync.adapters.hasty_format import (
    derived_uuid,
    geometry_from_label,
    rle_decode,
    rle_encode,
    uuid_from_external,
)
from limner.sync.engine import resolve_conflict
from tests.fakes.hasty_server import HastyFake
from tests.sync.hasty_world import (
    MASK_CROP,
    assert_server_equals_project,
    class_ids,
    image_named,
    label_offline,
    link,
    local_annotations,
    remote_regions,
)


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
    from limner.models.editing.commands import DeleteAnnotations

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
    image = f"/v1/projects/{world.pid}/images/{world.images['img0.png']}"
    assert writes == [("POST", f"{image}/labels"), ("PUT", f"{image}/status")]  # it was started
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
