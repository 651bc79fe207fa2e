"""The window's side of sync: connect dialog, background runs, indicator, conflicts panel.

:class:`SyncUiController` owns the link between the project and its server as the window
shows it. It starts the background :class:`SyncController` (one per project; a new server
link replaces it), greys out the tools whose shapes the server cannot hold, and shows a
run's outcome in one place, :meth:`SyncUiController.show_report`: the indicator in the
status bar (state, counts, when sync tries again; the message in its tooltip), a
status-bar message and a line above the conflicts; a run that works clears them. No dialog
pops up for background failures.

It is given the widgets it drives (indicator, conflicts panel, status bar, a parent for its
dialogs) and connects their signals itself; what it needs of the editing session comes in
as two callables, so it knows nothing of how images are opened.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Signal
from PySide6.QtWidgets import QProgressDialog, QStatusBar, QWidget

from limner.app.action_set import Refused
from limner.app.connect_dialog import ConnectDialog
from limner.app.errors import show_error
from limner.app.sync_controller import SyncController
from limner.models.errors import LimnerError
from limner.models.store import queries, sync_store
from limner.models.store.store import ProjectStore
from limner.sync import credentials
from limner.sync.adapters.base import Capabilities
from limner.sync.engine import resolve_conflict
from limner.sync.factory import KIND_NAMES, capabilities_for
from limner.sync.redact import clean_message
from limner.widgets.i18n import said, translate
from limner.widgets.panels.sync_widgets import (
    ConflictRow,
    ConflictsPanel,
    SyncIndicator,
    state_text,
)
from limner.widgets.plain import plain_message_box, plain_progress_dialog

C = "Sync"
STAGES = {
    "pull": QT_TRANSLATE_NOOP("Sync", "Downloading"),
    "push": QT_TRANSLATE_NOOP("Sync", "Uploading"),
    "publish": QT_TRANSLATE_NOOP("Sync", "Publishing"),
}
"""The steps of a run that report progress, as the first sync's dialog names them."""

TOOL_KINDS = {
    "box": "box",
    "polygon": "polygon",
    "brush": "mask",
    "eraser": "mask",
    "wand": "mask",
    "grabcut": "mask",
    "scissors": "polygon",
    "segment": "mask",
    "keypoints": "keypoints",
    "polyline": "polyline",
    "point": "point",
    "ellipse": "ellipse",
}
"""The kind of shape each drawing tool makes, to ask the server's capabilities about."""


