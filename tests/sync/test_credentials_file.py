"""The private token file used when no OS keyring exists: written safely, never clobbered.

The keyring is switched off for these tests, so every token goes to the fallback file,
which lives in the test's own folder.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from limner.sync import credentials

URL_A = "https://a.example.org"
URL_B = "https://b.example.org"


@pytest.fixture
def token_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config" / "credentials.json"
    monkeypatch.setenv("LIMNER_CREDENTIALS_FILE", str(path))
    monkeypatch.setattr(credentials, "_keyring_usable", lambda: False)
    return path


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_tokens_are_kept_side_by_side_in_a_private_file(token_file: Path) -> None:
    credentials.store_token("labelstudio", URL_A, "token-a")
    credentials.store_token("hasty", URL_B, "token-b")
    assert credentials.load_token("labelstudio", URL_A) == "token-a"
    assert credentials.load_token("hasty", URL_B) == "token-b"
    assert _mode(token_file) == 0o600
    assert [p.name for p in token_file.parent.iterdir()] == ["credentials.json"]
    credentials.forget_token("hasty", URL_B)
    assert json.loads(token_file.read_text()) == {"labelstudio:https://a.example.org": "token-a"}


def test_a_planted_symlink_at_the_old_temporary_name_is_not_followed(
    token_file: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    token_file.parent.mkdir(parents=True)
    (token_file.parent / "credentials.json.tmp").symlink_to(victim)
    credentials.store_token("labelstudio", URL_A, "token-a")
    assert victim.read_text() == "precious\n"
    assert not token_file.is_symlink() and _mode(token_file) == 0o600
    assert credentials.load_token("labelstudio", URL_A) == "token-a"


def test_a_planted_symlink_at_the_drawn_temporary_name_is_refused_not_followed(
    token_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even a guessed temporary name cannot redirect the write: O_EXCL|O_NOFOLLOW."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    token_file.parent.mkdir(parents=True)
    planted = token_file.parent / ".credentials.json.planted"
    planted.symlink_to(victim)
    names = iter([planted.name, ".credentials.json.fresh"])
    monkeypatch.setattr(credentials, "_temporary_name", lambda _path: next(names))
    credentials.store_token("labelstudio", URL_A, "token-a")
    assert victim.read_text() == "precious\n"
    assert planted.is_symlink()  # left as it was, not written through
    assert credentials.load_token("labelstudio", URL_A) == "token-a"


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"a": "b"'])
def test_a_file_that_cannot_be_parsed_is_never_overwritten(
    token_file: Path, content: str
) -> None:
    token_file.parent.mkdir(parents=True)
    token_file.write_text(content)
    for write in (
        lambda: credentials.store_token("labelstudio", URL_A, "token-a"),
        lambda: credentials.forget_token("labelstudio", URL_A),
    ):
        with pytest.raises(credentials.CredentialsFileError) as caught:
            write()
        message = str(caught.value)
        assert str(token_file) in message and "\n" not in message
        assert token_file.read_text() == content
    assert [p.name for p in token_file.parent.iterdir()] == ["credentials.json"]


def test_the_file_is_flushed_before_it_replaces_the_old_one(
    token_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(credentials.os, "fsync", recording_fsync)
    credentials.store_token("labelstudio", URL_A, "token-a")
    assert len(synced) >= 1
