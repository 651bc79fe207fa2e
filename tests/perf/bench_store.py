"""Benchmarks of the project store: what every edit and every open costs."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from models.commands import AddAnnotations
from models.entities import NewAnnotation
from models.geometry import Box
from models.history import History
from models.imageio import ImageProbe
from models.store import ProjectStore
from models.tx import insert_images, new_uuid


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
