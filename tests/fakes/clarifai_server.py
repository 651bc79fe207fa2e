"""An in-memory Clarifai v2 REST server for tests, checked against Clarifai's own protos.

Routes are not written by hand: they are read from the ``google.api.http`` options of
the ``clarifai.api.V2`` service in the official ``clarifai-grpc`` package, so a path the
adapter sends either is a route of the real API or answers 404 with
``CONN_DOES_NOT_EXIST``, as Clarifai does for a bad path. Every request (path fields,
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

import base64
import copy
import hashlib
import io
import json
import re
import socket
import threading
import time
import uuid as uuidlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import numpy as np
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from google.api import annotations_pb2
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from PIL import Image

# -- status codes used here (clarifai.api.status.StatusCode) -------------------------------
SUCCESS, MIXED_STATUS, FAILURE, TRY_AGAIN = 10000, 10010, 10020, 10030
NOT_IMPLEMENTED = 10040
CONN_KEY_INVALID, CONN_KEY_NOT_FOUND, CONN_THROTTLED = 11008, 11009, 11005
CONN_INSUFFICIENT_SCOPES = 11007
CONN_BAD_REQUEST_FORMAT, CONN_DOES_NOT_EXIST, CONN_INVALID_REQUEST = 11100, 11101, 11102
ANN_SUCCESS, ANN_PENDING, ANN_INVALID, ANN_DENIED_PERMISSION = 24150, 24151, 24155, 24156
ANN_AWAITING_REVIEW, ANN_REVIEW_DENIED, ANN_AWAITING_CONSENSUS = 24157, 24158, 24159
ANNOTATION_STATUSES = {
    ANN_SUCCESS,
    ANN_PENDING,
    ANN_AWAITING_REVIEW,
    ANN_REVIEW_DENIED,
    ANN_AWAITING_CONSENSUS,
    24152,
    24154,
}
INPUT_DOES_NOT_EXIST, INPUT_DOWNLOAD_SUCCESS = 30102, 30000
DATABASE_DUPLICATE_KEY = 40010
TASK_IN_PROGRESS, TASK_MISSING = 54001, 54102
TA_SUCCESS, TA_PENDING, TA_AWAITING_REVIEW, TA_CONSENSUS, TA_REJECTED = (
    54200,
    54201,
    54202,
    54203,
    54204,
)
INTERNAL = 98004

DESCRIPTIONS = {
    SUCCESS: "Ok",
    MIXED_STATUS: "Mixed Success",
    FAILURE: "Failure",
    TRY_AGAIN: "Try again",
    CONN_THROTTLED: "Making too many requests",
    CONN_KEY_INVALID: "API key is invalid",
    CONN_KEY_NOT_FOUND: "API key not found",
    CONN_INSUFFICIENT_SCOPES: "Insufficient scopes",
    CONN_BAD_REQUEST_FORMAT: "Bad request format",
    CONN_DOES_NOT_EXIST: "Resource does not exist",
    CONN_INVALID_REQUEST: "Invalid request",
    ANN_INVALID: "Annotation invalid argument",
    ANN_DENIED_PERMISSION: "Annotation permission denied",
    INPUT_DOES_NOT_EXIST: "Input does not exist",
    DATABASE_DUPLICATE_KEY: "Object has a duplicate ID; another object with same ID already exist",
    TASK_MISSING: "Task does not exist",
    INTERNAL: "Internal issue",
}
DEFAULT_PER_PAGE, MAX_PER_PAGE, MAX_BATCH = 128, 1000, 128


class FidelityError(ValueError):
    """A request or response that Clarifai's protos do not accept."""


# -- routes from the proto -----------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    rpc: str
    method: str
    template: str
    body: str
    pattern: re.Pattern[str]
    fields: tuple[str, ...]
    literals: int
    request: type[Message]
    response: type[Message]


