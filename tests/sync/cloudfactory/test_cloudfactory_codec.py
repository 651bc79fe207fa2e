"""The CloudFactory adapter's codec and push plan, driven directly against the fake.

Each test reads a work item from the fake, decodes it, builds a plan with the reconciler
the engine uses, carries it out with ``apply`` and then looks at what the fake holds: the
labels limner did not change must be there exactly as they were (the fake stores a label
exactly as it was sent), a refused edit must leave the server's copy, a label limner
cannot read must be reported on its own and kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from limner.models.domain.geometry import Box, Ellipse, Point, Polygon, Polyline, Tag
from limner.sync.adapters.base import Decoded, ImagePush, Refused, Region, RemoteImage
from limner.sync.adapters.cloudfactory import CloudFactoryAdapter
from limner.sync.errors import RemoteConflictError
from limner.sync.reconcile import Base, LocalRegion, PushPlan, StatusWrite, plan_push
from limner.sync.transport import HeaderAuth, Transport
from tests.fakes.cloudfactory_server import CloudFactoryFake, png_bytes

KEY = "cf-codec-key"
W, H = 64, 48
WORKER = {"bbox": [2.5, 3.25, 20.0, 10.5], "metadata": {"worker": "w-17", "category": "car"}}
FLAT = {"metadata": {"category": "car"}, "bbox": [5, 5, 0, 4]}  # no area: not a box
FAR = {"metadata": {}, "bbox": [500, 1, 10, 10]}  # far right of a 64 px wide image




@pytest.fixture
def project(fake: CloudFactoryFake) -> tuple[str, str]:
    return fake.add_project("Codec")



@pytest.fixture
def fake() -> Iterator[CloudFactoryFake]:
    """This module's own fake, on its own key (the shared one is seeded for the engine)."""
    with CloudFactoryFake(KEY) as server:
        yield server

@pytest.fixture
def adapter(fake: CloudFactoryFake, project: tuple[str, str]) -> Iterator[CloudFactoryAdapter]:
    space, project_id = project
    transport = Transport(fake.base_url, HeaderAuth("X-API-Key", KEY))
    made = CloudFactoryAdapter(transport, f"{space}/{project_id}")
    yield made
    made.close()


def add_item(fake: CloudFactoryFake, project: tuple[str, str], labels: list[Any]) -> str:
    return fake.add_work_item(project[1], "a.png", png_bytes(W, H, 1), labels=labels)


def agreed(decoded: Decoded) -> tuple[dict[str, LocalRegion], dict[str, Base]]:
    """Local regions equal to the server's, all synced at revision 1."""
    local = {r.uuid: LocalRegion(r.uuid, 1, r.region) for r in decoded.regions}
    return local, {r.uuid: Base(1, r.digest) for r in decoded.regions}


def plan_for(
    adapter: CloudFactoryAdapter, image: RemoteImage, changes: dict[str, Region | None]
) -> PushPlan:
    """The plan that pushes ``changes`` (uuid -> new region, None to delete) at rev 2."""
    decoded = adapter.decode(image, W, H)
    local, base = agreed(decoded)
    for uuid, region in changes.items():
        local[uuid] = LocalRegion(uuid, 2, region)
    return plan_push(
        local,
        base,
        decoded.regions,
        lambda region, target: adapter.encode(region, W, H, target=target),
    )


def push_of(image: RemoteImage) -> ImagePush:
    return ImagePush(image.key, "img-uuid", W, H, "new", image.key, image.container_version)


def texts(labels: list[Any]) -> list[str]:
    return [json.dumps(label) for label in labels]


def test_the_state_is_the_work_item_as_the_server_listed_it(fake, project, adapter) -> None:
    key = add_item(fake, project, [WORKER, FLAT])
    image = adapter.fetch_image(key)
    assert json.dumps(image.state) == json.dumps(fake.items[key])
    assert image.version == fake.items[key]["updatedAt"]
    assert image.identity == fake.items[key]["createdAt"]
    assert json.loads(json.dumps(image.state)) == image.state  # stored as JSON text


