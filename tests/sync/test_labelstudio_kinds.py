"""The Label Studio codec for the kinds beyond boxes, polygons, masks and skeletons:
rotated boxes, ellipses, vector paths (polylines), lone keypoints (points), whole-image
answers (image tags) and relations between regions (groups).

Every round trip goes through ``json.dumps``/``json.loads``, as results do on their way
to and from the server; geometry is compared to 1e-9 relative.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Keypoints,
    Point,
    Polyline,
    Tag,
    bounds,
)
from limner.sync.adapters.labelstudio_config import (
    LabelStudioFormatError,
    LSClassSpec,
    LSConfig,
    parse_label_config,
)
from limner.sync.adapters.labelstudio_read import results_to_regions, unrepresented_results
from limner.sync.adapters.labelstudio_state import read_containers, rebuild
from limner.sync.adapters.labelstudio_write import KEYPOINT_WIDTH, region_to_results

W, H = 640, 427

CONFIG = """
<View>
  <Image name="img" value="$image"/>
  <RectangleLabels name="bbox" toName="img"><Label value="car"/></RectangleLabels>
  <EllipseLabels name="oval" toName="img"><Label value="cell"/></EllipseLabels>
  <VectorLabels name="lines" toName="img"><Label value="lane"/></VectorLabels>
  <KeyPointLabels name="pose" toName="img">
    <Label value="nose"/><Label value="tail"/>
  </KeyPointLabels>
  <TextArea name="note" toName="img" perRegion="true"/>
  <Choices name="weather" toName="img"><Choice value="sunny"/><Choice value="rainy"/></Choices>
  <Choices name="issues" toName="img" choice="multiple">
    <Choice value="blur"/><Choice value="glare"/><Choice value="dark"/>
  </Choices>
  <TextArea name="caption" toName="img"/>
  <Rating name="quality" toName="img" maxRating="10"/>
  <Number name="people" toName="img" min="0"/>
