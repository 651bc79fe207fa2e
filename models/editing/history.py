"""Undo and redo over commands, each step committed in its own transaction.

The stacks live in memory for the session (they hold deltas only, so they can be
unbounded); what they change is on disk the moment each step returns.
"""

from __future__ import annotations

from collections.abc import Callable

from limner.models.editing.commands import Command
from limner.models.store.store import ProjectStore
from limner.models.store.tx import log_event

HistoryListener = Callable[[], None]


class History:
    def __init__(self, store: ProjectStore) -> None:
        self.store = store
        self._undo: list[Command] = []
        self._redo: list[Command] = []
        self._listeners: list[HistoryListener] = []

    def subscribe(self, listener: HistoryListener) -> None:
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    # -- state -----------------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_text(self) -> str:
        return self._undo[-1].text if self._undo else ""

    @property
    def redo_text(self) -> str:
        return self._redo[-1].text if self._redo else ""

    def __len__(self) -> int:
        return len(self._undo)

    # -- actions ---------------------------------------------------------------------
    def execute(self, command: Command) -> Command:
        """Apply ``command`` in one transaction and push it; on error nothing changes."""
        apply_logged(self.store, command)
        return self.record(command)

    def record(self, command: Command) -> Command:
        """Push a command that :func:`apply_logged` already applied, so it can be undone.

        A long import writes its steps from a worker thread; the thread that owns the
        history (the window's) records each step when it hears of it.
        """
        self._undo.append(command)
        self._redo.clear()
        self._notify()
        return command

    def undo(self) -> Command | None:
        if not self._undo:
            return None
        command = self._undo[-1]
        with self.store.transaction() as (conn, changes):
            command.revert(conn, changes)
            log_event(conn, "undo", command.describe())
        self._undo.pop()
        self._redo.append(command)
        self._notify()
        return command

    def redo(self) -> Command | None:
        if not self._redo:
            return None
        command = self._redo[-1]
        with self.store.transaction() as (conn, changes):
            command.apply(conn, changes)
            log_event(conn, "redo", command.describe())
        self._redo.pop()
        self._undo.append(command)
        self._notify()
        return command

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
        self._notify()


def apply_logged(store: ProjectStore, command: Command, origin: str = "user") -> None:
    """Apply ``command`` in one transaction of ``store`` and log it, without a history."""
    with store.transaction(origin=origin) as (conn, changes):
        command.apply(conn, changes)
        log_event(conn, "do", command.describe())
