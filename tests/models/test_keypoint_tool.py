"""Placing skeleton instances point by point, and dragging their points afterwards, with the
tools of a real editing session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from limner.models.domain.entities import LabelClass
from limner.models.domain.geometry import Keypoints, Skeleton
from limner.models.editing.session import EditingSession
from limner.models.editing.tools.base import Pointer
from limner.models.store.store import ProjectStore
from tests.models.editing_session import (
    add_class,
    add_shape,
    class_named,
    click,
    drag,
    geometry_of,
    session_on_first_image,
    stored,
    use_tool,
)

SKELETON = Skeleton(
    names=("nose", "left eye", "right eye", "left knee"),
    edges=((0, 1), (0, 2), (1, 3)),
    flip_pairs=((1, 2),),
)


@pytest.fixture
def session(project: ProjectStore) -> Iterator[EditingSession]:
    """The session the tools edit through, on the project's first image."""
    session = session_on_first_image(project)
    yield session
    session.close()


@pytest.fixture
def person(session: EditingSession) -> LabelClass:
    created = add_class(
        session, name="person", color="#ff8800", kind="keypoints", skeleton=SKELETON
    )
    session.set_active_class(created.id)
    return created


def only_instance(session: EditingSession) -> Keypoints:
    (ann,) = stored(session)
    assert isinstance(ann.geometry, Keypoints)
    return ann.geometry


def test_without_a_skeleton_class_clicks_do_nothing(session: EditingSession) -> None:
    tool = use_tool(session, "keypoints")  # the active class is "cat": kind "any", no skeleton
    tool.move(Pointer(5, 5, button="none"))
    assert "skeleton" in tool.preview.hint
    click(tool, 10, 10)
    assert tool.key("X") is False
    assert not tool.busy and tool.placed == ()
    assert stored(session) == []


def test_a_keypoints_class_without_skeleton_is_refused(session: EditingSession) -> None:
    bare = add_class(session, name="bare", color="#00ff00", kind="keypoints")
    session.set_active_class(bare.id)
    tool = use_tool(session, "keypoints")
    click(tool, 10, 10)
    assert stored(session) == [] and "skeleton" in tool.preview.hint


def test_places_in_order_with_occluded_and_skipped_points(
    session: EditingSession, person: LabelClass
) -> None:
    tool = use_tool(session, "keypoints")
    assert tool.preview.hint.startswith("next: nose (1/4)")
    click(tool, 10, 12)
    assert tool.preview.hint.startswith("next: left eye (2/4)")
    assert (tool.placed, tool.next_index) == (((10.0, 12.0, 2),), 1)
    click(tool, 20, 14, shift=True)
    assert tool.key("X") is True
    assert tool.placed == ((10.0, 12.0, 2), (20.0, 14.0, 1), (0.0, 0.0, 0))
    assert tool.next_index == 3 and "left knee (4/4)" in tool.preview.hint
    assert isinstance(tool.preview.drawing, Keypoints)  # the partial skeleton
    assert tool.preview.polyline == ((10.0, 12.0), (20.0, 14.0))
    assert stored(session) == []  # nothing saved before the last point
    click(tool, 30, 50)  # the last point saves the instance on its own
    (ann,) = stored(session)
    assert ann.geometry == Keypoints(((10, 12, 2), (20, 14, 1), (0, 0, 0), (30, 50, 2)))
    assert ann.class_id == person.id
    assert session.selection() == {ann.uuid}
    assert len(session.history) == 2  # the class, then the instance
    assert not tool.busy and tool.next_index == 0
    assert tool.preview.hint.startswith("next: nose (1/4)")


def test_points_are_clamped_to_the_image(session: EditingSession, person: LabelClass) -> None:
    tool = use_tool(session, "keypoints")
    click(tool, -3, 70)
    tool.key("Enter")
    assert only_instance(session).points[0] == (0.0, 60.0, 2)


def test_backspace_unplaces_the_last_point(session: EditingSession, person: LabelClass) -> None:
    tool = use_tool(session, "keypoints")
    assert tool.key("Backspace") is False
    click(tool, 10, 12)
    tool.key("X")
    assert tool.key("Backspace") is True  # un-skips
    assert tool.placed == ((10.0, 12.0, 2),)
    click(tool, 22, 12)
    click(tool, 25, 25)
    assert tool.key("Backspace") is True
    click(tool, 26, 12)
    click(tool, 40, 50)
    assert only_instance(session).points == (
        (10.0, 12.0, 2),
        (22.0, 12.0, 2),
        (26.0, 12.0, 2),
        (40.0, 50.0, 2),
    )


