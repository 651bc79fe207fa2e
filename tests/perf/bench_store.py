"""Benchmarks of the project store: what every edit and every open costs."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.history import History
from limner.models.imaging.imageio import ImageProbe
from limner.models.store.store import ProjectStore
from limner.models.store.tx import insert_images, new_uuid


def _project(folder: Path, images: int) -> ProjectStore:
    store = ProjectStore.create(folder / "p")
    probes = [
        ImageProbe(
            path=folder / f"i{i}.png",
            name=f"i{i}.png",
            width=640,
            height=480,
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


if __name__ == "__main__":
    print(bench_edit_commit())


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
