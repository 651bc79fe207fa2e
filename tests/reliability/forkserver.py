"""A process that forks the children the crash trials kill.

Run as ``python -m tests.reliability.forkserver``. Starting Python and importing limner
costs one to two seconds on a busy two-core machine; two hundred trials would spend most
of their time importing. This server imports limner once, opens no project and starts
no thread, then forks one child per task it is sent.
Each child is a separate process with its own database connections, opened after the
fork, and it dies by SIGKILL from the test like any other process: no ``finally``, no
``atexit``, no flush.

Protocol, one line each way. The test writes a JSON job ``{"job": J, "tasks": [...]}``
on stdin; the server answers ``PID J I pid`` for task I, and once the child is gone
``EXIT J I how`` (``killed 9`` or ``status N``), then ``END J`` after the last one. A child
writes its own lines, ``TAG J I text``, on the same pipe (each line in one ``write``, so
lines never interleave); its stdout and stderr go where the task says. A child never
ends by itself: when its work is done it says ``DONE J I rc`` and waits to be killed, so
the pid the test kills is always that child's.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any

Say = Callable[[str, str], None]


def _write_line(fd: int, text: str) -> None:
    data = (text.rstrip("\n") + "\n").encode("utf-8", "backslashreplace")
    while data:
        data = data[os.write(fd, data) :]


def _redirect(task: Mapping[str, Any]) -> None:
    """Point the child's fds 0, 1 and 2 where the task says (stderr may be a terminal)."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    out = os.open(task["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.close(out)
    flags = os.O_WRONLY | os.O_NOCTTY | (0 if task.get("stderr_tty") else os.O_CREAT | os.O_TRUNC)
    err = os.open(task["stderr"], flags, 0o644)
    os.dup2(err, 2)
    os.close(err)


def _child(job: int, index: int, task: Mapping[str, Any], channel: int) -> None:
    """The body of one forked child; never returns."""

    def say(tag: str, text: str = "") -> None:
        _write_line(channel, f"{tag} {job} {index} {text}")

    rc = 1
    try:
        _redirect(task)
        gate = task.get("gate")
        if gate:  # a FIFO the test holds open; one byte from it per child starts the race
            with open(gate, "rb", buffering=0) as released:
                say("WAITING")
                released.read(1)
        from tests.reliability.child_tasks import TASKS

        rc = TASKS[task["kind"]](task, say)
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # the child reports every failure as a traceback, like Python
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    say("DONE", str(rc))
    while True:  # wait for the test's SIGKILL
        time.sleep(3600)


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed {os.WTERMSIG(status)}"
    return f"status {os.waitstatus_to_exitcode(status)}"


def _run_job(job: Mapping[str, Any], channel: int) -> None:
    number = int(job["job"])
    pids: list[int] = []
    for index, task in enumerate(job["tasks"]):
        pid = os.fork()
        if pid == 0:
            _child(number, index, task, channel)
        pids.append(pid)
        _write_line(channel, f"PID {number} {index} {pid}")
    for index, pid in enumerate(pids):
        _, status = os.waitpid(pid, 0)
        _write_line(channel, f"EXIT {number} {index} {_how(status)}")
    _write_line(channel, f"END {number}")


def _preload() -> None:
    """Import what the children use, so that each fork starts warm."""
    import numpy  # noqa: F401
    import PIL.Image  # noqa: F401

    import limner.app.cli
    import limner.app.cli_review
    import limner.app.cli_sync
    import limner.models.editing.history
    import limner.models.editing.mask_commands
    import limner.models.workflow.project  # noqa: F401
    import tests.reliability.child_tasks  # noqa: F401


def main() -> None:
    channel = os.dup(1)  # the protocol pipe; fd 1 itself is handed to each child's stdout
    _preload()
    _write_line(channel, "HELLO")
    for line in sys.stdin:
        if line.strip():
            _run_job(json.loads(line), channel)


if __name__ == "__main__":
    main()
