"""Consistency of the shipped demo project: files, classes and ground-truth labels.

The demo is the first thing a new user opens, so a label outside its image or a mask of
the wrong size would be a visible bug; these checks run against the files as shipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from limner.models.imaging.imageio import ImageProbe, probe_image
from limner.resources import demo_dir, demo_labels

GEOMETRY_KEYS = {"box", "polygon", "mask_png", "keypoints"}
KIND_OF_KEY = {"box": "box", "polygon": "polygon", "mask_png": "mask", "keypoints": "keypoints"}

LABELS = demo_labels()
CLASSES = {cls["name"]: cls for cls in LABELS["classes"]}
IMAGES = LABELS["images"]
ANNOTATIONS = [(image["file"], ann) for image in IMAGES for ann in image["annotations"]]


def _probe(file: str) -> ImageProbe:
    return probe_image(demo_dir() / file)


def _size(file: str) -> tuple[int, int]:
    probe = _probe(file)
    assert probe.width is not None and probe.height is not None
    return probe.width, probe.height


def _geometry_key(ann: dict[str, Any]) -> str:
    keys = GEOMETRY_KEYS & ann.keys()
    assert len(keys) == 1, f"annotation must have exactly one geometry: {ann}"
    return keys.pop()


def _inside(points: np.ndarray, width: int, height: int) -> bool:
    return bool(
        (points[:, 0] >= 0).all()
        and (points[:, 0] <= width).all()
        and (points[:, 1] >= 0).all()
        and (points[:, 1] <= height).all()
    )


def test_demo_dir_is_the_folder_beside_the_package() -> None:
    folder = demo_dir()
    assert isinstance(folder, Path)
    assert folder.is_dir()
    assert folder == Path(__file__).resolve().parents[2] / "resources" / "demo"
    assert (folder / "labels.json").is_file()


def test_classes_are_well_formed() -> None:
    assert len(CLASSES) == len(LABELS["classes"]), "class names must be unique"
    for cls in LABELS["classes"]:
        assert cls["kind"] in set(KIND_OF_KEY.values())
        assert cls["color"].startswith("#") and len(cls["color"]) == 7
        int(cls["color"][1:], 16)


def test_skeleton_is_consistent() -> None:
    skeletons = [cls["skeleton"] for cls in CLASSES.values() if cls["kind"] == "keypoints"]
    assert skeletons
    for skeleton in skeletons:
        n = len(skeleton["names"])
        assert len(set(skeleton["names"])) == n
        for a, b in skeleton["edges"] + skeleton["flip_pairs"]:
            assert 0 <= a < n and 0 <= b < n and a != b
        for a, b in skeleton["flip_pairs"]:
            left, right = skeleton["names"][a], skeleton["names"][b]
            assert left.replace("l_", "", 1) == right.replace("r_", "", 1)


def test_every_file_named_exists() -> None:
    folder = demo_dir()
    for image in IMAGES:
        assert (folder / image["file"]).is_file(), image["file"]
    for _, ann in ANNOTATIONS:
        if "mask_png" in ann:
            assert (folder / ann["mask_png"]).is_file(), ann["mask_png"]


def test_no_stray_files() -> None:
    """Every image and mask on disk is used, so nothing unlabelled ships by accident."""
    folder = demo_dir()
    named = {image["file"] for image in IMAGES}
    named |= {ann["mask_png"] for _, ann in ANNOTATIONS if "mask_png" in ann}
    on_disk = {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.suffix.lower() in {".jpg", ".png"}
    }
    assert on_disk == named


@pytest.mark.parametrize("file", [image["file"] for image in IMAGES])
def test_every_image_probes_ok(file: str) -> None:
    probe = _probe(file)
    assert probe.ok, probe.error
    assert probe.format == "JPEG"
    assert probe.orientation == 1
    assert probe.size_bytes < 300 * 1024


def test_demo_has_the_promised_variety() -> None:
    sizes = {image["file"]: _size(image["file"]) for image in IMAGES}
    assert len(IMAGES) >= 6
    assert (3000, 2000) in sizes.values()
    assert any(h > w for w, h in sizes.values()), "one portrait image"
    assert any(not image["annotations"] for image in IMAGES), "one image left to label"
    kinds = {_geometry_key(ann) for _, ann in ANNOTATIONS}
    assert kinds == GEOMETRY_KEYS
    holes = [ann for _, ann in ANNOTATIONS if len(ann.get("polygon", [])) > 1]
    assert holes, "at least one polygon with a hole"


@pytest.mark.parametrize(("file", "ann"), ANNOTATIONS)
def test_annotation_matches_its_class(file: str, ann: dict[str, Any]) -> None:
    assert ann["class"] in CLASSES
    assert CLASSES[ann["class"]]["kind"] == KIND_OF_KEY[_geometry_key(ann)]


@pytest.mark.parametrize(("file", "ann"), [(f, a) for f, a in ANNOTATIONS if "box" in a])
def test_boxes_lie_inside_their_image(file: str, ann: dict[str, Any]) -> None:
    width, height = _size(file)
    x0, y0, x1, y1 = ann["box"]
    assert 0 <= x0 < x1 <= width
    assert 0 <= y0 < y1 <= height


@pytest.mark.parametrize(("file", "ann"), [(f, a) for f, a in ANNOTATIONS if "polygon" in a])
def test_polygons_lie_inside_their_image(file: str, ann: dict[str, Any]) -> None:
    width, height = _size(file)
    rings = [np.asarray(ring, dtype=np.float64) for ring in ann["polygon"]]
    outer = rings[0].astype(np.float32)
    for ring in rings:
        assert ring.ndim == 2 and ring.shape[1] == 2 and len(ring) >= 3
        assert _inside(ring, width, height)
    assert cv2.contourArea(outer) > 0
    for hole in rings[1:]:
        for x, y in hole:
            assert cv2.pointPolygonTest(outer, (float(x), float(y)), False) > 0


@pytest.mark.parametrize(("file", "ann"), [(f, a) for f, a in ANNOTATIONS if "keypoints" in a])
def test_keypoints_lie_inside_their_image(file: str, ann: dict[str, Any]) -> None:
    width, height = _size(file)
    skeleton = CLASSES[ann["class"]]["skeleton"]
    points = ann["keypoints"]
    assert len(points) == len(skeleton["names"])
    for x, y, v in points:
        assert v in (0, 1, 2)
        if v == 0:
            assert (x, y) == (0, 0), "unlabelled keypoints are written as 0, 0, 0 (COCO)"
        else:
            assert 0 <= x <= width and 0 <= y <= height


@pytest.mark.parametrize(("file", "ann"), [(f, a) for f, a in ANNOTATIONS if "mask_png" in a])
def test_masks_are_one_bit_at_the_image_size(file: str, ann: dict[str, Any]) -> None:
    with Image.open(demo_dir() / ann["mask_png"]) as mask:
        assert mask.format == "PNG"
        assert mask.mode == "1"
        assert mask.size == _size(file)
        pixels = np.asarray(mask)
    assert pixels.any(), "a mask must cover something"
    assert not pixels.all()
