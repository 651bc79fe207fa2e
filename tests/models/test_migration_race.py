"""Two processes opening one old-schema project at the same moment both get it, migrated.

The upgrade takes the write lock before it reads the schema version, so the second
opener waits for the first one's migration and then finds the project already at the
head revision instead of failing with "database is locked" or migrating twice.
"""

from __future__ import annotations

import multiprocessing
import queue
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from limner.models.store import queries
from limner.models.store.store import ProjectStore, current_revision

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "baseline_0001.limner"
OPENERS = 3
TRIALS = 3


def _open_and_report(folder: str, barrier: Any, results: Any) -> None:
    """Runs in a child process: wait for the others, open, report what was seen."""
    barrier.wait()
    try:
        with ProjectStore.open(folder) as store, store.read() as conn:
            counts = [(r.name, r.annotation_count) for r in queries.image_page(conn, 0, 10)]
            results.put(("ok", current_revision(store.engine), counts))
    except BaseException as exc:  # reported to the parent, which fails the test with it
        results.put(("error", f"{type(exc).__name__}: {exc}", []))


def _race(folder: Path) -> list[tuple[str, str, list[tuple[str, int]]]]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(OPENERS)
    results = context.Queue()
    children = [
        context.Process(target=_open_and_report, args=(str(folder), barrier, results))
        for _ in range(OPENERS)
    ]
    for child in children:
        child.start()
    seen: list[tuple[str, str, list[tuple[str, int]]]] = []
    while len(seen) < len(children):
        try:
            seen.append(results.get(timeout=0.5))  # a polling step, not a limit
        except queue.Empty:
            if any(child.exitcode not in (None, 0) for child in children):
                barrier.abort()  # a child died before the start: free the others
            if all(child.exitcode is not None for child in children) and results.empty():
                break
    for child in children:
        child.join()
        assert child.exitcode == 0
    assert len(seen) == len(children)
    return seen


def test_openers_racing_on_an_old_project_all_see_the_migrated_schema(tmp_path: Path) -> None:
    from limner.models.store.store import _head_revision

    for trial in range(TRIALS):
        folder = tmp_path / f"old{trial}"
        folder.mkdir()
        shutil.copy(FIXTURE, folder / "project.limner")
        seen = _race(folder)
        errors = [detail for state, detail, _ in seen if state != "ok"]
        assert errors == [], f"trial {trial}: {errors}"
        assert {detail for _, detail, _ in seen} == {_head_revision()}
        # the 0002 backfill ran once: live annotations only
        assert all(counts == [("a.png", 2), ("b.png", 1)] for _, _, counts in seen)
        con = sqlite3.connect(folder / "project.limner")
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert con.execute("SELECT COUNT(*) FROM alembic_version").fetchone() == (1,)
        finally:
            con.close()
