"""Polygon drawing and vertex editing: pointer events to the tools of a real editing session."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest

from limner.models.domain.geometry import Box, Polygon, PolygonPart
from limner.models.domain.hit import hits, point_in_ring
from limner.models.editing.polygon_edit import (
    VertexRef,
    nearest_edge,
    nearest_vertex,
    points_in_ring,
    vertex_index,
)
from limner.models.editing.session import EditingSession
from limner.models.editing.tools.base import Pointer
from limner.models.editing.tools.polygon import PolygonTool
from limner.models.editing.tools.select import SelectTool
from limner.models.store.store import ProjectStore
from tests.models.editing_session import (
    add_shape,
    class_named,
    click,
    drag,
    geometry_of,
    session_on_first_image,
    stored,
    use_tool,
)

TRIANGLE = ((10.0, 10.0), (50.0, 10.0), (50.0, 40.0))
SQUARE = ((10.0, 10.0), (70.0, 10.0), (70.0, 50.0), (10.0, 50.0))


@pytest.fixture
def session(project: ProjectStore) -> Iterator[EditingSession]:
    """The session the tools edit through, on the project's first image (80 x 60)."""
    session = session_on_first_image(project)
    yield session
    session.close()


def draw(tool: PolygonTool, points: tuple[tuple[float, float], ...], **first: bool) -> None:
    """Click every point; modifiers in ``first`` apply to the first click only."""
    click(tool, *points[0], **first)
    for x, y in points[1:]:
        click(tool, x, y)


def only_geometry(session: EditingSession) -> Polygon:
    (ann,) = stored(session)
    assert isinstance(ann.geometry, Polygon)
    return ann.geometry


# -- drawing -------------------------------------------------------------------------------


def test_click_first_vertex_closes_and_selects(session: EditingSession) -> None:
    tool = use_tool(session, "polygon")
    draw(tool, TRIANGLE)
    tool.move(Pointer(30, 30, button="none"))
    assert tool.preview.polyline == (*TRIANGLE, (30.0, 30.0))
    assert tool.preview.hint.startswith("3 points")
    assert tool.busy
    click(tool, 11, 11)  # within the 6 px tolerance of the first vertex
    (ann,) = stored(session)
    assert ann.geometry == Polygon.from_points(TRIANGLE)
    assert ann.geometry.parts[0].outer == TRIANGLE
    assert ann.class_id == class_named(session, "cat").id
    assert session.selection() == {ann.uuid}
    assert len(session.history) == 1
    assert not tool.busy and tool.preview.polyline == ()


def test_rubber_band_follows_moves_without_a_button(session: EditingSession) -> None:
    tool = use_tool(session, "polygon")
    click(tool, 10, 10)
    tool.move(Pointer(20, 25, button="none"))
    assert tool.preview.polyline == ((10.0, 10.0), (20.0, 25.0))
    tool.move(Pointer(200, -4, button="none"))  # clamped to the 80 x 60 image
    assert tool.preview.polyline == ((10.0, 10.0), (80.0, 0.0))


def test_double_click_closes_without_duplicating_its_press(session: EditingSession) -> None:
    tool = use_tool(session, "polygon")
    draw(tool, TRIANGLE)
    # a real double-click: its first click placed (50, 40) already, its second press and
    # the double-click event land on the same spot
    tool.press(Pointer(50, 40))
    tool.double_click(Pointer(50, 40))
    tool.release(Pointer(50, 40))
    assert only_geometry(session).parts[0].outer == TRIANGLE


def test_double_click_on_a_new_spot_adds_it_then_closes(session: EditingSession) -> None:
    tool = use_tool(session, "polygon")
    draw(tool, TRIANGLE[:2])
    tool.double_click(Pointer(*TRIANGLE[2]))
    assert only_geometry(session).parts[0].outer == TRIANGLE


def test_enter_closes_and_keys_unused_when_idle(session: EditingSession) -> None:
    tool = use_tool(session, "polygon")
    assert tool.key("Enter") is False
    assert tool.key("Backspace") is False
    draw(tool, SQUARE)
    assert tool.key("Enter") is True
    assert only_geometry(session).parts[0].outer == SQUARE


