"""What the CloudFactory API page and the vendor's client say, as a fake server's rules.

The route tables, the fields each operation takes, and the operations themselves
(``Operations``, mixed into ``CloudFactoryFake``), kept apart from the fake's state, its
HTTP plumbing and its fault injection.

Where the routes come from, so that the fake checks a client instead of echoing it:

- ``CONFIRMED_ROUTES``: the four operations whose method and path the vendor's own client
  (``cf-ai-platform-client`` 0.3.0, ``client.py``) sends: ``_fetch_batches``,
  ``_fetch_manifest``, ``_fetch_annotation`` and ``_get_signed_download_url``. A test reads
  the client's source to see that these are the paths it uses, and another drives the fake
  with that client.
- ``INFERRED_ROUTES``: the API page lists thirteen operations with their parameters and
  bodies but shows no path; every other path is an inference, listed with its reason in
  the one table of ``docs/cloudfactory_routes.md`` (a test keeps the two equal).
- ``BODY_FIELDS`` / ``QUERY_FIELDS``: the fields the page documents for each operation. A
  request with any other field is refused with 400 (``property x should not exist``), a
  known path with the wrong method with 405, a label whose bbox is not four finite
  numbers >= 0 with 400, a body that is not strict JSON (``NaN``) with 400.
"""

from __future__ import annotations

import base64
import json
import uuid as uuidlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

API_PREFIX = "/api/v1"
STATUSES = ("NEW", "IN_PROGRESS", "COMPLETED", "FAILED")
SIGNALS = ("start", "release", "complete", "cancel", "reopen")
OUTCOMES = ("OK", "NOT_OK")
MAX_DUE = 2_592_000

# Method and path of what the vendor's client sends (see the module docstring).
CONFIRMED_ROUTES: dict[str, tuple[str, str]] = {
    "list_batches": ("GET", "/projects/{projectID}/batches"),
    "list_work_items": ("GET", "/projects/{projectID}/workItems"),
    "get_annotation": ("GET", "/projects/{projectID}/workItems/{workItemID}/annotations"),
    "download_urls": ("POST", "/spaces/{spaceID}/signedurls"),
}
# Inferred; the reason for each is in docs/cloudfactory_routes.md.
INFERRED_ROUTES: dict[str, tuple[str, str]] = {
    "upload_urls": ("GET", "/spaces/{spaceID}/signedurls"),
    "create_batch": ("POST", "/projects/{projectID}/batches"),
    "update_batch": ("PATCH", "/projects/{projectID}/batches/{batchID}"),
    "list_projects": ("GET", "/spaces/{spaceID}/projects"),
    "get_project": ("GET", "/spaces/{spaceID}/projects/{projectID}"),
    "bulk_signal": ("POST", "/projects/{projectID}/workItems/signals"),
    "create_work_item": ("POST", "/projects/{projectID}/workItems"),
    "put_labels": ("PUT", "/projects/{projectID}/workItems/{workItemID}/labels"),
    "signal": ("POST", "/projects/{projectID}/workItems/{workItemID}/signals"),
}
DEFAULT_ROUTES = {**CONFIRMED_ROUTES, **INFERRED_ROUTES}

_PAGING = frozenset({"limit", "cursor", "page"})
# The query parameters and body fields the API page documents for each operation.
QUERY_FIELDS: dict[str, frozenset[str]] = {
    "upload_urls": frozenset({"count"}),
    "create_batch": _PAGING,  # shown on the create operation: declared for the whole path
    "list_batches": _PAGING,
    "list_work_items": _PAGING | {"workItemIDs", "batchIds", "status", "createdAtFrom",
                                  "createdAtTo", "updatedAtFrom", "updatedAtTo"},
    "get_annotation": frozenset({"format"}),
}  # fmt: skip
BODY_FIELDS: dict[str, frozenset[str]] = {
    "download_urls": frozenset({"paths"}),
    "create_batch": frozenset({"name"}),
    "update_batch": frozenset({"name", "metadata"}),
    "bulk_signal": frozenset({"signal", "workItems"}),
    "create_work_item": frozenset({"assetUrl", "assetId", "batchId", "resultsUrl",
                                   "taxonomyVersionId", "metadata", "dueInSeconds",
                                   "difficulty", "assetType", "labels"}),
    "put_labels": frozenset({"labels"}),
    "signal": frozenset({"signal", "taskType", "assignee", "signalOutcome"}),
}  # fmt: skip
LABEL_FIELDS = frozenset({"metadata", "bbox"})
SIGNAL_ITEM_FIELDS = frozenset({"workItemID", "feedback"})
FEEDBACK_FIELDS = frozenset({"comments"})

