"""Thousands of shapes: zoomed out they draw as one raster, selection still shows alone.

The interactions on such a scene must cost what they change, not what the image holds:
these tests count the raster's work (full renders, dirty-rectangle patches, shapes drawn)
and the items shown, never time.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtGui import QColor, QImage

from limner.models.domain.geometry import Box
from limner.widgets.canvas.annotation_item import ItemStyle
from limner.widgets.canvas.dense_layer import RasterPlanes, _draw, rasterize
from limner.widgets.canvas.view import DENSE_THRESHOLD, CanvasView
from tests.perf.bench_canvas import dense_annotations


def _dense_canvas(qtbot, extra: int = 500):  # type: ignore[no-untyped-def]
    canvas = CanvasView()
    qtbot.addWidget(canvas)
    canvas.resize(900, 700)
    canvas.show()
    image = QImage(4096, 4096, QImage.Format.Format_RGB888)
    image.fill(QColor(80, 80, 80))
    canvas.set_image(image)
    canvas.set_styles({1: ItemStyle(QColor("#3cb44b")), 2: ItemStyle(QColor("#e6194b"))})
    shapes = dense_annotations(1, 4096, DENSE_THRESHOLD + extra, 300)
    canvas.set_annotations(shapes)
    canvas.fit()
    layer = canvas.annotation_scene.dense_layer
    assert layer.wait_ready()
    return canvas, shapes, layer


def test_level_of_detail_switches_with_zoom(qtbot) -> None:
    canvas, shapes, _layer = _dense_canvas(qtbot)
    assert canvas.dense_mode
    items = canvas.items_by_uuid()
    assert not any(item.isVisible() for item in items.values())
    chosen = shapes[10].uuid
    canvas.set_selection([chosen])
    assert items[chosen].isVisible()
    assert sum(item.isVisible() for item in items.values()) == 1
    canvas.set_zoom(2.0)
    canvas.annotation_scene.settle()
    assert not canvas.dense_mode
    area = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    for ann in shapes:
        g = ann.geometry
        x0, y0 = g.parts[0].outer[0] if hasattr(g, "parts") else (g.x0, g.y0)
        if area.contains(x0, y0) and not ann.hidden:
            assert items[ann.uuid].isVisible()
    shown = sum(item.isVisible() for item in items.values())
    assert 0 < shown < len(shapes) // 4  # only what is in (and near) the view
    canvas.set_annotations(shapes[:100])
    canvas.fit()
    assert not canvas.dense_mode  # few shapes: one item each at every zoom
    canvas.annotation_scene.settle()
    assert all(item.isVisible() for item in canvas.items_by_uuid().values())


def test_selection_never_rasterises(qtbot) -> None:
    canvas, shapes, layer = _dense_canvas(qtbot)
    renders, patches = layer.renders, layer.patches
    for ann in shapes[:20]:
        canvas.set_selection([ann.uuid])
        canvas.viewport().repaint()
    layer.wait_ready()
    assert (layer.renders, layer.patches) == (renders, patches)
    assert canvas.items_by_uuid()[shapes[19].uuid].isVisible()


def test_edit_redraws_only_its_rectangle(qtbot) -> None:
    canvas, shapes, layer = _dense_canvas(qtbot)
    renders, drawn = layer.renders, layer.drawn
    box = next(a for a in shapes if isinstance(a.geometry, Box))
    moved = replace(box, geometry=Box(100, 100, 140, 130))
    canvas.annotation_scene.patch([box.uuid], {box.uuid: moved}.get)
    layer.wait_ready()
    assert layer.renders == renders  # no full raster
    assert layer.patches >= 1
    assert 0 < layer.drawn - drawn < len(shapes) // 20  # the shapes near the two places


def test_level_change_renders_in_the_background(qtbot) -> None:
    canvas, _shapes, layer = _dense_canvas(qtbot)
    renders = layer.renders
    before = layer.scale_step
    canvas.set_zoom(canvas.zoom * 2.5)
    assert layer.scale_step != before
    assert layer.renders == renders  # the old raster stays on screen meanwhile
    assert layer.wait_ready()
    assert layer.renders == renders + 1


def test_a_drag_takes_the_shape_out_of_the_raster(qtbot) -> None:
    canvas, shapes, layer = _dense_canvas(qtbot)
    box = next(a for a in shapes if isinstance(a.geometry, Box))
    canvas.annotation_scene.show_overrides({box.uuid: Box(10, 10, 50, 50)})
    assert canvas.items_by_uuid()[box.uuid].isVisible()
    patches = layer.patches
    canvas.annotation_scene.show_overrides({})
    assert layer.patches > patches  # put back where it was
    assert not canvas.items_by_uuid()[box.uuid].isVisible()


def _truth(canvas, shapes, layer):  # type: ignore[no-untyped-def]
    """The raster a full render of the scene's current shapes gives."""
    scene = canvas.annotation_scene
    current = [scene.record(a.uuid) for a in shapes]
    planes = rasterize((4096, 4096), current, layer._colors, layer.scale_step)
    assert planes is not None
    return planes.rgba


