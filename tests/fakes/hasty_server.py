"""An in-memory Hasty API v1 server for tests, on 127.0.0.1 in a background thread.

It follows Hasty's API document: ``X-Api-Key`` auth, ``offset``/``limit`` paging with
``meta.total``, comma-joined multi-valued filters, bare JSON arrays of at most 100 labels
for label batches, server-set label ids, full-geometry label edits that name the label by
``id`` (the document's edit sample), ``DELETE`` answering 204, statuses by name
(``DefaultStatusWrite``) or by ``status_id`` (default or custom), the project-wide label
list's ``updated_since`` intervals ("30m", "2h", "3d"), and integer-pixel geometry: boxes
``[left, top, right, bottom]``, polygons as closed rings ``[[x0, y0], ..., [x0, y0]]``,
masks as 1-based row-major RLE of the bbox crop.

The server refuses, with 400 and a ``{"code", "message"}`` body, what the document's
request tables do not allow: a field a table does not list (``label_id`` in an edit, for
one), a missing required field, a negative or inverted box, a polygon that is not a
closed ring of at least three distinct points, a mask past its crop.

The document gives no paths; the routes here are those the vendor's own clients call,
written out in this file (keypoint schemas at ``.../keypoint_schemas`` and
``.../keypoint_schemas_classes``, which no client confirms). Where the document is silent
the fake picks one behaviour and says so:

- a batch is validated whole before anything is applied (all or nothing);
- deleting an id that is not there is ignored (still 204);
- an image's ``update_date`` moves with its status, not with its labels, unless
  ``labels_touch_image`` is set;
- ``PUT .../status`` answers 200 with the image;
- ``updated_since`` on the image list is checked to be an integer but not applied (its
  unit is unknown);
- timestamps have whole seconds, like the document's samples.

Fault hooks (``fail_next``, ``fail_after_apply``, ``delay_next``, ``malformed_next``,
``drop_after_apply``) act on the next matching requests; ``requests`` logs every request.
``add_raw_label`` stores a label the checks never saw (an import made by an older server),
for tests of broken server data. It is a test fixture: nothing in the application imports
it, and it imports nothing from the application.
"""

from __future__ import annotations

import copy
import io
import json
import re
import threading
import time
import uuid as uuidlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from PIL import Image as PILImage

DEFAULT_STATUSES = (
    "NEW",
    "IN PROGRESS",
    "TO REVIEW",
    "DONE",
    "SKIPPED",
    "AUTO-LABELLED",
    "COMPLETED",
)
WRITABLE_STATUSES = ("NEW", "IN PROGRESS", "TO REVIEW", "DONE", "SKIPPED", "COMPLETED")
TOOLS = (
    "bbox polygon contour magic_wand brush grabcut dextr object_detection "
    "instance_segmentation semantic_segmentation import copy atom error_finder finish_him api "
    "duplicated box2mask keypoints text_to_mask keypoint_detection inference_monitor merge"
).split()
ATTRIBUTE_TYPES = ("SELECTION", "MULTIPLE-SELECTION", "TEXT", "INT", "FLOAT", "BOOL")
MAX_BATCH = 100
API_USER = "5d0c1f36-2f0e-4a57-8b87-0a6a1a0f7d11"  # the service account behind the key
OTHER_USER = "a3f9b0e2-7c41-4e8e-9a55-3c1d2b7e6f90"  # a colleague editing in Hasty's UI


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or {
            400: "validation_error",
            401: "unauthorized",
            402: "payment_required",
            403: "forbidden",
            404: "not_found",
            429: "too_many_requests",
        }.get(status, "error")


@dataclass
class Fault:
    kind: str  # status | after | delay | malformed | drop
    times: int
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "injected failure"
    delay: float = 0.0
    apply: bool = False
    method: str | None = None
    path: str | None = None  # a regular expression searched in the path

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.path is None or re.search(self.path, path) is not None


def new_id() -> str:
    return str(uuidlib.uuid4())


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# Request fields, as the API document's request tables list them. Anything else in a body
# is refused with 400 (a field limner misspells must not pass silently).
LABEL_FIELDS = frozenset(
    "bbox class_id external_event_id mask polygon tool_used z_index border_mask "
    "external_id keypoints".split()
)
LABEL_EDIT_FIELDS = LABEL_FIELDS | {"id"}  # the document's edit sample names the label "id"
KEYPOINT_FIELDS = frozenset({"id", "keypoint_class_id", "x", "y", "visible", "norder"})
DELETE_FIELDS = frozenset({"id"})
STATUS_FIELDS = frozenset({"status", "status_id"})
VALUE_FIELDS = frozenset({"value", "predicted_values"})
PROJECT_FIELDS = frozenset({"name", "workspace_id", "description", "content_type"})
DATASET_FIELDS = frozenset({"name", "norder"})
CLASS_FIELDS = frozenset(
    "name description type color icon_url norder parent_id external_id "
    "use_description_as_prompt".split()
)
IMAGE_FIELDS = frozenset(
    {"dataset_id", "upload_id", "filename", "external_id", "url", "copy_original", "bucket_id"}
)
IMAGE_PATCH_FIELDS = frozenset({"filename", "dataset_id"})


