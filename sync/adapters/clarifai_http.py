"""Clarifai's transport and routes: pacing, body-level status codes, credentials by host.

Clarifai answers every call with ``{"status": {"code": ...}, ...}`` and the HTTP status
alone does not say whether the call worked (a throttled or failed call can come with any
HTTP code), so every API answer's ``status.code`` is classified here, inside the retried
call, into limner's error classes; an answer that is not such an object (not JSON, a
list, no status) is a :class:`~sync.errors.ProtocolError` naming the route, never retried.
The documented limit of 15 requests per second is kept on the client side by pacing
request starts, so a normal sync never meets the throttle.

:class:`ClarifaiApi` names every call by its RPC (``ListAnnotations``, ``PostAnnotations``
...) in one route table, scoped to one app, checks that each answer is a JSON object, and
remembers the server's clock from the answers' ``Date`` headers. Batch answers are judged
item by item (:func:`item_failures`): in a mixed answer what was stored stays stored.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from limner.sync import shapes
from limner.sync.adapters.clarifai_format import (
    AUTH_CODES,
    MIXED_STATUS,
    NOT_FOUND_CODES,
    NOT_IMPLEMENTED,
    QUOTA_CODES,
    RETRY_CODES,
    STORED_ITEM_CODES,
    SUCCESS,
    THROTTLED,
    status_code,
)
from limner.sync.errors import (
    AuthError,
    ConfigError,
    NotFoundError,
    ProtocolError,
    SyncError,
    TransientError,
    ValidationError,
)
from limner.sync.rest import Routes, ServerClock, numbered_pages
from limner.sync.transport import AuthProvider, Transport, parse_retry_after

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
        route = self.route(response.request.method, str(response.request.url))
        try:
            body = response.json()
        except ValueError:
            if response.status_code >= 400:
                super()._raise_for(response)
            raise ProtocolError(f"{route}: the answer is not JSON", route) from None
        status = body.get("status") if isinstance(body, dict) else None
        code = status_code(status)
        if code is None:
            if response.status_code >= 400:
                super()._raise_for(response)
            what = "an object without a status" if isinstance(body, dict) else "not an object"
            raise ProtocolError(f"{route}: expected Clarifai's answer, got {what}", route)
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


# -- routes --------------------------------------------------------------------------------
_SCOPE = "/v2/users/{user}/apps/{app}"
ROUTE_TABLE: Mapping[str, tuple[str, str]] = {
    "GetUser": ("GET", "/v2/users/{user}"),
    "ListApps": ("GET", "/v2/users/{user}/apps"),
    "ListCollaborations": ("GET", "/v2/users/{user}/collaborations"),
    "GetApp": ("GET", _SCOPE),
    "ListConcepts": ("GET", _SCOPE + "/concepts"),
    "PostConcepts": ("POST", _SCOPE + "/concepts"),
    "PatchConcepts": ("PATCH", _SCOPE + "/concepts"),
    "ListInputs": ("GET", _SCOPE + "/inputs"),
    "GetInput": ("GET", _SCOPE + "/inputs/{input_id}"),
    "StreamInputs": ("GET", _SCOPE + "/inputs/stream"),
    "PatchInputs": ("PATCH", _SCOPE + "/inputs"),
    "ListAnnotations": ("GET", _SCOPE + "/annotations"),
    "PostAnnotations": ("POST", _SCOPE + "/annotations"),
    "PatchAnnotations": ("PATCH", _SCOPE + "/annotations"),
    "DeleteAnnotations": ("DELETE", _SCOPE + "/annotations"),
    "DeleteAnnotation": ("DELETE", _SCOPE + "/inputs/{input_id}/annotations/{annotation_id}"),
    "PostAnnotationsSearches": ("POST", _SCOPE + "/annotations/searches"),
    "ListTasks": ("GET", _SCOPE + "/tasks"),
    "PutTaskAssignments": ("PUT", _SCOPE + "/tasks/{task_id}/assignments"),
}
MAX_PER_PAGE = 1000


def routes_with(overrides: Mapping[str, str] | None) -> Routes:
    """The route table, with some paths replaced (RPC name -> path template)."""
    unknown = set(overrides or {}) - set(ROUTE_TABLE)
    if unknown:
        raise ConfigError(f"unknown Clarifai routes: {', '.join(sorted(unknown))}")
    table = {
        name: (method, (overrides or {}).get(name, template))
        for name, (method, template) in ROUTE_TABLE.items()
    }
    return Routes(table)


class ClarifaiApi:
    """The calls of one app (``owner``/``app``), named by RPC, answers checked as objects."""

    def __init__(self, transport: ClarifaiTransport, owner: str, app: str, routes: Routes) -> None:
        self.t = transport
        self.owner, self.app = owner, app
        self.routes = routes
        self.clock = ServerClock()

    def call_at(
        self,
        rpc: str,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        retry: bool = True,
        **ids: str,
    ) -> tuple[dict[str, Any], datetime | None]:
        """The answer of one call and the server's time when it answered."""
        route = self.routes[rpc]
        values = {"user": self.owner, "app": self.app, **ids}
        path = route.path(**{k: quote(str(v), safe="") for k, v in values.items()})
        response = self.t.request(route.method, path, json=body, params=params, retry=retry)
        where = f"{route.method} {route.template}"
        answer = shapes.obj(Transport.decode_json(response, where), where)
        return dict(answer), self.clock.observe(response.headers)

    def call(self, rpc: str, **kwargs: Any) -> dict[str, Any]:
        return self.call_at(rpc, **kwargs)[0]

    def items(self, answer: Mapping[str, Any], rpc: str, key: str) -> list[dict[str, Any]]:
        """The list under ``key`` (proto3 leaves an empty list out of the answer)."""
        where = f"{self.routes[rpc].method} {self.routes[rpc].template}"
        return [dict(item) for item in shapes.listing(answer, key, where, default=[])]

    def pages(
        self,
        rpc: str,
        key: str,
        params: Mapping[str, Any] | None = None,
        per_page: int = MAX_PER_PAGE,
        **ids: str,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a page-numbered listing (Clarifai gives no total)."""

        def fetch(page: int) -> list[dict[str, Any]]:
            query = {**(params or {}), "page": page, "per_page": per_page}
            return self.items(self.call(rpc, params=query, **ids), rpc, key)

        for page in numbered_pages(fetch, per_page):
            yield from page


def item_failures(
    sent: Sequence[Mapping[str, Any]], items: Sequence[Mapping[str, Any]]
) -> dict[str, tuple[int | None, str]]:
    """The items of a batch the server did not store: id -> (code, the server's words)."""
    failed: dict[str, tuple[int | None, str]] = {}
    by_id = {str(i.get("id")): i for i in items if i.get("id")}
    for index, one in enumerate(sent):
        rid = str(one["id"])
        got = by_id.get(rid)
        if got is None and index < len(items) and not items[index].get("id"):
            got = items[index]
        code = status_code((got or {}).get("status"))
        if got is None:
            failed[rid] = (None, "missing from Clarifai's answer")
        elif code is not None and code not in STORED_ITEM_CODES:
            failed[rid] = (code, describe(got.get("status")))
    return failed
