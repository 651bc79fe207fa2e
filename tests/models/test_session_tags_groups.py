"""Image tags, groups and class kinds through the Qt-free editing session.

What the window's tag panel, Ctrl+G and digit keys call, on a real project: each edit is
one undo step read back from SQLite, tags count where shapes count (the image's count,
``limner info``, review snapshots), and a tool only ever draws with a class that fits it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from limner.models.domain.entities import LabelClass
from limner.models.domain.geometry import Box, Skeleton, TagSpec
from limner.models.editing.class_fit import class_for_tool, fits, fitting, holds
from limner.models.editing.events import SessionEvent, ShapesUpdated, TagsChanged
from limner.models.editing.session import EditingSession
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.workflow.review import changes_since_review
from limner.models.workflow.review_commands import Review
from limner.models.workflow.stats import project_stats
from tests.models.editing_session import add_class, add_shape, session_on_first_image


@pytest.fixture
def session(project: ProjectStore) -> Iterator[EditingSession]:
    opened = session_on_first_image(project)
    yield opened
    opened.close()


def heard(session: EditingSession) -> list[SessionEvent]:
    events: list[SessionEvent] = []
    session.subscribe(events.append)
    return events


def stored_tags(session: EditingSession) -> dict[int | None, object]:
    assert session.image is not None
    with session.store.read() as conn:
        return {t.class_id: t.geometry.value for t in queries.image_tags(conn, session.image.id)}


def tag_class(session: EditingSession, name: str, spec: TagSpec) -> LabelClass:
    return add_class(session, name=name, color="#123456", kind="tag", tag=spec)


def test_toggling_a_tag_is_one_undo_step_and_tells_the_views(session) -> None:
    weather = tag_class(session, "weather", TagSpec("single", ("sunny", "rainy")))
    events = heard(session)
    assert session.toggle_tag(weather.id, "sunny")
    assert stored_tags(session) == {weather.id: "sunny"}
    assert session.tags[0].geometry.value == "sunny"
    assert TagsChanged(session.image.id) in events
    assert session.annotations == []  # a tag is not a shape on the canvas
    assert session.toggle_tag(weather.id, "rainy")
    session.undo()
    assert stored_tags(session) == {weather.id: "sunny"}
    session.undo()
    assert stored_tags(session) == {} and session.tags == ()
    session.redo()
    assert session.tag_of(weather.id).geometry.value == "sunny"


def test_free_text_and_a_wrong_answer(session) -> None:
    caption = tag_class(session, "caption", TagSpec("text"))
    rating = tag_class(session, "rating", TagSpec("number", minimum=1, maximum=5))
    failures: list[str] = []
    session.subscribe(lambda e: failures.append(e.message) if hasattr(e, "message") else None)
    assert session.set_tag(caption.id, "two dogs")
    assert not session.set_tag(rating.id, 9)
    assert failures and "above" in failures[0]
    assert session.set_tag(rating.id, 4)
    assert stored_tags(session) == {caption.id: "two dogs", rating.id: 4}
    assert session.set_tag(caption.id, "")  # an empty answer clears the tag
    assert caption.id not in stored_tags(session)


def test_tags_count_for_labeled_for_info_and_for_review(session) -> None:
    weather = tag_class(session, "weather", TagSpec("single", ("sunny", "rainy")))
    image_id = session.image.id
    session.toggle_tag(weather.id, "sunny")
    with session.store.read() as conn:
        assert queries.image_by_id(conn, image_id).annotation_count == 1
        assert project_stats(conn)["by_kind"] == {"tag": 1}
    assert session.commit(Review(image_id, "approve"))
    session.toggle_tag(weather.id, "rainy")
    with session.store.read() as conn:
        changes = changes_since_review(conn, image_id)
    assert changes is not None and changes.changed == (session.tag_of(weather.id).uuid,)


def test_group_ungroup_copy_and_delete_take_whole_groups(session) -> None:
    a = add_shape(session, Box(5, 5, 20, 20))
    b = add_shape(session, Box(30, 30, 50, 50))
    c = add_shape(session, Box(60, 5, 70, 15))
    session.set_selection([a, b])
    events = heard(session)
    assert session.group_selection()
    updated = [set(e.ids) for e in events if isinstance(e, ShapesUpdated)]
    assert updated == [{a, b}]  # one edit, both members
    group = session.shape(a).group_id
    assert group is not None and session.shape(b).group_id == group
    assert session.shape(c).group_id is None
    assert {m.uuid for m in session.group_of(b)} == {a, b} and session.group_of(c) == []
    session.set_selection([b])
    assert session.copy() == 2  # the rest of the group comes along
    assert session.paste() == 2
    pasted = [s for s in session.annotations if s.uuid not in (a, b, c)]
    assert pasted[0].group_id == pasted[1].group_id not in (None, group)
    session.set_selection([a])
    assert session.delete_selection()
    assert {s.uuid for s in session.annotations} == {c} | {s.uuid for s in pasted}
    session.undo()
    assert session.shape(b) is not None and session.shape(b).group_id == group
    session.set_selection([a])
    assert session.ungroup_selection()
    assert session.shape(a).group_id is None and session.shape(b).group_id is None
    session.undo()
    assert session.shape(a).group_id == group


def test_a_class_is_what_it_holds(project: ProjectStore) -> None:
    skeleton = Skeleton(("head", "tail"), ((0, 1),))
    plain = LabelClass(1, "car", "#000000")
    boxes = LabelClass(2, "sign", "#000000", kind="box")
    birds = LabelClass(3, "bird", "#000000", skeleton=skeleton)  # kind still "any"
    tags = LabelClass(4, "weather", "#000000", kind="tag", tag=TagSpec("text"))
    assert [holds(c) for c in (plain, boxes, birds, tags)] == ["any", "box", "keypoints", "tag"]
    assert fits(birds, "keypoints") and not fits(birds, "box") and not fits(plain, "keypoints")
    assert not any(fits(tags, kind) for kind in (None, "box", "polygon", "mask"))
    classes = [plain, boxes, birds, tags]
    assert [c.name for c in fitting(classes, "box")] == ["car", "sign"]
    assert [c.name for c in fitting(classes, "polygon")] == ["car"]
    assert [c.name for c in fitting(classes, "select")] == ["car", "sign", "bird"]
    assert class_for_tool(classes, "keypoints", current=1) == 3
    assert class_for_tool(classes, "box", current=3, last=2) == 2
    assert class_for_tool(classes, "box", current=1, last=2) == 1


def test_tools_switch_to_classes_that_fit(session) -> None:
    bird = add_class(
        session, name="sparrow", color="#00aa00", skeleton=Skeleton(("head", "tail"), ((0, 1),))
    )
    mood = tag_class(session, "mood", TagSpec("single", ("calm",)))
    session.set_tool("box")
    session.set_active_class(mood.id)
    assert session.active_class_id() != mood.id  # never a tool's class
    session.set_tool("keypoints")
    assert session.active_class_id() == bird.id
    session.set_tool("box")
    assert session.active_class_id() != bird.id
    box_class = next(c.id for c in session.classes if c.name == "dog")  # not the first one
    session.set_active_class(box_class)
    session.set_active_class(bird.id)  # a skeleton class picked while drawing boxes
    assert session.tool.name == "keypoints" and session.active_class_id() == bird.id
    session.set_tool("box")
    assert session.active_class_id() == box_class  # the box tool's own class again
    session.set_tool("select")
    box = add_shape(session, Box(5, 5, 20, 20), class_id=box_class)
    session.set_selection([box])
    session.pick_class(bird.id)
    assert session.shape(box).class_id == box_class  # a box never takes a skeleton class


def test_the_new_shape_tools_take_only_their_own_or_any_classes() -> None:
    plain = LabelClass(1, "thing", "#000000")
    lanes = LabelClass(2, "lane", "#000000", kind="polyline")
    boxes = LabelClass(3, "sign", "#000000", kind="box")
    assert fitting([plain, lanes, boxes], "polyline") == [plain, lanes]
    assert fitting([plain, lanes, boxes], "ellipse") == [plain]
    assert fitting([plain, lanes, boxes], "point") == [plain]
