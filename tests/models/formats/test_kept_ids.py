"""A dataset imported into a project and exported to its format again keeps its ids.

Training and evaluation tools hold results against a COCO file's image, category and
annotation ids; a round trip through limner that renumbered them would silently break
those results. The file here is written by the test to COCO's description, with ids
that are neither limner's nor consecutive.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pycocotools.coco import COCO as CocoApi

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.history import apply_logged
from limner.models.formats.coco import FORMAT as COCO
from limner.models.formats.yolo import FORMAT as YOLO
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.models.workflow.label_export import export_labels
from limner.models.workflow.label_import import import_labels
from tests.models.formats.test_importing import SIZES


def _dataset(path: Path) -> Path:
    images = [
        {"id": 900 + 7 * i, "file_name": f"img{i + 1}.png", "width": w, "height": h}
        for i, (w, h) in enumerate(SIZES)
    ]
    annotations = [
        {
            "id": 5000 + 13 * n,
            "image_id": images[n % 5]["id"],
            "category_id": (42, 7, 19)[n % 3],
            "bbox": [1.0 + n, 2.5, 10.0, 20.25],
            "area": 202.5,
            "iscrowd": 0,
            "segmentation": [[1.0 + n, 2.5, 11.0 + n, 2.5, 11.0 + n, 22.75]],
        }
        for n in range(8)
    ]
    categories = [
        {"id": 42, "name": "zebra", "supercategory": "animal"},
        {"id": 7, "name": "okapi", "supercategory": "animal"},
        {"id": 19, "name": "tapir", "supercategory": "animal"},
    ]
    data = {"images": images, "annotations": annotations, "categories": categories}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _load(path: Path) -> CocoApi:
    api = CocoApi()
    api.dataset = json.loads(path.read_text(encoding="utf-8"))
    api.createIndex()
    return api


def test_coco_through_a_project_keeps_image_category_and_annotation_ids(
    project: ProjectStore, tmp_path: Path
) -> None:
    source = _dataset(tmp_path / "instances.json")
    result = import_labels(project, COCO.read(source), "coco")
    assert result.shapes == 8
    out = tmp_path / "again.json"
    export_labels(project, COCO, out)
    before, after = _load(source), _load(out)
    assert sorted(after.imgs) == sorted(before.imgs)
    for image_id, image in before.imgs.items():
        assert after.imgs[image_id]["file_name"] == image["file_name"]
    for cat_id, cat in before.cats.items():  # the project's own classes get free ids
        assert after.cats[cat_id]["name"] == cat["name"]
    assert sorted(after.anns) == sorted(before.anns)
    for ann_id, ann in before.anns.items():
        again = after.anns[ann_id]
        assert (again["image_id"], again["category_id"]) == (ann["image_id"], ann["category_id"])
        assert again["bbox"] == ann["bbox"]


def test_new_shapes_get_free_ids_and_other_formats_ids_are_not_used(
    project: ProjectStore, tmp_path: Path
) -> None:
    source = _dataset(tmp_path / "instances.json")
    import_labels(project, COCO.read(source), "coco")
    with project.read() as conn:
        image = queries.image_by_name(conn, "img2.png")
        zebra = next(c for c in queries.label_classes(conn) if c.name == "zebra")
    assert image is not None
    drawn = NewAnnotation(new_uuid(), image.id, zebra.id, Box(3, 4, 10, 12), {}, 0, "manual")
    apply_logged(project, AddAnnotations((drawn,)), "draw")
    out = tmp_path / "again.json"
    export_labels(project, COCO, out)
    after = _load(out)
    kept = set(_load(source).anns)
    new = [a for a in after.anns.values() if a["id"] not in kept]
    assert len(new) == 1 and new[0]["image_id"] == 907 and new[0]["category_id"] == 42
    # The COCO ids mean nothing to YOLO: its class indices still run from zero.
    export_labels(project, YOLO, tmp_path / "yolo")
    data = yaml.safe_load((tmp_path / "yolo" / "data.yaml").read_text(encoding="utf-8"))
    names = data["names"]
    indices = list(names) if isinstance(names, dict) else list(range(len(names)))
    assert indices == list(range(len(indices)))
