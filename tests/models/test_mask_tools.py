"""Brush, eraser, wand, GrabCut and the Convert actions, through a real editing session.

Each test opens a real image of the size it needs (with the pixels the wand and GrabCut
look at) in an ``EditingSession`` on a real project, and uses the session's own tools.
"""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

from limner.models.domain.entities import Annotation, NewAnnotation
from limner.models.domain.geometry import Mask, Polygon, PolygonPart
from limner.models.editing import session as session_module
from limner.models.editing.commands import AddAnnotations, EditAnnotations
from limner.models.editing.mask_commands import MaskStroke, ReplaceAnnotations
from limner.models.editing.session import EditingSession
from limner.models.editing.tools.base import Pointer
from limner.models.editing.tools.brush import MAX_RADIUS, MIN_RADIUS
from limner.models.editing.tools.convert import (
    convert_selected_masks_to_polygons,
    fill_selected_polygons_into_mask,
)
from limner.models.imaging.mask_ops import mask_to_polygons, polygons_to_mask
from limner.models.store.tx import new_uuid
from tests.models.editing_session import SessionFactory, make_session, stored, use_tool
from tests.models.test_mask_ops import disc_scene, iou, reference_capsules, two_regions

__all__ = ["make_session"]  # the fixture, used by name


def only(session: EditingSession) -> Annotation:
    (annotation,) = stored(session)
    return annotation


def mask_array(session: EditingSession) -> np.ndarray:
    geometry = only(session).geometry
    assert isinstance(geometry, Mask)
    return geometry.to_array()


def stroke(tool, points: list[tuple[float, float]], **modifiers) -> None:  # type: ignore[no-untyped-def]
    tool.press(Pointer(*points[0], **modifiers))
    for x, y in points[1:]:
        tool.move(Pointer(x, y, **modifiers))
    tool.release(Pointer(*points[-1], **modifiers))


def add_mask(session: EditingSession, full: np.ndarray) -> str:
    """A mask of the active class, committed through the session (which selects it)."""
    assert session.image_id is not None
    uuid = new_uuid()
    mask = Mask.from_array(full)
    item = NewAnnotation(uuid, session.image_id, session.active_class_id(), mask)
    assert session.commit(AddAnnotations((item,)))
    assert session.selection() == {uuid}
    return uuid


# -- brush and eraser ------------------------------------------------------------------------


def test_brush_stroke_creates_a_selected_mask_of_the_active_class(
    make_session: SessionFactory,
) -> None:
    session = make_session((120, 90))
    session.set_active_class(session.classes[1].id)
    brush = use_tool(session, "brush")
    brush.radius = 4.3
    points = [(10.2, 12.9), (95.7, 70.1), (30.4, 80.6)]
    stroke(brush, points)
    annotation = only(session)
    assert annotation.class_id == session.classes[1].id
    assert session.selection() == {annotation.uuid}
    assert np.array_equal(mask_array(session), reference_capsules(120, 90, points, 4.3))
    assert len(session.history) == 1
    assert not brush.busy and brush.preview.mask_layer is None


def test_stroke_shows_the_live_layer_and_its_dirty_rects(make_session: SessionFactory) -> None:
    session = make_session((100, 100))
    brush = use_tool(session, "brush")
    brush.press(Pointer(20, 20))
    layer = brush.preview.mask_layer
    assert layer is not None and brush.busy
    assert layer.take_dirty()
    brush.move(Pointer(40, 20))
    dirty = layer.take_dirty()
    assert dirty and all(x >= 20 for x, _, _, _ in dirty)
    assert brush.preview.ring == (40, 20, brush.radius)
    assert stored(session) == []  # nothing is written until release


def test_second_stroke_paints_into_the_selected_mask(make_session: SessionFactory) -> None:
    session = make_session((100, 80))
    brush = use_tool(session, "brush")
    brush.radius = 5
    stroke(brush, [(20.5, 20.5), (40.5, 20.5)])
    first = only(session).uuid
    stroke(brush, [(60.5, 50.5), (80.5, 60.5)])
    assert only(session).uuid == first
    assert isinstance(session.history._undo[-1], MaskStroke)
    expected = reference_capsules(100, 80, [(20.5, 20.5), (40.5, 20.5)], 5) | reference_capsules(
        100, 80, [(60.5, 50.5), (80.5, 60.5)], 5
    )
    assert np.array_equal(mask_array(session), expected)


