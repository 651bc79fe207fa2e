"""The project store, commands and undo, on a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box, Polygon
from limner.models.editing.commands import (
    AddAnnotations,
    AddClass,
    DeleteAnnotations,
    DeleteClass,
    EditAnnotations,
    SetImageStatus,
    UpdateClass,
)
from limner.models.editing.history import History
from limner.models.errors import ProjectNotFoundError, StoreError
from limner.models.store import queries
from limner.models.store.store import ChangeSet, ProjectStore
from limner.models.store.tx import new_uuid
from limner.models.workflow.stats import project_stats
from tests.conftest import write_image


def first_image_id(store: ProjectStore) -> int:
    with store.read() as conn:
        image = queries.first_image(conn)
    assert image is not None
    return image.id


def add_box(history: History, image_id: int, box: Box, class_id: int | None = None) -> str:
    uuid = new_uuid()
    history.execute(AddAnnotations((NewAnnotation(uuid, image_id, class_id, box),)))
    return uuid


def raw_rows(store: ProjectStore, sql: str) -> list[tuple]:
    con = sqlite3.connect(store.db_file)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_project_is_a_folder_with_one_database(project: ProjectStore) -> None:
    assert project.folder.is_dir()
    assert project.db_file == project.folder / "project.limner"
    assert project.db_file.is_file()


def test_pragmas_and_wal(project: ProjectStore) -> None:
    with project.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_every_commit_is_durable(project: ProjectStore) -> None:
    """synchronous=FULL: in WAL mode, NORMAL lets the last commits roll back on power loss."""
    with project.read() as first, project.read() as second:  # two pooled connections
        for conn in (first, second):
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    with project.transaction() as (conn, _changes):
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def test_add_undo_redo_persist_and_bump_rev(project: ProjectStore) -> None:
    history = History(project)
    image_id = first_image_id(project)
    uuid = add_box(history, image_id, Box(1, 2, 30, 40))
    assert raw_rows(project, f"SELECT deleted, rev FROM annotation WHERE uuid='{uuid}'") == [(0, 1)]
    assert raw_rows(project, f"SELECT annotation_count FROM image WHERE id={image_id}") == [(1,)]
    history.undo()
    assert raw_rows(project, f"SELECT deleted, rev FROM annotation WHERE uuid='{uuid}'") == [(1, 2)]
    assert raw_rows(project, f"SELECT annotation_count FROM image WHERE id={image_id}") == [(0,)]
    history.redo()
    assert raw_rows(project, f"SELECT deleted, rev FROM annotation WHERE uuid='{uuid}'") == [(0, 3)]
    with project.read() as conn:
        (ann,) = queries.annotations_for_image(conn, image_id)
    assert ann.geometry == Box(1, 2, 30, 40)
    assert ann.author == "tester"
    assert ann.source == "manual"
    assert ann.created_at and ann.updated_at


def test_edit_stores_only_the_delta_and_undoes(project: ProjectStore) -> None:
    history = History(project)
    image_id = first_image_id(project)
    uuid = add_box(history, image_id, Box(1, 2, 30, 40))
    with project.read() as conn:
        record = queries.annotation_by_uuid(conn, uuid)
    assert record is not None
    command = EditAnnotations.from_records("Move", [(record, {"geometry": Box(5, 6, 34, 44)})])
    assert list(command.edits[0].before) == ["geometry"]
    history.execute(command)
    with project.read() as conn:
        assert queries.annotation_by_uuid(conn, uuid).geometry == Box(5, 6, 34, 44)
    history.undo()
    with project.read() as conn:
        assert queries.annotation_by_uuid(conn, uuid).geometry == Box(1, 2, 30, 40)


def test_unchanged_fields_make_an_empty_edit(project: ProjectStore) -> None:
    history = History(project)
    uuid = add_box(history, first_image_id(project), Box(1, 2, 30, 40))
    with project.read() as conn:
        record = queries.annotation_by_uuid(conn, uuid)
    command = EditAnnotations.from_records("Move", [(record, {"geometry": Box(1, 2, 30, 40)})])
    assert command.edits == ()


def test_delete_is_a_tombstone_and_undo_revives(project: ProjectStore) -> None:
    history = History(project)
    image_id = first_image_id(project)
    a = add_box(history, image_id, Box(1, 2, 30, 40))
    b = add_box(history, image_id, Box(3, 4, 10, 10))
    history.execute(DeleteAnnotations((a, b), on_image=image_id))
    with project.read() as conn:
        assert queries.annotations_for_image(conn, image_id) == []
    assert raw_rows(project, "SELECT COUNT(*) FROM annotation WHERE deleted=1") == [(2,)]
    history.undo()
    with project.read() as conn:
        assert {x.uuid for x in queries.annotations_for_image(conn, image_id)} == {a, b}


def test_failed_command_changes_nothing(project: ProjectStore) -> None:
    history = History(project)
    image_id = first_image_id(project)
    a = add_box(history, image_id, Box(1, 2, 30, 40))
    before = raw_rows(project, "SELECT uuid, deleted, rev FROM annotation ORDER BY id")
    with pytest.raises(StoreError):
        history.execute(DeleteAnnotations((a, "no-such-uuid"), on_image=image_id))
    assert raw_rows(project, "SELECT uuid, deleted, rev FROM annotation ORDER BY id") == before
    assert history.undo_text == "Add annotation"


def test_listeners_hear_after_commit(project: ProjectStore) -> None:
    seen: list[ChangeSet] = []
    project.subscribe(seen.append)
    history = History(project)
    image_id = first_image_id(project)
    uuid = add_box(history, image_id, Box(1, 2, 30, 40))
    assert seen[-1].annotations == {image_id: {uuid}}


def test_classes_add_rename_delete_keep_annotations(project: ProjectStore) -> None:
    history = History(project)
    with project.read() as conn:
        cat = next(c for c in queries.label_classes(conn) if c.name == "cat")
    image_id = first_image_id(project)
    uuid = add_box(history, image_id, Box(1, 2, 30, 40), cat.id)
    with project.read() as conn:
        history.execute(UpdateClass.capture(conn, cat.id, {"name": "kitten"}, "Rename"))
    with pytest.raises(StoreError, match="exists already"):
        history.execute(AddClass({"name": "dog", "color": "#123456"}))
    history.execute(DeleteClass(cat.id))
    with project.read() as conn:
        assert "kitten" not in [c.name for c in queries.label_classes(conn)]
        assert queries.annotation_by_uuid(conn, uuid).class_id is None
    history.undo()
    with project.read() as conn:
        assert next(c.name for c in queries.label_classes(conn)) == "kitten"
        assert queries.annotation_by_uuid(conn, uuid).class_id == cat.id
    history.undo()
    with project.read() as conn:
        assert next(c.name for c in queries.label_classes(conn)) == "cat"


def test_image_status_command(project: ProjectStore) -> None:
    history = History(project)
    image_id = first_image_id(project)
    history.execute(SetImageStatus({image_id: "new"}, "submitted"))
    with project.read() as conn:
        assert queries.image_by_id(conn, image_id).status == "submitted"
    history.undo()
    with project.read() as conn:
        assert queries.image_by_id(conn, image_id).status == "new"


def test_paging_filter_search_and_neighbors(project: ProjectStore, image_dir: Path) -> None:
    with project.read() as conn:
        names = [r.name for r in queries.image_page(conn, 0, 100)]
        assert names == ["img1.png", "img2.png", "img3.png", "img4.png", "img5.png"]
        assert [r.name for r in queries.image_page(conn, 2, 2)] == ["img3.png", "img4.png"]
        flt = queries.ImageFilter(search="G3")
        assert queries.image_count(conn, flt) == 1
        third = queries.image_page(conn, 0, 1, flt)[0]
        assert queries.image_row_index(conn, third.id) == 2
        assert queries.neighbor_image(conn, third.id, +1).name == "img4.png"
        assert queries.neighbor_image(conn, third.id, -1).name == "img2.png"
        assert queries.image_count(conn, queries.ImageFilter(search="%")) == 0


def test_import_skips_duplicates_and_lists_unreadable(
    project: ProjectStore, tmp_path: Path
) -> None:
    from limner.models.workflow.project import import_images

    extra = tmp_path / "more"
    write_image(extra / "copy_of_1.png", 80, 60, seed=0)  # same bytes as img1.png
    write_image(extra / "new.png", 30, 30, seed=99)
    (extra / "broken.jpg").write_text("this is not a picture")
    report = import_images(project, [extra])
    assert report.added == 1  # the broken file is kept and listed, but not counted as added
    assert report.summary().startswith("1 image added, 1 unreadable")
    assert report.duplicates == ["copy_of_1.png"]
    assert [name for name, _ in report.unreadable] == ["broken.jpg"]
    with project.read() as conn:
        broken = queries.image_by_name(conn, "broken.jpg")
        assert broken is not None and broken.error
        assert queries.image_count(conn, queries.ImageFilter(status="error")) == 1


def test_import_can_be_cancelled_between_files(project: ProjectStore, tmp_path: Path) -> None:
    from limner.models.workflow.project import import_images

    folder = tmp_path / "many"
    for i in range(6):
        write_image(folder / f"m{i}.png", 10, 10, seed=100 + i)
    report = import_images(project, [folder], progress=lambda done, total, name: done < 3)
    assert report.cancelled and report.added == 3


def test_stats_for_info(project: ProjectStore) -> None:
    history = History(project)
    image_id = first_image_id(project)
    with project.read() as conn:
        dog = next(c for c in queries.label_classes(conn) if c.name == "dog")
    add_box(history, image_id, Box(1, 2, 30, 40), dog.id)
    square = Polygon.from_points([(1, 1), (9, 1), (9, 9), (1, 9)])
    history.execute(AddAnnotations((NewAnnotation(new_uuid(), image_id, None, square),)))
    with project.read() as conn:
        stats = project_stats(conn)
    assert stats["images"] == 5
    assert stats["by_status"] == {"new": 4, "in_progress": 1}  # the first edit started it
    assert stats["annotations"] == 2
    assert stats["by_kind"] == {"box": 1, "polygon": 1}
    assert stats["by_class"] == {"cat": 0, "dog": 1, "bird": 0, "(no class)": 1}
    json.dumps(stats)


def test_open_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFoundError):
        ProjectStore.open(tmp_path / "nothing")
    bogus = tmp_path / "bogus"
    bogus.mkdir()
    (bogus / "project.limner").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a limner project"):
        ProjectStore.open(bogus)
    ProjectStore.create(tmp_path / "p").close()
    with pytest.raises(StoreError, match="already exists"):
        ProjectStore.create(tmp_path / "p")
