"""The window's sync part: connect dialog, background sync, indicator, conflicts panel.

A mixin of ``MainWindow`` (it uses the window's store, editor, panels and status bar), kept
apart so the window module stays about editing. A failed background run is shown in one
place, :meth:`SyncMixin.show_sync_report`: the indicator in the status bar (state, counts,
when sync tries again; the message in its tooltip), a status-bar message and a line above
the conflicts; a run that works clears them. No dialog pops up for background failures.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QProgressDialog

from limner.app.connect_dialog import ConnectDialog
from limner.app.errors import show_error
from limner.app.sync_controller import SyncController
from limner.models.errors import LimnerError
from limner.models.store import queries, sync_store
from limner.sync import credentials
from limner.sync.engine import resolve_conflict
from limner.sync.factory import KIND_NAMES, capabilities_for
from limner.sync.redact import clean_message
from limner.widgets.panels.sync_widgets import ConflictRow


class SyncMixin:
    # -- sync ------------------------------------------------------------------------------
    def start_sync(self, controller: SyncController | None) -> None:
        if self.sync is not None:
            self.sync.shutdown()
        self.sync = controller
        self.act_sync_now.setEnabled(controller is not None)
        self.refresh_conflicts()
        if controller is None:
            self.sync_indicator.show_state("never", message="This project has no server.")
            self.sync_indicator.setText("local project")
            return
        self.apply_capabilities(controller.remote.kind)
        controller.started.connect(self._sync_started)
        controller.progressed.connect(self._sync_progressed)
        controller.finished.connect(self._sync_finished)
        controller.retrying.connect(self._sync_retrying)
        self.sync_indicator.show_state("never", pending=controller.pending())
        if self.images.model.rowCount() == 0:
            progress = QProgressDialog(
                "Downloading the project for offline work…", "Cancel", 0, 0, self
            )
            progress.setObjectName("syncProgress")
            progress.setWindowTitle("First sync")
            progress.setMinimumDuration(300)
            progress.canceled.connect(controller.cancel)
            self._sync_progress = progress
        controller.sync_now()

    TOOL_KINDS = {
        "box": "box",
        "polygon": "polygon",
        "brush": "mask",
        "eraser": "mask",
        "wand": "mask",
        "grabcut": "mask",
        "keypoints": "keypoints",
    }

    def apply_capabilities(self, kind: str) -> None:
        """Grey out the tools whose shapes the remote cannot hold, and say why."""
        capabilities = capabilities_for(kind)
        name = KIND_NAMES.get(kind, kind)
        for tool, shape in self.TOOL_KINDS.items():
            action = self.tool_actions[tool]
            why = capabilities.refuses(shape)
            action.setEnabled(why is None)
            if why is not None:
                action.setToolTip(f"{action.text()}: {name} — {why}")
                action.setStatusTip(f"{name}: {why}")

    def sync_now(self) -> None:
        if self.sync is not None:
            self.sync.sync_now()

    def _sync_started(self) -> None:
        self.sync_indicator.show_state("syncing")

    def _sync_progressed(self, stage: str, done: int, total: object) -> None:
        if self._sync_progress is not None:
            if isinstance(total, int):
                self._sync_progress.setMaximum(total)
            self._sync_progress.setValue(done)
            self._sync_progress.setLabelText(f"{stage}: {done}" + (f" of {total}" if total else ""))

    def _sync_finished(self, report: object) -> None:
        if self._sync_progress is not None:
            self._sync_progress.reset()
            self._sync_progress.deleteLater()
            self._sync_progress = None
        self.show_sync_report(report)
        self.refresh_conflicts()
        if self.editor.image is None:
            self.editor.open_first()

    def _sync_retrying(self, delay: float, report: object) -> None:
        self.show_sync_report(report, retry_in=_duration(delay))

    def show_sync_report(self, report: object, *, retry_in: str = "") -> None:
        """The outcome of a run in the indicator, the status bar and the conflicts panel."""
        r = report  # SyncReport
        state: str = r.state  # type: ignore[attr-defined]
        message = clean_message(r.message or "")  # type: ignore[attr-defined]
        self.sync_indicator.show_state(
            state,
            pending=r.pending,  # type: ignore[attr-defined]
            last=(r.finished_at or "")[11:16],  # type: ignore[attr-defined]
            issues=len(r.issues),  # type: ignore[attr-defined]
            conflicts=r.conflicts,  # type: ignore[attr-defined]
            message=message,
            retry_in=retry_in,
        )
        if state != "error":
            self.conflicts.show_problem("")
            return
        text = f"Sync failed: {message}" if message else "Sync failed."
        then = f"Next try in {retry_in}; F5 syncs now." if retry_in else "F5 syncs again."
        self.conflicts.show_problem(f"{text}\n{then}")
        self.statusBar().showMessage(f"{text} {then}", 15_000)

    def refresh_conflicts(self) -> None:
        with self.store.read() as conn:
            rows = []
            for c in sync_store.open_conflicts(conn):
                record = queries.image_by_id(conn, c.image_id) if c.image_id else None
                rows.append(
                    ConflictRow(
                        c.id, c.image_id, record.name if record else "?", c.local_key, c.detail
                    )
                )
        self.conflicts.set_rows(rows)

    def resolve_conflict(self, conflict_id: int, choice: str) -> None:
        try:
            resolve_conflict(self.store, conflict_id, choice)
        except (LimnerError, ValueError) as exc:
            show_error(self, "Could not resolve the conflict", exc)
            return
        self.refresh_conflicts()
        self.sync_now()

    def _show_conflict(self, image_id: object, local_key: str) -> None:
        if isinstance(image_id, int):
            if self.editor.image is None or self.editor.image.id != image_id:
                self.editor.open_image(image_id)
            self.editor.set_selection([local_key])

    def show_sync_details(self) -> None:
        report = self.sync.last_report if self.sync else None
        if report is None:
            text = "No sync has run yet." if self.sync else "This project has no server."
        else:
            lines = [f"State: {report.state}", f"Last sync: {report.finished_at}"]
            if report.message:
                lines.append(report.message)
            lines.append(f"Pending images: {report.pending}; conflicts: {report.conflicts}")
            lines.extend(f"• {issue}" for issue in report.issues[:30])
            text = "\n".join(lines)
        box = QMessageBox(self)
        box.setWindowTitle("Sync details")
        box.setText(text)
        box.open()

    def ask_connect(self) -> None:
        dialog = ConnectDialog(self)
        dialog.accepted.connect(lambda: self._connect_remote(*dialog.values()))
        dialog.open()
        self._connect_dialog = dialog

    def _connect_remote(self, kind: str, url: str, token: str, project: str) -> None:
        with self.store.read() as conn:
            if sync_store.remotes(conn):
                show_error(self, "Already connected", "This project syncs with a server already.")
                return
        credentials.store_token(kind, url, token)
        with self.store.transaction(origin="settings") as (conn, _changes):
            sync_store.add_remote(conn, kind, url, project)
        self.start_sync(SyncController.for_project(self.store, self))


def _duration(seconds: float) -> str:
    """ "5 s", "2 min": how long until the next try, for the user."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    return f"{round(seconds / 60)} min"