def test_a_released_drag_draws_only_where_the_shape_went(qtbot) -> None:
    canvas, shapes, layer = _dense_canvas(qtbot)
    scene = canvas.annotation_scene
    box = next(a for a in shapes if isinstance(a.geometry, Box) and a.geometry.x0 > 1000)
    moved = replace(box, geometry=Box(100, 100, 140, 130))
    # the same edit made twice: once as an undo would (the raster still holds the shape),
    # once as a drag ends (the drag took the shape out of the raster where it was)
    drawn = layer.drawn
    scene.patch([box.uuid], {box.uuid: moved}.get)
    both_places = layer.drawn - drawn
    scene.patch([box.uuid], {box.uuid: box}.get)
    assert (_truth(canvas, shapes, layer) == layer._planes.rgba).all()
    scene.show_overrides({box.uuid: moved.geometry})
    drawn = layer.drawn
    scene.patch([box.uuid], {box.uuid: moved}.get)
    assert 0 < layer.drawn - drawn < both_places
    assert (_truth(canvas, shapes, layer) == layer._planes.rgba).all()
    assert layer.renders == 1


def test_polygons_converted_together_draw_as_each_alone() -> None:
    shapes = dense_annotations(1, 1024, 300, 40)
    colors = {1: (60, 180, 75), 2: (230, 25, 75)}
    together = RasterPlanes.empty((1024, 1024), 0.5)
    together.draw(shapes, colors)
    alone = RasterPlanes.empty((1024, 1024), 0.5)
    for ann in shapes:
        _draw(ann, 0.5, colors[ann.class_id], alone.fill, alone.covered, alone.lines)
    together.compose()
    alone.compose()
    assert (together.rgba == alone.rgba).all()
    assert together.rgba[..., 3].any()


def test_patches_reuse_converted_polygons_and_draw_the_truth(qtbot) -> None:
    """A second patch at the same place converts only the polygon that changed; a moved
    polygon (a new geometry) is converted again, so the raster still equals a full render."""
    from limner.models.domain.geometry import Polygon, bounds
    from limner.widgets.canvas import dense_layer

    canvas, shapes, layer = _dense_canvas(qtbot)
    scene = canvas.annotation_scene
    polygons = [a for a in shapes if isinstance(a.geometry, Polygon)]

    def crowd(a) -> int:  # type: ignore[no-untyped-def]
        x0, y0, x1, y1 = bounds(a.geometry)
        return scene._boxes.count_overlapping(x0 - 8, y0 - 6, x1 + 8, y1 + 6)

    poly = max(polygons, key=crowd)
    converted: list[int] = []
    real = dense_layer.np.fromiter

    def counting(values, dtype):  # type: ignore[no-untyped-def]
        out = real(values, dtype)
        converted.append(out.size)
        return out

    ring = poly.geometry.parts[0].outer
    moved = replace(poly, geometry=Polygon.from_points([(x + 7, y + 5) for x, y in ring]))
    dense_layer.np.fromiter = counting
    try:
        scene.patch([poly.uuid], {poly.uuid: moved}.get)
        first = sum(converted)
        converted.clear()
        scene.patch([poly.uuid], {poly.uuid: poly}.get)
        second = sum(converted)
    finally:
        dense_layer.np.fromiter = real
    assert crowd(poly) >= 4
    assert first > 2 * 2 * len(ring)  # the polygon and its neighbours, converted once
    assert 0 < second <= 2 * 2 * len(ring)  # only the polygon that moved back
    assert (_truth(canvas, shapes, layer) == layer._planes.rgba).all()
    assert layer.renders == 1


