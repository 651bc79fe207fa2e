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
for tests of broken server data. The request checks live in ``hasty_rules``, the route
handlers in ``hasty_routes`` and ``hasty_labels``, the HTTP side in ``hasty_handler``. It
is a test fixture: nothing in the application imports it, and it imports nothing from the
application.
"""

from __future__ import annotations

import copy
import io
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from typing import Any

from PIL import Image as PILImage

from tests.fakes.hasty_handler import Handler as BaseHandler
from tests.fakes.hasty_labels import LabelRoutes
from tests.fakes.hasty_routes import ProjectRoutes
from tests.fakes.hasty_rules import (
    API_USER,
    DEFAULT_STATUSES,
    KEYPOINT_FIELDS,
    LABEL_FIELDS,
    OTHER_USER,
    ApiError,
    new_id,
)
from tests.fakes.hasty_tags import TagRoutes


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


def png_bytes(width: int, height: int, color: tuple[int, int, int] = (90, 120, 200)) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buf, "PNG")
    return buf.getvalue()


class HastyFake(ProjectRoutes, LabelRoutes, TagRoutes):
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
        self.tag_groups, self.tag_classes, self.image_tags = {}, {}, {}
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

        class Handler(BaseHandler):
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
            # The API reference: "Content-Type header is mandatory when uploading to the
            # signed urls" (the official client sends it empty; limner sends the image type).
            if headers.get("Content-Type") is None:
                raise ApiError(400, "the upload must carry a Content-Type header")
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
            (rf"/v1/projects/{pid}/images/{iid}/tags", self.r_image_tags),
            (rf"/v1/projects/{pid}/tag_classes", self.r_tag_classes),
            (rf"/v1/projects/{pid}/tag_groups", self.r_tag_groups),
            (rf"/v1/projects/{pid}/labels", self.r_project_labels),
            (rf"/v1/projects/{pid}/labels/{lid}/attributes", self.r_label_attributes),
            (rf"/v1/projects/{pid}/labels/{lid}/attributes/{aid}", self.r_label_attribute),
        ]
