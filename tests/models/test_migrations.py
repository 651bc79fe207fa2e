"""A project made with the baseline schema opens in today's limner."""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from limner.models.domain.geometry import Box
from limner.models.store import queries, schema
from limner.models.store.store import ProjectStore, current_revision, make_engine

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "baseline_0001.limner"


def test_fixture_is_at_baseline() -> None:
    engine = make_engine(FIXTURE)
    try:
        assert current_revision(engine) == "0001"
    finally:
        engine.dispose()


def test_baseline_project_opens_after_later_migrations(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "project.limner")
    with ProjectStore.open(folder) as store:
        assert current_revision(store.engine) == _head()
        assert store.name == "baseline fixture"
        with store.read() as conn:
            a, b = queries.image_page(conn, 0, 10)
            # backfilled by 0002: live annotations only (one of a.png's three is deleted)
            assert (a.name, a.annotation_count) == ("a.png", 2)
            assert (b.name, b.annotation_count, b.status) == ("b.png", 1, "submitted")
            boxes = queries.annotations_for_image(conn, a.id)
            assert [x.geometry for x in boxes] == [Box(10, 20, 110, 220), Box(1, 2, 3, 4)]
            assert boxes[0].author == "alice"
            assert [c.name for c in queries.label_classes(conn)] == ["cat", "dog"]


def test_schema_module_matches_the_migrations(tmp_path: Path) -> None:
    with ProjectStore.create(tmp_path / "new") as store, store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    assert diffs == []


def _head() -> str:
    from limner.models.store.store import _head_revision

    return _head_revision()
