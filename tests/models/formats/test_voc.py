"""Pascal VOC: boxes and their flags both ways, files as the devkit describes them.

The files here are written by the tests from the VOC development kit's description of an
annotation (``<annotation>`` with ``<filename>``, ``<size>`` and ``<object>`` elements,
pixel indices counted from 1) and from the ``<attributes>`` block and ``labelmap.txt``
that Datumaro documents; nothing is copied from another project.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from limner.models.domain.geometry import Box, Keypoints, Mask, Point, Polygon, Tag
from limner.models.formats import registry
from limner.models.formats.base import ClassSpec, ImageLabels, Shape
from limner.models.formats.voc import FORMAT, VocFormat
from tests.models.formats.shape_checks import assert_same_images

# -- files written to the devkit's description ---------------------------------------------

VOC2007 = """<annotation>
  <folder>VOC2007</folder>
  <filename>000001.jpg</filename>
  <source><database>The VOC2007 Database</database><annotation>PASCAL VOC2007</annotation></source>
  <owner><name>somebody</name></owner>
  <size><width>353</width><height>500</height><depth>3</depth></size>
  <segmented>0</segmented>
  <object>
    <name>dog</name><pose>Left</pose><truncated>1</truncated><difficult>0</difficult>
    <bndbox><xmin>48</xmin><ymin>240</ymin><xmax>195</xmax><ymax>371</ymax></bndbox>
  </object>
  <object>
    <name>person</name><pose>Unspecified</pose><truncated>0</truncated><difficult>1</difficult>
    <bndbox><xmin>8</xmin><ymin>12</ymin><xmax>352</xmax><ymax>498</ymax></bndbox>
  </object>
</annotation>
"""

VOC2012 = """<annotation>
  <filename>2012_000003.jpg</filename>
  <size><width>500</width><height>375</height><depth>3</depth></size>
  <object>
    <name>person</name><pose>Frontal</pose><truncated>0</truncated><occluded>1</occluded>
    <difficult>0</difficult>
    <actions><jumping>0</jumping><phoning>1</phoning><reading>0</reading></actions>
    <point><x>216</x><y>120</y></point>
    <bndbox><xmin>174.5</xmin><ymin>101</ymin><xmax>349.25</xmax><ymax>351</ymax></bndbox>
    <part><name>head</name>
      <bndbox><xmin>200</xmin><ymin>102</ymin><xmax>240</xmax><ymax>150</ymax></bndbox></part>
    <part><name>hand</name>
      <bndbox><xmin>180</xmin><ymin>250</ymin><xmax>200</xmax><ymax>275</ymax></bndbox></part>
    <attributes>
      <attribute><name>score</name><value>0.75</value></attribute>
      <attribute><name>track</name><value>true</value></attribute>
      <attribute><name>colour</name><value>dark blue</value></attribute>
    </attributes>
  </object>
