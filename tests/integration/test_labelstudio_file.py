"""A Label Studio JSON file written by limner, checked by the real Label Studio server.

The server is the format's reference reader: a project is created with the label config
written beside the file, the file's tasks go through the server's import API, and the
tasks the server then holds must carry, item for item, the results the file has; read
back by limner, they are the shapes that were written. The server's own JSON export of
that project is read by limner too, without the config beside it, as a user's export
from Label Studio would be.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from limner.models.formats.base import ImageLabels
from limner.sync.adapters.labelstudio_file import FORMAT
from tests.integration.labelstudio_seed import item_key, items_of, json_diff, server_tasks
from tests.integration.labelstudio_server import LabelStudioServer
from tests.models.formats.shape_checks import assert_same_shapes
from tests.sync.test_labelstudio_file import CLASSES, _limner_image


def _images() -> list[ImageLabels]:
    first = _limner_image()
    second = ImageLabels("c.jpg", (first.shapes[0], first.shapes[2]), 64, 48)
    return [first, second]


def _tasks_by_image(tasks: dict[int, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(t["data"]["image"]): t for t in tasks.values()}


def test_the_server_imports_the_written_file_region_for_region(
    labelstudio_running: LabelStudioServer, tmp_path: Path
) -> None:
    server = labelstudio_running
    out = tmp_path / "limner.json"
    images = _images()
    assert FORMAT.write(images, CLASSES, out) == []
    config = out.with_suffix(".xml").read_text(encoding="utf-8")
    written = json.loads(out.read_text(encoding="utf-8"))

    project = server.create_project("limner file import", config)
    server.import_tasks(project, written)
    with server.client() as http:
        held = _tasks_by_image(server_tasks(http, project))
        exported = http.get(f"/api/projects/{project}/export", params={"exportType": "JSON"})
    exported.raise_for_status()

    assert sorted(held) == sorted(image.name for image in images)
    for task in written:
        on_server = held[task["data"]["image"]]
        want = {item_key(i): i for i in items_of(task)}
        got = {item_key(i): i for i in items_of(on_server)}
        assert sorted(got) == sorted(want), task["data"]["image"]
        for key, item in want.items():
            diff = json_diff(item, got[key])
            assert diff == [], f"{key}: {diff}"

    # What the server holds, read back by limner, is what was written.
    held_file = tmp_path / "held.json"
    held_file.write_text(json.dumps(list(held.values())), encoding="utf-8")
    held_file.with_suffix(".xml").write_text(config, encoding="utf-8")
    back = {image.name: image for image in FORMAT.read(held_file).images}
    for image in images:
        assert_same_shapes(image.shapes, back[image.name].shapes)

    # The server's own export, with no config beside it, reads back to the same shapes.
    export_file = tmp_path / "export" / "project-export.json"
    export_file.parent.mkdir()
    export_file.write_bytes(exported.content)
    reading = FORMAT.read(export_file)
    from_export = {image.name: image for image in reading.images}
    for image in images:
        assert_same_shapes(image.shapes, from_export[image.name].shapes)


def _export_with_predictions(http: Any, project: int) -> Any:
    """The project's JSON export with whole predictions (``GET .../export`` lists their
    ids only): an export snapshot asked for with ``only_id`` off."""
    options = {"predictions": {"only_id": False}}
    made = http.post(
        f"/api/projects/{project}/exports/",
        json={"title": "limner", "serialization_options": options},
    )
    made.raise_for_status()
    snapshot = made.json()
    assert snapshot["status"] == "completed", snapshot  # Community exports at once
    got = http.get(
        f"/api/projects/{project}/exports/{snapshot['id']}/download", params={"exportType": "JSON"}
    )
    got.raise_for_status()
    return got


def test_predictions_go_through_limner_and_back_to_a_server_unchanged(
    labelstudio_running: LabelStudioServer, project: Any, tmp_path: Path
) -> None:
    """The server's export with predictions, imported into limner, exported again and
    imported by a second project: every prediction arrives as it left the first."""
    from limner.app.formats_setup import register_formats
    from limner.models.formats import registry
    from limner.models.workflow.label_export import export_labels
    from limner.models.workflow.label_import import import_labels
    from tests.sync.test_labelstudio_file_predictions import _limner_config, write_tasks

    register_formats()
    server = labelstudio_running
    config = _limner_config()
    tasks = json.loads(write_tasks(tmp_path / "in", config).read_text(encoding="utf-8"))
    first = server.create_project("limner predictions in", config)
    server.import_tasks(first, tasks)
    with server.client() as http:
        exported = _export_with_predictions(http, first)
    from_server = {str(t["data"]["image"]): t["predictions"] for t in exported.json()}
    assert sum(len(p["result"]) for entries in from_server.values() for p in entries) == 4

    export_file = tmp_path / "export" / "project-export.json"  # no config beside it
    export_file.parent.mkdir()
    export_file.write_bytes(exported.content)
    result = import_labels(project, FORMAT.read(export_file), "labelstudio")
    assert (result.shapes, result.suggestions) == (1, 4)
    out = tmp_path / "out" / "tasks.json"
    export_labels(project, registry.get("labelstudio"), out)
    written = {str(t["data"]["image"]): t for t in json.loads(out.read_text(encoding="utf-8"))}
    for name, entries in from_server.items():
        assert json_diff(entries, written[name].get("predictions", [])) == [], name

    second = server.create_project("limner predictions out", out.with_suffix(".xml").read_text())
    server.import_tasks(second, list(written.values()))
    with server.client() as http:
        held = _tasks_by_image(server_tasks(http, second))
    for name, entries in from_server.items():
        got = held[name]["predictions"]
        assert len(got) == len(entries), name
        for before, after in zip(entries, got, strict=True):
            assert (after["model_version"], after["score"]) == (
                before["model_version"],
                before["score"],
            )
            assert json_diff(before["result"], after["result"]) == [], name