def _message_class(descriptor: Descriptor) -> type[Message]:
    for module in (service_pb2, resources_pb2):
        cls = getattr(module, descriptor.name, None)
        if cls is not None and cls.DESCRIPTOR.full_name == descriptor.full_name:
            return cls
    from google.protobuf import message_factory

    return message_factory.GetMessageClass(descriptor)


def load_routes() -> list[Route]:
    """Every HTTP binding of the V2 service, most literal path segments first."""
    service = service_pb2.DESCRIPTOR.services_by_name["V2"]
    routes: list[Route] = []
    for method in service.methods:
        rule = method.GetOptions().Extensions[annotations_pb2.http]
        for binding in [rule, *rule.additional_bindings]:
            verb = binding.WhichOneof("pattern")
            if verb in (None, "custom"):
                continue
            template = getattr(binding, verb)
            names: list[str] = []
            regex = ""
            literals = 0
            for segment in template.strip("/").split("/"):
                match = re.fullmatch(r"\{([\w.]+)(?:=[^}]*)?\}", segment)
                if match:
                    names.append(match.group(1))
                    regex += "/([^/]+)"
                else:
                    literals += 1
                    regex += "/" + re.escape(segment)
            routes.append(
                Route(
                    rpc=method.name,
                    method=verb.upper(),
                    template=template,
                    body=binding.body,
                    pattern=re.compile(regex + "$"),
                    fields=tuple(names),
                    literals=literals,
                    request=_message_class(method.input_type),
                    response=_message_class(method.output_type),
                )
            )
    routes.sort(key=lambda r: -r.literals)
    return routes


ROUTES = load_routes()


def match_route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in ROUTES:
        if route.method != method:
            continue
        found = route.pattern.match(path)
        if found:
            return route, {n: unquote(v) for n, v in zip(route.fields, found.groups(), strict=True)}
    return None


def _field(descriptor: Descriptor, name: str) -> FieldDescriptor | None:
    found = descriptor.fields_by_name.get(name)
    if found is not None:
        return found
    return next((f for f in descriptor.fields if f.json_name == name), None)


def _scalar(field_: FieldDescriptor, text: str) -> Any:
    if field_.type == FieldDescriptor.TYPE_BOOL:
        if text not in ("true", "false"):
            raise FidelityError(f"query parameter {field_.name}={text!r} is not a bool")
        return text == "true"
    if field_.type == FieldDescriptor.TYPE_ENUM:
        return int(text) if text.lstrip("-").isdigit() else text
    if field_.cpp_type in (
        FieldDescriptor.CPPTYPE_INT32,
        FieldDescriptor.CPPTYPE_INT64,
        FieldDescriptor.CPPTYPE_UINT32,
        FieldDescriptor.CPPTYPE_UINT64,
    ):
        if not text.lstrip("-").isdigit():
            raise FidelityError(f"query parameter {field_.name}={text!r} is not an integer")
        return int(text)
    if field_.cpp_type in (FieldDescriptor.CPPTYPE_FLOAT, FieldDescriptor.CPPTYPE_DOUBLE):
        return float(text)
    return text


def _put(
    target: dict[str, Any], descriptor: Descriptor, dotted: str, values: list[str], where: str
) -> None:
    """Set a (dotted) field from path or query text, as grpc-gateway does."""
    parts = dotted.split(".")
    node = target
    desc = descriptor
    for index, part in enumerate(parts):
        field_ = _field(desc, part)
        if field_ is None:
            raise FidelityError(f"{where} {dotted!r}: {desc.full_name} has no field {part!r}")
        last = index == len(parts) - 1
        if not last:
            if field_.message_type is None or field_.is_repeated:
                raise FidelityError(f"{where} {dotted!r}: {part!r} is not a message field")
            node = node.setdefault(field_.name, {})
            desc = field_.message_type
            continue
        if field_.message_type is not None:
            raise FidelityError(f"{where} {dotted!r} names a message, not a value")
        converted = [_scalar(field_, v) for v in values]
        if field_.is_repeated:
            node.setdefault(field_.name, []).extend(converted)
        else:
            if len(converted) != 1:
                raise FidelityError(f"{where} {dotted!r} is not repeated but was given twice")
            node[field_.name] = converted[0]


