"""Exporting a project: streamed page by page, filtered, every loss named by annotation.

The round trips go project -> file -> a second project with the same images, and compare
shapes to 1e-6 px (masks pixel for pixel); COCO output is also loaded with pycocotools,
the format's reference reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pytest
from pycocotools.coco import COCO as CocoApi

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import (
    Box,
    Keypoints,
    Mask,
    Polygon,
    PolygonPart,
    Polyline,
    Skeleton,
    Tag,
)
from limner.models.editing.commands import AddAnnotations, AddClass
from limner.models.editing.history import History
from limner.models.errors import LimnerError
from limner.models.formats import registry
from limner.models.formats.base import ClassSpec, ImageLabels, Loss
from limner.models.store import queries, tx
from limner.models.store.store import ProjectStore
from limner.models.workflow import label_export
from limner.models.workflow.label_export import ExportFilter, export_labels, output_path
from limner.models.workflow.label_import import import_labels
from limner.models.workflow.project import create_project, import_images
from limner.models.workflow.review_commands import AssignToQueue, CreateQueue
from tests.models.formats.same import assert_same_geometry

SKELETON = Skeleton(("head", "tail"), ((0, 1),))


def add_shapes(store: ProjectStore, name: str, shapes: Sequence[tuple[object, str]]) -> list[str]:
    """Add (geometry, class name) pairs to the image ``name``; returns their uuids."""
    with store.read() as conn:
        image = queries.image_by_name(conn, name)
        ids = {c.name: c.id for c in queries.label_classes(conn)}
    items = tuple(
        NewAnnotation(tx.new_uuid(), image.id, ids[cls], geometry, z=z)
        for z, (geometry, cls) in enumerate(shapes)
    )
    History(store).execute(AddAnnotations(items))
    return [i.uuid for i in items]


@pytest.fixture
def labeled(project: ProjectStore) -> ProjectStore:
    """The conftest project (img1..img5, 80+i x 60) with shapes of every COCO kind."""
    history = History(project)
    history.execute(AddClass({"name": "pose", "color": "#123456", "skeleton": SKELETON}))
    two_parts = Polygon(
        (
            PolygonPart(((5, 5), (30.5, 5), (30.5, 25.25), (5, 25.25))),
            PolygonPart(((40, 30), (60.75, 30), (50, 55))),
        )
    )
    pixels = np.zeros((60, 81), dtype=bool)
    pixels[10:30, 12:47] = True
    pixels[15:20, 20:25] = False
    add_shapes(project, "img1.png", [(Box(1.5, 2.25, 10.125, 20.0), "cat"), (two_parts, "dog")])
    add_shapes(
        project,
        "img2.png",
        [(Mask.from_array(pixels), "dog"), (Keypoints(((3, 4, 2), (0, 0, 0))), "pose")],
    )
    add_shapes(project, "img3.png", [(Box(7, 8, 9, 10.5), "bird")])
    return project


def fresh_copy(tmp_path: Path, image_dir: Path) -> ProjectStore:
    store, _report = create_project(tmp_path / "again", images=[image_dir])
    return store


def shapes_by_image(store: ProjectStore) -> dict[str, list[tuple[str, object]]]:
    with store.read() as conn:
        classes = {c.id: c.name for c in queries.label_classes(conn)}
        return {
            record.name: [
                (classes.get(a.class_id), a.geometry)
                for a in queries.annotations_for_image(conn, record.id)
            ]
            for record in queries.image_page(conn, 0, 100)
        }


def test_project_to_coco_to_project_keeps_every_shape(
    labeled: ProjectStore, tmp_path: Path, image_dir: Path
) -> None:
    out = tmp_path / "out" / "instances.json"
    result = export_labels(labeled, registry.get("coco"), out)
    assert result.losses == []
    assert (result.images, result.shapes) == (5, 5)
    api = CocoApi(str(out))
    assert sorted(img["file_name"] for img in api.imgs.values()) == [
        f"img{i}.png" for i in range(1, 6)
    ]
    assert len(api.anns) == 5
    again = fresh_copy(tmp_path, image_dir)
    try:
        imported = import_labels(again, registry.get("coco").read(out), "coco")
        assert imported.losses == []
        want, got = shapes_by_image(labeled), shapes_by_image(again)
        assert want.keys() == got.keys()
        for name in want:
            assert [c for c, _ in want[name]] == [c for c, _ in got[name]], name
            for (_, a), (_, b) in zip(want[name], got[name], strict=True):
                assert_same_geometry(a, b, name)
        with again.read() as conn:
            pose = next(c for c in queries.label_classes(conn) if c.name == "pose")
        assert pose.skeleton == SKELETON
    finally:
        again.close()


def test_what_the_format_cannot_hold_is_named_by_the_annotations_uuid(
    labeled: ProjectStore, tmp_path: Path
) -> None:
    History(labeled).execute(AddClass({"name": "weather", "color": "#00ff00", "kind": "tag"}))
    holed = Polygon(
        (PolygonPart(((5, 5), (60, 5), (60, 50), (5, 50)), (((20, 20), (40, 20), (30, 40)),)),)
    )
    [line, hole] = add_shapes(
        labeled, "img4.png", [(Polyline(((1, 1), (5, 6), (9, 2))), "cat"), (holed, "dog")]
    )
    [tag] = add_shapes(labeled, "img5.png", [(Tag("rain"), "weather")])
    result = export_labels(labeled, registry.get("coco"), tmp_path / "c.json")
    named = {(loss.image, loss.annotation, loss.what) for loss in result.losses}
    assert named == {
        ("img4.png", line, "polyline"),
        ("img4.png", hole, "polygon with a hole"),
        ("img5.png", tag, "tag"),
    }


def test_filters_choose_images_by_status_and_queue_and_shapes_by_class(
    labeled: ProjectStore, tmp_path: Path
) -> None:
    with labeled.read() as conn:
        ids = {r.name: r.id for r in queries.image_page(conn, 0, 10)}
    with labeled.transaction() as (conn, changes):
        for name in ("img1.png", "img3.png"):
            tx.set_image_status(conn, changes, ids[name], "approved")
    history = History(labeled)
    history.execute(CreateQueue("night", "annotate"))
    history.execute(AssignToQueue("night", (ids["img2.png"], ids["img3.png"])))
    coco = registry.get("coco")

    def exported(flt: ExportFilter) -> tuple[list[str], list[str]]:
        out = tmp_path / "filtered.json"
        export_labels(labeled, coco, out, flt)
        api = CocoApi(str(out))
        names = sorted(img["file_name"] for img in api.imgs.values())
        cats = {c["id"]: c["name"] for c in api.cats.values()}
        return names, sorted(cats[a["category_id"]] for a in api.anns.values())

    assert exported(ExportFilter(status="approved")) == (
        ["img1.png", "img3.png"],
        ["bird", "cat", "dog"],
    )
    assert exported(ExportFilter(queue="night")) == (
        ["img2.png", "img3.png"],
        ["bird", "dog", "pose"],
    )
    names, cats = exported(ExportFilter(classes=("dog",)))
    assert len(names) == 5 and cats == ["dog", "dog"]
    names, cats = exported(ExportFilter(status="approved", queue="night", classes=("bird",)))
    assert (names, cats) == (["img3.png"], ["bird"])


@pytest.mark.parametrize(
    ("flt", "words"),
    [
        (ExportFilter(queue="nope"), "no queue named 'nope'"),
        (ExportFilter(classes=("cat", "zebra")), "no class named 'zebra'"),
        (ExportFilter(status="done"), "unknown status 'done'"),
    ],
)
def test_an_unknown_filter_value_is_an_error_that_names_it(
    labeled: ProjectStore, tmp_path: Path, flt: ExportFilter, words: str
) -> None:
    with pytest.raises(LimnerError, match=words):
        export_labels(labeled, registry.get("coco"), tmp_path / "x.json", flt)
    assert not (tmp_path / "x.json").exists()


class _Recorder:
    """A format that notes, for each image it is given, how many pages had been read."""

    name = "recorder"
    title = "Recorder"
    layout = "file"
    kinds = frozenset({"box"})

    def __init__(self, pages: list[int]) -> None:
        self.pages = pages
        self.seen: list[tuple[str, int]] = []

    def detect(self, path: Path) -> object:
        raise AssertionError("not used")

    def read(self, path: Path) -> object:
        raise AssertionError("not used")

    def write(
        self, images: Iterable[ImageLabels], classes: Sequence[ClassSpec], out: Path
    ) -> list[Loss]:
        for image in images:
            self.seen.append((image.name, len(self.pages)))
        return []


def test_export_reads_one_page_at_a_time_as_the_writer_consumes_it(
    labeled: ProjectStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(label_export, "PAGE_IMAGES", 2)
    pages: list[int] = []
    original = label_export._Pages._page

    def counted(self: label_export._Pages, after: int) -> object:
        pages.append(after)
        return original(self, after)

    monkeypatch.setattr(label_export._Pages, "_page", counted)
    fmt = _Recorder(pages)
    result = export_labels(labeled, fmt, tmp_path / "r.json")  # type: ignore[arg-type]
    assert result.images == 5
    assert fmt.seen == [
        ("img1.png", 1),
        ("img2.png", 1),
        ("img3.png", 2),
        ("img4.png", 2),
        ("img5.png", 3),
    ]


def test_a_cancelled_export_of_one_file_leaves_no_file(
    labeled: ProjectStore, tmp_path: Path
) -> None:
    out = tmp_path / "c.json"
    result = export_labels(
        labeled, registry.get("coco"), out, progress=lambda done, total, name: done < 2
    )
    assert result.cancelled and not out.exists()
    assert list(tmp_path.glob("c.json*")) == []


def test_an_unreadable_image_is_left_out_and_its_shapes_named(
    labeled: ProjectStore, tmp_path: Path
) -> None:
    bad = tmp_path / "bad" / "broken.png"
    bad.parent.mkdir()
    bad.write_text("not an image")
    import_images(labeled, [bad])
    add_shapes(labeled, "broken.png", [(Box(1, 1, 4, 4), "cat")])
    result = export_labels(labeled, registry.get("coco"), tmp_path / "c.json")
    assert result.images == 5
    assert [(loss.image, loss.what) for loss in result.losses] == [("broken.png", "image")]
    assert "could not be read" in result.losses[0].why


def test_a_folder_given_to_a_one_file_format_gets_a_file_in_it(tmp_path: Path) -> None:
    assert output_path(registry.get("coco"), tmp_path) == tmp_path / "annotations.json"
    assert output_path(registry.get("coco"), tmp_path / "x.json") == tmp_path / "x.json"
    assert output_path(registry.get("yolo"), tmp_path) == tmp_path


def test_project_to_yolo_to_project_keeps_boxes_and_polygons(
    project: ProjectStore, tmp_path: Path, image_dir: Path
) -> None:
    triangle = Polygon.from_points([(10.25, 10.5), (40.125, 10), (25, 30.75)])
    add_shapes(project, "img1.png", [(Box(1.5, 2.25, 10.125, 20.0), "cat")])
    add_shapes(project, "img2.png", [(triangle, "dog")])
    out = tmp_path / "yolo"
    result = export_labels(project, registry.get("yolo-segment"), out)
    assert [(loss.image, loss.what) for loss in result.losses] == [("img1.png", "box")]
    again = fresh_copy(tmp_path, image_dir)
    try:
        imported = import_labels(again, registry.get("yolo").read(out), "yolo")
        assert imported.losses == [] and imported.images_added == 0
        got = shapes_by_image(again)
        assert got["img2.png"][0][0] == "dog"
        assert_same_geometry(got["img2.png"][0][1], triangle)
        [(cls, corners)] = got["img1.png"]  # written as its four corners
        assert cls == "cat" and isinstance(corners, Polygon)
    finally:
        again.close()
