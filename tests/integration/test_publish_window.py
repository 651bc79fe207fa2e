"""Publishing from the window: the Connect dialog's choice, Cancel, and continuing."""

from __future__ import annotations

from pathlib import Path

import pytest

from limner.models.store.store import ProjectStore
from tests.integration.labelstudio_server import LabelStudioServer
from tests.integration.test_labelstudio_publish import IMAGES, _local_project, _tasks


@pytest.fixture
def credential_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "credentials.json"
    monkeypatch.setenv("LIMNER_CREDENTIALS_FILE", str(path))
    return path


def test_the_dialog_says_why_cloudfactory_cannot_be_published_to(qtbot) -> None:
    from limner.app.connect_dialog import ConnectDialog

    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("cloudfactory"))
    assert not dialog.publish.isEnabled()
    assert "work items" in dialog.publish_note.text()
    assert dialog.publish_choice() == (False, "")
    dialog.kind.setCurrentIndex(dialog.kind.findData("labelstudio"))
    assert dialog.publish.isEnabled() and dialog.publish_note.text() == ""


def _run(qtbot, store: ProjectStore, server: LabelStudioServer, *, cancel: bool, title: str):
    from limner.app.publish_ui import PublishRun

    outcome: list[object] = []
    values = ("labelstudio", server.url, server.legacy_token, "", title)
    run = PublishRun(None, store, values, outcome.append)
    if cancel:
        run.worker.cancel.set()  # as the dialog's Cancel does, here before the first batch
    run.start()
    qtbot.waitUntil(lambda: bool(outcome), timeout=120_000)
    return outcome[0]


def test_cancel_then_publish_again_continues(
    qtbot, labelstudio_running: LabelStudioServer, credential_file: Path, tmp_path: Path
) -> None:
    server = labelstudio_running
    path = _local_project(tmp_path)
    with ProjectStore.open(path) as store:
        first = _run(qtbot, store, server, cancel=True, title="from the window")
        assert first is not None and first.cancelled and first.sent == []
        second = _run(qtbot, store, server, cancel=False, title="from the window")
        assert second is not None and not second.cancelled
        assert len(second.sent) == IMAGES
        from limner.models.store import sync_store

        with store.read() as conn:
            (remote,) = sync_store.remotes(conn)
    assert len(_tasks(server, int(remote.project_ref))) == IMAGES
