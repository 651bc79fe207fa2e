"""Canvas benchmarks: frames of dense scenes, a brush dab on screen, switching images.

These drive the real widgets offscreen and time what a user waits for: the repaint of
the view (``viewport().repaint()`` paints synchronously), or the switch to the next image.
"""

from __future__ import annotations

import math
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _app():  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def dense_annotations(image_id: int, size: int, polygons: int, boxes: int, seed: int = 1):
    """Deterministic 32-vertex polygons and boxes spread over a size x size image."""
    from limner.models.domain.entities import Annotation
    from limner.models.domain.geometry import Box, Polygon

    rng = np.random.default_rng(seed)
    out = []
    angles = np.linspace(0, 2 * math.pi, 32, endpoint=False)
    for i in range(polygons):
        cx, cy = rng.uniform(40, size - 40, 2)
        r = rng.uniform(8, 30)
        ring = [(float(cx + r * math.cos(a)), float(cy + r * math.sin(a))) for a in angles]
        out.append(Annotation(i + 1, f"p{i}", image_id, 1, Polygon.from_points(ring), z=i))
    for j in range(boxes):
        x, y = rng.uniform(0, size - 60, 2)
        w, h = rng.uniform(10, 60, 2)
        out.append(Annotation(polygons + j + 1, f"b{j}", image_id, 2, Box(x, y, x + w, y + h), z=j))
    return out


def _canvas(size: int):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor, QImage

    from limner.widgets.canvas.annotation_item import ItemStyle
    from limner.widgets.canvas.view import CanvasView

    canvas = CanvasView()
    canvas.resize(1400, 860)
    canvas.show()
    image = QImage(size, size, QImage.Format.Format_RGB888)
    image.fill(QColor(90, 100, 110))
    canvas.set_image(image)
    canvas.set_styles(
        {1: ItemStyle(QColor("#3cb44b"), "car"), 2: ItemStyle(QColor("#e6194b"), "apple")}
    )
    return canvas


def _median_frame(canvas, frames: int = 15) -> float:  # type: ignore[no-untyped-def]
    app = _app()
    times = []
    for _ in range(frames):
        canvas.viewport().update()
        started = time.perf_counter()
        canvas.viewport().repaint()
        app.processEvents()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_frame_10k_polygons() -> dict[str, dict[str, Any]]:
    _app()
    canvas = _canvas(4096)
    canvas.set_annotations(dense_annotations(1, 4096, 10_000, 2_000))
    canvas.fit()
    fit = _median_frame(canvas)
    canvas.set_zoom(4.0)
    zoomed = _median_frame(canvas)
    canvas.close()
    return {
        "frame_10k_polygons_ms": {"median": fit, "unit": "ms", "target": "<= 16"},
        "frame_10k_polygons_4x_ms": {"median": zoomed, "unit": "ms", "target": "<= 16"},
    }


def bench_brush_dab_on_screen() -> dict[str, dict[str, Any]]:
    """One brush dab on an 8192x8192 image including the overlay update and the repaint."""
    from limner.models.editing.tools.base import Preview
    from limner.models.imaging.mask_ops import MaskLayer

    app = _app()
    canvas = _canvas(8192)
    canvas.set_zoom(1.0)
    layer = MaskLayer(8192, 8192)
    canvas.show_preview(Preview(mask_layer=layer))
    center = canvas.mapToScene(canvas.viewport().rect().center())
    times = []
    for i in range(200):
        x = center.x() - 300 + i * 3
        y = center.y() + 40 * math.sin(i / 10)
        started = time.perf_counter()
        layer.dab(x, y, 20, True)
        canvas.show_preview(Preview(mask_layer=layer, ring=(x, y, 20)))
        canvas.viewport().repaint()
        app.processEvents()
        times.append((time.perf_counter() - started) * 1000)
    canvas.close()
    return {
        "brush_dab_8192_screen_ms": {
            "median": statistics.median(times),
            "unit": "ms",
            "target": "<= 5",
        }
    }


def bench_next_image() -> dict[str, dict[str, Any]]:
    """Switching to the next image in the window (3000x2000 JPEGs), first and second time."""
    from PIL import Image

    from limner.app.main_window import MainWindow
    from limner.models.workflow.project import create_project

    app = _app()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "images"
        folder.mkdir()
        rng = np.random.default_rng(3)
        for i in range(12):
            base = rng.integers(0, 255, (200, 300, 3), dtype=np.uint8)
            Image.fromarray(base).resize((3000, 2000)).save(folder / f"im{i:02d}.jpg", quality=85)
        store, _ = create_project(Path(tmp) / "p", images=[folder], classes=["a"])
        win = MainWindow(store)
        win.resize(1400, 860)
        win.show()
        win.editor.open_first()
        app.processEvents()

        def walk() -> list[float]:
            times = []
            for _ in range(10):
                started = time.perf_counter()
                win.editor.step(+1)
                win.canvas.viewport().repaint()
                app.processEvents()
                times.append((time.perf_counter() - started) * 1000)
            return times

        first = walk()
        for _ in range(10):
            win.editor.step(-1)
        cached = walk()
        win.close()
        store.close()
    return {
        "next_image_uncached_ms": {"median": statistics.median(first), "unit": "ms"},
        "next_image_cached_ms": {
            "median": statistics.median(cached),
            "unit": "ms",
            "target": "<= 50",
        },
    }