def test_backspace_removes_the_last_vertex(session: EditingSession) -> None:
    tool = use_tool(session, "polygon")
    draw(tool, (*TRIANGLE, (30.0, 55.0)))
    assert tool.key("Backspace") is True
    assert tool.points == TRIANGLE
    tool.key("Enter")
    assert only_geometry(session).parts[0].outer == TRIANGLE


def test_backspace_to_empty_ends_the_drawing(session: EditingSession) -> None:
    tool = use_tool(session, "polygon")
    draw(tool, TRIANGLE[:2])
    assert tool.key("Backspace") and tool.key("Backspace")
    assert not tool.busy
    assert tool.key("Backspace") is False


def test_escape_drops_everything(session: EditingSession) -> None:
    tool = use_tool(session, "polygon")
    draw(tool, TRIANGLE)
    tool.cancel()
    assert not tool.busy and tool.preview.polyline == ()
    assert tool.key("Enter") is False
    assert stored(session) == []
    assert len(session.history) == 0


def test_too_few_points_keeps_drawing(session: EditingSession) -> None:
    tool = use_tool(session, "polygon")
    draw(tool, TRIANGLE[:2])
    assert tool.key("Enter") is True
    assert stored(session) == []
    assert tool.busy and "at least 3" in tool.preview.hint
    click(tool, *TRIANGLE[0])  # clicking the first vertex cannot close two points either
    assert stored(session) == [] and tool.points == TRIANGLE[:2]
    click(tool, *TRIANGLE[2])
    tool.key("Enter")
    assert only_geometry(session).parts[0].outer == TRIANGLE


def test_collinear_points_are_refused(session: EditingSession) -> None:
    tool = use_tool(session, "polygon")
    draw(tool, ((10.0, 10.0), (30.0, 20.0), (50.0, 30.0)))
    tool.key("Enter")
    assert stored(session) == []
    assert "collinear" in tool.preview.hint


def test_vertices_are_clamped_to_the_image(session: EditingSession) -> None:
    tool = use_tool(session, "polygon")
    draw(tool, ((-5.0, -5.0), (100.0, 10.0), (40.0, 90.0)))
    tool.key("Enter")
    assert only_geometry(session).parts[0].outer == ((0.0, 0.0), (80.0, 10.0), (40.0, 60.0))


# -- holes and parts -----------------------------------------------------------------------


HOLE = ((30.0, 20.0), (50.0, 20.0), (50.0, 40.0), (30.0, 40.0))


def test_ctrl_ring_cuts_a_hole_in_one_undo_step(session: EditingSession) -> None:
    uuid = add_shape(session, Polygon.from_points(SQUARE))
    session.set_selection([uuid])
    steps = len(session.history)
    tool = use_tool(session, "polygon")
    draw(tool, HOLE, ctrl=True)
    assert "hole" in tool.preview.hint
    tool.key("Enter")
    polygon = geometry_of(session, uuid)
    assert polygon == Polygon((PolygonPart(SQUARE, (HOLE,)),))
    assert len(session.history) == steps + 1
    assert len(stored(session)) == 1
    assert session.selection() == {uuid}
    assert not hits(polygon, 40, 30)  # inside the hole
    assert hits(polygon, 20, 20)  # between the hole and the outline
    session.history.undo()
    assert geometry_of(session, uuid) == Polygon.from_points(SQUARE)
    assert hits(geometry_of(session, uuid), 40, 30)


def test_hole_goes_into_the_part_that_contains_it(session: EditingSession) -> None:
    left = PolygonPart(((0.0, 0.0), (35.0, 0.0), (35.0, 60.0), (0.0, 60.0)))
    right = PolygonPart(((40.0, 0.0), (80.0, 0.0), (80.0, 60.0), (40.0, 60.0)))
    uuid = add_shape(session, Polygon((left, right)))
    session.set_selection([uuid])
    tool = use_tool(session, "polygon")
    hole = ((50.0, 20.0), (70.0, 20.0), (60.0, 40.0))
    draw(tool, hole, ctrl=True)
    tool.key("Enter")
    assert geometry_of(session, uuid) == Polygon((left, PolygonPart(right.outer, (hole,))))


