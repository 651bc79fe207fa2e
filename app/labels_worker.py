"""Runs an annotation import, an export or a look for labels off the GUI thread.

The job is a plain function of the worker: it reports progress through
:meth:`LabelsWorker.progress` (which answers False once the user cancelled) and, for an
import, hands each step it applied to :meth:`LabelsWorker.step_done`, which re-emits it as
``stepDone`` so the window records it in its undo history in the GUI thread. limner's own
errors and the operating system's end the job with ``failedWith`` and their message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QThread, Signal

from limner.models.errors import LimnerError


class LabelsWorker(QThread):
    progressed = Signal(int, int, str)
    stepDone = Signal(object)  # a command applied in this thread
    finishedWith = Signal(object)  # what the job returned
    failedWith = Signal(str)

    def __init__(self, job: Callable[[LabelsWorker], object]) -> None:
        super().__init__()
        self._job = job
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self, done: int, total: int, name: str) -> bool:
        self.progressed.emit(done, total, name)
        return not self._cancel.is_set()

    def step_done(self, command: object) -> None:
        self.stepDone.emit(command)

    def run(self) -> None:
        try:
            result = self._job(self)
        except (LimnerError, OSError) as exc:
            self.failedWith.emit(str(exc))
            return
        self.finishedWith.emit(result)
