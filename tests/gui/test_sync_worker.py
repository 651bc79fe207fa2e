"""The window's sync worker survives any exception: it reports, backs off and tries again.

The engine and the adapter are replaced by scripted stand-ins, so these tests are about
the worker thread and the controller alone (the same path against a real server that
answers garbage is in tests/integration/test_sync_recovery.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from limner.app import sync_controller
from limner.app.sync_controller import SyncController
from limner.models.errors import StoreError
from limner.models.store import sync_store
from limner.models.store.store import ProjectStore
from limner.sync import credentials
from limner.sync.engine import SyncReport
from limner.sync.errors import ConfigError
from limner.sync.retry import Backoff

URL = "http://annotations.invalid:8080"
TOKEN = "0123456789abcdef0123456789abcdef01234567"


class StubAdapter:
    def __init__(self, log: list[str]) -> None:
        self._log = log
        log.append("made")

    def close(self) -> None:
        self._log.append("closed")


Step = BaseException | SyncReport


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[Step]], list[str]]:
    """Replace the engine by one that plays ``steps`` (raise or return), one per run."""

    def install(steps: list[Step]) -> list[str]:
        events: list[str] = []

        class ScriptedEngine:
            def __init__(self, store: ProjectStore, remote_id: int, adapter: Any) -> None:
                pass

            def run_once(self, **_kwargs: Any) -> SyncReport:
                events.append("run")
                step = steps.pop(0)
                if isinstance(step, BaseException):
                    raise step
                return step

        monkeypatch.setattr(sync_controller, "SyncEngine", ScriptedEngine)
        monkeypatch.setattr(
            sync_controller, "make_adapter", lambda *args, **kwargs: StubAdapter(events)
        )
        return events

    return install


@pytest.fixture
def remote(project: ProjectStore) -> sync_store.RemoteRecord:
    with project.transaction(origin="settings") as (conn, _changes):
        sync_store.add_remote(conn, "labelstudio", URL, "3")
    with project.read() as conn:
        return sync_store.remotes(conn)[0]


@pytest.fixture
def controller(qtbot, project: ProjectStore, remote) -> Iterator[SyncController]:
    made = SyncController(
        project, remote, TOKEN, auto=False, backoff=Backoff(first=0.02, cap=0.08)
    )
    yield made
    made.shutdown()


def record(controller: SyncController) -> tuple[list[SyncReport], list[float]]:
    reports: list[SyncReport] = []
    delays: list[float] = []
    controller.finished.connect(reports.append)
    controller.retrying.connect(lambda delay, _report: delays.append(delay))
    return reports, delays


GARBAGE = AttributeError("'list' object has no attribute 'get'")


def test_any_exception_ends_the_run_and_sync_retries_until_it_works(
    qtbot, controller: SyncController, scripted, caplog
) -> None:
    events = scripted([GARBAGE, AttributeError(str(GARBAGE)), KeyError("id"), SyncReport()])
    reports, delays = record(controller)
    with caplog.at_level(logging.WARNING, logger="limner.sync"):
        controller.sync_now()
        qtbot.waitUntil(lambda: len(reports) == 4, timeout=30_000)
    assert [r.state for r in reports] == ["error", "error", "error", "up_to_date"]
    assert "AttributeError" in reports[0].message and "'list'" in reports[0].message
    assert "KeyError" in reports[2].message
    assert reports[0].finished_at  # the indicator can say when it happened
    assert delays == [0.02, 0.04, 0.08]  # doubling, from the injected backoff
    assert not controller.running and not controller.retry_pending
    assert controller.backoff.failures == 0  # the run that worked reset it
    # a traceback once per kind of failure; the same failure again is one line
    tracebacks = [r.getMessage() for r in caplog.records if "Traceback" in r.getMessage()]
    assert len(tracebacks) == 2
    assert "AttributeError: 'list' object" in tracebacks[0] and "run_once" in tracebacks[0]
    assert "KeyError: 'id'" in tracebacks[1]
    assert sum("again the same way" in r.getMessage() for r in caplog.records) == 1
    # each failed run dropped its adapter; the next run built a fresh one
    assert events == [
        "made", "run", "closed", "made", "run", "closed", "made", "run", "closed", "made", "run"
    ]  # fmt: skip


def test_limners_own_errors_outside_the_engine_also_retry(
    qtbot, controller: SyncController, scripted
) -> None:
    scripted([StoreError("the project file is locked"), SyncReport()])
    reports, delays = record(controller)
    controller.sync_now()
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=30_000)
    assert reports[0].state == "error"
    assert reports[0].message == "the project file is locked"
    assert delays == [0.02]
    assert reports[1].state == "up_to_date"


def test_timer_and_edits_wait_for_the_retry_but_sync_now_does_not(
    qtbot, project: ProjectStore, remote, scripted
) -> None:
    scripted([ConfigError("bad answer"), SyncReport(), SyncReport()])
    slow = SyncController(project, remote, TOKEN, auto=False, backoff=Backoff(first=3600, cap=3600))
    try:
        reports, delays = record(slow)
        slow.sync_now()
        qtbot.waitUntil(lambda: len(reports) == 1, timeout=30_000)
        assert delays == [3600] and slow.retry_pending
        slow._auto_sync()  # what the periodic timer and the edit debounce call
        assert not slow.running and len(reports) == 1
        slow.sync_now()  # the user asks: runs at once
        qtbot.waitUntil(lambda: len(reports) == 2, timeout=30_000)
        assert reports[1].state == "up_to_date"
        assert not slow.retry_pending
    finally:
        slow.shutdown()


@pytest.mark.parametrize("state", ["auth", "offline", "cancelled"])
def test_only_error_runs_start_a_backoff(
    qtbot, controller: SyncController, scripted, state: str
) -> None:
    scripted([SyncReport(state=state, message="x")])
    reports, delays = record(controller)
    controller.sync_now()
    qtbot.waitUntil(lambda: len(reports) == 1, timeout=30_000)
    assert delays == [] and not controller.retry_pending


def test_the_window_shows_the_failure_and_clears_it_after_recovery(
    qtbot, project: ProjectStore, remote, scripted, tmp_path: Path, monkeypatch, caplog
) -> None:
    from limner.app.main_window import MainWindow

    monkeypatch.setenv("LIMNER_CREDENTIALS_FILE", str(tmp_path / "credentials.json"))
    credentials.store_token("labelstudio", URL, TOKEN)
    monkeypatch.setattr(sync_controller, "default_backoff", lambda: Backoff(first=0.3, cap=0.3))
    secret = f"Authorization: Token {TOKEN}"
    scripted([ValueError(f"unexpected answer\nfrom server ({secret})"), SyncReport()])
    seen: list[tuple[str, str, bool, str]] = []

    win = MainWindow(project)
    qtbot.addWidget(win)
    assert win.sync is not None
    win.sync.retrying.connect(
        lambda delay, report: seen.append(
            (
                win.sync_indicator.text(),
                win.conflicts.problem.text(),
                win.conflicts.problem.isVisibleTo(win.conflicts),
                win.statusBar().currentMessage(),
            )
        )
    )
    win.show()
    qtbot.waitUntil(
        lambda: win.sync.last_report is not None and win.sync.last_report.ok, timeout=30_000
    )
    (indicator, problem, visible, status), *_ = seen
    assert "sync error" in indicator and "retrying in 1 s" in indicator
    assert visible and "Sync failed: unexpected problem (ValueError" in problem
    assert "Next try in 1 s" in problem
    assert "Sync failed" in status
    for shown in (indicator, problem, status, win.sync_indicator.toolTip()):
        assert TOKEN not in shown
    assert problem.count("\n") == 1 and "unexpected answer from server" in problem
    assert "Traceback" in caplog.text and "ValueError" in caplog.text
    assert TOKEN not in caplog.text  # not in the traceback either
    # recovered: up to date, and the problem line is gone
    assert "up to date" in win.sync_indicator.text()
    assert not win.conflicts.problem.isVisibleTo(win.conflicts)
    win.close()
