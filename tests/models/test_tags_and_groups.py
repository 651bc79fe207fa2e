"""The new kinds in a real project: stored, undone, redone; image tags; groups.

Every edit goes through the history as a user's would, and every check reads the
project back from SQLite, so what is asserted is what a reopened project shows.
"""

from __future__ import annotations

import sqlite3

import pytest

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box, Ellipse, Keypoints, Point, Polyline, Tag, TagSpec
from limner.models.editing.clipboard import copy_items, paste_command
from limner.models.editing.commands import AddAnnotations, AddClass
from limner.models.editing.groups import (
    delete_command,
    expand_groups,
    group_command,
    move_command,
    ungroup_command,
)
from limner.models.editing.history import History
from limner.models.editing.tags import spec_of, tag_command, toggle_command
from limner.models.errors import GeometryError
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid

NEW_KINDS = [
    Box(10, 10, 40, 20, 30),
    Polyline(((1, 1), (20, 5), (30, 40))),
    Point(12.5, 7.25),
    Ellipse(30, 30, 10, 4, 120),
]


def _image(store: ProjectStore) -> int:
    with store.read() as conn:
        image = queries.first_image(conn)
    assert image is not None
    return image.id


def _shapes(store: ProjectStore, image_id: int) -> list:
    with store.read() as conn:
        return queries.annotations_for_image(conn, image_id)


def _tags(store: ProjectStore, image_id: int) -> list:
    with store.read() as conn:
        return queries.image_tags(conn, image_id)


def _add(history: History, image_id: int, geometry: object, **extra: object) -> str:
    uuid = new_uuid()
    history.execute(AddAnnotations((NewAnnotation(uuid, image_id, None, geometry, **extra),)))  # type: ignore[arg-type]
    return uuid


def _tag_class(store: ProjectStore, history: History, name: str, spec: TagSpec | None):
    command = AddClass({"name": name, "color": "#123456", "kind": "tag", "tag": spec})
    history.execute(command)
    with store.read() as conn:
        return next(c for c in queries.label_classes(conn) if c.name == name)


def test_each_new_kind_is_stored_undone_and_redone(project: ProjectStore) -> None:
    history = History(project)
    image_id = _image(project)
    for geometry in NEW_KINDS:
        _add(history, image_id, geometry)
    assert [a.geometry for a in _shapes(project, image_id)] == NEW_KINDS
    rows = (
        sqlite3.connect(project.db_file)
        .execute("SELECT kind, x0, y1 FROM annotation ORDER BY id")
        .fetchall()
    )
    assert [r[0] for r in rows] == ["box", "polyline", "point", "ellipse"]
    assert rows[2][1:] == (12.5, 7.25), "a point's bounds columns are the point"
    for _ in NEW_KINDS:
        history.undo()
    assert _shapes(project, image_id) == []
    for _ in NEW_KINDS:
        history.redo()
    assert [a.geometry for a in _shapes(project, image_id)] == NEW_KINDS
    project.close()
    with ProjectStore.open(project.folder) as again:
        assert [a.geometry for a in _shapes(again, image_id)] == NEW_KINDS


def test_a_tag_class_keeps_what_it_asks(project: ProjectStore) -> None:
    history = History(project)
    weather = _tag_class(project, history, "weather", TagSpec("single", ("sunny", "rainy")))
    caption = _tag_class(project, history, "caption", None)
    assert weather.kind == "tag" and weather.tag == TagSpec("single", ("sunny", "rainy"))
    assert spec_of(caption) == TagSpec("text"), "a tag class without a spec takes free text"
    with project.read() as conn:
        cat = next(c for c in queries.label_classes(conn) if c.name == "cat")
    with pytest.raises(GeometryError, match="not a tag class"):
        spec_of(cat)


def test_tags_are_answered_changed_and_cleared_with_undo(project: ProjectStore) -> None:
    history = History(project)
    image_id = _image(project)
    weather = _tag_class(project, history, "weather", TagSpec("single", ("sunny", "rainy")))
    _add(history, image_id, Box(1, 1, 5, 5))

    history.execute(tag_command(image_id, weather, None, "rainy"))  # type: ignore[arg-type]
    (tag,) = _tags(project, image_id)
    assert tag.geometry == Tag("rainy") and tag.class_id == weather.id
    assert [a.kind for a in _shapes(project, image_id)] == ["box"], "tags are not shapes"
    with project.read() as conn:
        assert queries.image_by_id(conn, image_id).annotation_count == 2, "a tag counts"
    assert tag_command(image_id, weather, tag, "rainy") is None
    with pytest.raises(GeometryError, match="not one of"):
        tag_command(image_id, weather, tag, "snowy")

    history.execute(tag_command(image_id, weather, tag, "sunny"))  # type: ignore[arg-type]
    assert [t.geometry for t in _tags(project, image_id)] == [Tag("sunny")]
    (tag,) = _tags(project, image_id)
    history.execute(tag_command(image_id, weather, tag, None))  # type: ignore[arg-type]
    assert _tags(project, image_id) == []
    history.undo()
    assert [t.geometry for t in _tags(project, image_id)] == [Tag("sunny")]
    history.undo()
    assert [t.geometry for t in _tags(project, image_id)] == [Tag("rainy")]
    history.undo()
    assert _tags(project, image_id) == []
    with project.read() as conn:
        assert queries.image_by_id(conn, image_id).annotation_count == 1


