"""Polyline, point and ellipse tools, rotate and radius handles, polyline vertex edits and
the kind conversions, driven with pointer events through a real editing session."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from limner.models.domain.geometry import Box, Ellipse, Point, Polygon, Polyline
from limner.models.editing import shape_handles as sh
from limner.models.editing.session import EditingSession
from limner.models.editing.tools.base import Pointer
from limner.models.editing.tools.ellipse import ellipse_in
from limner.models.store.store import ProjectStore
from tests.models.editing_session import (
    add_shape,
    click,
    drag,
    geometry_of,
    session_on_first_image,
    stored,
    use_tool,
)


@pytest.fixture
def session(project: ProjectStore) -> Iterator[EditingSession]:
    """A session on the project's first image (80 x 60)."""
    session = session_on_first_image(project)
    yield session
    session.close()


def only(session: EditingSession, kind: type):  # type: ignore[no-untyped-def]
    (ann,) = stored(session)
    assert isinstance(ann.geometry, kind), ann.geometry
    return ann.geometry


def rounded(points) -> set[tuple[float, float]]:  # type: ignore[no-untyped-def]
    return {(round(x, 6), round(y, 6)) for x, y in points}


def select(session: EditingSession, geometry) -> str:  # type: ignore[no-untyped-def]
    uuid = add_shape(session, geometry)
    session.set_selection([uuid])
    return uuid


# -- polyline ------------------------------------------------------------------------------
def test_polyline_clicks_backspace_and_enter(session: EditingSession) -> None:
    tool = use_tool(session, "polyline")
    for x, y in [(10, 10), (30, 12), (50, 40), (70, 5)]:
        click(tool, x, y)
    assert tool.busy and len(tool.preview.polyline) >= 4
    assert tool.key("Backspace")
    assert stored(session) == []
    assert tool.key("Enter")
    assert only(session, Polyline).points == ((10, 10), (30, 12), (50, 40))
    assert not tool.busy
    session.undo()
    assert stored(session) == []
    session.redo()
    assert only(session, Polyline).points == ((10, 10), (30, 12), (50, 40))


def test_polyline_double_click_finishes_and_esc_cancels(session: EditingSession) -> None:
    tool = use_tool(session, "polyline")
    click(tool, 5, 5)
    click(tool, 40, 30)
    tool.double_click(Pointer(40, 30))  # the press already placed this vertex
    assert only(session, Polyline).points == ((5, 5), (40, 30))
    click(tool, 60, 5)
    click(tool, 70, 20)
    tool.cancel()
    assert not tool.key("Enter")  # nothing is being drawn: Enter is not the tool's
    assert len(stored(session)) == 1


def test_polyline_of_one_point_is_refused_with_a_reason(session: EditingSession) -> None:
    tool = use_tool(session, "polyline")
    click(tool, 20, 20)
    assert tool.key("Return")
    assert stored(session) == []
    assert "cannot finish" in tool.preview.hint


# -- point ---------------------------------------------------------------------------------
def test_point_tool_places_one_point_per_click(session: EditingSession) -> None:
    tool = use_tool(session, "point")
    click(tool, 12.5, 30.25)
    click(tool, 90, 30)  # beside the 80-pixel-wide image
    assert only(session, Point) == Point(12.5, 30.25)
    click(tool, 40, 40)
    assert len(stored(session)) == 2
    session.undo()
    assert only(session, Point) == Point(12.5, 30.25)


# -- ellipse -------------------------------------------------------------------------------
def test_ellipse_tool_drag_and_shift_circle(session: EditingSession) -> None:
    tool = use_tool(session, "ellipse")
    drag(tool, (10, 10), (50, 30))
    assert only(session, Ellipse) == Ellipse(30, 20, 20, 10)
    session.undo()
    tool.press(Pointer(10, 10))
    tool.move(Pointer(40, 20, shift=True))
    tool.release(Pointer(40, 20, shift=True))
    assert only(session, Ellipse) == Ellipse(25, 25, 15, 15)


def test_ellipse_tool_ignores_a_click(session: EditingSession) -> None:
    tool = use_tool(session, "ellipse")
    drag(tool, (10, 10), (11, 11))
    assert stored(session) == []


def test_ellipse_in_towards_every_corner() -> None:
    assert ellipse_in(50, 40, 10, 20, circle=False) == Ellipse(30, 30, 20, 10)
    assert ellipse_in(50, 40, 10, 30, circle=True) == Ellipse(30, 20, 20, 20)