if __name__ == "__main__":
    print(bench_frame_10k_polygons())
    print(bench_brush_dab_on_screen())
    print(bench_next_image())


def bench_review_step() -> dict[str, dict[str, Any]]:
    """Approve (or reject) and land on the next submitted image, images already seen once."""
    from PIL import Image

    from limner.app.main_window import MainWindow
    from limner.models.workflow.project import create_project
    from limner.models.workflow.review_commands import Submit

    app = _app()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "images"
        folder.mkdir()
        rng = np.random.default_rng(5)
        for i in range(60):
            base = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
            Image.fromarray(base).resize((1600, 1200)).save(folder / f"r{i:02d}.jpg", quality=85)
        store, _ = create_project(Path(tmp) / "p", images=[folder], classes=["a"])
        win = MainWindow(store)
        win.resize(1400, 860)
        win.show()
        with store.read() as conn:
            from limner.models.store import queries

            ids = [r.id for r in queries.image_page(conn, 0, 100)]
        win.editor.commit(Submit(ids))
        win.workflow.set_mode("review")
        for _ in range(60):  # see every image once: decoded tiles are cached
            win.editor.step(+1)
            win.canvas.viewport().repaint()
            win.canvas.tile_layer.wait_idle()
        win.editor.open_first()
        times = []
        for _ in range(40):
            started = time.perf_counter()
            win.workflow.approve()
            win.canvas.viewport().repaint()
            app.processEvents()
            times.append((time.perf_counter() - started) * 1000)
        win.close()
        store.close()
    return {
        "review_approve_next_ms": {
            "median": statistics.median(times),
            "unit": "ms",
            "target": "< 100",
        }
    }


def bench_commit_on_dense_image() -> dict[str, dict[str, Any]]:
    """One edit in the window on an image holding 5,000 boxes: the commit, every view
    brought up to date and the frame painted. Zoomed out the shapes are one raster (which
    an edit redraws); at 100% each shape is an item."""
    from PIL import Image

    from limner.app.main_window import MainWindow
    from limner.models.domain.entities import NewAnnotation
    from limner.models.domain.geometry import Box
    from limner.models.editing.commands import AddAnnotations, EditAnnotations
    from limner.models.store import tx
    from limner.models.workflow.project import create_project

    app = _app()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "images"
        folder.mkdir()
        Image.new("RGB", (2000, 2000), (90, 100, 110)).save(folder / "dense.png")
        store, _ = create_project(Path(tmp) / "p", images=[folder], classes=["a"])
        rng = np.random.default_rng(8)
        with store.transaction(origin="import") as (conn, changes):
            for i, (x, y) in enumerate(rng.uniform(0, 1900, (5000, 2))):
                box = Box(x, y, x + 40, y + 30)
                tx.insert_annotation(conn, changes, NewAnnotation(tx.new_uuid(), 1, None, box, z=i))
        win = MainWindow(store)
        win.resize(1400, 860)
        win.show()
        win.editor.open_first()
        app.processEvents()
        for label, zoom in (("fit", None), ("100", 1.0)):
            if zoom is None:
                win.canvas.fit()
            else:
                win.canvas.set_zoom(zoom)
            adds, moves = [], []
            for i in range(15):
                item = NewAnnotation(tx.new_uuid(), 1, None, Box(10 + i, 10, 60 + i, 50))
                started = time.perf_counter()
                win.editor.commit(AddAnnotations((item,)))
                win.canvas.viewport().repaint()
                app.processEvents()
                adds.append((time.perf_counter() - started) * 1000)
                record = next(a for a in win.editor.annotations if a.uuid == item.uuid)
                moved = Box(20 + i, 20, 70 + i, 60)
                edit = EditAnnotations.from_records("Move", [(record, {"geometry": moved})])
                started = time.perf_counter()
                win.editor.commit(edit)
                win.canvas.viewport().repaint()
                app.processEvents()
                moves.append((time.perf_counter() - started) * 1000)
            results[f"commit_add_5k_{label}_ms"] = {"median": statistics.median(adds), "unit": "ms"}
            results[f"commit_move_5k_{label}_ms"] = {
                "median": statistics.median(moves),
                "unit": "ms",
            }
        win.close()
        store.close()
    return results


