"""A server whose certificate cannot be trusted is a TLS problem, not offline, not an error.

The engine syncs with a real Label Studio adapter pointed at an HTTPS server whose
certificate is self-signed (nothing on this machine trusts it). The run must end in the
state "tls" with the TLS library's reason, after one attempt (waiting does not fix a
certificate), and ``limner sync`` must print that and exit 1 instead of trying again
forever. With the certificate trusted, the same server gets past TLS, which shows the
state comes from the handshake and not from the address.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from limner.app import cli_sync
from limner.app.cli import main
from limner.models.store import sync_store
from limner.models.store.store import ProjectStore
from limner.sync.engine import SyncEngine
from limner.sync.factory import make_adapter
from limner.sync.retry import RetryPolicy
from tests.sync.test_transport import _certificate, _serving

TOKEN = "0123456789abcdef0123456789abcdef01234567"
TOKEN_ENV = "LIMNER_TLS_TEST_TOKEN"


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def https_url(tls_files: tuple[Path, Path]) -> Iterator[str]:
    with _serving(tls_files) as port:
        yield f"https://127.0.0.1:{port}"


def _project(path: Path, url: str) -> tuple[ProjectStore, int]:
    store = ProjectStore.create(path)
    with store.transaction(origin="settings") as (conn, _changes):
        remote_id = sync_store.add_remote(conn, "labelstudio", url, "1")
    return store, remote_id


def _run(tmp_path: Path, url: str) -> tuple[dict, list[float]]:
    store, remote_id = _project(tmp_path / "p", url)
    sleeps: list[float] = []
    adapter = make_adapter(
        "labelstudio", url, "1", TOKEN, policy=RetryPolicy(attempts=4, sleeper=sleeps.append)
    )
    try:
        report = SyncEngine(store, remote_id, adapter).run_once()
    finally:
        adapter.close()
        store.close()
    return report.to_json(), sleeps


def test_an_untrusted_certificate_ends_the_run_in_the_tls_state(
    tmp_path: Path, https_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    report, sleeps = _run(tmp_path, https_url)
    host = https_url.removeprefix("https://")
    assert report["state"] == "tls"
    assert report["message"].startswith(f"the TLS certificate of host {host} could not be verified")
    assert "self" in report["message"]  # "self-signed certificate", as the TLS library says
    assert sleeps == []  # tried once: not transient, never retried
    assert report["exit_code"] == 1


def test_with_the_certificate_trusted_the_run_gets_past_tls(
    tmp_path: Path, https_url: str, tls_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # httpx builds its default trust from SSL_CERT_FILE when it is set.
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files[0]))
    report, _sleeps = _run(tmp_path, https_url)
    # The test server answers {"ok": true} to everything, which is no Label Studio.
    assert report["state"] == "error", report
    assert "TLS" not in report["message"]


def test_limner_sync_prints_the_tls_problem_and_exits_1(
    tmp_path: Path,
    https_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    store, _remote_id = _project(tmp_path / "p", https_url)
    store.close()

    def no_second_run(seconds: float) -> None:
        raise AssertionError(f"limner sync waited {seconds} s to try a TLS failure again")

    monkeypatch.setattr(cli_sync.time, "sleep", no_second_run)
    code = main(["sync", str(tmp_path / "p"), "--token-env", TOKEN_ENV])  # no --once
    out = capsys.readouterr().out
    assert code == 1
    first, message = out.splitlines()[:2]
    assert first.startswith("tls: ")
    assert "TLS certificate of host 127.0.0.1" in message and "could not be verified" in message
