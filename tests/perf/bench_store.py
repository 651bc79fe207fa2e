"""Benchmarks of the project store: what every edit and every open costs.

The store commits with ``synchronous=FULL`` so that an acknowledged edit survives a power
cut; :func:`bench_commit_durability` measures what that costs against ``NORMAL`` for the
two commits a user makes most often, a drawn box and a brush stroke. The projects are
made in the system's temporary folder; on a RAM disk (tmpfs) a flush costs nothing and
both figures agree, so run it where projects really live (``TMPDIR=...``) to see the cost.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box, Mask
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.history import History
from limner.models.editing.mask_commands import MaskStroke
from limner.models.imaging.imageio import ImageProbe
from limner.models.store import store as store_module
from limner.models.store.store import ProjectStore
from limner.models.store.tx import insert_images, new_uuid

MASK_SIDE = 4096


def _project(folder: Path, images: int, side: tuple[int, int] = (640, 480)) -> ProjectStore:
    store = ProjectStore.create(folder / "p")
    probes = [
        ImageProbe(
            path=folder / f"i{i}.png",
            name=f"i{i}.png",
            width=side[0],
            height=side[1],
            format="PNG",
            content_hash=f"{i:064x}",
            size_bytes=1,
            orientation=1,
            error=None,
        )
        for i in range(images)
    ]
    with store.transaction() as (conn, changes):
        insert_images(conn, changes, probes)
    return store


def bench_edit_commit() -> dict[str, dict[str, Any]]:
    """One box drawn = one command = one committed transaction (what autosave costs)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = _project(Path(tmp), 10)
        history = History(store)
        times = []
        for i in range(300):
            item = NewAnnotation(new_uuid(), 1 + i % 10, None, Box(i % 50, 1, 60 + i % 50, 70))
            started = time.perf_counter()
            history.execute(AddAnnotations((item,)))
            times.append((time.perf_counter() - started) * 1000)
        undo_times = []
        for _ in range(100):
            started = time.perf_counter()
            history.undo()
            undo_times.append((time.perf_counter() - started) * 1000)
        store.close()
    return {
        "edit_commit_ms": {"median": statistics.median(times), "unit": "ms"},
        "undo_commit_ms": {"median": statistics.median(undo_times), "unit": "ms"},
    }


@contextmanager
def _synchronous(level: str) -> Iterator[None]:
    """New connections of stores opened inside use ``level`` (the pragma is per connection)."""
    saved = store_module.SYNCHRONOUS
    store_module.SYNCHRONOUS = level
    try:
        yield
    finally:
        store_module.SYNCHRONOUS = saved


def _box_commits(history: History, count: int) -> list[float]:
    times = []
    for i in range(count):
        item = NewAnnotation(new_uuid(), 1, None, Box(i % 50, 1, 60 + i % 50, 70))
        started = time.perf_counter()
        history.execute(AddAnnotations((item,)))
        times.append((time.perf_counter() - started) * 1000)
    return times


def _stroke_commits(history: History, count: int) -> list[float]:
    """Strokes of 240x48 pixels (a 24-pixel brush dragged 200 pixels) over one mask
    that grows to about 1,100 pixels square on a 4096x4096 image."""
    uuid = new_uuid()
    seed = np.ones((64, 64), dtype=bool)
    mask = Mask.from_crop(seed, 100, 100, MASK_SIDE, MASK_SIDE)
    history.execute(AddAnnotations((NewAnnotation(uuid, 1, None, mask),)))
    times = []
    for i in range(count):
        x, y = 100 + (i * 37) % 800, 100 + (i * 53) % 800
        before = np.zeros((48, 240), dtype=bool)
        after = np.ones((48, 240), dtype=bool)
        stroke = MaskStroke.from_crops(
            uuid, 1, (x, y, 240, 48), before, after, (MASK_SIDE, MASK_SIDE)
        )
        started = time.perf_counter()
        history.execute(stroke)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _one_round(run: Callable[[History, int], list[float]], level: str, count: int) -> list[float]:
    with _synchronous(level), tempfile.TemporaryDirectory() as tmp:
        store = _project(Path(tmp), 1, (MASK_SIDE, MASK_SIDE))
        try:
            return run(History(store), count)
        finally:
            store.close()


def bench_commit_durability() -> dict[str, dict[str, Any]]:
    """One box and one brush stroke committed with FULL (what limner does) and NORMAL.

    The two levels alternate round by round, each round in a fresh project, so a disk
    that gets busier or quieter during the run weighs on both alike; min and max are
    those of the round medians.
    """
    results: dict[str, dict[str, Any]] = {}
    for kind, run in (("edit", _box_commits), ("stroke", _stroke_commits)):
        samples: dict[str, list[float]] = {"FULL": [], "NORMAL": []}
        medians: dict[str, list[float]] = {"FULL": [], "NORMAL": []}
        for _ in range(4):
            for level in samples:
                times = _one_round(run, level, 120)
                samples[level].extend(times)
                medians[level].append(statistics.median(times))
        for level in samples:
            results[f"{kind}_commit_{level.lower()}_ms"] = {
                "median": statistics.median(samples[level]),
                "min": min(medians[level]),
                "max": max(medians[level]),
                "unit": "ms",
            }
        extra = statistics.median(samples["FULL"]) - statistics.median(samples["NORMAL"])
        results[f"{kind}_commit_full_extra_ms"] = {"median": extra, "unit": "ms"}
    return results


if __name__ == "__main__":
    print(bench_edit_commit())
    for name, figure in bench_commit_durability().items():
        print(f"{name:<28} {figure['median']:.3f} {figure['unit']}")


def bench_hover_hit_test_12k() -> dict[str, dict[str, Any]]:
    """What the select tool does on every mouse move over 12,000 shapes."""
    import numpy as np

    from limner.models.domain.hit import topmost_at
    from limner.models.domain.spatial import BoxIndex
    from tests.perf.bench_canvas import dense_annotations

    shapes = dense_annotations(1, 4096, 10_000, 2_000)
    index = BoxIndex(shapes)
    rng = np.random.default_rng(2)
    times = []
    for x, y in rng.uniform(0, 4096, (300, 2)):
        started = time.perf_counter()
        topmost_at(index.at(x, y, 3.0), x, y, 3.0)
        times.append((time.perf_counter() - started) * 1000)
    return {"hover_hit_test_12k_ms": {"median": statistics.median(times), "unit": "ms"}}