def test_hole_outside_every_part_is_refused(session: EditingSession) -> None:
    uuid = add_shape(session, Polygon.from_points(TRIANGLE))
    session.set_selection([uuid])
    tool = use_tool(session, "polygon")
    draw(tool, ((40.0, 30.0), (75.0, 30.0), (75.0, 55.0)), ctrl=True)
    tool.key("Enter")
    assert geometry_of(session, uuid) == Polygon.from_points(TRIANGLE)
    assert len(session.history) == 1
    assert "not inside" in tool.preview.hint
    assert tool.busy  # still drawing: the user can fix the ring or press Esc


def test_hole_overlapping_an_existing_hole_is_refused(session: EditingSession) -> None:
    original = Polygon((PolygonPart(SQUARE, (HOLE,)),))
    uuid = add_shape(session, original)
    session.set_selection([uuid])
    tool = use_tool(session, "polygon")
    draw(tool, ((40.0, 30.0), (60.0, 30.0), (60.0, 45.0), (40.0, 45.0)), ctrl=True)
    tool.key("Enter")
    assert geometry_of(session, uuid) == original
    assert "overlaps" in tool.preview.hint


def test_shift_ring_adds_a_part(session: EditingSession) -> None:
    uuid = add_shape(session, Polygon.from_points(TRIANGLE))
    session.set_selection([uuid])
    tool = use_tool(session, "polygon")
    extra = ((60.0, 40.0), (75.0, 40.0), (75.0, 55.0))
    draw(tool, extra, shift=True)
    click(tool, 60, 40)  # close on the first vertex
    assert geometry_of(session, uuid) == Polygon((PolygonPart(TRIANGLE), PolygonPart(extra)))
    assert len(stored(session)) == 1
    session.history.undo()
    assert geometry_of(session, uuid) == Polygon.from_points(TRIANGLE)


def test_modifiers_without_a_selected_polygon_draw_a_new_one(session: EditingSession) -> None:
    box = add_shape(session, Box(1, 1, 5, 5))
    session.set_selection([box])
    tool = use_tool(session, "polygon")
    draw(tool, TRIANGLE, ctrl=True)
    tool.key("Enter")
    polygons = [a for a in stored(session) if isinstance(a.geometry, Polygon)]
    assert [a.geometry for a in polygons] == [Polygon.from_points(TRIANGLE)]


def test_only_the_first_click_modifier_counts(session: EditingSession) -> None:
    uuid = add_shape(session, Polygon.from_points(SQUARE))
    session.set_selection([uuid])
    tool = use_tool(session, "polygon")
    click(tool, *HOLE[0])
    for x, y in HOLE[1:]:
        click(tool, x, y, ctrl=True)
    tool.key("Enter")
    assert len(stored(session)) == 2
    assert geometry_of(session, uuid) == Polygon.from_points(SQUARE)


# -- vertex editing with the select tool ------------------------------------------------


def select_polygon(session: EditingSession, polygon: Polygon) -> tuple[str, SelectTool]:
    uuid = add_shape(session, polygon)
    session.set_selection([uuid])
    return uuid, use_tool(session, "select")


def test_drag_vertex_previews_commits_once_and_undoes(session: EditingSession) -> None:
    original = Polygon.from_points(TRIANGLE)
    uuid, tool = select_polygon(session, original)
    steps = len(session.history)
    tool.press(Pointer(50, 10))
    tool.move(Pointer(55, 8))
    assert tool.preview.overrides[uuid].parts[0].outer == (
        (10.0, 10.0),
        (55.0, 8.0),
        (50.0, 40.0),
    )
    assert geometry_of(session, uuid) == original  # nothing stored mid-drag
    tool.move(Pointer(60, 5))
    tool.release(Pointer(60, 5))
    assert geometry_of(session, uuid).parts[0].outer == ((10.0, 10.0), (60.0, 5.0), (50.0, 40.0))
    assert len(session.history) == steps + 1
    session.history.undo()
    assert geometry_of(session, uuid) == original


def test_drag_keeps_the_grab_offset_and_clamps(session: EditingSession) -> None:
    uuid, tool = select_polygon(session, Polygon.from_points(TRIANGLE))
    drag(tool, (52, 12), (62, 7))  # grabbed 2 px off the vertex: it keeps that offset
    assert geometry_of(session, uuid).parts[0].outer[1] == (60.0, 5.0)
    drag(tool, (60, 5), (95, -20))
    assert geometry_of(session, uuid).parts[0].outer[1] == (80.0, 0.0)


