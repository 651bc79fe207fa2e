"""CVAT for images 1.1: every shape CVAT has, its labels, attributes, skeletons and tags.

The XML here is written by the tests from CVAT's published description of the format
("XML annotation format", version 1.1: ``<meta>`` with labels, typed attributes and a
skeleton's SVG, then ``<image>`` elements with ``box``, ``polygon``, ``polyline``,
``points``, ``ellipse``, ``mask`` with its row-by-row ``rle``, ``skeleton`` and ``tag``);
nothing is copied from CVAT or its exports.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from limner.models.domain.attributes import AttributeSpec
from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Keypoints,
    Mask,
    Point,
    Polygon,
    PolygonPart,
    Polyline,
    Skeleton,
    Tag,
    TagSpec,
)
from limner.models.formats import registry
from limner.models.formats.base import ClassSpec, ImageLabels, Shape
from limner.models.formats.cvat import FORMAT
from limner.models.imaging.mask_ops import polygon_to_mask_geometry
from tests.models.formats.shape_checks import assert_same_images

SVG = (
    '<line x1="36.8" y1="47.7" x2="86.8" y2="10.7" data-type="edge" data-node-from="2" '
    'data-node-to="3"></line><line x1="25.1" y1="22.6" x2="36.8" y2="47.7" data-type="edge" '
    'data-node-from="1" data-node-to="2"></line>'
    '<circle r="1.5" cx="25.1" cy="22.6" data-type="element node" data-element-id="1" '
    'data-node-id="1" data-label-name="nose"></circle>'
    '<circle r="1.5" cx="36.8" cy="47.7" data-type="element node" data-element-id="2" '
    'data-node-id="2" data-label-name="neck"></circle>'
    '<circle r="1.5" cx="86.8" cy="10.7" data-type="element node" data-element-id="3" '
    'data-node-id="3" data-label-name="tail"></circle>'
)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(name: str, input_type: str, default: str, values: str) -> str:
    return (
        f"<attribute><name>{name}</name><mutable>False</mutable>"
        f"<input_type>{input_type}</input_type><default_value>{default}</default_value>"
        f"<values>{values}</values></attribute>"
    )


LABELS = f"""
<label><name>car</name><color>#fa3253</color><type>rectangle</type><attributes>
  {_attribute("model", "select", "sedan", "sedan&#10;van&#10;truck")}
  {_attribute("parked", "checkbox", "false", "false")}
  {_attribute("plate", "text", "", "")}
</attributes></label>
<label><name>road</name><color>#33ddff</color><type>polygon</type><attributes/></label>
<label><name>lane</name><color>#34d1b7</color><type>polyline</type><attributes/></label>
<label><name>wheel</name><color>#ff00cc</color><type>points</type><attributes/></label>
<label><name>coin</name><color>#aaaa00</color><type>ellipse</type><attributes/></label>
<label><name>stain</name><color>#b83df5</color><type>mask</type><attributes/></label>
<label><name>animal</name><color>#3d3df5</color><type>skeleton</type><attributes/>
  <svg>{_escape(SVG)}</svg></label>
<label><name>nose</name><type>points</type><attributes/><parent>animal</parent></label>
<label><name>neck</name><type>points</type><attributes/><parent>animal</parent></label>
<label><name>tail</name><type>points</type><attributes/><parent>animal</parent></label>
<label><name>good_frame</name><color>#ffffff</color><type>tag</type><attributes/></label>
<label><name>weather</name><color>#000000</color><type>tag</type><attributes>
  {_attribute("weather", "select", "sun", "sun&#10;rain")}
