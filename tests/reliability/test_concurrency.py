"""Two writers on one project at once: both succeed and nothing either wrote is lost.

First the window's case: this process holds the project open the way the window does (one
``ProjectStore``, a ``History``, a listener told of every commit) and edits without pause,
while ``limner status`` and ``limner queue`` processes change the same project beside it.
Then two processes open the same old-schema project at the same instant, so both try to
migrate it: both must open it, and it must end migrated once, whole.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import threading
import uuid as uuidlib
from pathlib import Path

import pytest
from sqlalchemy import Connection

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.history import History
from limner.models.store import queries
from limner.models.store.store import ProjectStore, _head_revision, current_revision
from limner.models.workflow.project import create_project
from tests.conftest import write_image
from tests.reliability import tally
from tests.reliability.conftest import seeded, trial_count
from tests.reliability.harness import ForkServer, has_traceback, integrity_problems, tail
from tests.reliability.old_project import content, differences, make_old_project
from tests.reliability.runcli import Ran, limner

STATUSES = ("submitted", "skipped", "new")
"""What the CLI sets. Not in progress: the window's edits start new images themselves, so a
CLI run setting it could find it set already and change nothing."""


def _cli_stream(runs: list[Ran], argvs: list[list[str]]) -> None:
    for argv in argvs:
        runs.append(limner(*argv, count=False))


def _window_edits(
    store: ProjectStore, busy: list[threading.Thread], rng: random.Random
) -> dict[str, Box]:
    """Add boxes as the window would, until every CLI process is done; what was added."""
    history = History(store)
    with store.read() as conn:
        images = [r.id for r in queries.image_page(conn, 0, 100)]
    added: dict[str, Box] = {}
    while any(t.is_alive() for t in busy) or not added:
        box = Box(rng.uniform(0, 40), rng.uniform(0, 30), 50.0, 40.0)
        item = NewAnnotation(
            uuid=str(uuidlib.UUID(int=rng.getrandbits(128))),
            image_id=rng.choice(images),
            class_id=None,
            geometry=box,
        )
        history.execute(AddAnnotations((item,)))
        added[item.uuid] = box
    return added


def test_window_store_and_cli_edit_one_project_at_once(tmp_path: Path) -> None:
    _, rng = seeded("concurrency")
    rounds = max(2, trial_count() // 5)
    images = [write_image(tmp_path / "src" / f"img{i}.png", 40 + i, 40, seed=i) for i in range(6)]
    store, _ = create_project(tmp_path / "proj", images=images, classes=["cat"])
    folder = str(store.folder)
    heard: list[object] = []
    store.subscribe(heard.append)  # the window redraws from these
    final = {f"img{i}.png": "new" for i in range(6)}
    statuses = []
    for n in range(rounds):  # every run a real change: never the status the image has
        image = f"img{n % 6}.png"
        final[image] = rng.choice([s for s in STATUSES if s != final[image]])
        statuses.append(["status", folder, image, "--set", final[image]])
    queues = [["queue", folder, "add", f"q{n}", "--role", "annotate"] for n in range(rounds)]
    runs: list[Ran] = []
    streams = [threading.Thread(target=_cli_stream, args=(runs, a)) for a in (statuses, queues)]
    for stream in streams:
        stream.start()
    try:
        added = _window_edits(store, streams, rng)
    finally:
        for stream in streams:
            stream.join()
    with store.read() as conn:
        on_disk = {
            a.uuid: a.geometry
            for i in images
            for a in queries.annotations_for_image(conn, _image_id(conn, i.name))
        }
    store.close()
    row = tally.row("window + CLI")
    row.trials += len(runs)
    row.ack(len(added) + len(runs))
    lost = [u for u, box in added.items() if on_disk.get(u) != box]
    row.lose(len(lost))
    row.tracebacks += sum(has_traceback(r.output) for r in runs)
    problems = integrity_problems(Path(folder) / "project.limner")
    row.integrity += bool(problems)
    failed = [str(r) for r in runs if r.returncode != 0 or has_traceback(r.output)]
    assert not failed, "a CLI edit failed beside the open project:\n" + "\n".join(failed[:3])
    assert not lost, f"{len(lost)} of {len(added)} edits made in the window are gone"
    assert len(heard) >= len(added), "the window was not told of every commit"
    assert problems == []
    _assert_cli_edits_kept(Path(folder), final, rounds)


def _image_id(conn: Connection, name: str) -> int:
    record = queries.image_by_name(conn, name)
    assert record is not None
    return record.id


def _assert_cli_edits_kept(folder: Path, final: dict[str, str], rounds: int) -> None:
    con = sqlite3.connect(folder / "project.limner")
    try:
        status = dict(con.execute("SELECT name, status FROM image").fetchall())
        changes = con.execute(
            "SELECT COUNT(*) FROM status_change WHERE kind != 'start'"
        ).fetchone()[0]
        last_kind = dict(
            con.execute(
                "SELECT i.name, s.kind FROM status_change s JOIN image i ON i.id = s.image_id"
                " ORDER BY s.id"
            ).fetchall()
        )
        names = {r[0] for r in con.execute("SELECT name FROM queue")}
    finally:
        con.close()
    # A window edit on an image the CLI left new starts it; no other status is ever touched.
    started = {k for k in final if final[k] == "new" and last_kind.get(k) == "start"}
    assert {k: status[k] for k in final} == {
        k: "in_progress" if k in started else v for k, v in final.items()
    }
    assert changes == rounds, f"{changes} status changes recorded, {rounds} made"
    assert names == {f"q{n}" for n in range(rounds)}


# -- two openers migrate one old project ---------------------------------------------------
def _race(server: ForkServer, work: Path, number: int, old: Path) -> list[str]:
    """Release two ``limner info`` children on one old project at the same instant."""
    folder = work / f"race{number}"
    folder.mkdir()
    shutil.copy(old, folder / "project.limner")
    gate = work / f"race{number}.gate"
    os.mkfifo(gate)
    hold = os.open(gate, os.O_RDWR)  # keeps the children's open() from blocking
    logs = [work / f"race{number}-{i}" for i in range(2)]
    tasks = [
        {
            "kind": "cli",
            "argv": ["info", str(folder), "--json"],
            "gate": str(gate),
            "stdout": f"{log}.stdout",
            "stderr": f"{log}.stderr",
        }
        for log in logs
    ]
    try:
        job = server.start(tasks)
        for index in range(2):
            job.wait_for("WAITING", index)
        os.write(hold, b"GO")  # one byte each: both start now
        for index in range(2):
            job.wait_for("DONE", index)
        job.finish()
    finally:
        os.close(hold)
    problems = []
    for index, log in enumerate(logs):
        out, err = tail(Path(f"{log}.stdout"), 100_000), tail(Path(f"{log}.stderr"), 100_000)
        if job.said("DONE", index) != ["0"] or has_traceback(out, err):
            problems.append(f"opener {index} ended {job.said('DONE', index)}: {err[-600:]}")
        elif json.loads(out)["images"] != len(content(old)["image"]):
            problems.append(f"opener {index} saw {json.loads(out)['images']} images")
    return problems


@pytest.fixture(scope="module")
def race_results(
    forkserver: ForkServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[str]]:
    work = tmp_path_factory.mktemp("races")
    old = make_old_project(work / "old.limner")
    before = content(old)
    results: dict[str, list[str]] = {"openers": [], "integrity": [], "migrated, whole": []}
    row = tally.row("migration race")
    for number in range(max(3, trial_count() // 10)):
        openers = _race(forkserver, work, number, old)
        db_file = work / f"race{number}" / "project.limner"
        broken = integrity_problems(db_file)
        lost, rows_off = differences(before, content(db_file))
        with ProjectStore.open(db_file.parent) as store:
            at_head = current_revision(store.engine) == _head_revision()
        results["openers"] += [f"race {number}: {p}" for p in openers]
        results["integrity"] += [f"race {number}: {p}" for p in broken]
        results["migrated, whole"] += [f"race {number}: {p}" for p in lost]
        results["migrated, whole"] += [] if at_head else [f"race {number}: not at the head"]
        row.trials += 1
        row.lose(rows_off)
        row.integrity += bool(broken)
        row.tracebacks += sum("Traceback" in p for p in openers)
    return results


@pytest.mark.parametrize("check", ["openers", "integrity", "migrated, whole"])
def test_two_openers_race_to_migrate(race_results: dict[str, list[str]], check: str) -> None:
    found = race_results[check]
    assert not found, f"{len(found)} problems:\n" + "\n".join(found[:5])