def test_enter_finishes_early_with_the_rest_unlabeled(
    session: EditingSession, person: LabelClass
) -> None:
    tool = use_tool(session, "keypoints")
    assert tool.key("Enter") is False  # nothing to finish
    click(tool, 10, 12)
    click(tool, 20, 14, shift=True)
    assert tool.key("Enter") is True
    assert only_instance(session).points == (
        (10.0, 12.0, 2),
        (20.0, 14.0, 1),
        (0.0, 0.0, 0),
        (0.0, 0.0, 0),
    )


def test_an_instance_without_a_labeled_point_is_never_saved(
    session: EditingSession, person: LabelClass
) -> None:
    tool = use_tool(session, "keypoints")
    tool.key("X")
    assert tool.key("Enter") is True
    assert stored(session) == [] and tool.busy
    assert "at least one" in tool.preview.hint
    tool.key("X")
    tool.key("X")
    tool.key("X")  # every point skipped: dropped, not saved
    assert stored(session) == [] and not tool.busy
    assert "nothing was added" in tool.preview.hint
    assert len(session.history) == 1  # only the class


def test_escape_cancels_the_instance(session: EditingSession, person: LabelClass) -> None:
    tool = use_tool(session, "keypoints")
    click(tool, 10, 12)
    click(tool, 20, 14)
    assert tool.busy
    tool.cancel()
    assert not tool.busy and tool.placed == () and tool.preview.drawing is None
    assert stored(session) == []
    click(tool, 30, 30)
    assert tool.placed == ((30.0, 30.0, 2),)  # a new instance starts at the nose again


def test_the_instance_keeps_the_class_it_started_with(
    session: EditingSession, person: LabelClass
) -> None:
    tool = use_tool(session, "keypoints")
    click(tool, 10, 12)
    session.set_active_class(class_named(session, "cat").id)
    tool.move(Pointer(15, 15, button="none"))
    assert tool.preview.hint.startswith("next: left eye (2/4)")  # still placing a person
    click(tool, 20, 14)
    tool.key("Enter")
    (ann,) = stored(session)
    assert ann.class_id == person.id


# -- editing with the select tool ---------------------------------------------------------


INSTANCE = Keypoints(((10.0, 12.0, 2), (20.0, 14.0, 1), (0.0, 0.0, 0), (30.0, 50.0, 2)))


def test_drag_a_keypoint_keeps_its_visibility_and_undoes(
    session: EditingSession, person: LabelClass
) -> None:
    uuid = add_shape(session, INSTANCE)
    session.set_selection([uuid])
    tool = use_tool(session, "select")
    assert tool.cursor(Pointer(21, 15)) == "cross"
    steps = len(session.history)
    tool.press(Pointer(21, 15))  # 1 px off the point: it keeps that offset
    tool.move(Pointer(24, 17))
    assert tool.preview.overrides[uuid].points[1] == (23.0, 16.0, 1)
    tool.move(Pointer(26, 19))
    tool.release(Pointer(26, 19))
    moved = geometry_of(session, uuid)
    assert moved.points == ((10.0, 12.0, 2), (25.0, 18.0, 1), (0.0, 0.0, 0), (30.0, 50.0, 2))
    assert len(session.history) == steps + 1
    session.history.undo()
    assert geometry_of(session, uuid) == INSTANCE


def test_unlabeled_points_cannot_be_grabbed(session: EditingSession, person: LabelClass) -> None:
    uuid = add_shape(session, INSTANCE)
    session.set_selection([uuid])
    tool = use_tool(session, "select")
    assert tool.cursor(Pointer(1, 1)) == "arrow"  # the skipped point sits at (0, 0)
    drag(tool, (1, 1), (9, 9))
    assert geometry_of(session, uuid) == INSTANCE


def test_a_click_on_a_point_without_moving_changes_nothing(
    session: EditingSession, person: LabelClass
) -> None:
    uuid = add_shape(session, INSTANCE)
    session.set_selection([uuid])
    tool = use_tool(session, "select")
    steps = len(session.history)
    tool.press(Pointer(30, 50))
    tool.move(Pointer(31, 50))  # under the drag threshold
    tool.release(Pointer(31, 50))
    assert len(session.history) == steps
    assert geometry_of(session, uuid) == INSTANCE
