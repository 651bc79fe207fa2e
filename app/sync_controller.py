"""Runs the sync engine on its own thread and reports to the window through Qt signals.

The engine is Qt-free; this bridge owns one worker thread per open project. A run starts
on a timer, after local edits (debounced), or on "Sync now"; a cancel event stops a long
first download between images.

Whatever happens inside a run, the run ends with a report: limner's own errors arrive
with their state (offline, auth, tls, error) and message; any other exception (a bug, or a
server answer nothing was prepared for) is logged with its traceback, once per kind of
failure, and arrives as an "error" report. The worker is never left busy, so sync goes on
in the same session. After an "error" run the controller tries again by itself after a
capped exponential backoff (5 s, 10 s, ... 5 min; injectable), during which the periodic
timer and edits wait for that retry; "Sync now" runs at once. A run that brings the
project up to date resets the backoff.
"""

from __future__ import annotations

import logging
import threading
import traceback
from datetime import datetime

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from limner.app.errors import user_message
from limner.models.errors import LimnerError
from limner.models.store import sync_store
from limner.models.store.store import ChangeSet, ProjectStore
from limner.sync import credentials
from limner.sync.adapters.base import Adapter
from limner.sync.engine import SyncEngine, SyncReport
from limner.sync.factory import make_adapter
from limner.sync.redact import redact_text
from limner.sync.retry import Backoff
from limner.widgets.i18n import translate

log = logging.getLogger("limner.sync")

AUTO_INTERVAL_MS = 60_000
EDIT_DEBOUNCE_MS = 4_000
RETRY_STATES = frozenset({"error"})  # offline and TLS failures keep to the periodic timer


def default_backoff() -> Backoff:
    """Waits between failed runs: 5 s doubling up to 5 minutes."""
    return Backoff(first=5.0, cap=300.0)


class _Worker(QObject):
    progressed = Signal(str, int, object)
    finished = Signal(object)  # SyncReport

    def __init__(self, store: ProjectStore, remote: sync_store.RemoteRecord, token: str) -> None:
        super().__init__()
        self._store = store
        self._remote = remote
        self._token = token
        self.cancel = threading.Event()
        self._adapter: Adapter | None = None
        self._last_failure: str | None = None

    @Slot()
    def run(self) -> None:
        """One sync run; always ends by emitting ``finished``, whatever was raised."""
        self.cancel.clear()
        report: SyncReport | None = None
        try:
            report = self._run_once()
            self._last_failure = None
        except LimnerError as exc:
            report = self._failed(str(exc))
        except Exception as exc:
            report = self._unexpected(exc)
        finally:
            if report is None:  # only if even reporting failed; that error is on its way up
                stopped = translate("Sync", "sync stopped unexpectedly")
                report = SyncReport(state="error", message=stopped)
            self.finished.emit(report)

    def _run_once(self) -> SyncReport:
        if self._adapter is None:
            self._adapter = make_adapter(
                self._remote.kind,
                self._remote.base_url,
                self._remote.project_ref,
                self._token,
                settings=self._remote.settings,
            )
        engine = SyncEngine(self._store, self._remote.id, self._adapter)
        return engine.run_once(
            progress=lambda stage, done, total: self.progressed.emit(stage, done, total),
            cancel=self.cancel,
        )

    def _unexpected(self, exc: Exception) -> SyncReport:
        """Log an exception nobody expected (its traceback once while it repeats) and start
        the next run from a fresh adapter, whose state this run may have left half-done."""
        message = user_message(exc)
        signature = f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"
        if signature != self._last_failure:
            # The traceback as text, redacted: an exception's message may quote a server.
            trace = redact_text("".join(traceback.format_exception(exc)).rstrip())
            log.error("sync run failed: %s\n%s", message, trace)
        else:
            log.warning("sync run failed again the same way: %s", message)
        self._last_failure = signature
        self._drop_adapter()
        return self._failed(message)

    def _failed(self, message: str) -> SyncReport:
        report = SyncReport(state="error", message=message)
        report.finished_at = datetime.now().astimezone().isoformat(timespec="seconds")
        try:
            with self._store.read() as conn:
                report.pending = sync_store.pending_count(conn, self._remote.id)
                report.conflicts = len(sync_store.open_conflicts(conn, self._remote.id))
        except Exception:
            log.warning("could not count pending changes after a failed sync", exc_info=True)
        return report

    def _drop_adapter(self) -> None:
        adapter, self._adapter = self._adapter, None
        if adapter is None:
            return
        try:
            adapter.close()
        except Exception:
            log.warning("closing the adapter after a failed sync failed too", exc_info=True)

    def close(self) -> None:
        if self._adapter is not None:
            self._adapter.close()
            self._adapter = None


