"""labelme JSON: every shape type both ways, groups, flags, and sidecars beside images.

The files are written by the tests from labelme's description of its JSON (``shapes``
with ``label``, ``points``, ``group_id``, ``description``, ``shape_type``, ``flags`` and a
base64 PNG ``mask``; ``imagePath`` relative to the file), with masks encoded here by
Pillow; nothing is copied from labelme or X-AnyLabeling.
"""

from __future__ import annotations

import base64
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Keypoints,
    Mask,
    Point,
    Polygon,
    PolygonPart,
    Polyline,
    Tag,
    TagSpec,
)
from limner.models.formats import registry
from limner.models.formats.base import ClassSpec, ImageLabels, Shape
from limner.models.formats.labelme import FORMAT
from limner.models.imaging.mask_ops import polygon_to_mask_geometry
from tests.models.formats.shape_checks import assert_same_images


def _png(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _unpng(text: str) -> np.ndarray:
    with Image.open(io.BytesIO(base64.b64decode(text))) as img:
        return np.asarray(img.convert("L")) > 0


def _shape(label: str, kind: str, points: list[list[float]], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "label": label,
        "points": points,
        "group_id": None,
        "description": "",
        "shape_type": kind,
        "flags": {},
    }
    data.update(extra)
    return data


def _file(image: str, shapes: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": "5.4.1",
        "flags": {},
        "shapes": shapes,
        "imagePath": image,
        "imageData": None,
        "imageHeight": 40,
        "imageWidth": 60,
    }
    data.update(extra)
    return data


def _crop() -> np.ndarray:
    crop = np.zeros((5, 7), dtype=bool)
    crop[1:4, 2:6] = True
    crop[0, 0] = True
    crop[4, 6] = True
    return crop


def _every_type() -> dict[str, Any]:
    return _file(
        "street.jpg",
        [
            _shape("car", "rectangle", [[30.5, 20.25], [10.0, 5.0]], flags={"parked": True}),
            _shape("road", "polygon", [[0, 0], [20, 0], [20, 10], [0, 12]], description="wet"),
            _shape("coin", "circle", [[40.0, 30.0], [43.0, 34.0]]),
            _shape("crack", "line", [[1.5, 2.5], [9.0, 9.0]]),
            _shape("lane", "linestrip", [[0, 39], [30, 20], [59, 39]]),
            _shape("eye", "point", [[12.25, 7.75]], score=0.87),
            _shape("stain", "mask", [[3, 4], [9, 8]], mask=_png(_crop())),
            _shape("house", "polygon", [[30, 1], [40, 1], [35, 8]], group_id=4),
            _shape("house", "polygon", [[42, 1], [50, 1], [46, 8]], group_id=4),
            _shape("person", "rectangle", [[1, 1], [8, 20]], group_id=7),
            _shape("head", "circle", [[4, 4], [6, 4]], group_id=7),
            _shape("sign", "oriented_rectangle", [[10, 10], [14, 14], [12, 16], [8, 12]]),
            _shape(
                "tree",
                "polygon",
                [[50, 20], [58, 20], [54, 30]],
                group_id=9,
                attributes={"kind": "oak", "height": 12},
                difficult_level=2,
            ),
        ],
        flags={"blurry": True, "night": False, "weather=rain": True, "weather=fog": True},
    )


def _write(folder: Path, name: str, data: dict[str, Any]) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


# -- what the file means in limner terms ---------------------------------------------------


def test_every_shape_type_is_read_as_the_limner_shape_it_is(tmp_path: Path) -> None:
    _write(tmp_path, "street.json", _every_type())
    (image,) = FORMAT.read(tmp_path).images
    assert (image.name, image.width, image.height) == ("street.jpg", 60, 40)
    by_class = {shape.class_name: shape for shape in image.shapes}
    assert by_class["car"].geometry == Box(10.0, 5.0, 30.5, 20.25)
    assert dict(by_class["car"].attributes) == {"parked": True}
    assert by_class["road"].attributes["description"] == "wet"
    coin = by_class["coin"].geometry
    assert isinstance(coin, Ellipse) and coin.rx == coin.ry == 5.0
    assert by_class["crack"].geometry == Polyline(((1.5, 2.5), (9.0, 9.0)))
    assert by_class["eye"].geometry == Point(12.25, 7.75)
    assert by_class["eye"].attributes["score"] == 0.87
    stain = by_class["stain"].geometry
    assert isinstance(stain, Mask)
    expected = np.zeros((40, 60), dtype=bool)
    expected[4:9, 3:10] = _crop()
    assert np.array_equal(stain.to_array(), expected)
    house = by_class["house"].geometry
    assert isinstance(house, Polygon) and len(house.parts) == 2
    assert by_class["house"].group is None
    assert by_class["person"].group == by_class["head"].group is not None
    sign = by_class["sign"].geometry
    assert isinstance(sign, Box)
    assert math.isclose(sign.angle, 45.0) and math.isclose(sign.width, math.hypot(4, 4))
    assert by_class["tree"].attributes == {
        "attributes": {"kind": "oak", "height": 12},
        "difficult_level": 2,
    }
    assert by_class["tree"].group == "9"
    tags = {s.class_name: s.geometry for s in image.shapes if isinstance(s.geometry, Tag)}
    assert tags == {"flags": Tag(("blurry",)), "weather": Tag(("rain", "fog"))}
    assert image.losses == ()


# -- labelme -> limner -> labelme ----------------------------------------------------------


def _group_partition(shapes: list[dict[str, Any]]) -> list[int | None]:
    first: dict[Any, int] = {}
    return [
        None if s.get("group_id") is None else first.setdefault(s["group_id"], i)
        for i, s in enumerate(shapes)
    ]


def _meaning(data: dict[str, Any]) -> dict[str, Any]:
    """What a labelme file says, with labelme's defaults filled in and masks decoded."""
    shapes = []
    for shape in data["shapes"]:
        item = {k: v for k, v in shape.items() if k not in ("group_id", "mask", "points")}
        item.setdefault("description", "")
        item.setdefault("flags", {})
        item["shape_type"] = item.get("shape_type") or "polygon"
        item["points"] = [[round(x, 9), round(y, 9)] for x, y in shape["points"]]
        if item["shape_type"] == "rectangle":  # two opposite corners, in either order
            xs, ys = zip(*item["points"], strict=True)
            item["points"] = [[min(xs), min(ys)], [max(xs), max(ys)]]
        if shape.get("mask"):
            item["mask"] = _unpng(shape["mask"]).tolist()
        shapes.append(item)
    return {
        "flags": {k: v for k, v in data.get("flags", {}).items() if v},
        "shapes": shapes,
        "groups": _group_partition(data["shapes"]),
        "imagePath": data["imagePath"],
        "size": (data["imageWidth"], data["imageHeight"]),
    }


def test_labelme_files_read_and_write_back_equivalent(tmp_path: Path) -> None:
    source = tmp_path / "in"
    original = _every_type()
    _write(source, "street.json", original)
    second = _file(
        "../sub/b.png",
        [_shape("dog", "rectangle", [[0, 0], [5, 5]], group_id=3)],
        imageData="aGVsbG8=",
    )
    _write(source, "sub/b.json", second)
    (source / "sub" / "b.png").write_bytes(b"")
    (source / "street.jpg").write_bytes(b"")
    reading = FORMAT.read(source)
    images = list(reading.images)
    assert FORMAT.write(images, reading.classes, source) == []
    again = json.loads((source / "street.json").read_text())
    assert _meaning(again) == _meaning(original)
    assert again["imageData"] is None
    back = json.loads((source / "sub" / "b.json").read_text())
    assert back["imagePath"] == "b.png"
    assert back["shapes"][0]["group_id"] == 3
    assert _meaning(back)["shapes"] == _meaning(second)["shapes"]


# -- limner -> labelme -> limner -----------------------------------------------------------


def _limner_image() -> ImageLabels:
    mask = np.zeros((40, 60), dtype=bool)
    mask[10:14, 20:31] = True
    mask[30, 5] = True
    two_parts = Polygon(
        (
            PolygonPart(((0.5, 0.5), (10.25, 0.5), (5.0, 8.125))),
            PolygonPart(((20.0, 20.0), (30.0, 20.0), (25.0, 29.0))),
        )
    )
    shapes = (
        Shape(Box(1.125, 2.5, 30.75, 20.0), "car", {"parked": True, "make": "fiat"}),
        Shape(Box.from_centre(30, 20, 10, 4, 33.3), "sign", {"description": "stop"}),
        Shape(Polygon.from_points([(1, 1), (9, 2), (5, 7.5)]), "roof", {"n": 3, "w": [1, 2]}),
        Shape(two_parts, "island", {"meta": {"a": 1}}),
        Shape(Ellipse(40, 30, 4.5, 4.5, 12.0), "coin"),
        Shape(Polyline(((0.0, 0.0), (3.5, 4.5))), "crack"),
        Shape(Polyline(((0.0, 0.0), (3.0, 4.0), (8.0, 1.0))), "lane"),
        Shape(Point(2.0, 3.0), "eye", group="face"),
        Shape(Box(0.0, 0.0, 6.0, 6.0), "face", group="face"),
        Shape(Mask.from_array(mask), "stain", {"fresh": False}),
        Shape(Tag(("blurry", "dark")), "flags"),
        Shape(Tag("rain"), "weather"),
        Shape(Tag(4), "quality"),
        Shape(Tag(("cat", "dog")), "animals"),
    )
    return ImageLabels("shots/a.jpg", shapes, 60, 40)


def test_every_kind_labelme_holds_comes_back_exactly(tmp_path: Path) -> None:
    image = _limner_image()
    assert FORMAT.write([image], [], tmp_path) == []
    written = json.loads((tmp_path / "shots" / "a.json").read_text())
    assert written["imagePath"] == "a.jpg" and written["imageData"] is None
    (back,) = FORMAT.read(tmp_path).images
    assert_same_images([image], [back])


def test_choice_tag_classes_list_every_option_as_a_flag(tmp_path: Path) -> None:
    classes = [
        ClassSpec("weather", "tag", tag=TagSpec("single", ("sun", "rain"))),
        ClassSpec("flags", "tag", tag=TagSpec("multiple", ("blurry", "dark"))),
    ]
    image = ImageLabels("a.jpg", (Shape(Tag("rain"), "weather"),), 10, 10)
    FORMAT.write([image], classes, tmp_path)
    written = json.loads((tmp_path / "a.json").read_text())
    assert written["flags"] == {
        "weather=sun": False,
        "weather=rain": True,
        "blurry": False,
        "dark": False,
    }
    (back,) = FORMAT.read(tmp_path).images
    assert [(s.class_name, s.geometry) for s in back.shapes] == [("weather", Tag("rain"))]


def test_what_labelme_cannot_hold_is_written_near_it_and_named(tmp_path: Path) -> None:
    holed = Polygon(
        (
            PolygonPart(
                ((0, 0), (20, 0), (20, 20), (0, 20)), (((5, 5), (15, 5), (15, 15), (5, 15)),)
            ),
        )
    )
    shapes = (
        Shape(Ellipse(30, 20, 8, 3, 20), "egg", id=1),
        Shape(holed, "frame", id=2),
        Shape(Keypoints(((1.0, 2.0, 2), (0.0, 0.0, 0), (3.0, 4.0, 1))), "person", id=3),
        Shape(Box(0, 0, 1, 1), "car", {"points": 3}, id=4, z=2, source="prediction"),
        Shape(Polygon.from_points([(0, 0), (4, 0), (4, 4)]), "tile", id=5, group="g"),
        Shape(Polygon.from_points([(9, 9), (14, 9), (14, 14)]), "tile", id=6, group="g"),
        Shape(Tag("42"), "caption", id=7),
    )
    losses = FORMAT.write([ImageLabels("x.jpg", shapes, 60, 40)], [], tmp_path)
    named = {(loss.annotation, loss.what) for loss in losses}
    assert named == {
        (1, "ellipse"),
        (2, "polygon hole"),
        (3, "keypoints"),
        (4, "attribute 'points'"),
        (4, "z order"),
        (4, "prediction"),
        (6, "group"),
        (7, "tag"),
    }
    (back,) = FORMAT.read(tmp_path).images
    kinds = [(s.class_name, s.kind) for s in back.shapes]
    assert kinds[:5] == [
        ("egg", "polygon"),
        ("frame", "mask"),
        ("person", "point"),
        ("person", "point"),
        ("car", "box"),
    ]
    frame = back.shapes[1].geometry
    assert frame == polygon_to_mask_geometry(holed, 60, 40)
    assert back.shapes[2].group == back.shapes[3].group is not None
    tile = back.shapes[5].geometry
    assert isinstance(tile, Polygon) and len(tile.parts) == 2
    assert back.shapes[-1].geometry == Tag(42)


# -- sidecars, images and bad files --------------------------------------------------------


def test_image_paths_are_relative_to_the_file_and_sizes_come_from_images(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("RGB", (17, 9)).save(photos / "p.png")
    image = ImageLabels("p.png", (Shape(Point(1, 1), "dot"),), 17, 9, path=photos / "p.png")
    FORMAT.write([image], [], tmp_path / "labels")
    written = json.loads((tmp_path / "labels" / "p.json").read_text())
    assert written["imagePath"] == "../photos/p.png"
    written.pop("imageWidth")
    written.pop("imageHeight")
    (tmp_path / "labels" / "p.json").write_text(json.dumps(written))
    (back,) = FORMAT.read(tmp_path / "labels").images
    assert back.path == photos / "p.png"
    assert (back.width, back.height) == (17, 9)


def test_an_image_path_from_another_machine_finds_the_image_beside_the_file(
    tmp_path: Path,
) -> None:
    _write(tmp_path, "w.json", _file("C:\\Users\\someone\\data\\w.jpg", []))
    (tmp_path / "w.jpg").write_bytes(b"")
    (image,) = FORMAT.read(tmp_path).images
    assert (image.name, image.path) == ("w.jpg", tmp_path / "w.jpg")


def test_unreadable_files_and_shapes_are_named_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"shapes": [')
    (tmp_path / "coco.json").write_text('{"images": [], "annotations": []}')
    _write(
        tmp_path,
        "ok.json",
        _file(
            "ok.jpg",
            [
                _shape("cube", "cuboid", [[0, 0], [1, 1]]),
                _shape("bad", "mask", [[0, 0], [1, 1]], mask="not a png"),
                _shape("thin", "polygon", [[0, 0], [1, 1], [2, 2]]),
                _shape("fine", "point", [[1, 1]]),
            ],
        ),
    )
    _write(tmp_path, "z.json", _file("z.jpg", [], imageData="aGVsbG8="))
    reading = FORMAT.read(tmp_path)
    image, inline = reading.images
    assert [loss.what for loss in inline.losses] == ["embedded image"]
    assert [s.class_name for s in image.shapes] == ["fine"]
    assert [(loss.annotation, loss.what) for loss in image.losses] == [
        (1, "shape type"),
        (2, "mask"),
        (3, "polygon"),
    ]
    files = {Path(loss.image or "").name for loss in reading.losses if loss.what == "file"}
    assert files == {"broken.json", "coco.json"}


def test_detection_picks_labelme_for_a_folder_of_sidecars_and_says_why(tmp_path: Path) -> None:
    _write(tmp_path, "a.json", _file("a.jpg", [_shape("x", "point", [[1, 1]])]))
    (tmp_path / "a.jpg").write_bytes(b"")
    choice = registry.detect(tmp_path)
    assert choice.format.name == "labelme"
    assert "a.json" in choice.detection.reason
    assert FORMAT.detect(tmp_path / "a.json")
    other = tmp_path / "other"
    other.mkdir()
    (other / "instances.json").write_text('{"images": [], "annotations": [], "categories": []}')
    assert not FORMAT.detect(other)
