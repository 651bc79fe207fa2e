"""SIGKILL a process while it migrates an old project: the project still opens, whole.

The old project is ``tests/fixtures/baseline_0001.limner`` (schema 0001), copied and grown
with plain SQL of that schema to a few thousand images and annotations, so that the
migration takes long enough for a kill to land inside it. A forked child opens it with
``ProjectStore.open``, which migrates; the test kills it after a random pause drawn over
the time one migration takes. Afterwards SQLite must find the file sound, and opening it
again must migrate it to the newest schema with every image, class and annotation as it
was in the old file.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from pathlib import Path

import pytest

from limner.models.store.store import ProjectStore, _head_revision, current_revision
from tests.fakes.sigkill import Book, Trial
from tests.reliability import tally
from tests.reliability.conftest import repeat_hint, seeded, trial_count
from tests.reliability.harness import ForkServer, Kill, has_traceback, integrity_problems, tail
from tests.reliability.old_project import content, differences, disk_revision, make_old_project

CHECKS = (
    "killed by SIGKILL",
    "integrity",
    "opens and migrates fully",
    "nothing lost",
    "integrity after migration",
    "no traceback",
)


def _migrate(server: ForkServer, folder: Path, work: Path, pause: float | None) -> tuple:
    """Run one migrating child; kill it ``pause`` s after it said OPENING (None: let it end)."""
    stderr = work / f"{folder.name}.stderr"
    job = server.start(
        [
            {
                "kind": "migrate",
                "project": str(folder),
                "stdout": str(work / f"{folder.name}.stdout"),
                "stderr": str(stderr),
            }
        ]
    )
    job.wait_for("OPENING")
    started = time.monotonic()
    if pause is None:
        job.wait_for("MIGRATED")
    else:
        time.sleep(pause)
    took = time.monotonic() - started
    job.finish()
    return job, took, stderr


def _reopen_problems(folder: Path) -> list[str]:
    """Open the project again (which finishes any migration); it must reach the head."""
    try:
        with ProjectStore.open(folder) as store:
            revision = current_revision(store.engine)
    except Exception as exc:  # recorded as this trial's failure, with what went wrong
        return [f"{type(exc).__name__}: {exc}"]
    return [] if revision == _head_revision() else [f"left at {revision}"]


def _trial(number: int, env: dict, pause: float) -> Trial:
    folder = env["work"] / f"trial{number}"
    folder.mkdir()
    db_file = folder / "project.limner"
    shutil.copy(env["old"], db_file)
    trial = Trial(number, Kill(f"{pause * 1000:.1f} ms into the migration"))
    job, _, stderr = _migrate(env["server"], folder, env["work"], pause)
    trial.check("killed by SIGKILL", [] if job.exits.get(0) == "killed 9" else [str(job.exits)])
    row = tally.row("migration")
    row.trials += 1
    problems = integrity_problems(db_file)
    trial.check("integrity", problems)
    env["left_at"][disk_revision(db_file) if not problems else "damaged"] += 1
    trial.check("opens and migrates fully", _reopen_problems(folder))
    lost, rows_off = differences(env["before"], content(db_file))
    trial.check("nothing lost", lost)
    row.lose(rows_off)
    after = integrity_problems(db_file)
    trial.check("integrity after migration", after)
    row.integrity += bool(problems or after)
    broken = has_traceback(tail(stderr, 100_000))
    trial.check("no traceback", [tail(stderr)] if broken else [])
    row.tracebacks += broken
    return trial


@pytest.fixture(scope="module")
def migration_book(forkserver: ForkServer, tmp_path_factory: pytest.TempPathFactory) -> Book:
    seed, rng = seeded("migration")
    book = Book("migration", seed, trial_count("LIMNER_MIGRATION_TRIALS"), repeat=repeat_hint())
    work = tmp_path_factory.mktemp("migration-trials")
    old = make_old_project(work / "old.limner")
    probe = work / "calibration"
    probe.mkdir()
    shutil.copy(old, probe / "project.limner")
    _, took, _ = _migrate(forkserver, probe, work, None)  # how long one migration takes here
    env = {
        "server": forkserver,
        "work": work,
        "old": old,
        "before": content(old),
        "left_at": Counter(),
    }
    for number in range(book.wanted):
        book.trials.append(_trial(number, env, rng.uniform(0.0, took * 1.3)))
    shown = ", ".join(f"{rev} {n}" for rev, n in sorted(env["left_at"].items()))
    tally.row("migration").notes.append(
        f"one migration took {took * 1000:.0f} ms; schema found after the kill: {shown}"
    )
    return book


@pytest.mark.parametrize("check", CHECKS)
def test_migration_crash(migration_book: Book, check: str) -> None:
    migration_book.assert_check(check)
