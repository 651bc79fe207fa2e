"""``limner token set`` with a token file it cannot parse: one line naming it, nothing lost."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from limner.app.cli import main
from limner.sync import credentials

URL_A = "https://a.example.org"


@pytest.fixture
def token_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config" / "credentials.json"
    monkeypatch.setenv("LIMNER_CREDENTIALS_FILE", str(path))
    monkeypatch.setattr(credentials, "_keyring_usable", lambda: False)
    return path


def test_the_cli_says_which_file_and_exits_2(
    token_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token_file.parent.mkdir(parents=True)
    token_file.write_text('{"labelstudio:https://old.example.org": "kept"')
    monkeypatch.setattr("sys.stdin", io.StringIO("new-token\n"))
    assert main(["token", "set", "--kind", "labelstudio", "--url", URL_A]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(token_file) in err
    assert token_file.read_text() == '{"labelstudio:https://old.example.org": "kept"'
