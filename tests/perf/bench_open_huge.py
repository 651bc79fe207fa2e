"""Cold open of a huge image without a pyramid in the real main window.

A 40,000² baseline JPEG and a 20,000² PNG, each alone in a project that allows huge
images, are opened by a fresh process that shows the main window, starts a 5 ms QTimer
heartbeat and steps to the image. Reported per file, as medians of 3 runs with min and
max: the longest gap between two heartbeats (how long the GUI thread was blocked), the
time from asking for the image to the first of its pixels painted (the rows of a PNG read
so far, or the coarsest level), the time to the first complete view (the coarsest level
shown and every tile of the fitted view decoded and painted), and the process's peak RSS.
The PNG is opened twice: with libvips reading its strips and with the Pillow strip reader.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.perf.bench_tiles import _bench_dir, _big_jpeg

ROOT = Path(__file__).resolve().parents[2]
PNG_SIDE = 20_000

CHILD = r"""
import json, os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from limner.app.main_window import MainWindow
from limner.models.store.store import ProjectStore
if sys.argv[2] == "pillow":
    import limner.models.imaging.tiles.strips as strips
    strips.vips_available = lambda: False
app = QApplication([])
store = ProjectStore.open(sys.argv[1])
win = MainWindow(store)
win.resize(1400, 860)
win.show()
app.processEvents()
beats = []
timer = QTimer()
timer.setInterval(5)
timer.timeout.connect(lambda: beats.append(time.perf_counter()))
timer.start()
for _ in range(20):
    app.processEvents()
    time.sleep(0.005)
asked = time.perf_counter()
beats.append(asked)
win.editor.open_first()
layer = win.canvas.tile_layer
deadline = asked + 600
first = None
while time.perf_counter() < deadline:
    app.processEvents()
    preview = layer.source.preview() if layer.source is not None else None
    if first is None and (layer.overview is not None or (preview and preview[1] > 0)):
        win.canvas.viewport().repaint()
        first = time.perf_counter()
    if layer.overview is not None and layer.wait_idle(0.001):
        win.canvas.viewport().repaint()
        app.processEvents()
        if layer.wait_idle(0.001):
            break
    time.sleep(0.002)
shown = time.perf_counter()
beats.append(shown)
gaps = [b - a for a, b in zip(beats, beats[1:]) if b >= asked]
peak = 0
with open("/proc/self/status") as fh:
    for line in fh:
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
print(json.dumps({
    "block_ms": max(gaps) * 1000, "first_pixels_s": first - asked,
    "first_view_s": shown - asked, "rss_mb": peak,
}))
"""


def _big_png() -> Path:
    path = _bench_dir() / f"big_{PNG_SIDE}.png"
    if not path.exists():
        from PIL import Image

        from tests.perf.synth_images import pattern

        partial = path.with_suffix(".partial")
        Image.fromarray(pattern(0, 0, PNG_SIDE, PNG_SIDE)).save(partial, "PNG", compress_level=1)
        partial.replace(path)
    return path


def _project_with(image: Path, folder: Path) -> Path:
    from limner.models.workflow.project import allow_huge_images, create_project

    store, _report = create_project(folder / "p", images=[image])
    with store:
        allow_huge_images(store)
    return folder / "p"


def _runs(
    image: Path, label: str, runs: int = 3, reader: str = "vips"
) -> dict[str, dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(runs):
            project = _project_with(image, Path(tmp) / str(n))  # a cold tile cache each time
            env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(project), reader],
                capture_output=True, text=True, check=True, env=env, cwd=ROOT,
            )  # fmt: skip
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    out: dict[str, dict[str, Any]] = {}
    for key, unit, target in (
        ("block_ms", "ms", "<= 50"),
        ("first_pixels_s", "s", "<= 2"),
        ("first_view_s", "s", "<= 2"),
        ("rss_mb", "MB", "<= 1536"),
    ):
        values = [r[key] for r in results]
        out[f"open_{label}_{key}"] = {
            "median": statistics.median(values), "min": min(values), "max": max(values),
            "unit": unit, "target": target,
        }  # fmt: skip
    return out


def bench_huge_jpeg_40k_window() -> dict[str, dict[str, Any]]:
    return _runs(_big_jpeg(), "jpeg_40k")


def bench_huge_png_20k_window() -> dict[str, dict[str, Any]]:
    return _runs(_big_png(), "png_20k")


def bench_huge_png_20k_pillow_window() -> dict[str, dict[str, Any]]:
    return _runs(_big_png(), "png_20k_pillow", reader="pillow")


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "both"
    if which in ("jpeg", "both"):
        print(bench_huge_jpeg_40k_window())
    if which in ("png", "both"):
        print(bench_huge_png_20k_window())
    if which in ("png-pillow", "png", "both"):
        print(bench_huge_png_20k_pillow_window())
