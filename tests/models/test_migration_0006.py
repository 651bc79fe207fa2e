"""Migration 0006 (new shape kinds, tags, groups) leaves every existing project as it was.

A project is written at revision 0005 with plain SQL, one shape of every kind that
revision knew, then opened by today's code: each shape must read back as the same value
from the same stored text, and the migrated file must have exactly the schema a new
project has. The baseline fixture (revision 0001) goes through the same migration.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import (
    Box,
    Keypoints,
    Mask,
    Polygon,
    PolygonPart,
    Skeleton,
    Tag,
    TagSpec,
    geometry_to_json,
)
from limner.models.editing.commands import AddAnnotations, AddClass
from limner.models.editing.history import History
from limner.models.store import queries, schema
from limner.models.store.store import ProjectStore, current_revision, make_engine, upgrade_database

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "baseline_0001.limner"
STAMP = "2026-01-01T00:00:00.000+00:00"

OLD_SHAPES = [
    Box(10, 20, 110, 220),
    Box(0.5, 1.25, 3.75, 4.125),
    Polygon(
        (
            PolygonPart(((0, 0), (40, 0), (40, 30), (0, 30)), (((5, 5), (10, 5), (10, 10)),)),
            PolygonPart(((50, 50), (60, 50), (55, 58))),
        )
    ),
    Mask.from_array(np.eye(6, 8, dtype=bool)),
    Keypoints(((1.5, 2.5, 2), (0, 0, 0), (7, 8, 1))),
]


def _project_at_0005(folder: Path) -> list[str]:
    """A project at revision 0005 written as that revision would; the stored JSON texts."""
    folder.mkdir()
    db = folder / "project.limner"
    engine = make_engine(db)
    upgrade_database(engine, "0005")
    engine.dispose()
    skeleton = json.dumps(Skeleton(("a", "b", "c"), ((0, 1),)).to_json())
    texts = [json.dumps(geometry_to_json(g), separators=(",", ":")) for g in OLD_SHAPES]
    con = sqlite3.connect(db)
    with con:
        con.execute("INSERT INTO meta(key, value) VALUES ('name', 'at 0005')")
        con.execute(
            "INSERT INTO label_class(id, uuid, name, color, kind, sort_order, skeleton) "
            "VALUES (1, 'c1', 'pose', '#112233', 'keypoints', 0, ?)",
            (skeleton,),
        )
        con.execute(
            "INSERT INTO image(id, uuid, name, path, width, height, status, position, added_at,"
            " annotation_count) VALUES (1, 'i1', 'a.png', '/nowhere/a.png', 640, 480, 'new', 0,"
            " ?, ?)",
            (STAMP, len(texts)),
        )
        for index, (shape, text) in enumerate(zip(OLD_SHAPES, texts, strict=True)):
            con.execute(
                "INSERT INTO annotation(uuid, image_id, class_id, kind, geometry, x0, y0, x1, y1,"
                " z, created_at, updated_at) VALUES (?, 1, 1, ?, ?, 0, 0, 1, 1, ?, ?, ?)",
                (f"a{index}", shape.kind, text, index, STAMP, STAMP),
            )
    con.close()
    return texts


def test_a_0005_project_reads_back_every_shape_identically(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    texts = _project_at_0005(folder)
    with ProjectStore.open(folder) as store:
        assert current_revision(store.engine) not in (None, "0005")  # migrated to the head
        with store.read() as conn:
            shapes = queries.annotations_for_image(conn, 1)
            (pose,) = queries.label_classes(conn)
        assert [s.geometry for s in shapes] == OLD_SHAPES
        assert [s.group_id for s in shapes] == [None] * len(OLD_SHAPES)
        assert pose.skeleton == Skeleton(("a", "b", "c"), ((0, 1),)) and pose.tag is None
    con = sqlite3.connect(folder / "project.limner")
    stored = [r[0] for r in con.execute("SELECT geometry FROM annotation ORDER BY id")]
    con.close()
    assert stored == texts, "the migration rewrote stored geometry"


def test_a_migrated_project_has_the_schema_of_a_new_one(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    _project_at_0005(folder)
    with ProjectStore.open(folder) as store, store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    assert diffs == []


def test_the_baseline_takes_tags_and_groups_after_migrating(tmp_path: Path) -> None:
    folder = tmp_path / "baseline"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "project.limner")
    with ProjectStore.open(folder) as store:
        history = History(store)
        history.execute(
            AddClass({"name": "weather", "color": "#0000ff", "kind": "tag", "tag": TagSpec("text")})
        )
        with store.read() as conn:
            image = queries.image_page(conn, 0, 1)[0]
            weather = next(c for c in queries.label_classes(conn) if c.name == "weather")
            before = queries.annotations_for_image(conn, image.id)
        history.execute(
            AddAnnotations((NewAnnotation("tag-1", image.id, weather.id, Tag("overcast")),))
        )
        with store.read() as conn:
            assert queries.annotations_for_image(conn, image.id) == before
            assert [t.geometry for t in queries.image_tags(conn, image.id)] == [Tag("overcast")]
    con = sqlite3.connect(folder / "project.limner")
    row = con.execute("SELECT x0, y0, x1, y1 FROM annotation WHERE uuid = 'tag-1'").fetchone()
    con.close()
    assert row == (None, None, None, None), "a tag has no bounds to store"