</attributes></label>
"""

IMAGE_0 = """
<image id="0" name="street/000.jpg" width="64" height="48">
  <box label="car" source="manual" occluded="1" xtl="10.5" ytl="8.25" xbr="30" ybr="20.75"
       z_order="2">
    <attribute name="model">van</attribute>
    <attribute name="parked">true</attribute>
    <attribute name="plate">AB 123</attribute>
  </box>
  <box label="car" source="auto" occluded="0" xtl="40" ytl="10" xbr="50" ybr="16"
       z_order="0" rotation="30">
    <attribute name="model">sedan</attribute>
    <attribute name="parked">false</attribute>
    <attribute name="plate">7</attribute>
  </box>
  <polygon label="road" source="manual" occluded="0" points="0,47;20,30.5;40,30.5;63,47"
           z_order="0"/>
  <polygon label="road" source="manual" occluded="0" points="0,0;5,0;5,5" z_order="0"
           group_id="3"/>
  <polygon label="road" source="manual" occluded="0" points="10,0;15,0;15,5" z_order="0"
           group_id="3"/>
  <polyline label="lane" source="manual" occluded="0" points="1,1;10,12;20,14" z_order="1"/>
  <points label="wheel" source="manual" occluded="0" points="12,21;28,21;45,17;49,17"
          z_order="0"/>
  <points label="wheel" source="manual" occluded="0" points="3.5,4.5" z_order="0"
          group_id="5"/>
  <box label="car" source="manual" occluded="0" xtl="1" ytl="2" xbr="6" ybr="8" z_order="0"
       group_id="5"><attribute name="model">truck</attribute>
    <attribute name="parked">false</attribute><attribute name="plate"></attribute></box>
  <ellipse label="coin" source="manual" occluded="0" cx="30" cy="30" rx="4" ry="2.5"
           rotation="15" z_order="0"/>
  <mask label="stain" source="manual" occluded="0" rle="3, 2, 1, 3, 2, 4, 3, 2"
        left="50" top="40" width="5" height="4" z_order="0"/>
  <skeleton label="animal" source="manual" z_order="0">
    <points label="nose" source="manual" occluded="0" outside="0" points="20.5,22"/>
    <points label="neck" source="manual" occluded="1" outside="0" points="25,28"/>
    <points label="tail" source="manual" occluded="0" outside="1" points="0,0"/>
  </skeleton>
  <tag label="good_frame" source="manual"/>
  <tag label="weather" source="manual"><attribute name="weather">rain</attribute></tag>
