"""What limner may do with a project file before it opens it, and SQLite's errors in words.

Opening a project starts with three questions whose answers decide what the user is
told: can the file be read at all (and is it a database), can it be written (or is it a
read-only project, to browse and export only), and, when SQLite fails later, what the
failure means for the user. SQLAlchemy's own message spans several lines (the statement,
a link to its documentation); users get one line naming the file and the cause instead.

A read-only project is opened through SQLite's URI form: ``mode=ro`` first, which still
reads the write-ahead log of another process; when the folder cannot hold the log's
index (``-shm``), ``immutable=1``, which is exact as long as no log is waiting to be
merged. A waiting log in an unwritable folder is refused rather than read around.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from limner.models.errors import DiskFullError, ProjectNotFoundError, StoreError

SQLITE_HEADER = b"SQLite format 3\x00"


class NewerProjectError(StoreError):
    """The project's schema comes from a later limner; this one must not touch it."""


class ReadOnlyProjectError(StoreError):
    """A write to a project opened read-only; the message says why it is read-only."""


def check_readable(db_file: Path, given: str | os.PathLike[str]) -> None:
    """Raise a clear error unless ``db_file`` is a readable SQLite database file."""
    try:
        mode = db_file.stat().st_mode
    except PermissionError as exc:
        folder = db_file.parent
        raise StoreError(f"cannot look into the folder {folder}: permission denied") from exc
    except OSError as exc:
        raise ProjectNotFoundError(f"no limner project at {Path(given)}") from exc
    if not stat.S_ISREG(mode):
        raise ProjectNotFoundError(f"no limner project at {Path(given)}")
    try:
        with db_file.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except PermissionError as exc:
        raise StoreError(f"cannot read {db_file}: permission denied") from exc
    except OSError as exc:
        raise StoreError(f"cannot read {db_file}: {exc.strerror or exc}") from exc
    if not header:
        raise StoreError(f"{db_file} is empty: not a limner project")
    if header != SQLITE_HEADER:
        raise StoreError(f"{db_file} is not a limner project (not an SQLite database)")


def read_only_reason(db_file: Path) -> str | None:
    """Why the project at ``db_file`` cannot be written, or None when it can."""
    folder = db_file.parent
    if hasattr(os, "statvfs"):
        try:
            on_read_only_disk = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
        except OSError:
            on_read_only_disk = False  # then the permission checks below decide
        if on_read_only_disk:
            return f"it is on a read-only disk ({folder})"
    if not os.access(db_file, os.W_OK):
        return f"you cannot change the file {db_file}"
    if not os.access(folder, os.W_OK):
        return f"you cannot write in the folder {folder}"
    return None


def read_only_uri(db_file: Path) -> str:
    """The SQLite URI that reads ``db_file`` without ever writing next to it."""
    base = db_file.resolve().as_uri()
    try:
        probe = sqlite3.connect(f"{base}?mode=ro", uri=True)
        try:
            probe.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        finally:
            probe.close()
        return f"{base}?mode=ro"
    except sqlite3.OperationalError:
        wal = db_file.with_name(db_file.name + "-wal")
        if wal.is_file() and wal.stat().st_size > 0:
            raise StoreError(
                f"{db_file} has changes not yet merged into it ({wal.name}) and its folder "
                "cannot be written; open it once where it can be written"
            ) from None
        return f"{base}?immutable=1"


_PROBLEMS = (
    ("disk is full", "the disk is full"),
    ("malformed", "the file is damaged"),
    ("not a database", "the file is not a limner project"),
    ("locked", "another program is writing to the project"),
    ("busy", "another program is writing to the project"),
    ("readonly", "the project cannot be written"),
    ("disk i/o error", "the disk reported an error"),
    ("unable to open", "the file cannot be opened"),
)


def db_problem(exc: DBAPIError) -> str:
    """One line saying what a database error means, SQLite's own words in brackets."""
    text = str(exc.orig) if exc.orig is not None else str(exc).splitlines()[0]
    text = " ".join(text.split())
    lowered = text.lower()
    for needle, meaning in _PROBLEMS:
        if needle in lowered:
            return f"{meaning} ({text})"
    return text


_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def disk_is_full(exc: OSError) -> bool:
    """``exc`` says the disk (or the user's quota on it) has no room left."""
    return exc.errno in _FULL_ERRNOS


def write_failure(db_file: Path, exc: DBAPIError | OSError) -> StoreError:
    """The error to raise when a write transaction on ``db_file`` failed with ``exc``.

    A full disk (SQLite's ``SQLITE_FULL``, or ``ENOSPC`` / ``EDQUOT`` from a file the
    change writes) becomes :class:`DiskFullError`, so the user can be told how much room
    is left; any other failure a :class:`StoreError` with one line saying why.
    """
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        full = disk_is_full(exc)
        if full:
            reason = f"the disk is full ({reason})"
    else:
        reason = db_problem(exc)
        code = getattr(exc.orig, "sqlite_errorcode", None)
        full = code == sqlite3.SQLITE_FULL or "disk is full" in reason.lower()
    message = f"the change was not saved in {db_file}: {reason}"
    return DiskFullError(message, db_file.parent) if full else StoreError(message)
