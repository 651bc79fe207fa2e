"""YOLO detect, segment, pose and OBB: files written to the format's public description.

Each test lays out a dataset as the YOLO documentation describes it (``data.yaml`` with
``names``, ``images/`` and ``labels/`` side by side, one ``class x y ...`` line per object
with coordinates normalised by the image's size, ``kpt_shape`` and ``flip_idx`` for pose)
with real image files made by Pillow, so sizes are read from the files as they would be.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from limner.models.domain.attributes import AttributeSpec
from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Keypoints,
    Mask,
    Point,
    Polygon,
    PolygonPart,
    Skeleton,
    Tag,
)
from limner.models.formats import registry
from limner.models.formats.base import ClassSpec, FormatError, ImageLabels, Shape
from limner.models.formats.yolo import DETECT, FORMAT, OBB, POSE, SEGMENT
from tests.models.formats.same import assert_same_geometry, assert_same_shapes

SIZES = {"a.jpg": (640, 480), "b.png": (333, 517), "c.png": (4000, 3000)}


def picture(path: Path, size: tuple[int, int], orientation: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, (90, 120, 150))
    if orientation is None:
        image.save(path)
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(path, exif=exif)
    return path


def sources(folder: Path) -> dict[str, Path]:
    return {name: picture(folder / "src" / name, size) for name, size in SIZES.items()}


def lines_of(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()]


def odd(value: float) -> float:
    """A coordinate with many significant digits, to test the precision kept."""
    return value + 1 / 3 + math.pi * 1e-4


BOX_CLASSES = [
    ClassSpec("car", "box", "#ff0000", None, (AttributeSpec("parked", "bool"),), 0),
    ClassSpec("sign", "box", None, None, (), 1),
]


def test_detect_round_trip_keeps_boxes_to_a_millionth_of_a_pixel(tmp_path: Path) -> None:
    files = sources(tmp_path)
    images = [
        ImageLabels(
            f"train/{name}",
            (
                Shape(Box(odd(3), odd(7), odd(w / 2), odd(h / 3)), "car"),
                Shape(Box(0.0, 0.0, float(w), float(h)), "sign"),
                Shape(Box(odd(w / 3), odd(h / 2), odd(w - 2), odd(h - 2)), "car"),
            ),
            w,
            h,
            files[name],
        )
        for name, (w, h) in SIZES.items()
    ]
    out = tmp_path / "out"
    assert DETECT.write(images, BOX_CLASSES, out) == []
    data = yaml.safe_load((out / "data.yaml").read_text())
    assert data["names"] == {0: "car", 1: "sign"} and data["train"] == "images/train"
    assert "path" not in data
    first = lines_of(out / "labels" / "train" / "a.txt")
    assert [len(line) for line in first] == [5, 5, 5]
    assert first[1] == ["1", "0.5", "0.5", "1", "1"]
    reading = FORMAT.read(out)
    assert [(c.name, c.kind, c.color, c.attribute_schema) for c in reading.classes] == [
        (c.name, c.kind, c.color, c.attribute_schema) for c in BOX_CLASSES
    ]
    back = list(reading.images)
    assert [(i.name, i.size) for i in back] == [(i.name, i.size) for i in images]
    for written, read in zip(images, back, strict=True):
        assert_same_shapes(written.shapes, read.shapes)
        assert read.path == out / "images" / written.name
    assert reading.losses == []


def test_segment_round_trip_and_what_polygons_cannot_hold(tmp_path: Path) -> None:
    w, h = SIZES["b.png"]
    image_path = picture(tmp_path / "b.png", (w, h))
    triangle = Polygon.from_points([(odd(1), odd(2)), (odd(300), odd(5)), (odd(150), odd(500))])
    holed = Polygon(
        (
            PolygonPart(
                ((10, 10), (100, 10), (100, 100), (10, 100)), (((40, 40), (60, 40), (50, 60)),)
            ),
        )
    )
    two_parts = Polygon(
        (PolygonPart(((1, 1), (5, 1), (5, 5))), PolygonPart(((200, 200), (250, 200), (220, 260))))
    )
    pixels = np.zeros((h, w), dtype=bool)
    pixels[300:320, 100:130] = True
    shapes = (
        Shape(triangle, "roof"),
        Shape(Box(5, 6, 50, 60), "roof"),
        Shape(holed, "roof"),
        Shape(two_parts, "roof"),
        Shape(Mask.from_array(pixels), "roof"),
        Shape(Ellipse(100, 100, 30, 20, 15), "roof"),
    )
    classes = [ClassSpec("roof", "polygon", "#123456")]
    out = tmp_path / "out"
    losses = FORMAT.write([ImageLabels("b.png", shapes, w, h, image_path)], classes, out)
    assert [(loss.annotation, loss.what) for loss in losses] == [
        (1, "box"),
        (2, "polygon hole"),
        (3, "polygon parts"),
        (4, "mask"),
        (5, "ellipse"),
    ]
    assert yaml.safe_load((out / "data.yaml").read_text())["limner"]["task"] == "segment"
    (back,) = list(FORMAT.read(out).images)
    kinds = [s.kind for s in back.shapes]
    assert kinds == ["polygon"] * 7
    assert_same_geometry(triangle, back.shapes[0].geometry)
    assert_same_geometry(Polygon.from_points(Box(5, 6, 50, 60).corners()), back.shapes[1].geometry)
    assert_same_geometry(Polygon((PolygonPart(holed.parts[0].outer),)), back.shapes[2].geometry)
    assert_same_geometry(Polygon((two_parts.parts[1],)), back.shapes[4].geometry)
    assert_same_geometry(
        Polygon.from_points([(100, 300), (130, 300), (130, 320), (100, 320)]),
        back.shapes[5].geometry,
    )
    assert len(back.shapes[6].geometry.parts[0].outer) == 64


SKELETON = Skeleton(("nose", "left_eye", "right_eye", "tail"), ((0, 1), (0, 2), (0, 3)), ((1, 2),))
POSE_CLASSES = [
    ClassSpec("cat", "keypoints", "#00aa00", SKELETON, (), 0),
    ClassSpec("box", "box", None, None, (), 1),
]


def test_pose_round_trip_with_skeleton_boxes_and_groups(tmp_path: Path) -> None:
    w, h = SIZES["a.jpg"]
    image_path = picture(tmp_path / "a.jpg", (w, h))
    alone = Keypoints(
        ((odd(10), odd(20), 2), (0, 0, 0), (odd(30), odd(25), 1), (odd(5), odd(40), 2))
    )
    grouped = Keypoints(((100, 100, 2), (110, 90, 2), (90, 90, 2), (100, 150, 1)))
    single = Keypoints(((300, 300, 2), (0, 0, 0), (0, 0, 0), (0, 0, 0)))
    shapes = (
        Shape(alone, "cat"),
        Shape(Box(80, 80, odd(130), odd(170)), "cat", group="g"),
        Shape(grouped, "cat", group="g"),
        Shape(Box(1, 2, 3, 4), "box"),
        Shape(single, "cat"),
    )
    out = tmp_path / "out"
    assert FORMAT.write([ImageLabels("a.jpg", shapes, w, h, image_path)], POSE_CLASSES, out) == []
    data = yaml.safe_load((out / "data.yaml").read_text())
    assert data["kpt_shape"] == [4, 3] and data["flip_idx"] == [0, 2, 1, 3]
    assert [len(line) for line in lines_of(out / "labels" / "a.txt")] == [17, 17, 17, 17]
    reading = FORMAT.read(out)
    assert [(c.name, c.kind, c.color, c.skeleton) for c in reading.classes] == [
        (c.name, c.kind, c.color, c.skeleton) for c in POSE_CLASSES
    ]
    (back,) = list(reading.images)
    assert_same_shapes(shapes, back.shapes)
    assert back.shapes[1].group == back.shapes[2].group == "line 2"
    assert back.shapes[0].group is None and back.shapes[3].group is None


def test_obb_round_trip_keeps_turned_boxes(tmp_path: Path) -> None:
    w, h = SIZES["c.png"]
    image_path = picture(tmp_path / "c.png", (w, h))
    shapes = (
        Shape(Box(odd(1000), odd(500), odd(1400), odd(700), odd(30)), "ship"),
        Shape(Box(10, 20, 30, 40), "ship"),
        Shape(Box(odd(2000), odd(2000), odd(2600), odd(2100), 200.0), "ship"),
    )
    classes = [ClassSpec("ship", "box")]
    out = tmp_path / "out"
    assert OBB.write([ImageLabels("c.png", shapes, w, h, image_path)], classes, out) == []
    assert [len(line) for line in lines_of(out / "labels" / "c.txt")] == [9, 9, 9]
    (back,) = list(FORMAT.read(out).images)  # limner's YAML says the task is obb
    assert_same_shapes(shapes, back.shapes)
    (again,) = list(OBB.read(out).images)
    assert_same_shapes(shapes, again.shapes)


def test_a_dataset_written_to_the_description_reads_into_limner_shapes(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    picture(root / "images" / "train" / "one.jpg", (200, 100))
    picture(root / "images" / "val" / "two.png", (50, 40))
    picture(root / "images" / "val" / "background.png", (50, 40))
    (root / "labels" / "train").mkdir(parents=True)
    (root / "labels" / "val").mkdir(parents=True)
    (root / "data.yaml").write_text(
        "path: .\ntrain: images/train\nval: images/val\nnames:\n  0: person\n  1: car\n"
    )
    (root / "labels" / "train" / "one.txt").write_text(
        "0 0.5 0.5 0.2 0.4\n"
        "\n"
        "1 0.1 0.1 0.3 0.1 0.2 0.6\n"
        "1 0.1 0.1 0.3 0.1 0.3 0.6 0.1 0.6\n"
        "7 0.5 0.5 0.1 0.1\n"
        "0 0.5 0.5 0.1\n"
        "0 0.5 0.5 0.1 0.1 0.87\n"
        "x 0.5 0.5 0.1 0.1\n"
    )
    (root / "labels" / "val" / "two.txt").write_text("1 0.5 0.5 1 1\n")
    (root / "labels" / "val" / "lost.txt").write_text("1 0.5 0.5 1 1\n")
    assert registry.detect(root).format is FORMAT
    reading = FORMAT.read(root)
    assert [c.name for c in reading.classes] == ["person", "car"]
    one, background, two = list(reading.images)
    assert (one.name, one.size) == ("train/one.jpg", (200, 100))
    assert [s.class_name for s in one.shapes] == ["person", "car", "car", None, "person"]
    assert one.shapes[0].geometry == Box(80.0, 30.0, 120.0, 70.0)
    assert_same_geometry(
        one.shapes[1].geometry, Polygon.from_points([(20, 10), (60, 10), (40, 60)])
    )
    assert len(one.shapes[2].geometry.parts[0].outer) == 4  # eight values read as a polygon
    assert one.shapes[4].attributes == {"score": 0.87}
    assert one.shapes[4].source == "prediction"
    assert [(loss.annotation, loss.what) for loss in one.losses] == [
        (5, "class"),
        (6, "label"),
        (7, "confidence"),
        (8, "label"),
    ]
    assert one.shapes[0].provenance.where == "line 1"
    assert background.name == "val/background.png" and background.shapes == ()
    assert two.shapes[0].geometry == Box(0.0, 0.0, 50.0, 40.0)
    assert [(loss.what, loss.why) for loss in reading.losses] == [
        ("labels", "labels/val/lost.txt belongs to no image that was found")
    ]


def test_oriented_boxes_of_another_tool_read_with_yolo_obb(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    picture(root / "images" / "p.png", (100, 100))
    (root / "data.yaml").write_text("names: [plane]\n")
    (root / "labels").mkdir()
    (root / "labels" / "p.txt").write_text(
        "0 0.1 0.1 0.3 0.1 0.3 0.2 0.1 0.2\n"  # axis-aligned rectangle
        "0 0.5 0.3 0.7 0.5 0.5 0.7 0.3 0.5\n"  # turned by 45 degrees
        "0 0.1 0.1 0.3 0.1 0.35 0.2 0.1 0.2\n"  # not a rectangle
    )
    (image,) = list(OBB.read(root).images)
    square, diamond, quad = (s.geometry for s in image.shapes)
    assert_same_geometry(square, Box(10, 10, 30, 20))
    side = math.hypot(20, 20)
    assert_same_geometry(diamond, Box.from_centre(50, 50, side, side, 45))
    assert quad.kind == "polygon"
    assert [loss.what for loss in image.losses] == ["oriented box"]
    (plain,) = list(FORMAT.read(root).images)
    assert [s.kind for s in plain.shapes] == ["polygon", "polygon", "polygon"]


def test_pose_files_of_another_tool_with_two_value_keypoints(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    picture(root / "images" / "k.png", (100, 200))
    (root / "data.yaml").write_text(
        "names: {0: hand}\nkpt_shape: [3, 2]\nflip_idx: [0, 2, 1]\n"
        "kpt_names:\n  0: [wrist, thumb, index]\n"
    )
    (root / "labels").mkdir()
    (root / "labels" / "k.txt").write_text("0 0.5 0.5 0.4 0.4 0.5 0.5 0 0 0.6 0.55\n")
    reading = FORMAT.read(root)
    (hand,) = reading.classes
    assert hand.skeleton == Skeleton(("wrist", "thumb", "index"), (), ((1, 2),))
    (image,) = list(reading.images)
    box, points = image.shapes
    assert box.geometry == Box(30.0, 60.0, 70.0, 140.0)
    assert_same_geometry(points.geometry, Keypoints(((50, 100, 2), (0, 0, 0), (60, 110, 2))))
    assert box.group == points.group


def test_a_darknet_folder_with_classes_txt_and_sizes_as_displayed(tmp_path: Path) -> None:
    folder = tmp_path / "flat"
    picture(folder / "turned.jpg", (40, 20), orientation=6)  # shown 20 wide, 40 high
    (folder / "turned.txt").write_text("1 0.5 0.5 0.5 0.5\n")
    (folder / "classes.txt").write_text("dog\ncat\n")
    detection = FORMAT.detect(folder)
    assert detection and "classes.txt" in detection.reason
    reading = FORMAT.read(folder)
    assert [c.name for c in reading.classes] == ["dog", "cat"]
    (image,) = list(reading.images)
    assert image.size == (20, 40)
    assert image.shapes[0].geometry == Box(5.0, 10.0, 15.0, 30.0)


def test_what_yolo_cannot_write_is_a_named_loss(tmp_path: Path) -> None:
    shapes = (
        Shape(Box(0, 0, 5, 5), None),
        Shape(Box(0, 0, 5, 5), "elsewhere"),
        Shape(Box(-10, 5, 20, 30), "car", {"parked": True}),
        Shape(Point(3, 4), "car"),
        Shape(Tag("sunny"), "car"),
        Shape(Keypoints(((1, 1, 2),)), "car"),
        Shape(Box(1, 1, 5, 5, 20), "car"),
        Shape(Box(1, 1, 4, 4), "car", group="g"),
        Shape(Box(2, 2, 4, 4), "car", group="g"),
    )
    out = tmp_path / "out"
    images = [
        ImageLabels("a.jpg", shapes, 100, 50),
        ImageLabels("a.png", (Shape(Box(1, 1, 2, 2), "car"),), 100, 50),
        ImageLabels("unknown.jpg", (Shape(Box(1, 1, 2, 2), "car"),)),
    ]
    losses = DETECT.write(images, BOX_CLASSES, out)
    assert [(loss.image, loss.annotation, loss.what) for loss in losses] == [
        ("a.jpg", 0, "class"),
        ("a.jpg", 1, "class"),
        ("a.jpg", 2, "attributes"),
        ("a.jpg", 2, "clipped"),
        ("a.jpg", 3, "point"),
        ("a.jpg", 4, "tag"),
        ("a.jpg", 5, "keypoints"),
        ("a.jpg", 6, "rotated box"),
        ("a.jpg", 7, "group"),
        ("a.jpg", 8, "group"),
        ("a.png", None, "labels"),
        ("unknown.jpg", None, "image size"),
    ]
    assert lines_of(out / "labels" / "a.txt")[0] == ["0", "0.1", "0.35", "0.2", "0.5"]
    assert not (out / "labels" / "unknown.txt").exists()


def test_the_task_written_follows_the_classes(tmp_path: Path) -> None:
    image = ImageLabels("a.jpg", (Shape(Box(1, 1, 9, 9), "x"),), 10, 10)
    for classes, task in (
        ([ClassSpec("x", "box")], "detect"),
        ([ClassSpec("x", "mask")], "segment"),
        ([ClassSpec("x", "keypoints", None, SKELETON)], "pose"),
    ):
        out = tmp_path / task
        FORMAT.write([image], classes, out)
        assert yaml.safe_load((out / "data.yaml").read_text())["limner"]["task"] == task
    assert SEGMENT.name == "yolo-segment" and POSE.name == "yolo-pose"
    assert not SEGMENT.detect(tmp_path / "detect")


def test_class_indices_are_kept_only_when_they_run_from_zero(tmp_path: Path) -> None:
    image = ImageLabels("a.jpg", (Shape(Box(1, 1, 9, 9), "b"),), 10, 10)
    kept = [ClassSpec("a", source_id=1), ClassSpec("b", source_id=0)]
    FORMAT.write([image], kept, tmp_path / "kept")
    assert yaml.safe_load((tmp_path / "kept" / "data.yaml").read_text())["names"] == {
        0: "b",
        1: "a",
    }
    renumbered = [ClassSpec("a", source_id=5), ClassSpec("b", source_id=9)]
    FORMAT.write([image], renumbered, tmp_path / "new")
    assert lines_of(tmp_path / "new" / "labels" / "a.txt")[0][0] == "1"


def test_what_is_not_yolo_is_refused_with_a_reason(tmp_path: Path) -> None:
    assert not FORMAT.detect(tmp_path)
    (tmp_path / "data.yaml").write_text("train: images\n")
    with pytest.raises(FormatError, match="neither names nor nc"):
        FORMAT.read(tmp_path)
    (tmp_path / "data.yaml").write_text("names: {0: a, 2: c}\n")
    with pytest.raises(FormatError, match="not numbered 0 to 1"):
        FORMAT.read(tmp_path)
    (tmp_path / "data.yaml").write_text("names: [a]\nkpt_shape: [0, 4]\n")
    reading = FORMAT.read(tmp_path)
    assert [loss.what for loss in reading.losses] == ["kpt_shape"]


def test_splits_written_one_folder_too_high_and_a_byte_order_mark_are_read(
    tmp_path: Path,
) -> None:
    root = tmp_path / "export"
    picture(root / "train" / "images" / "r.jpg", (100, 50))
    (root / "train" / "labels").mkdir(parents=True)
    (root / "train" / "labels" / "r.txt").write_bytes("\ufeff0 0.5 0.5 0.2 0.2\n".encode())
    (root / "data.yaml").write_text("train: ../train/images\nnc: 1\nnames: ['crack']\n")
    reading = FORMAT.read(root)
    (image,) = list(reading.images)
    assert image.name == "train/images/r.jpg" and image.losses == ()
    assert image.shapes[0].geometry == Box(40.0, 20.0, 60.0, 30.0)
    assert reading.losses == []


def test_a_position_given_to_a_point_not_labeled_is_a_named_loss(tmp_path: Path) -> None:
    # Model output often keeps a guessed position for points it marks invisible (v = 0);
    # limner keeps no position for such a point, so dropping it must be said.
    root = tmp_path / "ds"
    picture(root / "images" / "k.png", (100, 200))
    (root / "data.yaml").write_text("names: {0: hand}\nkpt_shape: [2, 3]\n")
    (root / "labels").mkdir()
    (root / "labels" / "k.txt").write_text("0 0.5 0.5 0.4 0.4 0.5 0.5 2 0.6 0.55 0\n")
    (image,) = list(FORMAT.read(root).images)
    assert [s.kind for s in image.shapes] == ["box", "keypoints"]
    assert [(loss.annotation, loss.what) for loss in image.losses] == [(1, "keypoints")]
    assert "1 point marked not labeled" in image.losses[0].why


def _label_values(root: Path) -> dict[str, list[tuple[int, list[float]]]]:
    """What a YOLO trainer reads: per label file, each line's class and its numbers."""
    out = {}
    for path in sorted((root / "labels").rglob("*.txt")):
        rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
        out[path.relative_to(root).as_posix()] = [
            (int(row[0]), [float(v) for v in row[1:]]) for row in rows
        ]
    return out


