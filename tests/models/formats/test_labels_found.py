"""Labels that come with a folder of images are found: sidecars, a COCO file, a YOLO dataset.

The files are written here from each format's public description: labelme's JSON sidecar
(``shapes`` with ``label``, ``points`` and ``shape_type``, ``imagePath`` beside it), COCO's
``images`` / ``annotations`` / ``categories`` and YOLO's ``data.yaml`` with ``labels/``.
"""

from __future__ import annotations

import json
from pathlib import Path

from limner.models.workflow.labels_found import find_labels, labels_beside
from tests.conftest import write_image


def labelme_sidecar(image: Path, label: str = "cat") -> Path:
    data = {
        "version": "5.4.1",
        "flags": {},
        "shapes": [
            {
                "label": label,
                "points": [[1.0, 2.0], [10.0, 20.0]],
                "group_id": None,
                "description": "",
                "shape_type": "rectangle",
                "flags": {},
            }
        ],
        "imagePath": image.name,
        "imageData": None,
        "imageHeight": 48,
        "imageWidth": 64,
    }
    sidecar = image.with_suffix(".json")
    sidecar.write_text(json.dumps(data))
    return sidecar


def test_a_folder_of_images_with_labelme_sidecars_is_found_as_labelme(tmp_path: Path) -> None:
    folder = tmp_path / "pets"
    for i in range(3):
        labelme_sidecar(write_image(folder / f"p{i}.png", seed=i))
    found = labels_beside(folder)
    assert found is not None
    assert found.choice.format.name == "labelme"
    assert found.path == folder
    assert found.summary.startswith(f"labelme annotations in {folder} (")


def test_an_images_folder_finds_the_coco_file_of_its_dataset(tmp_path: Path) -> None:
    images = tmp_path / "dataset" / "images"
    write_image(images / "a.png")
    (tmp_path / "dataset" / "annotations").mkdir()
    coco = {
        "images": [{"id": 1, "file_name": "a.png", "width": 64, "height": 48}],
        "annotations": [],
        "categories": [{"id": 1, "name": "cat"}],
    }
    (tmp_path / "dataset" / "annotations" / "instances_val.json").write_text(json.dumps(coco))
    found = labels_beside(images)
    assert found is not None
    assert found.choice.format.name == "coco"
    assert found.path == tmp_path / "dataset"


def test_a_yolo_dataset_is_found_from_its_images_folder(tmp_path: Path) -> None:
    root = tmp_path / "yolo"
    write_image(root / "images" / "a.png")
    (root / "labels").mkdir(parents=True)
    (root / "labels" / "a.txt").write_text("0 0.5 0.5 0.25 0.25\n")
    (root / "data.yaml").write_text("train: images\nval: images\nnames: [cat]\n")
    found = labels_beside(root / "images")
    assert found is not None and found.choice.format.name == "yolo"
    assert found.path == root


def test_a_plain_folder_of_images_has_no_labels_and_its_parent_is_not_searched(
    tmp_path: Path,
) -> None:
    write_image(tmp_path / "holiday" / "a.png")
    labelme_sidecar(write_image(tmp_path / "b.png"))  # beside the folder, but not a dataset
    assert labels_beside(tmp_path / "holiday") is None
    assert find_labels([tmp_path / "holiday", tmp_path / "b.png"]) == []
