"""HTTP transport on httpx: timeouts, pooling, retries, request ids, redacted logs, limits.

Every request carries an ``X-Request-ID`` that also appears in the log line with the
method, the URL (query values of secret-looking keys redacted) and the outcome; headers
are never logged. Credentials are added only for the configured origin (scheme, host,
port), so a redirect or an image URL on another host never sees the token.

What a server sends is not trusted:

- Answers are streamed and capped: an in-memory answer larger than ``max_json_bytes``
  (64 MiB by default; for answers that are not JSON ``max_download_bytes``) raises
  :class:`ProtocolError` after reading at most one chunk past the cap, or before reading
  anything when ``Content-Length`` already says so. The cap counts decoded bytes, so a
  small gzip bomb cannot blow up either. :meth:`Transport.download` streams a file to disk
  under its own cap (4 GiB by default).
- :meth:`Transport.get_object` and :meth:`Transport.get_list` check the top-level shape of
  a JSON answer (see ``sync.shapes`` for the fields below it).
- Server error text is cut to one short line, stripped of control characters and redacted
  (tokens, keys, JWTs) before it becomes part of an error message or a log line.
- A TLS failure (untrusted certificate, wrong host name, failed handshake) raises
  :class:`TLSError`, which is not transient: it is not retried and never reads as offline.

Connections acknowledge answers at once (``sync.quickack``): a server that writes headers
and body apart would otherwise wait for the client's delayed acknowledgement each time.
"""

from __future__ import annotations

import email.utils
import logging
import ssl
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import httpx

from limner.sync import shapes
from limner.sync.errors import (
    AuthError,
    NotFoundError,
    OfflineError,
    ProtocolError,
    RemoteConflictError,
    SyncError,
    TLSError,
    TransientError,
    ValidationError,
)
from limner.sync.quickack import quick_ack_transport
from limner.sync.redact import MESSAGE_LIMIT, SECRET_PARAMS, clean_message, redact_url
from limner.sync.retry import RetryPolicy

log = logging.getLogger("limner.sync.http")

TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}
MIB = 1024 * 1024
DEFAULT_MAX_JSON_BYTES = 64 * MIB
DEFAULT_MAX_DOWNLOAD_BYTES = 4 * 1024 * MIB
ERROR_BODY_BYTES = 256 * 1024  # enough of an error answer for its message; the rest is dropped

__all__ = [
    "SECRET_PARAMS",
    "AuthProvider",
    "HeaderAuth",
    "RawBody",
    "Transport",
    "error_message",
    "parse_retry_after",
    "redact_url",
]


class AuthProvider(Protocol):
    def headers(self, transport: Transport) -> Mapping[str, str]:
        """Headers that authenticate a request to the configured host."""
        ...

    def refresh(self, transport: Transport) -> bool:
        """Called once after a 401; True if new credentials are worth a retry."""
        ...


