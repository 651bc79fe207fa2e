"""Carries store change notices to the GUI thread as a Qt signal.

The store calls its listeners in whatever thread committed (an import worker, later the
sync thread); a queued signal makes every widget update happen in the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from limner.models.store.store import ChangeSet, ProjectStore


class StoreBridge(QObject):
    changed = Signal(object)  # ChangeSet

    def __init__(self, store: ProjectStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = store.subscribe(self._on_change)

    def _on_change(self, changes: ChangeSet) -> None:
        self.changed.emit(changes)

    def close(self) -> None:
        self._unsubscribe()
