"""Interaction benchmarks: real input on the real main window, timed to the painted frame.

Each figure starts when the input event is sent (a QTest press, move or release, or a
QWheelEvent sent to the canvas's viewport) and stops when the viewport has finished
painting the frame that shows the result: a paint counter on the viewport is watched
while the event loop runs, so the time covers the handler, every view brought up to
date and the paint itself. The window is the one a user gets (``MainWindow`` on a project
on disk); shapes are synthetic (32-vertex polygons and boxes) plus two large target boxes
that the clicks and the edit aim at. Figures are the median, min and max of the samples.
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

IMAGE = 4096
TARGETS = ((400.0, 400.0, 700.0, 700.0), (3000.0, 3000.0, 3300.0, 3300.0))
SAMPLES = 15
GESTURES = 5


def _app():  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def stats(samples: list[float], unit: str = "ms", target: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "unit": unit,
    }
    if target:
        out["target"] = target
    return out


class FrameClock:
    """Counts the viewport's paint events, to wait for the frame an input causes."""

    def __init__(self, viewport) -> None:  # type: ignore[no-untyped-def]
        from PySide6.QtCore import QEvent, QObject

        paint = QEvent.Type.Paint
        clock = self

        class _Filter(QObject):
            def eventFilter(self, obj, event):  # type: ignore[no-untyped-def]
                if event.type() == paint:
                    clock.paints += 1
                return False

        self.paints = 0
        self._filter = _Filter()
        viewport.installEventFilter(self._filter)
        self._viewport = viewport

    def time(self, act: Callable[[], object], paints: bool = True, timeout: float = 20.0) -> float:
        """Milliseconds from calling ``act`` to the end of the next painted frame.

        An input whose result is already on screen (the release of a drag whose last move
        was painted) may paint nothing: with ``paints`` False it is timed to the end of
        the events it queued, and to the end of its frame if it asked for one.
        """
        app = _app()
        before = self.paints
        started = time.perf_counter()
        act()
        if not paints:
            app.processEvents()
            app.processEvents()
            return (time.perf_counter() - started) * 1000
        deadline = started + timeout
        while self.paints == before and time.perf_counter() < deadline:
            app.processEvents()
        app.processEvents()  # a paint that asked for another (a deferred raster) ends here
        return (time.perf_counter() - started) * 1000

    idle: Callable[[], bool] = staticmethod(lambda: True)

    def settle(self) -> None:
        """Run the event loop until nothing is left to paint, render or reveal."""
        app = _app()
        deadline = time.perf_counter() + 60
        for _ in range(5):
            app.processEvents()
            time.sleep(0.01)
        while not self.idle() and time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.005)


def shapes_for(count: int, size: int = IMAGE, seed: int = 1) -> list:
    """``count`` shapes: four polygons for every box, spread over the image."""
    from tests.perf.bench_canvas import dense_annotations

    polygons = count * 4 // 5
    return dense_annotations(1, size, polygons, count - polygons, seed=seed)


def _write_project(tmp: Path, size: tuple[int, int], geometries: list) -> Any:
    from PIL import Image

    from limner.models.domain.entities import NewAnnotation
    from limner.models.store import tx
    from limner.models.workflow.project import create_project

    folder = tmp / "images"
    folder.mkdir()
    Image.new("RGB", size, (90, 100, 110)).save(folder / "dense.png", compress_level=1)
    store, _ = create_project(tmp / "p", images=[folder], classes=["car", "apple"])
    items = [
        NewAnnotation(tx.new_uuid(), 1, class_id, geometry, z=z)
        for z, (class_id, geometry) in enumerate(geometries)
    ]
    with store.transaction(origin="import") as (conn, changes):
        tx.insert_new_annotations(conn, changes, items)
    return store


@contextmanager
def dense_window(count: int, size: int = IMAGE) -> Iterator[tuple[Any, FrameClock]]:
    """The main window showing one image with ``count`` shapes and the two targets."""
    from limner.models.domain.geometry import Box

    geometries = [(a.class_id, a.geometry) for a in shapes_for(count, size)]
    geometries += [(2, Box(*t)) for t in TARGETS]
    with tempfile.TemporaryDirectory() as tmp:
        store = _write_project(Path(tmp), (size, size), geometries)
        with _window(store) as (win, clock):
            yield win, clock
        store.close()


@contextmanager
def _window(store) -> Iterator[tuple[Any, FrameClock]]:  # type: ignore[no-untyped-def]
    from limner.app.main_window import MainWindow

    app = _app()
    win = MainWindow(store)
    win.resize(1400, 860)
    win.show()
    win.editor.open_first()
    app.processEvents()
    win.canvas.tile_layer.wait_idle()
    clock = FrameClock(win.canvas.viewport())
    clock.idle = lambda: _idle(win)
    win.canvas.fit()
    clock.settle()
    clock.time(win.canvas.viewport().update)
    try:
        yield win, clock
    finally:
        win.close()
        app.processEvents()


def _idle(win) -> bool:  # type: ignore[no-untyped-def]
    """No raster render or item reveal under way (always true where there are none)."""
    return not getattr(win.canvas.annotation_scene, "busy", False)


