"""An in-memory CloudFactory "AI Data Platform External API" (1.0.0) for tests.

Its routes, the fields each operation takes and the operations themselves are in
``cloudfactory_api``: the paths the vendor's own client sends, the inferred ones of the one
documented table, and a refusal (400, or 405 for a wrong method) of every field the API
page does not document for an operation.

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

from tests.fakes.cloudfactory_api import (
    _REASONS,
    API_PREFIX,
    BODY_FIELDS,
    CONFIRMED_ROUTES,
    DEFAULT_ROUTES,
    INFERRED_ROUTES,
    QUERY_FIELDS,
    Answer,
    ApiError,
    Operations,
    _iso,
    _strict_json,
)

log = logging.getLogger("tests.fakes.cloudfactory")

__all__ = [
    "CONFIRMED_ROUTES",
    "INFERRED_ROUTES",
    "ApiError",
    "CloudFactoryFake",
    "Fault",
    "png_bytes",
]

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


class CloudFactoryFake(Operations):
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
