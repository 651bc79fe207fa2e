"""Label Studio's JSON export as a file format: read and written by the sync codec.

The files here are written by the tests from Label Studio's description of an export (a
list of tasks with ``data`` and ``annotations``, each annotation a ``result`` list of
items with percentages of ``original_width``/``original_height``).
"""

from __future__ import annotations

import json
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
from limner.sync.adapters.labelstudio_file import FORMAT, image_name
from tests.models.formats.shape_checks import assert_same_images

CLASSES = (
    ClassSpec(
        "car",
        "box",
        "#ff0000",
        attribute_schema=(AttributeSpec("make", "choice", ("audi", "fiat")),),
    ),
    ClassSpec("area", "polygon", "#00ff00", attribute_schema=(AttributeSpec("note", "text"),)),
    ClassSpec("stain", "mask", "#0000ff"),
    ClassSpec("coin", "ellipse"),
    ClassSpec("lane", "polyline", attribute_schema=(AttributeSpec("width", "number"),)),
    ClassSpec("eye", "point"),
    ClassSpec("person", "keypoints", skeleton=Skeleton(("nose", "neck", "hip"), ((0, 1), (1, 2)))),
    ClassSpec("weather", "tag", tag=TagSpec("single", ("rain", "sun"))),
    ClassSpec("animals", "tag", tag=TagSpec("multiple", ("cat", "dog"))),
    ClassSpec("caption", "tag", tag=TagSpec("text")),
    ClassSpec("quality", "tag", tag=TagSpec("number", (), 1, 5)),
)


def _limner_image() -> ImageLabels:
    mask = np.zeros((48, 64), dtype=bool)
    mask[5:9, 10:20] = True
    mask[30, 40] = True
    shapes = (
        Shape(Box(1.125, 2.5, 30.75, 20.0), "car", {"make": "audi"}, id="b1"),
        Shape(Box.from_centre(40, 30, 10, 4, 33.5), "car", {}, id="b2", group="g"),
        Shape(Polygon.from_points([(1, 1), (9, 2), (5, 7.5)]), "area", {"note": "dent"}, id="p1"),
        Shape(Polyline(((0.0, 0.0), (3.5, 4.5), (9.0, 1.0))), "lane", {"width": 0.25}, id="l1"),
        Shape(Point(2.0, 3.0), "eye", id="e1", group="g"),
        Shape(Ellipse(40, 30, 4.5, 2.25, 12.0), "coin", id="c1"),
        Shape(Mask.from_array(mask), "stain", id="m1"),
        Shape(Keypoints(((10.0, 11.0, 2), (0.0, 0.0, 0), (13.5, 14.0, 1))), "person", id="k1"),
        Shape(Keypoints(((20.0, 21.0, 2), (22.0, 23.5, 2), (24.0, 25.0, 1))), "person", id="k2"),
        Shape(Tag("rain"), "weather", id="t1"),
        Shape(Tag(("cat", "dog")), "animals", id="t2"),
        Shape(Tag("two cars"), "caption", id="t3"),
        Shape(Tag(4), "quality", id="t4"),
    )
    return ImageLabels("shots/a.jpg", shapes, 64, 48, id=7)


def test_every_kind_label_studio_holds_comes_back_exactly(tmp_path: Path) -> None:
    images = [_limner_image(), ImageLabels("b.png", (), id=8)]  # no results: no size
    out = tmp_path / "export.json"
    assert FORMAT.write(images, CLASSES, out) == []
    assert out.with_suffix(".xml").is_file()
    reading = FORMAT.read(out)
    back = list(reading.images)
    assert_same_images(images, back)
    assert reading.losses == []
    assert [image.id for image in back] == [7, 8]
    declared = {spec.name: spec for spec in reading.classes}
    for spec in CLASSES:
        got = declared[spec.name]
        assert (got.kind, got.color, got.skeleton, got.tag) == (
            spec.kind,
            spec.color,
            spec.skeleton,
            spec.tag,
        ), spec.name
        assert got.attribute_schema == spec.attribute_schema, spec.name
    for shape in back[0].shapes:
        assert shape.provenance is not None
        assert (shape.provenance.source, shape.provenance.format) == (str(out), "labelstudio")