def parse_request(
    route: Route, path_fields: Mapping[str, str], query: str, body: Any
) -> dict[str, Any]:
    """The request as its proto message would see it; raises FidelityError otherwise."""
    desc = route.request.DESCRIPTOR
    data: dict[str, Any] = {}
    if route.body == "*":
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise FidelityError(f"{route.rpc}: the body must be a JSON object")
        data = copy.deepcopy(body)
    elif body not in (None, {}):
        raise FidelityError(f"{route.rpc} takes no body, got {str(body)[:80]}")
    grouped: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        grouped.setdefault(key, []).append(value)
    if route.body != "*":
        for key, values in grouped.items():
            _put(data, desc, key, values, "query parameter")
    elif grouped:
        raise FidelityError(f"{route.rpc} takes its fields in the body, not in the query")
    for key, value in path_fields.items():
        _put(data, desc, key, [value], "path field")
    try:
        message = json_format.ParseDict(data, route.request(), ignore_unknown_fields=False)
    except json_format.ParseError as exc:
        raise FidelityError(f"{route.rpc} request: {exc}") from exc
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, use_integers_for_enums=True
    )


def check_response(route: Route, body: Mapping[str, Any]) -> None:
    try:
        json_format.ParseDict(dict(body), route.response(), ignore_unknown_fields=False)
    except json_format.ParseError as exc:
        raise FidelityError(f"{route.rpc} response: {exc}") from exc


