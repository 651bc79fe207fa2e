"""Adding images to the project: file and folder dialogs, drag and drop, background import.

One import runs at a time, in ``ImportWorker`` off the GUI thread, behind a progress dialog
that can cancel it. Its report ends in the status bar; files that cannot be read are listed
in one message (and stay in the project, marked unreadable, so the list can filter them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QStatusBar, QWidget

from limner.app.errors import show_error
from limner.app.import_worker import ImportWorker
from limner.models.imaging.imageio import SUPPORTED_SUFFIXES
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import ImportReport
from limner.widgets.i18n import said, translate
from limner.widgets.plain import plain_progress_dialog

UNREADABLE_LISTED = 12


class ImportController(QObject):
    """``on_imported`` runs after each import (the window opens an image if none is open).

    A QObject living on the GUI thread, so that the worker's signals reach it queued.
    """

    def __init__(
        self,
        store: ProjectStore,
        parent: QWidget,
        status: QStatusBar,
        on_imported: Callable[[], None],
        after_folders: Callable[[Sequence[Path]], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._parent = parent
        self._status = status
        self._on_imported = on_imported
        self._after_folders = after_folders  # looks for labels that came with the images
        self._folders: list[Path] = []
        self._worker: ImportWorker | None = None
        self._progress: QProgressDialog | None = None

    @property
    def busy(self) -> bool:
        """An import is under way."""
        return self._worker is not None

    def ask_add_images(self) -> None:
        patterns = " ".join(f"*{s}" for s in SUPPORTED_SUFFIXES)
        files, _ = QFileDialog.getOpenFileNames(
            self._parent,
            translate("ImportImages", "Add images"),
            str(Path.home()),
            translate("ImportImages", "Images ({patterns});;All files (*)").format(
                patterns=patterns
            ),
        )
        if files:
            self.add_paths([Path(f) for f in files])

    def ask_add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self._parent, translate("ImportImages", "Add a folder of images"), str(Path.home())
        )
        if folder:
            self.add_paths([Path(folder)])

    def add_paths(self, paths: Sequence[Path]) -> ImportWorker | None:
        """Import in the background with a progress dialog that can cancel."""
        if self._worker is not None:
            show_error(
                self._parent,
                translate("ImportImages", "Import under way"),
                translate("ImportImages", "Wait for the current import to finish."),
            )
            return None
        worker = ImportWorker(self._store, paths)
        self._folders = [p for p in paths if p.is_dir()]
        progress = plain_progress_dialog(
            translate("ImportImages", "Reading images…"),
            translate("ImportImages", "Cancel"),
            0,
            0,
            self._parent,
        )
        progress.setObjectName("importProgress")
        progress.setWindowTitle(translate("ImportImages", "Adding images"))
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)
        progress.canceled.connect(worker.cancel)
        worker.progressed.connect(self._progressed)
        worker.finishedWith.connect(self._done)
        worker.failedWith.connect(
            lambda msg: show_error(
                self._parent, translate("ImportImages", "Could not add images"), msg
            )
        )
        worker.finished.connect(self._finished)
        self._worker, self._progress = worker, progress
        worker.start()
        return worker

    def _progressed(self, done: int, total: int, name: str) -> None:
        if self._progress is not None:
            self._progress.setMaximum(total)
            self._progress.setValue(done)
            self._progress.setLabelText(
                translate("ImportImages", "Reading {name}…").format(name=name)
                if name
                else translate("ImportImages", "Done")
            )

    def _done(self, report: ImportReport) -> None:
        self._status.showMessage(said(report.summary()), 8000)
        self._on_imported()
        if self._after_folders is not None and self._folders and not report.cancelled:
            self._after_folders(self._folders)
        if report.unreadable:
            names = "\n".join(f"{n}: {r}" for n, r in report.unreadable[:UNREADABLE_LISTED])
            more = len(report.unreadable) - UNREADABLE_LISTED
            if more > 0:
                names += "\n" + translate(
                    "ImportImages", "… and {count} more (filter the list by “Unreadable”)"
                ).format(count=more)
            show_error(self._parent, translate("ImportImages", "Some files cannot be read"), names)

    def _finished(self) -> None:
        if self._progress is not None:
            self._progress.reset()
            self._progress.deleteLater()
        self._progress = None
        if self._worker is not None:
            self._worker.deleteLater()
        self._worker = None

    def wait(self, msecs: int = 60000) -> None:
        """Block until the running import ends (or ``msecs`` pass)."""
        if self._worker is not None:
            self._worker.wait(msecs)

    def shutdown(self) -> None:
        """Cancel a running import and wait for its thread, before the window closes."""
        if self._worker is not None:
            self._worker.cancel()
            self._worker.wait(10000)

    # -- drag and drop (the window forwards its events) ----------------------------------
    def drag_enter(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def drop(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)