def test_what_label_studio_cannot_hold_is_named(tmp_path: Path) -> None:
    outer = ((0, 0), (20, 0), (20, 20), (0, 20))
    holed = Polygon((PolygonPart(outer, (((5, 5), (9, 5), (9, 9)),)),))
    image = ImageLabels(
        "a.png",
        (
            Shape(holed, "area", id="h"),
            Shape(Box(1, 1, 2, 2), "car", {"make": "audi", "colour": "red"}, id="x"),
            Shape(Box(1, 1, 2, 2), "truck", id="y"),
        ),
        32,
        32,
    )
    losses = FORMAT.write([image], CLASSES, tmp_path / "out.json")
    assert [(loss.annotation, loss.what) for loss in losses] == [
        ("h", "polygon"),
        ("x", "attribute"),
        ("y", "class"),
        (None, "skeleton of 'person'"),
        (None, "skeleton of 'person'"),
    ]
    back = list(FORMAT.read(tmp_path / "out.json").images)
    assert [(s.id, s.attributes) for s in back[0].shapes] == [("x", {"make": "audi"})]


def _item(item_id: str, type_: str, from_name: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": type_,
        "from_name": from_name,
        "to_name": "img",
        "original_width": 200,
        "original_height": 100,
        "image_rotation": 0,
        "value": value,
    }


def _export_without_config(tmp_path: Path) -> Path:
    """An export as Label Studio writes one: tasks only, no label config beside them."""
    box = {"x": 10, "y": 20, "width": 25, "height": 50, "rotation": 0}
    tasks = [
        {
            "id": 41,
            "data": {"img": "/data/upload/3/5a1b2c3d-street.jpg"},
            "annotations": [
                {
                    "id": 9,
                    "result": [
                        _item(
                            "r1", "rectanglelabels", "label", {**box, "rectanglelabels": ["Car"]}
                        ),
                        _item("r1", "choices", "state", {**box, "choices": ["parked"]}),
                        _item("v1", "choices", "scene", {"choices": ["city"]}),
                        {
                            "type": "relation",
                            "from_id": "r1",
                            "to_id": "r2",
                            "direction": "right",
                            "labels": ["tows"],
                        },
                        _item(
                            "r2",
                            "polygonlabels",
                            "outline",
                            {"points": [[0, 0], [50, 0], [50, 50]], "polygonlabels": ["Road"]},
                        ),
                    ],
                }
            ],
            "predictions": [
                {
                    "result": [
                        _item("p1", "rectanglelabels", "label", {**box, "rectanglelabels": ["Car"]})
                    ]
                }
            ],
        }
    ]
    path = tmp_path / "project-3-at-2026.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


def test_an_export_without_config_is_read_from_its_results(tmp_path: Path) -> None:
    path = _export_without_config(tmp_path)
    registry.register(FORMAT)
    choice = registry.detect(path)
    assert choice.format.name == "labelstudio"
    reading = FORMAT.read(path)
    assert [loss.what for loss in reading.losses] == ["label config"]
    names = {spec.name: spec.kind for spec in reading.classes}
    assert names == {"Car": "box", "Road": "polygon", "scene": "tag"}
    (image,) = list(reading.images)
    assert (image.name, image.size, image.id) == ("street.jpg", (200, 100), 41)
    got = {(s.class_name, s.kind): s for s in image.shapes}
    car = got[("Car", "box")]
    assert car.geometry == Box(20.0, 20.0, 70.0, 70.0)
    assert dict(car.attributes) == {"state": "parked"}
    assert got[("scene", "tag")].geometry == Tag("city")
    assert ("Road", "polygon") in got
    whats = [(loss.annotation, loss.what, loss.why) for loss in image.losses]
    assert not any(what == "prediction" for _, what, _ in whats)
    assert any(what == "region" and "relation" in why for _, what, why in whats)
    # The prediction, which has no id in the file, is known by its place in the task.
    (predicted,) = image.predictions
    assert (predicted.class_name, predicted.geometry) == ("Car", Box(20.0, 20.0, 70.0, 70.0))
    assert (predicted.source, predicted.score) == ("model:unknown model", None)
    assert predicted.key == "ls-prediction:#1:p1"


