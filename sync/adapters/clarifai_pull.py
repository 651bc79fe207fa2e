"""Pulling a Clarifai app: which inputs changed since the last pass.

Clarifai reports changes but not deletions, and has no change feed: a first (and a
periodic) full pass streams every input in the stream's stable order, resumably (the
cursor after each page says where an interrupted pass goes on); later passes stream the
inputs added after the last one seen and search the annotations updated since the last
pass (``last_updated_time_range``, from a little before the watermark, because clocks
differ). Watermarks are the server's own time, from its ``Date`` header, never the local
clock. The cursor is JSON text the engine stores after each committed page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from limner.sync.adapters.base import RemotePage

if TYPE_CHECKING:
    from limner.sync.adapters.clarifai import ClarifaiAdapter

OVERLAP = timedelta(minutes=2)  # re-read this much before the watermark (server clocks)


@dataclass(frozen=True, slots=True)
class Cursor:
    since: str | None = None  # server time the last completed pass started
    last: str | None = None  # last input id streamed (new inputs come after it)
    full: float | None = None  # when the last full pass completed (local clock)
    resume: str | None = None  # an interrupted full pass goes on after this input
    start: str | None = None  # server time the interrupted full pass started

    @classmethod
    def parse(cls, text: str | None) -> Cursor:
        try:
            data = json.loads(text) if text else {}
        except json.JSONDecodeError:
            data = {}
        if not isinstance(data, dict):
            return cls()
        return cls(**{k: data.get(k) for k in ("since", "last", "full", "resume", "start")})

    def dump(self) -> str:
        return json.dumps(
            {k: v for k, v in asdict(self).items() if v is not None}, separators=(",", ":")
        )


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if moment else None


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def changed_images(adapter: ClarifaiAdapter, cursor: str | None) -> Iterator[RemotePage]:
    """Pages of inputs changed since ``cursor``: a full pass when due, else the news."""
    state = Cursor.parse(cursor)
    full_due = state.full is None or adapter.clock() - state.full >= adapter.full_pass_every
    if state.since is None or state.resume is not None or full_due:
        yield from _full_pass(adapter, state)
    else:
        yield from _incremental(adapter, state)


def _full_pass(adapter: ClarifaiAdapter, state: Cursor) -> Iterator[RemotePage]:
    """Every input, in the stream's stable order; resumable after an interruption."""
    start = state.start if state.resume else None
    after = state.resume
    newest = ""
    while True:
        inputs, moment = adapter.stream(after, adapter.page_size)
        start = start or _iso(moment)
        images = adapter.images(inputs)
        for image in images:
            newest = max(newest, str(image.container_version or "").split("#")[0])
        if inputs:
            after = str(inputs[-1]["id"])
        if len(inputs) < adapter.page_size:
            final = Cursor(
                since=start or (newest if newest not in ("", "-") else None) or state.since,
                last=after or state.last,
                full=adapter.clock(),
            )
            yield RemotePage(images, final.dump())
            return
        yield RemotePage(images, replace(state, resume=after, start=start).dump())


def _incremental(adapter: ClarifaiAdapter, state: Cursor) -> Iterator[RemotePage]:
    """New inputs (stream after the last one), then inputs whose annotations changed."""
    seen: set[str] = set()
    while True:
        inputs, _ = adapter.stream(state.last, adapter.page_size)
        if inputs:
            state = replace(state, last=str(inputs[-1]["id"]))
            seen.update(str(i["id"]) for i in inputs)
            yield RemotePage(adapter.images(inputs), state.dump())
        if len(inputs) < adapter.page_size:
            break
    since = _parse_time(state.since or "")
    begin = _iso(since - OVERLAP) if since else None
    start: str | None = None
    newest = ""
    page = 1
    while True:
        query = {"filters": [{"last_updated_time_range": {"start_time": begin}}]}
        body, moment = adapter.api.call_at(
            "PostAnnotationsSearches",
            body={
                "searches": [{"query": query}],
                "pagination": {"page": page, "per_page": adapter.search_page_size},
            },
        )
        start = start or _iso(moment)
        hits = adapter.api.items(body, "PostAnnotationsSearches", "hits")
        touched: list[str] = []
        for hit in hits:
            annotation = hit.get("annotation") or {}
            key = str(annotation.get("input_id") or (hit.get("input") or {}).get("id") or "")
            if key and key not in seen:
                seen.add(key)
                touched.append(key)
            newest = max(newest, str(annotation.get("modified_at") or ""))
        for index in range(0, len(touched), adapter.page_size):
            chunk = touched[index : index + adapter.page_size]
            yield RemotePage(adapter.images_by_ids(chunk), state.dump())
        if len(hits) < adapter.search_page_size:
            break
        page += 1
    yield RemotePage([], replace(state, since=start or newest or state.since).dump())
