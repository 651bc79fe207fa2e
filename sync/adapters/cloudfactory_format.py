"""CloudFactory work items <-> limner: routes, settings, statuses and signal plans.

Pure functions, no HTTP, so every mapping rule can be tested on its own (labels are in
``cloudfactory_labels``):

- the route table holds the operations limner uses and can be overridden per remote;
- the server's statuses are ``NEW/IN_PROGRESS/COMPLETED/FAILED``, changed only by signals;
  a push works out the signals that lead from the server's status to the one limner
  wants, instead of replaying the user's clicks, so a repeated push sends nothing twice.
  The API keeps no review that can be read back, so limner's last decision rides in the
  labels' metadata and refines COMPLETED into approved, NEW into rejected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from limner.sync import shapes
from limner.sync.adapters.base import ClassSpec
from limner.sync.adapters.cloudfactory_labels import LabelStyle
from limner.sync.errors import ConfigError, NotFoundError, ProtocolError

SKIP_SIGNALS = ("cancel", "release")
REJECT_SIGNALS = ("complete", "reopen")

# Operation -> (method, path template under the base URL), for the operations limner uses.
# The vendor's client confirms list_work_items, list_batches and download_urls; the other
# paths are inferred (the API page shows none), which is why the table can be overridden.
ROUTES: dict[str, tuple[str, str]] = {
    "download_urls": ("POST", "/spaces/{spaceID}/signedurls"),
    "list_batches": ("GET", "/projects/{projectID}/batches"),
    "list_projects": ("GET", "/spaces/{spaceID}/projects"),
    "get_project": ("GET", "/spaces/{spaceID}/projects/{projectID}"),
    "bulk_signal": ("POST", "/projects/{projectID}/workItems/signals"),
    "list_work_items": ("GET", "/projects/{projectID}/workItems"),
    "put_labels": ("PUT", "/projects/{projectID}/workItems/{workItemID}/labels"),
    "signal": ("POST", "/projects/{projectID}/workItems/{workItemID}/signals"),
}
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

def merge_routes(overrides: Mapping[str, Any] | None) -> dict[str, tuple[str, str]]:
    """The route table with a user's overrides (``"PATCH /path"`` or ``[method, path]``).

    A misspelt operation or a path that asks for an id the operation does not have is a
    setup error, reported before any request is sent.
    """
    routes = dict(ROUTES)
    for op, value in (overrides or {}).items():
        if op not in ROUTES:
            raise ConfigError(f"unknown CloudFactory route {op!r}; use one of {', '.join(ROUTES)}")
        if isinstance(value, str):
            method, _, path = value.strip().partition(" ")
        elif isinstance(value, Mapping):
            method, path = str(value.get("method", "")), str(value.get("path", ""))
        elif isinstance(value, Sequence) and len(value) == 2:
            method, path = str(value[0]), str(value[1])
        else:
            raise ConfigError(f"route {op!r} must be 'METHOD /path' or [method, path]")
        method, path = method.upper().strip(), path.strip()
        if method not in _METHODS or not path.startswith("/"):
            raise ConfigError(f"route {op!r} must be 'METHOD /path', not {value!r}")
        allowed = set(_placeholders(ROUTES[op][1]))
        extra = set(_placeholders(path)) - allowed
        if extra:
            raise ConfigError(
                f"route {op!r} uses {', '.join(sorted(extra))}; it can use "
                f"{', '.join(sorted(allowed)) or 'no ids'}"
            )
        routes[op] = (method, path)
    return routes


def _placeholders(path: str) -> list[str]:
    return [chunk.split("}", 1)[0] for chunk in path.split("{")[1:]]


# -- settings ---------------------------------------------------------------------------
PAGE_SIZE = 100  # the page's maximum for ``limit``
DEFAULT_OVERLAP = 120.0  # seconds re-read before the watermark (late commits, skew)


@dataclass(frozen=True, slots=True)
class Settings:
    """One remote's settings, checked once, before any request is sent."""

    space_id: str
    project_id: str
    routes: Mapping[str, tuple[str, str]]
    style: LabelStyle
    skip_signal: str
    reject_signal: str
    task_types: Mapping[str, str]
    assignee: str | None
    batch_ids: tuple[int, ...]
    overlap: timedelta
    page_size: int
    configured: tuple[ClassSpec, ...]


