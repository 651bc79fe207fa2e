"""An in-memory CloudFactory "AI Data Platform External API" (1.0.0) for tests.

Where its routes come from, so that it checks a client instead of echoing it:

- ``CONFIRMED_ROUTES``: the four operations whose method and path the vendor's own client
  (``cf-ai-platform-client`` 0.3.0, ``client.py``) sends: ``_fetch_batches``,
  ``_fetch_manifest``, ``_fetch_annotation`` and ``_get_signed_download_url``. A test drives
  this fake with that client, and another reads the client's source to see that the paths
  here are the ones it uses.
- ``INFERRED_ROUTES``: the API page lists thirteen operations with their parameters and
  bodies but shows no path; every other path here is an inference, listed with its reason
  in the one table of ``docs/cloudfactory_routes.md`` (a test keeps the two equal). A test
  can replace any of them (``routes=``), as a user can replace the client's.
- ``BODY_FIELDS`` / ``QUERY_FIELDS``: the fields the page documents for each operation. A
  request with any other field is refused with 400 (``property x should not exist``), a
  known path with the wrong method with 405, a label whose bbox is not four finite
  numbers >= 0 with 400, a body that is not strict JSON (``NaN``) with 400.

What the page states and the fake follows: field names and their inconsistent casing,
keyset pagination with ``meta.cursor_next``, the ``NEW/IN_PROGRESS/COMPLETED/FAILED``
statuses, the limits on ``limit``/``count``/``paths``/``batchIds``/``workItems``/
``dueInSeconds``/``difficulty``, the ``X-API-Key`` header, signed-URL storage that takes no
API key. Where the page leaves a fact open the fake makes one choice ([INF]):

- signals: ``start`` NEW -> IN_PROGRESS; ``release`` IN_PROGRESS -> NEW; ``complete`` with a
  labeling task IN_PROGRESS -> COMPLETED; ``complete`` with a review task on a COMPLETED
  item records the review and stays COMPLETED on ``OK``, goes back to NEW on ``NOT_OK``;
  ``cancel`` NEW/IN_PROGRESS -> FAILED; ``reopen`` COMPLETED/FAILED -> NEW. Any other move
  answers 409. Every signal and every labels write moves ``updatedAt``.
- ``PUT .../labels`` replaces the whole array, stores each label as it was sent, and
  answers 200 with the work item.
- errors answer ``{"statusCode", "message", "error"}`` (no error schema is documented).
- ``updatedAt`` has millisecond precision and strictly increases, so a change is never
  hidden behind an equal timestamp.
- signed URLs point at ``/storage/<token>`` on this server; a request there that carries
  ``X-API-Key`` is refused, so a client leaking its key to storage fails loudly.

The test helpers (``add_work_item``, ``edit_labels``) stand for CloudFactory's own tools
and older data: they store labels without the API's checks, so a test can seed labels a
client must cope with (no area, far off the image).

Faults are injected per request (``fault``): an answer in place of the real one (429
with ``Retry-After``, 5xx, 401, 400...), or, with ``after=True``, the request is applied
and then the answer is replaced, delayed past the client's timeout, or malformed, which
is the ambiguous failure a client has to recover from without duplicating anything.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import socket
import threading
import uuid as uuidlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

log = logging.getLogger("tests.fakes.cloudfactory")

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
    "list_work_items": _PAGING
    | {
        "workItemIDs",
        "batchIds",
        "status",
        "createdAtFrom",
        "createdAtTo",
        "updatedAtFrom",
        "updatedAtTo",
    },
    "get_annotation": frozenset({"format"}),
}
BODY_FIELDS: dict[str, frozenset[str]] = {
    "download_urls": frozenset({"paths"}),
    "create_batch": frozenset({"name"}),
    "update_batch": frozenset({"name", "metadata"}),
    "bulk_signal": frozenset({"signal", "workItems"}),
    "create_work_item": frozenset(
        {
            "assetUrl",
            "assetId",
            "batchId",
            "resultsUrl",
            "taxonomyVersionId",
            "metadata",
            "dueInSeconds",
            "difficulty",
            "assetType",
            "labels",
        }
    ),
    "put_labels": frozenset({"labels"}),
    "signal": frozenset({"signal", "taskType", "assignee", "signalOutcome"}),
}
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
class Fault:
    """What the next ``times`` matching requests get instead of (or after) the real answer."""

    times: int
    status: int = 503
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    method: str | None = None
    path_contains: str | None = None
    after: bool = False
    delay: float = 0.0
    malformed: bool = False

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.path_contains is None or self.path_contains in path


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


def png_bytes(width: int, height: int, seed: int) -> bytes:
    """A small real PNG whose pixels differ per seed."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return out.getvalue()