# -- rotate handle -------------------------------------------------------------------------
def test_rotate_handle_turns_a_box_and_shift_snaps(session: EditingSession) -> None:
    box = Box(20, 20, 60, 40)
    uuid = select(session, box)
    tool = use_tool(session, "select")
    hx, hy = sh.rotate_handle(box, 1.0)
    assert (hx, hy) == (40, 20 - sh.ROTATE_HANDLE_SCREEN_PX)
    cx, cy = box.centre
    # the handle dragged to the right of the centre: a quarter turn clockwise
    drag(tool, (hx, hy), (cx + 30, cy))
    turned = geometry_of(session, uuid)
    assert isinstance(turned, Box)
    assert turned.angle == pytest.approx(90.0)
    assert (turned.width, turned.height, turned.centre) == (40, 20, box.centre)
    session.undo()
    assert geometry_of(session, uuid) == box
    # 20 degrees from the start, with Shift: snapped to 15
    radians = math.radians(20)
    end = (cx + 30 * math.sin(radians), cy - 30 * math.cos(radians))
    tool.press(Pointer(hx, hy))
    tool.move(Pointer(*end, shift=True))
    tool.release(Pointer(*end, shift=True))
    snapped = geometry_of(session, uuid)
    assert isinstance(snapped, Box) and snapped.angle == pytest.approx(15.0)
    session.undo()
    session.redo()
    assert geometry_of(session, uuid) == snapped


def test_rotated_box_resizes_in_its_own_frame(session: EditingSession) -> None:
    box = Box.from_centre(40, 30, 20, 10, 90)  # stands upright: 10 wide, 20 tall on screen
    uuid = select(session, box)
    tool = use_tool(session, "select")
    right = sh.turned_box_handles(box)[3]  # the box's own right edge: at the bottom on screen
    assert right == pytest.approx((40, 40))
    drag(tool, right, (40, 50))
    grown = geometry_of(session, uuid)
    assert isinstance(grown, Box)
    assert grown.angle == 90 and grown.width == pytest.approx(30)
    assert grown.height == pytest.approx(10)
    assert grown.centre == pytest.approx((40, 35))  # its own left edge stayed where it was


def test_ellipse_radius_and_rotate_handles(session: EditingSession) -> None:
    ellipse = Ellipse(40, 30, 20, 10)
    uuid = select(session, ellipse)
    tool = use_tool(session, "select")
    drag(tool, sh.ellipse_handles(ellipse)[0], (65, 30))
    assert geometry_of(session, uuid) == Ellipse(40, 30, 25, 10)
    drag(tool, sh.ellipse_handles(Ellipse(40, 30, 25, 10))[1], (40, 45))
    assert geometry_of(session, uuid) == Ellipse(40, 30, 25, 15)
    hx, hy = sh.rotate_handle(Ellipse(40, 30, 25, 15), 1.0)
    drag(tool, (hx, hy), (10, 30))  # left of the centre: three quarters of a turn
    turned = geometry_of(session, uuid)
    assert isinstance(turned, Ellipse) and turned.angle == pytest.approx(270)
    session.undo()
    assert geometry_of(session, uuid) == Ellipse(40, 30, 25, 15)


# -- polyline vertices ---------------------------------------------------------------------
def test_polyline_vertex_move_insert_delete(session: EditingSession) -> None:
    line = Polyline(((10, 10), (40, 10), (70, 40)))
    uuid = select(session, line)
    tool = use_tool(session, "select")
    drag(tool, (40, 10), (40, 20))
    assert geometry_of(session, uuid) == Polyline(((10, 10), (40, 20), (70, 40)))
    tool.double_click(Pointer(25, 15))  # on the first segment
    inserted = geometry_of(session, uuid)
    assert isinstance(inserted, Polyline) and len(inserted.points) == 4
    assert inserted.points[1] == pytest.approx((25, 15))
    click(tool, 70, 40, alt=True)
    assert geometry_of(session, uuid) == Polyline(inserted.points[:3])
    session.undo()
    assert geometry_of(session, uuid) == inserted


