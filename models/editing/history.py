"""Undo and redo over commands, each step committed in its own transaction.

The stacks live in memory for the session (they hold deltas only, so they can be
unbounded); what they change is on disk the moment each step returns.

The first edit of an image's labels moves a new image to in progress inside the edit's own
transaction, so the status and the shapes never disagree on disk, and the history row says
who started it. Undoing that edit takes the image back to new, and redoing it starts it
again. Only the history does this: imports and syncs write labels without anyone having
started to work on the image.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from limner.models.domain.entities import ImageStatus
from limner.models.editing.commands import Command
from limner.models.store import tx
from limner.models.store.store import ChangeSet, ProjectStore
from limner.models.store.tx import log_event
from limner.models.workflow import review

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
        with self.store.transaction() as (conn, changes):
            command.apply(conn, changes)
            _start_image(conn, changes, command)
            log_event(conn, "do", command.describe())
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
            _unstart_image(conn, changes, command)
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
            _start_image(conn, changes, command)
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


def _start_image(conn: Connection, changes: ChangeSet, command: Command) -> None:
    """Move every new image whose labels ``command`` just changed to in progress."""
    command.started = ()
    if not command.starts_image:
        return
    started: list[tuple[int, int]] = []
    for image_id in sorted(changes.annotations):
        if review.image_status(conn, image_id) != ImageStatus.NEW.value:
            continue
        change_id, _old = review.record_status_change(
            conn, changes, image_id, ImageStatus.IN_PROGRESS.value, actor=tx.current_user()
        )
        started.append((image_id, change_id))
    command.started = tuple(started)


def _unstart_image(conn: Connection, changes: ChangeSet, command: Command) -> None:
    """Take back exactly the starts that ``command`` made, if it made any."""
    review.delete_status_changes(conn, [change_id for _image, change_id in command.started])
    for image_id, _change in command.started:
        if review.image_status(conn, image_id) == ImageStatus.IN_PROGRESS.value:
            tx.set_image_status(conn, changes, image_id, ImageStatus.NEW.value)
    command.started = ()