def _view_point(win, x: float, y: float):  # type: ignore[no-untyped-def]
    return win.canvas.mapFromScene(x, y)


def _centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def click(win, x: float, y: float) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    vp = win.canvas.viewport()
    QTest.mouseClick(
        vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _view_point(win, x, y)
    )


def wheel(win, notches: int) -> None:  # type: ignore[no-untyped-def]
    """One real zoom step: a Ctrl+wheel event of ``notches`` at the middle of the viewport
    (the plain wheel scrolls, as in other viewers, unless the preference swaps them)."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    vp = win.canvas.viewport()
    pos = QPointF(vp.rect().center())
    event = QWheelEvent(
        pos,
        QPointF(vp.mapToGlobal(pos.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier
        if win.canvas.wheel_zooms
        else Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(vp, event)


def _click_select(win, clock: FrameClock) -> list[float]:  # type: ignore[no-untyped-def]
    win.canvas.fit()
    clock.settle()
    times = []
    for i in range(SAMPLES + 1):
        x, y = _centre(TARGETS[i % 2])
        times.append(clock.time(lambda x=x, y=y: click(win, x, y)))
    return times[1:]


def _edit(win, clock: FrameClock) -> tuple[list[float], list[float], list[float]]:  # type: ignore[no-untyped-def]
    """Move a target box by a drag: each drag move's frame, the release's (the commit), and
    the click that selects the box again right after that edit."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    vp = win.canvas.viewport()
    win.canvas.fit()
    clock.settle()
    moves, releases, clicks = [], [], []
    for i in range(SAMPLES + 1):
        shapes = win.editor.annotations
        box = next(a for a in shapes if a.z == len(shapes) - 1)
        g = box.geometry
        x, y = (g.x0 + g.x1) / 2, (g.y0 + g.y1) / 2
        win.editor.set_selection([])  # so that the click selects it: a new frame
        clock.settle()
        clicks.append(clock.time(lambda x=x, y=y: click(win, x, y)))
        clock.settle()
        start = _view_point(win, x, y)
        step = 8 if i % 2 == 0 else -8
        QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
        for k in range(1, 4):
            point = start.__class__(start.x() + step * k, start.y())
            moves.append(clock.time(lambda p=point: QTest.mouseMove(vp, p)))
        end = start.__class__(start.x() + step * 3, start.y())
        releases.append(
            clock.time(
                lambda e=end: QTest.mouseRelease(
                    vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, e
                ),
                paints=False,
            )
        )
        clock.settle()
    return moves[3:], releases, clicks[1:]


