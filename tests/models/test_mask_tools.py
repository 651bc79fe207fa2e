"""Brush, eraser, wand, GrabCut and the Convert actions, on a real project with undo."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterable, Sequence

import numpy as np
import pytest

from limner.models.domain.entities import Annotation, LabelClass, NewAnnotation
from limner.models.domain.geometry import Mask, Polygon, PolygonPart
from limner.models.editing.commands import AddAnnotations, Command, EditAnnotations
from limner.models.editing.history import History
from limner.models.editing.mask_commands import MaskStroke, ReplaceAnnotations
from limner.models.editing.tools.base import Pointer
from limner.models.editing.tools.brush import MAX_RADIUS, MIN_RADIUS, BrushTool, EraserTool
from limner.models.editing.tools.convert import (
    convert_selected_masks_to_polygons,
    fill_selected_polygons_into_mask,
)
from limner.models.editing.tools.grabcut import GrabCutTool
from limner.models.editing.tools.wand import WandTool
from limner.models.imaging.mask_ops import mask_to_polygons, polygons_to_mask
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from tests.models.test_mask_ops import disc_scene, iou, reference_capsules, two_regions


class StoreHost:
    """A ToolHost on a real project: what the editor does, without Qt.

    ``size`` may differ from the image file's: geometry is not checked against the file,
    so a 4000x4000 canvas can be simulated on the fixture's small images.
    """

    def __init__(
        self,
        store: ProjectStore,
        size: tuple[int, int],
        pixels: np.ndarray | None = None,
    ) -> None:
        self.store = store
        self.history = History(store)
        with store.read() as conn:
            first = queries.first_image(conn)
            self.classes = queries.label_classes(conn)
        assert first is not None
        self._image_id = first.id
        self._size = size
        self.pixels = pixels
        self._selection: frozenset[str] = frozenset()
        self.active = self.classes[0].id

    @property
    def image_id(self) -> int | None:
        return self._image_id

    @property
    def image_size(self) -> tuple[int, int] | None:
        return self._size

    def annotations(self) -> list[Annotation]:
        with self.store.read() as conn:
            return queries.annotations_for_image(conn, self._image_id)

    def editable_annotations(self) -> Sequence[Annotation]:
        return [a for a in self.annotations() if not a.locked and not a.hidden]

    def selection(self) -> frozenset[str]:
        return self._selection

    def set_selection(self, uuids: Iterable[str]) -> None:
        live = {a.uuid for a in self.annotations()}
        self._selection = frozenset(u for u in uuids if u in live)

    def active_class_id(self) -> int | None:
        return self.active

    def active_class(self) -> LabelClass | None:
        return next((c for c in self.classes if c.id == self.active), None)

    def image_pixels(self) -> np.ndarray | None:
        return self.pixels

    def commit(self, command: Command) -> bool:
        self.history.execute(command)
        return True

    # -- test helpers ----------------------------------------------------------------------
    def only(self) -> Annotation:
        (annotation,) = self.annotations()
        return annotation

    def mask_array(self) -> np.ndarray:
        geometry = self.only().geometry
        assert isinstance(geometry, Mask)
        return geometry.to_array()


def stroke(tool, points: list[tuple[float, float]], **modifiers) -> None:  # type: ignore[no-untyped-def]
    tool.press(Pointer(*points[0], **modifiers))
    for x, y in points[1:]:
        tool.move(Pointer(x, y, **modifiers))
    tool.release(Pointer(*points[-1], **modifiers))


def add_mask(host: StoreHost, full: np.ndarray) -> str:
    uuid = new_uuid()
    host.commit(
        AddAnnotations((NewAnnotation(uuid, host._image_id, host.active, Mask.from_array(full)),))
    )
    host.set_selection([uuid])
    return uuid


# -- brush and eraser ------------------------------------------------------------------------


def test_brush_stroke_creates_a_selected_mask_of_the_active_class(
    project: ProjectStore,
) -> None:
    host = StoreHost(project, (120, 90))
    host.active = host.classes[1].id
    brush = BrushTool(host)
    brush.radius = 4.3
    points = [(10.2, 12.9), (95.7, 70.1), (30.4, 80.6)]
    stroke(brush, points)
    annotation = host.only()
    assert annotation.class_id == host.classes[1].id
    assert host.selection() == {annotation.uuid}
    assert np.array_equal(host.mask_array(), reference_capsules(120, 90, points, 4.3))
    assert len(host.history) == 1
    assert not brush.busy and brush.preview.mask_layer is None


def test_stroke_shows_the_live_layer_and_its_dirty_rects(project: ProjectStore) -> None:
    host = StoreHost(project, (100, 100))
    brush = BrushTool(host)
    brush.press(Pointer(20, 20))
    layer = brush.preview.mask_layer
    assert layer is not None and brush.busy
    assert layer.take_dirty()
    brush.move(Pointer(40, 20))
    dirty = layer.take_dirty()
    assert dirty and all(x >= 20 for x, _, _, _ in dirty)
    assert brush.preview.ring == (40, 20, brush.radius)
    assert host.annotations() == []  # nothing is written until release


def test_second_stroke_paints_into_the_selected_mask(project: ProjectStore) -> None:
    host = StoreHost(project, (100, 80))
    brush = BrushTool(host)
    brush.radius = 5
    stroke(brush, [(20.5, 20.5), (40.5, 20.5)])
    first = host.only().uuid
    stroke(brush, [(60.5, 50.5), (80.5, 60.5)])
    assert host.only().uuid == first
    assert isinstance(host.history._undo[-1], MaskStroke)
    expected = reference_capsules(100, 80, [(20.5, 20.5), (40.5, 20.5)], 5) | reference_capsules(
        100, 80, [(60.5, 50.5), (80.5, 60.5)], 5
    )
    assert np.array_equal(host.mask_array(), expected)


def test_eraser_removes_pixels_and_deletes_an_emptied_mask(project: ProjectStore) -> None:
    host = StoreHost(project, (80, 60))
    full = np.zeros((60, 80), dtype=bool)
    full[10:40, 10:50] = True
    uuid = add_mask(host, full)
    eraser = EraserTool(host)
    eraser.radius = 3.1
    stroke(eraser, [(12.5, 12.5), (45.5, 35.5)])
    expected = full & ~reference_capsules(80, 60, [(12.5, 12.5), (45.5, 35.5)], 3.1)
    assert np.array_equal(host.mask_array(), expected)

    eraser.radius = 60
    stroke(eraser, [(30, 25)])
    assert host.annotations() == []  # no empty mask: the annotation is deleted
    host.history.undo()
    assert host.only().uuid == uuid
    assert np.array_equal(host.mask_array(), expected)
    host.history.redo()
    assert host.annotations() == []
    host.history.undo()
    host.history.undo()
    assert np.array_equal(host.mask_array(), full)


def test_eraser_without_a_selected_mask_does_nothing(project: ProjectStore) -> None:
    host = StoreHost(project, (50, 50))
    eraser = EraserTool(host)
    stroke(eraser, [(10, 10), (30, 30)])
    assert host.annotations() == [] and len(host.history) == 0
    assert "select a mask" in eraser.preview.hint


def test_brush_does_not_paint_a_locked_mask(project: ProjectStore) -> None:
    host = StoreHost(project, (50, 50))
    full = np.zeros((50, 50), dtype=bool)
    full[5:10, 5:10] = True
    uuid = add_mask(host, full)
    locked = host.only()
    host.commit(EditAnnotations.from_records("Lock", [(locked, {"locked": True})]))
    brush = BrushTool(host)
    stroke(brush, [(30, 30)])
    masks = {a.uuid: a.geometry for a in host.annotations()}
    assert len(masks) == 2
    assert np.array_equal(masks[uuid].to_array(), full)  # type: ignore[union-attr]


def test_undo_redo_of_a_stroke_restores_exact_pixels_on_4000px(project: ProjectStore) -> None:
    host = StoreHost(project, (4000, 4000))
    brush = BrushTool(host)
    brush.radius = 20
    stroke(brush, [(1000.3, 1000.7), (1200.1, 1100.9), (1300.2, 1500.4)])
    before = host.mask_array()
    stroke(brush, [(3000.5, 3900.5), (3990.0, 3990.0)])
    after = host.mask_array()
    assert after.shape == (4000, 4000)
    assert (after & ~before).any() and not (before & ~after).any()
    command = host.history._undo[-1]
    assert isinstance(command, MaskStroke)
    assert len(command.before) + len(command.after) < 50_000  # only the stroke's crop
    host.history.undo()
    assert np.array_equal(host.mask_array(), before)
    host.history.redo()
    assert np.array_equal(host.mask_array(), after)

    eraser = EraserTool(host)
    eraser.radius = 30
    stroke(eraser, [(1100, 1050), (1250, 1300)])
    erased = host.mask_array()
    assert (after & ~erased).any()
    host.history.undo()
    assert np.array_equal(host.mask_array(), after)
    host.history.undo()
    host.history.undo()
    assert host.annotations() == []
    host.history.redo()
    assert np.array_equal(host.mask_array(), before)


def test_radius_keys_and_ring_follow_the_pointer(project: ProjectStore) -> None:
    host = StoreHost(project, (100, 100))
    brush = BrushTool(host)
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


def test_escape_cancels_the_stroke(project: ProjectStore) -> None:
    host = StoreHost(project, (100, 100))
    brush = BrushTool(host)
    brush.press(Pointer(20, 20))
    brush.move(Pointer(60, 60))
    assert brush.busy
    brush.cancel()
    assert not brush.busy and brush.preview.mask_layer is None
    brush.release(Pointer(60, 60))
    assert host.annotations() == [] and len(host.history) == 0


def test_right_button_does_not_paint(project: ProjectStore) -> None:
    host = StoreHost(project, (100, 100))
    brush = BrushTool(host)
    stroke(brush, [(20, 20), (50, 50)], button="right")
    assert host.annotations() == []


# -- memory --------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_hundred_strokes_keep_the_history_small(project: ProjectStore) -> None:
    host = StoreHost(project, (4000, 4000))
    brush = BrushTool(host)
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
    assert len(host.history) == 201
    assert all(isinstance(c, MaskStroke) for c in host.history._undo[1:])
    assert retained < 50 * 1024 * 1024, f"history retains {retained / 2**20:.1f} MB"
    # Only rectangles are stored: far less than one full 4000x4000 bool image per stroke.
    stored = sum(len(c.before) + len(c.after) for c in host.history._undo[1:])
    assert stored < 200 * 4000 * 4000 / 8 / 100
    # Undo the last stroke and compare every pixel.
    painted = host.mask_array()
    last = host.history._undo[-1]
    assert isinstance(last, MaskStroke)
    host.history.undo()
    x, y, w, h = last.rect
    expected = painted.copy()
    expected[y : y + h, x : x + w] = last.before_crop()
    assert np.array_equal(host.mask_array(), expected)


# -- wand ------------------------------------------------------------------------------------


def test_wand_makes_a_mask_of_one_region_then_adds_and_subtracts(project: ProjectStore) -> None:
    image = two_regions()
    host = StoreHost(project, (80, 60), pixels=image)
    wand = WandTool(host)
    assert "24" in wand.preview.hint and not wand.busy
    wand.press(Pointer(5.5, 5.5))
    green = np.zeros((60, 80), dtype=bool)
    green[:, :40] = True
    assert np.array_equal(host.mask_array(), green)
    assert host.selection() == {host.only().uuid}

    wand.press(Pointer(70, 30, shift=True))
    assert np.array_equal(host.mask_array(), np.ones((60, 80), dtype=bool))
    assert len(host.annotations()) == 1

    assert wand.key("[") and wand.key("[") and wand.key("[") and wand.key("[")
    assert wand.tolerance == 8 and "8" in wand.preview.hint
    wand.press(Pointer(15, 25, alt=True))  # the slightly different patch only
    patch = np.zeros((60, 80), dtype=bool)
    patch[20:30, 10:20] = True
    assert np.array_equal(host.mask_array(), ~patch)
    assert isinstance(host.history._undo[-1], MaskStroke)
    host.history.undo()
    assert np.array_equal(host.mask_array(), np.ones((60, 80), dtype=bool))


def test_wand_subtract_without_selection_and_no_pixels(project: ProjectStore) -> None:
    host = StoreHost(project, (80, 60), pixels=two_regions())
    wand = WandTool(host)
    wand.press(Pointer(5, 5, alt=True))
    assert host.annotations() == []
    host.pixels = None
    wand.press(Pointer(5, 5))
    assert host.annotations() == []
    for _ in range(100):
        wand.key("]")
    assert wand.tolerance == 255


# -- GrabCut ---------------------------------------------------------------------------------


def test_grabcut_tool_drag_makes_a_mask(project: ProjectStore) -> None:
    image, disc = disc_scene(320, 240, 160, 120, 60)
    host = StoreHost(project, (320, 240), pixels=image)
    tool = GrabCutTool(host)
    tool.press(Pointer(90, 50))
    tool.move(Pointer(232, 192))
    assert tool.busy and tool.preview.drawing is not None
    tool.release(Pointer(232, 192))
    assert not tool.busy
    assert iou(host.mask_array(), disc) > 0.9
    assert host.selection() == {host.only().uuid}


def test_grabcut_tool_tiny_drag_and_escape(project: ProjectStore) -> None:
    image, _ = disc_scene(320, 240, 160, 120, 60)
    host = StoreHost(project, (320, 240), pixels=image)
    tool = GrabCutTool(host)
    tool.press(Pointer(100, 100))
    tool.release(Pointer(101, 101))
    tool.press(Pointer(90, 50))
    tool.move(Pointer(232, 192))
    tool.cancel()
    assert not tool.busy and tool.preview.drawing is None
    tool.release(Pointer(232, 192))
    assert host.annotations() == [] and len(host.history) == 0


# -- conversions -----------------------------------------------------------------------------


def test_brush_mask_to_polygon_and_back_is_exact(project: ProjectStore) -> None:
    host = StoreHost(project, (200, 150))
    brush = BrushTool(host)
    brush.radius = 9
    stroke(brush, [(30.2, 40.6), (120.8, 60.1), (150.3, 130.7)])
    painted = host.mask_array()
    command = convert_selected_masks_to_polygons(host)
    assert isinstance(command, ReplaceAnnotations)
    polygon = host.only().geometry
    assert isinstance(polygon, Polygon)
    assert host.selection() == {host.only().uuid}
    assert np.array_equal(polygons_to_mask(polygon, 200, 150), painted)
    fill_selected_polygons_into_mask(host)
    assert np.array_equal(host.mask_array(), painted)
    host.history.undo()
    assert isinstance(host.only().geometry, Polygon)
    host.history.undo()
    assert np.array_equal(host.mask_array(), painted)
    assert len(host.history) == 1


def test_polygon_with_hole_becomes_a_mask_and_back(project: ProjectStore) -> None:
    host = StoreHost(project, (60, 50))
    outer = ((5.0, 5.0), (55.0, 5.0), (55.0, 45.0), (5.0, 45.0))
    hole = ((20.0, 15.0), (40.0, 15.0), (40.0, 35.0), (20.0, 35.0))
    polygon = Polygon((PolygonPart(outer, (hole,)),))
    uuid = new_uuid()
    host.commit(
        AddAnnotations((NewAnnotation(uuid, host._image_id, host.classes[2].id, polygon, z=3),))
    )
    host.set_selection([uuid])
    fill_selected_polygons_into_mask(host)
    converted = host.only()
    assert converted.class_id == host.classes[2].id and converted.z == 3
    expected = np.zeros((50, 60), dtype=bool)
    expected[5:45, 5:55] = True
    expected[15:35, 20:40] = False
    assert np.array_equal(host.mask_array(), expected)
    convert_selected_masks_to_polygons(host)
    back = host.only().geometry
    assert isinstance(back, Polygon)
    assert len(back.parts) == 1 and len(back.parts[0].holes) == 1
    assert back.area == polygon.area
    host.history.undo()
    host.history.undo()
    assert host.only().uuid == uuid and host.only().geometry == polygon


def test_conversions_with_nothing_selected_return_none(project: ProjectStore) -> None:
    host = StoreHost(project, (60, 50))
    assert fill_selected_polygons_into_mask(host) is None
    assert convert_selected_masks_to_polygons(host) is None
    assert len(host.history) == 0


def test_simplified_conversion_has_fewer_vertices(project: ProjectStore) -> None:
    host = StoreHost(project, (200, 200))
    brush = BrushTool(host)
    brush.radius = 40
    stroke(brush, [(100, 100)])
    exact = mask_to_polygons(host.mask_array())
    assert exact is not None
    convert_selected_masks_to_polygons(host, tolerance=0.75)
    simple = host.only().geometry
    assert isinstance(simple, Polygon)
    assert len(simple.parts[0].outer) < len(exact.parts[0].outer) / 2
