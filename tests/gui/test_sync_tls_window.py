"""The window names a TLS failure as such: not "offline", not a generic sync error.

The project's remote is an HTTPS server with a self-signed certificate; the real sync
controller and engine run against it. The status-bar indicator must say it is a TLS
problem, the sync panel and the status bar must carry the reason and what fixes it, and
no quick backoff retry may start (waiting does not fix a certificate).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from limner.models.store import sync_store
from limner.models.store.store import ProjectStore
from limner.sync import credentials
from tests.sync.test_transport import _certificate, _serving

TOKEN = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def https_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    files = _certificate(tmp_path_factory.mktemp("tls"))
    with _serving(files) as port:
        yield f"https://127.0.0.1:{port}"


def test_the_status_bar_shows_a_tls_problem(
    qtbot, project: ProjectStore, https_url: str, tmp_path: Path, monkeypatch
) -> None:
    from limner.app.main_window import MainWindow

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("LIMNER_CREDENTIALS_FILE", str(tmp_path / "credentials.json"))
    credentials.store_token("labelstudio", https_url, TOKEN)
    with project.transaction(origin="settings") as (conn, _changes):
        sync_store.add_remote(conn, "labelstudio", https_url, "3")

    win = MainWindow(project)
    qtbot.addWidget(win)
    assert win.sync is not None
    win.show()
    qtbot.waitUntil(lambda: win.sync.last_report is not None, timeout=30_000)
    assert win.sync.last_report.state == "tls"
    indicator = win.sync_indicator.text()
    assert "TLS problem" in indicator and "offline" not in indicator
    assert "could not be verified" in win.sync_indicator.toolTip()
    problem = win.conflicts.problem.text()
    assert win.conflicts.problem.isVisibleTo(win.conflicts)
    assert "Secure connection failed (TLS): the TLS certificate of host 127.0.0.1" in problem
    assert "Fix the certificate or the server address" in problem
    assert "Secure connection failed (TLS)" in win.statusBar().currentMessage()
    assert not win.sync.retry_pending
    win.close()
