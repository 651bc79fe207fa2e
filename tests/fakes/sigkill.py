"""Kill a real ``limner sync`` process with SIGKILL part way through its push.

A remote's acceptance asks that a sync killed mid-push, followed by a second sync, leaves
no duplicates on the server. The in-process crash tests stop the engine with an
exception; this runs ``python -m app sync PATH --once`` as a child process against a fake
served by the test process, waits until the fake holds the shapes of some of the pushed
images, and kills the child outright: no ``finally``, no ``atexit``, no flush runs.

The fake answers from a thread of the test process, so the waiting here sleeps between
looks at the fake's state and never holds its lock for long.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLL = 0.02  # seconds between looks at the fake


@dataclass(frozen=True)
class Killed:
    returncode: int | None
    landed: int  # images whose shapes the fake held once the child was gone
    stderr: str  # what the child wrote before it died


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll ``condition`` (sleeping in between) until it holds; fail after ``timeout``."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(POLL)


def sync_killed_mid_push(
    path: Path,
    *,
    token_env: str,
    token: str,
    landed: Callable[[], int],
    connections: Callable[[], set[object]],
    at_least: int = 3,
    timeout: float = 120.0,
) -> Killed:
    """Start ``limner sync PATH --once`` and SIGKILL it once ``landed()`` reaches ``at_least``.

    ``landed`` counts the images whose shapes the fake holds; ``connections`` gives the
    fake's open client connections. After the kill this waits until every connection the
    child opened is closed on the server side, so a request the child sent just before it
    died has been applied (or refused) before anything else looks at the fake.
    """
    before = connections()
    log = path.parent / f"{path.name}-killed-sync.stderr"
    env = {**os.environ, token_env: token, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "app", "sync", str(path), "--once", "--token-env", token_env],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            end = time.monotonic() + timeout
            while landed() < at_least:
                if child.poll() is not None:
                    raise AssertionError(
                        f"the sync ended with {child.returncode} before it could be killed: "
                        + log.read_text(errors="replace")[-2000:]
                    )
                if time.monotonic() > end:
                    raise AssertionError(
                        f"no {at_least} images pushed after {timeout:.0f} s: "
                        + log.read_text(errors="replace")[-2000:]
                    )
                time.sleep(POLL)
            child.send_signal(signal.SIGKILL)
            child.wait(30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(30)
    wait_until(lambda: connections() <= before, "the fake to close the killed sync's connections")
    return Killed(child.returncode, landed(), log.read_text(errors="replace"))