def test_eraser_removes_pixels_and_deletes_an_emptied_mask(make_session: SessionFactory) -> None:
    session = make_session((80, 60))
    full = np.zeros((60, 80), dtype=bool)
    full[10:40, 10:50] = True
    uuid = add_mask(session, full)
    eraser = use_tool(session, "eraser")
    eraser.radius = 3.1
    stroke(eraser, [(12.5, 12.5), (45.5, 35.5)])
    expected = full & ~reference_capsules(80, 60, [(12.5, 12.5), (45.5, 35.5)], 3.1)
    assert np.array_equal(mask_array(session), expected)

    eraser.radius = 60
    stroke(eraser, [(30, 25)])
    assert stored(session) == []  # no empty mask: the annotation is deleted
    session.history.undo()
    assert only(session).uuid == uuid
    assert np.array_equal(mask_array(session), expected)
    session.history.redo()
    assert stored(session) == []
    session.history.undo()
    session.history.undo()
    assert np.array_equal(mask_array(session), full)


def test_eraser_without_a_selected_mask_does_nothing(make_session: SessionFactory) -> None:
    session = make_session((50, 50))
    eraser = use_tool(session, "eraser")
    stroke(eraser, [(10, 10), (30, 30)])
    assert stored(session) == [] and len(session.history) == 0
    assert "select a mask" in eraser.preview.hint


def test_brush_does_not_paint_a_locked_mask(make_session: SessionFactory) -> None:
    session = make_session((50, 50))
    full = np.zeros((50, 50), dtype=bool)
    full[5:10, 5:10] = True
    uuid = add_mask(session, full)
    locked = only(session)
    session.commit(EditAnnotations.from_records("Lock", [(locked, {"locked": True})]))
    brush = use_tool(session, "brush")
    stroke(brush, [(30, 30)])
    masks = {a.uuid: a.geometry for a in stored(session)}
    assert len(masks) == 2
    assert np.array_equal(masks[uuid].to_array(), full)  # type: ignore[union-attr]


def test_undo_redo_of_a_stroke_restores_exact_pixels_on_4000px(
    make_session: SessionFactory,
) -> None:
    session = make_session((4000, 4000))
    brush = use_tool(session, "brush")
    brush.radius = 20
    stroke(brush, [(1000.3, 1000.7), (1200.1, 1100.9), (1300.2, 1500.4)])
    before = mask_array(session)
    stroke(brush, [(3000.5, 3900.5), (3990.0, 3990.0)])
    after = mask_array(session)
    assert after.shape == (4000, 4000)
    assert (after & ~before).any() and not (before & ~after).any()
    command = session.history._undo[-1]
    assert isinstance(command, MaskStroke)
    assert len(command.before) + len(command.after) < 50_000  # only the stroke's crop
    session.history.undo()
    assert np.array_equal(mask_array(session), before)
    session.history.redo()
    assert np.array_equal(mask_array(session), after)

    eraser = use_tool(session, "eraser")
    eraser.radius = 30
    stroke(eraser, [(1100, 1050), (1250, 1300)])
    erased = mask_array(session)
    assert (after & ~erased).any()
    session.history.undo()
    assert np.array_equal(mask_array(session), after)
    session.history.undo()
    session.history.undo()
    assert stored(session) == []
    session.history.redo()
    assert np.array_equal(mask_array(session), before)


def test_radius_keys_and_ring_follow_the_pointer(make_session: SessionFactory) -> None:
    session = make_session((100, 100))
    brush = use_tool(session, "brush")
    brush.move(Pointer(33, 44, button="none"))
    assert brush.preview.ring == (33, 44, 10.0)
    assert not brush.busy
    assert brush.key("]")
    assert brush.radius == pytest.approx(12.5)
    assert brush.preview.ring == (33, 44, 12.5)
    assert brush.key("[") and brush.key("[")
    assert brush.radius == pytest.approx(8.0)
    for _ in range(60):
        brush.key("[")
    assert brush.radius == MIN_RADIUS
    for _ in range(60):
        brush.key("]")
    assert brush.radius == MAX_RADIUS
    assert not brush.key("Enter")
    assert "Brush" in brush.preview.hint


