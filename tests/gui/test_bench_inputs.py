"""The interaction benchmark's inputs do what its figures claim to time.

The wheel step must zoom (with the default preference the plain wheel scrolls), and the
click must select the target box; otherwise a figure would time something else.
"""

from __future__ import annotations

from tests.perf import bench_interaction as bench


def test_bench_wheel_zooms_and_click_selects(qtbot) -> None:
    with bench.dense_window(300) as (win, clock):
        before = win.canvas.zoom
        clock.time(lambda: bench.wheel(win, +1))
        assert win.canvas.zoom > before * 1.05
        clock.time(lambda: bench.wheel(win, -1))
        assert abs(win.canvas.zoom - before) < before * 1e-6
        win.canvas.fit()
        clock.settle()
        x, y = bench._centre(bench.TARGETS[0])
        clock.time(lambda: bench.click(win, x, y))
        selected = win.canvas.annotation_scene.selection
        assert len(selected) == 1
        record = win.canvas.annotation_scene.record(next(iter(selected)))
        assert record is not None and record.geometry.x0 == bench.TARGETS[0][0]


def test_bench_switch_zoom_is_where_the_raster_gives_way_to_items(qtbot) -> None:
    from limner.widgets.canvas.view import ZOOM_STEP

    with bench.dense_window(3000) as (win, clock):
        zoom = bench.switch_zoom(win, clock)
        win.canvas.set_zoom(zoom)
        clock.settle()
        assert win.canvas.dense_mode
        clock.time(lambda: bench.wheel(win, +1))
        clock.settle()
        assert not win.canvas.dense_mode
        assert abs(win.canvas.zoom - zoom * ZOOM_STEP) < 1e-6 * zoom