</View>
"""


@pytest.fixture(scope="module")
def config() -> LSConfig:
    return parse_label_config(CONFIG)


@pytest.fixture(scope="module")
def classes(config: LSConfig) -> dict[str, LSClassSpec]:
    return {c.name: c for c in config.classes()}


def _json(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return json.loads(json.dumps(items))


def _close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) for x, y in zip(a, b, strict=True))


def _back(uuid: str, geometry: Any, cls: LSClassSpec, config: LSConfig, **kw: Any) -> Any:
    items = _json(region_to_results(uuid, geometry, cls, {}, W, H, **kw))
    regions, warnings = results_to_regions(items, config, W, H)
    assert warnings == []
    (region,) = regions
    assert (region.uuid, region.class_name) == (uuid, cls.name)
    return items, region


def test_the_config_gives_a_class_per_kind(classes: dict[str, LSClassSpec]) -> None:
    kinds = {name: c.kind for name, c in classes.items()}
    assert kinds == {
        "car": "box",
        "cell": "ellipse",
        "lane": "polyline",
        "pose": "keypoints",
        "nose": "point",
        "tail": "point",
        "weather": "tag",
        "issues": "tag",
        "caption": "tag",
        "quality": "tag",
        "people": "tag",
    }
    assert classes["issues"].tag == {"mode": "multiple", "options": ["blur", "glare", "dark"]}
    assert classes["caption"].tag == {"mode": "text"}
    assert classes["quality"].tag == {"mode": "number", "minimum": 1, "maximum": 10}
    assert classes["people"].tag == {"mode": "number", "minimum": 0}
    assert classes["nose"].attribute_schema == ({"name": "note", "type": "text", "options": []},)


@pytest.mark.parametrize("angle", [0.0, 17.5, 90.0, 200.0, 359.0])
def test_rotated_boxes_round_trip(
    angle: float, config: LSConfig, classes: dict[str, LSClassSpec]
) -> None:
    box = Box.from_centre(300, 200, 120, 40, angle)
    items, region = _back("r", box, classes["car"], config)
    value = items[0]["value"]
    assert value["rotation"] == (angle if angle else 0)
    corner = box.corners()[0]
    assert _close((value["x"] / 100 * W, value["y"] / 100 * H), corner), "the pivot is the corner"
    got = region.geometry
    assert isinstance(got, Box) and math.isclose(got.angle, angle, abs_tol=1e-9)
    assert _close((got.x0, got.y0, got.x1, got.y1), (box.x0, box.y0, box.x1, box.y1))


def test_ellipses_round_trip(config: LSConfig, classes: dict[str, LSClassSpec]) -> None:
    ellipse = Ellipse(100.5, 80.25, 30, 12.5, 33)
    items, region = _back("e", ellipse, classes["cell"], config)
    assert items[0]["type"] == "ellipselabels" and items[0]["value"]["ellipselabels"] == ["cell"]
    assert items[0]["value"]["radiusY"] == 12.5 / H * 100
    got = region.geometry
    assert isinstance(got, Ellipse)
    assert _close((got.cx, got.cy, got.rx, got.ry, got.angle), (100.5, 80.25, 30, 12.5, 33))


def test_polylines_are_open_vector_paths(config: LSConfig, classes: dict[str, LSClassSpec]) -> None:
    line = Polyline(((10, 10), (200.5, 40), (320, 300)))
    items, region = _back("l", line, classes["lane"], config)
    value = items[0]["value"]
    assert value["closed"] is False and [v["id"] for v in value["vertices"]] == ["p0", "p1", "p2"]
    assert [v.get("prevPointId") for v in value["vertices"]] == [None, "p0", "p1"]
    assert isinstance(region.geometry, Polyline)
    for p, q in zip(region.geometry.points, line.points, strict=True):
        assert _close(p, q)


def test_vector_paths_a_polyline_cannot_hold_are_kept(config: LSConfig) -> None:
    def vector(item_id: str, **value: Any) -> dict[str, Any]:
        vertices = [{"id": "a", "x": 1, "y": 1}, {"id": "b", "prevPointId": "a", "x": 5, "y": 5}]
        return {
            "id": item_id,
            "type": "vectorlabels",
            "from_name": "lines",
            "to_name": "img",
            "value": {"vertices": vertices, "vectorlabels": ["lane"], **value},
        }

    curved = vector("curve")
    curved["value"]["vertices"][1]["isBezier"] = True
    branching = vector("branch")
    branching["value"]["vertices"].append({"id": "c", "prevPointId": "a", "x": 9, "y": 1})
    items = [vector("closed", closed=True), curved, branching, vector("plain")]
    regions, warnings = results_to_regions(items, config, W, H)
    assert [r.uuid for r in regions] == ["plain"]
    assert unrepresented_results(items, config, W, H) == items[:3]
    assert all("kept as it is" in w for w in warnings) and len(warnings) == 3
    task = {"annotations": [{"id": 1, "result": items}]}
    (container,) = read_containers(task, config, W, H)
    kinds = {r.key: r.problem_kind for r in container.regions if r.region is None}
    assert kinds == {"closed": "kept", "curve": "kept", "branch": "kept"}


def test_points_are_keypoints_without_a_parent(
    config: LSConfig, classes: dict[str, LSClassSpec]
) -> None:
    items, region = _back("pt", Point(64, 42.7), classes["tail"], config)
    (item,) = items
    assert "parentID" not in item and item["value"]["width"] == KEYPOINT_WIDTH
    assert item["value"]["keypointlabels"] == ["tail"]
    assert isinstance(region.geometry, Point) and _close(
        (region.geometry.x, region.geometry.y), (64, 42.7)
    )
    with_note = _json(region_to_results("pt", Point(1, 2), classes["nose"], {"note": "hi"}, W, H))
    (region,), warnings = results_to_regions(with_note, config, W, H)
    assert warnings == [] and dict(region.attributes) == {"note": "hi"}


def test_skeleton_instances_still_come_from_points_sharing_a_parent(
    config: LSConfig, classes: dict[str, LSClassSpec]
) -> None:
    keypoints = Keypoints(((10, 10, 2), (20, 20, 1)))
    items, region = _back("k", keypoints, classes["pose"], config)
    assert all(item["parentID"] == "k" for item in items)
    assert isinstance(region.geometry, Keypoints)


@pytest.mark.parametrize(
    ("name", "tag", "value"),
    [
        ("weather", Tag("rainy"), {"choices": ["rainy"]}),
        ("issues", Tag(("blur", "dark")), {"choices": ["blur", "dark"]}),
        ("caption", Tag("two dogs\non a beach"), {"text": ["two dogs\non a beach"]}),
        ("quality", Tag(7), {"rating": 7}),
        ("people", Tag(2.5), {"number": 2.5}),
    ],
)
def test_image_tags_are_whole_image_answers(
    name: str, tag: Tag, value: dict[str, Any], config: LSConfig, classes: dict[str, LSClassSpec]
) -> None:
    items, region = _back("t", tag, classes[name], config)
    assert items == [
        {
            "id": "t",
            "type": classes[name].control_type,
            "from_name": name,
            "to_name": "img",
            "value": value,
        }
    ]
    assert region.geometry == tag


def test_answers_a_tag_class_does_not_take_are_reported(config: LSConfig) -> None:
    def answer(item_id: str, from_name: str, type_: str, value: dict[str, Any]) -> dict:
        return {
            "id": item_id,
            "type": type_,
            "from_name": from_name,
            "to_name": "img",
            "value": value,
        }

    items = [
        answer("a", "weather", "choices", {"choices": ["sunny", "rainy"]}),
        answer("b", "weather", "choices", {"choices": ["foggy"]}),
        answer("c", "quality", "rating", {"rating": 11}),
        answer("d", "people", "number", {"number": "many"}),
        answer("e", "issues", "choices", {"choices": ["glare", "blur"]}),
        answer("f", "caption", "textarea", {"text": ["one", "two"]}),
    ]
    regions, warnings = results_to_regions(items, config, W, H)
    assert {r.uuid: r.geometry for r in regions} == {
        "e": Tag(("blur", "glare")),
        "f": Tag("one\ntwo"),
    }
    assert len(warnings) == 4 and all("was not imported" in w for w in warnings)
    task = {"annotations": [{"id": 1, "result": items}]}
    (container,) = read_containers(task, config, W, H)
    assert {r.key for r in container.regions if r.problem_kind == "malformed"} == set("abcd")


def test_tags_refuse_what_a_whole_image_answer_cannot_hold(
    classes: dict[str, LSClassSpec],
) -> None:
    with pytest.raises(LabelStudioFormatError, match="attributes"):
        region_to_results("t", Tag("sunny"), classes["weather"], {"note": "x"}, W, H)
    with pytest.raises(LabelStudioFormatError, match="joins no group"):
        region_to_results("t", Tag("sunny"), classes["weather"], {}, W, H, group="g")
    with pytest.raises(LabelStudioFormatError, match="cannot answer"):
        region_to_results("t", Tag(3), classes["caption"], {}, W, H)


# -- groups ------------------------------------------------------------------------------
def _members(config: LSConfig, classes: dict[str, LSClassSpec]) -> list[dict[str, Any]]:
    """An anchor box, and an ellipse, a point and a skeleton written as its members."""
    items = region_to_results("a", Box(10, 10, 50, 50), classes["car"], {}, W, H)
    items += region_to_results("e", Ellipse(80, 80, 10, 5), classes["cell"], {}, W, H, group="a")
    items += region_to_results("p", Point(5, 5), classes["nose"], {}, W, H, group="a")
    items += region_to_results(
        "k", Keypoints(((1, 1, 2), (2, 2, 2))), classes["pose"], {}, W, H, group="a"
    )
    return _json(items)


def test_groups_round_trip_as_relations_from_the_anchor(
    config: LSConfig, classes: dict[str, LSClassSpec]
) -> None:
    items = _members(config, classes)
    relations = [i for i in items if i["type"] == "relation"]
    assert [(r["from_id"], r["to_id"]) for r in relations] == [("a", "e"), ("a", "p"), ("a", "k:0")]
    regions, warnings = results_to_regions(items, config, W, H)
    assert warnings == []
    assert {r.uuid: r.group for r in regions} == {"a": "a", "e": "a", "p": "a", "k": "a"}
    assert unrepresented_results(items, config, W, H) == []


def test_each_member_carries_its_own_relation(
    config: LSConfig, classes: dict[str, LSClassSpec]
) -> None:
    items = _members(config, classes)
    task = {"annotations": [{"id": 3, "result": items}]}
    (container,) = read_containers(task, config, W, H)
    raw = {r.uuid: r.raw for r in container.regions}
    assert [i["type"] for i in raw["a"]] == ["rectanglelabels"], "the anchor has no relation"
    assert raw["e"][-1] == {"type": "relation", "from_id": "a", "to_id": "e", "direction": "right"}
    # The point leaves the group: replacing its items drops its relation and nothing else.
    alone = region_to_results("p", Point(5, 5), classes["nose"], {}, W, H)
    result = rebuild(container, {"p": alone}, set())
    regions, _ = results_to_regions(result, config, W, H)
    assert {r.uuid: r.group for r in regions} == {"a": "a", "e": "a", "p": None, "k": "a"}


def test_relations_limner_did_not_write_still_make_groups(
    config: LSConfig, classes: dict[str, LSClassSpec]
) -> None:
    boxes = [
        region_to_results(rid, Box(i * 10, 0, i * 10 + 5, 5), classes["car"], {}, W, H)[0]
        for i, rid in enumerate(["x", "y", "z", "w"])
    ]
    chain = [
        {"type": "relation", "from_id": "y", "to_id": "z", "direction": "bi"},
        {"type": "relation", "from_id": "z", "to_id": "x", "direction": "left"},
        {"type": "relation", "from_id": "z", "to_id": "w", "labels": ["near"]},
    ]
    items = _json(boxes + chain)
    regions, warnings = results_to_regions(items, config, W, H)
    groups = {r.uuid: r.group for r in regions}
    assert groups == {"x": "x", "y": "x", "z": "x", "w": None}, "first member is the anchor"
    assert len(warnings) == 1 and "kept as it is" in warnings[0] and "near" in warnings[0]
    task = {"annotations": [{"id": 1, "result": items}]}
    (container,) = read_containers(task, config, W, H)
    owners = {r.uuid: [i for i in r.raw if i["type"] == "relation"] for r in container.regions}
    # Each relation belongs to its end farther from the anchor: y -> z to y, z -> x to z.
    assert owners["y"] == [chain[0]] and owners["z"] == [chain[1]] and owners["x"] == []
    assert [r.problem_kind for r in container.regions if r.region is None] == ["kept"]


def test_a_relation_to_an_image_tag_or_an_unread_region_is_kept(
    config: LSConfig, classes: dict[str, LSClassSpec]
) -> None:
    items = region_to_results("b", Box(1, 1, 5, 5), classes["car"], {}, W, H)
    items += region_to_results("t", Tag("sunny"), classes["weather"], {}, W, H)
    items += [
        {"type": "relation", "from_id": "b", "to_id": "t", "direction": "right"},
        {"type": "relation", "from_id": "b", "to_id": "nowhere", "direction": "right"},
    ]
    items = _json(items)
    regions, warnings = results_to_regions(items, config, W, H)
    assert {r.uuid: r.group for r in regions} == {"b": None, "t": None}
    assert unrepresented_results(items, config, W, H) == items[2:]
    assert len(warnings) == 2 and all("relations between regions" in w for w in warnings)


def test_a_group_id_follows_its_anchor_when_the_task_renames_it(
    config: LSConfig, classes: dict[str, LSClassSpec]
) -> None:
    """Two annotations of one task may use the same region ids; the second one's regions
    get local uuids of their own, and its group ids must name the renamed anchor."""
    items = _members(config, classes)[:4]  # the box "a" and the ellipse "e" in its group
    task = {"annotations": [{"id": 1, "result": items}, {"id": 2, "result": items}]}
    first, second = read_containers(task, config, W, H)
    one = {r.key: r for r in first.regions}
    two = {r.key: r for r in second.regions}
    assert one["e"].region.group == one["a"].uuid == "a"
    assert two["a"].uuid != "a" and two["e"].region.group == two["a"].uuid


def test_group_members_stay_near_the_image(classes: dict[str, LSClassSpec]) -> None:
    # An ellipse's bounds, as the reader checks them, include its rotation.
    ellipse = Ellipse(10, 10, 8, 2, 90)
    assert _close(bounds(ellipse), (8, 2, 12, 18))
