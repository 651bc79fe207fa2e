"""HTTP transport on httpx: timeouts, pooling, retries, request ids, redacted logs.

Every request carries an ``X-Request-ID`` that also appears in the log line with the
method, the URL (query values of secret-looking keys redacted) and the outcome; headers
are never logged. Credentials are added only for the configured host, so a redirect or
an image URL on another host never sees the token.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx

from sync.errors import (
    AuthError,
    NotFoundError,
    OfflineError,
    RemoteConflictError,
    TransientError,
    ValidationError,
)
from sync.retry import RetryPolicy

log = logging.getLogger("limner.sync.http")

SECRET_PARAMS = {"token", "key", "api_key", "apikey", "access_token", "password", "refresh"}
TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}


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


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (k, "***" if k.lower() in SECRET_PARAMS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


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


def error_message(response: httpx.Response) -> str:
    """The server's own words: JSON ``detail``/``validation_errors``/``message``, else text."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:300] if text else response.reason_phrase
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
    return str(body)[:300]


class Transport:
    """One connection pool to one server. Thread-safe (httpx.Client is)."""

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
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.auth = auth
        self.policy = policy or RetryPolicy()
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
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
    ) -> httpx.Response:
        """Send one request; transient failures retried per policy; errors classified."""

        def once() -> httpx.Response:
            return self._send(method, path, json, params, files, data, auth, max_redirects)

        if not retry:
            return once()
        return self.policy.run(once, on_retry=self._log_retry)

    def get_json(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs).json()

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
    ) -> httpx.Response:
        url = self.url(path)
        refreshed = False
        for _hop in range(max_redirects + 1):
            shown = redact_url(str(httpx.URL(url, params=params)) if params else url)
            request_id = uuid.uuid4().hex[:12]
            headers = {"X-Request-ID": request_id, "Accept": "application/json"}
            if use_auth and self.auth is not None and self.same_origin(url):
                with self._auth_lock:
                    headers.update(self.auth.headers(self))
            started = time.perf_counter()
            try:
                response = self._client.request(
                    method, url, json=json, params=params, files=files, data=data, headers=headers
                )
            except httpx.ConnectError as exc:
                log.info("req=%s %s %s -> unreachable", request_id, method, shown)
                raise OfflineError(f"cannot reach {self._host()}: {exc}") from exc
            except httpx.TimeoutException as exc:
                log.info("req=%s %s %s -> timeout", request_id, method, shown)
                raise TransientError(f"{self._host()} did not answer in time") from exc
            except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                log.info("req=%s %s %s -> %s", request_id, method, shown, exc)
                raise TransientError(f"connection to {self._host()} failed: {exc}") from exc
            elapsed = (time.perf_counter() - started) * 1000
            log.info(
                "req=%s %s %s -> %d in %.0f ms",
                request_id,
                method,
                shown,
                response.status_code,
                elapsed,
            )
            if response.is_redirect and "location" in response.headers:
                url = urljoin(url, response.headers["location"])
                params = None  # the new location carries its own query
                if response.status_code == 303:
                    method, json, files, data = "GET", None, None, None
                continue
            if response.status_code == 401 and not refreshed and self.auth is not None:
                refreshed = True
                with self._auth_lock:
                    retry_auth = self.auth.refresh(self)
                if retry_auth:
                    continue
            self._raise_for(response)
            return response
        raise TransientError(f"too many redirects from {self._host()}")

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
