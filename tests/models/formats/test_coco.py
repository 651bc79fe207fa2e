"""COCO instances and keypoints, checked against pycocotools as the reference reader.

Files are built here from the COCO data format's public description (``bbox`` as
``[x, y, width, height]``, polygons as flat coordinate lists, RLE masks as ``size`` and
column-major ``counts``, keypoints as ``x, y, v`` triples with 1-based skeleton edges),
with pycocotools encoding the compressed masks. Every mask is compared pixel for pixel
with what pycocotools decodes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

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
)
from limner.models.formats import registry
from limner.models.formats.base import ClassSpec, FormatError, ImageLabels, Loss, Shape
from limner.models.formats.coco import FORMAT
from limner.models.imaging.mask_ops.rasterize import polygon_to_mask_geometry
from tests.models.formats.same import assert_same_geometry, assert_same_shapes

W, H = 160, 120
SKELETON = Skeleton(("nose", "left_eye", "right_eye"), ((0, 1), (0, 2)), ((1, 2),))
CLASSES = [
    ClassSpec("cat", "any", "#ff0000", None, (AttributeSpec("occluded", "bool"),)),
    ClassSpec("dog", "mask", "#00ff00"),
    ClassSpec("person", "keypoints", None, SKELETON),
]


def blob(seed: int, width: int = W, height: int = H, edge: bool = False) -> np.ndarray:
    """A ragged mask with holes; ``edge`` makes it touch the right and bottom borders."""
    rng = np.random.default_rng(seed)
    m = np.zeros((height, width), dtype=bool)
    y0, x0 = (height // 2, width // 2) if edge else (10, 20)
    m[y0:, x0:] = rng.random((height - y0, width - x0)) < 0.7
    if not edge:
        m[y0 + 40 :, :] = False
        m[:, x0 + 50 :] = False
    return m


def load(path: Path) -> COCO:
    return COCO(str(path))


def limner_images() -> list[ImageLabels]:
    holed = Polygon(
        (PolygonPart(((5, 5), (60, 5), (60, 50), (5, 50)), (((20, 20), (40, 20), (30, 40)),)),)
    )
    first = (
        Shape(Box(1.5, 2.25, 10.125, 20.0), "cat", {"occluded": True}),
        Shape(
            Polygon(
                (
                    PolygonPart(((1.25, 1.5), (20.0, 1.0), (20.0, 15.75))),
                    PolygonPart(((100.0, 80.0), (140.5, 80.0), (120.0, 110.0))),
                )
            ),
            "cat",
            {"occluded": False, "note": "two parts"},
        ),
        Shape(Mask.from_array(blob(1)), "dog", {"iscrowd": True}),
        Shape(Mask.from_array(blob(2, edge=True)), "dog"),
        Shape(Keypoints(((30.5, 40.25, 2), (0.0, 0.0, 0), (35.0, 41.0, 1))), "person"),
        Shape(
            Polygon.from_points([(50, 50), (90, 50), (90, 100), (50, 100)]), "person", group="p1"
        ),
        Shape(Keypoints(((60.0, 60.0, 2), (70.0, 58.0, 2), (80.0, 61.0, 2))), "person", group="p1"),
        Shape(holed, "cat"),
    )
    second = (Shape(Mask.from_array(blob(3)), "dog", {"score": 0.75}),)
    return [
        ImageLabels("train/a.jpg", first, W, H),
        ImageLabels("train/b.jpg", second, W, H),
        ImageLabels("c.png", (), W, H),
    ]


def flat(points: tuple[tuple[float, float], ...]) -> list[float]:
    return [c for p in points for c in p]


def test_files_limner_writes_load_identically_in_pycocotools(tmp_path: Path) -> None:
    images = limner_images()
    out = tmp_path / "instances.json"
    losses = FORMAT.write(iter(images), CLASSES, out)
    assert [loss.what for loss in losses] == ["polygon with a hole"]
    coco = load(out)
    assert [coco.imgs[i]["file_name"] for i in sorted(coco.imgs)] == [
        "train/a.jpg",
        "train/b.jpg",
        "c.png",
    ]
    cats = {c["name"]: c for c in coco.loadCats(coco.getCatIds())}
    assert cats["person"]["keypoints"] == ["nose", "left_eye", "right_eye"]
    assert cats["person"]["skeleton"] == [[1, 2], [1, 3]]
    first = images[0].shapes
    anns = coco.loadAnns(coco.getAnnIds(imgIds=[1]))
    assert len(anns) == 7  # the grouped polygon and keypoints are one annotation
    box, polygon, crowd, edge, kps, person, holed = anns
    assert box["bbox"] == [1.5, 2.25, 8.625, 17.75] and box["segmentation"] == []
    assert box["attributes"] == {"occluded": True}
    assert polygon["segmentation"] == [flat(p.outer) for p in first[1].geometry.parts]
    for ann, shape in ((crowd, first[2]), (edge, first[3])):
        assert np.array_equal(coco.annToMask(ann).astype(bool), shape.geometry.to_array())
        rle = coco.annToRLE(ann)
        assert mask_utils.area(rle) == ann["area"] == shape.geometry.area
        assert list(mask_utils.toBbox(rle)) == ann["bbox"]
    assert crowd["iscrowd"] == 1 and edge["iscrowd"] == 0
    assert kps["keypoints"] == [30.5, 40.25, 2, 0.0, 0.0, 0, 35.0, 41.0, 1]
    assert kps["num_keypoints"] == 2
    assert person["segmentation"] == [[50, 50, 90, 50, 90, 100, 50, 100]]
    assert person["keypoints"] == [60, 60, 2, 70, 58, 2, 80, 61, 2]
    expected = polygon_to_mask_geometry(first[7].geometry, W, H)
    assert np.array_equal(coco.annToMask(holed).astype(bool), expected.to_array())
    (scored,) = coco.loadAnns(coco.getAnnIds(imgIds=[2]))
    assert scored["attributes"] == {"score": 0.75}
    assert np.array_equal(coco.annToMask(scored).astype(bool), blob(3))


def test_limner_to_coco_to_limner_gives_the_same_shapes_and_classes(tmp_path: Path) -> None:
    images = limner_images()
    out = tmp_path / "instances.json"
    FORMAT.write(images, CLASSES, out)
    reading = FORMAT.read(out)
    assert [(c.name, c.kind, c.color, c.skeleton, c.attribute_schema) for c in reading.classes] == [
        (c.name, c.kind, c.color, c.skeleton, c.attribute_schema) for c in CLASSES
    ]
    back = list(reading.images)
    assert reading.losses == []
    assert [(i.name, i.width, i.height) for i in back] == [(i.name, W, H) for i in images]
    expected = list(images[0].shapes)
    expected[7] = Shape(polygon_to_mask_geometry(expected[7].geometry, W, H), "cat")
    assert_same_shapes(expected, back[0].shapes)
    assert_same_shapes(images[1].shapes, back[1].shapes)
    assert back[2].shapes == ()
    grouped = [s for s in back[0].shapes if s.group is not None]
    assert [s.kind for s in grouped] == ["polygon", "keypoints"]
    assert grouped[0].group == grouped[1].group
    assert all(s.provenance is not None and s.provenance.format == "coco" for s in back[0].shapes)


def _uncompressed(mask: np.ndarray) -> list[int]:
    """Column-major run lengths starting with zeros, as the COCO description states."""
    flat_mask = mask.ravel(order="F")
    counts, current, run = [], False, 0
    for value in flat_mask:
        if bool(value) != current:
            counts.append(run)
            current, run = not current, 0
        run += 1
    counts.append(run)
    return counts


def _compressed(mask: np.ndarray) -> dict[str, Any]:
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": rle["size"], "counts": rle["counts"].decode("ascii")}


def coco_by_hand(folder: Path) -> Path:
    """A COCO file as the data format describes it, with one of each kind of entry."""
    polygon = [
        [10.0, 10.0, 50.5, 10.0, 50.5, 40.25, 10.0, 40.25],
        [60.0, 60.0, 80.0, 60.0, 70.0, 90.0],
    ]
    rle_mask = blob(4)
    crowd_mask = blob(5, edge=True)
    data = {
        "info": {},
        "licenses": [],
        "images": [
            {"id": 7, "file_name": "img/one.jpg", "width": W, "height": H},
            {"id": 9, "file_name": "img/two.jpg", "width": W, "height": H},
        ],
        "categories": [
            {"id": 3, "name": "cat", "supercategory": "animal"},
            {
                "id": 5,
                "name": "person",
                "supercategory": "person",
                "keypoints": ["nose", "left_eye", "right_eye"],
                "skeleton": [[1, 2], [1, 3]],
            },
        ],
        "annotations": [
            {
                "id": 11,
                "image_id": 7,
                "category_id": 3,
                "segmentation": polygon,
                "area": 1000.0,
                "bbox": [10.0, 10.0, 70.0, 80.0],
                "iscrowd": 0,
                "attributes": {"occluded": True},
            },
            {
                "id": 12,
                "image_id": 7,
                "category_id": 3,
                "segmentation": _compressed(rle_mask),
                "area": float(rle_mask.sum()),
                "bbox": [float(v) for v in mask_utils.toBbox(_compressed(rle_mask))],
                "iscrowd": 0,
            },
            {
                "id": 13,
                "image_id": 7,
                "category_id": 3,
                "segmentation": {"size": [H, W], "counts": _uncompressed(crowd_mask)},
                "area": float(crowd_mask.sum()),
                "bbox": [80.0, 60.0, 80.0, 60.0],
                "iscrowd": 1,
            },
            {
                "id": 14,
                "image_id": 9,
                "category_id": 3,
                "segmentation": [],
                "area": 200.0,
                "bbox": [5.5, 6.5, 20.0, 10.0],
                "iscrowd": 0,
                "score": 0.5,
            },
            {
                "id": 15,
                "image_id": 9,
                "category_id": 5,
                "segmentation": [[20.0, 20.0, 60.0, 20.0, 60.0, 90.0, 20.0, 90.0]],
                "area": 2800.0,
                "bbox": [20.0, 20.0, 40.0, 70.0],
                "iscrowd": 0,
                "keypoints": [40, 30, 2, 35, 28, 1, 0, 0, 0],
                "num_keypoints": 2,
            },
            {
                "id": 16,
                "image_id": 9,
                "category_id": 5,
                "segmentation": [],
                "area": 1200.0,
                "bbox": [100.0, 10.0, 30.0, 40.0],
                "iscrowd": 0,
                "keypoints": [110, 20, 2, 0, 0, 0, 120, 22, 2],
                "num_keypoints": 2,
            },
        ],
    }
    path = folder / "annotations" / "instances_val.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(data))
    return path


def test_a_coco_file_written_to_the_description_reads_into_limner_shapes(tmp_path: Path) -> None:
    path = coco_by_hand(tmp_path)
    coco = load(path)
    reading = FORMAT.read(path)
    classes = {c.name: c for c in reading.classes}
    assert classes["person"].skeleton == Skeleton(
        ("nose", "left_eye", "right_eye"), ((0, 1), (0, 2))
    )
    assert classes["person"].kind == "keypoints" and classes["cat"].kind == "any"
    one, two = list(reading.images)
    assert (one.name, one.id, one.size) == ("img/one.jpg", 7, (W, H))
    polygon, rle, crowd = one.shapes
    assert polygon.geometry == Polygon(
        (
            PolygonPart(((10.0, 10.0), (50.5, 10.0), (50.5, 40.25), (10.0, 40.25))),
            PolygonPart(((60.0, 60.0), (80.0, 60.0), (70.0, 90.0))),
        )
    )
    assert polygon.attributes == {"occluded": True} and polygon.id == 11
    for shape, ann_id in ((rle, 12), (crowd, 13)):
        pixels = coco.annToMask(coco.anns[ann_id]).astype(bool)
        assert np.array_equal(shape.geometry.to_array(), pixels)
    assert crowd.attributes == {"iscrowd": True}
    box, person_outline, person_points, wide_box, lone_points = two.shapes
    assert box.geometry == Box(5.5, 6.5, 25.5, 16.5)
    assert box.attributes == {"score": 0.5}
    assert [loss.what for loss in two.losses] == ["score"]
    assert two.losses[0].annotation == 14 and two.losses[0].image == "img/two.jpg"
    assert person_outline.group == person_points.group == "15"
    assert person_points.geometry == Keypoints(((40, 30, 2), (35, 28, 1), (0, 0, 0)))
    # A box that says more than the keypoints' extent is kept beside them, as one group.
    assert wide_box.geometry == Box(100.0, 10.0, 130.0, 50.0)
    assert lone_points.geometry == Keypoints(((110, 20, 2), (0, 0, 0), (120, 22, 2)))
    assert wide_box.group == lone_points.group == "16"
    whats = sorted(loss.what for loss in reading.losses)
    assert whats == ["area", "supercategory"]  # "person" in "person" is no loss


def test_coco_to_limner_to_coco_loads_identically_in_pycocotools(tmp_path: Path) -> None:
    source = coco_by_hand(tmp_path)
    reading = FORMAT.read(source)
    out = tmp_path / "again.json"
    FORMAT.write(reading.images, reading.classes, out)
    before, after = load(source), load(out)
    assert before.imgs == after.imgs
    for cat_id, cat in before.cats.items():
        again = after.cats[cat_id]
        for key in ("name", "keypoints", "skeleton"):
            assert again.get(key) == cat.get(key), key
    assert sorted(before.anns) == sorted(after.anns)
    for ann_id, ann in before.anns.items():
        again = after.anns[ann_id]
        for key in ("image_id", "category_id", "iscrowd", "keypoints"):
            assert again.get(key) == ann.get(key), (ann_id, key)
        assert np.allclose(again["bbox"], ann["bbox"], rtol=0, atol=1e-6), ann_id
        if ann["segmentation"]:
            assert np.array_equal(after.annToMask(again), before.annToMask(ann)), ann_id
        else:
            assert again["segmentation"] == []
        expected = dict(ann.get("attributes", {}))
        expected.update({"score": ann["score"]} if "score" in ann else {})
        assert again.get("attributes", {}) == expected, ann_id


def test_unusable_entries_are_named_losses_and_the_rest_is_read(tmp_path: Path) -> None:
    data = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 50, "height": 40}],
        "categories": [{"id": 1, "name": "cat"}, {"id": 1, "name": "again"}, {"name": "nameless"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4]},
            {"id": 2, "image_id": 1, "category_id": 8, "bbox": [1, 2, 3, 4]},
            {"id": 3, "image_id": 1, "category_id": 1, "segmentation": [[1, 2, 3]], "bbox": []},
            {
                "id": 4,
                "image_id": 1,
                "category_id": 1,
                "segmentation": {"size": [10, 10], "counts": [0, 100]},
            },
            {"id": 5, "image_id": 2, "category_id": 1, "bbox": [1, 2, 3, 4]},
            {"id": 6, "image_id": 1, "category_id": 1, "bbox": [1, 2, 0, 4]},
            {
                "id": 7,
                "image_id": 1,
                "category_id": 1,
                "segmentation": {"size": [40, 50], "counts": "not rle!"},
            },
        ],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    reading = FORMAT.read(path)
    (image,) = list(reading.images)
    assert [(s.id, s.class_name) for s in image.shapes] == [(1, "cat"), (2, None)]
    lost = {(loss.annotation, loss.what) for loss in image.losses}
    assert lost == {
        (2, "category"),
        (3, "polygon"),
        (3, "annotation"),
        (4, "mask"),
        (4, "annotation"),
        (6, "bbox"),
        (6, "annotation"),
        (7, "mask"),
        (7, "annotation"),
    }
    mask_loss = next(loss for loss in image.losses if loss.annotation == 4 and loss.what == "mask")
    assert mask_loss.why == "RLE is 10x10 but the image is 50x40"
    dataset = [(loss.annotation, loss.what) for loss in reading.losses]
    assert (None, "category") in dataset and (5, "annotation") in dataset


def test_what_coco_cannot_hold_is_a_named_loss_when_writing(tmp_path: Path) -> None:
    other_size = Mask.from_array(np.ones((10, 10), dtype=bool))
    image = ImageLabels(
        "a.jpg",
        (
            Shape(Box(0, 0, 5, 5), None),
            Shape(Box(0, 0, 5, 5), "unknown"),
            Shape(Keypoints(((1, 1, 2),)), "cat"),
            Shape(other_size, "dog"),
            Shape(Box(0, 0, 5, 5), "cat", group="g"),
            Shape(Box(1, 1, 5, 5), "cat", group="g"),
            Shape(Box(2, 2, 4, 4), "cat", {"bad": {1, 2}}),
        ),
        W,
        H,
    )
    out = tmp_path / "out.json"
    losses = FORMAT.write([image], CLASSES, out)
    assert [(loss.annotation, loss.what) for loss in losses] == [
        (0, "annotation"),
        (1, "annotation"),
        (2, "keypoints"),
        (3, "mask"),
        (4, "group"),
        (5, "group"),
        (6, "attributes"),
    ]
    assert "no skeleton" in losses[2].why
    coco = load(out)
    assert [a["bbox"] for a in coco.dataset["annotations"]] == [
        [0, 0, 5, 5],
        [1, 1, 4, 4],
        [2, 2, 2, 2],
    ]


def test_a_missing_image_size_is_taken_from_a_mask_or_named(tmp_path: Path) -> None:
    mask = Mask.from_array(blob(6))
    images = [ImageLabels("m.jpg", (Shape(mask, "dog"),)), ImageLabels("n.jpg", ())]
    out = tmp_path / "out.json"
    losses = FORMAT.write(images, CLASSES, out)
    assert losses == [
        Loss("n.jpg", None, "image size", "unknown, written without width and height")
    ]
    coco = load(out)
    assert (coco.imgs[1]["width"], coco.imgs[1]["height"]) == (W, H)
    assert "width" not in coco.imgs[2]


def test_writing_streams_and_keeps_ids_it_was_given(tmp_path: Path) -> None:
    consumed: list[str] = []

    def images() -> Iterator[ImageLabels]:
        for n in range(3):
            consumed.append(f"{n}.jpg")
            shapes = (Shape(Box(n, n, n + 2, n + 3), "cat", id=100 - n),)
            yield ImageLabels(f"{n}.jpg", shapes, W, H, id=50 + n)

    out = tmp_path / "out.json"
    FORMAT.write(images(), CLASSES, out)
    assert consumed == ["0.jpg", "1.jpg", "2.jpg"]
    coco = load(out)
    assert sorted(coco.imgs) == [50, 51, 52] and sorted(coco.anns) == [98, 99, 100]
    assert not list(tmp_path.glob("*.part"))


def test_a_large_image_with_a_small_mask_is_pixel_exact(tmp_path: Path) -> None:
    big = np.zeros((3000, 4000), dtype=bool)
    big[2990:, 3950:] = blob(7, 50, 10)
    big[0, 0] = True
    image = ImageLabels("big.tif", (Shape(Mask.from_array(big), "dog"),), 4000, 3000)
    out = tmp_path / "big.json"
    FORMAT.write([image], CLASSES, out)
    coco = load(out)
    (ann,) = coco.dataset["annotations"]
    assert np.array_equal(coco.annToMask(ann).astype(bool), big)
    (back,) = list(FORMAT.read(out).images)
    assert_same_geometry(image.shapes[0].geometry, back.shapes[0].geometry)


def test_images_are_found_beside_the_annotations(tmp_path: Path) -> None:
    path = coco_by_hand(tmp_path)
    (tmp_path / "val" / "img").mkdir(parents=True)
    (tmp_path / "val" / "img" / "one.jpg").write_bytes(b"")
    one, two = list(FORMAT.read(tmp_path).images)
    assert one.path == tmp_path / "val" / "img" / "one.jpg"
    assert two.path is None
    assert FORMAT.read(path).source == path


def test_detection_names_the_file_and_refuses_what_is_not_coco(tmp_path: Path) -> None:
    path = coco_by_hand(tmp_path)
    assert FORMAT.detect(path).confidence == 0.95
    folder = FORMAT.detect(tmp_path)
    assert folder and "annotations/instances_val.json" in folder.reason
    assert registry.detect(tmp_path).format is FORMAT
    labelme = tmp_path / "labelme.json"
    labelme.write_text(json.dumps({"shapes": [], "imagePath": "a.jpg", "imageWidth": 3}))
    assert not FORMAT.detect(labelme)
    (tmp_path / "annotations" / "person_keypoints_val.json").write_text(path.read_text())
    several = FORMAT.detect(tmp_path)
    assert not several and "several COCO files" in several.reason
    with pytest.raises(FormatError, match="several COCO files"):
        FORMAT.read(tmp_path)
    not_json = tmp_path / "broken.json"
    not_json.write_text('{"images": [')
    assert FORMAT.detect(not_json)
    with pytest.raises(FormatError, match="cannot be read as JSON"):
        FORMAT.read(not_json)


def test_rotated_boxes_and_ellipses_become_polygons_and_other_kinds_are_named(
    tmp_path: Path,
) -> None:
    turned = Box(20, 20, 60, 40, 30)
    ellipse = Ellipse(80, 60, 20, 10, 45)
    shapes = (
        Shape(turned, "cat"),
        Shape(ellipse, "cat"),
        Shape(Point(3, 4), "cat"),
        Shape(Polyline(((1, 1), (5, 5), (9, 2))), "cat"),
        Shape(Tag("sunny"), "cat"),
    )
    out = tmp_path / "out.json"
    losses = FORMAT.write([ImageLabels("a.jpg", shapes, W, H)], CLASSES, out)
    assert [(loss.annotation, loss.what) for loss in losses] == [
        (0, "rotated box"),
        (1, "ellipse"),
        (2, "point"),
        (3, "polyline"),
        (4, "tag"),
    ]
    assert losses[4].why == "COCO has no image tags"
    coco = load(out)
    box_ann, ellipse_ann = coco.dataset["annotations"]
    assert box_ann["segmentation"] == [flat(turned.corners())]
    assert len(ellipse_ann["segmentation"][0]) == 2 * 64
    (back,) = list(FORMAT.read(out).images)
    assert_same_geometry(back.shapes[0].geometry, Polygon.from_points(turned.corners()))
    assert [s.kind for s in back.shapes] == ["polygon", "polygon"]


def test_a_folder_of_many_sidecars_is_looked_through_by_coco_names_only(tmp_path: Path) -> None:
    for n in range(40):
        (tmp_path / f"img{n}.json").write_text(json.dumps({"shapes": [], "imagePath": "a.jpg"}))
    assert not FORMAT.detect(tmp_path)
    disguised = tmp_path / "zz_labels.json"
    disguised.write_text(json.dumps({"images": [], "annotations": [], "categories": []}))
    assert not FORMAT.detect(tmp_path)  # among many sidecars, a file must be named like COCO's
    disguised.rename(tmp_path / "instances_val.json")
    assert "instances_val.json" in FORMAT.detect(tmp_path).reason


def test_a_position_given_to_a_keypoint_not_labeled_is_a_named_loss(tmp_path: Path) -> None:
    # cocoapi's own keypoint results keep positions for points with v = 0.
    data = {
        "images": [{"id": 3, "file_name": "a.jpg", "width": 100, "height": 80}],
        "categories": [{"id": 1, "name": "person", "keypoints": ["nose", "eye"]}],
        "annotations": [
            {
                "id": 8,
                "image_id": 3,
                "category_id": 1,
                "keypoints": [10, 20, 2, 8, 288, 0],
                "num_keypoints": 1,
                "bbox": [10, 20, 0, 0],
                "area": 0,
                "iscrowd": 0,
                "segmentation": [],
            }
        ],
    }
    path = tmp_path / "k.json"
    path.write_text(json.dumps(data))
    (image,) = list(FORMAT.read(path).images)
    (points,) = [s for s in image.shapes if s.kind == "keypoints"]
    assert points.geometry.points == ((10.0, 20.0, 2), (0.0, 0.0, 0))
    assert [(loss.annotation, loss.what) for loss in image.losses] == [(8, "keypoints")]
