"""Runs an image import off the GUI thread and reports progress as signals."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QThread, Signal

from limner.models.errors import LimnerError
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import ImportReport, import_images


class ImportWorker(QThread):
    progressed = Signal(int, int, str)
    finishedWith = Signal(object)  # ImportReport
    failedWith = Signal(str)

    def __init__(self, store: ProjectStore, paths: Sequence[Path]) -> None:
        super().__init__()
        self._store = store
        self._paths = list(paths)
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def _progress(self, done: int, total: int, name: str) -> bool:
        self.progressed.emit(done, total, name)
        return not self._cancel.is_set()

    def run(self) -> None:
        try:
            report: ImportReport = import_images(self._store, self._paths, progress=self._progress)
        except (LimnerError, OSError) as exc:
            self.failedWith.emit(str(exc))
            return
        self.finishedWith.emit(report)
