"""SIGKILL a folder import: each image is in the project whole or not at all, and a second
import completes it without duplicates.

Two ways in. The import API, in a forked child, with small batches so that a kill lands
between commits as well as inside one; a store listener acknowledges each committed batch,
and every acknowledged image must be there afterwards. And ``limner new X --images FOLDER``
(the command line's ``main``, forked), whose stderr is a pseudo-terminal so that its
progress display says how far it got; it is killed at a drawn image count.
"""

from __future__ import annotations

import hashlib
import random
import re
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from limner.models.store.store import ProjectStore
from limner.models.workflow.project import import_images
from tests.conftest import write_image
from tests.fakes.sigkill import Book, Trial
from tests.reliability import tally
from tests.reliability.conftest import copy_project, repeat_hint, seeded, trial_count
from tests.reliability.harness import (
    ForkServer,
    Kill,
    Terminal,
    has_traceback,
    integrity_problems,
    tail,
)

API_IMAGES, API_BATCH = 120, 16
CLI_IMAGES = 450  # more than two of the command line's batches of 200
CHECKS = (
    "killed by SIGKILL",
    "integrity",
    "acknowledged images present",
    "images whole, no duplicates",
    "second import completes",
    "nothing left behind",
    "no traceback",
)
PROJECT_PARTS = {"project.limner", "project.limner-wal", "project.limner-shm", "cache", "images"}
PROGRESS = re.compile(r"(\d+)/(\d+)")


