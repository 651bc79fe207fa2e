"""Error classes of sync, by what the engine must do about them.

Transient errors are retried with backoff and leave everything queued; auth errors stop
and ask for credentials; validation errors park one entity with the server's message;
conflicts are recorded for the user. Nothing is ever dropped.
"""

from __future__ import annotations

from models.errors import LimnerError


class SyncError(LimnerError):
    """Base of every sync error; its message is meant for users."""


class TransientError(SyncError):
    """Connect/read errors, timeouts, 429, 5xx: try again later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class OfflineError(TransientError):
    """The server cannot be reached at all; a normal state, not a failure."""


class AuthError(SyncError):
    """401/403 or a missing token: stop and ask the user for credentials."""


class ValidationError(SyncError):
    """The server refused one entity (400/422...): park it with the server's message."""


class NotFoundError(SyncError):
    """The remote object (project, task, annotation) does not exist (any more)."""


class RemoteConflictError(SyncError):
    """The remote object changed since the version this push was based on."""


class ConfigError(SyncError):
    """A remote project limner cannot represent, or a remote that is set up wrong."""
