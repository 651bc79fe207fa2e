"""Clarifai's transport: request pacing, body-level status codes, credentials by host.

Clarifai answers every call with ``{"status": {"code": ...}, ...}`` and the HTTP status
alone does not say whether the call worked (a throttled or failed call can come with any
HTTP code), so every API answer's ``status.code`` is classified here, inside the retried
call, into limner's error classes. The documented limit of 15 requests per second is kept
on the client side by pacing request starts, so a normal sync never meets the throttle.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from sync.adapters.clarifai_format import (
    AUTH_CODES,
    MIXED_STATUS,
    NOT_FOUND_CODES,
    NOT_IMPLEMENTED,
    QUOTA_CODES,
    RETRY_CODES,
    SUCCESS,
    THROTTLED,
    status_code,
)
from sync.errors import (
    AuthError,
    NotFoundError,
    SyncError,
    TransientError,
    ValidationError,
)
from sync.transport import AuthProvider, Transport, parse_retry_after

RATE_LIMIT = 15.0  # requests per second, for every user and plan (Clarifai's docs)
THROTTLE_WAIT = 15.0  # seconds; the docs' advice after CONN_THROTTLED without Retry-After
CLARIFAI_DOMAIN = "clarifai.com"


class Pacer:
    """Spaces request starts at least ``1 / rate`` seconds apart, across threads.

    Clock and sleeper are injected so tests can check the spacing without waiting.
    """

    def __init__(
        self,
        rate: float = RATE_LIMIT,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleeper: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock = clock
        self._sleeper = sleeper
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if self.interval <= 0:
            return
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleeper(start - now)


class ClarifaiError(ValidationError):
    """Clarifai refused a call; ``code`` and ``body`` keep its own words for the caller."""

    def __init__(self, message: str, code: int | None, body: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.body = body


class QuotaError(SyncError):
    """An hourly or monthly request quota is used up: retrying now cannot help."""


def is_clarifai_host(url: str) -> bool:
    """Clarifai's own hosts (api, data/SDH...) over https: the only ones that get the key."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and (
        host == CLARIFAI_DOMAIN or host.endswith("." + CLARIFAI_DOMAIN)
    )


def describe(status: Mapping[str, Any] | None) -> str:
    """A status as a sentence: description, then details (the server's own words)."""
    if not isinstance(status, Mapping):
        return "no status"
    parts = [str(status.get(k)) for k in ("description", "details") if status.get(k)]
    code = status_code(status)
    text = "; ".join(parts) or "no description"
    return f"{text} (code {code})" if code is not None else text


class ClarifaiTransport(Transport):
    """:class:`Transport` that paces requests and reads Clarifai's body status codes."""

    def __init__(
        self,
        base_url: str,
        auth: AuthProvider | None = None,
        *,
        pacer: Pacer | None = None,
        throttle_wait: float = THROTTLE_WAIT,
        **kwargs: Any,
    ) -> None:
        super().__init__(base_url, auth, **kwargs)
        self.pacer = pacer or Pacer()
        self.throttle_wait = throttle_wait

    def same_origin(self, url: str) -> bool:
        """The configured server, and Clarifai's own hosts (images live on data.clarifai.com).

        Input URLs on any other host (inputs added by URL keep their original address)
        never see the key.
        """
        return super().same_origin(url) or is_clarifai_host(url)

    def _send(self, method: str, path: str, *args: Any) -> httpx.Response:
        self.pacer.wait()
        return super()._send(method, path, *args)

    def _is_api(self, response: httpx.Response) -> bool:
        url = str(response.request.url)
        return super().same_origin(url) and "/v2/" in urlsplit(url).path

    def _raise_for(self, response: httpx.Response) -> None:
        if not self._is_api(response):
            super()._raise_for(response)
            return
        host = self._host()
        try:
            body = response.json()
        except ValueError:
            if response.status_code >= 400:
                super()._raise_for(response)
            raise TransientError(
                f"{host} answered {response.status_code} with a body that is not JSON"
            ) from None
        status = body.get("status") if isinstance(body, dict) else None
        code = status_code(status)
        if code is None:
            if response.status_code >= 400:
                super()._raise_for(response)
            raise TransientError(f"{host} answered without a status: the answer is malformed")
        if code in (SUCCESS, MIXED_STATUS) and response.status_code < 400:
            return
        message = f"Clarifai: {describe(status)}"
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if code == THROTTLED:
            wait = retry_after if retry_after is not None else self.throttle_wait
            raise TransientError(f"{message} (throttled)", wait)
        if code in RETRY_CODES or response.status_code in (429, 500, 502, 503, 504):
            raise TransientError(message, retry_after)
        if code in AUTH_CODES or response.status_code in (401, 403):
            raise AuthError(message)
        if code in QUOTA_CODES:
            raise QuotaError(f"{message}; sync pauses until the quota allows requests again")
        if code in NOT_FOUND_CODES or response.status_code == 404:
            raise NotFoundError(message)
        if code == NOT_IMPLEMENTED:
            raise SyncError(message)
        raise ClarifaiError(message, code, body)
