"""A project written by a newer limner is refused with one clear message and left as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from limner.models.errors import StoreError
from limner.models.store.store import NewerProjectError, ProjectStore


def _from_the_future(tmp_path: Path, revision: str = "0042") -> Path:
    folder = tmp_path / "future"
    ProjectStore.create(folder).close()
    con = sqlite3.connect(folder / "project.limner")
    try:
        con.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        con.commit()
    finally:
        con.close()
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_newer_schema_is_refused_and_the_file_is_untouched(tmp_path: Path) -> None:
    folder = _from_the_future(tmp_path)
    before = _snapshot(folder)
    with pytest.raises(NewerProjectError) as caught:
        ProjectStore.open(folder)
    assert isinstance(caught.value, StoreError)
    message = str(caught.value)
    assert "made by a newer limner (schema 0042)" in message
    assert "upgrade limner to open it" in message
    assert "\n" not in message
    assert _snapshot(folder) == before

