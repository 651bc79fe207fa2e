"""An in-memory Clarifai v2 REST server for tests, checked against Clarifai's own protos.

Routes are not written by hand: they are read from the ``google.api.http`` options of
the ``clarifai.api.V2`` service in the official ``clarifai-grpc`` package
(``clarifai_protos``), so a path the adapter sends either is a route of the real API or
answers 404 with ``CONN_DOES_NOT_EXIST``, as Clarifai does for a bad path. The
operations themselves are in ``clarifai_rpcs``; this module holds the state, the seeding
helpers, the HTTP handling and the fault hooks. Every request (path fields,
query parameters and JSON body together) is parsed into the route's request message and
every answer into its response message with ``json_format.ParseDict(...,
ignore_unknown_fields=False)``: an unknown or misspelled field is a fidelity violation,
recorded in ``violations`` (tests fail on any) and answered 400 ``CONN_INVALID_REQUEST``.
Stored objects go through the protos too, so answers carry what the real server would:
float32 coordinates, numeric enums, zero values omitted.

Behaviour follows Clarifai's documented API: ``Authorization: Key <PAT>``, scoped paths,
``me`` as an alias of the caller, page/per_page (default 128, at most 1000) without a
total, 1-128 annotations per batch, per-item statuses with ``MIXED_STATUS``, client-chosen
annotation ids (a second create of an id is refused with ``DATABASE_DUPLICATE_KEY``),
list_all_annotations, ``last_updated_time_range`` searches, input-level annotations,
task assignments (LABEL_START ... REVIEW_REJECT) moving assignment and annotation
statuses, and image bytes on a hosting path that wants the same key (401 for a wrong
one, 404 for none). Task actions that Clarifai applies asynchronously happen at once.

Fault hooks (``fail``): the next N matching requests answer an HTTP status with a body
status code and headers (429 + Retry-After, 503, 11005 throttling...), a malformed body or
a given one (valid JSON of the wrong shape), an answer delayed past the client's timeout,
or the request applied and then its answer delayed past the timeout (an ambiguous failure).
``refused`` makes single annotations fail inside a batch (a mixed answer). A token bucket
can enforce the 15 requests/s limit.

Beyond the protos, annotation data is judged as Clarifai judges it, item by item
(``ANNOTATION_INVALID_ARGUMENT``): at most one region, bounding boxes within [0, 1] with
``top_row < bottom_row`` and ``left_col < right_col``, polygons of at least 3 points within
[0, 1], keypoint locations within [0, 1], masks that are images, concepts that exist.
What tests seed with ``add_annotation`` is not judged: it stands for whatever other tools
or older versions left on the server, broken or not.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import socket
import threading
import time
import uuid as uuidlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from clarifai_grpc.grpc.api import resources_pb2
from PIL import Image

from tests.fakes.clarifai_protos import (
    ROUTES,
    FidelityError,
    Route,
    check_response,
    match_route,
    normalized,
    parse_request,
)
from tests.fakes.clarifai_rpcs import (
    ANN_SUCCESS,
    CONN_BAD_REQUEST_FORMAT,
    CONN_DOES_NOT_EXIST,
    CONN_INSUFFICIENT_SCOPES,
    CONN_INVALID_REQUEST,
    CONN_KEY_INVALID,
    CONN_KEY_NOT_FOUND,
    CONN_THROTTLED,
    INPUT_DOWNLOAD_SUCCESS,
    INTERNAL,
    NOT_IMPLEMENTED,
    TASK_IN_PROGRESS,
    ApiError,
    ClarifaiRpcs,
    status,
)
from tests.fakes.clarifai_uploads import InputUploads

__all__ = [
    "ROUTES",
    "ClarifaiFake",
    "Fault",
    "FidelityError",
    "Recorder",
    "check_response",
    "match_route",
    "png",
]


# -- faults --------------------------------------------------------------------------------
@dataclass
class Fault:
    """What the next ``times`` matching requests get instead of a normal answer."""

    times: int = 1
    method: str | None = None
    path: str | None = None  # substring of the path
    rpc: str | None = None  # the route's RPC name, e.g. "PostAnnotations"
    http: int = 200
    code: int | None = None
    details: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    malformed: bool = False
    content: bytes | None = None  # a well-formed body of the wrong shape, as it is sent
    delay: float = 0.0  # seconds before answering (past the client's timeout)
    apply_first: bool = False  # do the work, then delay (an ambiguous failure)

    def matches(self, method: str, path: str, rpc: str | None) -> bool:
        return (
            (self.method is None or self.method == method)
            and (self.path is None or self.path in path)
            and (self.rpc is None or self.rpc == rpc)
        )


class _Bucket:
    """Token bucket: ``rate`` requests a second with bursts of ``rate``."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True
            return False


