"""Export and import of a 10,000-image / 100,000-annotation project in COCO and YOLO.

The project is made in bulk (half boxes, half eight-vertex polygons, five classes, ten
shapes per image, 50 real 640x480 JPEG files behind the 10,000 images). Each figure is
timed in a fresh process, from interpreter start to the last file written or the last
batch committed, and that process's peak memory (VmHWM) is read from /proc, so the
generator's work never counts. An import goes into a copy of the same project without
its annotations, the way labels made elsewhere come back to the images they were made on.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from limner.models.store.store import ProjectStore
from limner.models.store.tx import now_iso

ROOT = Path(__file__).resolve().parents[2]
IMAGES = 10_000
PER_IMAGE = 10
FILES = 50
RUNS = 3
CLASSES = (
    ("car", "box"),
    ("bus", "box"),
    ("sign", "box"),
    ("road", "polygon"),
    ("lane", "polygon"),
)

CHILD = r"""
import sys, time
started = time.perf_counter()
from pathlib import Path
from limner.models.formats import registry
from limner.models.store.store import ProjectStore
mode, name, project, path = sys.argv[1:5]
store = ProjectStore.open(project)
fmt = registry.get(name)
if mode == "export":
    from limner.models.workflow.label_export import export_labels
    result = export_labels(store, fmt, Path(path))
else:
    from limner.models.workflow.label_import import import_labels
    result = import_labels(store, fmt.read(Path(path)), fmt.name)
store.close()
elapsed = time.perf_counter() - started
peak = 0
with open("/proc/self/status") as fh:
    for line in fh:
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
print(elapsed, peak, result.shapes, len(result.losses))
"""


def _shape(rng: np.random.Generator, j: int) -> tuple[str, tuple[float, float, float, float]]:
    x, y = float(rng.uniform(0, 560)), float(rng.uniform(0, 400))
    w, h = float(rng.uniform(8, 80)), float(rng.uniform(8, 80))
    if j % 2 == 0:
        box = {"kind": "box", "x0": x, "y0": y, "x1": x + w, "y1": y + h}
        return json.dumps(box), (x, y, x + w, y + h)
    angles = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    ring = [[x + w / 2 * (1 + np.cos(a)), y + h / 2 * (1 + np.sin(a))] for a in angles]
    ring = [[round(float(px), 3), round(float(py), 3)] for px, py in ring]
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    geometry = {"kind": "polygon", "parts": [{"outer": ring, "holes": []}]}
    return json.dumps(geometry), (min(xs), min(ys), max(xs), max(ys))


def make_projects(folder: Path) -> tuple[Path, Path]:
    """The labeled project and a copy of it without annotations (same images, classes)."""
    pics = folder / "pics"
    pics.mkdir(parents=True)
    rng = np.random.default_rng(5)
    for i in range(FILES):
        arr = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
        Image.fromarray(arr).resize((640, 480)).save(pics / f"f{i:02d}.jpg", quality=80)
    store = ProjectStore.create(folder / "labeled")
    stamp = now_iso()
    with store.engine.begin() as conn:
        raw = conn.connection.driver_connection
        raw.executemany(
            "INSERT INTO label_class(uuid, name, color, kind, sort_order) VALUES (?, ?, ?, ?, ?)",
            [
                (f"00000000-0000-4000-8000-0000000000{k:02d}", name, "#3cb44b", kind, k)
                for k, (name, kind) in enumerate(CLASSES)
            ],
        )
        raw.executemany(
            "INSERT INTO image(id, uuid, name, path, content_hash, width, height, format,"
            " size_bytes, status, position, added_at, annotation_count)"
            " VALUES (?, ?, ?, ?, ?, 640, 480, 'JPEG', 1000, 'new', ?, ?, 0)",
            [_image_row(i, pics, stamp) for i in range(IMAGES)],
        )
    store.close()
    empty = folder / "empty"
    empty.mkdir()
    shutil.copy(folder / "labeled" / "project.limner", empty / "project.limner")
    _add_annotations(folder / "labeled", rng, stamp)
    return folder / "labeled", empty


def _image_row(i: int, pics: Path, stamp: str) -> tuple[object, ...]:
    path = str(pics / f"f{i % FILES:02d}.jpg")
    return (i + 1, f"00000000-0000-4000-9000-{i:012d}", f"img{i:06d}.jpg", path,
            f"{i:064x}", i, stamp)  # fmt: skip


def _add_annotations(project: Path, rng: np.random.Generator, stamp: str) -> None:
    store = ProjectStore.open(project)
    rows = []
    for j in range(IMAGES * PER_IMAGE):
        geometry, (x0, y0, x1, y1) = _shape(rng, j)
        kind = "box" if j % 2 == 0 else "polygon"
        class_id = 1 + (j % 6 // 2 if kind == "box" else 3 + j % 4 // 2)
        rows.append((f"00000000-0000-4000-a000-{j:012d}", j // PER_IMAGE + 1, class_id, kind,
                     geometry, x0, y0, x1, y1, stamp, stamp))  # fmt: skip
    with store.engine.begin() as conn:
        raw = conn.connection.driver_connection
        raw.executemany(
            "INSERT INTO annotation(uuid, image_id, class_id, kind, geometry, x0, y0, x1, y1,"
            " author, source, created_at, updated_at) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, 'synth', 'manual', ?, ?)",
            rows,
        )
        raw.execute(f"UPDATE image SET annotation_count = {PER_IMAGE}")
    store.close()


def _child(*args: str) -> tuple[float, float, int, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    )
    elapsed, peak, shapes, losses = out.stdout.split()
    return float(elapsed), float(peak), int(shapes), int(losses)


def _figures(key: str, runs: list[tuple[float, float, int, int]]) -> dict[str, dict[str, Any]]:
    times = [r[0] for r in runs]
    peaks = [r[1] for r in runs]
    shapes, losses = runs[0][2], runs[0][3]
    print(f"  {key}: {shapes} shapes, {losses} losses", file=sys.stderr)
    return {
        f"{key}_s": {
            "median": statistics.median(times),
            "min": min(times),
            "max": max(times),
            "unit": "s",
            "target": "< 30",
        },
        f"{key}_rss_mb": {"median": statistics.median(peaks), "unit": "MB"},
    }


def bench_formats_10k() -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        labeled, empty = make_projects(folder)
        for name, target in (("coco", "instances.json"), ("yolo", "yolo")):
            out = folder / "out" / name / target
            exports = [_child("export", name, str(labeled), str(out)) for _ in range(RUNS)]
            assert exports[0][2] == IMAGES * PER_IMAGE
            results.update(_figures(f"export_{name}_10k_100k", exports))
            imports = []
            for run in range(RUNS):
                fresh = folder / f"into_{name}_{run}"
                shutil.copytree(empty, fresh)
                imports.append(_child("import", name, str(fresh), str(out)))
                shutil.rmtree(fresh)
            assert imports[0][2] == IMAGES * PER_IMAGE
            results.update(_figures(f"import_{name}_10k_100k", imports))
    return results


if __name__ == "__main__":
    print(bench_formats_10k())
