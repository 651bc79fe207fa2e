"""SIGKILL an editing process at random moments: no acknowledged edit is ever lost.

A forked child edits a copy of a real project through ``History`` and the real commands
(boxes, masks, moves, class changes, brush strokes, deletes, undo, redo), announcing each
command and acknowledging it once it returned. The test kills it a random number of
commands in, after a random sub-millisecond to few-millisecond pause: every other trial
counts acknowledgements, so its kill lands anywhere (between commands, inside one, after a
commit), and the others count announcements, so their kill is aimed inside a command while
it commits. Afterwards SQLite must find the file sound, every
acknowledged state must be on disk, and only the command in flight may be there or not.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from pathlib import Path

import pytest

from limner.models.store import queries
from limner.models.store.store import ProjectStore
from tests.fakes.sigkill import Book, Trial
from tests.reliability import tally
from tests.reliability.conftest import copy_project, repeat_hint, seeded, trial_count
from tests.reliability.harness import ForkServer, Job, Kill, has_traceback, integrity_problems, tail
from tests.reliability.states import row_state

MAX_EDITS = 400  # per child; a kill always comes before the child runs out
IN_FLIGHT: list[int] = []  # trials killed between a command's announcement and its ack
AIMED: list[int] = []  # trials whose kill counted announcements, to land inside a command
CHECKS = (
    "killed by SIGKILL",
    "integrity",
    "acknowledged edits present",
    "nothing unannounced",
    "reopens",
    "no traceback",
)


def _states(text: str) -> dict[str, str]:
    return json.loads(text.split(" ", 1)[1])


def _announced(job: Job) -> tuple[int, dict[str, str], dict[str, str]]:
    """Acknowledged count, the states acknowledged last, and those of the command in flight."""
    acknowledged, pending, count = {}, {}, 0
    for line in job.lines:
        if line.tag == "DO":
            pending = _states(line.text)
        elif line.tag == "ACK":
            acknowledged.update(_states(line.text))
            pending, count = {}, count + 1
    return count, acknowledged, pending


def _on_disk(db_file: Path) -> dict[str, str]:
    con = sqlite3.connect(db_file)
    try:
        rows = con.execute("SELECT uuid, deleted, class_id, geometry FROM annotation").fetchall()
    finally:
        con.close()
    return {u: row_state(d, c, g) for u, d, c, g in rows}


def _compare(
    trial: Trial, acked: dict[str, str], pending: dict[str, str], disk: dict[str, str]
) -> int:
    lost = [
        f"{u[:8]} is {disk.get(u, 'missing')}, acknowledged {want}"
        for u, want in acked.items()
        if disk.get(u) != want and not (u in pending and disk.get(u) == pending[u])
    ]
    extra = [
        f"{u[:8]} is {state}, never acknowledged"
        for u, state in disk.items()
        if u not in acked and not (u in pending and state == pending[u])
    ]
    trial.check("acknowledged edits present", lost)
    trial.check("nothing unannounced", extra)
    return len(lost)


def _reopen_problems(folder: Path) -> list[str]:
    """Open the project as the window would and read every shape back (each must parse)."""
    try:
        with ProjectStore.open(folder) as store, store.read() as conn:
            for image in queries.image_page(conn, 0, 100):
                queries.annotations_for_image(conn, image.id)
    except Exception as exc:  # recorded as this trial's failure, with what went wrong
        return [f"{type(exc).__name__}: {exc}"]
    return []


def _trial(
    number: int, server: ForkServer, template: Path, work: Path, rng: random.Random
) -> Trial:
    folder = copy_project(template, work / f"trial{number}")
    aimed = number % 2 == 1
    target = rng.randint(0, 250)
    pause = rng.uniform(0.0, 0.001 if aimed else 0.004)
    tag = "DO" if aimed else "ACK"
    moment = "announcement" if aimed else "acknowledgement"
    trial = Trial(number, Kill(f"{pause * 1000:.1f} ms after {moment} {target}"))
    if aimed:
        AIMED.append(number)
    stderr = work / f"trial{number}.stderr"
    task = {
        "kind": "edits",
        "project": str(folder),
        "seed": rng.randrange(2**32),
        "edits": MAX_EDITS,
        "stdout": str(work / f"trial{number}.stdout"),
        "stderr": str(stderr),
    }
    job = server.start([task])
    job.wait_for("READY")
    seen = 0
    while seen < target and (line := job.next()) is not None and line.tag != "DONE":
        seen += line.tag == tag
    time.sleep(pause)
    job.finish()
    trial.check(
        "killed by SIGKILL", [] if job.exits.get(0) == "killed 9" else [f"ended {job.exits.get(0)}"]
    )
    count, acked, pending = _announced(job)
    row = tally.row("edits")
    row.trials += 1
    row.ack(count)
    problems = integrity_problems(folder / "project.limner")
    trial.check("integrity", problems)
    row.integrity += bool(problems)
    row.lose(_compare(trial, acked, pending, _on_disk(folder / "project.limner")))
    trial.check("reopens", _reopen_problems(folder))
    broken = has_traceback(tail(stderr, 100_000))
    trial.check("no traceback", [tail(stderr)] if broken else [])
    row.tracebacks += broken
    if pending:
        IN_FLIGHT.append(number)
    return trial


@pytest.fixture(scope="module")
def edit_book(
    forkserver: ForkServer, edit_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Book:
    seed, rng = seeded("edits")
    book = Book("edit", seed, trial_count(), repeat=repeat_hint())
    work = tmp_path_factory.mktemp("edit-trials")
    for number in range(book.wanted):
        book.trials.append(_trial(number, forkserver, edit_template, work, rng))
    aimed = sum(n in IN_FLIGHT for n in AIMED)
    note = (
        f"{len(IN_FLIGHT)} of {book.wanted} kills came with a command in flight "
        f"({aimed} of the {len(AIMED)} aimed inside one)"
    )
    tally.row("edits").notes.append(note)
    return book


@pytest.mark.parametrize("check", CHECKS)
def test_edit_crash(edit_book: Book, check: str) -> None:
    edit_book.assert_check(check)


def test_kills_land_while_a_command_runs(edit_book: Book) -> None:
    """The trials test something: most kills aimed inside a command find one announced and
    not yet acknowledged (a kill that counted announcements can still come after the commit
    returned, when the child outran the pause)."""
    aimed_in_flight = [n for n in AIMED if n in IN_FLIGHT]
    assert len(aimed_in_flight) * 2 >= len(AIMED), (
        f"{edit_book!r}: of the aimed trials {AIMED}, only {aimed_in_flight} were killed "
        "with a command in flight"
    )