def png(width: int, height: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


@dataclass
class Call:
    method: str
    path: str
    rpc: str | None
    body: Any
    query: str
    authorization: str | None


class ClarifaiFake(ClarifaiRpcs, InputUploads):
    """State of one Clarifai account (one user with PATs, apps, inputs, tasks)."""

    def __init__(self, user_id: str = "tester", app_id: str = "limner-app") -> None:
        self.user_id = user_id
        self.app_id = app_id
        self.token = "pat-" + uuidlib.uuid4().hex
        self.scoped_out = False  # answer 403 CONN_INSUFFICIENT_SCOPES to everything
        self.lock = threading.RLock()
        self.apps: dict[str, dict[str, Any]] = {}
        self.concepts: dict[str, dict[str, Any]] = {}
        self.inputs: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.annotations: dict[str, dict[str, Any]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.assignments: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.refused: dict[str, tuple[int, str]] = {}  # annotation id -> item failure
        self.bucket: _Bucket | None = None
        self.throttled = 0
        self._last_time = datetime.now(UTC)
        self._server: ThreadingHTTPServer | None = None
        self.connections: set[socket.socket] = set()
        self._thread: threading.Thread | None = None
        self.port = 0
        self.add_app(app_id, "limner test app")

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ClarifaiFake:
        handler = type("Handler", (_Handler,), {"fake": self})
        server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering (connections are refused) but keep the state and the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self.lock:
            open_connections = list(self.connections)
        for connection in open_connections:  # kept-alive connections must end too
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                continue

    def limit_rate(self, rate: float | None = 15.0) -> None:
        self.bucket = _Bucket(rate) if rate else None

    def fail(self, **kwargs: Any) -> Fault:
        fault = Fault(**kwargs)
        with self.lock:
            self.faults.append(fault)
        return fault

    # -- clock and ids -------------------------------------------------------------------
    def now(self) -> str:
        """Strictly increasing server time (each write gets its own modified_at)."""
        with self.lock:
            moment = max(datetime.now(UTC), self._last_time + timedelta(microseconds=1))
            self._last_time = moment
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    # -- seeding (what others did on the server) -----------------------------------------
    def add_app(self, app_id: str, name: str) -> None:
        stamp = self.now()
        self.apps[app_id] = normalized(
            resources_pb2.App,
            {
                "id": app_id,
                "name": name,
                "user_id": self.user_id,
                "created_at": stamp,
                "modified_at": stamp,
            },
        )

    def add_concept(
        self, concept_id: str, name: str | None = None, keypoint_info: dict | None = None
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": concept_id,
            "name": name or concept_id,
            "value": 1.0,
            "created_at": self.now(),
            "app_id": self.app_id,
            "user_id": self.user_id,
            "language": "en",
        }
        if keypoint_info:
            data["keypoint_info"] = keypoint_info
        with self.lock:
            self.concepts[concept_id] = normalized(resources_pb2.Concept, data)
            return self.concepts[concept_id]

    def add_input(
        self,
        input_id: str,
        width: int = 64,
        height: int = 48,
        *,
        seed: int = 0,
        url: str | None = None,
        content: bytes | None = None,
    ) -> dict[str, Any]:
        """An input with an image hosted here (or only an outside ``url``)."""
        stamp = self.now()
        content = content if content is not None else png(width, height, seed)
        image: dict[str, Any] = {
            "image_info": {"width": width, "height": height, "format": "PNG", "color_mode": "RGB"}
        }
        if url is None:
            suffix = (
                f"users/{self.user_id}/apps/{self.app_id}/inputs/image/"
                + hashlib.md5(content).hexdigest()
            )
            prefix = f"{self.url}/sdh"
            image["hosted"] = {"prefix": prefix, "suffix": suffix, "sizes": ["orig", "small"]}
            image["url"] = f"{prefix}/orig/{suffix}"
            self.files[suffix] = content
        else:
            image["url"] = url
        data = {
            "id": input_id,
            "data": {"image": image},
            "created_at": stamp,
            "modified_at": stamp,
            "status": {"code": INPUT_DOWNLOAD_SUCCESS, "description": "Download complete"},
        }
        with self.lock:
            self.inputs[input_id] = normalized(resources_pb2.Input, data)
            level = {
                "id": uuidlib.uuid4().hex,
                "input_id": input_id,
                "input_level": True,
                "status": {"code": ANN_SUCCESS},
                "created_at": stamp,
                "modified_at": stamp,
                "trusted": True,
                "worker": {"user": {"id": self.user_id}},
            }
            self.annotations[level["id"]] = normalized(resources_pb2.Annotation, level)
            return self.inputs[input_id]

    def add_annotation(self, data: Mapping[str, Any], *, by: str = "colleague") -> dict[str, Any]:
        """An annotation made on the server by someone else (trusted, by default success)."""
        item = dict(data)
        item.setdefault("id", uuidlib.uuid4().hex)
        item.setdefault("status", {"code": ANN_SUCCESS})
        stamp = self.now()
        item.update(created_at=stamp, modified_at=stamp, trusted=True)
        item["worker"] = {"user": {"id": by}}
        with self.lock:
            self.annotations[item["id"]] = normalized(resources_pb2.Annotation, item)
            return self.annotations[item["id"]]

    def edit_annotation(self, annotation_id: str, change: Callable[[dict[str, Any]], None]) -> None:
        """A change made on the server (by another user or tool)."""
        with self.lock:
            item = copy.deepcopy(self.annotations[annotation_id])
            change(item)
            item["modified_at"] = self.now()
            self.annotations[annotation_id] = normalized(resources_pb2.Annotation, item)

    def delete_annotation(self, annotation_id: str) -> None:
        with self.lock:
            del self.annotations[annotation_id]

    def add_task(
        self,
        task_id: str,
        *,
        name: str,
        workers: list[str],
        reviewers: list[str],
        concepts: list[str],
        review: str = "MANUAL",
        input_ids: list[str] | None = None,
    ) -> dict[str, Any]:
        stamp = self.now()
        data = {
            "id": task_id,
            "name": name,
            "type": "BOUNDING_BOX_DETECTION",
            "created_at": stamp,
            "modified_at": stamp,
            "worker": {
                "strategy": "DYNAMIC",
                "workers": [{"user": {"id": w}} for w in workers],
                "type": "WORKER_HUMAN",
            },
            "review": {"strategy": review, "users": [{"id": r} for r in reviewers]},
            "concepts": [{"concept": {"id": c}} for c in concepts],
            "input_source": {"type": "ALL_INPUTS"},
            "status": {"code": TASK_IN_PROGRESS},
            "app_id": self.app_id,
            "user_id": self.user_id,
            "metadata": {"input_ids": input_ids or []},
        }
        with self.lock:
            self.tasks[task_id] = normalized(resources_pb2.Task, data)
            return self.tasks[task_id]

    # -- views for tests -----------------------------------------------------------------
    def regions_of(self, input_id: str) -> dict[str, dict[str, Any]]:
        """The input's region annotations (not input-level), by id."""
        with self.lock:
            return {
                a["id"]: copy.deepcopy(a)
                for a in self.annotations.values()
                if a.get("input_id") == input_id and not a.get("input_level")
            }

    def rpc_calls(self, rpc: str) -> list[Call]:
        return [c for c in self.calls if c.rpc == rpc]

    # -- request handling ----------------------------------------------------------------
    def handle(
        self, method: str, raw_path: str, headers: Mapping[str, str], raw_body: bytes
    ) -> tuple[int, dict[str, str], bytes, Callable[[], None] | None]:
        """(HTTP status, headers, body, what to do after answering)."""
        parts = urlsplit(raw_path)
        path, query = parts.path, parts.query
        authorization = headers.get("authorization")
        body: Any = None
        bad_json = False
        if raw_body:
            try:
                body = json.loads(raw_body)
            except json.JSONDecodeError:
                bad_json = True
        found = match_route(method, path) if path.startswith("/v2/") else None
        call = Call(method, path, found[0].rpc if found else None, body, query, authorization)
        with self.lock:
            self.calls.append(call)
            fault = next((f for f in self.faults if f.matches(method, path, call.rpc)), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
        if self.bucket is not None and not self.bucket.take():
            self.throttled += 1
            return self._json(429, {"status": status(CONN_THROTTLED)})
        if fault is not None and not fault.apply_first:
            if fault.delay:
                time.sleep(fault.delay)
            return self._fault_answer(fault)
        if path.startswith("/sdh/"):
            answer = self._hosted(path, authorization)
        elif bad_json:
            answer = self._json(
                400, {"status": status(CONN_BAD_REQUEST_FORMAT, "body is not JSON")}
            )
        elif found is None:
            answer = self._json(404, {"status": status(CONN_DOES_NOT_EXIST, f"no route {path}")})
        else:
            answer = self._api(found[0], found[1], query, body, authorization)
        if fault is not None and fault.apply_first:
            time.sleep(fault.delay)
        return answer

    def _fault_answer(self, fault: Fault) -> tuple[int, dict[str, str], bytes, None]:
        if fault.malformed:
            return fault.http, {"Content-Type": "application/json"}, b'{"status": {"co', None
        if fault.content is not None:
            return fault.http, {"Content-Type": "application/json"}, fault.content, None
        code, headers, payload = fault.http, dict(fault.headers), b""
        if fault.code is not None:
            payload = json.dumps({"status": status(fault.code, fault.details)}).encode()
            headers.setdefault("Content-Type", "application/json")
        return code, headers, payload, None

    @staticmethod
    def _json(http: int, body: Mapping[str, Any]) -> tuple[int, dict[str, str], bytes, None]:
        return http, {"Content-Type": "application/json"}, json.dumps(body).encode(), None

    def _authorized(self, authorization: str | None) -> None:
        if not authorization:
            raise ApiError(401, CONN_KEY_NOT_FOUND, "no Authorization header")
        scheme, _, key = authorization.partition(" ")
        if scheme != "Key" or key != self.token:
            raise ApiError(401, CONN_KEY_INVALID, "the key is not valid")
        if self.scoped_out:
            raise ApiError(403, CONN_INSUFFICIENT_SCOPES, "the key lacks scopes for this call")

    def _hosted(
        self, path: str, authorization: str | None
    ) -> tuple[int, dict[str, str], bytes, None]:
        if not authorization:
            return 404, {"Content-Type": "text/plain"}, b"not found", None
        if authorization != f"Key {self.token}":
            return 401, {"Content-Type": "text/plain"}, b"unauthorized", None
        _, _, size, suffix = path.split("/", 3)
        content = self.files.get(suffix)
        if content is None or size not in ("orig", "small"):
            return 404, {"Content-Type": "text/plain"}, b"not found", None
        return 200, {"Content-Type": "image/png"}, content, None

    def _api(
        self,
        route: Route,
        fields: dict[str, str],
        query: str,
        body: Any,
        authorization: str | None,
    ) -> tuple[int, dict[str, str], bytes, None]:
        try:
            self._authorized(authorization)
            try:
                request = parse_request(route, fields, query, body)
            except FidelityError as exc:
                with self.lock:
                    self.violations.append(str(exc))
                raise ApiError(400, CONN_INVALID_REQUEST, str(exc)) from exc
            handler = getattr(self, f"rpc_{route.rpc}", None)
            if handler is None:
                raise ApiError(501, NOT_IMPLEMENTED, f"{route.rpc} is not in this fake")
            scope = request.get("user_app_id") or {}
            if scope.get("user_id") == "me":
                scope["user_id"] = self.user_id
            if scope.get("user_id") not in (None, self.user_id):
                raise ApiError(404, CONN_DOES_NOT_EXIST, f"user {scope.get('user_id')} not found")
            if scope.get("app_id") is not None and scope["app_id"] not in self.apps:
                raise ApiError(404, CONN_DOES_NOT_EXIST, f"app {scope['app_id']} not found")
            with self.lock:
                http, answer = handler(request)
        except ApiError as exc:
            http = exc.http
            answer = {"status": status(exc.code, exc.details), **(exc.extra or {})}
        try:
            check_response(route, answer)
        except FidelityError as exc:
            with self.lock:
                self.violations.append(str(exc))
            return self._json(500, {"status": status(INTERNAL, str(exc))})
        return self._json(http, answer)


class _Handler(BaseHTTPRequestHandler):
    fake: ClarifaiFake
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms stalls

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def setup(self) -> None:
        super().setup()
        with self.fake.lock:
            self.fake.connections.add(self.connection)

    def finish(self) -> None:
        with self.fake.lock:
            self.fake.connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            return

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        http, extra, body, _after = self.fake.handle(self.command, self.path, headers, raw)
        try:
            self.send_response(http)
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout test)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


class Recorder:
    """A plain web server on another port: an outside host that records what it is sent."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.headers: list[dict[str, str]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                recorder.headers.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(recorder.content)))
                self.end_headers()
                self.wfile.write(recorder.content)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/images/{name}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