class SyncController(QObject):
    """One remote of one project: timer, debounce, a worker thread, the last report, and
    the backoff retry after a failed run."""

    started = Signal()
    progressed = Signal(str, int, object)
    finished = Signal(object)  # SyncReport
    retrying = Signal(float, object)  # seconds until the next try, the failed SyncReport
    _request = Signal()

    def __init__(
        self,
        store: ProjectStore,
        remote: sync_store.RemoteRecord,
        token: str,
        parent: QObject | None = None,
        *,
        auto: bool = True,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.remote = remote
        self.running = False
        self.last_report: SyncReport | None = None
        self.backoff = backoff if backoff is not None else default_backoff()
        self._again = False
        self._closed = False
        self._thread = QThread()
        self._thread.setObjectName("limner-sync")
        self._worker = _Worker(store, remote, token)
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.run)
        self._worker.progressed.connect(self.progressed)
        self._worker.finished.connect(self._done)
        self._thread.start()
        self._timer = QTimer(self)
        self._timer.setInterval(AUTO_INTERVAL_MS)
        self._timer.timeout.connect(self._auto_sync)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(EDIT_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._auto_sync)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.sync_now)
        if auto:
            self._timer.start()
        self._unsubscribe = store.subscribe(self._on_change)

    @classmethod
    def for_project(
        cls, store: ProjectStore, parent: QObject | None = None, *, backoff: Backoff | None = None
    ) -> SyncController | None:
        """A controller when the project has a remote and its token is saved, else None."""
        with store.read() as conn:
            found = sync_store.remotes(conn)
        if not found:
            return None
        remote = found[0]
        token = credentials.load_token(remote.kind, remote.base_url)
        if not token:
            return None
        return cls(store, remote, token, parent, backoff=backoff)

    def _on_change(self, changes: ChangeSet) -> None:
        # Called in whatever thread committed; only user edits schedule a push.
        if changes.origin == "user":
            QTimer.singleShot(0, self, self._debounce.start)

    def set_interval(self, seconds: int) -> None:
        """How often sync runs by itself while nothing is edited (a preference)."""
        self._timer.setInterval(max(1, seconds) * 1000)

    @property
    def retry_pending(self) -> bool:
        """A failed run is waiting for its backoff retry."""
        return self._retry.isActive()

    def _auto_sync(self) -> None:
        # During a backoff the timer and edits wait for the retry instead of running early.
        if not self._retry.isActive():
            self.sync_now()

    def sync_now(self) -> None:
        if self._closed:
            return
        if self.running:
            self._again = True
            return
        self._retry.stop()
        self.running = True
        self.started.emit()
        self._request.emit()

    def cancel(self) -> None:
        self._worker.cancel.set()

    def _done(self, report: SyncReport) -> None:
        self.running = False
        self.last_report = report
        if report.state == "up_to_date":
            self.backoff.reset()
        self.finished.emit(report)
        if self._closed:
            return
        if self._again:
            self._again = False
            self.sync_now()
        elif report.state in RETRY_STATES:
            delay = self.backoff.next_delay()
            self._retry.start(max(1, round(delay * 1000)))
            self.retrying.emit(delay, report)

    def pending(self) -> int:
        with self.store.read() as conn:
            return sync_store.pending_count(conn, self.remote.id)

    def shutdown(self) -> None:
        self._closed = True
        self._unsubscribe()
        self._timer.stop()
        self._debounce.stop()
        self._retry.stop()
        self.cancel()
        self._thread.quit()
        self._thread.wait(15000)
        self._worker.close()