</image>
"""

IMAGE_1 = '<image id="1" name="empty.png" width="10" height="10"></image>'


def _document(labels: str = LABELS, images: str = IMAGE_0 + IMAGE_1) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta>
    <task>
      <id>4</id><name>streets</name><size>2</size><mode>annotation</mode>
      <overlap>0</overlap><bugtracker></bugtracker><flipped>False</flipped>
      <created>2024-01-01 10:00:00.000000+00:00</created>
      <labels>{labels}</labels>
      <segments><segment><id>4</id><start>0</start><stop>1</stop><url>u</url></segment>
      </segments>
      <owner><username>someone</username><email></email></owner>
    </task>
    <dumped>2024-01-02 10:00:00.000000+00:00</dumped>
  </meta>
  {images}
</annotations>
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- what the file means in limner terms ---------------------------------------------------


def test_labels_become_classes_with_attributes_and_skeletons(tmp_path: Path) -> None:
    reading = FORMAT.read(_write(tmp_path / "annotations.xml", _document()))
    by_name = {spec.name: spec for spec in reading.classes}
    assert list(by_name) == [
        "car", "road", "lane", "wheel", "coin", "stain", "animal", "good_frame", "weather"
    ]  # fmt: skip
    car = by_name["car"]
    assert (car.kind, car.color) == ("box", "#fa3253")
    assert car.attribute_schema == (
        AttributeSpec("model", "choice", ("sedan", "van", "truck")),
        AttributeSpec("parked", "bool"),
        AttributeSpec("plate", "text"),
    )
    assert by_name["animal"].skeleton == Skeleton(("nose", "neck", "tail"), ((1, 2), (0, 1)))
    assert by_name["wheel"].kind == "point" and by_name["weather"].kind == "tag"
    assert by_name["weather"].tag == TagSpec("single", ("sun", "rain"))
    assert by_name["weather"].attribute_schema == ()
    assert by_name["good_frame"].tag == TagSpec("single", ("good_frame",))
    list(reading.images)
    assert [loss.what for loss in reading.losses] == ["<meta> task details"]


def test_every_shape_is_read_as_the_limner_shape_it_is(tmp_path: Path) -> None:
    reading = FORMAT.read(_write(tmp_path / "annotations.xml", _document()))
    image, empty = reading.images
    assert (image.name, image.width, image.height, image.id) == ("street/000.jpg", 64, 48, 0)
    assert empty.shapes == () and image.losses == ()
    shapes = image.shapes
    parked, turned, road, house, lane, *wheels, grouped_car, coin, stain, animal = shapes[:-2]
    assert parked.geometry == Box(10.5, 8.25, 30, 20.75) and parked.z == 2
    assert dict(parked.attributes) == {
        "model": "van", "parked": True, "plate": "AB 123", "occluded": True
    }  # fmt: skip
    assert turned.geometry == Box(40, 10, 50, 16, 30)
    assert turned.attributes["source"] == "auto" and turned.attributes["plate"] == "7"
    assert turned.attributes["parked"] is False
    assert isinstance(house.geometry, Polygon) and len(house.geometry.parts) == 2
    assert house.group is None and road.group is None
    assert lane.geometry == Polyline(((1, 1), (10, 12), (20, 14))) and lane.z == 1
    assert [w.geometry for w in wheels] == [
        Point(12, 21), Point(28, 21), Point(45, 17), Point(49, 17), Point(3.5, 4.5)
    ]  # fmt: skip
    assert len({w.group for w in wheels[:4]}) == 1 and wheels[0].group is not None
    assert wheels[4].group == grouped_car.group == "5"
    assert coin.geometry == Ellipse(30, 30, 4, 2.5, 15)
    expected = np.zeros((4, 5), dtype=bool).ravel()
    runs = [3, 2, 1, 3, 2, 4, 3, 2]
    position = 0
    for index, run in enumerate(runs):
        expected[position : position + run] = index % 2 == 1
        position += run
    assert isinstance(stain.geometry, Mask)
    assert np.array_equal(stain.geometry.to_array()[40:44, 50:55], expected.reshape(4, 5))
    assert animal.geometry == Keypoints(((20.5, 22.0, 2), (25.0, 28.0, 1), (0.0, 0.0, 0)))
    good, weather = shapes[-2:]
    assert (good.class_name, good.geometry) == ("good_frame", Tag("good_frame"))
    assert (weather.class_name, weather.geometry) == ("weather", Tag("rain"))


# -- CVAT -> limner -> CVAT ----------------------------------------------------------------


def _points(text: str) -> list[tuple[float, float]]:
    return [tuple(float(v) for v in pair.split(",")) for pair in text.split(";")]  # type: ignore[misc]


def _mask_pixels(element: ET.Element) -> set[tuple[int, int]]:
    """The (x, y) of every set pixel of a CVAT mask, in the image."""
    left, top, width = (int(element.get(k) or 0) for k in ("left", "top", "width"))
    pixels = set()
    position = 0
    for index, run in enumerate(int(v) for v in (element.get("rle") or "").split(",")):
        if index % 2:
            pixels.update(
                (left + p % width, top + p // width) for p in range(position, position + run)
            )
        position += run
    return pixels


_NUMERIC = ("xtl", "ytl", "xbr", "ybr", "cx", "cy", "rx", "ry", "rotation")


def _shape_meaning(element: ET.Element, group: int | None) -> dict[str, Any]:
    fields: dict[str, Any] = {"tag": element.tag, "group": group}
    for key, value in element.attrib.items():
        if key == "group_id":
            continue
        if key == "points":
            fields[key] = [(round(x, 9), round(y, 9)) for x, y in _points(value)]
        elif key in _NUMERIC:
            fields[key] = round(float(value), 9)
        elif key == "rle":
            fields[key] = _mask_pixels(element)
        elif key in ("left", "top", "width", "height") and element.tag == "mask":
            continue  # the pixels say where the mask is; its crop may be tighter
        else:
            fields[key] = value
    fields.setdefault("rotation", 0.0) if element.tag in ("box", "ellipse") else None
    fields.setdefault("occluded", "0") if element.tag != "tag" else None
    fields["attributes"] = {a.get("name"): a.text or "" for a in element.iterfind("attribute")}
    fields["points_of"] = [_shape_meaning(p, None) for p in element.iterfind("points")]
    return fields


def _label_meaning(label: ET.Element) -> dict[str, Any]:
    attributes = [
        (a.findtext("name"), a.findtext("input_type"), a.findtext("values") or "")
        for a in label.iterfind("attributes/attribute")
    ]
    svg = label.findtext("svg") or ""
    return {
        "name": label.findtext("name"),
        "color": label.findtext("color"),
        "type": label.findtext("type"),
        "parent": label.findtext("parent"),
        "attributes": attributes,
        "edges": svg.count("<line"),
        "nodes": sorted(part.split('"')[0] for part in svg.split('data-label-name="')[1:]),
    }


def _meaning(path: Path) -> dict[str, Any]:
    """What a CVAT file says, as CVAT's importer looks at it: labels and images."""
    root = ET.parse(path).getroot()
    images = []
    for image in root.iterfind("image"):
        numbers: dict[str, int] = {}
        shapes = []
        for child in image:
            gid = child.get("group_id")
            group = None if gid in (None, "0") else numbers.setdefault(gid, len(numbers))
            shapes.append(_shape_meaning(child, group))
        images.append((image.get("id"), image.get("name"), image.get("width"),
                       image.get("height"), shapes))  # fmt: skip
    return {
        "version": root.findtext("version"),
        "labels": [_label_meaning(label) for label in root.iterfind("meta/task/labels/label")],
        "images": images,
    }


