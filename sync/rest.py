"""The small REST toolkit every adapter is built on: routes, pagers, the server's clock and
writes that look before they are sent again.

Adapters differ in their codecs and their routes, not in how a page is walked or how a lost
answer is handled; those live here once.

- ``Routes``: one table of named operations (method and path template) per API, so a route
  is written once and a request names what it does.
- ``numbered_pages`` / ``cursor_pages``: walk a page-numbered or a cursor listing until its
  end, guarding against a server that repeats a cursor.
- ``ServerClock``: the server's own time, from its ``Date`` header, for watermarks that must
  not depend on the local clock.
- ``write_then_verify``: a write whose answer was lost (timeout, 5xx, cut connection) may
  have been applied; before sending it again, ``applied()`` asks the server, so nothing is
  created twice and non-idempotent writes are never blindly repeated. 401/403/409 and
  validation errors are never retried.
"""

from __future__ import annotations

import email.utils
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from limner.sync.errors import SyncError, TransientError

log = logging.getLogger("limner.sync.rest")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    template: str

    def path(self, **ids: Any) -> str:
        try:
            return self.template.format(**{k: str(v) for k, v in ids.items()})
        except KeyError as missing:
            raise SyncError(f"route {self.template} needs {missing}") from None


class Routes:
    """A named table of an API's operations."""

    def __init__(self, table: Mapping[str, tuple[str, str]]) -> None:
        self._table = {name: Route(method, template) for name, (method, template) in table.items()}

    def __getitem__(self, name: str) -> Route:
        return self._table[name]

    def __contains__(self, name: object) -> bool:
        return name in self._table

    def names(self) -> list[str]:
        return sorted(self._table)


def numbered_pages(
    fetch: Callable[[int], list[T]], page_size: int, *, first: int = 1, total: int | None = None
) -> Iterator[list[T]]:
    """Pages 1, 2, ... until a short or empty page (or ``total`` items were seen)."""
    page = first
    seen = 0
    while True:
        items = fetch(page)
        if not items:
            return
        yield items
        seen += len(items)
        if len(items) < page_size or (total is not None and seen >= total):
            return
        page += 1


def cursor_pages(
    fetch: Callable[[str | None], tuple[list[T], str | None]],
) -> Iterator[list[T]]:
    """Pages of a cursor listing until the server gives no next cursor or repeats one."""
    cursor: str | None = None
    used: set[str] = set()
    while True:
        items, cursor = fetch(cursor)
        yield items
        if not cursor or cursor in used:
            return
        used.add(cursor)


class ServerClock:
    """The latest time the server said it was (its ``Date`` header)."""

    def __init__(self) -> None:
        self.latest: datetime | None = None

    def observe(self, headers: Mapping[str, str]) -> datetime | None:
        value = headers.get("date") or headers.get("Date")
        if not value:
            return None
        try:
            moment = email.utils.parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            return None
        if self.latest is None or moment > self.latest:
            self.latest = moment
        return moment


def write_then_verify(
    write: Callable[[], T],
    applied: Callable[[], T | None],
    *,
    attempts: int = 4,
    on_retry: Callable[[int, TransientError], None] | None = None,
    sleep: Callable[[float], None] | None = None,
    wait: Callable[[int], float] = lambda attempt: min(30.0, 0.5 * 2**attempt),
) -> T:
    """Send ``write``; after an ambiguous failure, ask ``applied()`` before sending again.

    ``applied`` returns what the write would have returned when the server already holds
    its effect (for example the object found by its idempotency key), or None.
    """
    import time

    pause = sleep or time.sleep
    last: TransientError | None = None
    for attempt in range(attempts):
        if attempt:
            found = applied()
            if found is not None:
                log.info("a write had landed before its answer was lost; not sent again")
                return found
        try:
            return write()
        except TransientError as exc:
            last = exc
            if on_retry is not None:
                on_retry(attempt, exc)
            if attempt + 1 < attempts:
                pause(exc.retry_after if exc.retry_after is not None else wait(attempt))
    found = applied()
    if found is not None:
        return found
    assert last is not None
    raise last
