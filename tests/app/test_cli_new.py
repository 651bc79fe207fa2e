"""``limner new`` that fails leaves nothing behind, so the same command can simply be re-run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "limner", *args], capture_output=True, text=True, timeout=120
    )


def test_a_refused_new_can_be_run_again(tmp_path: Path) -> None:
    target = tmp_path / "X"
    failed = run("new", str(target), "--classes", "car,car")
    assert failed.returncode == 2
    assert failed.stderr.count("\n") == 1 and "'car' is given twice" in failed.stderr
    assert not target.exists()
    again = run("new", str(target), "--classes", "car,bus")
    assert again.returncode == 0, again.stderr
    assert "created" in again.stdout