def check_fields(body: Any, allowed: frozenset[str], where: str = "body") -> dict[str, Any]:
    """``body`` as an object holding only ``allowed`` fields, else a 400 naming the rest."""
    if not isinstance(body, dict):
        raise ApiError(400, f"{where}: must be an object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(400, f"{where}: unknown field(s): {', '.join(unknown)}")
    return body


def check_bbox(bbox: Any, where: str) -> list[int] | None:
    """``[left, top, right, bottom]``: four non-negative integers, right > left, bottom > top."""
    if bbox is None:
        return None
    if not isinstance(bbox, list) or len(bbox) != 4 or not all(_is_int(v) for v in bbox):
        raise ApiError(400, f"{where}: bbox must be 4 integers")
    if any(v < 0 for v in bbox):
        raise ApiError(400, f"{where}: bbox coordinates must not be negative")
    if bbox[2] <= bbox[0] or bbox[3] <= bbox[1]:
        raise ApiError(400, f"{where}: bbox must have x_max > x_min and y_max > y_min")
    return bbox


def check_polygon(polygon: Any, where: str) -> None:
    """A closed ring of integer points: ``[[x0, y0], [x1, y1], ..., [x0, y0]]``."""
    if polygon is None:
        return
    if (
        not isinstance(polygon, list)
        or not polygon
        or not all(
            isinstance(p, list) and len(p) == 2 and all(_is_int(v) for v in p) for p in polygon
        )
    ):
        raise ApiError(400, f"{where}: polygon must be a non-empty list of [x, y] integers")
    if any(v < 0 for p in polygon for v in p):
        raise ApiError(400, f"{where}: polygon coordinates must not be negative")
    if polygon[0] != polygon[-1]:
        raise ApiError(
            400, f"{where}: polygon must be a closed ring ending with its first point [x0, y0]"
        )
    if len({tuple(p) for p in polygon}) < 3:
        raise ApiError(400, f"{where}: polygon needs at least 3 distinct points")


def check_mask(mask: Any, bbox: list[int] | None, where: str) -> None:
    """RLE ``[start, length, ...]`` of the bbox crop, 1-based, runs increasing, inside it."""
    if mask is None:
        return
    if bbox is None:
        raise ApiError(400, f"{where}: a mask needs a bbox")
    if (
        not isinstance(mask, list)
        or len(mask) < 2
        or len(mask) % 2
        or not all(_is_int(v) and v >= 1 for v in mask)
    ):
        raise ApiError(400, f"{where}: mask must be [start, length, ...] positive integers")
    area = (bbox[2] - bbox[0]) * (bbox[3] - bbox[1])
    previous_end = 0
    for start, length in zip(mask[0::2], mask[1::2], strict=True):
        if start <= previous_end:
            raise ApiError(400, f"{where}: mask runs must be increasing and apart")
        previous_end = start + length - 1
    if previous_end > area:
        raise ApiError(400, f"{where}: mask is larger than its bbox")


def check_keypoints(keypoints: Any, allowed: set[str], where: str) -> None:
    """Keypoints of the class's schema, at non-negative integer positions."""
    if not isinstance(keypoints, list):
        raise ApiError(400, f"{where}: keypoints must be a list")
    for point in keypoints:
        check_fields(point, KEYPOINT_FIELDS, f"{where}: keypoint")
        if (
            point.get("keypoint_class_id") not in allowed
            or not _is_int(point.get("x"))
            or not _is_int(point.get("y"))
            or point["x"] < 0
            or point["y"] < 0
            or not isinstance(point.get("visible", True), bool)
        ):
            raise ApiError(400, f"{where}: invalid keypoint {point!r}")


def png_bytes(width: int, height: int, color: tuple[int, int, int] = (90, 120, 200)) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buf, "PNG")
    return buf.getvalue()


