"""CloudFactory work items <-> limner: routes, labels, statuses and signal plans.

Pure functions, no HTTP, so every mapping rule can be tested on its own:

- a label is ``{"metadata": {...}, "bbox": [4 numbers]}``, so limner can only hold boxes
  there; the class, limner's uuid and the attributes go into the label's ``metadata``, and
  every other key found in a label (or in its metadata) is carried over when limner
  rewrites that label;
- a label has no server id: one limner wrote carries limner's uuid in its metadata, one
  made elsewhere gets a uuid derived from its content (not its position, so deleting
  another label does not change who it is);
- the bbox order is not documented: COCO ``[x, y, width, height]`` in pixels by default
  (the results are exported as COCO), the other readings are a setting;
- the server's statuses are ``NEW/IN_PROGRESS/COMPLETED/FAILED``, changed only by signals;
  a push works out the signals that lead from the server's status to the one limner
  wants, instead of replaying the user's clicks, so a repeated push sends nothing twice.
  The API keeps no review that can be read back, so limner's last decision rides in the
  labels' metadata (``limner_review``) and refines COMPLETED into approved, NEW into
  rejected.
"""

from __future__ import annotations

import json
import math
import uuid as uuidlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from models.errors import GeometryError
from models.geometry import Box
from sync.adapters.base import ClassSpec, Refused, Region
from sync.errors import ConfigError, NotFoundError

NAMESPACE = uuidlib.UUID("0c1f3a52-8a4e-4c65-b2a9-6f0e3d7c9a11")
UUID_KEY = "limner_uuid"
ATTRIBUTES_KEY = "attributes"
REVIEW_KEY = "limner_review"

BBOX_FORMATS = ("xywh", "xyxy", "xywh_normalized", "xyxy_normalized")
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

REFUSED: Mapping[str, str] = {
    "polygon": "CloudFactory work item labels hold only a bbox; polygons cannot be stored there",
    "mask": "CloudFactory work item labels hold only a bbox; masks cannot be stored there",
    "keypoints": "CloudFactory work item labels hold only a bbox; keypoints cannot be stored there",
}


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


# -- labels -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LabelStyle:
    """How this remote spells a box and its class (per-connection settings)."""

    bbox_format: str = "xywh"
    class_key: str = "category"

    def __post_init__(self) -> None:
        if self.bbox_format not in BBOX_FORMATS:
            raise ConfigError(
                f"bbox_format {self.bbox_format!r} is unknown; use one of {', '.join(BBOX_FORMATS)}"
            )
        if not self.class_key:
            raise ConfigError("class_key must name a label metadata key")


class LabelError(ValueError):
    """A label limner cannot read as a box."""


def bbox_of(box: Box, width: int, height: int, fmt: str) -> list[float]:
    if fmt == "xywh":
        return [box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0]
    if fmt == "xyxy":
        return [box.x0, box.y0, box.x1, box.y1]
    if fmt == "xywh_normalized":
        return [box.x0 / width, box.y0 / height, box.width / width, box.height / height]
    return [box.x0 / width, box.y0 / height, box.x1 / width, box.y1 / height]


def box_of(values: object, width: int, height: int, fmt: str) -> Box:
    """The box a bbox stands for; absurd ones (NaN, no area, far off the image) refused."""
    if (
        not isinstance(values, list | tuple)
        or len(values) != 4
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    ):
        raise LabelError(f"bbox is not 4 numbers: {values!r}")
    a, b, c, d = (float(v) for v in values)
    if not all(math.isfinite(v) for v in (a, b, c, d)):
        raise LabelError(f"bbox is not finite: {values!r}")
    if fmt.endswith("_normalized"):
        a, b, c, d = a * width, b * height, c * width, d * height
    x1, y1 = (a + c, b + d) if fmt.startswith("xywh") else (c, d)
    try:
        box = Box(a, b, x1, y1)
    except GeometryError as exc:
        raise LabelError(str(exc)) from exc
    if box.x0 < -width or box.y0 < -height or box.x1 > 2 * width or box.y1 > 2 * height:
        raise LabelError(f"bbox {values!r} lies far outside the {width}x{height} image")
    return box


def _canonical(label: Any) -> str:
    """A label's content as text, without limner's review (which is not the label's)."""
    metadata = label.get("metadata") if isinstance(label, Mapping) else None
    if isinstance(metadata, Mapping) and REVIEW_KEY in metadata:
        label = {**label, "metadata": {k: v for k, v in metadata.items() if k != REVIEW_KEY}}
    return json.dumps(label, sort_keys=True, separators=(",", ":"), default=str)


def own_uuid(label: Any) -> str | None:
    """The uuid limner wrote into a label's metadata, if any."""
    metadata = label.get("metadata") if isinstance(label, Mapping) else None
    value = metadata.get(UUID_KEY) if isinstance(metadata, Mapping) else None
    return value if isinstance(value, str) and value else None


def label_uuids(item_id: str, labels: Sequence[Any]) -> list[str]:
    """One uuid per label, in order: limner's own when the label carries it, else one
    derived from the label's content (identical labels told apart by their rank), so that
    a label keeps its identity when others are added, moved or deleted."""
    out: list[str] = []
    taken: set[str] = set()
    ranks: dict[str, int] = {}
    for label in labels:
        uid = own_uuid(label)
        if uid is None or uid in taken:
            text = _canonical(label)
            rank = ranks.get(text, 0)
            ranks[text] = rank + 1
            uid = str(uuidlib.uuid5(NAMESPACE, f"{item_id}:{rank}:{text}"))
        taken.add(uid)
        out.append(uid)
    return out


def read_label(uid: str, label: Any, width: int, height: int, style: LabelStyle) -> Region:
    """limner's reading of one label; ``LabelError`` says why it cannot be read."""
    if not isinstance(label, Mapping):
        raise LabelError("is not an object")
    metadata = label.get("metadata", {})
    if not isinstance(metadata, Mapping):
        raise LabelError("has a metadata that is not an object")
    try:
        box = box_of(label.get("bbox"), width, height, style.bbox_format)
    except LabelError as exc:
        raise LabelError(f"cannot be read as a box ({exc})") from exc
    name = metadata.get(style.class_key)
    attributes = metadata.get(ATTRIBUTES_KEY)
    return Region(
        uid,
        str(name) if isinstance(name, str | int) and str(name) else None,
        box,
        dict(attributes) if isinstance(attributes, Mapping) else {},
    )


def encode_label(
    region: Region, width: int, height: int, style: LabelStyle, previous: Any = None
) -> dict[str, Any]:
    """The label for ``region``; what ``previous`` held beyond limner's keys is kept."""
    if not isinstance(region.geometry, Box):
        kind = region.geometry.kind
        raise Refused(REFUSED.get(kind, f"CloudFactory labels cannot hold {kind} annotations"))
    box = region.geometry
    if box.x0 < 0 or box.y0 < 0:
        raise Refused("CloudFactory boxes cannot reach past the image's left or top edge")
    label = dict(previous) if isinstance(previous, Mapping) else {}
    old = label.get("metadata")
    metadata = dict(old) if isinstance(old, Mapping) else {}
    metadata[UUID_KEY] = region.uuid
    if region.class_name:
        metadata[style.class_key] = region.class_name
    else:
        metadata.pop(style.class_key, None)
    if region.attributes:
        metadata[ATTRIBUTES_KEY] = dict(region.attributes)
    else:
        metadata.pop(ATTRIBUTES_KEY, None)
    label["metadata"] = metadata
    label["bbox"] = bbox_of(box, width, height, style.bbox_format)
    return label


def class_names(labels: object, class_key: str) -> set[str]:
    names: set[str] = set()
    for label in labels if isinstance(labels, list) else []:
        metadata = label.get("metadata") if isinstance(label, Mapping) else None
        if isinstance(metadata, Mapping):
            name = metadata.get(class_key)
            if isinstance(name, str | int) and str(name):
                names.add(str(name))
    return names


def review_marker(labels: object) -> dict[str, Any] | None:
    """The review limner last wrote on this item (the first label that carries one)."""
    for label in labels if isinstance(labels, list) else []:
        metadata = label.get("metadata") if isinstance(label, Mapping) else None
        if isinstance(metadata, Mapping) and isinstance(metadata.get(REVIEW_KEY), Mapping):
            return dict(metadata[REVIEW_KEY])
    return None


def with_marker(
    labels: Sequence[Any], marker: Mapping[str, Any] | None, readable: Callable[[Any], bool]
) -> list[Any]:
    """``labels`` with limner's review set (or removed) in each readable label's metadata.

    Only that one key changes; everything else in every label stays as it was, and a label
    limner cannot read (``readable`` says which) is left exactly as it is.
    """
    out: list[Any] = []
    for label in labels:
        metadata = label.get("metadata", {}) if isinstance(label, Mapping) else None
        if not isinstance(metadata, Mapping) or not readable(label):
            out.append(label)
            continue
        changed = dict(metadata)
        if marker:
            changed[REVIEW_KEY] = dict(marker)
        else:
            changed.pop(REVIEW_KEY, None)
        out.append({**label, "metadata": changed})
    return out


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