def _crowded(scene, shapes, kind=Box):  # type: ignore[no-untyped-def]
    """The shape of ``kind`` with the most others crossing its bounds."""
    from limner.models.domain.geometry import bounds

    def crowd(a) -> int:  # type: ignore[no-untyped-def]
        return scene._boxes.count_overlapping(*bounds(a.geometry))

    return max((a for a in shapes if isinstance(a.geometry, kind)), key=crowd)


def test_a_dropped_drag_draws_itself_and_only_what_lies_above_it(qtbot) -> None:
    """The raster already holds everything but the dragged shape, so its release draws
    that shape and the few drawn after it there, not the crowd under it, and the raster
    still equals a full render."""
    from limner.models.domain.geometry import bounds

    canvas, shapes, layer = _dense_canvas(qtbot)
    scene = canvas.annotation_scene
    top, crowded = shapes[-1], _crowded(scene, shapes)
    for target in (top, crowded):
        g = bounds(target.geometry)
        moved = replace(target, geometry=Box(g[0] + 9, g[1] + 5, g[2] + 9, g[3] + 5))
        scene.show_overrides({target.uuid: moved.geometry})  # the drag takes it out
        under = len(scene._shapes_in(bounds(moved.geometry)))
        drawn = layer.drawn
        scene.patch([target.uuid], {target.uuid: moved}.get)  # the release commits
        count = layer.drawn - drawn
        if target is top:
            assert count == 1
        else:
            assert 1 <= count < under
        assert (_truth(canvas, shapes, layer) == layer._planes.rgba).all()
    assert scene._boxes.count_overlapping(*bounds(crowded.geometry)) >= 3
    assert layer.renders == 1


def test_a_new_shape_on_a_crowded_image_is_drawn_over_the_raster(qtbot) -> None:
    from limner.models.domain.geometry import bounds

    canvas, shapes, layer = _dense_canvas(qtbot)
    scene = canvas.annotation_scene
    crowd = _crowded(scene, shapes)
    new = replace(crowd, uuid="drawn-now", geometry=Box(*bounds(crowd.geometry)), z=10**6)
    drawn = layer.drawn
    scene.patch([new.uuid], {new.uuid: new}.get)
    assert layer.drawn - drawn == 1
    assert (_truth(canvas, [*shapes, new], layer) == layer._planes.rgba).all()


def test_a_patch_changes_no_plane_outside_its_rectangle(qtbot) -> None:
    """Shapes crossing the patched rectangle are drawn cut to it: drawn whole, a long
    shape beneath would leave its pixels over a higher shape's away from the edit."""
    canvas, shapes, layer = _dense_canvas(qtbot)
    scene = canvas.annotation_scene
    base = shapes[0]
    made = {
        "edited": replace(base, uuid="edited", class_id=2, geometry=Box(3000, 3000, 3040, 3040)),
        "long": replace(base, uuid="long", class_id=1, geometry=Box(3000, 3000, 3600, 3040)),
        "higher": replace(base, uuid="higher", class_id=2, geometry=Box(3400, 2990, 3450, 3050)),
    }
    scene.patch(list(made), made.get)
    planes = layer._planes
    before = [p.copy() for p in (planes.fill, planes.covered, planes.lines)]
    nudged = {"edited": replace(made["edited"], geometry=Box(3003, 3000, 3043, 3040))}
    scene.patch(["edited"], nudged.get)
    x0, y0, x1, y1 = planes.pixel_rect((3000, 3000, 3043, 3040))
    for old, new in zip(before, (planes.fill, planes.covered, planes.lines), strict=True):
        changed = old != new
        changed[y0:y1, x0:x1] = False
        assert not changed.any()
    assert (before[2] != planes.lines).any()  # the box moved inside it
    made.update(nudged)
    truth = _truth(canvas, [*shapes, *made.values()], layer)
    assert (truth == planes.rgba).all()
