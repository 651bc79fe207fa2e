"""The same interactions on labelme's Canvas, for ``make bench-peers``.

Runs inside ``.venv-labelme`` (labelme 6.3.1 and its PyQt5), so it imports nothing from
limner: the shapes are made by the same recipe as ``bench_canvas.dense_annotations``
(same seed, same 32-vertex polygons and boxes, four polygons per box) plus the two target
boxes of ``bench_interaction``. labelme's canvas is one widget that paints every shape on
each paint, sized to the image at the current scale (as its window puts it in a scroll
area); the window is 1400x860 and "fit" is the scale that fits the image in it. Each
figure is timed from the input event to the end of the synchronous repaint that shows
it, and printed as JSON: {name: {"median", "min", "max", "unit"}}.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import time

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

IMAGE = 4096
TARGETS = ((400.0, 400.0, 700.0, 700.0), (3000.0, 3000.0, 3300.0, 3300.0))
SAMPLES = 9


def _stats(samples: list[float], unit: str = "ms") -> dict[str, object]:
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "unit": unit,
    }


def _geometry(count: int, size: int = IMAGE, seed: int = 1) -> list[tuple[str, list]]:
    """("polygon", points) and ("rectangle", corners), drawn like dense_annotations."""
    rng = np.random.default_rng(seed)
    polygons = count * 4 // 5
    out: list[tuple[str, list]] = []
    angles = np.linspace(0, 2 * math.pi, 32, endpoint=False)
    for _ in range(polygons):
        cx, cy = rng.uniform(40, size - 40, 2)
        r = rng.uniform(8, 30)
        out.append(("polygon", [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in angles]))
    for _ in range(count - polygons):
        x, y = rng.uniform(0, size - 60, 2)
        w, h = rng.uniform(10, 60, 2)
        out.append(("rectangle", [(x, y), (x + w, y + h)]))
    for x0, y0, x1, y1 in TARGETS:
        out.append(("rectangle", [(x0, y0), (x1, y1)]))
    return out


def _canvas(count: int, size: int, scale: float, shapes=None):  # type: ignore[no-untyped-def]
    from labelme._shape import Shape
    from labelme.widgets.canvas import Canvas
    from PyQt5.QtCore import QPointF
    from PyQt5.QtGui import QColor, QPixmap

    canvas = Canvas()
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(90, 100, 110))
    canvas.load_pixmap(pixmap)
    made = []
    for kind, points in shapes if shapes is not None else _geometry(count, size):
        shape = Shape(label="thing", shape_type=kind)
        for x, y in points:
            shape.add_point(QPointF(float(x), float(y)))
        shape.close()
        made.append(shape)
    canvas.load_shapes(made)
    canvas.set_editing(True)
    canvas.scale = scale
    canvas.resize(max(1, int(size * scale)), max(1, int(size * scale)))
    canvas.show()
    return canvas


def _widget(canvas, x: float, y: float):  # type: ignore[no-untyped-def]
    from PyQt5.QtCore import QPoint

    origin = canvas._compute_image_origin_offset()
    return QPoint(round((x + origin.x()) * canvas.scale), round((y + origin.y()) * canvas.scale))


def _timed(canvas, act) -> float:  # type: ignore[no-untyped-def]
    from PyQt5.QtWidgets import QApplication

    started = time.perf_counter()
    act()
    canvas.repaint()
    QApplication.processEvents()
    return (time.perf_counter() - started) * 1000


def dense(count: int) -> dict[str, dict[str, object]]:
    from PyQt5.QtCore import Qt
    from PyQt5.QtTest import QTest

    label = f"{count // 1000}k"
    fit = min(1400 / IMAGE, 860 / IMAGE)
    canvas = _canvas(count, IMAGE, fit)
    frames = [_timed(canvas, lambda: None) for _ in range(SAMPLES)]
    clicks = []
    for i in range(SAMPLES):
        x0, y0, x1, y1 = TARGETS[i % 2]
        point = _widget(canvas, (x0 + x1) / 2, (y0 + y1) / 2)
        click = lambda p=point: QTest.mouseClick(canvas, Qt.LeftButton, pos=p)  # noqa: E731
        clicks.append(_timed(canvas, click))
    canvas.close()
    return {
        f"ui_frame_fit_{label}_ms": _stats(frames),
        f"ui_click_select_{label}_ms": _stats(clicks),
    }


def vertex_drag() -> dict[str, dict[str, object]]:
    """Drag one vertex of a selected 10,000-vertex polygon: updates per second."""
    from PyQt5.QtCore import QPoint, Qt
    from PyQt5.QtTest import QTest

    angles = np.linspace(0, 2 * math.pi, 10_000, endpoint=False)
    ring = [(500 + 400 * math.cos(a), 500 + 400 * math.sin(a)) for a in angles]
    canvas = _canvas(1, 1000, 0.68, shapes=[("polygon", ring)])
    QTest.mouseClick(canvas, Qt.LeftButton, pos=_widget(canvas, 500, 500))
    rates = []
    for gesture in range(5):
        x, y = ring[gesture * 1000]
        start = _widget(canvas, x, y)
        QTest.mouseMove(canvas, start)  # labelme finds the vertex under the hover
        QTest.mousePress(canvas, Qt.LeftButton, pos=start)
        QTest.mouseMove(canvas, QPoint(start.x() + 6, start.y()))
        started = time.perf_counter()
        for k in range(1, 41):
            point = QPoint(start.x() + 6 + k, start.y() + (k % 3))
            _timed(canvas, lambda p=point: QTest.mouseMove(canvas, p))
        rates.append(40 / (time.perf_counter() - started))
        QTest.mouseRelease(canvas, Qt.LeftButton, pos=QPoint(start.x() + 46, start.y()))
    canvas.close()
    return {"ui_vertex_drag_10k_per_s": _stats(rates, "updates/s")}


def main() -> int:
    from PyQt5.QtWidgets import QApplication

    _app = QApplication.instance() or QApplication(sys.argv[:1])
    results: dict[str, dict[str, object]] = {}
    for count in (1_000, 12_000):
        results.update(dense(count))
    results.update(vertex_drag())
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
