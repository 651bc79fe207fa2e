"""Every format's import leaves, in each annotation's history, the file it came from.

One box (and for formats with a tag, one image tag) is written by each registered format
and imported into a project; every imported annotation must then name the format and a
file of what was written, and say where in it the annotation was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from limner.app.formats_setup import register_formats
from limner.models.domain.geometry import Box, Keypoints, Polygon, Skeleton
from limner.models.formats import registry
from limner.models.formats.base import ClassSpec, ImageLabels, Shape
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.workflow.import_command import provenance_of
from limner.models.workflow.label_import import import_labels

register_formats()
# What each format is written with: a box, unless the format's variant holds one kind.
_ONE_KIND = {
    "yolo-segment": (Polygon.from_points([(1, 2), (20, 2), (10, 30)]), "polygon"),
    "yolo-pose": (Keypoints(((5.0, 6.0, 2), (15.0, 16.0, 2))), "keypoints"),
}
_SKELETON = Skeleton(("head", "tail"), ((0, 1),))


def _written(name: str) -> tuple[Shape, ClassSpec]:
    geometry, kind = _ONE_KIND.get(name, (Box(1.5, 2.0, 20.25, 30.0), "box"))
    skeleton = _SKELETON if kind == "keypoints" else None
    name = "cat" if kind == "box" else "fish"  # a class of another kind is made by the import
    return Shape(geometry, name, id=5), ClassSpec(name, kind, "#ff0000", skeleton, source_id=0)


@pytest.mark.parametrize("name", registry.names())
def test_import_writes_the_source_file_and_format_into_history(
    name: str, project: ProjectStore, tmp_path: Path
) -> None:
    fmt = registry.get(name)
    shape, cls = _written(name)
    with project.read() as conn:
        record = queries.image_by_name(conn, "img1.png")
    assert record is not None
    path = (
        project.folder / record.path if not Path(record.path).is_absolute() else Path(record.path)
    )
    image = ImageLabels(
        "img1.png",
        (shape,),
        record.width,
        record.height,
        path,
        id=1,
    )
    out = tmp_path / "out" / ("labels.json" if name != "cvat" else "labels.xml")
    if fmt.layout == "folder":
        out = tmp_path / "out"
    assert fmt.write([image], (cls,), out) == []
    result = import_labels(project, fmt.read(out), name)
    assert result.shapes == 1, result.losses
    with project.read() as conn:
        (shape,) = [
            a for a in queries.annotations_for_image(conn, record.id) if a.source == "import"
        ]
        where = provenance_of(conn, shape.uuid)
    assert where is not None
    assert where.format == name
    source = Path(where.source)
    assert source.is_file() and (source == out or out in source.parents), where.source
    assert where.where
