"""Opening a 100,000-image / 1,000,000-annotation project to an interactive window.

Timed in a fresh process (from interpreter start, imports included, to the first image
painted) whose peak memory is read from /proc, so nothing of the generator's work counts.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import os, sys, time
started = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QApplication
from limner.app.main_window import MainWindow
from limner.models.store.store import ProjectStore
app = QApplication([])
store = ProjectStore.open(sys.argv[1])
win = MainWindow(store)
win.resize(1400, 860)
win.show()
win.editor.open_first()
win.canvas.viewport().repaint()
app.processEvents()
elapsed = time.perf_counter() - started
peak = 0
with open("/proc/self/status") as fh:
    for line in fh:
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
print(elapsed, peak, win.images.model.rowCount())
"""


def bench_open_project_100k() -> dict[str, dict[str, Any]]:
    from tests.perf.synth_project import make_big_project

    with tempfile.TemporaryDirectory() as tmp:
        path = make_big_project(Path(tmp), images=100_000, annotations=1_000_000)
        times, peaks = [], []
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
        for _ in range(3):
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(path)],
                capture_output=True,
                text=True,
                check=True,
                env=env,
                cwd=ROOT,
            )
            elapsed, peak, rows = out.stdout.split()
            assert int(rows) == 100_000
            times.append(float(elapsed))
            peaks.append(float(peak))
    return {
        "open_project_100k_s": {
            "median": statistics.median(times),
            "unit": "s",
            "target": "<= 1.0",
        },
        "open_project_100k_rss_mb": {
            "median": statistics.median(peaks),
            "unit": "MB",
            "target": "<= 500",
        },
    }


if __name__ == "__main__":
    print(bench_open_project_100k())