class HastyFake:
    """The server's state and behaviour; ``start()`` serves it over HTTP."""

    def __init__(self, api_key: str = "test-key", clock: Callable[[], float] = time.time) -> None:
        self.api_key = api_key
        self.clock = clock
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.labels_touch_image = False
        self.workspaces: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, dict[str, Any]] = {}
        self.datasets: dict[str, dict[str, Any]] = {}
        self.classes: dict[str, dict[str, Any]] = {}
        self.images: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.uploads: dict[str, bytes | None] = {}
        self.labels: dict[str, dict[str, Any]] = {}  # label id -> label (with image_id)
        self.label_values: dict[str, dict[str, Any]] = {}  # label id -> attribute id -> value
        self.statuses: dict[str, dict[str, str]] = {}  # project id -> status id -> name
        self.attributes: dict[str, dict[str, Any]] = {}
        self.attribute_classes: list[dict[str, Any]] = []
        self.keypoint_schemas: dict[str, dict[str, Any]] = {}
        self.keypoint_schema_classes: list[dict[str, Any]] = []
        self.created_labels = 0
        self.in_flight = 0
        self.idle = threading.Condition()
        self._port = 0
        self._base = ""
        self._connections: set[Any] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.workspace_id = self.add_workspace("limner tests")

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._base, "start() first"
        return self._base

    def start(self) -> HastyFake:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        # a restart keeps the port, so a client configured with the URL finds it again
        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        self._base = f"http://127.0.0.1:{self._port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and cut open keep-alive connections: the server is gone."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self.lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(2)
            except OSError:
                continue  # closed by the client meanwhile

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no request is being handled (e.g. a delayed one has been applied)."""
        with self.idle:
            return self.idle.wait_for(lambda: self.in_flight == 0, timeout)

    def __enter__(self) -> HastyFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- time -----------------------------------------------------------------------------
    def now_iso(self) -> str:
        return datetime.fromtimestamp(int(self.clock()), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    # -- fault hooks ----------------------------------------------------------------------
    def fail_next(
        self,
        status: int,
        times: int = 1,
        *,
        retry_after: str | None = None,
        message: str = "",
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """The next ``times`` matching requests answer ``status`` without being applied."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self.faults.append(
            Fault(
                "status",
                times,
                status,
                headers,
                message or f"injected {status}",
                0.0,
                False,
                method,
                path,
            )
        )

    def fail_after_apply(
        self,
        status: int = 500,
        times: int = 1,
        *,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Apply the request, then answer ``status``: the client cannot know it worked."""
        self.faults.append(Fault("after", times, status, method=method, path=path, apply=True))

    def delay_next(
        self, seconds: float, times: int = 1, *, method: str | None = None, path: str | None = None
    ) -> None:
        """Wait ``seconds`` (longer than the client's timeout), then apply and answer."""
        self.faults.append(Fault("delay", times, delay=seconds, method=method, path=path))

    def malformed_next(
        self,
        times: int = 1,
        *,
        apply: bool = False,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Answer 200 with a truncated JSON body (after applying the request if ``apply``)."""
        self.faults.append(Fault("malformed", times, 200, apply=apply, method=method, path=path))

    def drop_after_apply(
        self, times: int = 1, *, method: str | None = None, path: str | None = None
    ) -> None:
        """Apply the request, then close the connection without an answer."""
        self.faults.append(Fault("drop", times, apply=True, method=method, path=path))

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.matches(method, path):
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def count(self, method: str, pattern: str = "") -> int:
        """How many ``method`` requests had a path matching ``pattern``."""
        return sum(1 for m, p, _ in self.requests if m == method and re.search(pattern, p))

    # -- seeding (what an admin or a colleague does in Hasty's UI) -----------------------
    def add_workspace(self, name: str) -> str:
        wid = new_id()
        self.workspaces[wid] = {
            "id": wid,
            "name": name,
            "unique_name": re.sub(r"\W+", "_", name.lower()),
            "description": None,
            "logo_url": None,
            "is_public": False,
            "is_default": not self.workspaces,
            "background_color": None,
            "subscription": "basic",
            "parked_on": None,
            "user_role": "Owner",
            "allow_support": False,
            "support_email": None,
            "feature_mounting_buckets": False,
        }
        return wid

    def add_project(self, name: str, content_type: str = "IMAGES", description: str = "") -> str:
        with self.lock:
            pid = new_id()
            now = self.now_iso()
            self.projects[pid] = {
                "id": pid,
                "name": name,
                "last_opened_on": now,
                "owner_id": API_USER,
                "workspace_id": self.workspace_id,
                "description": description,
                "created_on": now,
                "content_type": content_type,
            }
            self.statuses[pid] = {new_id(): name for name in DEFAULT_STATUSES}
            return pid

    def add_custom_status(self, project_id: str, name: str) -> str:
        sid = new_id()
        self.statuses[project_id][sid] = name
        return sid

    def status_id(self, project_id: str, name: str) -> str:
        return next(k for k, v in self.statuses[project_id].items() if v == name)

    def add_dataset(self, project_id: str, name: str = "default", norder: float = 0) -> str:
        did = new_id()
        self.datasets[did] = {"id": did, "name": name, "norder": norder, "project_id": project_id}
        return did

    def add_label_class(
        self, project_id: str, name: str, color: str = "#0f0f0faa", type_: str = "object"
    ) -> str:
        cid = new_id()
        self.classes[cid] = {
            "id": cid,
            "project_id": project_id,
            "name": name,
            "description": None,
            "type": type_,
            "color": color,
            "icon_url": None,
            "norder": float(len(self.classes)),
            "parent_id": None,
            "external_id": None,
            "use_description_as_prompt": None,
        }
        return cid

    def add_keypoint_schema(
        self,
        project_id: str,
        name: str,
        points: Iterable[str],
        edges: Iterable[tuple[int, int]] = (),
        classes: Iterable[str] = (),
    ) -> dict[str, Any]:
        sid = new_id()
        now = self.now_iso()
        kp_classes = [
            {
                "id": new_id(),
                "keypoint_schema_id": sid,
                "name": point,
                "description": None,
                "min_points": 0,
                "max_points": 1,
                "created_by": API_USER,
                "create_date": now,
                "updated_by": API_USER,
                "update_date": now,
                "norder": float(i),
                "editor_x": 10 * i,
                "editor_y": 10,
            }
            for i, point in enumerate(points)
        ]
        schema = {
            "id": sid,
            "name": name,
            "project_id": project_id,
            "description": None,
            "type": "pose",
            "created_by": API_USER,
            "create_date": now,
            "updated_by": API_USER,
            "update_date": now,
            "norder": 0,
            "keypoint_classes": kp_classes,
            "keypoint_skeleton": [
                {
                    "id": new_id(),
                    "keypoint_schema_id": sid,
                    "keypoint_class_id_a": kp_classes[a]["id"],
                    "keypoint_class_id_b": kp_classes[b]["id"],
                    "color": "#FF2233",
                }
                for a, b in edges
            ],
            "template_id": None,
        }
        self.keypoint_schemas[sid] = schema
        for order, class_id in enumerate(classes):
            self.keypoint_schema_classes.append(
                {
                    "keypoint_schema_id": sid,
                    "label_class_id": class_id,
                    "label_class_order": float(order),
                }
            )
        return schema

    def add_attribute(
        self,
        project_id: str,
        name: str,
        type_: str,
        values: Iterable[str] = (),
        classes: Iterable[str] = (),
    ) -> str:
        aid = new_id()
        self.attributes[aid] = {
            "id": aid,
            "project_id": project_id,
            "is_required": False,
            "name": name,
            "type": type_,
            "subject_type": "LABEL",
            "default": None,
            "description": None,
            "min": None,
            "max": None,
            "norder": float(len(self.attributes)),
            "class_count": 0,
            "prediction_type": None,
            "prediction_model": None,
            "prediction_prompt": None,
            "values": [{"id": new_id(), "value": v} for v in values],
        }
        for order, class_id in enumerate(classes):
            self.attribute_classes.append(
                {
                    "attribute_id": aid,
                    "class_id": class_id,
                    "attribute_order": float(len(self.attribute_classes)),
                    "class_order": float(order),
                }
            )
            self.attributes[aid]["class_count"] += 1
        return aid

    def add_image(
        self,
        project_id: str,
        dataset_id: str,
        name: str,
        content: bytes | None = None,
        *,
        size: tuple[int, int] = (64, 48),
        status: str = "NEW",
        queue_ids: Iterable[str] = (),
        external_id: str | None = None,
    ) -> str:
        with self.lock:
            if content is None:
                content = png_bytes(*size)
            with PILImage.open(io.BytesIO(content)) as probe:
                width, height = probe.size
                fmt = (probe.format or "").lower()
                mode = probe.mode
            iid = new_id()
            now = self.now_iso()
            self.files[iid] = content
            self.images[iid] = {
                "dataset_id": dataset_id,
                "dataset_name": self.datasets[dataset_id]["name"],
                "height": height,
                "id": iid,
                "format": fmt,
                "mode": mode,
                "name": name,
                "health_status": "OK",
                "status": status,
                "status_id": self.status_id(project_id, status),
                "is_locked": False,
                "public_url": f"/files/{iid}/{name}",
                "thumbnail_url": f"/files/{iid}/{name}",
                "uploaded_on": now,
                "update_date": now,
                "updated_by": API_USER,
                "url": f"/files/{iid}/{name}",
                "width": width,
                "external_id": external_id,
                "queue_ids": list(queue_ids),
                "exif": {"orientation": "1"},
                "_project_id": project_id,
            }
            return iid

    def add_label(self, project_id: str, image_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """A label drawn by a colleague in Hasty's UI (validated like an API create)."""
        with self.lock:
            self._validate_label(project_id, body)
            return self._store_label(project_id, image_id, body, OTHER_USER)

    def add_raw_label(self, image_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """A label stored without any check (broken data the server holds from elsewhere)."""
        with self.lock:
            seed = {"class_id": fields.get("class_id")}
            label = self._store_label("", image_id, seed, OTHER_USER)
            self.labels[label["id"]].update(fields)
            return copy.deepcopy(self._public(self.labels[label["id"]]))

    def edit_label(self, project_id: str, label_id: str, **changes: Any) -> dict[str, Any]:
        """A colleague's edit of some fields of a label."""
        with self.lock:
            label = self.labels[label_id]
            merged = {k: v for k, v in {**label, **changes}.items() if k in LABEL_FIELDS}
            merged["keypoints"] = [
                {k: v for k, v in p.items() if k in KEYPOINT_FIELDS}
                for p in merged.get("keypoints") or []
            ]
            self._validate_label(project_id, merged)
            label.update(changes)
            label["updated_on"] = self.now_iso()
            label["labeled_by"] = OTHER_USER
            self._touch(label["image_id"])
            return copy.deepcopy(label)

    def remove_label(self, label_id: str) -> None:
        with self.lock:
            label = self.labels.pop(label_id)
            self.label_values.pop(label_id, None)
            self._touch(label["image_id"])

    def set_status(self, project_id: str, image_id: str, name: str) -> None:
        with self.lock:
            image = self.images[image_id]
            image["status"] = name
            image["status_id"] = self.status_id(project_id, name)
            image["update_date"] = self.now_iso()
            image["updated_by"] = OTHER_USER

    def image_labels(self, image_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                copy.deepcopy(label)
                for label in sorted(self.labels.values(), key=lambda x: (x["created_on"], x["_n"]))
                if label["image_id"] == image_id
            ]

    # -- request handling -----------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: dict[str, str], body: Any, headers: Any
    ) -> tuple[int, Any, dict[str, str]]:
        """(status, JSON-able body or raw bytes, extra headers) for one request."""
        if path.startswith("/files/"):
            iid = path.split("/")[2]
            if method != "GET" or iid not in self.files:
                raise ApiError(404, "File not found")
            return 200, self.files[iid], {"Content-Type": "image/png"}
        if path.startswith("/upload/"):
            upload_id = path.split("/")[2]
            if method != "PUT" or upload_id not in self.uploads:
                raise ApiError(404, "Upload not found")
            self.uploads[upload_id] = body if isinstance(body, bytes) else b""
            return 200, b"", {}
        if not path.startswith("/v1/"):
            raise ApiError(404, "Not found")
        key = headers.get("X-Api-Key")
        if key != self.api_key:
            raise ApiError(401, "Authentication failed, check your API key")
        for pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if match is None:
                continue
            result = handler(method, query, body, **match.groupdict())
            if result is None:
                raise ApiError(405, f"{method} is not allowed on {path}")
            return result
        raise ApiError(404, "Not found")

    def _routes(self) -> list[tuple[str, Callable[..., Any]]]:
        u = r"(?P<{}>[0-9a-f-]{{36}})"
        pid, iid, lid, aid, did, cid = (
            u.format(n)
            for n in (
                "project_id",
                "image_id",
                "label_id",
                "attribute_id",
                "dataset_id",
                "class_id",
            )
        )
        return [
            (r"/v1/workspaces", self.r_workspaces),
            (rf"/v1/workspaces/{u.format('workspace_id')}", self.r_workspace),
            (r"/v1/projects", self.r_projects),
            (rf"/v1/projects/{pid}", self.r_project),
            (rf"/v1/projects/{pid}/datasets", self.r_datasets),
            (rf"/v1/projects/{pid}/datasets/{did}", self.r_dataset),
            (rf"/v1/projects/{pid}/uploads", self.r_uploads),
            (rf"/v1/projects/{pid}/label_classes", self.r_classes),
            (rf"/v1/projects/{pid}/label_classes/{cid}", self.r_class),
            (rf"/v1/projects/{pid}/attributes", self.r_attributes),
            (rf"/v1/projects/{pid}/attributes_classes", self.r_attribute_classes),
            (rf"/v1/projects/{pid}/keypoint_schemas", self.r_keypoint_schemas),
            (rf"/v1/projects/{pid}/keypoint_schemas_classes", self.r_keypoint_schema_classes),
            (rf"/v1/projects/{pid}/images", self.r_images),
            (rf"/v1/projects/{pid}/images/{iid}", self.r_image),
            (rf"/v1/projects/{pid}/images/{iid}/status", self.r_image_status),
            (rf"/v1/projects/{pid}/images/{iid}/labels", self.r_image_labels),
            (rf"/v1/projects/{pid}/labels", self.r_project_labels),
            (rf"/v1/projects/{pid}/labels/{lid}/attributes", self.r_label_attributes),
            (rf"/v1/projects/{pid}/labels/{lid}/attributes/{aid}", self.r_label_attribute),
        ]

    # -- helpers --------------------------------------------------------------------------
    @staticmethod
    def _page(items: list[Any], query: dict[str, str], obj: str) -> dict[str, Any]:
        try:
            offset = int(query.get("offset", "0"))
            limit = int(query.get("limit", "100"))
        except ValueError:
            raise ApiError(400, "offset and limit must be integers") from None
        if offset < 0 or limit < 0:
            raise ApiError(400, "offset and limit must be >= 0")
        return {
            "meta": {
                "object": obj,
                "limit": limit,
                "offset": offset,
                "total": len(items),
                "search_parameters": {},
            },
            "items": items[offset : offset + limit],
        }

    def _project(self, project_id: str) -> dict[str, Any]:
        project = self.projects.get(project_id)
        if project is None:
            raise ApiError(404, "Referred object not found")
        return project

    def _image(self, project_id: str, image_id: str) -> dict[str, Any]:
        self._project(project_id)
        image = self.images.get(image_id)
        if image is None or image["_project_id"] != project_id:
            raise ApiError(404, "Image not found")
        return image

    @staticmethod
    def _public(obj: dict[str, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}

    def _image_out(self, image: dict[str, Any]) -> dict[str, Any]:
        out = self._public(image)
        for key in ("public_url", "thumbnail_url", "url"):
            out[key] = self.url + image[key]
        return out

    def _touch(self, image_id: str) -> None:
        if self.labels_touch_image and image_id in self.images:
            self.images[image_id]["update_date"] = self.now_iso()

    @staticmethod
    def _multi(query: dict[str, str], key: str) -> set[str] | None:
        if key not in query or query[key] == "":
            return None
        return {v.strip() for v in query[key].split(",") if v.strip()}

    @staticmethod
    def _interval(value: str, what: str) -> float:
        match = re.fullmatch(r"(\d+)([mhd])", value)
        if match is None:
            raise ApiError(400, f"{what} must be an interval such as 30m, 1h or 3d")
        return int(match.group(1)) * {"m": 60, "h": 3600, "d": 86400}[match.group(2)]

    # -- workspaces and projects ----------------------------------------------------------
    def r_workspaces(self, method: str, query: dict, body: Any) -> Any:
        if method == "GET":
            return 200, self._page(list(self.workspaces.values()), query, "workspace"), {}
        return None

    def r_workspace(self, method: str, query: dict, body: Any, workspace_id: str) -> Any:
        if method == "GET":
            if workspace_id not in self.workspaces:
                raise ApiError(404, "Workspace not found")
            return 200, self.workspaces[workspace_id], {}
        return None

    def r_projects(self, method: str, query: dict, body: Any) -> Any:
        if method == "GET":
            name = query.get("name", "").lower()
            items = [self._public(p) for p in self.projects.values() if name in p["name"].lower()]
            return 200, self._page(items, query, "project"), {}
        if method == "POST":
            if not check_fields(body, PROJECT_FIELDS).get("name"):
                raise ApiError(400, "name: field required")
            content = body.get("content_type") or "IMAGES"
            if content not in ("IMAGES", "VIDEOS", "URLDATA"):
                raise ApiError(400, f"content_type: unknown value {content!r}")
            pid = self.add_project(str(body["name"]), content, body.get("description") or "")
            return 200, self._public(self.projects[pid]), {}
        return None

    def r_project(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        project = self._project(project_id)
        if method == "GET":
            return 200, self._public(project), {}
        if method == "PUT":
            if not check_fields(body, PROJECT_FIELDS).get("name"):
                raise ApiError(400, "name: field required")
            project.update(name=body["name"], description=body.get("description"))
            return 200, self._public(project), {}
        if method == "DELETE":
            del self.projects[project_id]
            return 204, None, {}
        return None

    # -- datasets and uploads -------------------------------------------------------------
    def r_datasets(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        mine = [d for d in self.datasets.values() if d["project_id"] == project_id]
        if method == "GET":
            name = query.get("name", "").lower()
            items = [copy.deepcopy(d) for d in mine if name in d["name"].lower()]
            return 200, self._page(items, query, "dataset"), {}
        if method == "POST":
            if not check_fields(body, DATASET_FIELDS).get("name"):
                raise ApiError(400, "name: field required")
            if any(d["name"] == body["name"] for d in mine):
                raise ApiError(400, f"Dataset {body['name']!r} already exists")
            did = self.add_dataset(project_id, str(body["name"]), body.get("norder") or 0)
            return 200, copy.deepcopy(self.datasets[did]), {}
        return None

    def r_dataset(
        self, method: str, query: dict, body: Any, project_id: str, dataset_id: str
    ) -> Any:
        self._project(project_id)
        dataset = self.datasets.get(dataset_id)
        if dataset is None or dataset["project_id"] != project_id:
            raise ApiError(404, "Dataset not found")
        if method == "GET":
            return 200, copy.deepcopy(dataset), {}
        if method == "PUT":
            if not check_fields(body, DATASET_FIELDS).get("name"):
                raise ApiError(400, "name: field required")
            dataset.update(name=body["name"], norder=body.get("norder"))
            return 200, copy.deepcopy(dataset), {}
        if method == "DELETE":
            del self.datasets[dataset_id]
            return 204, None, {}
        return None

    def r_uploads(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        if method != "GET":
            return None
        try:
            count = int(query.get("count", ""))
        except ValueError:
            raise ApiError(400, "count: field required") from None
        if not 1 <= count <= 50:
            raise ApiError(400, "count must be between 1 and 50")
        items = []
        for _ in range(count):
            upload_id = new_id()
            self.uploads[upload_id] = None
            items.append({"id": upload_id, "url": f"{self.url}/upload/{upload_id}"})
        return 200, {"meta": {"object": "upload", "total": count}, "items": items}, {}

    # -- label classes, attributes, keypoint schemas -------------------------------------
    def r_classes(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        if method == "GET":
            items = [
                self._public(c) for c in self.classes.values() if c["project_id"] == project_id
            ]
            return 200, self._page(items, query, "label_class"), {}
        if method == "POST":
            if not check_fields(body, CLASS_FIELDS).get("name"):
                raise ApiError(400, "name: field required")
            if body.get("type", "object") not in ("object", "background", None):
                raise ApiError(400, f"type: unknown value {body.get('type')!r}")
            cid = self.add_label_class(
                project_id, str(body["name"]), body.get("color"), body.get("type") or "object"
            )
            self.classes[cid].update(norder=body.get("norder"), external_id=body.get("external_id"))
            return 200, self._public(self.classes[cid]), {}
        return None

    def r_class(self, method: str, query: dict, body: Any, project_id: str, class_id: str) -> Any:
        self._project(project_id)
        cls = self.classes.get(class_id)
        if cls is None or cls["project_id"] != project_id:
            raise ApiError(404, "Label class not found")
        if method == "GET":
            return 200, self._public(cls), {}
        if method == "PUT":
            if not check_fields(body, CLASS_FIELDS).get("name"):
                raise ApiError(400, "name: field required")
            for key in ("name", "description", "type", "color", "norder", "external_id"):
                if key in body:
                    cls[key] = body[key]
            return 200, self._public(cls), {}
        if method == "DELETE":
            del self.classes[class_id]
            return 204, None, {}
        return None

    def r_attributes(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        if method == "GET":
            items = [
                self._public(a) for a in self.attributes.values() if a["project_id"] == project_id
            ]
            return 200, self._page(items, query, "attribute"), {}
        return None

    def r_attribute_classes(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        if method == "GET":
            rows = [
                dict(r)
                for r in self.attribute_classes
                if self.attributes.get(r["attribute_id"], {}).get("project_id") == project_id
            ]
            return 200, rows, {}
        return None

    def r_keypoint_schemas(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        if method == "GET":
            items = [
                copy.deepcopy(s)
                for s in self.keypoint_schemas.values()
                if s["project_id"] == project_id
            ]
            return 200, items, {}
        return None

    def r_keypoint_schema_classes(
        self, method: str, query: dict, body: Any, project_id: str
    ) -> Any:
        self._project(project_id)
        if method == "GET":
            rows = [
                dict(r)
                for r in self.keypoint_schema_classes
                if self.keypoint_schemas[r["keypoint_schema_id"]]["project_id"] == project_id
            ]
            return 200, rows, {}
        return None

    # -- images ---------------------------------------------------------------------------
    def r_images(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        if method == "GET":
            for key in ("updated_since", "created_since"):
                if key in query and not re.fullmatch(r"-?\d+", query[key]):
                    raise ApiError(400, f"{key} must be an integer")
            datasets = self._multi(query, "dataset_id")
            statuses = self._multi(query, "image_status")
            status_ids = self._multi(query, "status_id")
            name = query.get("image_name", "").lower()
            items = [
                self._image_out(i)
                for i in self.images.values()
                if i["_project_id"] == project_id
                and (datasets is None or i["dataset_id"] in datasets)
                and (statuses is None or i["status"] in statuses)
                and (status_ids is None or i["status_id"] in status_ids)
                and name in i["name"].lower()
            ]
            return 200, self._page(items, query, "image"), {}
        if method == "POST":
            check_fields(body, IMAGE_FIELDS)
            for key in ("dataset_id", "filename"):
                if not body.get(key):
                    raise ApiError(400, f"{key}: field required")
            dataset = self.datasets.get(body["dataset_id"])
            if dataset is None or dataset["project_id"] != project_id:
                raise ApiError(400, "dataset_id: unknown dataset")
            upload = self.uploads.get(str(body.get("upload_id")))
            if not upload:
                raise ApiError(400, "upload_id: nothing was uploaded under this id")
            clash = [
                i
                for i in self.images.values()
                if i["dataset_id"] == body["dataset_id"] and i["name"] == body["filename"]
            ]
            if clash and query.get("replace") != "true":
                raise ApiError(400, f"Image {body['filename']!r} already exists in this dataset")
            try:
                iid = self.add_image(
                    project_id,
                    body["dataset_id"],
                    body["filename"],
                    upload,
                    external_id=body.get("external_id"),
                )
            except OSError:
                raise ApiError(400, "the uploaded file is not an image") from None
            return 200, self._image_out(self.images[iid]), {}
        return None

    def r_image(self, method: str, query: dict, body: Any, project_id: str, image_id: str) -> Any:
        image = self._image(project_id, image_id)
        if method == "GET":
            return 200, self._image_out(image), {}
        if method == "PATCH":
            check_fields(body, IMAGE_PATCH_FIELDS)
            if body.get("filename"):
                image["name"] = body["filename"]
            if body.get("dataset_id"):
                dataset = self.datasets.get(body["dataset_id"])
                if dataset is None or dataset["project_id"] != project_id:
                    raise ApiError(400, "dataset_id: unknown dataset")
                image.update(dataset_id=dataset["id"], dataset_name=dataset["name"])
            image["update_date"] = self.now_iso()
            return 200, self._image_out(image), {}
        if method == "DELETE":
            del self.images[image_id]
            for label_id in [k for k, v in self.labels.items() if v["image_id"] == image_id]:
                del self.labels[label_id]
            return 204, None, {}
        return None

    def r_image_status(
        self, method: str, query: dict, body: Any, project_id: str, image_id: str
    ) -> Any:
        image = self._image(project_id, image_id)
        if method != "PUT":
            return None
        check_fields(body, STATUS_FIELDS)
        known = self.statuses[project_id]
        if body.get("status_id") is not None:
            if body["status_id"] not in known:
                raise ApiError(400, f"status_id: unknown status {body['status_id']}")
            name = known[body["status_id"]]
            if name == "AUTO-LABELLED":
                raise ApiError(400, "status: AUTO-LABELLED cannot be set")
            image.update(status=name, status_id=body["status_id"])
        elif body.get("status") is not None:
            if body["status"] not in WRITABLE_STATUSES:
                raise ApiError(400, f"status: value is not one of {', '.join(WRITABLE_STATUSES)}")
            image.update(
                status=body["status"], status_id=self.status_id(project_id, body["status"])
            )
        else:
            raise ApiError(400, "status: field required")
        image["update_date"] = self.now_iso()
        image["updated_by"] = API_USER
        return 200, self._image_out(image), {}

    # -- labels ---------------------------------------------------------------------------
    def _validate_label(
        self, project_id: str, item: Any, index: int = 0, *, edit: bool = False
    ) -> None:
        """One item of a label batch, checked like the server checks it (400 + message)."""
        where = f"item {index}"
        if not isinstance(item, dict):
            raise ApiError(400, f"{where}: must be an object")
        check_fields(item, LABEL_EDIT_FIELDS if edit else LABEL_FIELDS, where)
        if edit and not item.get("id"):
            raise ApiError(400, f"{where}: id: field required")
        if not item.get("class_id"):
            raise ApiError(400, f"{where}: class_id: field required")
        cls = self.classes.get(str(item.get("class_id")))
        if cls is None or cls["project_id"] != project_id:
            raise ApiError(
                400, f"{where}: class_id: label class {item.get('class_id')} does not exist"
            )
        bbox = check_bbox(item.get("bbox"), where)
        check_polygon(item.get("polygon"), where)
        check_mask(item.get("mask"), bbox, where)
        keypoints = item.get("keypoints")
        if keypoints is not None:
            allowed = {
                kp["id"]
                for row in self.keypoint_schema_classes
                if row["label_class_id"] == cls["id"]
                for kp in self.keypoint_schemas[row["keypoint_schema_id"]]["keypoint_classes"]
            }
            check_keypoints(keypoints, allowed, where)
        if bbox is None and item.get("polygon") is None and not keypoints:
            raise ApiError(400, f"{where}: Polygon or bounding box must be provided")
        z_index = item.get("z_index")
        if z_index is not None and not _is_int(z_index):
            raise ApiError(400, f"{where}: z_index must be an integer or null")
        tool = item.get("tool_used")
        if tool is not None and tool not in TOOLS:
            raise ApiError(400, f"{where}: tool_used: unknown value {tool!r}")
        for key in ("external_id", "external_event_id", "border_mask"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise ApiError(400, f"{where}: {key} must be a string or null")

    def _keypoints_out(self, raw: list[dict[str, Any]] | None, user: str) -> list[dict[str, Any]]:
        now = self.now_iso()
        return [
            {
                "id": new_id(),
                "keypoint_class_id": p["keypoint_class_id"],
                "x": p["x"],
                "y": p["y"],
                "visible": p.get("visible", True),
                "created_by": user,
                "create_date": now,
                "updated_by": user,
                "update_date": now,
                "norder": p.get("norder", 0),
            }
            for p in raw or []
        ]

    def _store_label(self, project_id: str, image_id: str, item: dict[str, Any], user: str) -> dict:
        now = self.now_iso()
        self.created_labels += 1
        label = {
            "bbox": item.get("bbox"),
            "class_id": item["class_id"],
            "created_on": now,
            "external_event_id": item.get("external_event_id"),
            "image_id": image_id,
            "id": new_id(),
            "mask": item.get("mask"),
            "polygon": item.get("polygon"),
            "tool_used": item.get("tool_used"),
            "updated_on": now,
            "labeled_by": user,
            "z_index": item.get("z_index"),
            "border_mask": None,
            "external_id": item.get("external_id"),
            "keypoints": self._keypoints_out(item.get("keypoints"), user),
            "error": None,
            "_n": self.created_labels,
        }
        self.labels[label["id"]] = label
        self._touch(image_id)
        return self._public(label)

    def _label_out(self, label: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
        out = self._public(label)
        if query.get("include_border_mask") == "true" and label.get("mask"):
            out["border_mask"] = "computed"
        return out

    def r_image_labels(
        self, method: str, query: dict, body: Any, project_id: str, image_id: str
    ) -> Any:
        self._image(project_id, image_id)
        if method == "GET":
            items = [self._label_out(label, query) for label in self.image_labels(image_id)]
            return 200, self._page(items, query, "label"), {}
        if method in ("POST", "PUT"):
            if not isinstance(body, list):
                raise ApiError(400, "the body must be a JSON array of labels")
            if len(body) > MAX_BATCH:
                raise ApiError(
                    400, f"Max number of labels per batch is {MAX_BATCH}, got {len(body)}"
                )
            for index, item in enumerate(body):
                self._validate_label(project_id, item, index, edit=method == "PUT")
            if method == "POST":
                items = [self._store_label(project_id, image_id, item, API_USER) for item in body]
                return 200, {"meta": {"object": "label", "total": len(items)}, "items": items}, {}
            return 200, self._edit_labels(image_id, body), {}
        if method == "DELETE":
            if not isinstance(body, list):
                raise ApiError(400, 'the body must be a JSON array of {"id": ...}')
            for index, item in enumerate(body):
                check_fields(item, DELETE_FIELDS, f"item {index}")
                if not item.get("id"):
                    raise ApiError(400, f"item {index}: id: field required")
            for item in body:
                label = self.labels.get(str(item["id"]))
                if label is not None and label["image_id"] == image_id:
                    self.remove_label(label["id"])
            return 204, None, {}
        return None

    def _edit_labels(self, image_id: str, body: list[dict[str, Any]]) -> dict[str, Any]:
        """A full replacement of each named label (fields left out become null)."""
        targets = []
        for item in body:
            label = self.labels.get(str(item["id"]))
            if label is None or label["image_id"] != image_id:
                raise ApiError(404, f"Label {item['id']} not found")
            targets.append((label, item))
        now = self.now_iso()
        for label, item in targets:
            for key in (
                "class_id",
                "bbox",
                "polygon",
                "mask",
                "z_index",
                "tool_used",
                "external_id",
                "external_event_id",
            ):
                label[key] = item.get(key)
            label["keypoints"] = self._keypoints_out(item.get("keypoints"), API_USER)
            label["updated_on"] = now
            label["labeled_by"] = API_USER
            self._touch(image_id)
        items = [self._public(label) for label, _ in targets]
        return {"meta": {"object": "label", "total": len(items)}, "items": items}

    def r_project_labels(self, method: str, query: dict, body: Any, project_id: str) -> Any:
        self._project(project_id)
        if method != "GET":
            return None
        now = self.clock()
        updated = (
            self._interval(query["updated_since"], "updated_since")
            if "updated_since" in query
            else None
        )
        created = (
            self._interval(query["created_since"], "created_since")
            if "created_since" in query
            else None
        )
        statuses = self._multi(query, "image_status")
        datasets = self._multi(query, "dataset_id")
        items = []
        for label in sorted(self.labels.values(), key=lambda x: (x["created_on"], x["_n"])):
            image = self.images.get(label["image_id"])
            if image is None or image["_project_id"] != project_id:
                continue
            stamp = datetime.fromisoformat(label["updated_on"].replace("Z", "+00:00")).timestamp()
            born = datetime.fromisoformat(label["created_on"].replace("Z", "+00:00")).timestamp()
            if updated is not None and stamp < now - updated:
                continue
            if created is not None and born < now - created:
                continue
            if statuses is not None and image["status"] not in statuses:
                continue
            if datasets is not None and image["dataset_id"] not in datasets:
                continue
            if query.get("label_class_id") and label["class_id"] != query["label_class_id"]:
                continue
            items.append(
                {
                    "id": label["id"],
                    "url": self.url + image["url"],
                    "class_id": label["class_id"],
                    "class_name": self.classes.get(label["class_id"], {}).get("name"),
                    "created_by": label["labeled_by"],
                    "dataset_id": image["dataset_id"],
                    "dataset_name": image["dataset_name"],
                    "image_id": image["id"],
                    "image_name": image["name"],
                    "image_status": image["status"],
                    "status_id": image["status_id"],
                    "labeled_by": label["labeled_by"],
                    "bbox": label["bbox"],
                    "polygon": label["polygon"],
                    "mask": label["mask"],
                    "keypoint_schema_id": None,
                    "keypoint_schema_name": None,
                    "keypoint_classes": [],
                    "keypoint_labels": copy.deepcopy(label["keypoints"]),
                    "thumb_bbox": label["bbox"],
                    "thumb_polygon": label["polygon"],
                    "thumb_mask": label["mask"],
                    "thumb_keypoints": [[p["x"], p["y"]] for p in label["keypoints"]],
                }
            )
        return 200, self._page(items, query, "label"), {}

    def r_label_attributes(
        self, method: str, query: dict, body: Any, project_id: str, label_id: str
    ) -> Any:
        self._project(project_id)
        label = self.labels.get(label_id)
        if label is None:
            raise ApiError(404, "Label not found")
        if method != "GET":
            return None
        values = self.label_values.get(label_id, {})
        items = [
            {
                "id": aid,
                "label_id": label_id,
                "name": self.attributes[aid]["name"],
                "type": self.attributes[aid]["type"],
                "description": self.attributes[aid]["description"],
                "value": copy.deepcopy(value),
            }
            for aid, value in values.items()
        ]
        return 200, {"meta": {"object": "label_attribute", "total": len(items)}, "items": items}, {}

    def r_label_attribute(
        self, method: str, query: dict, body: Any, project_id: str, label_id: str, attribute_id: str
    ) -> Any:
        self._project(project_id)
        label = self.labels.get(label_id)
        attribute = self.attributes.get(attribute_id)
        if label is None or attribute is None:
            raise ApiError(404, "Label or attribute not found")
        if method != "POST":
            return None
        check_fields(body, VALUE_FIELDS)
        if "value" not in body:
            raise ApiError(400, "value: field required")
        value = body["value"]
        kind = attribute["type"]
        lov = {v["id"] for v in attribute["values"]} | {v["value"] for v in attribute["values"]}
        ok = (
            value is None
            or (kind == "BOOL" and isinstance(value, bool))
            or (kind == "INT" and _is_int(value))
            or (kind == "FLOAT" and _is_number(value))
            or (kind == "TEXT" and isinstance(value, str))
            or (kind == "SELECTION" and isinstance(value, str) and value in lov)
            or (
                kind == "MULTIPLE-SELECTION"
                and isinstance(value, list)
                and all(isinstance(v, str) and v in lov for v in value)
            )
        )
        if not ok:
            raise ApiError(
                400, f"value {value!r} is not valid for {kind} attribute {attribute['name']!r}"
            )
        self.label_values.setdefault(label_id, {})[attribute_id] = copy.deepcopy(value)
        item = {
            "id": attribute_id,
            "label_id": label_id,
            "name": attribute["name"],
            "type": kind,
            "description": attribute["description"],
            "value": value,
        }
        return 200, item, {}


class _Handler(BaseHTTPRequestHandler):
    server_fake: HastyFake
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and
    # delayed ACKs hold every keep-alive answer back by tens of milliseconds
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        with self.server_fake.lock:
            self.server_fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.server_fake.lock:
            self.server_fake._connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            return  # the connection was cut by stop()

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header follows the fake's clock, like a real server's own clock."""
        return formatdate(self.server_fake.clock() if timestamp is None else timestamp, usegmt=True)

    def _dispatch(self) -> None:
        fake = self.server_fake
        with fake.idle:
            fake.in_flight += 1
        try:
            self._answer()
        finally:
            with fake.idle:
                fake.in_flight -= 1
                fake.idle.notify_all()

    def _answer(self) -> None:
        fake = self.server_fake
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        with fake.lock:
            fake.requests.append((self.command, parts.path, query))
        fault = fake.take_fault(self.command, parts.path)
        if fault is not None and fault.kind == "status":
            self._send_json(
                fault.status, {"code": "injected", "message": fault.message}, fault.headers
            )
            return
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.delay)
        body: Any = raw
        content_type = self.headers.get("Content-Type") or ""
        if raw and ("json" in content_type or not parts.path.startswith("/upload/")):
            try:
                body = json.loads(raw)
            except ValueError:
                self._send_json(
                    400, {"code": "validation_error", "message": "Body is not valid JSON"}
                )
                return
        if fault is not None and fault.kind == "malformed" and not fault.apply:
            self._send_raw(200, b'{"meta": {"total": 3}, "items": [{"id": ', "application/json")
            return
        try:
            with fake.lock:
                status, payload, headers = fake.handle(
                    self.command, parts.path, query, body, self.headers
                )
        except ApiError as exc:
            self._send_json(exc.status, {"code": exc.code, "message": exc.message})
            return
        if fault is not None and fault.kind == "after":
            self._send_json(fault.status, {"code": "injected", "message": fault.message})
            return
        if fault is not None and fault.kind == "malformed":
            self._send_raw(200, b'{"meta": {"total": 3}, "items": [{"id": ', "application/json")
            return
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass  # already gone
            return
        if isinstance(payload, bytes):
            self._send_raw(status, payload, headers.get("Content-Type", "application/octet-stream"))
        elif payload is None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.send_header("X-Request-ID", uuidlib.uuid4().hex)
            self.end_headers()
        else:
            self._send_json(status, payload, headers)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self._send_raw(status, data, "application/json", headers)

    def _send_raw(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Request-ID", uuidlib.uuid4().hex)
            for key, value in (headers or {}).items():
                if key.lower() != "content-type":
                    self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (a delay fault)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch
