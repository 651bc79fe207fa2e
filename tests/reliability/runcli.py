"""Run the real ``limner`` command in a fresh process and judge what the user would see.

Every bad input goes through ``python -m limner ...`` as a user would type it; the test
then asserts the exit code, the words of the message, and that neither stdout nor stderr
holds a Python traceback (or SQLAlchemy's "Background on this error" footer), which a
user should never be shown. Each run is counted in the suite's table.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.reliability import tally
from tests.reliability.harness import ROOT, has_traceback

KIND = "bad inputs"


@dataclass(frozen=True)
class Ran:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:
        return (
            f"limner {' '.join(self.argv)} -> {self.returncode}\n"
            f"--- stdout\n{self.stdout[-2500:]}\n--- stderr\n{self.stderr[-2500:]}"
        )


def limner(
    *argv: str | os.PathLike[str] | bytes,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    preexec: Callable[[], None] | None = None,
    count: bool = True,
) -> Ran:
    """``python -m limner ARGV`` from the source tree, waited for; counted unless told not."""
    words = [os.fsdecode(a) if isinstance(a, bytes) else os.fspath(a) for a in argv]
    done = subprocess.run(
        [sys.executable, "-m", "limner", *words],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
        preexec_fn=preexec,
    )
    ran = Ran(tuple(words), done.returncode, done.stdout, done.stderr)
    if count:
        row = tally.row(KIND)
        row.trials += 1
        row.tracebacks += has_traceback(ran.output)
    return ran


def expect(ran: Ran, code: int | Sequence[int], *patterns: str) -> None:
    """Exit ``code`` (or one of them), each regex found in the output, no traceback."""
    assert not has_traceback(ran.output), f"a traceback reached the user:\n{ran}"
    assert "Background on this error" not in ran.output, f"SQLAlchemy's footer shown:\n{ran}"
    codes = (code,) if isinstance(code, int) else tuple(code)
    assert ran.returncode in codes, f"exit code {ran.returncode}, expected {codes}:\n{ran}"
    for pattern in patterns:
        assert re.search(pattern, ran.output), f"no {pattern!r} in what the user saw:\n{ran}"


def one_line_error(ran: Ran) -> None:
    """An error is one line on stderr, starting with ``limner:``."""
    lines = [x for x in ran.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("limner: "), f"not one clear line:\n{ran}"


def no_project(folder: Path) -> None:
    assert not (folder / "project.limner").exists(), f"a half-made project was left at {folder}"