def test_drag_of_the_polygon_inside_still_moves_it(session: EditingSession) -> None:
    uuid, tool = select_polygon(session, Polygon.from_points(SQUARE))
    drag(tool, (40, 30), (45, 32))
    assert geometry_of(session, uuid).parts[0].outer == tuple((x + 5, y + 2) for x, y in SQUARE)


def test_drag_hole_and_second_part_vertices(session: EditingSession) -> None:
    extra = ((72.0, 52.0), (78.0, 52.0), (78.0, 58.0))
    shape = Polygon((PolygonPart(SQUARE, (HOLE,)), PolygonPart(extra)))
    uuid, tool = select_polygon(session, shape)
    drag(tool, (50, 40), (45, 35))
    drag(tool, (78, 58), (74, 59.5))
    polygon = geometry_of(session, uuid)
    assert polygon.parts[0].outer == SQUARE
    assert polygon.parts[0].holes == (((30.0, 20.0), (50.0, 20.0), (45.0, 35.0), (30.0, 40.0)),)
    assert polygon.parts[1].outer == ((72.0, 52.0), (78.0, 52.0), (74.0, 59.5))
    session.history.undo()
    session.history.undo()
    assert geometry_of(session, uuid) == Polygon((PolygonPart(SQUARE, (HOLE,)), PolygonPart(extra)))


def test_a_drag_that_would_flatten_the_ring_keeps_the_last_valid_shape(
    session: EditingSession,
) -> None:
    uuid, tool = select_polygon(session, Polygon.from_points(TRIANGLE))
    tool.press(Pointer(50, 40))
    tool.move(Pointer(45, 35))
    tool.move(Pointer(30, 10))  # on the line through the two other vertices
    tool.release(Pointer(30, 10))
    assert geometry_of(session, uuid).parts[0].outer == ((10.0, 10.0), (50.0, 10.0), (45.0, 35.0))


def test_double_click_on_an_edge_inserts_a_vertex(session: EditingSession) -> None:
    original = Polygon.from_points(TRIANGLE)
    uuid, tool = select_polygon(session, original)
    # as the canvas sends a double-click: press, release, double-click, release
    click(tool, 30, 11)
    tool.double_click(Pointer(30, 11))
    tool.release(Pointer(30, 11))
    # the new vertex is the pointer projected onto the edge, so the outline is unchanged
    assert geometry_of(session, uuid).parts[0].outer == (
        (10.0, 10.0),
        (30.0, 10.0),
        (50.0, 10.0),
        (50.0, 40.0),
    )
    assert len(session.history) == 2  # the add, then the insert: the clicks moved nothing
    session.history.undo()
    assert geometry_of(session, uuid) == original


def test_double_click_after_a_second_press_still_inserts(session: EditingSession) -> None:
    uuid, tool = select_polygon(session, Polygon.from_points(TRIANGLE))
    # some platforms deliver the second press before the double-click event; the move it
    # starts must not swallow the insertion, nor commit a move on release
    click(tool, 30, 11)
    tool.press(Pointer(30, 11))
    tool.double_click(Pointer(30, 11))
    tool.release(Pointer(30, 11))
    assert geometry_of(session, uuid).parts[0].outer == (
        (10.0, 10.0),
        (30.0, 10.0),
        (50.0, 10.0),
        (50.0, 40.0),
    )
    assert len(session.history) == 2


def test_double_click_on_the_closing_edge_and_in_a_hole(session: EditingSession) -> None:
    uuid, tool = select_polygon(session, Polygon((PolygonPart(SQUARE, (HOLE,)),)))
    tool.double_click(Pointer(9, 30))  # edge from the last vertex back to the first
    tool.double_click(Pointer(40, 41))  # bottom edge of the hole
    polygon = geometry_of(session, uuid)
    assert polygon.parts[0].outer == (*SQUARE, (10.0, 30.0))
    assert polygon.parts[0].holes == ((*HOLE[:3], (40.0, 40.0), HOLE[3]),)


def test_double_click_away_from_edges_or_on_a_vertex_does_nothing(session: EditingSession) -> None:
    uuid, tool = select_polygon(session, Polygon.from_points(SQUARE))
    tool.double_click(Pointer(40, 30))
    tool.double_click(Pointer(70, 10))
    assert geometry_of(session, uuid) == Polygon.from_points(SQUARE)
    assert len(session.history) == 1