def normalized(message_type: type[Message], data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` as the server stores and returns it (float32, numeric enums, no zeros)."""
    message = json_format.ParseDict(dict(data), message_type(), ignore_unknown_fields=False)
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, use_integers_for_enums=True
    )


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


class ApiError(Exception):
    def __init__(self, http: int, code: int, details: str = "", extra: Any = None) -> None:
        super().__init__(details)
        self.http, self.code, self.details, self.extra = http, code, details, extra


def status(code: int, details: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "description": DESCRIPTIONS.get(code, "")}
    if details:
        out["details"] = details
    out["req_id"] = uuidlib.uuid4().hex[:16]
    return out


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


class ClarifaiFake:
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

    # -- helpers -------------------------------------------------------------------------
    @staticmethod
    def _page(request: Mapping[str, Any], items: list[Any]) -> list[Any]:
        page = int(request.get("page") or 1)
        per_page = int(request.get("per_page") or DEFAULT_PER_PAGE)
        if per_page > MAX_PER_PAGE:
            raise ApiError(400, CONN_INVALID_REQUEST, f"per_page must be at most {MAX_PER_PAGE}")
        return items[(page - 1) * per_page : page * per_page]

    @staticmethod
    def _ok(**payload: Any) -> tuple[int, dict[str, Any]]:
        return 200, {"status": status(SUCCESS), **payload}

    # -- users, apps ---------------------------------------------------------------------
    def rpc_GetUser(self, request: dict) -> tuple[int, dict]:
        return self._ok(user={"id": self.user_id})

    def rpc_ListApps(self, request: dict) -> tuple[int, dict]:
        return self._ok(apps=self._page(request, list(self.apps.values())))

    def rpc_ListCollaborations(self, request: dict) -> tuple[int, dict]:
        return self._ok(collaborations=[])

    def rpc_GetApp(self, request: dict) -> tuple[int, dict]:
        return self._ok(app=self.apps[request["user_app_id"]["app_id"]])

    # -- concepts ------------------------------------------------------------------------
    def rpc_ListConcepts(self, request: dict) -> tuple[int, dict]:
        items = sorted(self.concepts.values(), key=lambda c: c["id"])
        return self._ok(concepts=self._page(request, items))

    def rpc_PostConcepts(self, request: dict) -> tuple[int, dict]:
        new = request.get("concepts") or []
        for concept in new:
            if concept.get("id") in self.concepts:
                raise ApiError(400, DATABASE_DUPLICATE_KEY, f"concept {concept['id']} exists")
        made = [self.add_concept(c["id"], c.get("name"), c.get("keypoint_info")) for c in new]
        return self._ok(concepts=made)

    def rpc_PatchConcepts(self, request: dict) -> tuple[int, dict]:
        if request.get("action") != "overwrite":
            raise ApiError(400, CONN_INVALID_REQUEST, "only action 'overwrite' is supported")
        out = []
        for concept in request.get("concepts") or []:
            current = self.concepts.get(concept.get("id", ""))
            if current is None:
                raise ApiError(404, CONN_DOES_NOT_EXIST, f"concept {concept.get('id')}")
            current = {**current, **{k: v for k, v in concept.items() if k != "id"}}
            self.concepts[concept["id"]] = normalized(resources_pb2.Concept, current)
            out.append(self.concepts[concept["id"]])
        return self._ok(concepts=out)

    # -- inputs --------------------------------------------------------------------------
    def rpc_StreamInputs(self, request: dict) -> tuple[int, dict]:
        items = list(self.inputs.values())
        last = request.get("last_id")
        if last:
            ids = [i["id"] for i in items]
            if last not in ids:
                raise ApiError(400, CONN_INVALID_REQUEST, f"last_id {last} is not an input")
            items = items[ids.index(last) + 1 :]
        per_page = int(request.get("per_page") or 20)
        if per_page > MAX_PER_PAGE:
            raise ApiError(400, CONN_INVALID_REQUEST, f"per_page must be at most {MAX_PER_PAGE}")
        return self._ok(inputs=items[:per_page])

    def rpc_ListInputs(self, request: dict) -> tuple[int, dict]:
        items = list(self.inputs.values())
        if request.get("ids"):
            wanted = set(request["ids"])
            items = [i for i in items if i["id"] in wanted]
        code = (request.get("status") or {}).get("code")
        if code:
            items = [i for i in items if i["status"]["code"] == code]
        return self._ok(inputs=self._page(request, items))

    def rpc_GetInput(self, request: dict) -> tuple[int, dict]:
        item = self.inputs.get(request.get("input_id", ""))
        if item is None:
            raise ApiError(404, INPUT_DOES_NOT_EXIST, f"input {request.get('input_id')}")
        return self._ok(input=item)

    def rpc_PatchInputs(self, request: dict) -> tuple[int, dict]:
        action = request.get("action")
        if action not in ("merge", "overwrite"):
            raise ApiError(400, CONN_INVALID_REQUEST, "action must be merge or overwrite")
        out = []
        for patch in request.get("inputs") or []:
            current = self.inputs.get(patch.get("id", ""))
            if current is None:
                raise ApiError(404, INPUT_DOES_NOT_EXIST, f"input {patch.get('id')}")
            item = copy.deepcopy(current)
            metadata = (patch.get("data") or {}).get("metadata")
            if metadata is not None:
                data = item.setdefault("data", {})
                if action == "merge":
                    data["metadata"] = {**(data.get("metadata") or {}), **metadata}
                else:
                    data["metadata"] = metadata
            item["modified_at"] = self.now()
            self.inputs[item["id"]] = normalized(resources_pb2.Input, item)
            out.append(self.inputs[item["id"]])
        return self._ok(inputs=out)

    # -- annotations ---------------------------------------------------------------------
    def _visible(self, request: Mapping[str, Any]) -> list[dict[str, Any]]:
        items = sorted(self.annotations.values(), key=lambda a: (a["created_at"], a["id"]))
        ids, input_ids = request.get("ids") or [], request.get("input_ids") or []
        if ids and input_ids and len(ids) != len(input_ids):
            raise ApiError(400, CONN_INVALID_REQUEST, "ids and input_ids must match in number")
        if ids:
            items = [a for a in items if a["id"] in set(ids)]
        elif input_ids:
            items = [a for a in items if a["input_id"] in set(input_ids)]
        if request.get("task_id"):
            items = [a for a in items if a.get("task_id") == request["task_id"]]
        user_ids = request.get("user_ids") or []
        if user_ids:
            items = [
                a for a in items if (a.get("worker") or {}).get("user", {}).get("id") in user_ids
            ]
        elif not request.get("list_all_annotations"):
            items = [a for a in items if a.get("trusted")]
        return items

    def rpc_ListAnnotations(self, request: dict) -> tuple[int, dict]:
        return self._ok(annotations=self._page(request, self._visible(request)))

    def rpc_GetAnnotation(self, request: dict) -> tuple[int, dict]:
        item = self.annotations.get(request.get("annotation_id", ""))
        if item is None or item["input_id"] != request.get("input_id"):
            raise ApiError(404, CONN_DOES_NOT_EXIST, "annotation does not exist")
        return self._ok(annotation=item)

    def _check_data(self, data: Mapping[str, Any]) -> str | None:
        """Why Clarifai would refuse this annotation data (None when it is fine)."""
        regions = data.get("regions") or []
        if len(regions) > 1:
            return "each annotation should contain at most one region"
        for region in regions:
            info = region.get("region_info") or {}
            box = info.get("bounding_box")
            if box is not None:
                values = [
                    box.get(k, 0.0) for k in ("top_row", "left_col", "bottom_row", "right_col")
                ]
                if not all(0.0 <= v <= 1.0 for v in values):
                    return "bounding box coordinates must be within [0, 1]"
                if not (values[0] < values[2] and values[1] < values[3]):
                    return "top_row must be less than bottom_row, left_col less than right_col"
            polygon = info.get("polygon")
            if polygon is not None and len(polygon.get("points") or []) < 3:
                return "a polygon needs at least 3 points"
            for point in (polygon or {}).get("points") or []:
                if not (0 <= point.get("row", 0) <= 1 and 0 <= point.get("col", 0) <= 1):
                    return "polygon points must be within [0, 1]"
            for point in info.get("keypoint_locations") or []:
                if not (0 <= point.get("row", 0) <= 1 and 0 <= point.get("col", 0) <= 1):
                    return "keypoint locations must be within [0, 1]"
            mask = info.get("mask")
            if mask is not None:
                raw = (mask.get("image") or {}).get("base64")
                try:
                    Image.open(io.BytesIO(base64.b64decode(raw or ""))).verify()
                except (OSError, ValueError, SyntaxError) as exc:  # what PIL raises on bad data
                    return f"mask image is not a valid image: {exc}"
            for concept in (region.get("data") or {}).get("concepts") or []:
                if concept.get("id") not in self.concepts:
                    return f"concept {concept.get('id')} does not exist"
        for concept in data.get("concepts") or []:
            if concept.get("id") not in self.concepts:
                return f"concept {concept.get('id')} does not exist"
        return None

    def _batch(self, request: Mapping[str, Any]) -> list[dict[str, Any]]:
        items = request.get("annotations") or []
        if not 1 <= len(items) <= MAX_BATCH:
            raise ApiError(
                400, CONN_INVALID_REQUEST, f"send between 1 and {MAX_BATCH} annotations per call"
            )
        return items

    def _answer(self, results: list[tuple[dict[str, Any], bool]]) -> tuple[int, dict]:
        good = sum(1 for _, ok in results if ok)
        items = [item for item, _ in results]
        if good == len(results):
            return self._ok(annotations=items)
        if good:
            return 200, {"status": status(MIXED_STATUS), "annotations": items}
        first = items[0]["status"]["code"]
        same = all(i["status"]["code"] == first for i in items)
        raise ApiError(
            400, first if same else FAILURE, "no annotation was stored", {"annotations": items}
        )

    def _item_failure(self, item: Mapping[str, Any], code: int, details: str) -> dict[str, Any]:
        out = {k: item[k] for k in ("id", "input_id") if k in item}
        out["status"] = status(code, details)
        out["status"].pop("req_id", None)
        return out

    def rpc_PostAnnotations(self, request: dict) -> tuple[int, dict]:
        results = []
        for item in self._batch(request):
            item = dict(item)
            rid = item.get("id") or uuidlib.uuid4().hex
            item["id"] = rid
            why: tuple[int, str] | None = self.refused.get(rid)
            if why is None and item.get("input_id") not in self.inputs:
                why = (INPUT_DOES_NOT_EXIST, f"input {item.get('input_id')} does not exist")
            if why is None and rid in self.annotations:
                why = (DATABASE_DUPLICATE_KEY, f"annotation {rid} already exists")
            if why is None:
                problem = self._check_data(item.get("data") or {})
                if problem:
                    why = (ANN_INVALID, problem)
            code = (item.get("status") or {}).get("code", ANN_SUCCESS)
            if why is None and code not in ANNOTATION_STATUSES:
                why = (ANN_INVALID, f"{code} is not an annotation status")
            if why is not None:
                results.append((self._item_failure(item, *why), False))
                continue
            stamp = self.now()
            item.update(created_at=stamp, modified_at=stamp, status={"code": code})
            item["worker"] = {"user": {"id": self.user_id}}
            self.annotations[rid] = normalized(resources_pb2.Annotation, item)
            results.append((self.annotations[rid], True))
        return self._answer(results)

    def rpc_PatchAnnotations(self, request: dict) -> tuple[int, dict]:
        action = request.get("action")
        if action not in ("merge", "overwrite", "remove"):
            raise ApiError(400, CONN_INVALID_REQUEST, "action must be merge, overwrite or remove")
        results = []
        for patch in self._batch(request):
            rid = patch.get("id", "")
            current = self.annotations.get(rid)
            why = self.refused.get(rid)
            if why is None and (current is None or current["input_id"] != patch.get("input_id")):
                why = (ANN_INVALID, f"annotation {rid} of input {patch.get('input_id')} not found")
            if why is None and "data" in patch:
                problem = self._check_data(patch["data"])
                if problem:
                    why = (ANN_INVALID, problem)
            if why is not None:
                results.append((self._item_failure(patch, *why), False))
                continue
            item = copy.deepcopy(current)
            if action == "overwrite":
                if "data" in patch:
                    item["data"] = patch["data"]
            elif action == "merge":
                data = item.setdefault("data", {})
                for region in (patch.get("data") or {}).get("regions") or []:
                    regions = data.setdefault("regions", [])
                    index = next(
                        (
                            i
                            for i, r in enumerate(regions)
                            if region.get("id") and r.get("id") == region["id"]
                        ),
                        None,
                    )
                    if index is None:
                        regions.append(region)
                    else:
                        regions[index] = region
            else:
                data = item.get("data") or {}
                gone = {r.get("id") for r in (patch.get("data") or {}).get("regions") or []}
                data["regions"] = [r for r in data.get("regions") or [] if r.get("id") not in gone]
                if (
                    request.get("delete_if_empty_data")
                    and not data["regions"]
                    and not item.get("input_level")
                ):
                    del self.annotations[rid]
                    results.append((self._item_failure(patch, ANN_SUCCESS, ""), True))
                    continue
            for key in ("status", "task_id", "annotation_info"):
                if key in patch:
                    item[key] = patch[key]
            item["modified_at"] = self.now()
            self.annotations[rid] = normalized(resources_pb2.Annotation, item)
            results.append((self.annotations[rid], True))
        return self._answer(results)

    def rpc_DeleteAnnotation(self, request: dict) -> tuple[int, dict]:
        item = self.annotations.get(request.get("annotation_id", ""))
        if item is None or item["input_id"] != request.get("input_id"):
            raise ApiError(404, CONN_DOES_NOT_EXIST, "annotation does not exist")
        del self.annotations[item["id"]]
        return self._ok()

    def rpc_DeleteAnnotations(self, request: dict) -> tuple[int, dict]:
        ids, input_ids = request.get("ids") or [], request.get("input_ids") or []
        if not input_ids:
            raise ApiError(400, CONN_INVALID_REQUEST, "at least one input_ids value is required")
        if ids and len(ids) != len(input_ids):
            raise ApiError(400, CONN_INVALID_REQUEST, "ids and input_ids must match in number")
        if ids:
            for rid, input_id in zip(ids, input_ids, strict=True):
                item = self.annotations.get(rid)
                if item is None or item["input_id"] != input_id:
                    raise ApiError(404, CONN_DOES_NOT_EXIST, f"annotation {rid} does not exist")
            for rid in ids:
                del self.annotations[rid]
        else:  # every annotation of those inputs (Clarifai's documented behaviour)
            for item in list(self.annotations.values()):
                if item["input_id"] in input_ids and not item.get("input_level"):
                    del self.annotations[item["id"]]
        return self._ok()

    def rpc_PostAnnotationsSearches(self, request: dict) -> tuple[int, dict]:
        searches = request.get("searches") or []
        if len(searches) != 1:
            raise ApiError(400, CONN_INVALID_REQUEST, "send exactly one search")
        filters = ((searches[0].get("query") or {}).get("filters")) or []
        items = sorted(self.annotations.values(), key=lambda a: (a["modified_at"], a["id"]))
        for flt in filters:
            items = [a for a in items if self._matches(flt, a) != bool(flt.get("negate"))]
        pagination = request.get("pagination") or {}
        page = self._page(pagination, items)
        hits = [
            {"score": 1.0, "input": self.inputs[a["input_id"]], "annotation": a}
            for a in page
            if a["input_id"] in self.inputs
        ]
        return self._ok(hits=hits)

    @staticmethod
    def _matches(flt: Mapping[str, Any], item: Mapping[str, Any]) -> bool:
        window = flt.get("last_updated_time_range")
        if window is not None:
            stamp = item["modified_at"]
            if window.get("start_time") and stamp < window["start_time"]:
                return False
            if window.get("end_time") and stamp > window["end_time"]:
                return False
        wanted = flt.get("annotation") or {}
        for key in ("id", "input_id", "task_id"):
            if key in wanted and item.get(key) != wanted[key]:
                return False
        if "status" in wanted and item.get("status", {}).get("code") != wanted["status"].get(
            "code"
        ):
            return False
        return True

    # -- tasks ---------------------------------------------------------------------------
    def rpc_ListTasks(self, request: dict) -> tuple[int, dict]:
        items = sorted(self.tasks.values(), key=lambda t: t["id"])
        if request.get("ids"):
            items = [t for t in items if t["id"] in request["ids"]]
        if request.get("worker_user_ids"):
            wanted = set(request["worker_user_ids"])
            items = [
                t
                for t in items
                if wanted & {w["user"]["id"] for w in t.get("worker", {}).get("workers", [])}
            ]
        if request.get("review_user_ids"):
            wanted = set(request["review_user_ids"])
            items = [
                t for t in items if wanted & {u["id"] for u in t.get("review", {}).get("users", [])}
            ]
        return self._ok(tasks=self._page(request, items))

    def rpc_GetTask(self, request: dict) -> tuple[int, dict]:
        task = self.tasks.get(request.get("task_id", ""))
        if task is None:
            raise ApiError(404, TASK_MISSING, f"task {request.get('task_id')}")
        return self._ok(task=task)

    def _assignment(self, task_id: str, input_id: str, worker: str) -> dict[str, Any]:
        stamp = self.now()
        data = {
            "id": uuidlib.uuid4().hex,
            "created_at": stamp,
            "modified_at": stamp,
            "worker": {"user": {"id": worker}},
            "input": {"id": input_id},
            "status": {"code": TA_PENDING},
        }
        item = normalized(resources_pb2.TaskAssignment, data)
        item["_task"] = task_id
        self.assignments[item["id"]] = item
        return item

    @staticmethod
    def _public(assignment: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
        out = {k: copy.deepcopy(v) for k, v in assignment.items() if not k.startswith("_")}
        full = inputs.get(out["input"]["id"])
        if full is not None:
            out["input"] = copy.deepcopy(full)
        return out

    def _set_annotations(self, task_id: str, input_id: str, code: int) -> None:
        for item in list(self.annotations.values()):
            if item.get("task_id") == task_id and item["input_id"] == input_id:
                changed = dict(item, status={"code": code}, modified_at=self.now())
                self.annotations[item["id"]] = normalized(resources_pb2.Annotation, changed)

    def rpc_PutTaskAssignments(self, request: dict) -> tuple[int, dict]:
        task_id = request["task_id"]
        task = self.tasks.get(task_id)
        if task is None:
            raise ApiError(404, TASK_MISSING, f"task {task_id}")
        action = request.get("action")
        me = self.user_id
        mine = [a for a in self.assignments.values() if a["_task"] == task_id]
        strategy = task.get("review", {}).get("strategy", 0)
        if action == 1:  # LABEL_START
            pending = [
                a
                for a in mine
                if a["worker"]["user"]["id"] == me and a["status"]["code"] == TA_PENDING
            ]
            if not pending:
                done = {a["input"]["id"] for a in mine if a["worker"]["user"]["id"] == me}
                wanted = task.get("metadata", {}).get("input_ids") or list(self.inputs)
                fresh = [i for i in wanted if i not in done and i in self.inputs][:10]
                pending = [self._assignment(task_id, i, me) for i in fresh]
            return self._ok(task_assignments=[self._public(a, self.inputs) for a in pending])
        if action == 10:  # REVIEW_START
            waiting = [a for a in mine if a["status"]["code"] == TA_AWAITING_REVIEW][:10]
            return self._ok(task_assignments=[self._public(a, self.inputs) for a in waiting])
        configs = {
            2: "label_submit_config",
            11: "review_approve_config",
            12: "review_request_changes_config",
            13: "review_reject_config",
        }
        if action not in configs:
            raise ApiError(400, CONN_INVALID_REQUEST, f"action {action} is not supported here")
        chosen = [
            self.assignments.get(a.get("id", ""))
            for a in (request.get(configs[action]) or {}).get("task_assignments") or []
        ]
        if action == 2 and request.get("input_id"):
            chosen += [a for a in mine if a["input"]["id"] == request["input_id"]]
        if not chosen or any(a is None or a["_task"] != task_id for a in chosen):
            raise ApiError(400, CONN_INVALID_REQUEST, "unknown task assignment")
        out = []
        for assignment in chosen:
            assert assignment is not None
            moved = self._moved(action, strategy, assignment["status"]["code"])
            if moved is None:
                out.append(assignment)  # already submitted: no-op
                continue
            assignment["status"] = {"code": moved[0]}
            assignment["modified_at"] = self.now()
            self._set_annotations(task_id, assignment["input"]["id"], moved[1])
            out.append(assignment)
        return self._ok(task_assignments=[self._public(a, self.inputs) for a in out])

    @staticmethod
    def _moved(action: int, strategy: int, current: int) -> tuple[int, int] | None:
        """(assignment status, annotation status) after ``action``; None: nothing moves."""
        if action == 2:
            if current != TA_PENDING:
                return None
            if strategy == 1:  # NONE: approved at once
                return TA_SUCCESS, ANN_SUCCESS
            if strategy == 3:  # CONSENSUS
                return TA_CONSENSUS, ANN_AWAITING_CONSENSUS
            return TA_AWAITING_REVIEW, ANN_AWAITING_REVIEW  # MANUAL
        if action == 11:
            return TA_SUCCESS, ANN_SUCCESS
        if action == 12:
            return TA_PENDING, ANN_PENDING
        return TA_REJECTED, ANN_REVIEW_DENIED


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
