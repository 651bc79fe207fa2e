"""The window's image import: file and folder dialogs, drag and drop, background import.

A mixin of ``MainWindow``; the import itself runs in ``ImportWorker`` off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from limner.app.errors import show_error
from limner.app.import_worker import ImportWorker
from limner.models.imaging.imageio import SUPPORTED_SUFFIXES
from limner.models.workflow.project import ImportReport


class ImportMixin:
    # -- images ----------------------------------------------------------------------------
    def ask_add_images(self) -> None:
        patterns = " ".join(f"*{s}" for s in SUPPORTED_SUFFIXES)
        files, _ = QFileDialog.getOpenFileNames(
            self, "Add images", str(Path.home()), f"Images ({patterns});;All files (*)"
        )
        if files:
            self.add_paths([Path(f) for f in files])

    def ask_add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of images", str(Path.home()))
        if folder:
            self.add_paths([Path(folder)])

    def add_paths(self, paths: Sequence[Path]) -> ImportWorker | None:
        """Import in the background with a progress dialog that can cancel."""
        if self._import_worker is not None:
            show_error(self, "Import under way", "Wait for the current import to finish.")
            return None
        worker = ImportWorker(self.store, paths)
        progress = QProgressDialog("Reading images…", "Cancel", 0, 0, self)
        progress.setObjectName("importProgress")
        progress.setWindowTitle("Adding images")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)
        progress.canceled.connect(worker.cancel)
        worker.progressed.connect(self._import_progress)
        worker.finishedWith.connect(self._import_done)
        worker.failedWith.connect(lambda msg: show_error(self, "Could not add images", msg))
        worker.finished.connect(self._import_finished)
        self._import_worker, self._progress = worker, progress
        worker.start()
        return worker

    def _import_progress(self, done: int, total: int, name: str) -> None:
        if self._progress is not None:
            self._progress.setMaximum(total)
            self._progress.setValue(done)
            self._progress.setLabelText(f"Reading {name}…" if name else "Done")

    def _import_done(self, report: ImportReport) -> None:
        self.statusBar().showMessage(report.summary(), 8000)
        if self.editor.image is None:
            self.editor.open_first()
        if report.unreadable:
            names = "\n".join(f"{n}: {r}" for n, r in report.unreadable[:12])
            more = len(report.unreadable) - 12
            if more > 0:
                names += f"\n… and {more} more (filter the list by “Unreadable”)"
            show_error(self, "Some files cannot be read", names)

    def _import_finished(self) -> None:
        if self._progress is not None:
            self._progress.reset()
            self._progress.deleteLater()
        self._progress = None
        if self._import_worker is not None:
            self._import_worker.deleteLater()
        self._import_worker = None

    def wait_for_import(self, msecs: int = 60000) -> None:
        if self._import_worker is not None:
            self._import_worker.wait(msecs)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)