class SyncUiController(QObject):
    remoteChanged = Signal()
    """A server link started or ended: what the actions allow may have changed."""

    def __init__(
        self,
        store: ProjectStore,
        indicator: SyncIndicator,
        conflicts: ConflictsPanel,
        status: QStatusBar,
        parent: QWidget,
        *,
        project_is_empty: Callable[[], bool],
        after_run: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._indicator = indicator
        self._conflicts = conflicts
        self._status = status
        self._parent = parent
        self._project_is_empty = project_is_empty
        self._after_run = after_run
        self.controller: SyncController | None = None
        self._capabilities: Capabilities | None = None
        self._server_name = ""
        self._progress: QProgressDialog | None = None
        self._connect_dialog: ConnectDialog | None = None
        self._publish_run: QObject | None = None  # the publish under way, kept alive
        indicator.clicked.connect(self.show_details)
        conflicts.resolveRequested.connect(self.resolve_conflict)

    # -- the link ----------------------------------------------------------------------
    def start(self, controller: SyncController | None) -> None:
        """Sync through ``controller`` from now on (None: a local project)."""
        if self.controller is not None:
            self.controller.shutdown()
        self.controller = controller
        self._capabilities = None
        self.refresh_conflicts()
        if controller is None:
            self._indicator.show_state(
                "never", message=translate("Sync", "This project has no server.")
            )
            self._indicator.setText(translate("Sync", "local project"))
            self.remoteChanged.emit()
            return
        kind = controller.remote.kind
        self._capabilities = capabilities_for(kind)
        self._server_name = KIND_NAMES.get(kind, kind)
        self.remoteChanged.emit()
        controller.started.connect(self._started)
        controller.progressed.connect(self._progressed)
        controller.finished.connect(self._finished)
        controller.retrying.connect(self._retrying)
        self._indicator.show_state("never", pending=controller.pending())
        if self._project_is_empty():
            progress = plain_progress_dialog(
                translate("Sync", "Downloading the project for offline work…"),
                translate("ImportImages", "Cancel"), 0, 0, self._parent,
            )  # fmt: skip
            progress.setObjectName("syncProgress")
            progress.setWindowTitle(translate("Sync", "First sync"))
            progress.setMinimumDuration(300)
            progress.canceled.connect(controller.cancel)
            self._progress = progress
        controller.sync_now()

    def shutdown(self) -> None:
        """Stop the background sync before the window closes."""
        if self.controller is not None:
            self.controller.shutdown()
            self.controller = None

    def connected(self) -> bool:
        """The project syncs with a server (Sync now is enabled)."""
        return self.controller is not None

    def tool_allowed(self, tool: str) -> bool | Refused:
        """A drawing tool is refused when the server cannot hold the shapes it makes."""
        shape = TOOL_KINDS.get(tool)
        if self._capabilities is None or shape is None:
            return True
        why = self._capabilities.refuses(shape)
        return True if why is None else Refused(self._server_name, said(why))

    def sync_now(self) -> None:
        if self.controller is not None:
            self.controller.sync_now()

    def ask_connect(self) -> None:
        dialog = ConnectDialog(self._parent)
        dialog.accepted.connect(
            lambda: self._connect_remote(*dialog.values(), *dialog.publish_choice())
        )
        dialog.open()
        self._connect_dialog = dialog

    def _connect_remote(
        self, kind: str, url: str, token: str, project: str, publish: bool = False, title: str = ""
    ) -> None:
        if publish:
            self._publish(kind, url, token, "" if title else project, title)
            return
        with self._store.read() as conn:
            if sync_store.remotes(conn):
                _already_connected(self._parent)
                return
        link_remote(self._store, kind, url, token, project)
        self.start(SyncController.for_project(self._store, self._parent))

    def _publish(self, kind: str, url: str, token: str, project: str, title: str) -> None:
        """Publish, then sync as any connected project (labels, statuses, reviews)."""
        from limner.app.publish_ui import PublishRun

        with self._store.read() as conn:
            found = sync_store.remotes(conn)
        if found and (found[0].kind != kind or found[0].base_url.rstrip("/") != url):
            _already_connected(self._parent)
            return
        credentials.store_token(kind, url, token)
        if self.controller is not None:
            self.controller.shutdown()
            self.controller = None

        def then(report: object) -> None:
            self.start(SyncController.for_project(self._store, self._parent))

        self._publish_run = PublishRun(
            self._parent, self._store, (kind, url, token, project, title), then
        )
        self._publish_run.start()

    # -- runs --------------------------------------------------------------------------
    def _started(self) -> None:
        self._indicator.show_state("syncing")

    def _progressed(self, stage: str, done: int, total: object) -> None:
        if self._progress is not None:
            if isinstance(total, int):
                self._progress.setMaximum(total)
            self._progress.setValue(done)
            if total:
                self._progress.setLabelText(
                    translate("Sync", "{stage}: {done} of {total}").format(
                        stage=_stage(stage), done=done, total=total
                    )
                )
            else:
                self._progress.setLabelText(f"{_stage(stage)}: {done}")

    def _finished(self, report: object) -> None:
        if self._progress is not None:
            self._progress.reset()
            self._progress.deleteLater()
            self._progress = None
        self.show_report(report)
        self.refresh_conflicts()
        self._after_run()

    def _retrying(self, delay: float, report: object) -> None:
        self.show_report(report, retry_in=_duration(delay))

    def show_report(self, report: object, *, retry_in: str = "") -> None:
        """The outcome of a run in the indicator, the status bar and the conflicts panel."""
        r = report  # SyncReport
        state: str = r.state  # type: ignore[attr-defined]
        message = clean_message(r.message or "")  # type: ignore[attr-defined]
        self._indicator.show_state(
            state,
            pending=r.pending,  # type: ignore[attr-defined]
            last=(r.finished_at or "")[11:16],  # type: ignore[attr-defined]
            issues=len(r.issues),  # type: ignore[attr-defined]
            conflicts=r.conflicts,  # type: ignore[attr-defined]
            message=message,
            retry_in=retry_in,
        )
        if state not in ("error", "tls"):
            self._conflicts.show_problem("")
            return
        if state == "tls":  # a certificate or an address to fix, not a passing failure
            text = translate("Sync", "Secure connection failed (TLS): {message}").format(
                message=message
            )
            then = translate(
                "Sync", "Fix the certificate or the server address, then F5 syncs again."
            )
        else:
            text = (
                translate("Sync", "Sync failed: {message}").format(message=message)
                if message
                else translate("Sync", "Sync failed.")
            )
            then = (
                translate("Sync", "Next try in {delay}; F5 syncs now.").format(delay=retry_in)
                if retry_in
                else translate("Sync", "F5 syncs again.")
            )
        self._conflicts.show_problem(f"{text}\n{then}")
        self._status.showMessage(f"{text} {then}", 15_000)

    def show_details(self) -> None:
        report = self.controller.last_report if self.controller else None
        if report is None:
            text = (
                translate("Sync", "No sync has run yet.")
                if self.controller
                else translate("Sync", "This project has no server.")
            )
        else:
            lines = [
                translate("Sync", "State: {state}").format(state=state_text(report.state)),
                translate("Sync", "Last sync: {time}").format(time=report.finished_at),
            ]
            if report.message:
                lines.append(report.message)
            lines.append(
                translate("Sync", "Pending images: {pending}; conflicts: {conflicts}").format(
                    pending=report.pending, conflicts=report.conflicts
                )
            )
            lines.extend(f"• {issue}" for issue in report.issues[:30])
            text = "\n".join(lines)
        box = plain_message_box(
            self._parent, translate("Sync", "Sync details"), text, name="syncDetailsBox"
        )
        box.open()

    # -- conflicts ---------------------------------------------------------------------
    def refresh_conflicts(self) -> None:
        with self._store.read() as conn:
            rows = []
            for c in sync_store.open_conflicts(conn):
                record = queries.image_by_id(conn, c.image_id) if c.image_id else None
                rows.append(
                    ConflictRow(
                        c.id, c.image_id, record.name if record else "?", c.local_key, c.detail
                    )
                )
        self._conflicts.set_rows(rows)

    def resolve_conflict(self, conflict_id: int, choice: str) -> None:
        try:
            resolve_conflict(self._store, conflict_id, choice)
        except (LimnerError, ValueError) as exc:
            show_error(self._parent, translate("Sync", "Could not resolve the conflict"), exc)
            return
        self.refresh_conflicts()
        self.sync_now()


def link_remote(store: ProjectStore, kind: str, url: str, token: str, project: str) -> None:
    """Save the token in the keyring and record the server in the project: what Connect
    does to an open project and Clone to a new, empty one (whose first sync fills it)."""
    credentials.store_token(kind, url, token)
    with store.transaction(origin="settings") as (conn, _changes):
        sync_store.add_remote(conn, kind, url, project)


def _stage(stage: str) -> str:
    return translate(C, STAGES[stage]) if stage in STAGES else stage


def _already_connected(parent: QWidget) -> None:
    show_error(
        parent,
        translate("Sync", "Already connected"),
        translate("Sync", "This project syncs with a server already."),
    )


def _duration(seconds: float) -> str:
    """ "5 s", "2 min": how long until the next try, for the user."""
    if seconds < 90:
        return translate("Sync", "{count} s").format(count=max(1, round(seconds)))
    return translate("Sync", "{count} min").format(count=round(seconds / 60))


__all__ = ["TOOL_KINDS", "SyncUiController", "link_remote"]
