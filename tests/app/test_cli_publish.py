"""``limner remote add`` refuses to publish where the server offers no way to add images."""

from __future__ import annotations

from pathlib import Path

import pytest

from limner.app.cli import main
from limner.models.store import sync_store
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import create_project
from tests.integration.labelstudio_server import make_png


@pytest.fixture
def local_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    image = tmp_path / "a.png"
    image.write_bytes(make_png(8, 8, (1, 2, 3)))
    store, _ = create_project(tmp_path / "p", images=[image])
    store.close()
    monkeypatch.setenv("LIMNER_TEST_TOKEN", "not-a-real-token")
    return tmp_path / "p"


def _add(path: Path, kind: str, *where: str) -> int:
    args = ["remote", "add", str(path), "--kind", kind, "--url", "http://127.0.0.1:9"]
    return main([*args, *where, "--token-env", "LIMNER_TEST_TOKEN"])


@pytest.mark.parametrize("where", [("--create", "new"), ("--project", "s/p")])
def test_cloudfactory_publish_is_refused_and_nothing_is_stored(
    local_project: Path, where: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _add(local_project, "cloudfactory", *where) == 2
    err = capsys.readouterr().err
    assert "CloudFactory" in err and "work items" in err
    with ProjectStore.open(local_project) as store, store.read() as conn:
        assert sync_store.remotes(conn) == []


def test_an_empty_project_still_connects_to_cloudfactory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ProjectStore.create(tmp_path / "e").close()
    monkeypatch.setenv("LIMNER_TEST_TOKEN", "not-a-real-token")
    assert _add(tmp_path / "e", "cloudfactory", "--project", "s/p") == 0
    with ProjectStore.open(tmp_path / "e") as store, store.read() as conn:
        assert [r.kind for r in sync_store.remotes(conn)] == ["cloudfactory"]


def test_remote_add_needs_a_project_or_a_title(
    local_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        _add(local_project, "labelstudio")
