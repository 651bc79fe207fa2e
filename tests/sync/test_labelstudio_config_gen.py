"""The label config written for a published project reads back as the same classes."""

from __future__ import annotations

from limner.models.domain.entities import LabelClass
from limner.models.domain.geometry import Skeleton, TagSpec
from limner.sync.adapters.labelstudio_config import parse_label_config
from limner.sync.adapters.labelstudio_config_gen import generate_label_config

COLOR = "#ff0000"


def _classes() -> list[LabelClass]:
    attrs = ({"name": "occluded", "type": "choice", "options": ["yes", "no"]},)
    return [
        LabelClass(1, "car", COLOR, "box", attribute_schema=attrs),
        LabelClass(2, "road", "#00ff00", "polygon"),
        LabelClass(3, "sky", "#0000ff", "mask"),
        LabelClass(4, "cat", "#123456", "keypoints", skeleton=Skeleton(("nose", "tail"))),
        LabelClass(5, "weather", "#222222", "tag", tag=TagSpec("single", ("sun", "rain"))),
        LabelClass(6, "note", "#333333", "tag", tag=TagSpec("text")),
        LabelClass(7, "thing", "#444444", "any"),
        LabelClass(8, "ring", "#555555", "ellipse"),
    ]


def test_every_class_reads_back_with_its_kind_and_colour() -> None:
    gen = generate_label_config(_classes(), {"thing": {"polygon": 3, "box": 1}})
    assert gen.skipped == []
    read = {c.name: c for c in parse_label_config(gen.xml).classes()}
    assert read["car"].kind == "box" and read["car"].color == COLOR
    assert read["road"].kind == "polygon"
    assert read["sky"].kind == "mask"
    assert read["cat"].kind == "keypoints"
    assert list(read["cat"].skeleton["names"]) == ["nose", "tail"]
    assert read["weather"].kind == "tag" and read["weather"].tag["options"] == ["sun", "rain"]
    assert read["note"].tag == {"mode": "text"}
    assert read["thing"].kind == "polygon"  # the kind its annotations use most
    assert read["ring"].kind == "ellipse"
    names = [a["name"] for a in read["car"].attribute_schema]
    assert names == ["occluded"]
    assert read["road"].attribute_schema == ()


def test_what_cannot_be_written_is_named() -> None:
    bad = [LabelClass(1, "orphan", COLOR, "tag"), LabelClass(2, "cat", COLOR, "keypoints")]
    gen = generate_label_config(bad)
    assert [name for name, _ in gen.skipped] == ["orphan", "cat"]