def parse_settings(
    project_ref: str, raw: Mapping[str, Any] | None, routes: Mapping[str, Any] | None = None
) -> Settings:
    settings = dict(raw or {})
    ref = str(project_ref).strip().lstrip("/")
    if "/" in ref:
        space_id, project_id = (p.strip(" /") for p in ref.split("/", 1))
    else:
        space_id, project_id = str(settings.get("space_id") or ""), ref
    if not space_id:
        # Nothing lists spaces, so the space must be given; '<spaceID>/' alone is enough
        # to list its projects (connect dialog).
        raise ConfigError(
            "a CloudFactory remote is '<spaceID>/<projectID>' "
            "(or the project id with space_id in the settings)"
        )
    skip = str(settings.get("skip_signal", "cancel"))
    if skip not in SKIP_SIGNALS:
        raise ConfigError(f"skip_signal must be one of {', '.join(SKIP_SIGNALS)}")
    reject = str(settings.get("reject_signal", "complete"))
    if reject not in REJECT_SIGNALS:
        raise ConfigError(f"reject_signal must be one of {', '.join(REJECT_SIGNALS)}")
    tasks = dict(settings.get("task_types") or {})
    try:
        batch_ids = tuple(int(b) for b in settings.get("batch_ids") or [])
        overlap = timedelta(seconds=float(settings.get("pull_overlap_seconds", DEFAULT_OVERLAP)))
        page_size = max(1, min(PAGE_SIZE, int(settings.get("page_size", PAGE_SIZE))))
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"batch_ids, pull_overlap_seconds and page_size must be numbers: {exc}"
        ) from exc
    return Settings(
        space_id,
        project_id,
        merge_routes(routes if routes is not None else settings.get("routes")),
        LabelStyle(
            bbox_format=str(settings.get("bbox_format", "xywh")),
            class_key=str(settings.get("class_key", "category")),
        ),
        skip,
        reject,
        {k: str(tasks.get(k, k)) for k in ("labeling", "review")},
        str(settings["assignee"]) if settings.get("assignee") else None,
        batch_ids,
        overlap,
        page_size,
        _configured_classes(settings.get("classes") or []),
    )


def _configured_classes(raw: Any) -> tuple[ClassSpec, ...]:
    out: list[ClassSpec] = []
    for entry in raw:
        if isinstance(entry, str) and entry:
            out.append(ClassSpec(entry, "box"))
        elif isinstance(entry, Mapping) and entry.get("name"):
            out.append(ClassSpec(str(entry["name"]), "box", entry.get("color")))
        else:
            raise ConfigError(f"a class in the settings must be a name, not {entry!r}")
    return tuple(out)


def space_relative(url: str, space_id: str) -> str:
    """``s3://bucket/spaces/<space>/a/b.jpg`` -> ``a/b.jpg``; relative paths as they are."""
    if not url.startswith("s3://"):
        return url.lstrip("/")
    parts = url[len("s3://") :].split("/")
    for index in range(len(parts) - 2):
        if parts[index] == "spaces" and parts[index + 1] == space_id:
            rest = "/".join(parts[index + 2 :])
            if rest:
                return rest
    raise NotFoundError(f"{url} is not in space {space_id}")


def keyset_page(body: Any, route: str) -> tuple[list[Mapping[str, Any]], str | None]:
    """Items and the next cursor of a keyset page (a bare array is an old server's page)."""
    if isinstance(body, list):
        items, meta = shapes.items(body, route), {}
    else:
        items = shapes.listing(shapes.obj(body, route), "items", route, default=[])
        meta = shapes.member(body, "meta", route, default={})
    for item in items:
        if not isinstance(item.get("id"), str | int) or isinstance(item.get("id"), bool):
            raise ProtocolError(f"{route}: an item has no id", route)
    cursor = meta.get("cursor_next") or meta.get("cursorNext")
    return list(items), str(cursor) if cursor else None


def deadline(item: Mapping[str, Any]) -> float:
    """When a work item is due (``createdAt`` + ``dueInSeconds``), inf when it is not."""
    created = parse_time(item.get("createdAt"))
    due = item.get("dueInSeconds")
    if created is None or not isinstance(due, int | float) or isinstance(due, bool):
        return float("inf")
    return created.timestamp() + float(due)


# -- time -------------------------------------------------------------------------------
def parse_time(text: object) -> datetime | None:
    """An ISO 8601 timestamp from the server, or None when it is missing or unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def format_time(value: datetime) -> str:
    """Milliseconds, UTC, ``Z``: what the API's examples look like."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def same_time(a: object, b: object) -> bool:
    """Equal instants, whatever the spelling (``Z`` or ``+00:00``, trailing zeros)."""
    pa, pb = parse_time(a), parse_time(b)
    if pa is None or pb is None:
        return a == b
    return pa == pb


# -- statuses ---------------------------------------------------------------------------
def canonical_status(remote: object, marker: Mapping[str, Any] | None) -> str | None:
    """limner's status for a work item: its server status, refined by limner's review.

    COMPLETED is ``approved`` when limner's approval is on the labels and ``submitted``
    otherwise; NEW is ``rejected`` after limner's rejection. A status the page does not
    list is left alone (None).
    """
    decision = (marker or {}).get("decision")
    if remote == "NEW":
        return "rejected" if decision == "reject" else "new"
    if remote == "IN_PROGRESS":
        return "in_progress"
    if remote == "COMPLETED":
        return "approved" if decision == "approve" else "submitted"
    if remote == "FAILED":
        return "skipped"
    return None