def _image_size(data: bytes) -> tuple[int, int] | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        return None


class CloudFactoryFake:
    """State of one company's spaces, projects, batches, work items and storage."""

    def __init__(
        self,
        api_key: str = "cf-test-key",
        *,
        routes: Mapping[str, tuple[str, str]] | None = None,
        bucket: str = "cf-ai-bucket",
    ) -> None:
        self.api_key = api_key
        self.bucket = bucket
        self.routes = {**DEFAULT_ROUTES, **dict(routes or {})}
        self._compiled = [
            (op, method, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$"))
            for op, (method, path) in self.routes.items()
        ]
        self.lock = threading.RLock()
        self.company_id = str(uuidlib.uuid4())
        self.user_id = str(uuidlib.uuid4())
        self.projects: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[int, dict[str, Any]]] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.item_project: dict[str, str] = {}
        self.annotations: dict[str, dict[str, Any]] = {}
        self.reviews: dict[str, list[dict[str, Any]]] = {}
        self.signals: list[dict[str, Any]] = []
        self.storage: dict[tuple[str, str], tuple[bytes, str]] = {}
        self.tokens: dict[str, tuple[str, str, str]] = {}
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.label_writes = 0
        self._last_time = datetime(2026, 1, 1, tzinfo=UTC)
        self._next_batch = 1
        self._next_signal = 1
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> CloudFactoryFake:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._stopping.clear()
        # A restart keeps the port, so a client configured with the URL finds it again.
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._port = int(self._httpd.server_address[1])
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="cloudfactory-fake",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering, also on kept-alive connections (the server is gone)."""
        self._stopping.set()
        with self.lock:
            open_connections = list(self._connections)
        for sock in open_connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                log.debug("connection already closed")
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> CloudFactoryFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._port, "start() first"
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        """What a client is configured with (the SDK's ``base_url``)."""
        return self.url + API_PREFIX

    # -- test helpers (the "other users" of the platform) --------------------------------
    def now(self) -> str:
        """A strictly increasing server time with millisecond precision."""
        with self.lock:
            current = datetime.now(UTC)
            current = current.replace(microsecond=current.microsecond // 1000 * 1000)
            if current <= self._last_time:
                current = self._last_time + timedelta(milliseconds=1)
            self._last_time = current
            return _iso(current)

    def add_project(
        self, name: str = "Project", *, space_id: str | None = None, data_type: str = "image"
    ) -> tuple[str, str]:
        """A project (with its ``Default`` batch); returns (spaceID, projectID)."""
        with self.lock:
            space = space_id or str(uuidlib.uuid4())
            project_id = str(uuidlib.uuid4())
            self.projects[project_id] = {
                "id": project_id,
                "name": name,
                "description": f"{name} (test project)",
                "createdAt": self.now(),
                "spaceID": space,
                "dataType": data_type,
                "companyID": self.company_id,
            }
            self.batches[project_id] = {}
            self._new_batch(project_id, "Default")
            return space, project_id

    def default_batch(self, project_id: str) -> int:
        return next(b["id"] for b in self.batches[project_id].values() if b["name"] == "Default")

    def add_batch(self, project_id: str, name: str) -> int:
        with self.lock:
            return int(self._new_batch(project_id, name)["id"])

    def put_file(self, space_id: str, path: str, data: bytes, content_type: str) -> None:
        with self.lock:
            self.storage[(space_id, path)] = (data, content_type)

    def add_work_item(
        self,
        project_id: str,
        name: str,
        data: bytes,
        *,
        labels: list[dict[str, Any]] | None = None,
        status: str = "NEW",
        batch_id: int | None = None,
        external: bool = False,
        due_in_seconds: int | None = None,
    ) -> str:
        """A work item whose asset is in the space's storage (or served as an external URL)."""
        with self.lock:
            space = self.projects[project_id]["spaceID"]
            path = f"uploads/{uuidlib.uuid4().hex[:8]}/{name}"
            self.put_file(space, path, data, "image/png")
            asset_url = f"{self.url}/external/{space}/{path}" if external else path
            item = self._new_item(
                project_id,
                {
                    "assetUrl": asset_url,
                    "assetType": "image",
                    "batchId": batch_id,
                    "labels": labels or [],
                    "dueInSeconds": due_in_seconds,
                },
            )
            if status != "NEW":
                item["status"] = status
                if status == "COMPLETED":
                    self._completed(item)
            return str(item["id"])

    def edit_labels(self, item_id: str, labels: list[dict[str, Any]]) -> None:
        """A worker changed the labels in CloudFactory's own tool."""
        with self.lock:
            item = self.items[item_id]
            item["labels"] = json.loads(json.dumps(labels))
            item["updatedAt"] = self.now()

    def set_status(self, item_id: str, status: str) -> None:
        with self.lock:
            item = self.items[item_id]
            item["status"] = status
            item["updatedAt"] = self.now()
            if status == "COMPLETED":
                self._completed(item)

    def fault(self, times: int = 1, **kwargs: Any) -> Fault:
        """Inject a fault for the next ``times`` matching requests (see :class:`Fault`)."""
        fault = Fault(times, **kwargs)
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def project_items(self, project_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                json.loads(json.dumps(item))
                for key, item in self.items.items()
                if self.item_project[key] == project_id
            ]

    # -- state changes -------------------------------------------------------------------
    def _new_batch(self, project_id: str, name: str) -> dict[str, Any]:
        batch = {
            "id": self._next_batch,
            "projectId": project_id,
            "name": name,
            "createdBy": self.user_id,
            "createdAt": self.now(),
            "metadata": {},
        }
        self._next_batch += 1
        self.batches[project_id][int(batch["id"])] = batch
        return batch

    def _new_item(self, project_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        stamp = self.now()
        batch_id = body.get("batchId")
        if batch_id is None:
            batch_id = self.default_batch(project_id)
        item = {
            "id": str(uuidlib.uuid4()),
            "status": "NEW",
            "assetUrl": body["assetUrl"],
            "assetId": body.get("assetId", 0),
            "batchId": batch_id,
            "resultsUrl": body.get("resultsUrl", ""),
            "createdAt": stamp,
            "updatedAt": stamp,
            "taxonomyVersionId": body.get("taxonomyVersionId") or str(uuidlib.UUID(int=0)),
            "metadata": dict(body.get("metadata") or {}),
            "dueInSeconds": body.get("dueInSeconds"),
            "difficulty": body.get("difficulty", 0),
            "assetType": body.get("assetType", "image"),
            "labels": json.loads(json.dumps(body.get("labels") or [])),
        }
        self.items[str(item["id"])] = item
        self.item_project[str(item["id"])] = project_id
        return item

    def _completed(self, item: dict[str, Any]) -> None:
        """A completed item has an annotation whose COCO results live in storage [SDK]."""
        record = self.annotations.get(item["id"])
        stamp = item["updatedAt"]
        if record is None:
            record = {
                "id": str(uuidlib.uuid4()),
                "projectID": self.item_project[item["id"]],
                "workItemID": item["id"],
                "inference": {},
                "groundTruthReviewer": "CONSENSUS_REVIEW",
                "createdAt": stamp,
                "updatedAt": stamp,
                "metadata": {},
            }
            self.annotations[item["id"]] = record
        record["updatedAt"] = stamp
        space = self.projects[record["projectID"]]["spaceID"]
        path = f"coco_output/{item['id']}.json"
        record["metadata"]["coco_results_url"] = f"s3://{self.bucket}/spaces/{space}/{path}"
        self.storage[(space, path)] = (self._coco(item, space), "application/json")

    def _coco(self, item: Mapping[str, Any], space: str) -> bytes:
        size = None
        asset = str(item["assetUrl"])
        if (space, asset) in self.storage:
            size = _image_size(self.storage[(space, asset)][0])
        width, height = size or (0, 0)
        categories: dict[str, int] = {}
        annotations = []
        for index, label in enumerate(item.get("labels") or []):
            name = str((label.get("metadata") or {}).get("category") or "object")
            category = categories.setdefault(name, len(categories) + 1)
            x, y, w, h = label["bbox"]
            annotations.append(
                {
                    "id": index + 1,
                    "image_id": 1,
                    "category_id": category,
                    "bbox": [x, y, w, h],
                    "area": w * h,
                    "iscrowd": 0,
                }
            )
        coco = {
            "info": {"description": f"work item {item['id']}"},
            "images": [
                {"id": 1, "file_name": asset.rsplit("/", 1)[-1], "width": width, "height": height}
            ],
            "annotations": annotations,
            "categories": [{"id": i, "name": n} for n, i in categories.items()],
        }
        return json.dumps(coco).encode()

    # -- HTTP ----------------------------------------------------------------------------
    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.matches(method, path):
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Answer:
        parts = urlsplit(target)
        path = parts.path
        query = parse_qsl(parts.query, keep_blank_values=True)
        with self.lock:
            self.requests.append((method, target, dict(headers)))
        fault = self._take_fault(method, path)
        if fault is not None and not fault.after:
            return self._fault_answer(fault, None)
        answer = self._dispatch(method, path, query, headers, body)
        if fault is not None:
            return self._fault_answer(fault, answer)
        return answer

    def _fault_answer(self, fault: Fault, real: Answer | None) -> Answer:
        if fault.delay:
            self._stopping.wait(fault.delay)
        if fault.malformed:
            text = (real.body if real is not None else b'{"items": [') or b'{"items": ['
            return Answer(200, text[: max(1, len(text) // 2)], {"Content-Type": "application/json"})
        if fault.delay and real is not None:
            return real  # sent after the client gave up
        payload = fault.body
        if payload is None:
            payload = {
                "statusCode": fault.status,
                "message": _REASONS.get(fault.status, "error"),
                "error": _REASONS.get(fault.status, "error"),
            }
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return Answer(fault.status, data, {"Content-Type": "application/json", **fault.headers})

    @staticmethod
    def _json(status: int, payload: Any) -> Answer:
        return Answer(status, json.dumps(payload).encode(), {"Content-Type": "application/json"})

    @staticmethod
    def _error(status: int, message: str) -> Answer:
        return CloudFactoryFake._json(
            status,
            {"statusCode": status, "message": message, "error": _REASONS.get(status, "Error")},
        )

    def _dispatch(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Answer:
        lower = {k.lower(): v for k, v in headers.items()}
        try:
            if path.startswith("/storage/"):
                return self._storage(method, path[len("/storage/") :], lower, body)
            if path.startswith("/external/"):
                return self._external(method, path[len("/external/") :])
            if not path.startswith(API_PREFIX + "/"):
                raise ApiError(404, f"Cannot {method} {path}")
            if lower.get("x-api-key") != self.api_key:
                raise ApiError(401, "API key is invalid or expired")
            route = path[len(API_PREFIX) :]
            allowed: list[str] = []
            for op, route_method, pattern in self._compiled:
                match = pattern.match(route)
                if match and route_method != method:
                    allowed.append(route_method)
                if match and route_method == method:
                    self._check_fields(op, "query", {k for k, _v in query}, QUERY_FIELDS)
                    payload = None
                    if method in ("POST", "PUT", "PATCH"):
                        payload = _strict_json(body)
                        if isinstance(payload, dict):
                            self._check_fields(op, "body", set(payload), BODY_FIELDS)
                    with self.lock:
                        return getattr(self, f"_op_{op}")(match.groupdict(), query, payload)
            if allowed:
                answer = self._error(405, f"Cannot {method} {API_PREFIX}{route}")
                answer.headers["Allow"] = ", ".join(sorted(set(allowed)))
                return answer
            raise ApiError(404, f"Cannot {method} {API_PREFIX}{route}")
        except ApiError as exc:
            return self._error(exc.status, exc.message)

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

    # -- storage (signed URLs; no API key) ---------------------------------------------
    def _storage(self, method: str, token: str, headers: Mapping[str, str], body: bytes) -> Answer:
        if "x-api-key" in headers:
            raise ApiError(400, "signed URL requests must not carry an API key")
        with self.lock:
            grant = self.tokens.get(token)
            if grant is None:
                return Answer(403, b"<Error><Code>AccessDenied</Code></Error>")
            space, path, op = grant
            if op != method:
                return Answer(403, b"<Error><Code>SignatureDoesNotMatch</Code></Error>")
            if method == "PUT":
                if not headers.get("content-type"):
                    raise ApiError(400, "Content-Type header is mandatory for uploads")
                self.storage[(space, path)] = (body, headers["content-type"])
                return Answer(200)
            found = self.storage.get((space, path))
        if found is None:
            return Answer(404, b"<Error><Code>NoSuchKey</Code></Error>")
        return Answer(200, found[0], {"Content-Type": found[1]})

    def _external(self, method: str, rest: str) -> Answer:
        """Assets hosted outside CloudFactory (an absolute ``assetUrl``)."""
        if method != "GET":
            raise ApiError(404, "not found")
        space, _, path = rest.partition("/")
        with self.lock:
            found = self.storage.get((space, path))
        if found is None:
            return Answer(404, b"not found")
        return Answer(200, found[0], {"Content-Type": found[1]})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_fake: CloudFactoryFake

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read ``fake.requests`` instead."""

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server_fake.lock:
            self.server_fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.server_fake.lock:
            self.server_fake._connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            log.debug("client went away before the answer was flushed")

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = self.server_fake.handle(self.command, self.path, dict(self.headers), body)
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout test)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve
