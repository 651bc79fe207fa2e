"""Tests of the Label Studio codec (labelstudio_config, _write, _read): configs and results.

Every round trip goes through ``json.dumps``/``json.loads``, as the results do on their
way to and from the server, and checks geometry to 1e-9 relative (masks pixel for pixel).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from limner.models.domain.geometry import (
    Box,
    Keypoints,
    Mask,
    Point,
    Polygon,
    PolygonPart,
    Skeleton,
)
from limner.sync.adapters.base import ClassSpec, Region
from limner.sync.adapters.labelstudio_config import (
    LabelStudioFormatError,
    LSClassSpec,
    LSConfig,
    parse_label_config,
)
from limner.sync.adapters.labelstudio_read import (
    LSRegion,
    results_to_regions,
    unrepresented_results,
)
from limner.sync.adapters.labelstudio_rle import decode_mask, encode_mask
from limner.sync.adapters.labelstudio_state import read_containers
from limner.sync.adapters.labelstudio_write import KEYPOINT_WIDTH, region_to_results
from tests.sync.test_labelstudio_rle import SdkReference

W, H = 640, 427

CONFIG = """
<View>
  <Header value="Label everything"/>
  <Image name="img" value="$photo" zoom="true"/>
  <RectangleLabels name="bbox" toName="img">
    <Label value="Car" background="red"/>
    <Label value="Person" background="#00ff00"/>
  </RectangleLabels>
  <PolygonLabels name="poly" toName="img" strokeWidth="3">
    <Label value="Car" background="orange"/>
    <Label value="Road"/>
  </PolygonLabels>
  <BrushLabels name="brush" toName="img">
    <Label value="Sky" background="blue"/>
  </BrushLabels>
  <KeyPointLabels name="pose" toName="img">
    <Label value="nose" model_index="0" background="yellow"/>
    <Label value="right_eye" model_index="2"/>
    <Label value="left_eye" model_index="1"/>
  </KeyPointLabels>
  <View visibleWhen="region-selected">
    <Choices name="occluded" toName="img" perRegion="true">
      <Choice value="yes"/><Choice value="no"/>
    </Choices>
    <Choices name="tags" toName="img" perRegion="true" choice="multiple">
      <Choice value="small"/><Choice value="blurry"/><Choice value="cut"/>
    </Choices>
    <TextArea name="note" toName="img" perRegion="true"/>
    <Number name="count" toName="img" perRegion="true" whenTagName="bbox"/>
    <Choices name="make" toName="img" perRegion="true" whenLabelValue="Car">
      <Choice value="vw" alias="volkswagen"/><Choice value="bmw"/>
    </Choices>
  </View>
  <Choices name="scene" toName="img"><Choice value="day"/><Choice value="night"/></Choices>
  <Relations><Relation value="bone"/><Relation value="near"/></Relations>
</View>
"""


@pytest.fixture(scope="module")
def sdk() -> Iterator[SdkReference]:
    reference = SdkReference()
    yield reference
    reference.close()


@pytest.fixture(scope="module")
def config() -> LSConfig:
    return parse_label_config(CONFIG)


@pytest.fixture(scope="module")
def classes(config: LSConfig) -> dict[str, LSClassSpec]:
    return {c.name: c for c in config.classes()}


def through_json(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return json.loads(json.dumps(items))


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def assert_same_geometry(a: Any, b: Any) -> None:
    assert type(a) is type(b)
    if isinstance(a, Box):
        assert all(
            close(p, q)
            for p, q in zip((a.x0, a.y0, a.x1, a.y1), (b.x0, b.y0, b.x1, b.y1), strict=True)
        )
    elif isinstance(a, Polygon):
        assert len(a.parts) == len(b.parts) == 1
        assert len(a.parts[0].outer) == len(b.parts[0].outer)
        for (x, y), (u, v) in zip(a.parts[0].outer, b.parts[0].outer, strict=True):
            assert close(x, u) and close(y, v)
    elif isinstance(a, Mask):
        assert np.array_equal(a.to_array(), b.to_array())
        assert a == b
    else:
        assert len(a.points) == len(b.points)
        for (x, y, v), (u, w, z) in zip(a.points, b.points, strict=True):
            assert v == z and close(x, u) and close(y, w)


def round_trip(
    uuid: str,
    geometry: Any,
    cls: LSClassSpec,
    config: LSConfig,
    attributes: dict[str, Any] | None = None,
    **kwargs: Any,
) -> tuple[list[dict[str, Any]], list[LSRegion], list[str]]:
    items = through_json(region_to_results(uuid, geometry, cls, attributes or {}, W, H, **kwargs))
    regions, warnings = results_to_regions(items, config, W, H)
    return items, regions, warnings


# ---------------------------------------------------------------------------------------
# Config
# ---------------------------------------------------------------------------------------


def test_config_image_and_controls(config: LSConfig) -> None:
    assert config.image_tag == "img"
    assert config.image_key == "photo"
    types = {c.name: c.type for c in config.controls}
    assert types == {
        "bbox": "rectanglelabels",
        "poly": "polygonlabels",
        "brush": "brushlabels",
        "pose": "keypointlabels",
        "occluded": "choices",
        "tags": "choices",
        "note": "textarea",
        "count": "number",
        "make": "choices",
        "scene": "choices",
        "relations": "relations",
    }
    bbox = config.control("bbox")
    assert bbox is not None
    assert bbox.to_name == "img"
    assert bbox.labels == ("Car", "Person")
    assert bbox.label_colors == ("red", "#00ff00")
    tags = config.control("tags")
    assert tags is not None and tags.per_region and tags.choice == "multiple"
    assert tags.options == ("small", "blurry", "cut")
    occluded = config.control("occluded")
    assert occluded is not None and occluded.choice == "single"
    relations = config.control("relations")
    assert relations is not None and relations.labels == ("bone", "near")
    scene = config.control("scene")  # whole-image: a tag class, not an attribute
    assert scene is not None and not scene.per_region and scene.options == ("day", "night")
    assert scene.tags_image


def test_config_warnings(config: LSConfig) -> None:
    assert config.warnings == ()


def test_classes_names_kinds_and_colors(classes: dict[str, LSClassSpec]) -> None:
    assert list(classes) == [
        "Car",
        "Person",
        "Car (polygon)",
        "Road",
        "Sky",
        "pose",
        "nose",
        "left_eye",
        "right_eye",
        "scene",
    ]
    assert [c.kind for c in classes.values()] == [
        "box",
        "box",
        "polygon",
        "polygon",
        "mask",
        "keypoints",
        "point",
        "point",
        "point",
        "tag",
    ]
    assert classes["scene"].tag == {"mode": "single", "options": ["day", "night"]}
    assert (classes["nose"].label, classes["nose"].control_name) == ("nose", "pose")
    car_polygon = classes["Car (polygon)"]
    assert (car_polygon.label, car_polygon.control_name, car_polygon.color) == (
        "Car",
        "poly",
        "orange",
    )
    assert classes["Road"].color is None
    assert classes["Sky"].to_name == "img"
    assert all(isinstance(c, ClassSpec) for c in classes.values())


def test_keypoint_class_skeleton_follows_model_index(classes: dict[str, LSClassSpec]) -> None:
    pose = classes["pose"]
    assert pose.label is None
    assert pose.color == "yellow"
    assert pose.skeleton == {"names": ["nose", "left_eye", "right_eye"], "edges": []}
    Skeleton.from_json(pose.skeleton)  # a valid limner skeleton
    assert all(c.skeleton is None for c in classes.values() if c.kind != "keypoints")


def test_attribute_schemas(classes: dict[str, LSClassSpec]) -> None:
    common = [
        {"name": "occluded", "type": "choice", "options": ["yes", "no"]},
        {"name": "tags", "type": "multi", "options": ["small", "blurry", "cut"]},
        {"name": "note", "type": "text", "options": []},
    ]
    count = {"name": "count", "type": "number", "options": []}
    make = {"name": "make", "type": "choice", "options": ["volkswagen", "bmw"]}
    assert list(classes["Car"].attribute_schema) == [*common, count, make]  # whenTagName=bbox
    assert list(classes["Person"].attribute_schema) == [*common, count]  # not a Car
    assert list(classes["Car (polygon)"].attribute_schema) == [*common, make]
    assert list(classes["Road"].attribute_schema) == common
    assert list(classes["pose"].attribute_schema) == common


def test_keypoint_order_without_model_index_is_document_order() -> None:
    config = parse_label_config(
        '<View><Image name="i" value="$i"/><KeyPointLabels name="k" toName="i">'
        '<Label value="b"/><Label value="a"/><Label value="c"/></KeyPointLabels></View>'
    )
    cls, *points = config.classes()
    assert cls.name == "k" and cls.skeleton == {"names": ["b", "a", "c"], "edges": []}
    assert [(p.name, p.kind) for p in points] == [("b", "point"), ("a", "point"), ("c", "point")]


def test_same_label_in_two_controls_of_one_kind() -> None:
    config = parse_label_config(
        '<View><Image name="i" value="$i"/>'
        '<RectangleLabels name="r1" toName="i"><Label value="Car"/></RectangleLabels>'
        '<RectangleLabels name="r2" toName="i"><Label value="Car"/></RectangleLabels>'
        '<PolygonLabels name="p" toName="i"><Label value="Car"/></PolygonLabels>'
        "</View>"
    )
    assert [c.name for c in config.classes()] == ["Car", "Car (box, r2)", "Car (polygon)"]


def test_config_tolerates_lower_case_attributes_and_display_objects() -> None:
    config = parse_label_config(
        '<View><Text name="caption" value="$caption"/><Image name="i" value="$url"/>'
        '<RectangleLabels name="r" toname="i"><Label value="A"/></RectangleLabels>'
        '<Rating name="stars" toName="i"/><Sparkle/></View>'
    )
    assert config.image_key == "url"
    assert [c.name for c in config.classes()] == ["A", "stars"]
    assert config.classes()[1].tag == {"mode": "number", "minimum": 1, "maximum": 5}
    text = "\n".join(config.warnings)
    assert "caption" in text and "Sparkle" in text and "stars" not in text


def test_labels_control_without_labels_is_reported() -> None:
    config = parse_label_config(
        '<View><Image name="i" value="$i"/><RectangleLabels name="r" toName="i" value="$labels"/>'
        "</View>"
    )
    assert config.classes() == []
    assert "$labels" in config.warnings[0]


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ('<View><Text name="t" value="$text"/></View>', "no <Image> tag"),
        (
            '<View><Image name="a" value="$a"/><Image name="b" value="$b"/></View>',
            "2 <Image> tags",
        ),
        (
            '<View><Image name="i" value="$i"/><Video name="v" value="$video"/></View>',
            "<Video>",
        ),
        (
            '<View><Image name="i" value="$i"/><Audio name="a" value="$audio"/></View>',
            "<Audio>",
        ),
        (
            '<View><Image name="i" value="$i"/><Text name="t" value="$text"/>'
            '<Labels name="l" toName="t"><Label value="PER"/></Labels></View>',
            "<Labels>",
        ),
        (
            '<View><Image name="i" value="$i"/><Text name="t" value="$text"/>'
            '<Choices name="c" toName="t"><Choice value="x"/></Choices></View>',
            "<Choices name='c'> labels 't'",
        ),
        (
            '<View><Image name="i" value="$i"/>'
            '<RectangleLabels name="r" toName="i,other"><Label value="A"/></RectangleLabels>'
            "</View>",
            "<RectangleLabels name='r'> labels 'other'",
        ),
        (
            '<View><Image name="i" value="$i"/><Ellipse name="e" toName="i"/></View>',
            "<Ellipse>",
        ),
        (
            '<View><Image name="i" value="$i"/><Vector name="v" toName="i"/></View>',
            "<Vector>",
        ),
        (
            '<View><Image name="i" value="$i"/><Rectangle name="r" toName="i"/></View>',
            "<Rectangle>",
        ),
        ('<View><Image name="i" value="http://x/y.jpg"/></View>', "task field"),
        ('<View><Image name="i" valueList="$images"/></View>', "valueList"),
        ('<View><Image value="$i"/></View>', "no name"),
        (
            '<View><Image name="i" value="$i"/><RectangleLabels toName="i"/></View>',
            "<RectangleLabels> tag in the label config has no name",
        ),
        (
            '<View><Image name="i" value="$i"/><RectangleLabels name="r"/></View>',
            "no toName",
        ),
        (
            '<View><Image name="i" value="$i"/>'
            '<RectangleLabels name="r" toName="i"><Label value="A"/></RectangleLabels>'
            '<PolygonLabels name="r" toName="i"><Label value="B"/></PolygonLabels></View>',
            "two controls named 'r'",
        ),
        (
            '<View><Image name="i" value="$i"/>'
            '<RectangleLabels name="r" toName="i"><Label background="red"/></RectangleLabels>'
            "</View>",
            "<Label> of <RectangleLabels name='r'> has no value",
        ),
        (
            '<!DOCTYPE View [<!ENTITY x "y">]><View><Image name="i" value="$i"/></View>',
            "DOCTYPE",
        ),
        ('<View><Image name="i" value="$i"/>', "not valid XML"),
        ("   ", "empty"),
    ],
)
def test_config_refusals(xml: str, message: str) -> None:
    with pytest.raises(LabelStudioFormatError, match=_literal(message)):
        parse_label_config(xml)


def _literal(text: str) -> str:
    import re

    return re.escape(text)


# ---------------------------------------------------------------------------------------
# Boxes
# ---------------------------------------------------------------------------------------


def test_box_result_json(classes: dict[str, LSClassSpec]) -> None:
    box = Box(10.5, 20.25, 100.0, 200.0)
    (item,) = region_to_results("b-1", box, classes["Car"], {}, W, H)
    assert item == {
        "id": "b-1",
        "type": "rectanglelabels",
        "from_name": "bbox",
        "to_name": "img",
        "original_width": W,
        "original_height": H,
        "image_rotation": 0,
        "value": {
            "x": 10.5 / W * 100,
            "y": 20.25 / H * 100,
            "width": (100.0 - 10.5) / W * 100,
            "height": (200.0 - 20.25) / H * 100,
            "rotation": 0,
            "rectanglelabels": ["Car"],
        },
    }


def test_box_round_trip(config: LSConfig, classes: dict[str, LSClassSpec]) -> None:
    rng = np.random.default_rng(1)
    for _ in range(200):
        x0, y0 = rng.uniform(-50, W), rng.uniform(-50, H)
        box = Box(x0, y0, x0 + rng.uniform(1e-3, W), y0 + rng.uniform(1e-3, H))
        _, regions, warnings = round_trip("b", box, classes["Person"], config)
        assert warnings == []
        (region,) = regions
        assert (region.uuid, region.class_name, dict(region.attributes)) == ("b", "Person", {})
        assert_same_geometry(region.geometry, box)


def test_a_rotated_rectangle_is_read_as_a_rotated_box(
    config: LSConfig, classes: dict[str, LSClassSpec]
) -> None:
    """Label Studio turns a rectangle about its top-left corner, limner about the centre:
    the box read keeps its size and angle, and its own top-left corner is Label Studio's."""
    item = {
        "id": "rot",
        "type": "rectanglelabels",
        "from_name": "bbox",
        "to_name": "img",
        "original_width": W,
        "original_height": H,
        "value": {
            "x": 100 / W * 100,
            "y": 50 / H * 100,
            "width": 40 / W * 100,
            "height": 20 / H * 100,
            "rotation": 30,
            "rectanglelabels": ["Car"],
        },
    }
    (region,), warnings = results_to_regions([item], config, W, H)
    assert warnings == []
    box = region.geometry
    assert isinstance(box, Box) and math.isclose(box.angle, 30.0)
    assert math.isclose(box.width, 40.0) and math.isclose(box.height, 20.0)
    corner = box.corners()[0]
    assert math.isclose(corner[0], 100.0) and math.isclose(corner[1], 50.0)
    assert unrepresented_results([item], config, W, H) == []
    (written,) = region_to_results("rot", box, classes["Car"], {}, W, H)
    for key in ("x", "y", "width", "height", "rotation"):
        assert math.isclose(written["value"][key], item["value"][key], rel_tol=1e-12), key

    item["value"]["rotation"] = 360
    (region,), warnings = results_to_regions([item], config, W, H)
    assert warnings == []
    assert_same_geometry(region.geometry, Box(100.0, 50.0, 140.0, 70.0))


def test_spec_example_nesting_is_read(config: LSConfig) -> None:
    # The OpenAPI document's examples nest the labels under value.values.
    item = {
        "from_name": "bbox",
        "id": "spec",
        "image_rotation": 0,
        "original_height": 1080,
        "original_width": 1920,
        "to_name": "img",
        "type": "rectanglelabels",
        "value": {
            "height": 60,
            "rotation": 0,
            "values": {"rectanglelabels": ["Person"]},
            "width": 50,
            "x": 20,
            "y": 30,
        },
    }
    (region,), warnings = results_to_regions([item], config, 1920, 1080)
    assert warnings == []
    assert region.class_name == "Person"
    assert_same_geometry(region.geometry, Box(384.0, 324.0, 1344.0, 972.0))


# ---------------------------------------------------------------------------------------
# Polygons
# ---------------------------------------------------------------------------------------


def test_polygon_round_trip(config: LSConfig, classes: dict[str, LSClassSpec]) -> None:
    rng = np.random.default_rng(2)
    for n in (3, 4, 17, 500):
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        radii = rng.uniform(20, 150, n)
        points = [
            (320 + r * np.cos(a), 210 + r * np.sin(a)) for a, r in zip(angles, radii, strict=True)
        ]
        polygon = Polygon.from_points([(float(x), float(y)) for x, y in points])
        items, regions, warnings = round_trip("p", polygon, classes["Car (polygon)"], config)
        assert warnings == []
        (item,) = items
        assert item["type"] == "polygonlabels" and item["from_name"] == "poly"
        assert item["value"]["closed"] is True
        assert item["value"]["polygonlabels"] == ["Car"]
        assert item["value"]["points"][0] == [
            polygon.parts[0].outer[0][0] / W * 100,
            polygon.parts[0].outer[0][1] / H * 100,
        ]
        assert len(item["value"]["points"]) == n  # the first point is not repeated
        (region,) = regions
        assert region.class_name == "Car (polygon)"
        assert_same_geometry(region.geometry, polygon)


def test_polygon_with_holes_is_refused(classes: dict[str, LSClassSpec]) -> None:
    outer = ((0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0))
    hole = ((40.0, 40.0), (60.0, 40.0), (60.0, 60.0))
    polygon = Polygon((PolygonPart(outer, (hole,)),))
    with pytest.raises(
        LabelStudioFormatError, match="has holes, which Label Studio polygons cannot hold"
    ):
        region_to_results("holey", polygon, classes["Road"], {}, W, H)


def test_polygon_with_several_parts_is_refused(classes: dict[str, LSClassSpec]) -> None:
    a = PolygonPart(((0.0, 0.0), (10.0, 0.0), (10.0, 10.0)))
    b = PolygonPart(((50.0, 50.0), (60.0, 50.0), (60.0, 60.0)))
    with pytest.raises(LabelStudioFormatError, match="2 separate parts"):
        region_to_results("two", Polygon((a, b)), classes["Road"], {}, W, H)


def test_open_polygon_is_read_with_a_warning(config: LSConfig) -> None:
    item = {
        "id": "open",
        "type": "polygonlabels",
        "from_name": "poly",
        "to_name": "img",
        "value": {
            "points": [[0, 0], [50, 0], [50, 50]],
            "closed": False,
            "polygonlabels": ["Road"],
        },
    }
    (region,), warnings = results_to_regions([item], config, W, H)
    assert region.class_name == "Road"
    assert len(warnings) == 1 and "open polygon" in warnings[0]


# ---------------------------------------------------------------------------------------
# Masks
# ---------------------------------------------------------------------------------------


def _blob() -> np.ndarray:
    yy, xx = np.mgrid[:H, :W]
    mask = (xx - 200) ** 2 + (yy - 150) ** 2 < 80**2
    mask[300:320, 500:639] = True
    mask[0, 0] = True
    return mask


def test_mask_round_trip(config: LSConfig, classes: dict[str, LSClassSpec]) -> None:
    full = _blob()
    mask = Mask.from_array(full)
    items, regions, warnings = round_trip("m", mask, classes["Sky"], config)
    assert warnings == []
    (item,) = items
    assert item["type"] == "brushlabels"
    assert (item["original_width"], item["original_height"]) == (W, H)
    assert item["value"]["format"] == "rle"
    assert item["value"]["brushlabels"] == ["Sky"]
    assert item["value"]["rle"] == encode_mask(full)  # the whole image, not the crop
    assert np.array_equal(decode_mask(item["value"]["rle"], W, H), full)
    (region,) = regions
    assert region.class_name == "Sky"
    assert_same_geometry(region.geometry, mask)


def test_sdk_decodes_a_written_brush(sdk: SdkReference, classes: dict[str, LSClassSpec]) -> None:
    full = np.zeros((40, 60), bool)
    full[5:30, 10:50] = True
    full[12:20, 20:30] = False
    (item,) = region_to_results("m", Mask.from_array(full), classes["Sky"], {}, 60, 40)
    flat = {**item, **item["value"]}  # the SDK reads an export's flattened items
    layers = sdk.decode_from_annotation("brush", [flat])
    assert list(layers) == ["brush-Sky-0"]
    assert np.array_equal(layers["brush-Sky-0"] > 0, full)


def test_mask_of_another_image_size(config: LSConfig, classes: dict[str, LSClassSpec]) -> None:
    mask = Mask.from_array(_blob())
    with pytest.raises(LabelStudioFormatError, match="640x427 image, not to this 100x100"):
        region_to_results("m", mask, classes["Sky"], {}, 100, 100)
    items = through_json(region_to_results("m", mask, classes["Sky"], {}, W, H))
    regions, warnings = results_to_regions(items, config, W + 1, H)
    assert regions == []
    assert len(warnings) == 1 and "640x427" in warnings[0] and "641x427" in warnings[0]
    assert unrepresented_results(items, config, W + 1, H) == items


def test_empty_or_broken_brush_is_reported(config: LSConfig) -> None:
    empty = {
        "id": "e",
        "type": "brushlabels",
        "from_name": "brush",
        "to_name": "img",
        "original_width": 4,
        "original_height": 2,
        "value": {
            "format": "rle",
            "rle": encode_mask(np.zeros((2, 4), bool)),
            "brushlabels": ["Sky"],
        },
    }
    broken = copy.deepcopy(empty)
    broken["id"] = "b"
    broken["value"]["rle"] = broken["value"]["rle"][:5]
    regions, warnings = results_to_regions([empty, broken], config, 4, 2)
    assert regions == []
    assert len(warnings) == 2
    assert "'e'" in warnings[0] and "empty" in warnings[0]
    assert "'b'" in warnings[1] and "truncated" in warnings[1]


# ---------------------------------------------------------------------------------------
# Keypoints
# ---------------------------------------------------------------------------------------


def test_keypoint_items(classes: dict[str, LSClassSpec]) -> None:
    points = Keypoints(((10.0, 20.0, 2), (0.0, 0.0, 0), (30.5, 40.25, 1)))
    items = region_to_results("kp", points, classes["pose"], {}, W, H)
    assert items == [
        {
            "id": "kp:0",
            "type": "keypointlabels",
            "from_name": "pose",
            "to_name": "img",
            "original_width": W,
            "original_height": H,
            "image_rotation": 0,
            "parentID": "kp",
            "value": {
                "x": 10.0 / W * 100,
                "y": 20.0 / H * 100,
                "width": KEYPOINT_WIDTH,
                "keypointlabels": ["nose"],
            },
        },
        {
            "id": "kp:2",
            "type": "keypointlabels",
            "from_name": "pose",
            "to_name": "img",
            "original_width": W,
            "original_height": H,
            "image_rotation": 0,
            "parentID": "kp",
            "value": {
                "x": 30.5 / W * 100,
                "y": 40.25 / H * 100,
                "width": KEYPOINT_WIDTH,
                "keypointlabels": ["right_eye"],
            },
            "meta": {"limner": {"v": 1}},
        },
    ]


def test_keypoints_round_trip_with_occluded_and_unlabeled_points(
    config: LSConfig, classes: dict[str, LSClassSpec]
) -> None:
    cases = [
        ((10.0, 20.0, 2), (0.0, 0.0, 0), (30.5, 40.25, 1)),
        ((1e-3, 426.999, 1), (639.5, 0.5, 2), (0.0, 0.0, 0)),
        ((0.0, 0.0, 0), (0.0, 0.0, 0), (5.0, 5.0, 2)),
        ((-3.0, 500.0, 2), (1.0, 2.0, 2), (3.0, 4.0, 2)),  # outside the image is kept
    ]
    for number, points in enumerate(cases):
        keypoints = Keypoints(points)
        _, regions, warnings = round_trip(f"k{number}", keypoints, classes["pose"], config)
        assert warnings == []
        (region,) = regions
        assert (region.uuid, region.class_name) == (f"k{number}", "pose")
        assert region.parent_id is None
        assert_same_geometry(region.geometry, keypoints)


def test_two_instances_stay_apart(config: LSConfig, classes: dict[str, LSClassSpec]) -> None:
    a = Keypoints(((1.0, 2.0, 2), (3.0, 4.0, 2), (5.0, 6.0, 2)))
    b = Keypoints(((11.0, 12.0, 2), (0.0, 0.0, 0), (15.0, 16.0, 1)))
    items = region_to_results("a", a, classes["pose"], {}, W, H)
    items += region_to_results("b", b, classes["pose"], {}, W, H)
    items.reverse()  # item order must not matter
    regions, warnings = results_to_regions(through_json(items), config, W, H)
    assert warnings == []
    by_uuid = {r.uuid: r for r in regions}
    assert set(by_uuid) == {"a", "b"}
    assert_same_geometry(by_uuid["a"].geometry, a)
    assert_same_geometry(by_uuid["b"].geometry, b)


def test_skeleton_edges_as_relations(config: LSConfig, classes: dict[str, LSClassSpec]) -> None:
    keypoints = Keypoints(((1.0, 2.0, 2), (0.0, 0.0, 0), (5.0, 6.0, 1)))
    items, (region,), warnings = round_trip(
        "s", keypoints, classes["pose"], config, skeleton_edges=[(0, 2), (0, 1), (1, 2)]
    )
    relations = [item for item in items if item["type"] == "relation"]
    # Only the edge between two labeled points has items to join.
    assert relations == [
        {"type": "relation", "from_id": "s:0", "to_id": "s:2", "direction": "right"}
    ]
    assert warnings == []
    assert region.skeleton_edges == ((0, 2),)


def test_edge_relations_with_labels(config: LSConfig, classes: dict[str, LSClassSpec]) -> None:
    keypoints = Keypoints(((1.0, 2.0, 2), (3.0, 4.0, 2), (5.0, 6.0, 2)))
    items = region_to_results("s", keypoints, classes["pose"], {}, W, H)
    items += [
        {
            "type": "relation",
            "from_id": "s:0",
            "to_id": "s:1",
            "direction": "bi",
            "labels": ["bone"],
        },
        {"type": "relation", "from_id": "s:1", "to_id": "s:0", "direction": "right"},  # same edge
        {"type": "relation", "from_id": "s:1", "to_id": "s:2", "labels": ["near"]},
    ]
    (region,), warnings = results_to_regions(through_json(items), config, W, H)
    assert region.skeleton_edges == ((0, 1),)
    assert len(warnings) == 1 and "not a skeleton edge" in warnings[0]


def test_keypoints_refusals(classes: dict[str, LSClassSpec]) -> None:
    with pytest.raises(LabelStudioFormatError, match="no labeled point"):
        region_to_results("k", Keypoints(((0.0, 0.0, 0),) * 3), classes["pose"], {}, W, H)
    with pytest.raises(LabelStudioFormatError, match="2 points but class 'pose' has 3"):
        region_to_results("k", Keypoints(((1.0, 1.0, 2),) * 2), classes["pose"], {}, W, H)
    with pytest.raises(LabelStudioFormatError, match="point the class 'pose' does not have"):
        region_to_results(
            "k", Keypoints(((1.0, 1.0, 2),) * 3), classes["pose"], {}, W, H, skeleton_edges=[(0, 3)]
        )


def test_keypoints_without_parent_are_points_of_their_own(config: LSConfig) -> None:
    items = [
        {
            "id": f"p{i}",
            "type": "keypointlabels",
            "from_name": "pose",
            "to_name": "img",
            "value": {"x": 10.0 * i, "y": 20.0, "width": 0.3, "keypointlabels": [label]},
        }
        for i, label in enumerate(["nose", "left_eye"])
    ]
    regions, warnings = results_to_regions(items, config, W, H)
    assert warnings == []
    assert [(r.uuid, r.class_name) for r in regions] == [("p0", "nose"), ("p1", "left_eye")]
    assert regions[0].geometry == Point(0.0, 20.0 / 100 * H)
    assert regions[1].geometry == Point(0.1 * W, 0.2 * H)


def test_bad_keypoint_items_are_reported(config: LSConfig) -> None:
    def point(item_id: str, label: str) -> dict[str, Any]:
        return {
            "id": item_id,
            "type": "keypointlabels",
            "from_name": "pose",
            "parentID": "inst",
            "value": {"x": 1.0, "y": 2.0, "keypointlabels": [label]},
        }

    items = [point("a", "nose"), point("b", "tail"), point("c", "nose")]
    (region,), warnings = results_to_regions(items, config, W, H)
    assert region.uuid == "inst"
    assert region.geometry.points[0][2] == 2
    assert len(warnings) == 2
    assert "'tail'" in warnings[0] and "already has a 'nose' point" in warnings[1]


# The SDK's YOLO keypoint export fixture (tests/custom/converter/data/test_export_yolo in
# label-studio-sdk), its skeleton cut to five points: points whose parentID is a person
# box, plus relations from and to that box.
SDK_KEYPOINT_CONFIG = """<View>
  <Image name="image" value="$image"/>
  <KeyPointLabels name="keypoints" toName="image">
    <Label value="nose" model_index="0"/>
    <Label value="left_eye" model_index="1"/>
    <Label value="right_eye" model_index="2"/>
    <Label value="left_ear" model_index="3"/>
    <Label value="right_ear" model_index="4"/>
  </KeyPointLabels>
  <RectangleLabels name="bbox" toName="image">
    <Label value="person"/>
  </RectangleLabels>
</View>"""


def _sdk_point(item_id: str, x: float, y: float, label: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "keypointlabels",
        "value": {"x": x, "y": y, "width": 0.2285263987391647, "keypointlabels": [label]},
        "origin": "manual",
        "to_name": "image",
        "parentID": "hplPm0Szvc",
        "from_name": "keypoints",
        "image_rotation": 0,
        "original_width": 216,
        "original_height": 174,
    }


SDK_KEYPOINT_RESULT = [
    _sdk_point("YuLAREYKpq", 64.44444444444444, 39.290780141843975, "nose"),
    _sdk_point("gD9Q-39A_4", 58.38849487785658, 30.78014184397163, "left_eye"),
    _sdk_point("qwGtX1L1Nm", 70.50039401103231, 32.19858156028369, "right_eye"),
    {
        "id": "hplPm0Szvc",
        "type": "rectanglelabels",
        "value": {
            "x": 38.849487785658,
            "y": 7.65957446808511,
            "width": 47.304964539007095,
            "height": 50.92198581560283,
            "rotation": 0,
            "rectanglelabels": ["person"],
        },
        "origin": "manual",
        "to_name": "image",
        "from_name": "bbox",
        "image_rotation": 0,
        "original_width": 216,
        "original_height": 174,
    },
    {"type": "relation", "to_id": "qwGtX1L1Nm", "from_id": "hplPm0Szvc", "direction": "right"},
    {"type": "relation", "to_id": "hplPm0Szvc", "from_id": "hplPm0Szvc", "direction": "right"},
    {"type": "relation", "to_id": "hplPm0Szvc", "from_id": "YuLAREYKpq", "direction": "right"},
    {"type": "relation", "to_id": "hplPm0Szvc", "from_id": "gD9Q-39A_4", "direction": "right"},
    {"type": "relation", "to_id": "hplPm0Szvc", "from_id": "qwGtX1L1Nm", "direction": "right"},
]


def test_sdk_keypoint_fixture() -> None:
    config = parse_label_config(SDK_KEYPOINT_CONFIG)
    regions, warnings = results_to_regions(SDK_KEYPOINT_RESULT, config, 216, 174)
    pose, box = regions  # in the order of their first item
    assert (box.uuid, box.class_name) == ("hplPm0Szvc", "person")
    assert_same_geometry(
        box.geometry,
        Box(
            38.849487785658 / 100 * 216,
            7.65957446808511 / 100 * 174,
            (38.849487785658 + 47.304964539007095) / 100 * 216,
            (7.65957446808511 + 50.92198581560283) / 100 * 174,
        ),
    )
    # The points' parent is the box, so the instance gets its own uuid and keeps the link.
    assert pose.uuid == "hplPm0Szvc:keypoints"
    assert pose.class_name == "keypoints"
    assert pose.parent_id == "hplPm0Szvc"
    assert pose.geometry.points[:3] == (
        (64.44444444444444 / 100 * 216, 39.290780141843975 / 100 * 174, 2),
        (58.38849487785658 / 100 * 216, 30.78014184397163 / 100 * 174, 2),
        (70.50039401103231 / 100 * 216, 32.19858156028369 / 100 * 174, 2),
    )
    assert pose.geometry.points[3:] == ((0.0, 0.0, 0), (0.0, 0.0, 0))
    # Point-to-box relations repeat parentID; only the box-to-itself relation is foreign.
    assert len(warnings) == 1 and "from 'hplPm0Szvc' to 'hplPm0Szvc'" in warnings[0]
    assert unrepresented_results(SDK_KEYPOINT_RESULT, config, 216, 174) == [SDK_KEYPOINT_RESULT[5]]

    # Written back with its parent, the instance is read again under the same uuid.
    classes = {c.name: c for c in config.classes()}
    items = region_to_results(box.uuid, box.geometry, classes["person"], {}, 216, 174)
    items += region_to_results(
        pose.uuid, pose.geometry, classes["keypoints"], {}, 216, 174, parent_id=pose.parent_id
    )
    assert {item["parentID"] for item in items if "parentID" in item} == {"hplPm0Szvc"}
    again, warnings = results_to_regions(through_json(items), config, 216, 174)
    assert warnings == []
    assert [(r.uuid, r.parent_id) for r in again] == [
        ("hplPm0Szvc", None),
        ("hplPm0Szvc:keypoints", "hplPm0Szvc"),
    ]
    assert_same_geometry(again[1].geometry, pose.geometry)


# ---------------------------------------------------------------------------------------
# Attributes
# ---------------------------------------------------------------------------------------


def test_attribute_items(classes: dict[str, LSClassSpec]) -> None:
    box = Box(64.0, 42.7, 128.0, 85.4)
    attributes = {"occluded": "yes", "tags": ["cut", "small"], "note": "two\nlines", "count": 3}
    items = region_to_results("a", box, classes["Car"], attributes, W, H)
    geometry_value = {k: v for k, v in items[0]["value"].items() if k != "rectanglelabels"}
    assert [item["id"] for item in items] == ["a"] * 5
    assert [(item["type"], item["from_name"]) for item in items[1:]] == [
        ("choices", "occluded"),
        ("choices", "tags"),
        ("textarea", "note"),
        ("number", "count"),
    ]
    values = [item["value"] for item in items[1:]]
    assert values == [
        {**geometry_value, "choices": ["yes"]},
        {**geometry_value, "choices": ["small", "cut"]},  # in the config's order
        {**geometry_value, "text": ["two\nlines"]},
        {**geometry_value, "number": 3},
    ]
    assert all(item["to_name"] == "img" for item in items)


def test_attributes_round_trip(config: LSConfig, classes: dict[str, LSClassSpec]) -> None:
    cases = [
        ("Car", Box(1.0, 2.0, 30.0, 40.0), {"occluded": "no", "make": "volkswagen", "count": 2.5}),
        ("Person", Box(1.0, 2.0, 30.0, 40.0), {"tags": ["small", "blurry"], "count": 0}),
        ("Road", Polygon.from_points([(1, 1), (50, 1), (25, 40)]), {"note": "wet"}),
        ("Sky", Mask.from_array(_blob()), {"occluded": "yes", "tags": ["cut"]}),
        (
            "pose",
            Keypoints(((0, 0, 0), (3.0, 4.0, 1), (5.0, 6.0, 2))),
            {"note": "x", "occluded": "no"},
        ),
    ]
    for number, (name, geometry, attributes) in enumerate(cases):
        _, regions, warnings = round_trip(f"r{number}", geometry, classes[name], config, attributes)
        assert warnings == []
        (region,) = regions
        assert dict(region.attributes) == attributes
        assert_same_geometry(region.geometry, geometry)


def test_keypoint_attributes_attach_to_the_first_labeled_point(
    classes: dict[str, LSClassSpec],
) -> None:
    keypoints = Keypoints(((0, 0, 0), (3.0, 4.0, 1), (5.0, 6.0, 2)))
    items = region_to_results("k", keypoints, classes["pose"], {"occluded": "yes"}, W, H)
    (attribute,) = [item for item in items if item["type"] == "choices"]
    assert attribute["id"] == "k:1"
    assert attribute["value"] == {
        "x": 3.0 / W * 100,
        "y": 4.0 / H * 100,
        "width": KEYPOINT_WIDTH,
        "choices": ["yes"],
    }


def test_unset_attributes_are_not_written(classes: dict[str, LSClassSpec]) -> None:
    attributes = {"occluded": None, "tags": [], "note": "", "count": None}
    items = region_to_results("u", Box(0.0, 0.0, 1.0, 1.0), classes["Car"], attributes, W, H)
    assert len(items) == 1


@pytest.mark.parametrize(
    ("name", "attributes", "message"),
    [
        ("Car", {"colour": "red"}, "'colour' of annotation x has no per-region control"),
        ("Person", {"make": "bmw"}, "'make'"),  # whenLabelValue="Car" only
        ("Car", {"occluded": "maybe"}, "'maybe' is not one of yes, no"),
        ("Car", {"tags": ["huge"]}, "not among"),
        ("Car", {"count": "three"}, "expected a number"),
        ("Car", {"count": True}, "expected a number"),
    ],
)
def test_attribute_refusals(
    classes: dict[str, LSClassSpec], name: str, attributes: dict[str, Any], message: str
) -> None:
    with pytest.raises(LabelStudioFormatError, match=_literal(message)):
        region_to_results("x", Box(0.0, 0.0, 1.0, 1.0), classes[name], attributes, W, H)


def test_attribute_items_that_cannot_be_read(
    config: LSConfig, classes: dict[str, LSClassSpec]
) -> None:
    items = region_to_results("a", Box(1.0, 2.0, 3.0, 4.0), classes["Person"], {}, W, H)
    base = {"to_name": "img", "type": "choices", "value": {"x": 1, "y": 1, "width": 1, "height": 1}}
    extra = [
        {**base, "id": "a", "from_name": "occluded", "value": {"choices": ["perhaps"]}},
        {**base, "id": "a", "from_name": "make", "value": {"choices": ["bmw"]}},
        {**base, "id": "a", "from_name": "occluded", "value": {"choices": ["yes", "no"]}},
        {**base, "id": "nobody", "from_name": "occluded", "value": {"choices": ["yes"]}},
        {**base, "id": "a", "from_name": "gone", "value": {"choices": ["yes"]}},
        {**base, "id": "a", "from_name": "tags", "value": {"choices": ["small"]}},
        {**base, "id": "a", "from_name": "tags", "value": {"choices": ["cut"]}},
    ]
    (region,), warnings = results_to_regions(items + extra, config, W, H)
    assert dict(region.attributes) == {"tags": ["small"]}
    assert len(warnings) == 6
    assert "'perhaps'" in warnings[0]
    assert "does not apply to class 'Person'" in warnings[1]
    assert "takes one choice" in warnings[2]
    assert "belongs to no region" in warnings[3]
    assert "no control named 'gone'" in warnings[4]
    assert "kept ['small']" in warnings[5]


def test_textarea_with_several_entries_is_joined(
    config: LSConfig, classes: dict[str, LSClassSpec]
) -> None:
    items = region_to_results("t", Box(1.0, 2.0, 3.0, 4.0), classes["Car"], {}, W, H)
    items.append(
        {
            "id": "t",
            "type": "textarea",
            "from_name": "note",
            "to_name": "img",
            "value": {"text": ["first", "second"]},
        }
    )
    (region,), warnings = results_to_regions(items, config, W, H)
    assert warnings == []
    assert dict(region.attributes) == {"note": "first\nsecond"}


# ---------------------------------------------------------------------------------------
# Everything else in a result
# ---------------------------------------------------------------------------------------


def test_foreign_items_are_reported_and_kept(
    config: LSConfig, classes: dict[str, LSClassSpec]
) -> None:
    box_items = region_to_results("b", Box(1.0, 2.0, 3.0, 4.0), classes["Car"], {}, W, H)
    foreign = [
        {
            "id": "c1",
            "from_name": "scene",
            "to_name": "img",
            "type": "choices",
            "value": {"choices": ["dusk"]},  # not an option of the scene tag
        },
        {
            "id": "e1",
            "from_name": "ell",
            "to_name": "img",
            "type": "ellipselabels",
            "value": {"x": 1, "y": 1, "radiusX": 2, "radiusY": 2, "ellipselabels": ["Car"]},
        },
        {
            "id": "x1",
            "from_name": "bbox",
            "to_name": "img",
            "type": "rectanglelabels",
            "value": {"x": 1, "y": 1, "width": 2, "height": 2, "rectanglelabels": ["Bus"]},
        },
        {
            "id": "x2",
            "from_name": "gone",
            "to_name": "img",
            "type": "rectanglelabels",
            "value": {"x": 1, "y": 1, "width": 2, "height": 2, "rectanglelabels": ["Car"]},
        },
        {
            "id": "x3",
            "from_name": "poly",
            "to_name": "img",
            "type": "rectanglelabels",
            "value": {"x": 1, "y": 1, "width": 2, "height": 2, "rectanglelabels": ["Car"]},
        },
        {
            "id": "x4",
            "from_name": "bbox",
            "to_name": "img",
            "type": "rectanglelabels",
            "value": {"x": "1", "y": 1, "width": 2, "height": 2, "rectanglelabels": ["Car"]},
        },
        {
            "id": "x5",
            "from_name": "bbox",
            "to_name": "img",
            "type": "rectanglelabels",
            "value": {"x": 1, "y": 1, "width": 0, "height": 2, "rectanglelabels": ["Car"]},
        },
        {
            "id": "b",
            "from_name": "bbox",
            "to_name": "img",
            "type": "rectanglelabels",
            "value": {"x": 1, "y": 1, "width": 2, "height": 2, "rectanglelabels": ["Car"]},
        },
        {"type": "relation", "from_id": "b", "to_id": "c1", "direction": "right"},
        "not an object",
    ]
    result = through_json(box_items + foreign)
    regions, warnings = results_to_regions(result, config, W, H)
    assert [r.uuid for r in regions] == ["b"]
    assert len(warnings) == len(foreign)
    expected_fragments = [
        "result item 10 is str",
        "'x1'",
        "'x2'",
        "'x3'",
        "'x4'",
        "'x5'",
        "already has id 'b'",
        "'c1'",
        "'e1'",
        "relation from 'b' to 'c1'",
    ]
    for fragment in expected_fragments:
        assert any(fragment in warning for warning in warnings), fragment
    assert unrepresented_results(result, config, W, H) == result[1:]


def test_region_types() -> None:
    assert issubclass(LSRegion, Region)
    assert issubclass(LSClassSpec, ClassSpec)


def test_kind_mismatch_and_bad_sizes(classes: dict[str, LSClassSpec]) -> None:
    with pytest.raises(LabelStudioFormatError, match="is a polygon but class 'Car' holds box"):
        region_to_results(
            "x", Polygon.from_points([(0, 0), (1, 0), (0, 1)]), classes["Car"], {}, W, H
        )
    with pytest.raises(LabelStudioFormatError, match="does not come from a Label Studio config"):
        region_to_results("x", Box(0.0, 0.0, 1.0, 1.0), ClassSpec("Car", "box"), {}, W, H)  # type: ignore[arg-type]
    with pytest.raises(LabelStudioFormatError, match="width must be a positive integer"):
        region_to_results("x", Box(0.0, 0.0, 1.0, 1.0), classes["Car"], {}, 0, H)


def test_result_must_be_a_list(config: LSConfig) -> None:
    with pytest.raises(LabelStudioFormatError, match="must be a list"):
        results_to_regions({"id": "x"}, config, W, H)  # type: ignore[arg-type]


def test_an_item_whose_type_is_not_its_controls_is_malformed_not_kept() -> None:
    """Label Studio types each item after the control that made it: a type that contradicts
    the named control is broken data, while a valid answer limner has no form for (a
    date, an item of a control the config no longer has) is kept."""
    config = parse_label_config(
        CONFIG.replace("<Relations>", '<DateTime name="when" toName="img"/><Relations>')
    )
    value = {"x": 10, "y": 10, "width": 20, "height": 20, "rotation": 0}
    result = [
        {
            "id": "sq",
            "type": "squigglelabels",
            "from_name": "bbox",
            "to_name": "img",
            "value": {**value, "squiggles": ["Car"]},
        },
        {"id": "st", "type": "datetime", "from_name": "when", "to_name": "img",
         "value": {"datetime": "2026-01-01"}},
        {"id": "ov", "type": "ellipselabels", "from_name": "oval", "to_name": "img",
         "value": {**value, "ellipselabels": ["Car"]}},
        {"id": "ok", "type": "rectanglelabels", "from_name": "bbox", "to_name": "img",
         "value": {**value, "rectanglelabels": ["Car"]}},
    ]
    task = {"annotations": [{"id": 7, "result": copy.deepcopy(result)}]}
    (container,) = read_containers(task, config, W, H)
    found = {r.key: r for r in container.regions}
    assert found["ok"].region is not None and found["ok"].problem_kind != "malformed"
    kinds = {key: r.problem_kind for key, r in found.items() if r.region is None}
    assert kinds == {"sq": "malformed", "st": "kept", "ov": "kept"}
    assert "'bbox' is a rectanglelabels control, not squigglelabels" in (found["sq"].problem or "")
    assert [r.raw for r in found.values() if r.region is None] == [[item] for item in result[:3]]
