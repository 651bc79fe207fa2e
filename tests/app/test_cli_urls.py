"""A malformed ``--url`` stops the command with one line and exit 2, before anything is made."""

from __future__ import annotations

from pathlib import Path

import pytest

from limner.app.cli import main
from limner.models.store import sync_store
from limner.models.store.store import ProjectStore

BAD_URLS = ["http://[::1", "ftp://host", "localhost:8080", "https://host:99999"]


@pytest.fixture(autouse=True)
def token_in_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LIMNER_TEST_TOKEN", "abc123")
    monkeypatch.setenv("LIMNER_CREDENTIALS_FILE", str(tmp_path / "credentials.json"))


def _one_line_error(capsys: pytest.CaptureFixture[str], url: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("limner: ") and repr(url) in err
    return err


@pytest.mark.parametrize("url", BAD_URLS)
def test_remote_add_refuses_and_stores_nothing(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ProjectStore.create(tmp_path / "p").close()
    args = ["remote", "add", str(tmp_path / "p"), "--kind", "labelstudio", "--url", url]
    assert main([*args, "--project", "1", "--token-env", "LIMNER_TEST_TOKEN"]) == 2
    _one_line_error(capsys, url)
    with ProjectStore.open(tmp_path / "p") as store, store.read() as conn:
        assert sync_store.remotes(conn) == []


@pytest.mark.parametrize("url", BAD_URLS)
def test_clone_refuses_before_making_a_project(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["clone", "--kind", "labelstudio", "--url", url, "--project", "1"]
    assert main([*args, "--token-env", "LIMNER_TEST_TOKEN", str(tmp_path / "c")]) == 2
    _one_line_error(capsys, url)
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("url", BAD_URLS)
def test_token_set_refuses(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("secret-token\n"))
    assert main(["token", "set", "--kind", "labelstudio", "--url", url]) == 2
    _one_line_error(capsys, url)
    assert not (tmp_path / "credentials.json").exists()
