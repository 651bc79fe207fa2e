"""The test's side of the crash trials: the fork server, kills, terminals, soundness checks.

:class:`ForkServer` runs ``tests.reliability.forkserver`` and hands out :class:`Job` objects
whose children the test reads line by line and kills with SIGKILL when it decides to.
:class:`Terminal` is a pseudo-terminal a child can use as its stderr, so the command
line's progress display (shown only on a terminal) tells the test how far an import got.
:func:`integrity_problems` is what every trial asks of the database once its writer died.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HANG = 180.0  # seconds without a line from a child before a trial is declared hung


@dataclass(frozen=True)
class Line:
    tag: str
    job: int
    task: int
    text: str


@dataclass(frozen=True)
class Kill:
    """When a trial's child was killed, in words (read by ``tests.fakes.sigkill.Book``)."""

    moment: str

    def describe(self) -> str:
        return self.moment


def _parse(raw: str) -> Line:
    parts = raw.rstrip("\n").split(" ", 3)
    if parts[0] == "END":
        return Line("END", int(parts[1]), -1, "")
    while len(parts) < 4:
        parts.append("")
    return Line(parts[0], int(parts[1]), int(parts[2]), parts[3])


class ForkServer:
    """One ``tests.reliability.forkserver`` process, used for one job at a time."""

    def __init__(self, log_dir: Path) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log = log_dir / "forkserver.stderr"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "OPENBLAS_NUM_THREADS": "1",  # no thread pools in a process that forks
            "OMP_NUM_THREADS": "1",
        }
        with self.log.open("wb") as stderr:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "tests.reliability.forkserver"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                bufsize=1,
            )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self._jobs = 0
        first = self._get()
        assert first == "HELLO", f"the fork server did not start: {self.log.read_text()[-3000:]}"

    def _pump(self) -> None:
        assert self._proc.stdout is not None
        for raw in self._proc.stdout:
            self._lines.put(raw.rstrip("\n"))
        self._lines.put(None)

    def _get(self, timeout: float = HANG) -> str:
        try:
            raw = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no word from the fork server in {timeout:.0f} s") from None
        if raw is None:
            raise AssertionError(f"the fork server died: {self.log.read_text()[-3000:]}")
        return raw

    def poll_line(self, timeout: float) -> Line | None:
        """The next line within ``timeout`` seconds, or None."""
        try:
            raw = self._lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if raw is None:
            raise AssertionError(f"the fork server died: {self.log.read_text()[-3000:]}")
        return _parse(raw)

    def start(self, tasks: Sequence[Mapping[str, Any]]) -> Job:
        assert self._proc.stdin is not None
        self._jobs += 1
        self._proc.stdin.write(json.dumps({"job": self._jobs, "tasks": list(tasks)}) + "\n")
        self._proc.stdin.flush()
        return Job(self, self._jobs, len(tasks))

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait(60)


@dataclass
class Job:
    """The children of one job: their pids, their lines, their end."""

    server: ForkServer
    number: int
    count: int
    pids: dict[int, int] = field(default_factory=dict)
    exits: dict[int, str] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    ended: bool = False

    def _take(self, line: Line) -> Line | None:
        assert line.job == self.number, f"a line of job {line.job} during job {self.number}"
        if line.tag == "PID":
            self.pids[line.task] = int(line.text)
        elif line.tag == "EXIT":
            self.exits[line.task] = line.text
        elif line.tag == "END":
            self.ended = True
        else:
            self.lines.append(line)
            return line
        return None

    def next(self, timeout: float = HANG) -> Line | None:
        """The next line a child wrote (None when the job ended or nothing came in time)."""
        while not self.ended:
            line = self.server.poll_line(timeout)
            if line is None:
                return None
            taken = self._take(line)
            if taken is not None:
                return taken
        return None

    def wait_for(self, tag: str, task: int = 0) -> Line:
        """The first line ``tag`` of ``task``, whether already read or still to come."""
        for line in self.lines:
            if line.tag == tag and line.task == task:
                return line
        while True:
            line = self.next()
            if line is None:
                raise AssertionError(f"job {self.number} ended or hung before {tag}")
            if line.tag == tag and line.task == task:
                return line

    def kill(self, task: int = 0) -> None:
        while task not in self.pids:
            if self.next() is None and task not in self.pids:
                raise AssertionError(f"job {self.number} never named task {task}'s pid")
        if task not in self.exits:
            os.kill(self.pids[task], signal.SIGKILL)

    def finish(self) -> list[Line]:
        """Kill every child still alive, read everything up to the job's end."""
        for task in range(self.count):
            self.kill(task)
        while not self.ended:
            if self.next() is None and not self.ended:
                raise AssertionError(f"job {self.number} did not end after its kill")
        return self.lines

    def said(self, tag: str, task: int = 0) -> list[str]:
        return [x.text for x in self.lines if x.tag == tag and x.task == task]


class Terminal:
    """A pseudo-terminal: a child opens :attr:`path` as its stderr, the test reads it."""

    def __init__(self) -> None:
        self._master, self._slave = os.openpty()
        self.path = os.ttyname(self._slave)
        os.set_blocking(self._master, False)
        self.text = ""

    def read(self) -> str:
        """Everything written since the terminal was opened (reads what is pending)."""
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except (BlockingIOError, OSError):  # nothing pending, or every writer gone (EIO)
                break
            if not chunk:
                break
            self.text += chunk.decode("utf-8", "replace")
        return self.text

    def close(self) -> None:
        self.read()
        os.close(self._slave)
        os.close(self._master)


def integrity_problems(db_file: Path) -> list[str]:
    """What SQLite's own checks find wrong with ``db_file`` (empty when it is sound)."""
    con = sqlite3.connect(f"file:{db_file}?mode=rw", uri=True)  # a missing file stays missing
    try:
        problems = [r[0] for r in con.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key broken: {r}" for r in con.execute("PRAGMA foreign_key_check")]
        columns = {r[1] for r in con.execute("PRAGMA table_info(image)")}
        if "annotation_count" in columns:
            stale = con.execute(
                "SELECT id, annotation_count, (SELECT COUNT(*) FROM annotation a"
                " WHERE a.image_id = image.id AND a.deleted = 0) AS live FROM image"
                " WHERE annotation_count != live"
            ).fetchall()
            problems += [f"image {i} counts {n} annotations but holds {m}" for i, n, m in stale]
    finally:
        con.close()
    return problems


def has_traceback(*texts: str) -> bool:
    return any("Traceback (most recent call last)" in t for t in texts)


def tail(path: Path, size: int = 1500) -> str:
    return path.read_text(errors="replace")[-size:] if path.exists() else ""
