"""The window's background sync survives garbage from the real server and recovers by itself.

A garbling proxy sits in front of the real Label Studio server. The window first syncs
through it normally; then the server's task listing answers ``[1, 2, 3]`` twice. The run
must end with an error shown in the status bar and above the conflicts, back off, try
again by itself and, once the listing is sane again, bring in what changed meanwhile.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from limner.app import sync_controller
from limner.app.cli import main as cli
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.sync import credentials
from limner.sync.retry import Backoff
from tests.fakes.garble_proxy import GarbleProxy
from tests.integration.conftest import TOKEN_ENV
from tests.integration.labelstudio_server import make_png

TASKS = "/api/tasks/"


def clone_through(url: str, project_id: int, path: Path, capsys) -> None:
    code = cli(
        ["clone", "--kind", "labelstudio", "--url", url, "--project", str(project_id),
         "--token-env", TOKEN_ENV, "--json", str(path)]
    )  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report


def image_count(store: ProjectStore) -> int:
    with store.read() as conn:
        return queries.image_count(conn)


def test_window_sync_recovers_after_the_server_answered_garbage(
    qtbot, ls_project, tmp_path: Path, capsys, monkeypatch, caplog
) -> None:
    from limner.app.main_window import MainWindow

    server = ls_project.server
    monkeypatch.setenv("LIMNER_CREDENTIALS_FILE", str(tmp_path / "credentials.json"))
    monkeypatch.setenv(TOKEN_ENV, server.legacy_token)
    monkeypatch.setattr(sync_controller, "default_backoff", lambda: Backoff(first=0.5, cap=2.0))
    with GarbleProxy(server.url) as proxy:
        path = tmp_path / "clone"
        clone_through(proxy.url, ls_project.id, path, capsys)
        assert proxy.forwarded[TASKS] > 0 and not proxy.garbled
        credentials.store_token("labelstudio", proxy.url, server.legacy_token)
        store = ProjectStore.open(path)
        assert image_count(store) == 3
        win = MainWindow(store)
        qtbot.addWidget(win)
        win.show()
        assert win.sync is not None
        qtbot.waitUntil(lambda: win.sync.last_report is not None, timeout=120_000)
        assert win.sync.last_report.state == "up_to_date", win.sync.last_report.message

        reports: list = []
        shown: list[tuple[str, str, str]] = []
        win.sync.finished.connect(reports.append)
        win.sync.retrying.connect(
            lambda delay, report: shown.append(
                (win.sync_indicator.text(), win.conflicts.problem.text(),
                 win.statusBar().currentMessage())
            )
        )  # fmt: skip
        server.upload_images(ls_project.id, {"yellow.png": make_png(40, 30, (230, 220, 30))})
        proxy.garble(TASKS, 2)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="limner.sync"):
            QTest.keyClick(win, Qt.Key.Key_F5)
            qtbot.waitUntil(
                lambda: len(reports) >= 3 and not win.sync.running, timeout=120_000
            )

        assert proxy.garbled[TASKS] == 2
        assert [r.state for r in reports] == ["error", "error", "up_to_date"], [
            (r.state, r.message) for r in reports
        ]
        # the garbage was reported, and sync said it would try again
        failure = reports[0].message
        unexpected = "unexpected problem" in failure
        assert unexpected or "GET /api/tasks/" in failure, failure
        assert len(shown) == 2
        indicator, problem, status = shown[0]
        assert "sync error" in indicator and "retrying in" in indicator
        assert problem.startswith("⚠ Sync failed:") and "Next try in" in problem
        assert status.startswith("Sync failed:")
        # an exception nobody expected is logged with its traceback, once
        tracebacks = [r for r in caplog.records if "Traceback" in r.getMessage()]
        assert len(tracebacks) == (1 if unexpected else 0)
        assert server.legacy_token not in caplog.text
        # recovered by itself: the image added meanwhile is here, the problem line is gone
        assert image_count(store) == 4
        assert "up to date" in win.sync_indicator.text()
        assert not win.conflicts.problem.isVisibleTo(win.conflicts)
        win.close()
        store.close()
