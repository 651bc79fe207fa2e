"""A project the user may read but not write opens read-only, saying why edits are off.

Permission bits do not bind root, so when the tests run as root the project is opened by
a child process whose capabilities to override them were dropped (``setpriv``); as any
other user the child runs as it is. Either way the folder or file really is unwritable
for the process that opens it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from limner.models.errors import StoreError
from limner.models.store.store import ProjectStore

DROPPED = "-dac_override,-dac_read_search,-fowner"

CHILD = """
import json, sys
from limner.models.store.store import ProjectStore, ReadOnlyProjectError
from limner.models.store import queries
out = {}
with ProjectStore.open(sys.argv[1]) as store:
    out["read_only"] = store.read_only
    out["reason"] = store.read_only_reason
    with store.read() as conn:
        out["images"] = [r.name for r in queries.image_page(conn, 0, 100)]
    try:
        store.set_meta("probe", "1")
        out["write"] = "saved"
    except ReadOnlyProjectError as exc:
        out["write"] = str(exc)
print(json.dumps(out))
"""


def unprivileged(args: list[str]) -> list[str]:
    """``args`` run so that file permissions apply to it, even when the tests are root."""
    if os.geteuid() != 0:
        return args
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permission bits cannot bind the child")
    return [setpriv, f"--inh-caps={DROPPED}", f"--bounding-set={DROPPED}", *args]


def run_child(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        unprivileged([sys.executable, "-c", CHILD, str(folder)]),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def closed_project(project: ProjectStore) -> Iterator[Path]:
    project.close()
    folder = project.folder
    yield folder
    folder.chmod(0o755)
    (folder / "project.limner").chmod(0o644)


def test_unwritable_folder_opens_read_only(closed_project: Path) -> None:
    closed_project.chmod(0o555)
    result = run_child(closed_project)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["read_only"] is True
    assert "cannot write in the folder" in seen["reason"]
    assert str(closed_project) in seen["reason"]
    assert seen["images"] == [f"img{i}.png" for i in range(1, 6)]
    assert seen["write"].startswith("this project is read-only")
    assert "edits are off" in seen["write"]


def test_unwritable_file_opens_read_only(closed_project: Path) -> None:
    db_file = closed_project / "project.limner"
    db_file.chmod(0o444)
    before = db_file.read_bytes()
    result = run_child(closed_project)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["read_only"] is True
    assert "cannot change the file" in seen["reason"]
    assert len(seen["images"]) == 5
    assert "edits are off" in seen["write"]
    assert db_file.read_bytes() == before


def test_writable_project_is_not_read_only(project: ProjectStore) -> None:
    assert project.read_only is False
    assert project.read_only_reason is None
    project.set_meta("probe", "1")
    assert project.get_meta("probe") == "1"


def test_old_schema_in_an_unwritable_folder_says_what_to_do(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "baseline_0001.limner"
    folder = tmp_path / "old"
    folder.mkdir()
    shutil.copy(fixture, folder / "project.limner")
    folder.chmod(0o555)
    try:
        result = run_child(folder)
    finally:
        folder.chmod(0o755)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "older limner" in last and "copy the folder" in last


def _damage(db_file: Path) -> None:
    """Every page but the first (the schema) overwritten: each table's root is garbage."""
    size = db_file.stat().st_size
    with db_file.open("r+b") as handle:
        handle.seek(4096)
        handle.write((bytes(range(256)) * (size // 256 + 1))[: size - 4096])


def test_damaged_file_is_one_clear_line(project: ProjectStore) -> None:
    project.close()
    _damage(project.db_file)
    with pytest.raises(StoreError) as caught:
        with ProjectStore.open(project.folder) as store, store.read() as conn:
            conn.exec_driver_sql("SELECT COUNT(*) FROM image").scalar()
            conn.exec_driver_sql("SELECT COUNT(*) FROM annotation").scalar()
    message = str(caught.value)
    assert "\n" not in message and "Background on this error" not in message
    assert "damaged" in message and str(project.db_file) in message


def test_file_that_is_no_database_is_one_clear_line(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus"
    bogus.mkdir()
    (bogus / "project.limner").write_bytes(b"SQLite format 3\x00" + b"\x01" * 5000)
    with pytest.raises(StoreError) as caught:
        ProjectStore.open(bogus)
    message = str(caught.value)
    assert "\n" not in message and "Background on this error" not in message
    assert "not a limner project" in message


def test_unreadable_file_says_so(closed_project: Path) -> None:
    db_file = closed_project / "project.limner"
    db_file.chmod(0)
    result = run_child(closed_project)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "permission" in last and str(db_file) in last
    assert stat.S_IMODE(db_file.stat().st_mode) == 0


def test_a_failed_write_is_a_store_error(project: ProjectStore) -> None:
    con = sqlite3.connect(project.db_file)
    try:
        con.execute(
            "CREATE TRIGGER no_meta BEFORE INSERT ON meta BEGIN SELECT RAISE(ABORT, 'x'); END"
        )
        con.commit()
    finally:
        con.close()
    with pytest.raises(StoreError) as caught:
        project.set_meta("k", "v")
    assert "\n" not in str(caught.value) and "was not saved" in str(caught.value)
