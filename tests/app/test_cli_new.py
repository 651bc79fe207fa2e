"""``limner new`` that fails leaves nothing behind, so the same command can simply be re-run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_image


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


def test_new_lists_a_file_with_a_name_that_is_not_utf8_as_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "images"
    write_image(folder / "a.png", seed=1)
    odd = Path(os.fsdecode(os.fsencode(folder) + b"/caf\xe9.png"))
    try:
        write_image(odd, seed=2)
    except OSError as exc:
        pytest.skip(f"this file system refuses names that are not UTF-8 ({exc})")
    result = run("new", str(tmp_path / "p"), "--images", str(folder))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "1 image added" in result.stdout
    assert "skipped: caf\\xe9.png:" in result.stdout
