"""CloudFactory work items <-> limner: routes, labels, statuses and signal plans.

Pure functions, no HTTP, so every mapping rule can be tested on its own. What the API
documents and what is inferred is in ``shared/api/cloudfactory.md``; in short:

- a label is ``{"metadata": {...}, "bbox": [4 numbers]}`` and nothing else, so limner can
  only hold boxes there; the class, limner's uuid, the attributes and the last review go
  into the label's ``metadata`` (other keys found there are kept as they are);
- the bbox order is not documented: COCO ``[x, y, width, height]`` in pixels by default
  (the results are exported as COCO), the other readings are a setting;
- the server's statuses are ``NEW/IN_PROGRESS/COMPLETED/FAILED``, changed only by signals;
  a push works out the signals that lead from the server's status to the one limner
  wants, instead of replaying the user's clicks, so a repeated push sends nothing twice.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from models.errors import GeometryError
from models.geometry import Box
from sync.adapters.base import Region
from sync.errors import ConfigError

NAMESPACE = uuidlib.UUID("0c1f3a52-8a4e-4c65-b2a9-6f0e3d7c9a11")
UUID_KEY = "limner_uuid"
ATTRIBUTES_KEY = "attributes"
REVIEW_KEY = "limner_review"

BBOX_FORMATS = ("xywh", "xyxy", "xywh_normalized", "xyxy_normalized")
SKIP_SIGNALS = ("cancel", "release")
REJECT_SIGNALS = ("complete", "reopen")

# Operation -> (method, path template under the base URL). Only list_work_items,
# list_batches, get_annotation and download_urls are confirmed by the vendor's SDK; the
# rest are read off the Redoc page's schema names and must stay overridable.
ROUTES: dict[str, tuple[str, str]] = {
    "upload_urls": ("GET", "/spaces/{spaceID}/signedurls"),
    "download_urls": ("POST", "/spaces/{spaceID}/signedurls"),
    "create_batch": ("POST", "/projects/{projectID}/batches"),
    "list_batches": ("GET", "/projects/{projectID}/batches"),
    "update_batch": ("PATCH", "/projects/{projectID}/batches/{batchID}"),
    "list_projects": ("GET", "/spaces/{spaceID}/projects"),
    "get_project": ("GET", "/spaces/{spaceID}/projects/{projectID}"),
    "bulk_signal": ("POST", "/projects/{projectID}/workItems/signals"),
    "create_work_item": ("POST", "/projects/{projectID}/workItems"),
    "list_work_items": ("GET", "/projects/{projectID}/workItems"),
    "put_labels": ("PUT", "/projects/{projectID}/workItems/{workItemID}/labels"),
    "get_annotation": ("GET", "/projects/{projectID}/workItems/{workItemID}/annotations"),
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
    out = []
    for chunk in path.split("{")[1:]:
        out.append(chunk.split("}", 1)[0])
    return out


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
    if (
        not isinstance(values, list | tuple)
        or len(values) != 4
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    ):
        raise LabelError(f"bbox is not 4 numbers: {values!r}")
    a, b, c, d = (float(v) for v in values)
    if fmt.endswith("_normalized"):
        a, b, c, d = a * width, b * height, c * width, d * height
    x1, y1 = (a + c, b + d) if fmt.startswith("xywh") else (c, d)
    try:
        return Box(a, b, x1, y1)
    except GeometryError as exc:
        raise LabelError(str(exc)) from exc


def derived_uuid(item_id: str, index: int) -> str:
    """A stable id for a label made outside limner (it has no uuid yet).

    Until limner writes the label back (with its uuid) its position is its identity.
    """
    return str(uuidlib.uuid5(NAMESPACE, f"{item_id}:{index}"))


@dataclass(frozen=True, slots=True)
class ParsedLabels:
    regions: list[Region]
    index_of: dict[str, int]  # uuid -> position in the labels array
    unusable: list[int]  # positions of labels limner cannot read (kept on push)
    warnings: list[str]


def parse_labels(
    item_id: str, labels: object, width: int, height: int, style: LabelStyle
) -> ParsedLabels:
    regions: list[Region] = []
    index_of: dict[str, int] = {}
    unusable: list[int] = []
    warnings: list[str] = []
    if not isinstance(labels, list):
        return ParsedLabels([], {}, [], [] if labels is None else ["labels is not an array"])
    for index, label in enumerate(labels):
        if not isinstance(label, Mapping):
            unusable.append(index)
            warnings.append(f"label #{index + 1} is not an object; it stays on the server as is")
            continue
        try:
            box = box_of(label.get("bbox"), width, height, style.bbox_format)
        except LabelError as exc:
            unusable.append(index)
            warnings.append(
                f"label #{index + 1} cannot be read as a box ({exc}); it stays on the server as is"
            )
            continue
        metadata = label.get("metadata")
        metadata = metadata if isinstance(metadata, Mapping) else {}
        uid = metadata.get(UUID_KEY)
        if not isinstance(uid, str) or not uid or uid in index_of:
            uid = derived_uuid(item_id, index)
        name = metadata.get(style.class_key)
        attributes = metadata.get(ATTRIBUTES_KEY)
        regions.append(
            Region(
                uid,
                str(name) if isinstance(name, str | int) and str(name) else None,
                box,
                dict(attributes) if isinstance(attributes, Mapping) else {},
            )
        )
        index_of[uid] = index
    return ParsedLabels(regions, index_of, unusable, warnings)


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
    """The review limner last wrote on this item (the same on every label)."""
    for label in labels if isinstance(labels, list) else []:
        metadata = label.get("metadata") if isinstance(label, Mapping) else None
        if isinstance(metadata, Mapping) and isinstance(metadata.get(REVIEW_KEY), Mapping):
            return dict(metadata[REVIEW_KEY])
    return None


def region_label(
    region: Region,
    width: int,
    height: int,
    style: LabelStyle,
    previous: Mapping[str, Any] | None,
    marker: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """One label for ``region``; metadata keys limner does not own are carried over."""
    assert isinstance(region.geometry, Box), "check_region refuses other kinds"
    old = previous.get("metadata") if previous else None
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
    if marker:
        metadata[REVIEW_KEY] = dict(marker)
    else:
        metadata.pop(REVIEW_KEY, None)
    return {
        "metadata": metadata,
        "bbox": bbox_of(region.geometry, width, height, style.bbox_format),
    }


def build_labels(
    current: object,
    parsed: ParsedLabels,
    regions: Sequence[Region],
    width: int,
    height: int,
    style: LabelStyle,
    marker: Mapping[str, Any] | None,
) -> list[Any]:
    """The labels array that makes the server hold exactly ``regions``.

    Order is kept: a label limner holds is rewritten where it stands, one limner deleted
    is left out, one limner cannot read stays untouched, new ones go at the end.
    """
    existing = list(current) if isinstance(current, list) else []
    wanted = {r.uuid: r for r in regions}
    at = {index: uid for uid, index in parsed.index_of.items()}
    unusable = set(parsed.unusable)
    out: list[Any] = []
    placed: set[str] = set()
    for index, label in enumerate(existing):
        if index in unusable:
            out.append(label)
            continue
        uid = at.get(index)
        if uid is not None and uid in wanted:
            out.append(region_label(wanted[uid], width, height, style, label, marker))
            placed.add(uid)
    for region in regions:
        if region.uuid not in placed:
            out.append(region_label(region, width, height, style, None, marker))
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
    """The review limner wants on the labels for ``status`` (None: no review marker)."""
    decision = {"approved": "approve", "rejected": "reject"}.get(status)
    if decision is None:
        return None
    marker: dict[str, Any] = {"decision": decision}
    if review and review.get("decision") == decision:
        marker.update({k: review[k] for k in ("comment", "reviewer", "time") if review.get(k)})
    return marker


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
    """Signals from one server status to another (the transitions of the digest, §5)."""
    steps: list[Signal] = []
    status = current
    guard = 0
    while status != target:
        guard += 1
        if guard > 4:
            raise ValueError(f"no signal path from {current} to {target}")
        if status in ("COMPLETED", "FAILED"):
            steps.append(_step("reopen", status))
        elif status == "NEW":
            if target == "FAILED":
                steps.append(_step("cancel", status))
            else:
                steps.append(_step("start", status))
        elif status == "IN_PROGRESS":
            steps.append(
                _step(
                    {"NEW": "release", "COMPLETED": "complete", "FAILED": "cancel"}[target], status
                )
            )
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