@pytest.mark.parametrize(
    ("task", "lines"),
    [
        ("detect", "0 0.5 0.5 0.2 0.4\n1 0.123456789 0.25 0.05 0.1\n"),
        ("segment", "1 0.1 0.1 0.3 0.1 0.2 0.6\n0 0.5 0.5 0.7 0.5 0.7 0.9 0.5 0.9\n"),
        ("obb", "0 0.1 0.1 0.3 0.1 0.3 0.2 0.1 0.2\n"),
    ],
)
def test_yolo_to_limner_to_yolo_gives_the_same_label_lines(
    tmp_path: Path, task: str, lines: str
) -> None:
    root = tmp_path / "ds"
    picture(root / "images" / "train" / "one.jpg", (200, 100))
    (root / "labels" / "train").mkdir(parents=True)
    (root / "data.yaml").write_text(
        f"path: .\ntrain: images/train\ntask: {task}\nnames:\n  0: person\n  1: car\n"
    )
    (root / "labels" / "train" / "one.txt").write_text(lines)
    fmt = registry.get(f"yolo-{task}")
    reading = fmt.read(root)
    out = tmp_path / "again"
    assert fmt.write(reading.images, reading.classes, out) == []
    before, after = _label_values(root), _label_values(out)
    assert list(after) == list(before)
    for name, rows in before.items():
        assert [c for c, _ in after[name]] == [c for c, _ in rows]
        for (_, want), (_, got) in zip(rows, after[name], strict=True):
            assert len(got) == len(want)
            assert max(abs(a - b) for a, b in zip(want, got, strict=True)) < 1e-9, name
    names = yaml.safe_load((out / "data.yaml").read_text())["names"]
    assert [names[i] for i in sorted(names)] == ["person", "car"]