def test_a_two_point_polyline_keeps_its_vertices(session: EditingSession) -> None:
    line = Polyline(((10, 10), (40, 10)))
    uuid = select(session, line)
    tool = use_tool(session, "select")
    click(tool, 40, 10, alt=True)
    assert geometry_of(session, uuid) == line
    assert "2" in tool.preview.hint or "point" in tool.preview.hint


# -- conversions ---------------------------------------------------------------------------
def test_rotated_box_to_polygon_and_back(session: EditingSession) -> None:
    box = Box.from_centre(40, 30, 20, 10, 30)
    select(session, box)
    session.convert_selection("boxes_to_polygons")
    polygon = only(session, Polygon)
    assert rounded(polygon.parts[0].outer) == rounded(box.corners())
    session.set_selection([stored(session)[0].uuid])
    session.convert_selection("polygons_to_boxes")
    back = only(session, Box)
    assert back.centre == pytest.approx(box.centre)
    assert back.area == pytest.approx(box.area)
    assert back.angle % 90 == pytest.approx(30)
    session.undo()
    assert isinstance(only(session, Polygon), Polygon)
    session.undo()
    assert only(session, Box) == box


def test_ellipse_to_polygon_with_a_vertex_count(session: EditingSession) -> None:
    select(session, Ellipse(40, 30, 20, 10, 45))
    session.convert_selection("ellipses_to_polygons", 12)
    polygon = only(session, Polygon)
    assert len(polygon.parts[0].outer) == 12
    session.undo()
    assert only(session, Ellipse) == Ellipse(40, 30, 20, 10, 45)


def test_polyline_closes_into_a_polygon_or_says_why_not(session: EditingSession) -> None:
    failures: list[str] = []
    session.subscribe(lambda e: failures.append(getattr(e, "message", "")))
    uuid = select(session, Polyline(((10, 10), (30, 10), (50, 10))))
    session.convert_selection("polylines_to_polygons")
    assert geometry_of(session, uuid) == Polyline(((10, 10), (30, 10), (50, 10)))
    assert any("polygon" in message for message in failures)
    session.undo()
    select(session, Polyline(((10, 10), (40, 10), (40, 40))))
    session.convert_selection("polylines_to_polygons")
    assert only(session, Polygon).parts[0].outer[0] == (10, 10)


def test_copy_and_paste_every_new_kind(session: EditingSession) -> None:
    shapes = [
        Box.from_centre(40, 30, 20, 10, 30),
        Polyline(((10, 10), (40, 10), (40, 40))),
        Point(5, 5),
        Ellipse(40, 30, 10, 5, 20),
    ]
    uuids = [add_shape(session, g) for g in shapes]
    session.set_selection(uuids)
    assert session.copy() == 4
    assert session.paste() == 4
    pasted = [a.geometry for a in stored(session) if a.uuid not in uuids]
    assert sorted(map(repr, pasted)) == sorted(map(repr, shapes))
    session.undo()
    assert len(stored(session)) == 4


def test_select_tool_picks_new_kinds_by_their_outline(session: EditingSession) -> None:
    """Clicks go through the session's spatial index, then the exact hit test of each kind."""
    line = add_shape(session, Polyline(((10, 10), (30, 10), (30, 30))))
    point = add_shape(session, Point(60, 10))
    ellipse = add_shape(session, Ellipse(55, 45, 15, 8, 90))
    turned = add_shape(session, Box.from_centre(15, 48, 16, 4, 45))
    tool = use_tool(session, "select")
    cases = [
        ((20, 10), {line}),  # on a segment
        ((20, 20), set()),  # where a closed polygon's inside would be
        ((61, 11), {point}),
        ((55, 58), {ellipse}),  # the upright ellipse's lower end
        ((68, 45), set()),  # where the unturned ellipse would end
        ((15, 48), {turned}),
        ((21, 42), set()),  # a corner of the turned box's axis-aligned extent
    ]
    for (x, y), expected in cases:
        session.set_selection([])
        click(tool, x, y, scale=4.0)  # zoomed in: 1.5 image pixels of tolerance
        assert set(session.selection()) == expected, (x, y)


def test_a_point_on_the_image_edge_pastes(session: EditingSession) -> None:
    uuids = [add_shape(session, Point(0, 5)), add_shape(session, Point(80, 60))]
    session.set_selection(uuids)
    assert session.copy() == 2
    assert session.paste() == 2
    assert session.paste(offset=(-1.0, 0.0)) == 1  # (-1, 5) is beside the image