def test_untouched_labels_go_back_byte_for_byte(fake, project, adapter) -> None:
    key = add_item(fake, project, [WORKER, FLAT, {"metadata": {}, "bbox": [30, 30, 5, 5]}])
    image = adapter.fetch_image(key)
    decoded = adapter.decode(image, W, H)
    third = decoded.regions[1]  # the flat label is not a region
    assert third.region is not None and third.region.geometry == Box(30, 30, 35, 35)
    before = texts(fake.items[key]["labels"])
    moved = Region(third.uuid, "truck", Box(31, 30, 40, 36))
    plan = plan_for(adapter, image, {third.uuid: moved})
    assert [w.uuid for w in plan.updates] == [third.uuid] and not plan.creates
    result = adapter.apply(image, plan, push_of(image))
    after = fake.items[key]["labels"]
    assert texts(after)[:2] == before[:2]  # the worker's label and the unreadable one
    assert after[2] == {
        "metadata": {"limner_uuid": third.uuid, "category": "truck"},
        "bbox": [31.0, 30.0, 9.0, 6.0],
    }
    assert fake.label_writes == 1
    assert json.dumps(result.state) == json.dumps(fake.items[key])
    # the new state reads back as what limner holds, and the kept label keeps its identity
    again = adapter.decode(adapter.fetch_image(key), W, H)
    assert [r.uuid for r in again.regions] == [decoded.regions[0].uuid, third.uuid]
    assert again.regions[1].region == moved


def test_deletes_are_left_out_and_creates_go_at_the_end(fake, project, adapter) -> None:
    second = {"metadata": {"category": "person"}, "bbox": [1, 1, 5, 9]}
    key = add_item(fake, project, [WORKER, second, FAR])
    image = adapter.fetch_image(key)
    first, kept = adapter.decode(image, W, H).regions
    new = Region("new-uuid", "car", Box(10, 10, 20, 20), {"occluded": True})
    plan = plan_for(adapter, image, {first.uuid: None, new.uuid: new})
    adapter.apply(image, plan, push_of(image))
    labels = fake.items[key]["labels"]
    assert texts(labels[:2]) == texts([second, FAR])
    assert labels[2]["metadata"] == {
        "limner_uuid": "new-uuid",
        "category": "car",
        "attributes": {"occluded": True},
    }
    # the other label made outside limner is still the same region after the delete
    assert [r.uuid for r in adapter.decode(adapter.fetch_image(key), W, H).regions] == [
        kept.uuid,
        "new-uuid",
    ]


def test_a_plan_that_writes_nothing_sends_nothing(fake, project, adapter) -> None:
    key = add_item(fake, project, [WORKER])
    image = adapter.fetch_image(key)
    (region,) = adapter.decode(image, W, H).regions
    outline = Polygon.from_points([(1, 1), (20, 1), (10, 15)])
    refused = plan_for(adapter, image, {region.uuid: Region(region.uuid, "car", outline)})
    assert [r.uuid for r in refused.refusals] == [region.uuid] and refused.empty
    off_edge = plan_for(adapter, image, {region.uuid: Region(region.uuid, "car", Box(-2, 1, 9, 9))})
    assert "left or top edge" in off_edge.refusals[0].reason
    sent = len(fake.requests)
    for plan in (refused, off_edge, plan_for(adapter, image, {})):
        result = adapter.apply(image, plan, push_of(image))
        assert result.container_version == image.container_version
    assert len(fake.requests) == sent  # not even a read
    assert texts(fake.items[key]["labels"]) == texts([WORKER])


def test_malformed_labels_are_reported_one_by_one(fake, project, adapter) -> None:
    mine = {"metadata": {"limner_uuid": "u-flat"}, "bbox": [3, 3, 4, 0]}
    key = add_item(fake, project, [FLAT, WORKER, FAR, mine])
    image = adapter.fetch_image(key)
    decoded = adapter.decode(image, W, H)
    assert [r.raw for r in decoded.regions] == [WORKER]
    assert [(p.kind, p.remote_key, p.local_key) for p in decoded.problems] == [
        ("malformed", f"{key}/labels/0", None),
        ("malformed", f"{key}/labels/2", None),
        ("malformed", f"{key}/labels/3", "u-flat"),
    ]
    assert "label #1 cannot be read as a box" in decoded.problems[0].message
    assert "far outside the 64x48 image" in decoded.problems[1].message
    # broken in ways the API itself would refuse (older data): read, never raised
    odd = {"metadata": {}, "bbox": [float("nan"), 1, 2, 3]}
    state = {**image.state, "labels": ["text", {"metadata": "x", "bbox": [1, 1, 2, 2]}, odd]}
    broken = adapter.decode(RemoteImage(key, "a.png", "", "v", state=state), W, H)
    assert broken.regions == () and len(broken.problems) == 3
    messages = [p.message for p in broken.problems]
    assert "label #1 is not an object" in messages[0]
    assert "label #2 has a metadata that is not an object" in messages[1]
    assert "label #3 cannot be read as a box (bbox is not finite" in messages[2]
    # a new box is added; the labels limner cannot read stay exactly where they were
    new = Region("new-uuid", None, Box(1, 1, 4, 4))
    adapter.apply(image, plan_for(adapter, image, {new.uuid: new}), push_of(image))
    labels = fake.items[key]["labels"]
    assert texts(labels[:4]) == texts([FLAT, WORKER, FAR, mine])
    assert labels[4]["metadata"] == {"limner_uuid": "new-uuid"}