def test_cvat_files_read_and_write_back_equivalent(tmp_path: Path) -> None:
    source = _write(tmp_path / "in" / "annotations.xml", _document())
    reading = FORMAT.read(source)
    images = list(reading.images)
    losses = FORMAT.write(images, reading.classes, tmp_path / "out.xml")
    assert losses == []
    assert _meaning(tmp_path / "out.xml") == _meaning(source)
    assert not list(tmp_path.glob("*.tmp"))


# -- limner -> CVAT -> limner --------------------------------------------------------------

SKELETON = Skeleton(("head", "left", "right"), ((0, 1), (0, 2)))
CLASSES = [
    ClassSpec(
        "car",
        "box",
        "#ff0000",
        attribute_schema=(
            AttributeSpec("make", "choice", ("fiat", "audi")),
            AttributeSpec("new", "bool"),
            AttributeSpec("doors", "number"),
            AttributeSpec("note", "text"),
        ),
    ),
    ClassSpec("person", "keypoints", "#00ff00", skeleton=SKELETON),
    ClassSpec("area", "polygon", "#0000ff"),
    ClassSpec("weather", "tag", tag=TagSpec("single", ("rain", "sun"))),
    ClassSpec("quality", "tag", tag=TagSpec("number", (), 1, 5)),
    ClassSpec("caption", "tag", tag=TagSpec("text")),
]


