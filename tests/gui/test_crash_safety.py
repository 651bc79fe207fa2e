"""SIGKILL right after an edit is on screen loses nothing and leaves a sound database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from limner.models.store import queries
from limner.models.store.store import ProjectStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX-only")
def test_sigkill_after_edit_keeps_it(project: ProjectStore) -> None:
    folder = project.folder
    project.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.gui.edit_and_wait", str(folder)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline().strip()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert line.startswith("SHOWN "), child.stderr.read()
    uuid = line.split()[1]
    assert child.returncode == -signal.SIGKILL
    con = sqlite3.connect(folder / "project.limner")
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        con.close()
    with ProjectStore.open(folder) as store, store.read() as conn:
        ann = queries.annotation_by_uuid(conn, uuid)
        assert ann is not None and ann.kind == "box"