def test_escape_cancels_the_stroke(make_session: SessionFactory) -> None:
    session = make_session((100, 100))
    brush = use_tool(session, "brush")
    brush.press(Pointer(20, 20))
    brush.move(Pointer(60, 60))
    assert brush.busy
    brush.cancel()
    assert not brush.busy and brush.preview.mask_layer is None
    brush.release(Pointer(60, 60))
    assert stored(session) == [] and len(session.history) == 0


def test_right_button_does_not_paint(make_session: SessionFactory) -> None:
    session = make_session((100, 100))
    brush = use_tool(session, "brush")
    stroke(brush, [(20, 20), (50, 50)], button="right")
    assert stored(session) == []


# -- memory --------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_hundred_strokes_keep_the_history_small(make_session: SessionFactory) -> None:
    session = make_session((4000, 4000))
    brush = use_tool(session, "brush")
    brush.radius = 20
    stroke(brush, [(500.5, 500.5)])  # the mask every later stroke edits
    rng = np.random.default_rng(11)
    gc.collect()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        for _ in range(200):
            x, y = rng.uniform(100, 1100, size=2)
            dx, dy = rng.uniform(-60, 60, size=2)
            stroke(brush, [(x, y), (x + dx / 2, y + dy / 2), (x + dx, y + dy)])
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    assert len(session.history) == 201
    assert all(isinstance(c, MaskStroke) for c in session.history._undo[1:])
    assert retained < 50 * 1024 * 1024, f"history retains {retained / 2**20:.1f} MB"
    # Only rectangles are stored: far less than one full 4000x4000 bool image per stroke.
    stored = sum(len(c.before) + len(c.after) for c in session.history._undo[1:])
    assert stored < 200 * 4000 * 4000 / 8 / 100
    # Undo the last stroke and compare every pixel.
    painted = mask_array(session)
    last = session.history._undo[-1]
    assert isinstance(last, MaskStroke)
    session.history.undo()
    x, y, w, h = last.rect
    expected = painted.copy()
    expected[y : y + h, x : x + w] = last.before_crop()
    assert np.array_equal(mask_array(session), expected)


# -- wand ------------------------------------------------------------------------------------


def test_wand_makes_a_mask_of_one_region_then_adds_and_subtracts(
    make_session: SessionFactory,
) -> None:
    image = two_regions()
    session = make_session((80, 60), pixels=image)
    wand = use_tool(session, "wand")
    assert "24" in wand.preview.hint and not wand.busy
    wand.press(Pointer(5.5, 5.5))
    green = np.zeros((60, 80), dtype=bool)
    green[:, :40] = True
    assert np.array_equal(mask_array(session), green)
    assert session.selection() == {only(session).uuid}

    wand.press(Pointer(70, 30, shift=True))
    assert np.array_equal(mask_array(session), np.ones((60, 80), dtype=bool))
    assert len(stored(session)) == 1

    assert wand.key("[") and wand.key("[") and wand.key("[") and wand.key("[")
    assert wand.tolerance == 8 and "8" in wand.preview.hint
    wand.press(Pointer(15, 25, alt=True))  # the slightly different patch only
    patch = np.zeros((60, 80), dtype=bool)
    patch[20:30, 10:20] = True
    assert np.array_equal(mask_array(session), ~patch)
    assert isinstance(session.history._undo[-1], MaskStroke)
    session.history.undo()
    assert np.array_equal(mask_array(session), np.ones((60, 80), dtype=bool))