def _limner_image() -> ImageLabels:
    mask = np.zeros((48, 64), dtype=bool)
    mask[5:9, 10:20] = True
    mask[30, 40] = True
    shapes = (
        Shape(
            Box(1.125, 2.5, 30.75, 20.0),
            "car",
            {"make": "audi", "new": True, "doors": 3, "note": "dent", "occluded": True},
            z=3,
        ),
        Shape(Box.from_centre(40, 30, 10, 4, 123.456), "car", {"make": "fiat", "doors": 2.5}),
        Shape(Polygon.from_points([(1, 1), (9, 2), (5, 7.5)]), "area", {"source": "semi-auto"}),
        Shape(
            Polygon(
                (
                    PolygonPart(((0.5, 0.5), (10.25, 0.5), (5.0, 8.125))),
                    PolygonPart(((20.0, 20.0), (30.0, 20.0), (25.0, 29.0))),
                )
            ),
            "area",
        ),
        Shape(Polyline(((0.0, 0.0), (3.5, 4.5), (9.0, 1.0))), "lane", {"width": 0.25}),
        Shape(Point(2.0, 3.0), "eye", {"left": True}),
        Shape(Point(5.0, 6.0), "dots", group="d"),
        Shape(Point(7.0, 8.0), "dots", group="d"),
        Shape(Point(9.0, 9.5), "dots", group="g"),
        Shape(Box(0.0, 0.0, 6.0, 6.0), "face", group="g"),
        Shape(Ellipse(40, 30, 4.5, 2.25, 12.0), "coin"),
        Shape(Mask.from_array(mask), "stain", {"fresh": False}),
        Shape(Keypoints(((10.0, 11.0, 2), (0.0, 0.0, 0), (13.5, 14.0, 1))), "person"),
        Shape(Tag("rain"), "weather"),
        Shape(Tag(("cat", "dog")), "animals"),
        Shape(Tag("sunny_day"), "sunny_day"),
        Shape(Tag(4), "quality"),
        Shape(Tag("two cars"), "caption"),
    )
    return ImageLabels("shots/a.jpg", shapes, 64, 48, id=7)


def test_every_kind_cvat_holds_comes_back_exactly(tmp_path: Path) -> None:
    images = [_limner_image(), ImageLabels("b.png", (), 5, 5)]
    assert FORMAT.write(images, CLASSES, tmp_path / "a.xml") == []
    reading = FORMAT.read(tmp_path / "a.xml")
    back = list(reading.images)
    assert_same_images(images, back)
    assert back[0].id == 7 and back[0].shapes[0].z == 3
    declared = {spec.name: spec for spec in reading.classes}
    for spec in CLASSES:
        got = declared[spec.name]
        assert (got.kind, got.color, got.skeleton) == (spec.kind, spec.color, spec.skeleton)
        assert got.attribute_schema == spec.attribute_schema
        assert got.tag == spec.tag
    assert [a.type for a in declared["lane"].attribute_schema] == ["number"]
    assert [a.type for a in declared["eye"].attribute_schema] == ["bool"]


def test_what_cvat_cannot_hold_is_written_near_it_and_named(tmp_path: Path) -> None:
    holed = Polygon(
        (PolygonPart(((0, 0), (20, 0), (20, 20), (0, 20)), (((5, 5), (15, 5), (15, 15)),)),)
    )
    shapes = (
        Shape(holed, "frame", id=1),
        Shape(Keypoints(((1.0, 2.0, 2),)), "person", id=2),
        Shape(Box(0, 0, 1, 1), "car", {"new": "yes", "make": "fiat"}, id=3, source="prediction"),
        Shape(Box(0, 0, 1, 1), None, id=4),
        Shape(Polygon.from_points([(0, 0), (4, 0), (4, 4)]), "tile", id=5, group="g"),
        Shape(Polygon.from_points([(9, 9), (14, 9), (14, 14)]), "tile", id=6, group="g"),
        Shape(Box(0, 0, 2, 2), "box", {"tags": ["a", "b"]}, id=7),
    )
    losses = FORMAT.write([ImageLabels("x.jpg", shapes, 64, 48)], CLASSES, tmp_path / "x.xml")
    named = {(loss.annotation, loss.what) for loss in losses}
    assert named == {
        (1, "polygon hole"),
        (2, "keypoints"),
        (3, "attribute 'new'"),
        (3, "prediction"),
        (4, "class"),
        (6, "group"),
        (7, "attribute 'tags'"),
    }
    (back,) = FORMAT.read(tmp_path / "x.xml").images
    assert back.shapes[0].geometry == polygon_to_mask_geometry(holed, 64, 48)
    assert back.shapes[1].attributes["source"] == "auto"