class HeaderAuth:
    """A fixed header, e.g. ``Authorization: Token <key>`` or ``X-Api-Key: <key>``."""

    def __init__(self, name: str, value: str) -> None:
        self._name, self._value = name, value

    def headers(self, transport: Transport) -> Mapping[str, str]:
        return {self._name: self._value}

    def refresh(self, transport: Transport) -> bool:
        return False


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _server_words(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip() or response.reason_phrase
    if isinstance(body, dict):
        parts = []
        for key in ("detail", "message", "error", "description"):
            if body.get(key):
                parts.append(str(body[key]))
                break
        if body.get("validation_errors"):
            parts.append(str(body["validation_errors"]))
        status = body.get("status")
        if isinstance(status, dict) and status.get("description"):
            parts.append(str(status["description"]))
        if parts:
            return "; ".join(parts)
    return str(body)


def error_message(response: httpx.Response) -> str:
    """The server's own words (JSON ``detail``/``validation_errors``/``message``, else the
    text), as one line of at most 300 characters with credentials redacted."""
    return clean_message(_server_words(response), MESSAGE_LIMIT) or response.reason_phrase


def _ssl_cause(exc: BaseException) -> ssl.SSLError | None:
    """The ``ssl.SSLError`` behind an httpx error, if a TLS failure caused it."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def tls_message(host: str, error: ssl.SSLError) -> str:
    """What went wrong with TLS, in words a user can act on."""
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = error.verify_message or error.reason or str(error)
        return clean_message(f"the TLS certificate of host {host} could not be verified: {reason}")
    reason = error.reason or str(error)
    return clean_message(f"the TLS handshake with host {host} failed: {reason}")


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    if value is None or "content-encoding" in response.headers:
        return None  # a compressed length says little about the decoded size
    try:
        return int(value)
    except ValueError:
        return None


def _is_json(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return kind.endswith("/json") or kind.endswith("+json")



@dataclass(frozen=True)
class RawBody:
    """A request body sent as it is, with its own type (a file PUT to a signed URL):
    form encoding would change the bytes, and servers check the declared type."""

    content: bytes
    content_type: str

class Transport:
    """One connection pool to one server. Thread-safe (httpx.Client is).

    ``max_json_bytes`` caps answers read into memory (JSON ones; others are capped at
    ``max_download_bytes``, as image bytes fetched with :meth:`request` used to be read
    whole); ``max_download_bytes`` is also the default cap of :meth:`download`.
    """

    def __init__(
        self,
        base_url: str,
        auth: AuthProvider | None = None,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        max_connections: int = 8,
        policy: RetryPolicy | None = None,
        client: httpx.Client | None = None,
        max_json_bytes: int = DEFAULT_MAX_JSON_BYTES,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.auth = auth
        self.policy = policy or RetryPolicy()
        self.max_json_bytes = max_json_bytes
        self.max_download_bytes = max_download_bytes
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=limits,
            transport=quick_ack_transport(limits),
            follow_redirects=False,
        )
        self._auth_lock = threading.Lock()
        base = urlsplit(self.base_url)
        self._origin = (base.scheme, base.hostname, base.port)

    def close(self) -> None:
        self._client.close()

    def url(self, path: str) -> str:
        return path if "://" in path else urljoin(self.base_url, path.lstrip("/"))

    def same_origin(self, url: str) -> bool:
        parts = urlsplit(url)
        return (parts.scheme, parts.hostname, parts.port) == self._origin

    def route(self, method: str, path: str) -> str:
        """``"GET /api/tasks/"``: how messages name a request (never with its query)."""
        url = self.url(path)
        parts = urlsplit(url)
        where = parts.path or "/"
        if not Transport.same_origin(self, url):
            where = f"{parts.hostname or ''}{where}"
        return f"{method.upper()} {where}"

    # -- requests ----------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        files: Any = None,
        data: Any = None,
        retry: bool = True,
        auth: bool = True,
        max_redirects: int = 3,
        max_bytes: int | None = None,
    ) -> httpx.Response:
        """Send one request and read its answer into memory; transient failures retried per
        policy; errors classified. ``max_bytes`` caps the answer (default: see the class)."""

        def once() -> httpx.Response:
            return self._send(
                method, path, json, params, files, data, auth, max_redirects, max_bytes, None
            )

        if not retry:
            return once()
        return self.policy.run(once, on_retry=self._log_retry)

    def get_json(self, path: str, **kwargs: Any) -> Any:
        """GET and decode JSON of any shape; an answer that is not JSON is a ProtocolError."""
        kwargs.setdefault("max_bytes", self.max_json_bytes)
        response = self.request("GET", path, **kwargs)
        return self.decode_json(response, self.route("GET", path))

    def get_object(self, path: str, **kwargs: Any) -> Mapping[str, Any]:
        """GET a JSON object (``{...}``); any other answer raises :class:`ProtocolError`
        naming the route, e.g. ``GET /api/tasks/7/: expected an object, got a list``.

        Takes the keyword arguments of :meth:`request` (``params``, ``retry``...). Read the
        fields with ``sync.shapes`` (``shapes.integer(body, "id", route)``...).
        """
        return shapes.obj(self.get_json(path, **kwargs), self.route("GET", path))

    def get_list(
        self, path: str, *, key: str | None = None, **kwargs: Any
    ) -> list[Mapping[str, Any]]:
        """GET a JSON list of objects: the answer itself, or with ``key`` the list under
        that key of an answer object (``{"tasks": [...], "total": 3}``).

        Anything else (an object where a list is due, a list of numbers, no ``key``) raises
        :class:`ProtocolError` naming the route and what was wrong.
        """
        return shapes.items(self.get_json(path, **kwargs), self.route("GET", path), key)

    @staticmethod
    def decode_json(response: httpx.Response, route: str) -> Any:
        """The JSON of an answer; :class:`ProtocolError` if it is empty or not JSON."""
        if not response.content:
            raise ProtocolError(f"{route}: expected JSON, got an empty answer", route)
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("content-type", "no content type")
            raise ProtocolError(
                f"{route}: expected JSON, got something else ({clean_message(kind, 60)})", route
            ) from None

    def download(
        self,
        path_or_url: str,
        target: Path,
        *,
        max_bytes: int | None = None,
        retry: bool = True,
        auth: bool = True,
    ) -> int:
        """Stream a GET answer into the file ``target``; returns the number of bytes written.

        The file is written in place (``target`` is created or truncated; on an error it
        may hold part of the answer, so callers write to a temporary name and rename).
        Credentials go to the configured origin only, also across redirects. An answer
        larger than ``max_bytes`` (default ``max_download_bytes``) raises
        :class:`ProtocolError` before or while it is written; transient failures, also
        those in the middle of the body, are retried per policy from the start.
        """
        limit = self.max_download_bytes if max_bytes is None else max_bytes

        def once() -> int:
            self._send("GET", path_or_url, None, None, None, None, auth, 3, limit, Path(target))
            return Path(target).stat().st_size

        if not retry:
            return once()
        return self.policy.run(once, on_retry=self._log_retry)

    def _log_retry(self, attempt: int, wait: float, exc: TransientError) -> None:
        log.warning("retry %d in %.1f s after: %s", attempt + 1, wait, exc)

    def _send(
        self,
        method: str,
        path: str,
        json: Any,
        params: Mapping[str, Any] | None,
        files: Any,
        data: Any,
        use_auth: bool,
        max_redirects: int,
        max_bytes: int | None = None,
        sink: Path | None = None,
    ) -> httpx.Response:
        """One request with its redirects and one auth refresh; the answer's body is read
        (capped) into the response, or streamed to ``sink`` when given."""
        url = self.url(path)
        refreshed = False
        for _hop in range(max_redirects + 1):
            response = self._open(method, url, json, params, files, data, use_auth)
            if response.is_redirect and "location" in response.headers:
                response.close()
                url = urljoin(url, response.headers["location"])
                params = None  # the new location carries its own query
                if response.status_code == 303:
                    method, json, files, data = "GET", None, None, None
                continue
            route = self.route(method, url)
            if not response.is_success:
                self._read(response, route, ERROR_BODY_BYTES, truncate=True)
                if response.status_code == 401 and not refreshed and self.auth is not None:
                    refreshed = True
                    with self._auth_lock:
                        retry_auth = self.auth.refresh(self)
                    if retry_auth:
                        continue
                self._raise_for(response)
                return response
            if sink is not None:
                self._save(response, route, sink, self._limit(response, max_bytes))
                return response
            self._read(response, route, self._limit(response, max_bytes))
            self._raise_for(response)
            return response
        raise TransientError(f"too many redirects from {self._host()}")

    def _open(
        self,
        method: str,
        url: str,
        json: Any,
        params: Mapping[str, Any] | None,
        files: Any,
        data: Any,
        use_auth: bool,
    ) -> httpx.Response:
        """Send the request and return the answer with its headers only (body unread)."""
        shown = redact_url(str(httpx.URL(url, params=params)) if params else url)
        request_id = uuid.uuid4().hex[:12]
        headers = {"X-Request-ID": request_id, "Accept": "application/json"}
        if use_auth and self.auth is not None and self.same_origin(url):
            with self._auth_lock:
                headers.update(self.auth.headers(self))
        content: bytes | None = None
        if isinstance(data, RawBody):
            headers["Content-Type"] = data.content_type
            content, data = data.content, None
        started = time.perf_counter()
        try:
            request = self._client.build_request(
                method, url, json=json, params=params, files=files, data=data,
                content=content, headers=headers,
            )  # fmt: skip
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            failure = self._failure(exc, url)
            log.info("req=%s %s %s -> %s", request_id, method, shown, failure)
            raise failure from exc
        elapsed = (time.perf_counter() - started) * 1000
        log.info(
            "req=%s %s %s -> %d in %.0f ms",
            request_id,
            method,
            shown,
            response.status_code,
            elapsed,
        )
        return response

    def _failure(self, exc: httpx.HTTPError, url: str) -> SyncError:
        """The sync error for an httpx failure (no answer, or a broken one)."""
        host = self._host()
        # The TLS handshake is part of connecting; an SSL error later (a cut TLS stream
        # in the middle of an answer) is a broken connection like any other.
        cause = _ssl_cause(exc) if isinstance(exc, httpx.ConnectError) else None
        if cause is not None:
            where = urlsplit(url).netloc or host
            return TLSError(tls_message(where, cause), where)
        detail = clean_message(str(exc), 200)
        if isinstance(exc, httpx.ConnectError):
            return OfflineError(f"cannot reach {host}: {detail}")
        if isinstance(exc, httpx.TimeoutException):
            return TransientError(f"{host} did not answer in time")
        if isinstance(exc, httpx.UnsupportedProtocol):
            return ProtocolError(f"cannot fetch {redact_url(url)}: {detail}")
        if isinstance(exc, httpx.DecodingError):
            return ProtocolError(f"{host} sent an answer that cannot be decoded: {detail}")
        if isinstance(exc, httpx.TransportError):
            return TransientError(f"connection to {host} failed: {detail}")
        return ProtocolError(f"request to {host} failed: {detail}")

    def _limit(self, response: httpx.Response, max_bytes: int | None) -> int:
        if max_bytes is not None:
            return max_bytes
        return self.max_json_bytes if _is_json(response) else self.max_download_bytes

    def _too_large(self, route: str, size: str, limit: int) -> ProtocolError:
        return ProtocolError(f"{route}: answer too large ({size} bytes, limit {limit})", route)

    def _read(
        self, response: httpx.Response, route: str, limit: int, *, truncate: bool = False
    ) -> None:
        """Read the body into ``response`` (``.content``, ``.json()`` then work), at most
        ``limit`` decoded bytes: past that, ProtocolError, or with ``truncate`` the rest is
        dropped (enough of an error answer for its message)."""
        length = _content_length(response)
        if not truncate and length is not None and length > limit:
            response.close()
            raise self._too_large(route, str(length), limit)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    if not truncate:
                        raise self._too_large(route, f"more than {limit}", limit)
                    chunks.append(chunk[: len(chunk) - (size - limit)])
                    break
                chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise self._failure(exc, str(response.request.url)) from exc
        finally:
            response.close()
        # What Response.read() does once the body is in: later .content/.json() use it.
        response._content = b"".join(chunks)

    def _save(self, response: httpx.Response, route: str, target: Path, limit: int) -> None:
        """Stream the body into ``target``, at most ``limit`` decoded bytes."""
        length = _content_length(response)
        if length is not None and length > limit:
            response.close()
            raise self._too_large(route, str(length), limit)
        written = 0
        try:
            with target.open("wb") as out:
                for chunk in response.iter_bytes():
                    written += len(chunk)
                    if written > limit:
                        raise self._too_large(route, f"more than {limit}", limit)
                    out.write(chunk)
        except httpx.HTTPError as exc:
            raise self._failure(exc, str(response.request.url)) from exc
        finally:
            response.close()

    def _host(self) -> str:
        return urlsplit(self.base_url).netloc

    def _raise_for(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        message = f"{self._host()} answered {status}: {error_message(response)}"
        if status in TRANSIENT_STATUS:
            raise TransientError(message, parse_retry_after(response.headers.get("retry-after")))
        if status in (401, 403):
            raise AuthError(message)
        if status == 404:
            raise NotFoundError(message)
        if status == 409:
            raise RemoteConflictError(message)
        raise ValidationError(message)