def _wheel_pairs(win, clock: FrameClock, zoom: float) -> list[float]:  # type: ignore[no-untyped-def]
    """Wheel in then out from ``zoom``: every notch crosses the boundary just above it."""
    win.canvas.set_zoom(zoom)
    clock.settle()
    clock.time(win.canvas.viewport().update)
    times = []
    for _ in range(SAMPLES // 2 + 1):
        times.append(clock.time(lambda: wheel(win, +1)))
        times.append(clock.time(lambda: wheel(win, -1)))
    return times[2:]


def switch_zoom(win, clock: FrameClock) -> float:  # type: ignore[no-untyped-def]
    """The zoom one notch below where the view leaves the raster for one item per shape
    (100% on a sparse image; further in where the view at 100% still holds a crowd)."""
    from limner.widgets.canvas.view import ZOOM_STEP

    zoom = 0.9
    win.canvas.set_zoom(zoom)
    clock.settle()
    if not win.canvas.dense_mode:
        return zoom
    while zoom < 64:
        win.canvas.set_zoom(zoom * ZOOM_STEP)
        clock.settle()
        if not win.canvas.dense_mode:
            return zoom
        zoom *= ZOOM_STEP
    return zoom


def _frames(win, clock: FrameClock) -> list[float]:  # type: ignore[no-untyped-def]
    clock.time(win.canvas.viewport().update)
    return [clock.time(win.canvas.viewport().update) for _ in range(SAMPLES)]


def _at_400(win, clock: FrameClock) -> list[float]:  # type: ignore[no-untyped-def]
    x, y = _centre(TARGETS[0])
    win.canvas.set_zoom(4.0)
    win.canvas.centerOn(x, y)
    clock.settle()
    return _frames(win, clock)


def interaction(count: int) -> dict[str, dict[str, Any]]:
    """Every dense-image interaction at ``count`` shapes (plus the two targets)."""
    label = f"{count // 1000}k"
    out: dict[str, dict[str, Any]] = {}
    with dense_window(count) as (win, clock):
        out[f"ui_frame_fit_{label}_ms"] = stats(_frames(win, clock), target="<= 16")
        out[f"ui_click_select_{label}_ms"] = stats(_click_select(win, clock), target="<= 16")
        moves, releases, clicks = _edit(win, clock)
        out[f"ui_drag_move_{label}_ms"] = stats(moves, target="<= 16")
        out[f"ui_edit_release_{label}_ms"] = stats(releases, target="<= 16")
        out[f"ui_click_after_edit_{label}_ms"] = stats(clicks, target="<= 16")
        out[f"ui_wheel_level_{label}_ms"] = stats(_wheel_pairs(win, clock, 0.45), target="<= 16")
        out[f"ui_wheel_to_items_{label}_ms"] = stats(
            _wheel_pairs(win, clock, switch_zoom(win, clock)), target="<= 16"
        )
        out[f"ui_frame_400pct_{label}_ms"] = stats(_at_400(win, clock), target="<= 16")
    return out


def bench_interaction_1k() -> dict[str, dict[str, Any]]:
    return interaction(1_000)


def bench_interaction_12k() -> dict[str, dict[str, Any]]:
    return interaction(12_000)


def bench_interaction_100k() -> dict[str, dict[str, Any]]:
    return interaction(100_000)


def ring(vertices: int, centre: float = 500.0, radius: float = 400.0) -> list:
    angles = np.linspace(0, 2 * math.pi, vertices, endpoint=False)
    return [
        (float(centre + radius * math.cos(a)), float(centre + radius * math.sin(a))) for a in angles
    ]


def bench_vertex_drag_window() -> dict[str, dict[str, Any]]:
    """Dragging one vertex of a selected 10,000-vertex polygon: updates per second painted."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from limner.models.domain.geometry import Polygon

    points = ring(10_000)
    rates = []
    with tempfile.TemporaryDirectory() as tmp:
        store = _write_project(Path(tmp), (1000, 1000), [(1, Polygon.from_points(points))])
        with _window(store) as (win, clock):
            vp = win.canvas.viewport()
            click(win, 500, 500)
            clock.settle()
            for gesture in range(GESTURES):
                x, y = points[gesture * 1000]
                start = _view_point(win, x, y)
                QTest.mousePress(
                    vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start
                )
                clock.settle()
                # past the drag threshold first: moves inside it change nothing on screen
                clock.time(lambda s=start: QTest.mouseMove(vp, QPoint(s.x() + 6, s.y())))
                moves = 40
                started = time.perf_counter()
                for k in range(1, moves + 1):
                    point = QPoint(start.x() + 6 + k, start.y() + (k % 3))
                    clock.time(lambda p=point: QTest.mouseMove(vp, p))
                rates.append(moves / (time.perf_counter() - started))
                QTest.mouseRelease(
                    vp,
                    Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier,
                    QPoint(start.x() + moves, start.y()),
                )
                clock.settle()
        store.close()
    return {"ui_vertex_drag_10k_per_s": stats(rates, unit="updates/s", target=">= 60")}


def bench_brush_first_dab_window() -> dict[str, dict[str, Any]]:
    """The press that starts a brush stroke on an 8192x8192 image, to its painted frame."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    first = []
    with tempfile.TemporaryDirectory() as tmp:
        store = _write_project(Path(tmp), (8192, 8192), [])
        with _window(store) as (win, clock):
            vp = win.canvas.viewport()
            win.editor.set_active_class(1)
            win.editor.set_tool("brush")
            win.canvas.set_zoom(1.0)
            win.canvas.centerOn(4096, 4096)
            clock.settle()
            for stroke in range(SAMPLES // 2 + 1):
                start = QPoint(200 + 30 * stroke, 300)
                first.append(
                    clock.time(
                        lambda s=start: QTest.mousePress(
                            vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, s
                        )
                    )
                )
                for k in range(1, 6):
                    QTest.mouseMove(vp, QPoint(start.x() + 4 * k, start.y()))
                QTest.mouseRelease(
                    vp,
                    Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier,
                    QPoint(start.x() + 20, 300),
                )
                clock.settle()
        store.close()
    return {"ui_brush_first_dab_8192_ms": stats(first[1:], target="<= 16")}


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def dense_memory(count: int) -> float:
    """Resident megabytes the window adds for ``count`` shapes painted at fit."""
    _app()
    with tempfile.TemporaryDirectory() as tmp:
        store = _write_project(Path(tmp), (IMAGE, IMAGE), [])
        with _window(store):
            empty = _rss_mb()
        store.close()
    with dense_window(count) as (win, clock):
        clock.time(win.canvas.viewport().update)
        return _rss_mb() - empty


def bench_dense_memory_12k() -> dict[str, dict[str, Any]]:
    """Memory of the dense canvas with 12k shapes, each run in a fresh interpreter."""
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-m", "tests.perf.bench_interaction", "rss", "12000"],
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )
        runs.append(float(out.stdout.strip().splitlines()[-1]))
    return {"ui_dense_memory_12k_mb": stats(runs, unit="MB")}


if __name__ == "__main__":
    if sys.argv[1:2] == ["rss"]:
        print(f"{dense_memory(int(sys.argv[2])):.1f}")
    else:
        from tests.perf.run_bench import table

        which = sys.argv[1] if len(sys.argv) > 1 else ""
        results: dict[str, dict[str, Any]] = {}
        for name, func in sorted(globals().items()):
            if name.startswith("bench_") and which in name:
                results.update(func())
        print(table(results))