def test_labels_changed_under_the_plan_are_a_conflict(fake, project, adapter) -> None:
    key = add_item(fake, project, [WORKER])
    image = adapter.fetch_image(key)
    (region,) = adapter.decode(image, W, H).regions
    plan = plan_for(adapter, image, {region.uuid: Region(region.uuid, "car", Box(1, 1, 9, 9))})
    theirs = [WORKER, {"metadata": {"category": "dog"}, "bbox": [40, 20, 5, 5]}]
    fake.edit_labels(key, theirs)
    with pytest.raises(RemoteConflictError, match="changed on the server"):
        adapter.apply(image, plan, push_of(image))
    assert fake.label_writes == 0 and texts(fake.items[key]["labels"]) == texts(theirs)


def test_a_write_that_landed_before_a_crash_is_not_sent_again(fake, project, adapter) -> None:
    key = add_item(fake, project, [WORKER])
    image = adapter.fetch_image(key)
    new = Region("new-uuid", "car", Box(10, 10, 20, 20))
    plan = plan_for(adapter, image, {new.uuid: new})
    adapter.apply(image, plan, push_of(image))
    # the project never recorded it: the same plan, from the same old state, once more
    result = adapter.apply(image, plan, push_of(image))
    assert fake.label_writes == 1
    assert len(fake.items[key]["labels"]) == 2
    assert json.dumps(result.state) == json.dumps(fake.items[key])


def test_encode_keeps_what_limner_does_not_own(adapter) -> None:
    previous = {
        "bbox": [0, 0, 1, 1],
        "metadata": {"category": "car", "worker": "w-1", "attributes": {"a": 1}},
        "frame": 7,
    }
    image = RemoteImage("k", "a.png", "", "v", state={"id": "k", "labels": [previous]})
    (target,) = adapter.decode(image, W, H).regions
    raw = adapter.encode(Region(target.uuid, None, Box(2, 2, 6, 8)), W, H, target=target)
    assert raw == {
        "bbox": [2.0, 2.0, 4.0, 6.0],
        "metadata": {"worker": "w-1", "limner_uuid": target.uuid},
        "frame": 7,
    }
    assert previous["metadata"]["category"] == "car"  # the server's copy is not touched


def test_a_status_moved_by_this_plan_is_resumed_one_moved_by_others_is_a_conflict(
    fake, project, adapter
) -> None:
    key = add_item(fake, project, [WORKER])
    image = adapter.fetch_image(key)
    submit = replace(plan_for(adapter, image, {}), status=StatusWrite("submitted", None))
    fake.set_status(key, "IN_PROGRESS")  # an earlier attempt's "start" had landed
    adapter.apply(image, submit, push_of(image))
    assert [s["signal"] for s in fake.signals] == ["complete"]
    assert fake.items[key]["status"] == "COMPLETED"
    other = add_item(fake, project, [WORKER])
    image = adapter.fetch_image(other)
    fake.set_status(other, "FAILED")  # someone else gave up on it meanwhile
    with pytest.raises(RemoteConflictError, match="moved to FAILED"):
        adapter.apply(image, submit, push_of(image))
    assert len(fake.signals) == 1 and fake.label_writes == 0


@pytest.mark.parametrize(
    ("region", "reason"),
    [
        (Region("u", "car", Box(1, 1, 9, 5, 30)), "not rotated"),
        (Region("u", "car", Box(1, 1, 9, 5), group="u"), "no groups"),
        (Region("u", "car", Polyline(((1, 1), (5, 5)))), "polylines cannot be stored"),
        (Region("u", "car", Point(3, 3)), "points cannot be stored"),
        (Region("u", "car", Ellipse(5, 5, 3, 2)), "ellipses cannot be stored"),
        (Region("u", "weather", Tag("sunny")), "no image-level answers"),
    ],
)
def test_kinds_a_bbox_label_cannot_hold_are_refused_not_approximated(
    adapter, region: Region, reason: str
) -> None:
    with pytest.raises(Refused, match=reason):
        adapter.encode(region, W, H, target=None)