_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    405: "Method Not Allowed",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """An error answer: status and the server's message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def _iso(value: datetime) -> str:
    return (
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    )


def parse_time(text: str) -> datetime:
    """ISO 8601 as the API writes it (``Z`` or an offset, with or without fractions)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _strict_json(body: bytes) -> Any:
    """A request body as JSON proper (``NaN`` and ``Infinity`` are not JSON)."""
    try:
        return json.loads(body or b"null", parse_constant=_refuse_constant)
    except ValueError as exc:
        raise ApiError(400, "request body is not valid JSON") from exc


def _is_uuid(text: str) -> bool:
    try:
        uuidlib.UUID(text)
    except ValueError:
        return False
    return True


def _encode_cursor(key: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def _decode_cursor(text: str) -> tuple[str, str]:
    try:
        padded = text + "=" * (-len(text) % 4)
        first, second = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError) as exc:
        raise ApiError(400, "cursor is not valid") from exc
    return str(first), str(second)


class Operations:
    """The API's operations on the fake's state (``CloudFactoryFake`` holds that state)."""

    url: str
    projects: dict[str, dict[str, Any]]
    batches: dict[str, dict[int, dict[str, Any]]]
    items: dict[str, dict[str, Any]]
    item_project: dict[str, str]
    annotations: dict[str, dict[str, Any]]
    reviews: dict[str, list[dict[str, Any]]]
    signals: list[dict[str, Any]]
    storage: dict[tuple[str, str], tuple[bytes, str]]
    tokens: dict[str, tuple[str, str, str]]
    label_writes: int
    _next_signal: int

    def now(self) -> str:
        raise NotImplementedError

    def _new_batch(self, project_id: str, name: str) -> dict[str, Any]:
        raise NotImplementedError

    def _new_item(self, project_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _completed(self, item: dict[str, Any]) -> None:
        raise NotImplementedError

    @staticmethod
    def _json(status: int, payload: Any) -> Answer:
        return Answer(status, json.dumps(payload).encode(), {"Content-Type": "application/json"})

    @staticmethod
    def _error(status: int, message: str) -> Answer:
        return Operations._json(
            status,
            {"statusCode": status, "message": message, "error": _REASONS.get(status, "Error")},
        )

    # -- validation helpers ----------------------------------------------------------------
    @staticmethod
    def _check_fields(
        op: str, where: str, names: set[str], table: Mapping[str, frozenset[str]]
    ) -> None:
        """Refuse a field the API page does not document for ``op`` (in ``where``)."""
        unknown = sorted(names - table.get(op, frozenset()))
        if unknown:
            raise ApiError(400, f"{where} property {unknown[0]} should not exist")

    def _project(self, project_id: str, space_id: str | None = None) -> dict[str, Any]:
        project = self.projects.get(project_id)
        if project is None or (space_id is not None and project["spaceID"] != space_id):
            raise ApiError(404, f"project {project_id} does not exist")
        return project

    def _space(self, space_id: str) -> None:
        if not _is_uuid(space_id):
            raise ApiError(400, "spaceID must be a UUID")
        if not any(p["spaceID"] == space_id for p in self.projects.values()):
            raise ApiError(404, f"space {space_id} does not exist")

    def _item(self, project_id: str, item_id: str) -> dict[str, Any]:
        self._project(project_id)
        item = self.items.get(item_id)
        if item is None or self.item_project[item_id] != project_id:
            raise ApiError(404, f"work item {item_id} does not exist")
        return item

    @staticmethod
    def _object(payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise ApiError(400, "request body must be a JSON object")
        return payload

    @staticmethod
    def _int(value: Any, name: str, low: int, high: int | None = None) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise ApiError(400, f"{name} must be an integer") from exc
        if isinstance(value, float) and not value.is_integer():
            raise ApiError(400, f"{name} must be an integer")
        if number < low or (high is not None and number > high):
            bound = f"[{low} .. {high}]" if high is not None else f">= {low}"
            raise ApiError(400, f"{name} must be in {bound}")
        return number

    @staticmethod
    def _values(query: list[tuple[str, str]], name: str) -> list[str]:
        """Repeated keys or comma-separated values, as the page allows for arrays."""
        out: list[str] = []
        for key, value in query:
            if key == name:
                out.extend(v for v in value.split(",") if v)
        return out

    def _labels(self, value: Any) -> list[dict[str, Any]]:
        """Labels as the API takes them: objects of ``metadata`` and a bbox of 4 numbers >= 0,
        each stored exactly as it was sent."""
        if not isinstance(value, list):
            raise ApiError(400, "labels must be an array")
        for index, label in enumerate(value):
            if not isinstance(label, dict):
                raise ApiError(400, f"labels[{index}] must be an object")
            unknown = sorted(set(label) - LABEL_FIELDS)
            if unknown:
                raise ApiError(400, f"labels[{index}].property {unknown[0]} should not exist")
            bbox = label.get("bbox")
            if (
                not isinstance(bbox, list)
                or len(bbox) != 4
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in bbox)
            ):
                raise ApiError(400, f"labels[{index}].bbox must be an array of 4 numbers")
            if any(v < 0 for v in bbox):
                raise ApiError(400, f"labels[{index}].bbox must not be negative")
            if "metadata" in label and not isinstance(label["metadata"], dict):
                raise ApiError(400, f"labels[{index}].metadata must be an object")
        return json.loads(json.dumps(value))

    # -- pagination ------------------------------------------------------------------------
    def _page(
        self,
        rows: list[dict[str, Any]],
        key: Any,
        query: list[tuple[str, str]],
        object_name: str,
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        params = dict(query)
        limit = self._int(params.get("limit", 20), "limit", 1, 100)
        direction = params.get("page", "NEXT")
        if direction not in ("NEXT", "PREV"):
            raise ApiError(400, "page must be one of NEXT, PREV")
        rows = sorted(rows, key=key)
        cursor = params.get("cursor")
        if cursor:
            mark = _decode_cursor(cursor)
            if direction == "NEXT":
                window = [r for r in rows if tuple(map(str, key(r))) > mark][:limit]
            else:
                window = [r for r in rows if tuple(map(str, key(r))) < mark][-limit:]
        else:
            window = rows[:limit]
        first = tuple(map(str, key(window[0]))) if window else None
        last = tuple(map(str, key(window[-1]))) if window else None
        has_next = last is not None and any(tuple(map(str, key(r))) > last for r in rows)
        has_prev = first is not None and any(tuple(map(str, key(r))) < first for r in rows)
        meta = {
            "object": object_name,
            "limit": limit,
            "page": direction,
            "cursor_next": _encode_cursor(last) if has_next and last else None,
            "cursor_prev": _encode_cursor(first) if has_prev and first else None,
        }
        return window, meta

    # -- operations ----------------------------------------------------------------------
    def _signed(self, space: str, path: str, op: str) -> str:
        token = uuidlib.uuid4().hex
        self.tokens[token] = (space, path, op)
        return f"{self.url}/storage/{token}?X-Amz-Expires=900&X-Amz-Signature={token[:16]}"

    def _op_upload_urls(self, args: dict[str, str], query: list[tuple[str, str]], _: Any) -> Answer:
        self._space(args["spaceID"])
        count = self._int(dict(query).get("count", 1), "count", 1, 10)
        items = []
        for _n in range(count):
            path = f"uploads/{uuidlib.uuid4()}"
            items.append({"path": path, "signedUrl": self._signed(args["spaceID"], path, "PUT")})
        return self._json(200, {"items": items})

    def _op_download_urls(self, args: dict[str, str], _q: Any, payload: Any) -> Answer:
        self._space(args["spaceID"])
        paths = self._object(payload).get("paths")
        if not isinstance(paths, list) or not 1 <= len(paths) <= 1000:
            raise ApiError(400, "paths must be an array of 1 to 1000 strings")
        if not all(isinstance(p, str) and p for p in paths):
            raise ApiError(400, "paths must be non-empty strings")
        return self._json(
            200,
            {
                "items": [
                    {"path": p, "signedUrl": self._signed(args["spaceID"], p, "GET")} for p in paths
                ]
            },
        )

    def _op_create_batch(self, args: dict[str, str], _q: Any, payload: Any) -> Answer:
        self._project(args["projectID"])
        name = self._object(payload).get("name")
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "name must be a non-empty string")
        if any(b["name"] == name for b in self.batches[args["projectID"]].values()):
            raise ApiError(409, f"a batch named {name!r} already exists in this project")
        return self._json(201, self._new_batch(args["projectID"], name))

    def _batch_stats(self, batch: Mapping[str, Any]) -> dict[str, Any]:
        members = [i for i in self.items.values() if i["batchId"] == batch["id"]]
        return {
            **batch,
            "totalCount": len(members),
            "completedCount": sum(1 for i in members if i["status"] == "COMPLETED"),
        }

    def _op_list_batches(self, args: dict[str, str], query: Any, _: Any) -> Answer:
        self._project(args["projectID"])
        rows = [self._batch_stats(b) for b in self.batches[args["projectID"]].values()]
        window, meta = self._page(rows, lambda b: (f"{b['id']:020d}", ""), query, "batch")
        return self._json(200, {"items": window, "meta": meta})

    def _op_update_batch(self, args: dict[str, str], _q: Any, payload: Any) -> Answer:
        self._project(args["projectID"])
        batch_id = self._int(args["batchID"], "batchID", 0)
        batch = self.batches[args["projectID"]].get(batch_id)
        if batch is None:
            raise ApiError(404, f"batch {batch_id} does not exist")
        body = self._object(payload)
        if "name" in body:
            name = body["name"]
            if not isinstance(name, str) or not name.strip():
                raise ApiError(400, "name must be a non-empty string")
            if any(
                b["name"] == name and b["id"] != batch_id
                for b in self.batches[args["projectID"]].values()
            ):
                raise ApiError(409, f"a batch named {name!r} already exists in this project")
            batch["name"] = name
        if "metadata" in body:
            if not isinstance(body["metadata"], dict):
                raise ApiError(400, "metadata must be an object")
            batch["metadata"] = dict(body["metadata"])
        return self._json(200, batch)

    def _op_list_projects(self, args: dict[str, str], _q: Any, _: Any) -> Answer:
        self._space(args["spaceID"])
        rows = [p for p in self.projects.values() if p["spaceID"] == args["spaceID"]]
        return self._json(200, {"items": rows})

    def _op_get_project(self, args: dict[str, str], _q: Any, _: Any) -> Answer:
        space = args.get("spaceID")  # a replaced route may address the project alone
        if space is not None:
            self._space(space)
        return self._json(200, self._project(args["projectID"], space))

    def _transition(self, item: dict[str, Any], signal: str, task: str, outcome: str) -> None:
        status = item["status"]
        review = task.lower() == "review"
        if signal == "start" and status == "NEW":
            new = "IN_PROGRESS"
        elif signal == "release" and status == "IN_PROGRESS":
            new = "NEW"
        elif signal == "complete" and review and status == "COMPLETED":
            new = "COMPLETED" if outcome == "OK" else "NEW"
            self.reviews.setdefault(item["id"], []).append({"outcome": outcome})
        elif signal == "complete" and not review and status == "IN_PROGRESS":
            new = "COMPLETED"
        elif signal == "cancel" and status in ("NEW", "IN_PROGRESS"):
            new = "FAILED"
        elif signal == "reopen" and status in ("COMPLETED", "FAILED"):
            new = "NEW"
        else:
            kind = f"a {task} task" if task else "this task"
            raise ApiError(409, f"cannot {signal} {kind} of a work item in status {status}")
        item["status"] = new
        item["updatedAt"] = self.now()
        if new == "COMPLETED":
            self._completed(item)

    def _op_bulk_signal(self, args: dict[str, str], _q: Any, payload: Any) -> Answer:
        self._project(args["projectID"])
        body = self._object(payload)
        signal = body.get("signal")
        if signal not in SIGNALS:
            raise ApiError(400, f"signal must be one of {', '.join(SIGNALS)}")
        entries = body.get("workItems")
        if not isinstance(entries, list) or not 1 <= len(entries) <= 100:
            raise ApiError(400, "workItems must be an array of 1 to 100 items")
        items = []
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("workItemID"), str):
                raise ApiError(400, "every workItems entry needs a workItemID")
            unknown = sorted(set(entry) - SIGNAL_ITEM_FIELDS)
            feedback = entry.get("feedback", {})
            if not isinstance(feedback, dict):
                raise ApiError(400, "feedback must be an object")
            unknown += sorted(set(feedback) - FEEDBACK_FIELDS)
            comments = feedback.get("comments", [])
            if not isinstance(comments, list) or not all(isinstance(c, str) for c in comments):
                raise ApiError(400, "feedback.comments must be an array of strings")
            if unknown:
                raise ApiError(400, f"workItems property {unknown[0]} should not exist")
            items.append((self._item(args["projectID"], entry["workItemID"]), entry))
        saved = {i["id"]: (i["status"], i["updatedAt"]) for i, _ in items}
        logged = len(self.signals)
        out = []
        try:
            for item, entry in items:
                self._transition(item, signal, "labeling", "OK")
                record = self._signal_record(
                    args["projectID"], item, entry.get("feedback"), signal, "bulk", "OK"
                )
                out.append({k: record[k] for k in ("id", "projectID", "workItemID", "feedback")})
        except ApiError:
            for item, _entry in items:  # all or nothing
                item["status"], item["updatedAt"] = saved[item["id"]]
            del self.signals[logged:]
            raise
        return self._json(200, {"items": out})

    def _signal_record(
        self,
        project_id: str,
        item: Mapping[str, Any],
        feedback: Any,
        signal: str,
        task: str,
        outcome: str,
    ) -> dict[str, Any]:
        """Log one accepted signal (``fake.signals``) and return its record."""
        record = {
            "id": self._next_signal,
            "projectID": project_id,
            "workItemID": item["id"],
            "feedback": feedback if isinstance(feedback, dict) else {"comments": []},
            "signal": signal,
            "taskType": task,
            "signalOutcome": outcome,
        }
        self._next_signal += 1
        self.signals.append(record)
        return dict(record)

    def _op_create_work_item(self, args: dict[str, str], _q: Any, payload: Any) -> Answer:
        self._project(args["projectID"])
        body = self._object(payload)
        if not isinstance(body.get("assetUrl"), str) or not body["assetUrl"]:
            raise ApiError(400, "assetUrl is required")
        if body.get("assetType") not in ("image", "external"):
            raise ApiError(400, "assetType must be image")
        if body.get("batchId") is not None:
            batch_id = self._int(body["batchId"], "batchId", 0)
            if batch_id not in self.batches[args["projectID"]]:
                raise ApiError(404, f"batch {batch_id} does not exist")
        if body.get("dueInSeconds") is not None:
            self._int(body["dueInSeconds"], "dueInSeconds", 1, MAX_DUE)
        if body.get("difficulty") is not None:
            self._int(body["difficulty"], "difficulty", 0, 100)
        if body.get("assetId") is not None:
            self._int(body["assetId"], "assetId", 0)
        if "metadata" in body and not isinstance(body["metadata"], dict):
            raise ApiError(400, "metadata must be an object")
        body = {**body, "labels": self._labels(body.get("labels", []))}
        item = self._new_item(args["projectID"], body)
        shown = {k: v for k, v in item.items() if k != "labels"}
        return self._json(201, shown)

    def _op_list_work_items(
        self, args: dict[str, str], query: list[tuple[str, str]], _: Any
    ) -> Answer:
        project_id = args["projectID"]
        self._project(project_id)
        params = dict(query)
        ids = self._values(query, "workItemIDs")
        if any(not _is_uuid(i) for i in ids):
            raise ApiError(400, "workItemIDs must be UUIDs")
        batch_ids = [self._int(b, "batchIds", 0) for b in self._values(query, "batchIds")]
        if len(batch_ids) > 100:
            raise ApiError(400, "batchIds must have at most 100 items")
        status = params.get("status")
        if status is not None and status not in STATUSES:
            raise ApiError(400, f"status must be one of {', '.join(STATUSES)}")
        bounds: dict[str, datetime] = {}
        for name in ("createdAtFrom", "createdAtTo", "updatedAtFrom", "updatedAtTo"):
            if params.get(name):
                try:
                    bounds[name] = parse_time(params[name])
                except ValueError as exc:
                    raise ApiError(400, f"{name} must be an ISO 8601 date-time") from exc
        rows = []
        for key, item in self.items.items():
            if self.item_project[key] != project_id:
                continue
            if ids and key not in ids:
                continue
            if batch_ids and item["batchId"] not in batch_ids:
                continue
            if status and item["status"] != status:
                continue
            created, updated = parse_time(item["createdAt"]), parse_time(item["updatedAt"])
            if "createdAtFrom" in bounds and created < bounds["createdAtFrom"]:
                continue
            if "createdAtTo" in bounds and created > bounds["createdAtTo"]:
                continue
            if "updatedAtFrom" in bounds and updated < bounds["updatedAtFrom"]:
                continue
            if "updatedAtTo" in bounds and updated > bounds["updatedAtTo"]:
                continue
            rows.append(item)
        window, meta = self._page(rows, lambda i: (i["createdAt"], i["id"]), query, "work_item")
        return self._json(200, {"meta": meta, "items": window})

    def _op_put_labels(self, args: dict[str, str], _q: Any, payload: Any) -> Answer:
        item = self._item(args["projectID"], args["workItemID"])
        body = self._object(payload)
        if "labels" not in body:
            raise ApiError(400, "labels is required")
        item["labels"] = self._labels(body["labels"])
        item["updatedAt"] = self.now()
        self.label_writes += 1
        if item["status"] == "COMPLETED":
            self._completed(item)
        return self._json(200, item)

    def _op_get_annotation(self, args: dict[str, str], query: Any, _: Any) -> Answer:
        item = self._item(args["projectID"], args["workItemID"])
        fmt = dict(query).get("format")
        if fmt is not None and fmt != "coco":
            raise ApiError(400, "format must be coco")
        record = self.annotations.get(item["id"])
        if record is None:
            raise ApiError(404, f"work item {item['id']} has no annotation yet")
        return self._json(200, record)

    def _op_signal(self, args: dict[str, str], _q: Any, payload: Any) -> Answer:
        item = self._item(args["projectID"], args["workItemID"])
        body = self._object(payload)
        signal = body.get("signal")
        if signal not in SIGNALS:
            raise ApiError(400, f"signal must be one of {', '.join(SIGNALS)}")
        task = body.get("taskType")
        if not isinstance(task, str) or not task:
            raise ApiError(400, "taskType is required")
        outcome = body.get("signalOutcome")
        if outcome not in OUTCOMES:
            raise ApiError(400, "signalOutcome must be one of OK, NOT_OK")
        if "assignee" in body and not isinstance(body["assignee"], str):
            raise ApiError(400, "assignee must be a string")
        self._transition(item, signal, task, outcome)
        return self._json(
            200, self._signal_record(args["projectID"], item, None, signal, task, outcome)
        )
