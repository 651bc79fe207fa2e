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