def test_cvat_rle_counts_rows_from_an_unset_run(tmp_path: Path) -> None:
    mask = np.zeros((10, 10), dtype=bool)
    mask[2, 3:6] = True
    mask[3, 3] = True
    image = ImageLabels("m.png", (Shape(Mask.from_array(mask), "blob"),), 10, 10)
    FORMAT.write([image], [], tmp_path / "m.xml")
    element = ET.parse(tmp_path / "m.xml").getroot().find("image/mask")
    assert element is not None
    assert (element.get("left"), element.get("top")) == ("3", "2")
    assert (element.get("width"), element.get("height")) == ("3", "2")
    assert element.get("rle") == "0, 4, 2"


# -- detection, exports and bad files ------------------------------------------------------


def test_detection_of_exports_files_and_zips_says_why(tmp_path: Path) -> None:
    export = tmp_path / "export"
    _write(export / "annotations.xml", _document())
    (export / "images" / "street").mkdir(parents=True)
    (export / "images" / "street" / "000.jpg").write_bytes(b"")
    choice = registry.detect(export)
    assert choice.format.name == "cvat"
    assert "<image>" in choice.detection.reason
    image = next(iter(FORMAT.read(export).images))
    assert image.path == export / "images" / "street" / "000.jpg"
    archive = tmp_path / "task.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(export / "annotations.xml", "annotations.xml")
    assert registry.detect(archive).format.name == "cvat"
    assert [i.name for i in FORMAT.read(archive).images] == ["street/000.jpg", "empty.png"]
    voc = _write(tmp_path / "voc.xml", "<annotation><filename>a.jpg</filename></annotation>")
    assert not FORMAT.detect(voc)


def test_tracks_and_broken_shapes_are_named_and_the_rest_is_read(tmp_path: Path) -> None:
    images = """
    <image id="0" name="a.jpg" width="10" height="10">
      <box label="car" occluded="0" xtl="5" ytl="1" xbr="2" ybr="3" z_order="0"/>
      <cuboid label="car" occluded="0" xtl1="1" z_order="0"/>
      <mask label="stain" occluded="0" rle="1, 2" left="0" top="0" width="3" height="3"/>
      <polygon label="road" occluded="0" points="0,0;1,1;2,2" z_order="0"/>
      <box label="car" occluded="0" xtl="1" ytl="1" xbr="2" ybr="3" z_order="0"/>
    </image>
    <track id="0" label="car"><box frame="0" xtl="1" ytl="1" xbr="2" ybr="2" outside="0"
      occluded="0" keyframe="1"/></track>
    """
    reading = FORMAT.read(_write(tmp_path / "a.xml", _document(images=images)))
    (image,) = reading.images
    assert [s.geometry for s in image.shapes] == [Box(2, 1, 5, 3), Box(1, 1, 2, 3)]
    assert [(loss.annotation, loss.what) for loss in image.losses] == [
        (2, "cuboid"),
        (3, "mask"),
        (4, "polygon"),
    ]
    assert "tracks" in {loss.what for loss in reading.losses}