def test_wand_subtract_without_selection_and_no_pixels(
    make_session: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = make_session((80, 60), pixels=two_regions())
    wand = use_tool(session, "wand")
    wand.press(Pointer(5, 5, alt=True))
    assert stored(session) == []
    for _ in range(100):
        wand.key("]")
    assert wand.tolerance == 255
    # An image too large to decode whole gives the wand no pixels: a click does nothing.
    monkeypatch.setattr(session_module, "PIXEL_TOOL_LIMIT", 80 * 60 - 1)
    large = make_session((80, 60), pixels=two_regions()[::-1].copy())
    assert large.pixels is None
    use_tool(large, "wand").press(Pointer(5, 5))
    assert stored(large) == []


# -- GrabCut ---------------------------------------------------------------------------------


def test_grabcut_tool_drag_makes_a_mask(make_session: SessionFactory) -> None:
    image, disc = disc_scene(320, 240, 160, 120, 60)
    session = make_session((320, 240), pixels=image)
    tool = use_tool(session, "grabcut")
    tool.press(Pointer(90, 50))
    tool.move(Pointer(232, 192))
    assert tool.busy and tool.preview.drawing is not None
    tool.release(Pointer(232, 192))
    assert not tool.busy
    assert iou(mask_array(session), disc) > 0.9
    assert session.selection() == {only(session).uuid}


def test_grabcut_tool_tiny_drag_and_escape(make_session: SessionFactory) -> None:
    image, _ = disc_scene(320, 240, 160, 120, 60)
    session = make_session((320, 240), pixels=image)
    tool = use_tool(session, "grabcut")
    tool.press(Pointer(100, 100))
    tool.release(Pointer(101, 101))
    tool.press(Pointer(90, 50))
    tool.move(Pointer(232, 192))
    tool.cancel()
    assert not tool.busy and tool.preview.drawing is None
    tool.release(Pointer(232, 192))
    assert stored(session) == [] and len(session.history) == 0


# -- conversions -----------------------------------------------------------------------------


def test_brush_mask_to_polygon_and_back_is_exact(make_session: SessionFactory) -> None:
    session = make_session((200, 150))
    brush = use_tool(session, "brush")
    brush.radius = 9
    stroke(brush, [(30.2, 40.6), (120.8, 60.1), (150.3, 130.7)])
    painted = mask_array(session)
    command = convert_selected_masks_to_polygons(session)
    assert isinstance(command, ReplaceAnnotations)
    polygon = only(session).geometry
    assert isinstance(polygon, Polygon)
    assert session.selection() == {only(session).uuid}
    assert np.array_equal(polygons_to_mask(polygon, 200, 150), painted)
    fill_selected_polygons_into_mask(session)
    assert np.array_equal(mask_array(session), painted)
    session.history.undo()
    assert isinstance(only(session).geometry, Polygon)
    session.history.undo()
    assert np.array_equal(mask_array(session), painted)
    assert len(session.history) == 1


def test_polygon_with_hole_becomes_a_mask_and_back(make_session: SessionFactory) -> None:
    session = make_session((60, 50))
    outer = ((5.0, 5.0), (55.0, 5.0), (55.0, 45.0), (5.0, 45.0))
    hole = ((20.0, 15.0), (40.0, 15.0), (40.0, 35.0), (20.0, 35.0))
    polygon = Polygon((PolygonPart(outer, (hole,)),))
    uuid = new_uuid()
    assert session.image_id is not None
    item = NewAnnotation(uuid, session.image_id, session.classes[2].id, polygon, z=3)
    assert session.commit(AddAnnotations((item,)))
    assert session.selection() == {uuid}
    fill_selected_polygons_into_mask(session)
    converted = only(session)
    assert converted.class_id == session.classes[2].id and converted.z == 3
    expected = np.zeros((50, 60), dtype=bool)
    expected[5:45, 5:55] = True
    expected[15:35, 20:40] = False
    assert np.array_equal(mask_array(session), expected)
    convert_selected_masks_to_polygons(session)
    back = only(session).geometry
    assert isinstance(back, Polygon)
    assert len(back.parts) == 1 and len(back.parts[0].holes) == 1
    assert back.area == polygon.area
    session.history.undo()
    session.history.undo()
    assert only(session).uuid == uuid and only(session).geometry == polygon


def test_conversions_with_nothing_selected_return_none(make_session: SessionFactory) -> None:
    session = make_session((60, 50))
    assert fill_selected_polygons_into_mask(session) is None
    assert convert_selected_masks_to_polygons(session) is None
    assert len(session.history) == 0


def test_simplified_conversion_has_fewer_vertices(make_session: SessionFactory) -> None:
    session = make_session((200, 200))
    brush = use_tool(session, "brush")
    brush.radius = 40
    stroke(brush, [(100, 100)])
    exact = mask_to_polygons(mask_array(session))
    assert exact is not None
    convert_selected_masks_to_polygons(session, tolerance=0.75)
    simple = only(session).geometry
    assert isinstance(simple, Polygon)
    assert len(simple.parts[0].outer) < len(exact.parts[0].outer) / 2