def test_image_names_from_data_urls() -> None:
    assert image_name("/data/upload/3/5a1b2c3d-street.jpg") == "street.jpg"
    assert image_name("/data/local-files/?d=photos/x%20y.png") == "x y.png"
    assert image_name("https://host/bucket/a%20b.jpg") == "a b.jpg"
    assert image_name("sub/c.jpg") == "sub/c.jpg"


def test_one_task_on_its_own_is_read_too(tmp_path: Path) -> None:
    # Label Studio imports (and its task API returns) a single task object, not a list.
    box = {"x": 50, "y": 25, "width": 10, "height": 50, "rotation": 0}
    task = {
        "id": 3,
        "data": {"img": "https://host/pets/a.jpg"},
        "annotations": [
            {
                "id": 5,
                "result": [
                    _item("q", "rectanglelabels", "tag", {**box, "rectanglelabels": ["Pet"]})
                ],
            }
        ],
    }
    path = tmp_path / "task.json"
    path.write_text(json.dumps(task), encoding="utf-8")
    assert FORMAT.detect(path)
    (image,) = list(FORMAT.read(path).images)
    assert image.name == "a.jpg"
    assert [s.geometry for s in image.shapes] == [Box(100.0, 25.0, 120.0, 75.0)]


def test_an_image_from_a_server_is_written_with_its_url(project: Any, tmp_path: Path) -> None:
    from limner.app.formats_setup import register_formats
    from limner.models.domain.entities import NewAnnotation
    from limner.models.editing.commands import AddAnnotations
    from limner.models.editing.history import apply_logged
    from limner.models.store import queries, sync_store
    from limner.models.store.tx import new_uuid
    from limner.models.workflow.label_export import export_labels

    register_formats()
    with project.read() as conn:
        first = queries.image_by_name(conn, "img1.png")
        second = queries.image_by_name(conn, "img2.png")
        cat = next(c for c in queries.label_classes(conn) if c.name == "cat")
    url = "/data/upload/3/5a1b2c3d-img1.png"
    with project.transaction() as (conn, _changes):
        remote = sync_store.add_remote(conn, "label_studio", "http://ls.example", "3")
        sync_store.save_link(conn, remote, first.id, remote_key="41", source_url=url)
    shapes = tuple(
        NewAnnotation(new_uuid(), image.id, cat.id, Box(1, 2, 10, 12), {}, 0, "manual")
        for image in (first, second)
    )
    apply_logged(project, AddAnnotations(shapes), "draw")
    out = tmp_path / "tasks.json"
    export_labels(project, registry.get("labelstudio"), out)
    written = json.loads(out.read_text(encoding="utf-8"))
    images = [task["data"]["image"] for task in written]
    assert url in images and "img2.png" in images
    names = sorted(image.name for image in FORMAT.read(out).images)
    assert names[:2] == ["img1.png", "img2.png"]


def test_a_class_of_any_kind_gets_a_control_per_kind_it_is_used_as(tmp_path: Path) -> None:
    shapes = (
        Shape(Box(1, 2, 10, 12), "thing", id="a"),
        Shape(Polygon.from_points([(1, 1), (9, 2), (5, 7.5)]), "thing", id="b"),
        Shape(Box(3, 3, 4, 4), "plain", id="c"),
    )
    classes = (ClassSpec("thing"), ClassSpec("plain"), ClassSpec("unused"))
    out = tmp_path / "out.json"
    losses = FORMAT.write([ImageLabels("a.png", shapes, 20, 20)], classes, out)
    assert [loss.what for loss in losses] == ["class 'thing'", "class 'unused'"]
    assert "'thing (polygon)'" in losses[0].why
    (image,) = list(FORMAT.read(out).images)
    assert [(s.class_name, s.kind) for s in image.shapes] == [
        ("thing", "box"),
        ("thing (polygon)", "polygon"),
        ("plain", "box"),
    ]
