"""Importing and exporting annotations from the window, and the labels found with images.

File -> Import annotations… and File -> Export… open the dialogs of
``widgets.dialogs.label_transfer``; the conversion then runs in a :class:`LabelsWorker`
behind a progress dialog that can cancel it, and ends with its summary in the status bar
and, when anything was lost, the loss report (``widgets.dialogs.loss_report``).

An import writes its batches from the worker thread; each batch is one step the worker
hands back, and this controller records it in the window's undo history, so Edit -> Undo
takes back the last batch, and a cancelled import keeps the batches it finished.

When a folder of images was added and labels came with it (labelme sidecars, a COCO, YOLO
or VOC file beside it), :meth:`offer` asks whether to import them too; a "no" is said in
the status bar, so the labels are never left behind without a word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QStatusBar, QWidget

from limner.app.errors import show_error
from limner.app.formats_setup import register_formats
from limner.app.labels_worker import LabelsWorker
from limner.models.domain.entities import ImageStatus
from limner.models.editing.commands import Command
from limner.models.editing.history import History, apply_logged
from limner.models.formats import registry
from limner.models.formats.base import FormatError, Loss
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.workflow import queues as qs
from limner.models.workflow.label_export import ExportFilter, ExportResult, export_labels
from limner.models.workflow.label_import import ImportResult, import_labels
from limner.models.workflow.labels_found import FoundLabels, find_labels
from limner.widgets.dialogs.label_transfer import ExportLabelsDialog, ImportLabelsDialog
from limner.widgets.dialogs.loss_report import LossReport
from limner.widgets.i18n import said, translate
from limner.widgets.plain import plain_message_box, plain_progress_dialog


def format_rows() -> list[tuple[str, str, str]]:
    """(name, title, layout) of every format, for the pickers."""
    register_formats()
    return [(f.name, said(f.title), f.layout) for f in registry.all_formats()]


def describe_detection(path: Path) -> str:
    """What the import dialog says under the format picker for ``path``."""
    try:
        choice = registry.detect(path)
    except FormatError as exc:
        return str(exc)
    return translate("Labels", "Recognised as {format}: {reason}").format(
        format=said(choice.format.title), reason=said(choice.detection.reason)
    )


class LabelsController(QObject):
    """``on_imported`` runs after an import (the window opens an image if none is open)."""

    def __init__(
        self,
        store: ProjectStore,
        history: History,
        parent: QWidget,
        status: QStatusBar,
        on_imported: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._history = history
        self._parent = parent
        self._status = status
        self._on_imported = on_imported
        self._worker: LabelsWorker | None = None
        self._progress: QProgressDialog | None = None
        self.report: LossReport | None = None
        self.found_box: QMessageBox | None = None
        self._dialog: object = None
        self._queued: list[FoundLabels] = []

    @property
    def busy(self) -> bool:
        return self._worker is not None

    # -- dialogs -----------------------------------------------------------------------
    def ask_import(self) -> ImportLabelsDialog:
        dialog = ImportLabelsDialog(format_rows(), describe_detection, self._parent)
        dialog.accepted.connect(lambda: self.import_from(*dialog.values()))
        dialog.open()
        self._dialog = dialog
        return dialog

    def ask_export(self) -> ExportLabelsDialog:
        with self._store.read() as conn:
            queue_names = [q.name for q in qs.queues(conn)]
            class_names = [c.name for c in queries.label_classes(conn)]
        statuses = [s.value for s in ImageStatus]
        dialog = ExportLabelsDialog(
            format_rows(), statuses, queue_names, class_names, self._parent
        )
        dialog.accepted.connect(lambda: self.export_to(*dialog.values()))
        dialog.open()
        self._dialog = dialog
        return dialog

    # -- running -----------------------------------------------------------------------
    def import_from(
        self, path: Path, format_name: str | None = None, add_images: bool = True
    ) -> LabelsWorker | None:
        store = self._store

        def job(worker: LabelsWorker) -> ImportResult:
            if format_name is None:
                fmt = registry.detect(path).format
            else:
                fmt = registry.get(format_name)
            reading = fmt.read(path)

            def execute(command: Command) -> None:
                apply_logged(store, command, origin="import")
                worker.step_done(command)

            return import_labels(
                store,
                reading,
                fmt.name,
                execute=execute,
                progress=worker.progress,
                add_images=add_images,
            )

        return self._run(
            job,
            translate("Labels", "Importing annotations"),
            translate("Labels", "Could not import annotations"),
        )

    def export_to(
        self,
        format_name: str,
        out: Path,
        status: str | None = None,
        queue: str | None = None,
        classes: Sequence[str] = (),
    ) -> LabelsWorker | None:
        store = self._store
        flt = ExportFilter(status=status, queue=queue, classes=tuple(classes))

        def job(worker: LabelsWorker) -> ExportResult:
            fmt = registry.get(format_name)
            return export_labels(store, fmt, out, flt, progress=worker.progress)

        return self._run(
            job,
            translate("Labels", "Exporting annotations"),
            translate("Labels", "Could not export annotations"),
        )

    def _run(
        self, job: Callable[[LabelsWorker], object], title: str, failure: str
    ) -> LabelsWorker | None:
        if self._worker is not None:
            show_error(
                self._parent,
                translate("Labels", "Busy"),
                translate("Labels", "Wait for the current import or export to finish."),
            )
            return None
        worker = LabelsWorker(job)
        progress = plain_progress_dialog(
            f"{title}…", translate("ImportImages", "Cancel"), 0, 0, self._parent
        )
        progress.setObjectName("labelsProgress")
        progress.setWindowTitle(title)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)
        progress.canceled.connect(worker.cancel)
        worker.progressed.connect(self._progressed)
        worker.stepDone.connect(self._record_step)
        worker.finishedWith.connect(lambda result: self._done(title, result))
        worker.failedWith.connect(lambda message: show_error(self._parent, failure, message))
        worker.finished.connect(self._finished)
        self._worker, self._progress = worker, progress
        worker.start()
        return worker

    def _record_step(self, command: object) -> None:
        """A batch the worker committed becomes one step of the undo history."""
        if isinstance(command, Command):
            self._history.record(command)

    def _progressed(self, done: int, total: int, name: str) -> None:
        if self._progress is not None:
            self._progress.setMaximum(total)
            self._progress.setValue(done if total else 0)
            if not name:
                self._progress.setLabelText(translate("Labels", "Finishing…"))
            elif total:
                self._progress.setLabelText(
                    translate("Labels", "Image {number} of {total}: {name}").format(
                        number=done + 1, total=total, name=name
                    )
                )
            else:
                self._progress.setLabelText(
                    translate("Labels", "Image {number}: {name}").format(number=done + 1, name=name)
                )

    def _done(self, title: str, result: object) -> None:
        if not isinstance(result, ImportResult | ExportResult):
            return
        summary = said(result.summary())
        self._status.showMessage(summary, 10000)
        if isinstance(result, ImportResult):
            self._on_imported()
        if result.losses:
            self.show_report(title, summary, result.losses)

    def show_report(self, title: str, summary: str, losses: Sequence[Loss]) -> LossReport:
        report = LossReport(title, summary, [str(loss) for loss in losses], self._parent)
        report.open()
        self.report = report
        return report

    def _finished(self) -> None:
        if self._progress is not None:
            self._progress.reset()
            self._progress.deleteLater()
        self._progress = None
        if self._worker is not None:
            self._worker.deleteLater()
        self._worker = None
        self._next_found()

    def wait(self, msecs: int = 60000) -> None:
        if self._worker is not None:
            self._worker.wait(msecs)

    def shutdown(self) -> None:
        """Cancel a running conversion and wait for its thread, before the window closes."""
        if self._worker is not None:
            self._worker.cancel()
            self._worker.wait(10000)

    # -- labels that came with images ------------------------------------------------------
    def offer(self, folders: Sequence[Path]) -> LabelsWorker | None:
        """Look for labels with ``folders`` (off the GUI thread), then ask about them."""
        folders = [f for f in folders if f.is_dir()]
        if not folders or self._worker is not None:
            return None
        worker = LabelsWorker(lambda _worker: find_labels(folders))
        worker.finishedWith.connect(self._ask_found)
        worker.finished.connect(self._finished)
        self._worker = worker
        worker.start()
        return worker

    def _ask_found(self, found: object) -> None:
        if not isinstance(found, list) or not found:
            return
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        listed = "\n".join(f"• {said(f.summary)}" for f in found)
        box = plain_message_box(
            self._parent,
            translate("Labels", "Annotations found"),
            translate(
                "Labels", "The images came with annotations:\n{listed}\n\nImport them too?"
            ).format(listed=listed),
            icon=QMessageBox.Icon.Question,
            buttons=yes | no,
            name="labelsFoundBox",
        )
        box.setDefaultButton(yes)
        box.finished.connect(
            lambda _code: self._answered(box.clickedButton() is box.button(yes), found)
        )
        box.open()
        self.found_box = box

    def _answered(self, accepted: bool, found: list[FoundLabels]) -> None:
        if not accepted:
            names = "; ".join(said(f.summary) for f in found)
            self._status.showMessage(
                translate("Labels", "Not imported: {names}").format(names=names), 15000
            )
            return
        self._queued = list(found)
        self._next_found()

    def _next_found(self) -> None:
        if self._queued and self._worker is None:
            found = self._queued.pop(0)
            self.import_from(found.path, found.choice.format.name)
