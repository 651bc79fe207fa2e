"""Fixtures of the reliability suite and the table it prints at the end of a run.

``LIMNER_CRASH_TRIALS`` sets how many trials of each crash kind run (10 by default,
``make soak`` asks for 200); ``LIMNER_CRASH_SEED`` repeats an earlier run's kills. The seed
in use is printed with the table, and named in every failure.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import write_image
from tests.reliability import tally
from tests.reliability.harness import ForkServer

SEED = int(os.environ.get("LIMNER_CRASH_SEED") or random.SystemRandom().randrange(10**6))


def trial_count(name: str = "LIMNER_CRASH_TRIALS", default: int = 10) -> int:
    return max(1, int(os.environ.get(name) or os.environ.get("LIMNER_CRASH_TRIALS") or default))


def seeded(kind: str) -> tuple[int, random.Random]:
    """The run's seed and a generator of its own for one kind of trial."""
    tally.SEEDS.setdefault("LIMNER_CRASH_SEED", SEED)
    return SEED, random.Random(f"{SEED}:{kind}")


def repeat_hint() -> str:
    return f"(repeat with LIMNER_CRASH_SEED={SEED})"


@pytest.fixture(scope="session")
def forkserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForkServer]:
    server = ForkServer(tmp_path_factory.mktemp("forkserver"))
    yield server
    server.close()


@pytest.fixture(scope="session")
def edit_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed project with three images and three classes, copied by each edit trial."""
    from limner.models.workflow.project import create_project

    base = tmp_path_factory.mktemp("edit-template")
    images = [
        write_image(base / "images" / f"img{i}.png", 80 + 4 * i, 60, seed=i) for i in range(3)
    ]
    store, report = create_project(base / "proj", images=images, classes=["cat", "dog", "bird"])
    store.close()
    assert report.added == 3
    return base / "proj"


def copy_project(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


@contextmanager
def mounted_tmpfs(where: Path, size: str) -> Iterator[Path | None]:
    """A fresh tmpfs of ``size`` at ``where``, or None when this machine refuses to mount.

    Mounting needs root (or CAP_SYS_ADMIN); the tests that need a small or read-only
    file system fall back to other means, or skip with the reason, when it is refused.
    """
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        yield None
        return
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = tally.render()
    if not lines:
        return
    terminalreporter.section("reliability")
    for line in lines:
        terminalreporter.write_line(line)
