"""Counts the HTTP requests a process actually sends, by method and by route.

Two clients are only comparable by request count if both are counted the same way, at
the same place, whatever library or code path sent each request. So the count hooks
httpx's own transports (``HTTPTransport.handle_request`` and its async twin): every
request of every httpx client in the process passes there once per request put on the
wire, so redirect hops, auth retries and transient retries each count, and nothing a
client merely built but never sent does.

The module imports only the standard library and httpx, so the same file can be loaded
by another interpreter (Label Studio's own environment, which ships httpx and the
Label Studio SDK but not limner) to count a script there exactly as limner is counted.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

_NUMERIC_SEGMENT = re.compile(r"/\d+(?=/|$)")


def route(method: str, path: str) -> str:
    """``"GET /api/tasks/{id}/"`` for ``GET /api/tasks/17/``: ids folded, query dropped."""
    return f"{method.upper()} {_NUMERIC_SEGMENT.sub('/{id}', path)}"


class RequestCount:
    """A thread-safe tally of sent requests, keyed by route."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: Counter[str] = Counter()

    def add(self, request: httpx.Request) -> None:
        key = route(request.method, request.url.path)
        with self._lock:
            self._routes[key] += 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._routes.values())

    def by_method(self) -> dict[str, int]:
        methods: Counter[str] = Counter()
        with self._lock:
            for key, n in self._routes.items():
                methods[key.split(" ", 1)[0]] += n
        return dict(sorted(methods.items()))

    def by_route(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._routes.items()))

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "by_method": self.by_method(), "by_route": self.by_route()}


@contextmanager
def counting() -> Iterator[RequestCount]:
    """Count every request sent by any httpx client of this process inside the block."""
    count = RequestCount()
    sync_handle = httpx.HTTPTransport.handle_request
    async_handle = httpx.AsyncHTTPTransport.handle_async_request

    def handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        count.add(request)
        return sync_handle(self, request)

    async def handle_async(
        self: httpx.AsyncHTTPTransport, request: httpx.Request
    ) -> httpx.Response:
        count.add(request)
        return await async_handle(self, request)

    httpx.HTTPTransport.handle_request = handle  # type: ignore[method-assign]
    httpx.AsyncHTTPTransport.handle_async_request = handle_async  # type: ignore[method-assign]
    try:
        yield count
    finally:
        httpx.HTTPTransport.handle_request = sync_handle  # type: ignore[method-assign]
        httpx.AsyncHTTPTransport.handle_async_request = async_handle  # type: ignore[method-assign]
