"""The editing session on screen: its events carried to the GUI thread as one Qt signal.

The session itself (``models.editing.session``) is Qt-free and emits its events in the
thread that changed it: the GUI thread for the user's own edits, the sync engine's or an
importer's thread for theirs. :class:`SessionBridge` re-emits each event as the ``event``
signal. Qt hands a signal emitted in another thread to the receiver's event queue, so
every view handles every event in the GUI thread and in the order it was emitted; an
event emitted in the GUI thread reaches the views before the emitting call returns.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from limner.app.prefetch import Prefetcher
from limner.models.editing.session import EditingSession
from limner.models.imaging.tile_cache import TileMemoryCache
from limner.models.store.store import ProjectStore

__all__ = ["TILE_MEMORY_BYTES", "SessionBridge", "open_session"]

TILE_MEMORY_BYTES = 512 * 1024 * 1024
"""Decoded tiles the session's images share, prefetched ones included."""


class SessionBridge(QObject):
    event = Signal(object)  # a models.editing.events event

    def __init__(self, session: EditingSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = session.subscribe(self.event.emit)

    def close(self) -> None:
        self._unsubscribe()


def open_session(
    store: ProjectStore, parent: QObject | None = None
) -> tuple[EditingSession, SessionBridge]:
    """The project's editing session, opening images through a prefetcher, and its bridge."""
    prefetcher = Prefetcher(store, TileMemoryCache(TILE_MEMORY_BYTES))
    session = EditingSession(store, prefetcher=prefetcher)
    return session, SessionBridge(session, parent)