def test_what_cvat_labels_say_that_limner_does_not_keep_is_named(tmp_path: Path) -> None:
    labels = f"""<label><name>car</name><type>rectangle</type><attributes>
      {_attribute("doors", "number", "2", "2&#10;5&#10;1")}
      {_attribute("colour", "radio", "red", "red&#10;blue")}
      {_attribute("seen", "checkbox", "true", "true")}
      <attribute><name>age</name><mutable>True</mutable><input_type>text</input_type>
        <default_value></default_value><values></values></attribute>
    </attributes></label>"""
    images = """<image id="0" name="a.jpg" width="9" height="9">
      <box label="car" occluded="0" xtl="1" ytl="1" xbr="2" ybr="2" z_order="0">
        <attribute name="doors">4</attribute><attribute name="colour">blue</attribute>
        <attribute name="seen">false</attribute><attribute name="age">3</attribute></box>
    </image>"""
    reading = FORMAT.read(_write(tmp_path / "a.xml", _document(labels, images)))
    (image,) = reading.images
    assert dict(image.shapes[0].attributes) == {
        "doors": 4, "colour": "blue", "seen": False, "age": "3"
    }  # fmt: skip
    said = {loss.what: loss.why for loss in reading.losses}
    assert "range" in said["attribute 'doors' of 'car'"]
    assert "select" in said["attribute 'colour' of 'car'"]
    assert "default" in said["attribute 'seen' of 'car'"]
    assert "mutab" in said["attribute 'age' of 'car'"]


def test_a_turned_box_keeps_its_corners(tmp_path: Path) -> None:
    box = Box.from_centre(20, 20, 8, 2, 300.0)
    FORMAT.write([ImageLabels("t.jpg", (Shape(box, "car"),), 40, 40)], [], tmp_path / "t.xml")
    (back,) = FORMAT.read(tmp_path / "t.xml").images
    turned = back.shapes[0].geometry
    assert isinstance(turned, Box)
    for (ax, ay), (bx, by) in zip(turned.corners(), box.corners(), strict=True):
        assert math.isclose(ax, bx, abs_tol=1e-9) and math.isclose(ay, by, abs_tol=1e-9)


def test_values_on_one_line_and_shapes_without_a_label_as_converters_write_them(
    tmp_path: Path,
) -> None:
    # Some converters list an attribute's values on one line, separated by spaces, and
    # write a shape that has no label with label="".
    labels = f"""<label><name>car</name><attributes>
      {_attribute("kind", "select", "v1", "v1 v2 v3")}
    </attributes></label>"""
    images = """<image id="0" name="a.jpg" width="10" height="10">
      <box label="car" xtl="0" ytl="2" xbr="4" ybr="4"><attribute name="kind">v3</attribute></box>
      <polygon label="" points="1,2;3,4;6,5" z_order="1"/>
    </image>"""
    path = _write(tmp_path / "annotations.xml", _document(labels, images))
    reading = FORMAT.read(path)
    (car,) = reading.classes
    assert car.attribute_schema == (AttributeSpec("kind", "choice", ("v1", "v2", "v3")),)
    (image,) = list(reading.images)
    box, polygon = image.shapes
    assert (box.class_name, dict(box.attributes)) == ("car", {"kind": "v3"})
    assert polygon.class_name is None and polygon.kind == "polygon"
    assert image.losses == ()


def test_the_position_of_an_outside_skeleton_point_is_a_named_loss(tmp_path: Path) -> None:
    node = '&lt;circle data-type="element node" data-node-id="{}" data-label-name="{}"/&gt;'
    svg = node.format(1, "a") + node.format(2, "b")
    labels = f"""<label><name>hand</name><type>skeleton</type><attributes/>
      <svg>{svg}</svg>
    </label>
    <label><name>a</name><type>points</type><attributes/><parent>hand</parent></label>
    <label><name>b</name><type>points</type><attributes/><parent>hand</parent></label>"""
    images = """<image id="0" name="a.jpg" width="10" height="10">
      <skeleton label="hand" occluded="0" z_order="0">
        <points label="a" outside="1" occluded="0" points="1,1"/>
        <points label="b" outside="0" occluded="0" points="2,3"/>
      </skeleton>
    </image>"""
    reading = FORMAT.read(_write(tmp_path / "annotations.xml", _document(labels, images)))
    (image,) = list(reading.images)
    (hand,) = image.shapes
    assert hand.geometry.points == ((0.0, 0.0, 0), (2.0, 3.0, 2))
    assert "outside points of 'hand'" in [loss.what for loss in reading.losses]
