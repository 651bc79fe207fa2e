"""A Label Studio file's ``predictions`` come into a project as suggestions and go back out
as the same predictions.

The files are written here as Label Studio describes a task with predictions: each
prediction a ``result`` list like an annotation's, with its ``model_version`` and
``score`` (and a score per item where the model gave one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from limner.app.formats_setup import register_formats
from limner.models.domain.geometry import Box, Polygon, Tag, TagSpec
from limner.models.editing.history import History
from limner.models.editing.suggestion_commands import AcceptSuggestions, RejectSuggestions
from limner.models.formats import registry
from limner.models.formats.base import ClassSpec
from limner.models.store import queries, schema, suggestions
from limner.models.store.store import ProjectStore
from limner.models.workflow.label_export import export_labels
from limner.models.workflow.label_import import import_labels
from limner.sync.adapters.labelstudio_config import parse_label_config
from limner.sync.adapters.labelstudio_file import FORMAT
from limner.sync.adapters.labelstudio_file_write import LabelStudioWriter

CLASSES = (
    ClassSpec("car", "box", "#ff0000"),
    ClassSpec("area", "polygon", "#00ff00"),
    ClassSpec("weather", "tag", tag=TagSpec("single", ("rain", "sun"))),
)
SIZES = {"img1.png": (80, 60), "img2.png": (81, 60)}


def _names(xml: str) -> dict[str, str]:
    """The control of each result type in ``xml``, as a Label Studio user would read it."""
    return {c.type: c.name for c in parse_label_config(xml).controls}


def _item(item_id: str, kind: str, control: str, image: str, value: dict[str, Any]) -> dict:
    width, height = SIZES[image]
    return {"id": item_id, "type": kind, "from_name": control, "to_name": "image",
            "original_width": width, "original_height": height, "image_rotation": 0,
            "value": value}  # fmt: skip


def write_tasks(folder: Path, config_xml: str) -> Path:
    """Two tasks with predictions (boxes, a polygon, a choice) and one annotation."""
    names = _names(config_xml)
    box = _item("p1", "rectanglelabels", names["rectanglelabels"], "img1.png",
                {"x": 12.5, "y": 10, "width": 25, "height": 50, "rotation": 0,
                 "rectanglelabels": ["car"]})  # fmt: skip
    box["score"] = 0.91
    points = [[10, 10], [60, 15], [35, 70]]
    polygon = _item("p2", "polygonlabels", names["polygonlabels"], "img1.png",
                    {"points": points, "polygonlabels": ["area"]})  # fmt: skip
    choice = _item("p3", "choices", names["choices"], "img1.png", {"choices": ["rain"]})
    del choice["original_width"], choice["original_height"], choice["image_rotation"]
    other = _item("q1", "rectanglelabels", names["rectanglelabels"], "img2.png",
                  {"x": 50, "y": 50, "width": 10, "height": 20, "rotation": 0,
                   "rectanglelabels": ["car"]})  # fmt: skip
    drawn = _item("a1", "rectanglelabels", names["rectanglelabels"], "img1.png",
                  {"x": 0, "y": 0, "width": 10, "height": 10, "rotation": 0,
                   "rectanglelabels": ["car"]})  # fmt: skip
    tasks = [
        {"id": 1, "data": {"image": "img1.png"},
         "annotations": [{"id": 5, "result": [drawn]}],
         "predictions": [{"id": 11, "model_version": "yolo-7", "score": 0.8,
                          "result": [box, polygon, choice]}]},
        {"id": 2, "data": {"image": "img2.png"}, "annotations": [],
         "predictions": [{"id": 12, "model_version": "yolo-7", "score": 0.55, "result": [other]}]},
    ]  # fmt: skip
    path = folder / "tasks.json"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tasks), encoding="utf-8")
    path.with_suffix(".xml").write_text(config_xml, encoding="utf-8")
    return path


def _limner_config() -> str:
    """The config limner writes for these classes (as a first export leaves beside it)."""
    return LabelStudioWriter(CLASSES).config_xml


def _import(store: ProjectStore, path: Path, history: History | None = None) -> Any:
    return import_labels(
        store,
        FORMAT.read(path),
        "labelstudio",
        execute=history.execute if history is not None else None,
    )


def _open(store: ProjectStore, name: str) -> list[suggestions.Suggestion]:
    with store.read() as conn:
        image = queries.image_by_name(conn, name)
        assert image is not None
        return suggestions.for_image(conn, image.id)


def test_predictions_are_imported_as_suggestions_not_annotations(
    project: ProjectStore, tmp_path: Path
) -> None:
    path = write_tasks(tmp_path / "file", _limner_config())
    history = History(project)
    result = _import(project, path, history)
    assert result.shapes == 1 and result.suggestions == 4
    assert not [loss for loss in result.losses if loss.what == "prediction"]
    found = {s.label: s for s in _open(project, "img1.png")}
    assert sorted(found) == ["area", "car", "weather"]
    assert {s.source for s in found.values()} == {"model:yolo-7"}
    assert (found["car"].score, found["area"].score, found["weather"].score) == (0.91, 0.8, 0.8)
    assert found["car"].geometry == Box(10.0, 6.0, 30.0, 36.0)
    assert found["area"].geometry == Polygon.from_points([(8, 6), (48, 9), (28, 42)])
    assert found["weather"].geometry == Tag("rain")
    with project.read() as conn:
        image = queries.image_by_name(conn, "img1.png")
        assert image is not None
        (drawn,) = queries.annotations_for_image(conn, image.id)
    assert drawn.geometry == Box(0.0, 0.0, 8.0, 6.0) and drawn.source == "import"

    # The same file again adds nothing twice; undoing the import takes them away.
    assert _import(project, path).suggestions == 0
    assert len(_open(project, "img1.png")) == 3
    history.undo()
    assert _open(project, "img1.png") == [] and _open(project, "img2.png") == []


def test_accepting_one_makes_an_annotation_whose_history_names_the_model(
    project: ProjectStore, tmp_path: Path
) -> None:
    _import(project, write_tasks(tmp_path / "file", _limner_config()))
    found = {s.label: s for s in _open(project, "img1.png")}
    history = History(project)
    history.execute(AcceptSuggestions((found["car"],)))
    history.execute(AcceptSuggestions((found["weather"],)))
    with project.read() as conn:
        image_id = found["car"].image_id
        (box,) = [a for a in queries.annotations_for_image(conn, image_id) if a.source != "import"]
        (tag,) = queries.image_tags(conn, image_id)
        details = [json.loads(d) for d in conn.execute(select(schema.event.c.detail)).scalars()]
    assert box.geometry == found["car"].geometry and box.class_id == found["car"].class_id
    assert box.source == "model:yolo-7" == tag.source
    assert tag.geometry == Tag("rain")
    accepted = [d for d in details if found["car"].uuid in d.get("accepted", {})]
    assert accepted and accepted[0]["sources"] == ["model:yolo-7"]


def test_a_suggested_answer_replaces_the_images_answer_and_undo_brings_it_back(
    project: ProjectStore, tmp_path: Path
) -> None:
    from limner.models.domain.entities import NewAnnotation
    from limner.models.editing.commands import AddAnnotations
    from limner.models.store.tx import new_uuid

    _import(project, write_tasks(tmp_path / "file", _limner_config()))
    weather = next(s for s in _open(project, "img1.png") if s.label == "weather")
    history = History(project)
    mine = NewAnnotation(new_uuid(), weather.image_id, weather.class_id, Tag("sun"))
    history.execute(AddAnnotations((mine,)))
    history.execute(AcceptSuggestions((weather,)))
    with project.read() as conn:
        assert [t.geometry for t in queries.image_tags(conn, weather.image_id)] == [Tag("rain")]
    history.undo()
    with project.read() as conn:
        assert [t.uuid for t in queries.image_tags(conn, weather.image_id)] == [mine.uuid]


def _predictions(path: Path) -> dict[str, list[dict[str, Any]]]:
    tasks = json.loads(path.read_text(encoding="utf-8"))
    return {t["data"]["image"]: t.get("predictions", []) for t in tasks}


def test_export_gives_back_the_predictions_that_came_in(
    project: ProjectStore, tmp_path: Path
) -> None:
    register_formats()
    source = write_tasks(tmp_path / "file", _limner_config())
    _import(project, source)
    out = tmp_path / "out" / "tasks.json"
    export_labels(project, registry.get("labelstudio"), out)
    came = _predictions(source)
    went = _predictions(out)
    for name, entries in came.items():
        assert went[name] == entries, name
    # What the annotator decided leaves the predictions: accepted is now a label.
    found = {s.label: s for s in _open(project, "img1.png")}
    history = History(project)
    history.execute(AcceptSuggestions((found["car"],)))
    history.execute(RejectSuggestions((found["area"],)))
    export_labels(project, registry.get("labelstudio"), out)
    (entry,) = _predictions(out)["img1.png"]
    assert [item["id"] for item in entry["result"]] == ["p3"]
    assert (entry["model_version"], entry["score"], entry["id"]) == ("yolo-7", 0.8, 11)


def test_predictions_under_another_config_come_back_as_the_same_regions(
    project: ProjectStore, tmp_path: Path
) -> None:
    """A hand-written config names its controls its own way; the export's config is
    limner's, so the items are written afresh, with their ids, labels and scores."""
    register_formats()
    theirs = _limner_config().replace('"rectangles"', '"bbox"').replace('"polygons"', '"seg"')
    source = write_tasks(tmp_path / "file", theirs)
    _import(project, source)
    out = tmp_path / "out" / "tasks.json"
    export_labels(project, registry.get("labelstudio"), out)
    before = {i.name: i.predictions for i in FORMAT.read(source).images}
    after = {i.name: i.predictions for i in FORMAT.read(out).images}
    for name, read in before.items():
        got = {(p.key, p.class_name, p.geometry, p.score, p.source) for p in after[name]}
        assert got == {(p.key, p.class_name, p.geometry, p.score, p.source) for p in read}
    (entry,) = _predictions(out)["img1.png"]
    assert entry["model_version"] == "yolo-7" and entry["score"] == 0.8
    assert {item["from_name"] for item in entry["result"]} >= {"rectangles", "polygons"}


def test_an_export_listing_predictions_by_id_only_names_each_one(tmp_path: Path) -> None:
    source = write_tasks(tmp_path / "file", _limner_config())
    tasks = json.loads(source.read_text(encoding="utf-8"))
    tasks[0]["predictions"] = [11]  # what Label Studio's quick export holds
    source.write_text(json.dumps(tasks), encoding="utf-8")
    first = next(iter(FORMAT.read(source).images))
    assert first.predictions == ()
    (loss,) = [loss for loss in first.losses if loss.what == "prediction"]
    assert loss.annotation == 11 and "only the prediction's id" in loss.why
