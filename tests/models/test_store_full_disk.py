"""A write that meets a full disk is a DiskFullError naming the project's folder.

The store tells a full disk apart from its other failures, whether SQLite reports it
(``database or disk is full``) or a file the change writes gets ``ENOSPC``, so that the
application can say how much room is left. Nothing of the failed change is kept, and an
operating-system error that is not about room passes through as it was raised.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from limner.models.errors import DiskFullError, StoreError
from limner.models.store.store import ProjectStore


def failing_commit(store: ProjectStore, monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    """From now on, every commit of ``store`` fails with ``error`` at the driver."""

    def commit(_dbapi_connection: object) -> None:
        raise error

    monkeypatch.setattr(store.engine.dialect, "do_commit", commit)


def set_name(store: ProjectStore, name: str) -> None:
    store.set_meta("name", name)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ProjectStore]:
    made = ProjectStore.create(tmp_path / "proj")
    set_name(made, "before")
    yield made
    made.close()


FULL: dict[str, Callable[[], Exception]] = {
    "sqlite": lambda: sqlite3.OperationalError("database or disk is full"),
    "enospc": lambda: OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
    "quota": lambda: OSError(errno.EDQUOT, os.strerror(errno.EDQUOT)),
}


@pytest.mark.parametrize("kind", sorted(FULL))
def test_a_full_disk_is_named_and_keeps_nothing(
    store: ProjectStore, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    failing_commit(store, monkeypatch, FULL[kind]())
    with pytest.raises(DiskFullError) as caught:
        set_name(store, "after")
    assert caught.value.folder == store.folder
    assert "the change was not saved" in str(caught.value)
    assert "the disk is full" in str(caught.value)
    monkeypatch.undo()
    assert store.get_meta("name") == "before"


def test_other_database_failures_are_store_errors_not_a_full_disk(
    store: ProjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_commit(store, monkeypatch, sqlite3.OperationalError("disk I/O error"))
    with pytest.raises(StoreError) as caught:
        set_name(store, "after")
    assert not isinstance(caught.value, DiskFullError)
    assert "the disk reported an error" in str(caught.value)


def test_an_os_error_that_is_not_about_room_passes_through(
    store: ProjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    denied = PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    failing_commit(store, monkeypatch, denied)
    with pytest.raises(PermissionError) as caught:
        set_name(store, "after")
    assert caught.value is denied
    monkeypatch.undo()
    assert store.get_meta("name") == "before"
