"""Damaged, foreign and hard-to-write projects: one clear line, nothing lost.

A corrupt file, a project from a newer limner, a read-only folder and a full disk are
each run through the real command line. The message a user should see is written beside
each case; the tests check its words, the exit code and that no traceback (nor
SQLAlchemy's "Background on this error" footer) reaches the user, and that the project
is left as it was. The read-only folder and the full disk are real: a tmpfs mounted
read-only and a tmpfs filled to the last byte (with fallbacks where mounting is refused).
"""

from __future__ import annotations

import errno
import hashlib
import os
import resource
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import create_project
from tests.reliability import corpus
from tests.reliability.conftest import mounted_tmpfs
from tests.reliability.harness import integrity_problems
from tests.reliability.runcli import expect, limner, no_project, one_line_error

NONZERO = tuple(range(1, 126))  # "errors are one line on stderr and a non-zero exit code"
FULL = r"(?i)(disk|device|file system|drive)\b.*\bfull|no space left|not enough (disk )?space"
WRITE_FAILED = r"(?i)\b(disk|device|write|I/O)\b.*\b(error|failed|full)\b"


def make_project(folder: Path) -> Path:
    image = corpus.good_png(folder.parent / f"{folder.name}-good.png")
    store, report = create_project(folder, images=[image], classes=["cat"])
    store.close()
    assert report.added == 1
    return folder


def status_of(folder: Path, name: str) -> str:
    with ProjectStore.open(folder) as store, store.read() as conn:
        record = queries.image_by_name(conn, name)
        assert record is not None
        return record.status


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- corrupt and foreign files -----------------------------------------------------------
@pytest.mark.parametrize("damage", ["random-bytes", "truncated"])
def test_corrupt_project_is_one_clear_line(tmp_path: Path, damage: str) -> None:
    """Expected: "limner: .../project.limner is not a limner project or is damaged
    (file is not a database)", exit non-zero, the file left as it was."""
    folder = tmp_path / "broken"
    if damage == "random-bytes":
        target = corpus.corrupt_project(folder)
    else:
        target = corpus.truncated_project(make_project(tmp_path / "good"), folder)
    before = digest(target)
    ran = limner("info", folder)
    expect(ran, NONZERO, r"(?i)not a limner project|damaged|corrupt")
    one_line_error(ran)
    assert digest(target) == before, "opening a damaged project changed it"


def test_newer_schema_says_upgrade_limner(tmp_path: Path) -> None:
    """Expected: "limner: .../project.limner was made by a newer limner; upgrade limner to
    open it", exit non-zero, the file untouched."""
    folder = make_project(tmp_path / "future")
    corpus.newer_schema(folder / "project.limner")
    before = digest(folder / "project.limner")
    ran = limner("info", folder)
    expect(ran, NONZERO, r"(?i)newer", r"(?i)upgrade")
    one_line_error(ran)
    assert digest(folder / "project.limner") == before, "the newer project was modified"


# -- a read-only folder ------------------------------------------------------------------
def _writable(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        probe.write_bytes(b"x")
    except OSError:
        return False
    probe.unlink()
    return True


@pytest.fixture
def read_only_project(tmp_path: Path) -> Iterator[Path]:
    """A project whose folder truly cannot be written, even by root (a read-only mount)."""
    with mounted_tmpfs(tmp_path / "ro", "16m") as mount:
        if mount is None:  # not root: permissions are enough
            folder = make_project(tmp_path / "ro" / "proj")
            (folder / "project.limner").chmod(0o444)
            folder.chmod(0o555)
        else:
            folder = make_project(mount / "proj")
            remount = ["mount", "-o", "remount,ro", str(mount)]
            assert subprocess.run(remount, capture_output=True).returncode == 0
        if _writable(folder):
            pytest.skip("cannot make a read-only folder here: root, and mounting is refused")
        yield folder
        if mount is None:
            folder.chmod(0o755)


def test_read_only_project_can_be_browsed(read_only_project: Path) -> None:
    """Expected: ``limner info`` prints the project's counts ("images         1")."""
    expect(limner("info", read_only_project), 0, r"images\s+1\b")


def test_read_only_project_refuses_edits_saying_why(read_only_project: Path) -> None:
    """Expected: "limner: the project folder .../proj is read-only: edits are off" (exit
    non-zero), and the image keeps its status."""
    ran = limner("status", read_only_project, "proj-good.png", "--set", "submitted")
    expect(ran, NONZERO, r"(?i)read-only|read only|not writable")
    one_line_error(ran)
    assert "not a limner project" not in ran.output, ran


# -- a full disk -------------------------------------------------------------------------
@dataclass(frozen=True)
class FullDisk:
    """Where to put a project, how to fill the disk, and how to start the CLI on it."""

    folder: Path
    fill: Callable[[], None]
    empty: Callable[[], None]
    preexec: Callable[[], None] | None
    words: str  # what the user must be told


def _fill(filler: Path) -> None:
    """Write zeros until not one more byte fits (ENOSPC at 64 KiB, then 4 KiB, ..., 1)."""
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)


def _no_growth() -> None:
    """In the child: no file may grow past 4 KiB (writes fail, as on a full disk)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[FullDisk]:
    with mounted_tmpfs(tmp_path / "small", "8m") as mount:
        if mount is None:  # no tmpfs: the child's file size limit stands in for the disk,
            # and the kernel reports EFBIG, not ENOSPC, so the message is about the disk only
            folder = tmp_path / "small"
            yield FullDisk(folder, lambda: None, lambda: None, _no_growth, WRITE_FAILED)
            return
        filler = mount / "filler"
        yield FullDisk(mount, lambda: _fill(filler), lambda: filler.unlink(), None, FULL)


def test_edit_on_a_full_disk_says_so_and_keeps_the_project(full_disk: FullDisk) -> None:
    """Expected: "limner: the disk is full: the change was not saved", exit non-zero; once
    there is room again the project opens, sound, with the status it had."""
    folder = make_project(full_disk.folder / "proj")
    window = sqlite3.connect(folder / "project.limner")  # the project open elsewhere
    window.execute("SELECT COUNT(*) FROM image").fetchall()
    try:
        full_disk.fill()
        ran = limner(
            "status", folder, "proj-good.png", "--set", "submitted", preexec=full_disk.preexec
        )
        full_disk.empty()
    finally:
        window.close()
    assert integrity_problems(folder / "project.limner") == []
    assert status_of(folder, "proj-good.png") == "new"
    expect(ran, NONZERO, full_disk.words)
    one_line_error(ran)


def test_new_project_on_a_full_disk_says_so_and_leaves_nothing(full_disk: FullDisk) -> None:
    """Expected: "limner: the disk is full: cannot create the project", exit non-zero, and
    no half-made project left to say "a project already exists" next time."""
    image = corpus.good_png(full_disk.folder.parent / "good.png")
    full_disk.fill()
    ran = limner("new", full_disk.folder / "fresh", "--images", image, preexec=full_disk.preexec)
    full_disk.empty()
    expect(ran, NONZERO, full_disk.words)
    one_line_error(ran)
    no_project(full_disk.folder / "fresh")
