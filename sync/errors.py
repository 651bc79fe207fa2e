"""Error classes of sync, by what the engine must do about them.

Transient errors are retried with backoff and leave everything queued; auth errors stop
and ask for credentials; validation errors park one entity with the server's message;
conflicts are recorded for the user. Nothing is ever dropped.

Two kinds of failure are deliberately *not* transient, so a retry loop never hides them:
a server answer of the wrong shape or size (:class:`ProtocolError`: the server or a proxy
in front of it is broken or is not the server we think it is) and a TLS failure
(:class:`TLSError`: a certificate does not fix itself, so it must not look "offline").
"""

from __future__ import annotations

from limner.models.errors import LimnerError


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


class ProtocolError(SyncError):
    """The server answered, but not in the form limner expects (shape, type, size).

    The message names the route and what was wrong, e.g. ``GET /api/tasks/: expected an
    object, got a list``. Retrying the same request at once would get the same answer.
    """

    def __init__(self, message: str, route: str = "") -> None:
        super().__init__(message)
        self.route = route


class TLSError(SyncError):
    """The TLS connection could not be set up: certificate not trusted, wrong host name,
    handshake refused. Not transient: it needs a fixed certificate or a corrected URL."""

    def __init__(self, message: str, host: str = "") -> None:
        super().__init__(message)
        self.host = host
