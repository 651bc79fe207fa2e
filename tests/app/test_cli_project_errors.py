"""Projects that cannot be opened as usual, seen from the command line: one line each."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from limner.models.store.store import ProjectStore
from tests.models.test_read_only_project import unprivileged


def run(*args: str, as_user: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "limner", *args]
    return subprocess.run(
        unprivileged(command) if as_user else command,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and "Background on this error" not in result.stderr
    return result.stderr


def test_newer_project(tmp_path: Path) -> None:
    ProjectStore.create(tmp_path / "p").close()
    con = sqlite3.connect(tmp_path / "p" / "project.limner")
    con.execute("UPDATE alembic_version SET version_num = '0999'")
    con.commit()
    con.close()
    before = (tmp_path / "p" / "project.limner").read_bytes()
    result = run("info", str(tmp_path / "p"))
    assert result.returncode == 2
    assert "made by a newer limner (schema 0999); upgrade limner" in one_line(result)
    assert (tmp_path / "p" / "project.limner").read_bytes() == before


def test_damaged_project(project: ProjectStore) -> None:
    project.close()
    size = project.db_file.stat().st_size
    with project.db_file.open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\xa5" * (size - 4096))
    result = run("images", str(project.folder))
    assert result.returncode == 2
    assert "damaged" in one_line(result)


@pytest.fixture
def read_only_folder(project: ProjectStore) -> Iterator[Path]:
    project.close()
    project.folder.chmod(0o555)
    yield project.folder
    project.folder.chmod(0o755)


def test_read_only_folder_browses_and_refuses_edits(read_only_folder: Path) -> None:
    info = run("info", str(read_only_folder), "--json", as_user=True)
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["images"] == 5
    listing = run("images", str(read_only_folder), as_user=True)
    assert listing.returncode == 0 and "img3.png" in listing.stdout
    edit = run("status", str(read_only_folder), "img1.png", "--set", "skipped", as_user=True)
    assert edit.returncode == 2
    message = one_line(edit)
    assert "read-only" in message and "cannot write in the folder" in message
    assert "edits are off" in message