</annotation>
"""

LABELMAP = """# label:color_rgb:parts:actions
background:0,0,0::
dog:128,0,0::
person:0,128,0:head,hand:jumping,phoning,reading
"""


def _voc_folder(root: Path, files: dict[str, str], labelmap: str | None = LABELMAP) -> Path:
    for name, text in files.items():
        target = root / "Annotations" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (root / "JPEGImages").mkdir(exist_ok=True)
    if labelmap is not None:
        (root / "labelmap.txt").write_text(labelmap, encoding="utf-8")
    return root


def _parsed(path: Path) -> dict[str, Any]:
    """What a VOC file says, as plain data: what a reader of the format looks at."""
    root = ET.parse(path).getroot()
    size = root.find("size")
    return {
        "filename": root.findtext("filename"),
        "size": None
        if size is None
        else (size.findtext("width"), size.findtext("height")),
        "objects": [_parsed_object(obj) for obj in root.iterfind("object")],
    }


def _box(element: ET.Element) -> tuple[float, ...]:
    found = element.find("bndbox")
    assert found is not None
    return tuple(float(found.findtext(k) or "nan") for k in ("xmin", "ymin", "xmax", "ymax"))


def _parsed_object(obj: ET.Element) -> dict[str, Any]:
    fields: dict[str, Any] = {"name": obj.findtext("name"), "bndbox": _box(obj)}
    for tag in ("pose", "truncated", "difficult", "occluded"):
        if obj.find(tag) is not None:
            fields[tag] = obj.findtext(tag)
    for tag in ("actions", "point"):
        found = obj.find(tag)
        if found is not None:
            fields[tag] = {child.tag: float(child.text or "nan") for child in found}
    fields["parts"] = [(p.findtext("name"), _box(p)) for p in obj.iterfind("part")]
    fields["attributes"] = {
        a.findtext("name"): a.findtext("value") for a in obj.iterfind("attributes/attribute")
    }
    return fields


def _normalised(parsed: dict[str, Any]) -> dict[str, Any]:
    """Flags as numbers (``0``/``1`` or ``true``) and attribute values by meaning."""
    out = dict(parsed)
    objects = []
    for obj in parsed["objects"]:
        obj = dict(obj)
        obj["attributes"] = {k: _meaning(v) for k, v in obj["attributes"].items()}
        for tag in ("truncated", "difficult", "occluded"):
            if tag in obj:
                obj[tag] = _meaning(obj[tag])
        objects.append(obj)
    out["objects"] = objects
    return out


def _meaning(text: str | None) -> Any:
    lowered = (text or "").strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    try:
        return float(lowered)
    except ValueError:
        return text


# -- limner -> VOC -> limner ---------------------------------------------------------------


def _limner_images() -> list[ImageLabels]:
    person = Shape(
        Box(10.25, 20.5, 110.125, 220.0),
        "person",
        {
            "pose": "Left",
            "truncated": True,
            "difficult": False,
            "occluded": True,
            "actions": {"jumping": True, "reading": False},
            "score": 0.9,
            "count": 3,
            "reviewed": True,
            "note": "partly hidden",
            "tags": ["a", "b"],
        },
        group="p1",
    )
    head = Shape(Box(40.0, 21.0, 70.5, 60.0), "head", group="p1")
    car = Shape(Box(0.0, 0.0, 640.0, 480.0), "car")
    return [
        ImageLabels("street/001.jpg", (person, head, car), width=640, height=480),
        ImageLabels("002.png", (Shape(Box(1e-3, 2.5, 3.75, 4.0), "car"),), width=8, height=6),
        ImageLabels("empty.jpg", (), width=10, height=10),
    ]


CLASSES = [
    ClassSpec("person", color="#00ff00"),
    ClassSpec("car", color="#0000ff"),
    ClassSpec("head", color="#123456"),
]


def test_boxes_flags_attributes_groups_and_classes_come_back_exactly(tmp_path: Path) -> None:
    images = _limner_images()
    losses = FORMAT.write(images, CLASSES, tmp_path / "out")
    assert losses == []
    reading = FORMAT.read(tmp_path / "out")
    back = list(reading.images)
    assert_same_images(images, back, ordered=False)
    assert [(c.name, c.color) for c in reading.classes] == [(c.name, c.color) for c in CLASSES]
    assert reading.losses == []


def test_the_devkit_counts_pixels_from_one(tmp_path: Path) -> None:
    image = ImageLabels("a.jpg", (Shape(Box(0.0, 0.0, 353.0, 500.0), "dog"),), 353, 500)
    FORMAT.write([image], [ClassSpec("dog")], tmp_path)
    written = _parsed(tmp_path / "Annotations" / "a.xml")
    assert written["objects"][0]["bndbox"] == (1.0, 1.0, 353.0, 500.0)
    zero_based = VocFormat(one_based=False)
    zero_based.write([image], [ClassSpec("dog")], tmp_path / "zero")
    assert _parsed(tmp_path / "zero" / "Annotations" / "a.xml")["objects"][0]["bndbox"] == (
        0.0,
        0.0,
        353.0,
        500.0,
    )
    (back,) = zero_based.read(tmp_path / "zero").images
    assert back.shapes[0].geometry == image.shapes[0].geometry


# -- VOC -> limner -> VOC ------------------------------------------------------------------


def test_devkit_files_read_and_write_back_equivalent(tmp_path: Path) -> None:
    source = _voc_folder(tmp_path / "voc", {"000001.xml": VOC2007, "2012_000003.xml": VOC2012})
    reading = FORMAT.read(source)
    images = list(reading.images)
    losses = FORMAT.write(images, reading.classes, tmp_path / "again")
    assert losses == []
    for name in ("000001.xml", "2012_000003.xml"):
        original = _normalised(_parsed(source / "Annotations" / name))
        again = _normalised(_parsed(tmp_path / "again" / "Annotations" / name))
        assert again == original
    lines = (tmp_path / "again" / "labelmap.txt").read_text().splitlines()
    assert "dog:128,0,0::" in lines
    assert "person:0,128,0:head,hand:jumping,phoning,reading" in lines
    assert [c.name for c in reading.classes] == ["dog", "person", "head", "hand"]


def test_what_the_devkit_files_hold_in_limner_terms(tmp_path: Path) -> None:
    source = _voc_folder(tmp_path, {"000001.xml": VOC2007, "2012_000003.xml": VOC2012})
    reading = FORMAT.read(source)
    first, second = list(reading.images)
    assert (first.name, first.width, first.height) == ("000001.jpg", 353, 500)
    dog, person = first.shapes
    assert dog.geometry == Box(47.0, 239.0, 195.0, 371.0)
    assert dict(dog.attributes) == {"pose": "Left", "truncated": True, "difficult": False}
    assert person.attributes["difficult"] is True
    body, head, hand = second.shapes
    assert [s.class_name for s in second.shapes] == ["person", "head", "hand"]
    assert body.group == head.group == hand.group is not None
    assert body.geometry == Box(173.5, 100.0, 349.25, 351.0)
    assert body.attributes["actions"] == {"jumping": 0, "phoning": 1, "reading": 0}
    assert body.attributes["point"] == {"x": 216, "y": 120}
    assert body.attributes["score"] == 0.75 and body.attributes["track"] is True
    assert body.attributes["colour"] == "dark blue" and body.attributes["occluded"] is True
    lost = {loss.what for loss in reading.losses}
    assert lost == {"image element <folder>", "image element <source>", "image element <owner>"}
    assert body.provenance is not None and body.provenance.where == "object 1"


# -- what VOC cannot hold is named ---------------------------------------------------------


def test_shapes_other_than_boxes_are_boxed_or_left_out_and_named(tmp_path: Path) -> None:
    mask = np.zeros((6, 8), dtype=bool)
    mask[1:3, 2:5] = True
    shapes = (
        Shape(Polygon.from_points([(1, 1), (5, 1), (3, 4)]), "roof", id=11),
        Shape(Mask.from_array(mask), "stain", id=12),
        Shape(Box.from_centre(4, 3, 2, 2, 45), "sign", id=13),
        Shape(Point(2, 2), "eye", id=14),
        Shape(Keypoints(((1.0, 1.0, 2),)), "pose", id=15),
        Shape(Tag("sunny"), "weather", id=16),
        Shape(Box(0, 0, 1, 1), None, id=17),
        Shape(Box(0, 0, 2, 2), "car", {"code": "007"}, id=18, z=3, source="prediction"),
    )
    losses = FORMAT.write([ImageLabels("x.jpg", shapes, 8, 6)], CLASSES, tmp_path)
    named = {(loss.annotation, loss.what) for loss in losses}
    assert {
        (11, "polygon"),
        (12, "mask"),
        (13, "rotated box"),
        (14, "point"),
        (15, "keypoints"),
        (16, "tag"),
        (17, "class"),
        (18, "attribute 'code'"),
        (18, "z order"),
        (18, "prediction"),
    } <= named
    (back,) = FORMAT.read(tmp_path).images
    assert [s.class_name for s in back.shapes] == ["roof", "stain", "sign", "car"]
    assert back.shapes[1].geometry == Box(2, 1, 5, 3)
    half = 2**0.5
    turned = back.shapes[2].geometry
    assert isinstance(turned, Box)
    expected = (4 - half, 3 - half, 4 + half, 3 + half)
    assert (turned.x0, turned.y0, turned.x1, turned.y1) == pytest.approx(expected, abs=1e-9)


def test_integer_coordinates_round_outwards_and_say_so(tmp_path: Path) -> None:
    image = ImageLabels("a.jpg", (Shape(Box(1.5, 2.0, 3.25, 4.0), "car", id=1),), 10, 10)
    losses = VocFormat(integer_coordinates=True).write([image], CLASSES, tmp_path)
    assert [(loss.annotation, loss.what) for loss in losses] == [(1, "box coordinates")]
    box = _parsed(tmp_path / "Annotations" / "a.xml")["objects"][0]["bndbox"]
    assert box == (2.0, 3.0, 4.0, 4.0)


def test_an_unreadable_file_is_a_loss_and_the_others_are_read(tmp_path: Path) -> None:
    broken = "<annotation><object><name>dog</name>"
    entity = (
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]>'
        "<annotation><filename>&x;</filename></annotation>"
    )
    bad_box = VOC2007.replace("<xmax>195</xmax>", "<xmax>wide</xmax>")
    source = _voc_folder(
        tmp_path,
        {"a.xml": broken, "b.xml": entity, "c.xml": bad_box},
        labelmap=None,
    )
    reading = FORMAT.read(source)
    images = list(reading.images)
    assert [image.name for image in images] == ["000001.jpg"]
    assert [loss.what for loss in images[0].losses] == ["box"]
    assert "xmax is not a number" in images[0].losses[0].why
    assert [s.class_name for s in images[0].shapes] == ["person"]
    why = {Path(loss.image or "").name: loss.why for loss in reading.losses if loss.what == "file"}
    assert "not well-formed" in why["a.xml"]
    assert "entities" in why["b.xml"]


# -- detection -----------------------------------------------------------------------------


def test_detection_recognises_voc_folders_and_files_and_says_why(tmp_path: Path) -> None:
    voc = _voc_folder(tmp_path / "voc", {"000001.xml": VOC2007})
    choice = registry.detect(voc)
    assert choice.format.name == "voc"
    assert "Annotations/" in choice.detection.reason
    beside = tmp_path / "labelimg"
    beside.mkdir()
    (beside / "000001.xml").write_text(VOC2007)
    assert FORMAT.detect(beside).confidence > 0.5
    assert FORMAT.detect(beside / "000001.xml").confidence > 0.5
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.xml").write_text("<annotations><version>1.1</version></annotations>")
    (other / "b.json").write_text("{}")
    assert not FORMAT.detect(other)
    assert not FORMAT.detect(other / "a.xml")


@pytest.mark.parametrize("name", ["a.jpg", "deep/er/b.png"])
def test_sub_folders_of_image_names_are_kept(tmp_path: Path, name: str) -> None:
    image = ImageLabels(name, (Shape(Box(0, 0, 1, 1), "car"),), 4, 4)
    FORMAT.write([image], CLASSES, tmp_path)
    (back,) = FORMAT.read(tmp_path).images
    assert back.name == name


def test_elements_that_say_nothing_are_no_loss(tmp_path: Path) -> None:
    # Converters from other tools write every element of the description, empty when
    # they have nothing to put in it; an empty <database/> loses nothing.
    text = """<annotation>
  <folder/><filename>a.jpg</filename><database/><annotation/><image/>
  <size><height>40</height><width>50</width><depth>3</depth></size>
  <segmented/>
  <object><name>cat</name><pose/><truncated/><difficult/>
    <bndbox><xmin>1.0</xmin><ymin>2.5</ymin><xmax>30.0</xmax><ymax>20.25</ymax></bndbox>
  </object>
  <owner><name>someone</name></owner>
</annotation>"""
    reading = FORMAT.read(_voc_folder(tmp_path, {"a.xml": text}, None))
    (image,) = list(reading.images)
    assert [s.geometry for s in image.shapes] == [Box(0.0, 1.5, 30.0, 20.25)]  # VOC counts from 1
    assert [loss.what for loss in reading.losses] == ["image element <owner>"]
