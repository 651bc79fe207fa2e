"""Sync from the window against the real server: indicator, Sync now, conflicts panel."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations, EditAnnotations
from limner.models.store import queries, sync_store
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.sync import credentials
from tests.integration.test_labelstudio_sync import TOKEN_ENV, clone, remote_regions


@pytest.fixture
def credential_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "credentials.json"
    monkeypatch.setenv("LIMNER_CREDENTIALS_FILE", str(path))
    return path


def wait_synced(qtbot, win) -> None:
    qtbot.waitUntil(lambda: win.sync is not None and not win.sync.running, timeout=120_000)


def test_window_syncs_and_resolves_a_conflict(
    qtbot, ls_project, credential_file, tmp_path, capsys, monkeypatch
) -> None:
    from limner.app.connect_dialog import ConnectDialog
    from limner.app.main_window import MainWindow

    server = ls_project.server
    monkeypatch.setenv(TOKEN_ENV, server.legacy_token)
    # the Connect dialog signs in and lists the server's projects
    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    dialog.url.setText(server.url)
    dialog.token.setText(server.legacy_token)
    assert dialog.test_connection()
    assert dialog.project.findData(str(ls_project.id)) >= 0
    dialog.token.setText("wrong-token-value")
    assert not dialog.test_connection()
    assert "401" in dialog.status.text()

    path = tmp_path / "clone"
    clone(server, ls_project.id, path, capsys)
    credentials.store_token("labelstudio", server.url, server.legacy_token)
    assert server.legacy_token not in (path / "project.limner").read_bytes().decode("latin-1")

    store = ProjectStore.open(path)
    win = MainWindow(store)
    qtbot.addWidget(win)
    win.show()
    assert win.sync is not None
    wait_synced(qtbot, win)
    assert "up to date" in win.sync_indicator.text()

    win.editor.open_first()
    image = win.editor.image
    car = next(c.id for c in win.editor.classes if c.name == "Car")
    item = NewAnnotation(new_uuid(), image.id, car, Box(2, 2, 20, 20))
    win.editor.commit(AddAnnotations((item,)))
    assert "pending" in win.sync_indicator.text() or win.sync.pending() == 1
    QTest.keyClick(win, Qt.Key.Key_F5)
    wait_synced(qtbot, win)
    assert win.sync.pending() == 0
    with store.read() as conn:
        task_id = int(sync_store.link_by_image(conn, 1, image.id).remote_key)
    annotations, remote = remote_regions(server, task_id, image.width, image.height)
    assert item.uuid in remote

    # the same box moved on the server and here: a conflict in the panel
    with server.client() as http:
        (annotation,) = annotations
        result = annotation["result"]
        for entry in result:
            if entry["id"] == item.uuid:
                entry["value"]["x"] = 40.0
        http.patch(f"/api/annotations/{annotation['id']}/", json={"result": result})
    with store.read() as conn:
        record = queries.annotation_by_uuid(conn, item.uuid)
    win.editor.commit(
        EditAnnotations.from_records("Move", [(record, {"geometry": Box(3, 3, 21, 21)})])
    )
    QTest.keyClick(win, Qt.Key.Key_F5)
    wait_synced(qtbot, win)
    assert win.conflicts.list.count() == 1
    assert "conflict" in win.sync_indicator.text()
    win.conflicts.list.setCurrentRow(0)
    assert win.editor.selection() == {item.uuid}  # the conflict shows its shape
    win.conflicts.mine.click()
    wait_synced(qtbot, win)
    assert win.conflicts.list.count() == 0
    _, remote = remote_regions(server, task_id, image.width, image.height)
    got = remote[item.uuid].geometry
    assert abs(got.x0 - 3) < 1e-6 and abs(got.x1 - 21) < 1e-6
    win.close()
    store.close()
