"""Importing a dataset into a project: matching, classes, batches as undo steps, provenance,
and every loss named per annotation.

The datasets are COCO files written here from COCO's public description (``bbox`` as
``[x, y, width, height]``, compressed RLE from pycocotools), read by limner's COCO reader
and imported into a real project on disk.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from pycocotools import mask as mask_utils
from sqlalchemy import select

from limner.models.domain.geometry import Box, Keypoints, Mask, Polygon, Skeleton, Tag
from limner.models.editing.history import History
from limner.models.formats.base import ClassSpec, ImageLabels, Provenance, Reading, Shape
from limner.models.formats.coco import FORMAT as COCO
from limner.models.store import queries, schema
from limner.models.store.store import ProjectStore
from limner.models.workflow.import_command import provenance_of
from limner.models.workflow.label_import import import_labels
from limner.models.workflow.project import create_project
from tests.conftest import write_image

SIZES = [(80 + i, 60) for i in range(5)]  # the conftest project's img1.png ... img5.png


def coco_file(path: Path, images: list[dict[str, Any]], anns: list[dict[str, Any]]) -> Path:
    data = {
        "images": images,
        "annotations": anns,
        "categories": [
            {"id": 3, "name": "cat"},
            {"id": 7, "name": "zebra"},
        ],
    }
    path.write_text(json.dumps(data))
    return path


def project_images(count: int = 5) -> list[dict[str, Any]]:
    return [
        {"id": i + 1, "file_name": f"img{i + 1}.png", "width": w, "height": h}
        for i, (w, h) in enumerate(SIZES[:count])
    ]


def box_ann(ann_id: int, image_id: int, category: int = 3, x: float = 1.5) -> dict[str, Any]:
    return {
        "id": ann_id,
        "image_id": image_id,
        "category_id": category,
        "bbox": [x, 2.25, 10.0, 20.5],
        "area": 205.0,
        "iscrowd": 0,
        "segmentation": [],
    }


def live_shapes(store: ProjectStore) -> list[Any]:
    ann = schema.annotation
    with store.read() as conn:
        query = select(ann).where(ann.c.deleted == 0).order_by(ann.c.id)
        return list(conn.execute(query))


def test_a_coco_file_lands_on_the_projects_images_with_its_classes_and_provenance(
    project: ProjectStore, tmp_path: Path
) -> None:
    rle_pixels = np.zeros((60, 82), dtype=np.uint8, order="F")
    rle_pixels[10:30, 5:40] = 1
    rle = mask_utils.encode(rle_pixels)
    rle["counts"] = rle["counts"].decode("ascii")
    anns = [
        box_ann(17, 1),
        {**box_ann(18, 2, category=7), "attributes": {"occluded": True}},
        {
            "id": 19,
            "image_id": 3,
            "category_id": 3,
            "segmentation": rle,
            "area": float(rle_pixels.sum()),
            "bbox": list(mask_utils.toBbox(rle)),
            "iscrowd": 1,
        },
    ]
    source = coco_file(tmp_path / "instances.json", project_images(), anns)
    result = import_labels(project, COCO.read(source), "coco")
    assert result.losses == []
    assert (result.images, result.images_added, result.shapes) == (5, 0, 3)
    assert result.classes_created == ["zebra"]  # cat exists in the project already
    with project.read() as conn:
        classes = {c.name: c for c in queries.label_classes(conn)}
        first = queries.image_by_name(conn, "img1.png")
        shapes = queries.annotations_for_image(conn, first.id)
        assert [s.geometry for s in shapes] == [Box(1.5, 2.25, 11.5, 22.75)]
        assert shapes[0].class_id == classes["cat"].id
        assert shapes[0].source == "import"
        where = provenance_of(conn, shapes[0].uuid)
        assert where == Provenance(str(source), "coco", "annotation id 17")
        second = queries.annotations_for_image(conn, queries.image_by_name(conn, "img2.png").id)
        assert second[0].class_id == classes["zebra"].id
        assert dict(second[0].attributes) == {"occluded": True}
        third = queries.annotations_for_image(conn, queries.image_by_name(conn, "img3.png").id)
        mask = third[0].geometry
        assert isinstance(mask, Mask)
        full = np.zeros((60, 82), dtype=bool)
        full[mask.top : mask.top + mask.height, mask.left : mask.left + mask.width] = (
            mask.crop_array()
        )
        assert np.array_equal(full, rle_pixels.astype(bool))


def test_each_batch_is_one_undo_step_and_redo_brings_back_the_same_rows(
    project: ProjectStore, tmp_path: Path
) -> None:
    anns = [box_ann(10 + i, i + 1, category=7) for i in range(5)]
    source = coco_file(tmp_path / "instances.json", project_images(), anns)
    history = History(project)
    result = import_labels(
        project, COCO.read(source), "coco", execute=history.execute, batch_images=2
    )
    assert result.steps == 3 and len(history) == 3
    before = [r.uuid for r in live_shapes(project)]
    assert len(before) == 5
    history.undo()  # the last batch: image 5 only
    assert [r.uuid for r in live_shapes(project)] == before[:4]
    history.undo()
    history.undo()  # the first batch, which created the class zebra
    assert live_shapes(project) == []
    with project.read() as conn:
        assert "zebra" not in {c.name for c in queries.label_classes(conn)}
        counts = [r.annotation_count for r in queries.image_page(conn, 0, 10)]
        assert counts == [0, 0, 0, 0, 0]
    for _ in range(3):
        history.redo()
    assert [r.uuid for r in live_shapes(project)] == before
    with project.read() as conn:
        assert "zebra" in {c.name for c in queries.label_classes(conn)}
        assert [r.annotation_count for r in queries.image_page(conn, 0, 10)] == [1] * 5


def test_images_are_matched_by_path_then_name_and_missing_ones_are_added(
    project: ProjectStore, tmp_path: Path
) -> None:
    write_image(tmp_path / "extra" / "new.png", 30, 20, seed=9)
    images = [
        {"id": 1, "file_name": "sub/img2.png", "width": 81, "height": 60},  # by its file name
        {"id": 2, "file_name": "new.png", "width": 30, "height": 20},  # added from extra/
        {"id": 3, "file_name": "nowhere.png", "width": 30, "height": 20},  # no such file
    ]
    anns = [box_ann(1, 1), box_ann(2, 2), box_ann(3, 3)]
    source = coco_file(tmp_path / "extra" / "instances.json", images, anns)
    result = import_labels(project, COCO.read(source), "coco")
    assert (result.images, result.images_added, result.shapes) == (2, 1, 2)
    assert [(loss.image, loss.what) for loss in result.losses] == [("nowhere.png", "image")]
    assert "image file was not found" in result.losses[0].why
    with project.read() as conn:
        added = queries.image_by_name(conn, "new.png")
        assert added is not None and (added.width, added.height) == (30, 20)
        assert added.annotation_count == 1
        assert queries.image_by_name(conn, "img2.png").annotation_count == 1


def test_without_adding_images_an_unknown_image_is_a_named_loss(
    project: ProjectStore, tmp_path: Path
) -> None:
    write_image(tmp_path / "extra" / "new.png", 30, 20, seed=9)
    images = [{"id": 1, "file_name": "new.png", "width": 30, "height": 20}]
    source = coco_file(tmp_path / "extra" / "instances.json", images, [box_ann(1, 1)])
    result = import_labels(project, COCO.read(source), "coco", add_images=False)
    assert result.shapes == 0
    assert [(loss.image, loss.what) for loss in result.losses] == [("new.png", "image")]
    assert "adding images was not asked for" in result.losses[0].why
    with project.read() as conn:
        assert queries.image_by_name(conn, "new.png") is None


def _reading(tmp_path: Path, images: list[ImageLabels], classes: list[ClassSpec]) -> Reading:
    return Reading(tmp_path / "made.json", classes, iter(images))


def test_what_a_project_cannot_hold_is_named_per_annotation(
    project: ProjectStore, tmp_path: Path
) -> None:
    skeleton = Skeleton(("head", "tail"), ((0, 1),))
    classes = [
        ClassSpec("weather", "tag"),
        ClassSpec("pose", "keypoints", skeleton=skeleton),
    ]
    wrong_mask = Mask.from_array(np.ones((5, 5), dtype=bool))
    images = [
        ImageLabels(
            "img1.png",
            (
                Shape(Tag("rain"), "weather", id="t1"),
                Shape(Tag("sun"), "weather", id="t2"),  # a second tag of one class
                Shape(Keypoints(((1, 1, 2), (2, 2, 2), (3, 3, 2))), "pose", id="k1"),
                Shape(wrong_mask, "cat", id="m1"),  # a 5x5 image's mask on an 80x60 image
                Shape(Tag("x"), None, id="t3"),
                Shape(Box(1, 1, 5, 5), "weather", id="b1"),
            ),
            80,
            60,
        ),
        ImageLabels("img2.png", (Shape(Box(1, 1, 5, 5), "cat", id="b2"),), 100, 100),
    ]
    result = import_labels(project, _reading(tmp_path, images, classes), "test")
    named = [(loss.image, loss.annotation, loss.what) for loss in result.losses]
    assert named == [
        ("img1.png", "t2", "tag"),
        ("img1.png", "k1", "keypoints"),
        ("img1.png", "m1", "mask"),
        ("img1.png", "t3", "tag"),
        ("img1.png", "b1", "box"),
        ("img2.png", None, "image size"),
    ]
    assert "first is kept" in result.losses[0].why
    assert "skeleton has 2" in result.losses[1].why
    assert "5x5" in result.losses[2].why and "80x60" in result.losses[2].why
    assert result.shapes == 1
    with project.read() as conn:
        image = queries.image_by_name(conn, "img1.png")
        tags = queries.image_tags(conn, image.id)
        assert [t.geometry for t in tags] == [Tag("rain")]


def test_groups_and_predictions_keep_their_meaning(project: ProjectStore, tmp_path: Path) -> None:
    triangle = Polygon.from_points([(10, 10), (40, 10), (25, 30)])
    images = [
        ImageLabels(
            "img1.png",
            (
                Shape(Box(5, 5, 50, 40), "cat", group="g", source="prediction"),
                Shape(triangle, "cat", group="g"),
                Shape(Box(60, 5, 70, 15), "dog", group="alone"),
            ),
            80,
            60,
        )
    ]
    result = import_labels(project, _reading(tmp_path, images, []), "test")
    assert result.losses == [] and result.shapes == 3
    with project.read() as conn:
        shapes = queries.annotations_for_image(
            conn, queries.image_by_name(conn, "img1.png").id
        )
    first, second, third = shapes
    assert first.group_id == first.uuid and second.group_id == first.uuid
    assert third.group_id is None  # a group of one is no group
    assert [s.source for s in shapes] == ["prediction", "import", "import"]


def test_importing_the_same_file_twice_adds_nothing_the_second_time(
    project: ProjectStore, tmp_path: Path
) -> None:
    source = coco_file(tmp_path / "instances.json", project_images(), [box_ann(1, 1)])
    first = import_labels(project, COCO.read(source), "coco")
    again = import_labels(project, COCO.read(source), "coco")
    assert (first.shapes, first.already) == (1, 0)
    assert (again.shapes, again.already) == (0, 1)
    assert "1 already in the project" in again.summary()
    assert len(live_shapes(project)) == 1


def test_a_cancelled_import_keeps_the_batches_it_finished(
    project: ProjectStore, tmp_path: Path
) -> None:
    anns = [box_ann(10 + i, i + 1) for i in range(5)]
    source = coco_file(tmp_path / "instances.json", project_images(), anns)
    seen: list[str] = []

    def progress(done: int, total: int, name: str) -> bool:
        seen.append(name)
        return done < 3

    result = import_labels(project, COCO.read(source), "coco", progress=progress, batch_images=2)
    assert result.cancelled and result.steps == 1
    assert result.shapes == 2 and len(live_shapes(project)) == 2
    assert seen == ["img1.png", "img2.png", "img3.png", "img4.png"]
    assert result.summary().endswith("(cancelled)")


def test_a_dataset_without_images_still_brings_its_classes(tmp_path: Path) -> None:
    store, _report = create_project(tmp_path / "empty")
    try:
        source = coco_file(tmp_path / "instances.json", [], [])
        result = import_labels(store, COCO.read(source), "coco")
        assert result.classes_created == ["cat", "zebra"] and result.steps == 1
        with store.read() as conn:
            assert [c.name for c in queries.label_classes(conn)] == ["cat", "zebra"]
    finally:
        store.close()


def test_an_annotation_of_no_image_is_a_loss_of_the_dataset(
    project: ProjectStore, tmp_path: Path
) -> None:
    anns = [box_ann(1, 1), box_ann(2, 99)]  # image 99 does not exist
    source = coco_file(tmp_path / "instances.json", project_images(2), anns)
    result = import_labels(project, COCO.read(source), "coco")
    assert result.shapes == 1
    assert [(loss.image, loss.annotation, loss.what) for loss in result.losses] == [
        (None, 2, "annotation")
    ]
