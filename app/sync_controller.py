"""Runs the sync engine on its own thread and reports to the window through Qt signals.

The engine is Qt-free; this bridge owns one worker thread per open project. A run starts
on a timer, after local edits (debounced), or on "Sync now"; a cancel event stops a long
first download between images. Errors never escape to the GUI thread as exceptions: they
arrive as a report with a state (offline, auth, error) that the status bar shows.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from models import sync_store
from models.errors import LimnerError
from models.store import ChangeSet, ProjectStore
from sync import credentials
from sync.adapters.base import Adapter
from sync.engine import SyncEngine, SyncReport
from sync.factory import make_adapter

log = logging.getLogger("limner.sync")

AUTO_INTERVAL_MS = 60_000
EDIT_DEBOUNCE_MS = 4_000


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

    @Slot()
    def run(self) -> None:
        self.cancel.clear()
        try:
            if self._adapter is None:
                self._adapter = make_adapter(
                    self._remote.kind,
                    self._remote.base_url,
                    self._remote.project_ref,
                    self._token,
                    settings=self._remote.settings,
                )
            engine = SyncEngine(self._store, self._remote.id, self._adapter)
            report = engine.run_once(
                progress=lambda stage, done, total: self.progressed.emit(stage, done, total),
                cancel=self.cancel,
            )
        except LimnerError as exc:
            report = SyncReport(state="error", message=str(exc))
        self.finished.emit(report)

    def close(self) -> None:
        if self._adapter is not None:
            self._adapter.close()
            self._adapter = None


class SyncController(QObject):
    """One remote of one project: timer, debounce, a worker thread, the last report."""

    started = Signal()
    progressed = Signal(str, int, object)
    finished = Signal(object)  # SyncReport
    _request = Signal()

    def __init__(
        self,
        store: ProjectStore,
        remote: sync_store.RemoteRecord,
        token: str,
        parent: QObject | None = None,
        *,
        auto: bool = True,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.remote = remote
        self.running = False
        self.last_report: SyncReport | None = None
        self._again = False
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
        self._timer.timeout.connect(self.sync_now)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(EDIT_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.sync_now)
        if auto:
            self._timer.start()
        self._unsubscribe = store.subscribe(self._on_change)

    @classmethod
    def for_project(
        cls, store: ProjectStore, parent: QObject | None = None
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
        return cls(store, remote, token, parent)

    def _on_change(self, changes: ChangeSet) -> None:
        # Called in whatever thread committed; only user edits schedule a push.
        if changes.origin == "user":
            QTimer.singleShot(0, self, self._debounce.start)

    def sync_now(self) -> None:
        if self.running:
            self._again = True
            return
        self.running = True
        self.started.emit()
        self._request.emit()

    def cancel(self) -> None:
        self._worker.cancel.set()

    def _done(self, report: SyncReport) -> None:
        self.running = False
        self.last_report = report
        self.finished.emit(report)
        if self._again:
            self._again = False
            self.sync_now()

    def pending(self) -> int:
        with self.store.read() as conn:
            return sync_store.pending_count(conn, self.remote.id)

    def shutdown(self) -> None:
        self._unsubscribe()
        self._timer.stop()
        self._debounce.stop()
        self.cancel()
        self._thread.quit()
        self._thread.wait(15000)
        self._worker.close()