def test_toggles_take_single_choices_and_add_or_remove_multiple_ones(project: ProjectStore) -> None:
    history = History(project)
    image_id = _image(project)
    single = _tag_class(project, history, "light", TagSpec("single", ("day", "night")))
    multiple = _tag_class(
        project, history, "issues", TagSpec("multiple", ("blur", "glare", "dark"))
    )

    def current(cls_id: int):
        return next((t for t in _tags(project, image_id) if t.class_id == cls_id), None)

    history.execute(toggle_command(image_id, single, None, "night"))  # type: ignore[arg-type]
    assert current(single.id).geometry == Tag("night")
    history.execute(toggle_command(image_id, single, current(single.id), "night"))  # type: ignore[arg-type]
    assert current(single.id) is None, "pressing the chosen option again clears it"

    for option in ("dark", "blur"):
        history.execute(toggle_command(image_id, multiple, current(multiple.id), option))  # type: ignore[arg-type]
    assert current(multiple.id).geometry == Tag(("blur", "dark"))
    history.execute(toggle_command(image_id, multiple, current(multiple.id), "blur"))  # type: ignore[arg-type]
    assert current(multiple.id).geometry == Tag(("dark",))
    with pytest.raises(GeometryError, match="not one of"):
        toggle_command(image_id, multiple, None, "noise")


def test_group_and_ungroup_are_one_undo_step_each(project: ProjectStore) -> None:
    history = History(project)
    image_id = _image(project)
    a = _add(history, image_id, Box(0, 0, 10, 10))
    b = _add(history, image_id, Point(20, 20))
    c = _add(history, image_id, Polyline(((30, 30), (40, 40))))
    shapes = _shapes(project, image_id)
    command = group_command(shapes[:2], shapes)
    assert command is not None
    history.execute(command)
    groups = {s.uuid: s.group_id for s in _shapes(project, image_id)}
    assert groups == {a: a, b: a, c: None}, "the anchor is the lowest member, its uuid the id"
    assert history.undo_text.endswith("Group")

    shapes = _shapes(project, image_id)
    assert group_command(shapes[:1], shapes) is None, "one member of a group: already grouped"
    merged = group_command([shapes[1], shapes[2]], shapes)  # b is grouped with a
    assert merged is not None and {e.uuid for e in merged.edits} == {c}
    history.execute(merged)
    assert {s.group_id for s in _shapes(project, image_id)} == {a}

    shapes = _shapes(project, image_id)
    history.execute(ungroup_command([shapes[2]], shapes))  # type: ignore[arg-type]
    assert {s.group_id for s in _shapes(project, image_id)} == {None}
    history.undo()
    assert {s.group_id for s in _shapes(project, image_id)} == {a}
    history.undo()
    history.undo()
    assert {s.group_id for s in _shapes(project, image_id)} == {None}


def test_a_keypoint_instance_is_never_the_anchor_when_another_member_can_be(
    project: ProjectStore,
) -> None:
    history = History(project)
    image_id = _image(project)
    _add(history, image_id, Keypoints(((1, 1, 2), (2, 2, 2))))
    box = _add(history, image_id, Box(0, 0, 5, 5))
    shapes = _shapes(project, image_id)
    history.execute(group_command(shapes, shapes))  # type: ignore[arg-type]
    assert {s.group_id for s in _shapes(project, image_id)} == {box}


def test_a_group_moves_deletes_and_copies_together(project: ProjectStore) -> None:
    history = History(project)
    image_id = _image(project)
    a = _add(history, image_id, Box(0, 0, 10, 10, 15))
    _add(history, image_id, Ellipse(20, 20, 5, 3))
    loner = _add(history, image_id, Point(50, 50))
    shapes = _shapes(project, image_id)
    history.execute(group_command(shapes[:2], shapes))  # type: ignore[arg-type]
    shapes = _shapes(project, image_id)
    assert [s.uuid for s in expand_groups([shapes[1]], shapes)] == [a, shapes[1].uuid]

    history.execute(move_command([shapes[1]], shapes, 2, 3))  # type: ignore[arg-type]
    moved = {s.uuid: s.geometry for s in _shapes(project, image_id)}
    assert moved[a] == Box(2, 3, 12, 13, 15) and moved[loner] == Point(50, 50)
    assert moved[shapes[1].uuid] == Ellipse(22, 23, 5, 3)

    shapes = _shapes(project, image_id)
    clip = copy_items(expand_groups([shapes[0]], shapes))
    paste, skipped = paste_command(clip, image_id, (80, 60), offset=(5, 5))
    assert paste is not None and skipped == 0
    history.execute(paste)
    pasted = [s for s in _shapes(project, image_id) if s.uuid in {i.uuid for i in paste.items}]
    anchor = next(s for s in pasted if isinstance(s.geometry, Box))
    assert {s.group_id for s in pasted} == {anchor.uuid}, "the copies form a group of their own"
    assert anchor.geometry == Box(7, 8, 17, 18, 15)

    shapes = _shapes(project, image_id)
    history.execute(delete_command([pasted[1]], shapes, image_id))  # type: ignore[arg-type]
    assert {s.uuid for s in _shapes(project, image_id)} == {a, shapes[1].uuid, loner}
    history.undo()
    assert len(_shapes(project, image_id)) == 5


def test_a_lone_copied_member_is_pasted_without_a_group(project: ProjectStore) -> None:
    history = History(project)
    image_id = _image(project)
    _add(history, image_id, Box(0, 0, 10, 10))
    _add(history, image_id, Box(20, 20, 30, 30))
    shapes = _shapes(project, image_id)
    history.execute(group_command(shapes, shapes))  # type: ignore[arg-type]
    paste, _ = paste_command(copy_items(_shapes(project, image_id)[1:]), image_id, (80, 60))
    assert paste is not None and [i.group_id for i in paste.items] == [None]