def test_alt_click_deletes_a_vertex_and_refuses_below_three(session: EditingSession) -> None:
    original = Polygon.from_points(SQUARE)
    uuid, tool = select_polygon(session, original)
    click(tool, 70, 50, alt=True)
    smaller = ((10.0, 10.0), (70.0, 10.0), (10.0, 50.0))
    assert geometry_of(session, uuid).parts[0].outer == smaller
    assert session.selection() == {uuid}
    click(tool, 10, 50, alt=True)
    assert geometry_of(session, uuid).parts[0].outer == smaller
    assert "fewer than 3" in tool.preview.hint
    assert len(session.history) == 2
    session.history.undo()
    assert geometry_of(session, uuid) == original


def test_alt_click_deletes_a_hole_vertex(session: EditingSession) -> None:
    uuid, tool = select_polygon(session, Polygon((PolygonPart(SQUARE, (HOLE,)),)))
    click(tool, 50, 40, alt=True)
    assert geometry_of(session, uuid).parts[0].holes == ((HOLE[0], HOLE[1], HOLE[3]),)


def test_vertices_are_editable_only_when_the_polygon_is_the_only_selection(
    session: EditingSession,
) -> None:
    a = add_shape(session, Polygon.from_points(TRIANGLE))
    b = add_shape(session, Polygon.from_points(((60.0, 40.0), (75.0, 40.0), (75.0, 55.0))))
    session.set_selection([a, b])
    tool = use_tool(session, "select")
    assert tool.cursor(Pointer(50, 10)) == "move"
    drag(tool, (50, 10), (52, 14))
    # both shapes moved as a whole: no vertex edit with two shapes selected
    assert geometry_of(session, a).parts[0].outer == tuple((x + 2, y + 4) for x, y in TRIANGLE)
    assert geometry_of(session, b).parts[0].outer == ((62.0, 44.0), (77.0, 44.0), (77.0, 59.0))


def test_cursor_is_a_cross_over_vertices(session: EditingSession) -> None:
    _uuid, tool = select_polygon(session, Polygon((PolygonPart(SQUARE, (HOLE,)),)))
    assert tool.cursor(Pointer(70, 50)) == "cross"
    assert tool.cursor(Pointer(31, 41)) == "cross"  # a hole vertex
    assert tool.cursor(Pointer(20, 30)) == "move"
    assert tool.cursor(Pointer(75, 5)) == "arrow"


# -- the vertex index ----------------------------------------------------------------------


def circle(count: int, cx: float = 500.0, cy: float = 500.0, r: float = 400.0) -> Polygon:
    return Polygon.from_points(
        [
            (cx + r * math.cos(2 * math.pi * i / count), cy + r * math.sin(2 * math.pi * i / count))
            for i in range(count)
        ]
    )


def test_vertex_index_is_cached_per_object() -> None:
    polygon = circle(1000)
    assert vertex_index(polygon) is vertex_index(polygon)
    equal_copy = circle(1000)
    assert equal_copy == polygon
    assert vertex_index(equal_copy) is not vertex_index(polygon)


def test_nearest_vertex_and_edge_on_a_big_polygon() -> None:
    polygon = circle(10_000)
    angle = 2 * math.pi * 1234 / 10_000
    # half a pixel inside the outline, next to vertex 1234 (vertices are 0.25 px apart)
    x, y = 500 + 399.5 * math.cos(angle), 500 + 399.5 * math.sin(angle)
    assert nearest_vertex(polygon, x, y, 1.0) == VertexRef(0, 0, 1234)
    assert nearest_vertex(polygon, 500, 500, 5.0) is None
    found = nearest_edge(polygon, 500 + 400, 500, 2.0)
    assert found is not None
    ref, (fx, fy) = found
    assert ref.index in (9999, 0)
    assert abs(fx - 900) < 1e-3 and abs(fy - 500) < 1e-9


def test_points_in_ring_agrees_with_the_scalar_test() -> None:
    rng = np.random.default_rng(3)
    ring = [(float(x), float(y)) for x, y in rng.uniform(0, 100, size=(40, 2))]
    points = rng.uniform(-10, 110, size=(500, 2))
    expected = [point_in_ring(float(x), float(y), ring) for x, y in points]
    assert points_in_ring(points, ring).tolist() == expected
    assert any(expected) and not all(expected)
