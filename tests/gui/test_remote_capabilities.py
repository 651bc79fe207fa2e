"""A project synced with a server greys out the tools whose shapes the server cannot hold."""

from __future__ import annotations

from pathlib import Path

from limner.models.store import sync_store
from limner.sync import credentials


def test_box_only_server_disables_other_tools(qtbot, project, tmp_path: Path, monkeypatch) -> None:
    from limner.app.main_window import MainWindow

    monkeypatch.setenv("LIMNER_CREDENTIALS_FILE", str(tmp_path / "cred.json"))
    url = "http://127.0.0.1:9"  # nothing listens: the first sync just reports offline
    credentials.store_token("cloudfactory", url, "key-123")
    with project.transaction(origin="settings") as (conn, _changes):
        sync_store.add_remote(conn, "cloudfactory", url, "space/proj")
    win = MainWindow(project)
    qtbot.addWidget(win)
    win.show()
    assert win.sync is not None
    assert win.tool_actions["box"].isEnabled()
    for tool in ("polygon", "brush", "eraser", "wand", "grabcut", "keypoints"):
        action = win.tool_actions[tool]
        assert not action.isEnabled(), tool
        assert "CloudFactory" in action.toolTip()
    qtbot.waitUntil(lambda: not win.sync.running, timeout=60_000)
    assert win.sync_indicator.text().startswith("○ offline")
    win.close()
