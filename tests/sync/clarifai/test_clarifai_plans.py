"""The Clarifai adapter's codec and plan carrying, against the protocol fake, no engine.

Each test reads an input from the fake, decodes it, builds a push plan with the one
reconciler exactly as the engine does, carries it out, and then looks at what the fake
holds: the raw JSON of every annotation, and which calls were made. The fake checks
every request and answer against Clarifai's protos (the ``fake`` fixture fails a test
that caused a violation) and refuses annotation data the real API refuses.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from limner.models.domain.geometry import Box, Polygon, PolygonPart
from limner.models.store.sync_store import dumps_state
from limner.sync.adapters.base import ImagePush, Refused, Region, RemoteImage, RemoteRegion
from limner.sync.adapters.clarifai import ClarifaiAdapter, build_adapter
from limner.sync.adapters.clarifai_format import local_uuid_for, remote_id_for
from limner.sync.adapters.clarifai_http import Pacer
from limner.sync.adapters.clarifai_push import PartialPushError
from limner.sync.errors import RemoteConflictError
from limner.sync.reconcile import Base, LocalRegion, PushPlan, StatusWrite, plan_push
from limner.sync.retry import RetryPolicy
from tests.fakes.clarifai_server import ClarifaiFake
from tests.sync.clarifai_world import box_region, mask_b64

W, H = 64, 48


@pytest.fixture
def fake() -> Iterator[ClarifaiFake]:
    server = ClarifaiFake().start()
    server.add_concept("car", "Car")
    server.add_concept("person", "Person")
    server.add_input("img0", W, H, seed=1)
    server.add_input("img1", W, H, seed=2)
    yield server
    server.stop()
    assert server.violations == [], "requests or answers Clarifai's protos refuse"


def adapter_for(fake: ClarifaiFake, *, timeout: float = 5.0, waits: list | None = None):
    policy = RetryPolicy(attempts=4, sleeper=(waits if waits is not None else []).append)
    adapter = build_adapter(
        fake.url,
        f"{fake.user_id}/{fake.app_id}",
        fake.token,
        policy=policy,
        timeout=timeout,
        pacer=Pacer(0),
    )
    adapter.connect()
    return adapter


@pytest.fixture
def adapter(fake: ClarifaiFake) -> Iterator[ClarifaiAdapter]:
    made = adapter_for(fake)
    yield made
    made.close()


def seed(fake: ClarifaiFake, letter: str, region: dict, input_id: str = "img0", **extra) -> str:
    rid = letter * 32
    fake.add_annotation({"id": rid, "input_id": input_id, "data": {"regions": [region]}, **extra})
    return rid


def polygon_region(points: list[tuple[float, float]], concept: str = "person") -> dict:
    return {
        "region_info": {"polygon": {"points": [{"row": r, "col": c} for r, c in points]}},
        "data": {"concepts": [{"id": concept, "value": 1}]},
    }


def stored(fake: ClarifaiFake) -> dict[str, str]:
    """Every annotation the fake holds, as canonical JSON text (for byte comparisons)."""
    with fake.lock:
        return {k: json.dumps(v, sort_keys=True) for k, v in fake.annotations.items()}


def pulled(adapter: ClarifaiAdapter, key: str) -> RemoteImage:
    """The image as the engine keeps it: its state goes through the project as JSON text."""
    image = adapter.fetch_image(key)
    return RemoteImage(
        key=image.key,
        name=image.name,
        url=image.url,
        version=image.version,
        status=image.status,
        container_key=image.container_key,
        container_version=image.container_version,
        state=json.loads(dumps_state(image.state)),
        identity=image.identity,
    )


class Project:
    """The local side as the engine would read it: every readable region pulled, clean."""

    def __init__(self, adapter: ClarifaiAdapter, image: RemoteImage) -> None:
        self.adapter = adapter
        self.image = image
        self.remote = adapter.decode(image, W, H).regions
        readable = [r for r in self.remote if r.region is not None]
        self.local = {r.uuid: LocalRegion(r.uuid, 1, r.region) for r in readable}
        self.base = {r.uuid: Base(1, r.digest) for r in readable}

    def edit(self, uuid: str, region: Region | None) -> None:
        rev = self.local[uuid].rev if uuid in self.local else 1
        self.local[uuid] = LocalRegion(uuid, rev + 1, region)

    def plan(self, status: StatusWrite | None = None) -> PushPlan:
        def encode(region: Region, target: RemoteRegion | None) -> Any:
            return self.adapter.encode(region, W, H, target=target)

        return plan_push(self.local, self.base, self.remote, encode, status=status)

    def apply(self, plan: PushPlan, status: str = "in_progress"):
        push = ImagePush(self.image.key, "img-uuid", W, H, status, self.image.key, None)
        return self.adapter.apply(self.image, plan, push)


def writes(fake: ClarifaiFake, since: int) -> list[str]:
    return [c.rpc or c.path for c in fake.calls[since:] if c.method != "GET"]


def rpcs(fake: ClarifaiFake, since: int) -> list[str]:
    return [c.rpc or c.path for c in fake.calls[since:]]


# -- decode --------------------------------------------------------------------------------
def seed_variety(fake: ClarifaiFake) -> tuple[str, ...]:
    """A box, a mask, and four annotations limner cannot read: their ids."""
    box = seed(fake, "a", box_region(0.1, 0.2, 0.5, 0.6, "car"))
    full = np.zeros((H, W), bool)
    full[5:20, 5:30] = True
    mask = seed(
        fake,
        "b",
        {
            "region_info": {"mask": {"image": {"base64": mask_b64(full)}}},
            "data": {"concepts": [{"id": "car", "value": 1}]},
        },
    )
    tag = "c" * 32
    fake.add_annotation({"id": tag, "input_id": "img0", "data": {"concepts": [{"id": "car"}]}})
    two = "d" * 32
    fake.add_annotation(
        {
            "id": two,
            "input_id": "img0",
            "data": {
                "regions": [
                    box_region(0.1, 0.1, 0.2, 0.2, "car"),
                    box_region(0.3, 0.3, 0.4, 0.4, "car"),
                ]
            },
        }
    )
    span = seed(
        fake,
        "e",
        {
            "region_info": {"span": {"char_start": 1, "char_end": 5}},
            "data": {"concepts": [{"id": "car", "value": 1}]},
        },
    )
    both = seed(
        fake,
        "f",
        {
            "region_info": box_region(0.1, 0.1, 0.3, 0.3, "car")["region_info"],
            "data": {"concepts": [{"id": "car", "value": 1}, {"id": "person", "value": 1}]},
        },
    )
    return box, mask, tag, two, span, both


def test_decode_reads_shapes_keeps_the_rest_and_raw_is_the_servers_json(fake, adapter) -> None:
    box, mask, tag, two, span, both = seed_variety(fake)
    decoded = adapter.decode(pulled(adapter, "img0"), W, H)
    by_key = {r.key: r for r in decoded.regions}
    assert set(by_key) == {box, mask, tag, two, span, both}  # the empty input-level one: no
    assert decoded.problems == ()
    assert by_key[box].region == Region(
        local_uuid_for(box), "Car", Box(0.2 * W, 0.1 * H, 0.6 * W, 0.5 * H), {}
    )
    assert by_key[mask].region is not None and by_key[mask].region.geometry.area == 15 * 25
    assert by_key[box].author == "colleague"
    for key, why in (
        (tag, "tags the whole image saying some concepts are absent"),
        (two, "2 regions"),
        (span, "(span)"),
        (both, "several concepts"),
    ):
        region = by_key[key]
        assert region.region is None and region.problem_kind == "kept", key
        assert key in region.problem and why in region.problem, region.problem
    with fake.lock:
        for key, region in by_key.items():
            assert region.raw == fake.annotations[key]  # exactly as the server sent it


@pytest.mark.parametrize(
    ("region", "why"),
    [
        (box_region(0.6, 0.2, 0.5, 0.6, "car"), "y0 >= y1"),  # inverted
        (box_region(0.1, 0.2, 0.1, 0.6, "car"), "y0 >= y1"),  # zero height
        (box_region(0.1, 0.2, 0.5, 7.5, "car"), "far outside the image"),
        (box_region(-3.0, 0.2, 0.5, 0.6, "car"), "far outside the image"),
        (box_region("NaN", 0.2, 0.5, 0.6, "car"), "not a finite number"),  # JSON's NaN
        (polygon_region([(0.1, 0.1), (0.5, 0.5)]), "a polygon of 2 points"),
        ({"region_info": box_region(0.1, 0.1, 0.3, 0.3, "car")["region_info"]}, "no concept"),
        (box_region(0.1, 0.1, 0.3, 0.3, "bus"), "concept bus is not one of the app's"),
        (polygon_region([(0.1, 0.1), (0.2, 0.2), (0.3, 0.3)]), "zero area"),
        (
            {
                "region_info": {"mask": {"image": {"base64": mask_b64(np.zeros((H, W), bool))}}},
                "data": {"concepts": [{"id": "car", "value": 1}]},
            },
            "empty",
        ),
        (
            {
                "region_info": {"mask": {"image": {"base64": "bm90IGEgcG5n"}}},
                "data": {"concepts": [{"id": "car", "value": 1}]},
            },
            "not a readable PNG",
        ),
    ],
)
def test_malformed_annotations_are_each_a_problem_with_the_servers_id(
    fake, adapter, region, why
) -> None:
    broken = seed(fake, "9", region)
    fine = seed(fake, "8", box_region(0.1, 0.1, 0.3, 0.3, "car"))
    decoded = adapter.decode(pulled(adapter, "img0"), W, H)
    by_key = {r.key: r for r in decoded.regions}
    assert by_key[fine].region is not None
    bad = by_key[broken]
    assert bad.region is None and bad.problem_kind == "malformed"
    assert broken in bad.problem and why in bad.problem, bad.problem
    # a local edit of the broken one is refused, and the server's copy stays
    project = Project(adapter, pulled(adapter, "img0"))
    project.edit(bad.uuid, Region(bad.uuid, "Car", Box(1, 1, 5, 5)))
    plan = project.plan()
    assert [r.uuid for r in plan.refusals] == [bad.uuid] and plan.empty
    before, mark = stored(fake), len(fake.calls)
    project.apply(plan)
    assert stored(fake) == before and rpcs(fake, mark) == []


def test_a_mask_given_by_url_is_fetched_once_and_kept_beside_the_state(fake, adapter) -> None:
    full = np.zeros((H, W), bool)
    full[2:9, 3:11] = True
    rid = seed(fake, "7", {"region_info": {}, "data": {"concepts": [{"id": "car", "value": 1}]}})
    fake.files["masks/7"] = __import__("base64").b64decode(mask_b64(full))
    with fake.lock:
        fake.annotations[rid]["data"]["regions"][0]["region_info"] = {
            "mask": {"image": {"url": f"{fake.url}/sdh/orig/masks/7"}}
        }
    image = pulled(adapter, "img0")
    mark = len(fake.calls)
    (region,) = adapter.decode(image, W, H).regions
    assert rpcs(fake, mark) == []  # reading the state sends nothing
    assert region.region is not None and region.region.geometry.area == 7 * 8
    assert "base64" not in json.dumps(region.raw)  # the raw stays as the server sent it


# -- apply ---------------------------------------------------------------------------------
def test_an_edit_rewrites_only_its_annotation_and_untouched_ones_stay_byte_identical(
    fake, adapter
) -> None:
    a = seed(fake, "a", box_region(0.1, 0.2, 0.5, 0.6, "car"))
    b = seed(fake, "b", polygon_region([(0.1, 0.1), (0.2, 0.8), (0.9, 0.5)]))
    tag = "c" * 32
    fake.add_annotation({"id": tag, "input_id": "img0", "data": {"concepts": [{"id": "car"}]}})
    other = seed(fake, "d", box_region(0.1, 0.1, 0.4, 0.4, "car"), input_id="img1")
    project = Project(adapter, pulled(adapter, "img0"))
    project.edit(local_uuid_for(a), Region(local_uuid_for(a), "Car", Box(3, 4, 20.123456789, 30)))
    plan = project.plan()
    assert [w.uuid for w in plan.updates] == [local_uuid_for(a)] and plan.status is None
    before, mark = stored(fake), len(fake.calls)
    result = project.apply(plan)
    after = stored(fake)
    for key in (b, tag, other):
        assert after[key] == before[key], key
    assert after[a] != before[a]
    assert rpcs(fake, mark) == ["ListAnnotations", "PatchAnnotations"]  # look, then write
    assert fake.rpc_calls("PatchAnnotations")[-1].body["action"] == "overwrite"
    assert "status" not in fake.rpc_calls("PatchAnnotations")[-1].body["annotations"][0]
    # the result is the server's state: decoding it gives the edit back exactly
    again = RemoteImage("img0", "", "", "", state=json.loads(dumps_state(result.state)))
    regions = {r.key: r for r in adapter.decode(again, W, H).regions}
    assert regions[a].region.geometry == Box(3, 4, 20.123456789, 30)
    with fake.lock:
        held = [v for v in fake.annotations.values() if v["input_id"] == "img0"]
    canonical = sorted(json.dumps(x, sort_keys=True) for x in result.state["annotations"])
    assert canonical == sorted(json.dumps(v, sort_keys=True) for v in held)


def test_an_empty_plan_sends_nothing(fake, adapter) -> None:
    seed(fake, "a", box_region(0.1, 0.2, 0.5, 0.6, "car"))
    project = Project(adapter, pulled(adapter, "img0"))
    plan = project.plan()
    assert plan.empty
    mark = len(fake.calls)
    result = project.apply(plan)
    assert rpcs(fake, mark) == []
    assert result.state == project.image.state


def test_an_edit_keeps_what_limner_does_not_own(fake, adapter) -> None:
    region = box_region(0.1, 0.2, 0.5, 0.6, "car")
    region["id"] = "region-of-another-tool"
    region["data"]["concepts"].append({"id": "person", "value": 0})  # said absent
    rid = seed(fake, "a", region, annotation_info={"tool": {"version": 3}})
    project = Project(adapter, pulled(adapter, "img0"))
    uuid = local_uuid_for(rid)
    project.edit(uuid, Region(uuid, "Car", Box(5, 5, 30, 30), {"occluded": True}))
    project.apply(project.plan())
    with fake.lock:
        now = fake.annotations[rid]
    kept = now["data"]["regions"][0]
    assert kept["id"] == "region-of-another-tool"
    assert kept["data"]["concepts"] == [
        {"id": "car", "value": 1.0},
        {"id": "person"},  # proto3 leaves the zero out
    ]
    assert now["annotation_info"]["tool"] == {"version": 3.0}
    decoded = {r.key: r for r in adapter.decode(pulled(adapter, "img0"), W, H).regions}
    assert decoded[rid].region == Region(uuid, "Car", Box(5, 5, 30, 30), {"occluded": True})
    # a class change replaces the concepts, nothing else
    project = Project(adapter, pulled(adapter, "img0"))
    project.edit(uuid, Region(uuid, "Person", Box(5, 5, 30, 30), {"occluded": True}))
    project.apply(project.plan())
    with fake.lock:
        now = fake.annotations[rid]
    assert now["data"]["regions"][0]["data"]["concepts"] == [{"id": "person", "value": 1.0}]
    assert now["data"]["regions"][0]["id"] == "region-of-another-tool"


def test_a_refused_local_edit_leaves_the_servers_copy(fake, adapter) -> None:
    rid = seed(fake, "b", polygon_region([(0.1, 0.1), (0.2, 0.8), (0.9, 0.5)]))
    project = Project(adapter, pulled(adapter, "img0"))
    uuid = local_uuid_for(rid)
    holes = Polygon(
        (
            PolygonPart(
                ((1.0, 1.0), (40.0, 1.0), (40.0, 40.0), (1.0, 40.0)),
                (((10.0, 10.0), (20.0, 10.0), (20.0, 20.0)),),
            ),
        )
    )
    project.edit(uuid, Region(uuid, "Person", holes))
    outside = Region("u-out", "Car", Box(60, 1, 70, 5))
    project.edit("u-out", outside)
    no_class = Region("u-none", None, Box(1, 1, 5, 5))
    project.edit("u-none", no_class)
    plan = project.plan()
    reasons = {r.uuid: r.reason for r in plan.refusals}
    assert "cannot hold holes" in reasons[uuid]
    assert "outside the image" in reasons["u-out"]
    assert "need a concept" in reasons["u-none"]
    assert plan.empty
    before, mark = stored(fake), len(fake.calls)
    project.apply(plan)
    assert stored(fake) == before and rpcs(fake, mark) == []


def test_a_target_changed_on_the_server_since_the_pull_is_a_conflict(fake, adapter) -> None:
    a = seed(fake, "a", box_region(0.1, 0.2, 0.5, 0.6, "car"))
    b = seed(fake, "b", box_region(0.2, 0.2, 0.6, 0.6, "car"))
    project = Project(adapter, pulled(adapter, "img0"))
    project.edit(local_uuid_for(a), Region(local_uuid_for(a), "Car", Box(1, 1, 9, 9)))
    project.edit(local_uuid_for(b), None)
    project.edit("new-one", Region("new-one", "Car", Box(2, 2, 8, 8)))
    plan = project.plan()

    def grow(item: dict) -> None:
        item["data"]["regions"][0]["region_info"]["bounding_box"]["bottom_row"] = 0.9

    fake.edit_annotation(a, grow)
    before, mark = stored(fake), len(fake.calls)
    with pytest.raises(RemoteConflictError, match="changed on Clarifai"):
        project.apply(plan)
    assert stored(fake) == before and writes(fake, mark) == []  # nothing written
    fake.delete_annotation(b)
    project = Project(adapter, pulled(adapter, "img0"))
    fake.edit_annotation(a, grow)
    project.edit(local_uuid_for(a), None)
    with pytest.raises(RemoteConflictError, match="changed on Clarifai"):
        project.apply(project.plan())


def test_a_deletion_is_one_batch_with_matching_ids(fake, adapter) -> None:
    ids = [seed(fake, letter, box_region(0.1, 0.1, 0.3, 0.3, "car")) for letter in "abc"]
    project = Project(adapter, pulled(adapter, "img0"))
    for rid in ids[:2]:
        project.edit(local_uuid_for(rid), None)
    plan = project.plan()
    mark = len(fake.calls)
    result = project.apply(plan)
    (call,) = [c for c in fake.calls[mark:] if c.rpc == "DeleteAnnotations"]
    assert sorted(call.body["ids"]) == sorted(ids[:2]) and call.body["input_ids"] == ["img0"] * 2
    assert list(fake.regions_of("img0")) == [ids[2]]
    assert [a["id"] for a in result.state["annotations"] if not a.get("input_level")] == [ids[2]]


def test_creates_are_batched_by_128_and_their_ids_come_from_the_uuids(fake, adapter) -> None:
    project = Project(adapter, pulled(adapter, "img1"))
    uuids = [f"0f8f3f54-8a7e-4b5f-9b3a-{i:012x}" for i in range(130)]
    for i, uuid in enumerate(uuids):
        project.edit(uuid, Region(uuid, "Car", Box(i * 0.3, 1, i * 0.3 + 0.25, 2)))
    plan = project.plan()
    mark = len(fake.calls)
    result = project.apply(plan)
    posts = [c for c in fake.calls[mark:] if c.rpc == "PostAnnotations"]
    assert sorted(len(c.body["annotations"]) for c in posts) == [2, 128]
    assert set(fake.regions_of("img1")) == {remote_id_for(u) for u in uuids}
    assert result.keys == {u: remote_id_for(u) for u in uuids}
    assert all(c.body["annotations"][0]["status"]["code"] == 24151 for c in posts)


def test_a_lost_create_answer_is_looked_up_before_anything_is_sent_again(fake) -> None:
    waits: list[float] = []
    adapter = adapter_for(fake, timeout=0.3, waits=waits)
    project = Project(adapter, pulled(adapter, "img1"))
    uuid = "0f8f3f54-8a7e-4b5f-9b3a-2d6c9e1f0a11"
    project.edit(uuid, Region(uuid, "Car", Box(2, 3, 14, 15)))
    fake.fail(rpc="PostAnnotations", apply_first=True, delay=0.6)
    mark = len(fake.calls)
    result = project.apply(project.plan())
    assert rpcs(fake, mark) == ["PostAnnotations", "ListAnnotations"]  # never sent twice
    assert list(fake.regions_of("img1")) == [remote_id_for(uuid)] and len(waits) == 1
    assert result.keys == {uuid: remote_id_for(uuid)}
    assert any(a["id"] == remote_id_for(uuid) for a in result.state["annotations"])
    adapter.close()


def test_a_create_that_landed_in_a_killed_run_is_overwritten_not_doubled(fake, adapter) -> None:
    project = Project(adapter, pulled(adapter, "img1"))  # the state before the killed run
    uuid = "0f8f3f54-8a7e-4b5f-9b3a-2d6c9e1f0a11"
    fake.add_annotation(
        {
            "id": remote_id_for(uuid),
            "input_id": "img1",
            "data": {"regions": [box_region(0.1, 0.1, 0.2, 0.2, "car")]},
        }
    )
    project.edit(uuid, Region(uuid, "Car", Box(2, 3, 14, 15)))
    mark = len(fake.calls)
    project.apply(project.plan())
    assert rpcs(fake, mark) == ["PostAnnotations", "PatchAnnotations"]
    assert list(fake.regions_of("img1")) == [remote_id_for(uuid)]
    decoded = adapter.decode(pulled(adapter, "img1"), W, H).regions
    assert [r.region.geometry for r in decoded] == [Box(2, 3, 14, 15)]


def test_refused_items_of_a_batch_are_remembered_until_edited(fake, adapter) -> None:
    project = Project(adapter, pulled(adapter, "img1"))
    good, bad = (f"0f8f3f54-8a7e-4b5f-9b3a-00000000000{i}" for i in (1, 2))
    project.edit(good, Region(good, "Car", Box(1, 1, 6, 6)))
    project.edit(bad, Region(bad, "Car", Box(10, 10, 16, 16)))
    fake.refused[remote_id_for(bad)] = (24156, "not yours to change")
    with pytest.raises(PartialPushError, match="not yours to change"):
        project.apply(project.plan())
    assert list(fake.regions_of("img1")) == [remote_id_for(good)]  # what was stored stays
    with pytest.raises(Refused, match="not yours to change"):
        adapter.encode(Region(bad, "Car", Box(10, 10, 16, 16)), W, H, target=None)
    del fake.refused[remote_id_for(bad)]
    edited = Region(bad, "Car", Box(9, 9, 15, 15))
    raw = adapter.encode(edited, W, H, target=None)  # an edit is tried again
    assert raw["id"] == remote_id_for(bad)


def test_statuses_are_written_only_when_the_plan_has_one(fake, adapter) -> None:
    a = seed(fake, "a", box_region(0.1, 0.2, 0.5, 0.6, "car"))
    b = seed(fake, "b", box_region(0.2, 0.2, 0.6, 0.6, "car"))
    tag = "c" * 32
    fake.add_annotation({"id": tag, "input_id": "img0", "data": {"concepts": [{"id": "car"}]}})
    project = Project(adapter, pulled(adapter, "img0"))
    before, mark = stored(fake), len(fake.calls)
    result = project.apply(project.plan(StatusWrite("rejected", None)), status="rejected")
    assert result.status == "rejected"
    after = stored(fake)
    for rid in (a, b):
        assert fake.annotations[rid]["status"]["code"] == 24158
    assert after[tag] == before[tag]  # what limner does not read keeps even its status
    assert [r for r in writes(fake, mark)] == ["PatchAnnotations", "PatchInputs"]
    assert fake.inputs["img0"]["data"]["metadata"]["limner"]["status"] == "rejected"
    assert adapter.fetch_image("img0").status == "rejected"
    # the region data was not sent with the statuses
    merge = fake.rpc_calls("PatchAnnotations")[-1].body
    assert merge["action"] == "merge" and all("data" not in x for x in merge["annotations"])


def test_region_writes_keep_limners_status_note_current(fake, adapter) -> None:
    seed(fake, "a", box_region(0.1, 0.2, 0.5, 0.6, "car"))
    project = Project(adapter, pulled(adapter, "img0"))
    project.apply(project.plan(StatusWrite("skipped", None)), status="skipped")
    assert adapter.fetch_image("img0").status == "skipped"
    project = Project(adapter, pulled(adapter, "img0"))
    project.edit("new-one", Region("new-one", "Car", Box(2, 2, 8, 8)))
    project.apply(project.plan(), status="skipped")
    assert adapter.fetch_image("img0").status == "skipped"  # not turned into in_progress


def test_the_fake_refuses_what_clarifai_refuses(fake) -> None:
    import httpx

    path = f"/v2/users/{fake.user_id}/apps/{fake.app_id}/annotations"
    headers = {"Authorization": f"Key {fake.token}"}
    cases = {
        "inverted": box_region(0.6, 0.2, 0.5, 0.6, "car"),
        "negative": box_region(-0.1, 0.2, 0.5, 0.6, "car"),
        "beyond": box_region(0.1, 0.2, 0.5, 1.2, "car"),
        "flat": box_region(0.1, 0.2, 0.1, 0.6, "car"),
        "two_points": polygon_region([(0.1, 0.1), (0.5, 0.5)]),
        "point_out": polygon_region([(0.1, 0.1), (0.5, 1.5), (0.2, 0.6)]),
    }
    with httpx.Client(base_url=fake.url, headers=headers) as http:
        for name, region in cases.items():
            answer = http.post(
                path,
                json={
                    "annotations": [{"id": name, "input_id": "img0", "data": {"regions": [region]}}]
                },
            )
            assert answer.status_code == 400, name
            assert answer.json()["annotations"][0]["status"]["code"] == 24155, name
            assert name not in fake.annotations
        fine = http.post(
            path,
            json={
                "annotations": [
                    {
                        "id": "ok",
                        "input_id": "img0",
                        "data": {"regions": [box_region(0.1, 0.2, 0.5, 0.6, "car")]},
                    }
                ]
            },
        )
        assert fine.status_code == 200 and "ok" in fake.annotations
        edit = http.patch(
            path,
            json={
                "action": "overwrite",
                "annotations": [
                    {"id": "ok", "input_id": "img0", "data": {"regions": [cases["inverted"]]}}
                ],
            },
        )
        assert edit.status_code == 400
        unknown = http.post(
            path,
            json={"annotations": [{"id": "x", "input_id": "img0", "regoin_info": {}}]},
        )
        assert unknown.status_code == 400 and unknown.json()["status"]["code"] == 11102
    assert len(fake.violations) == 1 and "regoin_info" in fake.violations[0]
    fake.violations.clear()