def mixed_geometries(size: int, count: int, seed: int = 11) -> list[tuple[str, Any]]:
    """``count`` shapes of every kind, in turn, spread over a ``size`` x ``size`` image:
    boxes, rotated boxes, 32-vertex polygons, 8-point polylines, points, rotated ellipses
    and five-point skeletons. Returns (kind, geometry) pairs."""
    from limner.models.domain.geometry import (
        Box,
        Ellipse,
        Keypoints,
        Point,
        Polygon,
        Polyline,
    )

    rng = np.random.default_rng(seed)
    angles = np.linspace(0, 2 * math.pi, 32, endpoint=False)
    out: list[tuple[str, Any]] = []
    for i in range(count):
        cx, cy = (float(v) for v in rng.uniform(60, size - 60, 2))
        w, h = (float(v) for v in rng.uniform(10, 60, 2))
        angle = float(rng.uniform(1, 179))
        kind = MIXED_KINDS[i % len(MIXED_KINDS)]
        if kind == "box":
            g: Any = Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        elif kind == "rotated box":
            g = Box.from_centre(cx, cy, w, h, angle)
        elif kind == "polygon":
            r = w / 2
            g = Polygon.from_points([(cx + r * math.cos(a), cy + r * math.sin(a)) for a in angles])
        elif kind == "polyline":
            xs = cx + np.linspace(-w, w, 8)
            ys = cy + rng.uniform(-h / 2, h / 2, 8)
            g = Polyline(tuple(zip(xs.tolist(), ys.tolist(), strict=True)))
        elif kind == "point":
            g = Point(cx, cy)
        elif kind == "ellipse":
            g = Ellipse(cx, cy, w / 2, h / 2, angle)
        else:
            offsets = ((0, -h / 2), (-w / 2, 0), (w / 2, 0), (-w / 3, h / 2), (w / 3, h / 2))
            g = Keypoints(tuple((cx + dx, cy + dy, 2) for dx, dy in offsets))
        out.append((kind, g))
    return out


MIXED_KINDS = ("box", "rotated box", "polygon", "polyline", "point", "ellipse", "keypoints")


def _frame_times(canvas, frames: int = 15) -> list[float]:  # type: ignore[no-untyped-def]
    """Milliseconds of each of ``frames`` repaints of the view, each painted to the end
    (``repaint`` paints synchronously) with the events it queued handled."""
    app = _app()
    times = []
    for _ in range(frames):
        canvas.viewport().update()
        started = time.perf_counter()
        canvas.viewport().repaint()
        app.processEvents()
        times.append((time.perf_counter() - started) * 1000)
    return times


def bench_frame_10k_mixed_kinds() -> dict[str, dict[str, Any]]:
    """Frames of the real window showing 10,000 shapes of every kind on a 4096 px image,
    fitted in the window and at 4x. What is timed is the steady view a user pans over:
    the first frame after each zoom (which rasterizes the dense layer or builds the
    items in view) and the decoding of the image's tiles happen before the clock runs."""
    from PIL import Image

    from limner.app.main_window import MainWindow
    from limner.models.domain.entities import NewAnnotation
    from limner.models.domain.geometry import Skeleton
    from limner.models.store import tx
    from limner.models.workflow.project import create_project

    app = _app()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "images"
        folder.mkdir()
        Image.new("RGB", (4096, 4096), (90, 100, 110)).save(folder / "mixed.png")
        store, _ = create_project(Path(tmp) / "p", images=[folder], classes=["shape"])
        skeleton = Skeleton(("head", "l", "r", "lf", "rf"), ((0, 1), (0, 2), (1, 3), (2, 4)))
        with store.transaction(origin="import") as (conn, changes):
            figure = tx.insert_class(
                conn,
                changes,
                {"name": "figure", "color": "#4363d8", "kind": "keypoints", "skeleton": skeleton},
            )
            for i, (kind, g) in enumerate(mixed_geometries(4096, 10_000)):
                class_id = figure if kind == "keypoints" else 1
                item = NewAnnotation(tx.new_uuid(), 1, class_id, g, z=i)
                tx.insert_annotation(conn, changes, item)
        win = MainWindow(store)
        win.resize(1400, 860)
        win.show()
        win.editor.open_first()
        app.processEvents()
        assert len(win.editor.annotations) == 10_000
        for label, zoom in (("fit", None), ("4x", 4.0)):
            if zoom is None:
                win.canvas.fit()
            else:
                win.canvas.set_zoom(4.0)
            _frame_times(win.canvas, 1)  # rasterizes the dense layer or makes the items
            win.canvas.tile_layer.wait_idle()  # the image's tiles decoded: a steady view
            times = _frame_times(win.canvas, 15)
            results[f"frame_10k_mixed_kinds_{label}_ms"] = {
                "median": statistics.median(times),
                "min": min(times),
                "max": max(times),
                "unit": "ms",
                "target": "<= 16",
            }
        win.close()
        store.close()
    return results