def _folder(where: Path, count: int) -> dict[str, str]:
    """``count`` small distinct PNGs; returns name -> SHA-256 of the file."""
    hashes = {}
    for i in range(count):
        path = write_image(where / f"f{i:04d}.png", 8 + i % 5, 8, seed=1000 + i)
        hashes[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def _rows(db_file: Path) -> list[tuple[str, str | None, int | None, str | None]]:
    con = sqlite3.connect(f"file:{db_file}?mode=rw", uri=True)  # never makes a file
    try:
        return con.execute("SELECT name, content_hash, width, error FROM image").fetchall()
    finally:
        con.close()


def _whole(rows: list, hashes: dict[str, str]) -> list[str]:
    """Every row one of the folder's images, read completely, each image once."""
    problems = [
        f"{name}: hash {digest}" for name, digest, _, _ in rows if hashes.get(name) != digest
    ]
    problems += [
        f"{name}: {error or 'no size'}" for name, _, width, error in rows if error or not width
    ]
    names = [r[0] for r in rows]
    problems += [f"{n} twice" for n in sorted({n for n in names if names.count(n) > 1})]
    return problems


def _second_import(trial: Trial, folder: Path, source: Path, hashes: dict[str, str]) -> None:
    """Import the folder again: the missing images are added, the present ones skipped."""
    before = len(_rows(folder / "project.limner"))
    with ProjectStore.open(folder) as store:
        report = import_images(store, [source])
    rows = _rows(folder / "project.limner")
    problems = _whole(rows, hashes)
    if (report.added, len(report.duplicates)) != (len(hashes) - before, before):
        problems.append(f"added {report.added}, skipped {len(report.duplicates)} of {before}")
    if len(rows) != len(hashes):
        problems.append(f"{len(rows)} images after the second import, not {len(hashes)}")
    trial.check("second import completes", problems)


def _leftovers(trial: Trial, folder: Path) -> None:
    """Once the project is complete, its folder holds the project and nothing else."""
    extra = sorted(p.name for p in folder.iterdir() if p.name not in PROJECT_PARTS)
    trial.check("nothing left behind", [f"{len(extra)} files left: {extra[:4]}"] if extra else [])


def _common_checks(
    trial: Trial, row: tally.Row, db_file: Path, hashes: dict, texts: list[str]
) -> None:
    """Sound file, whole images, and no traceback in anything the child printed."""
    problems = integrity_problems(db_file)
    trial.check("integrity", problems)
    row.integrity += bool(problems)
    trial.check("images whole, no duplicates", _whole(_rows(db_file), hashes))
    broken = has_traceback(*texts)
    trial.check("no traceback", [t[-1500:] for t in texts if has_traceback(t)])
    row.tracebacks += broken


def _api_trial(number: int, env: dict, rng: random.Random) -> Trial:
    folder = copy_project(env["empty"], env["work"] / f"api{number}")
    target, pause = rng.randint(0, API_IMAGES // API_BATCH), rng.uniform(0.0, 0.03)
    trial = Trial(number, Kill(f"{pause * 1000:.1f} ms after batch {target}"))
    stderr = env["work"] / f"api{number}.stderr"
    job = env["server"].start(
        [
            {
                "kind": "import",
                "project": str(folder),
                "folder": str(env["api_source"]),
                "batch": API_BATCH,
                "stdout": str(stderr.with_suffix(".stdout")),
                "stderr": str(stderr),
            }
        ]
    )
    job.wait_for("READY")
    seen = 0
    while seen < target and (line := job.next()) is not None and line.tag != "DONE":
        seen += line.tag == "ACK"
    time.sleep(pause)
    job.finish()
    trial.check("killed by SIGKILL", [] if job.exits.get(0) == "killed 9" else [str(job.exits)])
    acked = max([int(t) for t in job.said("ACK")], default=0)
    row = tally.row("import (API)")
    row.trials += 1
    row.ack(acked)
    db_file = folder / "project.limner"
    present = len(_rows(db_file))
    env["partial"]["api"] += present < API_IMAGES
    trial.check("acknowledged images present", [] if present >= acked else [f"{present} < {acked}"])
    row.lose(max(acked - present, 0))
    _common_checks(trial, row, db_file, env["api_hashes"], [tail(stderr, 100_000)])
    _second_import(trial, folder, env["api_source"], env["api_hashes"])
    _leftovers(trial, folder)
    return trial


def _run_new(env: dict, folder: Path, name: str, kill_at: int | None) -> tuple:
    """``limner new FOLDER --images SOURCE`` in a forked child; kill it at image ``kill_at``."""
    terminal, out = Terminal(), env["work"] / f"{name}.stdout"
    argv = ["new", str(folder), "--images", str(env["cli_source"])]
    job = env["server"].start(
        [
            {
                "kind": "cli",
                "argv": argv,
                "stdout": str(out),
                "stderr": terminal.path,
                "stderr_tty": True,
            }
        ]
    )
    try:
        reached = -1
        while kill_at is not None and reached < kill_at:
            line = job.next(timeout=0.005)
            if (line is not None and line.tag == "DONE") or job.ended:
                break
            found = PROGRESS.findall(terminal.read()[-64:])
            reached = int(found[-1][0]) if found else -1
        if kill_at is None:
            job.wait_for("DONE")
        job.finish()
    finally:
        terminal.close()
    return job, tail(out, 100_000), terminal.text


def _cli_trial(number: int, env: dict, rng: random.Random) -> Trial:
    folder = env["work"] / f"cli{number}"
    kill_at = rng.randrange(CLI_IMAGES)
    trial = Trial(number, Kill(f"limner new, at image {kill_at} of {CLI_IMAGES}"))
    job, out, err = _run_new(env, folder, f"cli{number}", kill_at)
    trial.check("killed by SIGKILL", [] if job.exits.get(0) == "killed 9" else [str(job.exits)])
    row = tally.row("import (limner new)")
    row.trials += 1
    trial.check("acknowledged images present", [])  # the command line acknowledges nothing
    db_file = folder / "project.limner"
    if not db_file.exists():  # creation is all or nothing: run it again from scratch
        env["partial"]["cli"] += 1
        job, out2, err2 = _run_new(env, folder, f"cli{number}-again", None)
        ok = job.said("DONE") == ["0"]
        trial.check("second import completes", [] if ok else [f"second run: {out2} {err2}"])
        _common_checks(trial, row, db_file, env["cli_hashes"], [out, err, out2, err2])
        _leftovers(trial, folder)
        return trial
    env["partial"]["cli"] += len(_rows(db_file)) < CLI_IMAGES
    _common_checks(trial, row, db_file, env["cli_hashes"], [out, err])
    _second_import(trial, folder, env["cli_source"], env["cli_hashes"])
    _leftovers(trial, folder)
    return trial


@pytest.fixture(scope="module")
def import_env(forkserver: ForkServer, tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("import-trials")
    ProjectStore.create(work / "empty").close()
    return {
        "server": forkserver,
        "work": work,
        "empty": work / "empty",
        "api_source": work / "api-images",
        "api_hashes": _folder(work / "api-images", API_IMAGES),
        "cli_source": work / "cli-images",
        "cli_hashes": _folder(work / "cli-images", CLI_IMAGES),
        "partial": Counter(),  # trials that left part of the folder imported
    }


@pytest.fixture(scope="module")
def api_book(import_env: dict) -> Book:
    seed, rng = seeded("import-api")
    book = Book("import API", seed, trial_count("LIMNER_IMPORT_TRIALS"), repeat=repeat_hint())
    book.trials.extend(_api_trial(n, import_env, rng) for n in range(book.wanted))
    return book


@pytest.fixture(scope="module")
def cli_book(import_env: dict) -> Book:
    seed, rng = seeded("import-cli")
    wanted = max(3, trial_count("LIMNER_IMPORT_TRIALS") // 4)
    book = Book("limner new", seed, wanted, repeat=repeat_hint())
    book.trials.extend(_cli_trial(n, import_env, rng) for n in range(book.wanted))
    return book


@pytest.mark.parametrize("check", CHECKS)
def test_import_api_crash(api_book: Book, check: str) -> None:
    api_book.assert_check(check)


@pytest.mark.parametrize("check", CHECKS)
def test_limner_new_crash(cli_book: Book, check: str) -> None:
    cli_book.assert_check(check)


def test_kills_land_during_imports(api_book: Book, cli_book: Book, import_env: dict) -> None:
    """The trials test something: some kills leave part of the folder imported."""
    partial = import_env["partial"]
    assert partial["api"] > 0, f"{api_book!r}: every kill came before or after the import"
    assert partial["cli"] > 0, f"{cli_book!r}: every kill came after the import"