def desired_marker(status: str, review: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The review limner wants on the labels for ``status`` (None: no review marker).

    When the review matches the status it is written whole, so that the server gives back
    exactly the review limner sent.
    """
    decision = {"approved": "approve", "rejected": "reject"}.get(status)
    if decision is None:
        return None
    if review and review.get("decision") == decision:
        return dict(review)
    return {"decision": decision}


def marker_change(
    status: str,
    review: Mapping[str, Any] | None,
    server_status: str,
    current: Mapping[str, Any] | None,
) -> tuple[bool, dict[str, Any] | None]:
    """Whether the labels' review marker must change for ``status``, and to what.

    A marker that reads the same as none at all (a rejection on a COMPLETED item) is left
    where it is, so labels are rewritten only when the review limner shows must change.
    """
    wanted = desired_marker(status, review)
    if wanted is not None:
        return wanted != current, wanted
    misleading = current is not None and canonical_status(server_status, current) != (
        canonical_status(server_status, None)
    )
    return misleading, None


@dataclass(frozen=True, slots=True)
class Signal:
    """One signal to send, the status it starts from and the one it leads to."""

    signal: str
    task: str  # "labeling" or "review" (mapped to the server's taskType names)
    outcome: str
    source: str
    expect: str
    bulk: bool = False  # sent through the bulk endpoint, the only one that takes comments

    @property
    def before_labels(self) -> bool:
        """Signals that open an item for work go before the labels are written."""
        return self.signal in ("start", "reopen")


def signal_body(step: Signal, key: str, comment: str, settings: Settings) -> dict[str, Any]:
    """The request body of one signal (the bulk form is the only one that takes a comment)."""
    if step.bulk:
        entry: dict[str, Any] = {"workItemID": key}
        if comment:
            entry["feedback"] = {"comments": [comment]}
        return {"signal": step.signal, "workItems": [entry]}
    body = {
        "signal": step.signal,
        "taskType": settings.task_types[step.task],
        "signalOutcome": step.outcome,
    }
    if settings.assignee:
        body["assignee"] = settings.assignee
    return body


def _step(signal: str, source: str, task: str = "labeling", outcome: str = "OK") -> Signal:
    expect = {
        "start": "IN_PROGRESS",
        "release": "NEW",
        "complete": "COMPLETED",
        "cancel": "FAILED",
        "reopen": "NEW",
    }[signal]
    if signal == "complete" and task == "review" and outcome == "NOT_OK":
        expect = "NEW"
    return Signal(signal, task, outcome, source, expect)


def _path(current: str, target: str) -> list[Signal]:
    """Signals from one server status to another."""
    steps: list[Signal] = []
    status = current
    while status != target:
        if len(steps) >= 4:
            raise ValueError(f"no signal path from {current} to {target}")
        if status in ("COMPLETED", "FAILED"):
            steps.append(_step("reopen", status))
        elif status == "NEW":
            steps.append(_step("cancel" if target == "FAILED" else "start", status))
        elif status == "IN_PROGRESS":
            signal = {"NEW": "release", "COMPLETED": "complete", "FAILED": "cancel"}[target]
            steps.append(_step(signal, status))
        else:
            raise ValueError(f"unknown work item status {status!r}")
        status = steps[-1].expect
    return steps


def target_status(status: str, skip_signal: str) -> str:
    return {
        "new": "NEW",
        "in_progress": "IN_PROGRESS",
        "submitted": "COMPLETED",
        "approved": "COMPLETED",
        "rejected": "NEW",
        "skipped": "FAILED" if skip_signal == "cancel" else "NEW",
    }[status]


def plan_signals(
    current: str,
    status: str,
    *,
    skip_signal: str,
    approval_on_server: bool,
    reject_signal: str = "complete",
) -> list[Signal]:
    """The signals that take a work item from ``current`` to limner's ``status``.

    ``approval_on_server``: limner's approval is already recorded for this completion, so
    it is not sent again. A rejection sends the item back to labeling: a review task
    completed ``NOT_OK``, or (``reject_signal="reopen"``) a bulk ``reopen`` that carries the
    reviewer's comment as feedback; an item already there (NEW or IN_PROGRESS) needs no
    signal.
    """
    if status == "rejected":
        if current == "COMPLETED" and reject_signal == "reopen":
            return [Signal("reopen", "review", "OK", current, "NEW", bulk=True)]
        if current == "COMPLETED":
            return [_step("complete", current, "review", "NOT_OK")]
        if current == "FAILED":
            return [_step("reopen", current)]
        return []
    if status == "skipped" and skip_signal == "release":
        return [_step("release", current)] if current == "IN_PROGRESS" else []
    steps = _path(current, target_status(status, skip_signal))
    if status == "approved" and (steps or not approval_on_server):
        steps.append(_step("complete", "COMPLETED", "review", "OK"))
    return steps
