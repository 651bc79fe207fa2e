"""Clarifai and the kinds beyond boxes, polygons, masks and skeletons.

Clarifai holds single landmarks (``region_info.point``) and classifications (concepts of
the whole image, no region): those are read as points and image tags and pushed back;
rotated boxes, polylines, ellipses and groups have no Clarifai form and are refused for
that region alone, never written as something else. Everything goes through the
protocol fake, which checks every request against Clarifai's protos.
"""

from __future__ import annotations

import json

import pytest

from limner.models.domain.geometry import Box, Ellipse, Point, Polyline, Tag
from limner.sync.adapters.base import Refused, Region
from limner.sync.adapters.clarifai import ClarifaiAdapter
from limner.sync.adapters.clarifai_format import local_uuid_for, remote_id_for
from tests.fakes.clarifai_server import ClarifaiFake
from tests.sync.clarifai.test_clarifai_plans import (
    H,
    Project,
    W,
    adapter,
    fake,
    pulled,
    seed,
    stored,
)

__all__ = ["adapter", "fake"]  # the fixtures, used by name


def test_a_point_region_is_a_point(fake: ClarifaiFake, adapter: ClarifaiAdapter) -> None:
    rid = seed(
        fake,
        "a",
        {
            "region_info": {"point": {"row": 0.25, "col": 0.75}},
            "data": {"concepts": [{"id": "car", "value": 1}]},
        },
    )
    (region,) = adapter.decode(pulled(adapter, "img0"), W, H).regions
    assert region.region == Region(local_uuid_for(rid), "Car", Point(0.75 * W, 0.25 * H), {})


def test_a_classification_is_an_image_tag(fake: ClarifaiFake, adapter: ClarifaiAdapter) -> None:
    rid = "c" * 32
    concepts = [{"id": "person", "value": 1}, {"id": "car", "value": 1}]
    fake.add_annotation({"id": rid, "input_id": "img0", "data": {"concepts": concepts}})
    (region,) = adapter.decode(pulled(adapter, "img0"), W, H).regions
    assert region.region == Region(local_uuid_for(rid), "Image concepts", Tag(("Car", "Person")))
    tag_class = next(c for c in adapter.classes() if c.kind == "tag")
    assert tag_class.name == "Image concepts"
    assert tag_class.tag == {"mode": "multiple", "options": ["Car", "Person"]}


def test_a_tag_naming_an_absent_concept_or_an_unknown_one_is_not_read(
    fake: ClarifaiFake, adapter: ClarifaiAdapter
) -> None:
    absent = [{"id": "car", "value": 1}, {"id": "person", "value": 0}]
    fake.add_annotation({"id": "d" * 32, "input_id": "img0", "data": {"concepts": absent}})
    unknown = [{"id": "bus", "value": 1}]
    fake.add_annotation({"id": "e" * 32, "input_id": "img0", "data": {"concepts": unknown}})
    by_key = {r.key: r for r in adapter.decode(pulled(adapter, "img0"), W, H).regions}
    assert by_key["d" * 32].region is None and by_key["d" * 32].problem_kind == "kept"
    assert "absent" in (by_key["d" * 32].problem or "")
    assert by_key["e" * 32].region is None and by_key["e" * 32].problem_kind == "malformed"


def test_points_and_tags_made_in_limner_are_pushed_and_read_back(
    fake: ClarifaiFake, adapter: ClarifaiAdapter
) -> None:
    project = Project(adapter, pulled(adapter, "img0"))
    point = Region("11111111-1111-4111-8111-111111111111", "Person", Point(10.5, 20.25))
    tag = Region("22222222-2222-4222-8222-222222222222", "Image concepts", Tag(("Car",)))
    project.edit(point.uuid, point)
    project.edit(tag.uuid, tag)
    plan = project.plan()
    assert len(plan.creates) == 2 and not plan.refusals
    project.apply(plan)
    with fake.lock:
        held = dict(fake.annotations)
    sent_tag = held[remote_id_for(tag.uuid)]
    assert sent_tag["data"].get("regions") in (None, [])
    assert [c["id"] for c in sent_tag["data"]["concepts"]] == ["car"]
    info = held[remote_id_for(point.uuid)]["data"]["regions"][0]["region_info"]
    assert set(info) == {"point"}
    by_uuid = {r.uuid: r for r in adapter.decode(pulled(adapter, "img0"), W, H).regions}
    assert by_uuid[point.uuid].region == point, "the exact point came back"
    assert by_uuid[tag.uuid].region == tag


def test_editing_a_tag_keeps_what_limner_does_not_own(
    fake: ClarifaiFake, adapter: ClarifaiAdapter
) -> None:
    rid = "f" * 32
    fake.add_annotation(
        {
            "id": rid,
            "input_id": "img0",
            "data": {"concepts": [{"id": "car", "value": 1}], "metadata": {"by": "them"}},
            "annotation_info": {"their-tool": {"k": 1}},
        }
    )
    project = Project(adapter, pulled(adapter, "img0"))
    uuid = local_uuid_for(rid)
    project.edit(uuid, Region(uuid, "Image concepts", Tag(("Car", "Person"))))
    project.apply(project.plan())
    with fake.lock:
        after = json.loads(json.dumps(fake.annotations[rid]))
    assert [c["id"] for c in after["data"]["concepts"]] == ["car", "person"]
    assert after["data"]["metadata"] == {"by": "them"}
    assert after["annotation_info"]["their-tool"] == {"k": 1}


@pytest.mark.parametrize(
    ("region", "why"),
    [
        (Region("u", "Car", Box(1, 1, 20, 10, 30)), "not rotated"),
        (Region("u", "Car", Polyline(((1, 1), (5, 5)))), "cannot hold Polyline"),
        (Region("u", "Car", Ellipse(10, 10, 5, 3)), "cannot hold Ellipse"),
        (Region("u", "Car", Box(1, 1, 5, 5), group="u"), "no groups"),
        (Region("u", "Car", Tag(("Car",))), "'Image concepts'"),
        (Region("u", "Image concepts", Tag(("Bus",))), "Bus are not concepts"),
    ],
)
def test_what_clarifai_cannot_hold_is_refused_for_that_region(
    adapter: ClarifaiAdapter, region: Region, why: str
) -> None:
    with pytest.raises(Refused, match=why):
        adapter.encode(region, W, H, target=None)


def test_a_refused_region_leaves_the_others_and_the_server_alone(
    fake: ClarifaiFake, adapter: ClarifaiAdapter
) -> None:
    seed(
        fake,
        "a",
        {
            "region_info": {"point": {"row": 0.5, "col": 0.5}},
            "data": {"concepts": [{"id": "car", "value": 1}]},
        },
    )
    before = stored(fake)
    project = Project(adapter, pulled(adapter, "img0"))
    turned = Region("33333333-3333-4333-8333-333333333333", "Car", Box(2, 2, 30, 20, 45))
    project.edit(turned.uuid, turned)
    plan = project.plan()
    assert [r.uuid for r in plan.refusals] == [turned.uuid] and not plan.creates
    project.apply(plan)
    assert stored(fake) == before
