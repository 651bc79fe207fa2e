"""Label Studio adapter (Community 1.23 and Enterprise).

Mapping:

- a task is an image; its ``updated_at`` is the pull watermark; it is kept exactly as the
  server sent it, and its creation time and data source tell it apart from a later task
  that gets the same id (Label Studio on SQLite reuses the id of a deleted newest task);
- every annotation of a task (one per annotator) is pulled; its regions keep their
  annotation and their author. A push replaces, inside the annotation that holds them, only
  the items of the regions limner changed; every other item is sent back as it came, in
  its place. New regions go into the user's own annotation, created with ``unique_id`` (a
  uuid derived from the image) and ``import_id`` (a number derived from it): a retried
  create is refused with 409 and the existing annotation is found again by its
  ``import_id``; nothing is created twice. An annotation whose items do not change is not
  sent at all;
- statuses: an image limner marks skipped is a cancelled annotation (``was_cancelled``);
  the canonical status and review decisions live in the task's ``meta`` under ``limner``
  (Community has no reviews), written only when they change, with every other meta key
  kept; on Enterprise, review decisions are also posted as annotation reviews.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid as uuidlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from limner.sync import shapes
from limner.sync.adapters.base import (
    Adapter,
    Capabilities,
    ClassSpec,
    Decoded,
    ImagePush,
    PushResult,
    Refused,
    Region,
    RemoteImage,
    RemoteInfo,
    RemotePage,
    RemoteQueue,
    RemoteRegion,
)
from limner.sync.adapters.labelstudio_config import (
    LabelStudioFormatError,
    LSConfig,
    parse_label_config,
)
from limner.sync.adapters.labelstudio_predictions import Prediction, predictions_of
from limner.sync.adapters.labelstudio_read import LSRegion
from limner.sync.adapters.labelstudio_state import (
    NAMESPACE,
    annotations_of,
    read_containers,
    rebuild,
)
from limner.sync.adapters.labelstudio_write import region_to_results
from limner.sync.errors import (
    AuthError,
    ConfigError,
    NotFoundError,
    RemoteConflictError,
)
from limner.sync.transport import Transport

if TYPE_CHECKING:
    from limner.sync.reconcile import PushPlan

log = logging.getLogger("limner.sync.labelstudio")

KIND = "labelstudio"
PAGE_SIZE = 100
META_KEY = "limner"
#: Query of the task PATCH that writes the meta (see ``_write_meta``).
META_PARAMS = {"review": "true"}


def _jwt_payload(token: str) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, json.JSONDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


class LabelStudioAuth:
    """Legacy ``Token`` keys as they are; personal access tokens (JWT refresh tokens)
    exchanged for short-lived access tokens, renewed before expiry and once on a 401."""

    def __init__(self, token: str, clock: Any = time.time) -> None:
        self._token = token.strip()
        payload = _jwt_payload(self._token)
        self.is_pat = bool(payload and payload.get("token_type") == "refresh")
        self._access: str | None = None
        self._expires = 0.0
        self._clock = clock
        self._lock = threading.Lock()

    def headers(self, transport: Transport) -> dict[str, str]:
        if not self.is_pat:
            return {"Authorization": f"Token {self._token}"}
        with self._lock:
            if self._access is None or self._clock() > self._expires - 30:
                self._exchange(transport)
            return {"Authorization": f"Bearer {self._access}"}

    def refresh(self, transport: Transport) -> bool:
        if not self.is_pat:
            return False
        with self._lock:
            self._exchange(transport)
        return True

    def _exchange(self, transport: Transport) -> None:
        response = transport.request(
            "POST", "/api/token/refresh/", json={"refresh": self._token}, auth=False, retry=False
        )
        access = response.json().get("access")
        if not access:
            raise AuthError("the server gave no access token for this personal access token")
        payload = _jwt_payload(access) or {}
        self._access = access
        self._expires = float(payload.get("exp", self._clock() + 240))


def one_process_server(server: str) -> bool:
    """True for the ``Server`` header of Python's reference WSGI server, which Django's
    development server (``runserver``) is built on: one process, one thread per request."""
    return server.strip().startswith("WSGIServer/")


def container_unique_id(image_uuid: str) -> str:
    return str(uuidlib.uuid5(NAMESPACE, image_uuid))


def container_import_id(image_uuid: str) -> int:
    return uuidlib.uuid5(NAMESPACE, image_uuid).int % (2**53)


class LabelStudioAdapter(Adapter):
    kind = KIND
    capabilities = Capabilities(
        frozenset({"box", "polygon", "mask", "keypoints", "polyline", "point", "ellipse", "tag"}),
        review=True,
        queues=True,
        notes={"polygon": "Label Studio polygons cannot hold holes or several parts"},
        opaque=(
            "labeled relations between regions (unlabeled ones are groups)",
            "closed, curved or branching vector paths",
            "tools limner has no shape for, and answers it has no tag for (DateTime, ...)",
            "anything malformed (it is reported, not imported)",
        ),
    )

    def __init__(self, transport: Transport, project_id: int | str) -> None:
        self.t = transport
        self.project_id = int(project_id)
        self.edition = "Community"
        self.user_id: int | None = None
        self.config: LSConfig | None = None
        self._class_specs: dict[str, Any] = {}
        self._who: tuple[str, str] | None = None  # server release, user, once known
        self._task_count: int | None = None
        self._one_process = False  # Django's development server, as ``connect`` found

    # -- connection and project -------------------------------------------------------
    def connect(self) -> RemoteInfo:
        """Read the project and its labeling setup. Who the token belongs to and the
        server's edition are asked once per adapter: neither changes under one token."""
        if self._who is None:
            answer = self.t.request("GET", "/api/version/", max_bytes=self.t.max_json_bytes)
            version = self.t.decode_json(answer, "GET /api/version/")
            self._one_process = one_process_server(answer.headers.get("server", ""))
            who = self.t.get_json("/api/current-user/whoami")
            self.edition = str(version.get("edition") or "Community")
            self.user_id = int(who["id"])
            self._who = (
                str(version.get("release") or version.get("label-studio-os-package", "")),
                str(who.get("email") or who.get("username") or who["id"]),
            )
        try:
            project = self.t.get_json(f"/api/projects/{self.project_id}/")
        except NotFoundError as exc:
            raise ConfigError(f"project {self.project_id} does not exist on the server") from exc
        try:
            self.config = parse_label_config(project["label_config"])
        except LabelStudioFormatError as exc:
            raise ConfigError(
                f"limner cannot represent this project's labeling setup: {exc}"
            ) from exc
        self._class_specs = {c.name: c for c in self.config.classes()}
        count = project.get("task_number")
        self._task_count = count if type(count) is int and count >= 0 else None
        return RemoteInfo(
            server=self._who[0],
            edition=self.edition,
            user=self._who[1],
            project_title=str(project.get("title", "")),
        )

    def image_count(self) -> int | None:
        """The project's ``task_number`` as the last ``connect`` read it."""
        return self._task_count

    def push_parallelism(self) -> int | None:
        """One image at a time to Django's development server (``label-studio start``
        without a production server in front): it is one process, so requests in flight
        together only take turns at its interpreter lock and its SQLite file, and each
        takes longer (100 tasks of 4 boxes: 35 ms a task with one in flight, 40 ms with four)."""
        return 1 if self._one_process else None

    @property
    def enterprise(self) -> bool:
        return self.edition.lower().startswith("enterprise")

    def projects(self) -> list[tuple[int, str]]:
        """(id, title) of the projects this user can see (for the connect dialog)."""
        out: list[tuple[int, str]] = []
        page = 1
        while True:
            body = self.t.get_json("/api/projects/", params={"page": page, "page_size": 100})
            out.extend((int(p["id"]), str(p.get("title", ""))) for p in body.get("results", []))
            if not body.get("next"):
                return out
            page += 1

    def classes(self) -> list[ClassSpec]:
        assert self.config is not None, "connect() first"
        return [
            ClassSpec(
                name=c.name,
                kind=c.kind,
                color=c.color,
                attribute_schema=tuple(c.attribute_schema),
                skeleton=c.skeleton,
                tag=c.tag,
            )
            for c in self.config.classes()
        ]

    # -- pull -------------------------------------------------------------------------
    def _task_query(self, cursor: str | None) -> dict[str, Any]:
        query: dict[str, Any] = {"ordering": ["tasks:updated_at"]}
        if cursor:
            query["filters"] = {
                "conjunction": "and",
                "items": [
                    {
                        "filter": "filter:tasks:updated_at",
                        "operator": "greater",
                        "type": "Datetime",
                        "value": cursor,
                    }
                ],
            }
        return query

    def changed_images(self, cursor: str | None) -> Iterator[RemotePage]:
        query = json.dumps(self._task_query(cursor))
        page = 1
        seen = 0
        while True:
            try:
                body = self.t.get_json(
                    "/api/tasks/",
                    params={
                        "project": self.project_id,
                        "page": page,
                        "page_size": PAGE_SIZE,
                        "fields": "all",
                        "query": query,
                    },
                )
            except NotFoundError:
                return  # past the last page
            tasks = shapes.items(body, "GET /api/tasks/", key="tasks")
            if not tasks:
                return
            images = [self._remote_image(task) for task in tasks]
            newest = max((t.get("updated_at") or "" for t in tasks), default="")
            yield RemotePage(images, self._watermark(newest) or cursor)
            seen += len(tasks)
            if seen >= int(body.get("total", 0)) or len(tasks) < PAGE_SIZE:
                return
            page += 1

    @staticmethod
    def _watermark(value: str) -> str | None:
        """Label Studio's Datetime filter takes ``%Y-%m-%dT%H:%M:%S.%fZ``."""
        if not value:
            return None
        text = value.replace("+00:00", "Z")
        if not text.endswith("Z"):
            text += "Z"
        if "." not in text:
            text = text[:-1] + ".000000Z"
        return text

    def image_keys(self) -> set[str]:
        keys: set[str] = set()
        page = 1
        while True:
            try:
                body = self.t.get_json(
                    "/api/tasks/",
                    params={
                        "project": self.project_id,
                        "page": page,
                        "page_size": PAGE_SIZE,
                        "fields": "task_only",
                    },
                )
            except NotFoundError:
                return keys
            tasks = shapes.items(body, "GET /api/tasks/", key="tasks")
            keys.update(str(t["id"]) for t in tasks)
            if not tasks or len(keys) >= int(body.get("total", 0)) or len(tasks) < PAGE_SIZE:
                return keys
            page += 1

    def queues(self) -> list[RemoteQueue]:
        """Data Manager tabs are the work lists of a Label Studio project (Community has
        no assignments); each becomes an annotate queue with its tasks in the tab's order."""
        try:
            views = self.t.get_json("/api/dm/views/", params={"project": self.project_id})
        except NotFoundError:
            return []
        out: list[RemoteQueue] = []
        for view in views or []:
            title = str((view.get("data") or {}).get("title") or f"Tab {view['id']}")
            keys: list[str] = []
            page = 1
            while True:
                try:
                    body = self.t.get_json(
                        "/api/tasks/",
                        params={
                            "view": view["id"],
                            "page": page,
                            "page_size": PAGE_SIZE,
                            "fields": "task_only",
                        },
                    )
                except NotFoundError:
                    break
                tasks = shapes.items(body, "GET /api/tasks/", key="tasks")
                keys.extend(str(t["id"]) for t in tasks)
                if not tasks or len(keys) >= int(body.get("total", 0)):
                    break
                page += 1
            out.append(RemoteQueue(str(view["id"]), title, "annotate", None, tuple(keys)))
        return out

    def fetch_image(self, key: str) -> RemoteImage:
        route = f"/api/tasks/{key}/"
        return self._remote_image(shapes.obj(self.t.get_json(route), f"GET {route}"))

    def _own(self, annotations: list[Any]) -> Any:
        """The user's own annotation of a task: the one limner made, else their newest."""
        mine = [a for a in annotations if a.get("completed_by") == self.user_id]
        for item in mine:
            if item.get("import_id") is not None:
                return item
        return max(mine, key=lambda a: str(a.get("updated_at") or ""), default=None)

    def _status(self, task: Any, annotations: list[Any], own: Any) -> str:
        meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
        status = (meta.get(META_KEY) or {}).get("status") if isinstance(meta, dict) else None
        newest = max(annotations, key=lambda a: str(a.get("updated_at") or ""), default=None)
        holder = own or newest
        if status is None and self.enterprise and holder is not None:
            action = holder.get("last_action")
            if action in ("accepted", "fixed_and_accepted"):
                status = "approved"
            elif action == "rejected":
                status = "rejected"
        if status is None:
            if holder is None:
                status = "new"
            else:
                status = "skipped" if holder.get("was_cancelled") else "submitted"
        return str(status)

    def _remote_image(self, task: Any) -> RemoteImage:
        assert self.config is not None
        route = "GET /api/tasks/"
        task = shapes.obj(task, route)
        key = str(shapes.integer(task, "id", route))
        data = task.get("data") if isinstance(task.get("data"), dict) else {}
        url = str(data.get(self.config.image_key) or "")
        name = unquote(Path(urlsplit(url).path).name) or f"task-{key}"
        if "-" in name and url.startswith("/data/upload/"):
            name = name.split("-", 1)[1]  # uploads are stored as <8 hex>-<original name>
        annotations = annotations_of(task)
        own = self._own(annotations)
        meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
        review = (meta.get(META_KEY) or {}).get("review") if isinstance(meta, dict) else None
        return RemoteImage(
            key=key,
            name=name,
            url=url,
            version=str(task.get("updated_at") or ""),
            status=self._status(task, annotations, own),
            container_key=str(own["id"]) if own else None,
            container_version=str(own.get("updated_at")) if own else None,
            state=dict(task),
            review=review if isinstance(review, dict) else None,
            identity=json.dumps([task.get("created_at"), url]),
        )

    def decode(self, image: RemoteImage, width: int, height: int) -> Decoded:
        assert self.config is not None
        containers = read_containers(image.state, self.config, width, height)
        regions = tuple(r for c in containers for r in c.regions)
        problems = tuple(p for c in containers for p in c.problems)
        return Decoded(regions, problems)

    def predictions(self, image: RemoteImage, width: int, height: int) -> list[Prediction]:
        """The task's predictions, for the pull step to keep as suggestions."""
        assert self.config is not None
        return predictions_of(image.state, self.config, width, height)

    # -- push -------------------------------------------------------------------------
    def encode(
        self,
        region: Region,
        width: int,
        height: int,
        *,
        target: RemoteRegion | None,
        skeleton_edges: tuple[tuple[int, int], ...] = (),
    ) -> Any:
        spec = self._class_specs.get(region.class_name or "")
        if spec is None:
            raise Refused(
                f"class {region.class_name!r} is not in the Label Studio project's labels"
            )
        parent = None
        if target is not None and isinstance(target.region, LSRegion):
            parent = target.region.parent_id
        try:
            return region_to_results(
                target.key if target is not None else region.uuid,
                region.geometry,
                spec,
                dict(region.attributes),
                width,
                height,
                skeleton_edges=skeleton_edges,
                parent_id=parent,
                group=region.group if region.group != region.uuid else None,
            )
        except LabelStudioFormatError as exc:
            raise Refused(str(exc)) from exc

    def apply(self, image: RemoteImage, plan: PushPlan, push: ImagePush) -> PushResult:
        assert self.config is not None
        task = dict(image.state or {})
        containers = read_containers(task, self.config, push.width, push.height)
        replace: dict[str, dict[str, list[Any]]] = {}
        drop: dict[str, set[str]] = {}
        for write in plan.updates:
            assert write.target is not None
            replace.setdefault(write.target.container or "", {})[write.uuid] = list(write.raw)
        for delete in plan.deletes:
            drop.setdefault(delete.target.container or "", set()).add(delete.uuid)
        creates = [item for write in plan.creates for item in write.raw]
        own = image.container_key if any(c.key == image.container_key for c in containers) else None
        if plan.status is not None:
            # The status first: Label Studio reads a task with an annotation and no status of
            # limner's as submitted, so a push stopped between the annotation and the status
            # would leave a status nobody set, which the next sync takes for a server change.
            task["meta"] = self._write_meta(task, push.key, plan.status)
        saved: dict[str, Any] = {}
        for container in containers:
            extra = creates if container.key == own else []
            result = rebuild(
                container, replace.get(container.key, {}), drop.get(container.key, set()), extra
            )
            body: dict[str, Any] = {}
            if result != container.result:
                body["result"] = result
            if container.key == own and plan.status is not None:
                cancelled = plan.status.status == "skipped"
                if bool(container.annotation.get("was_cancelled")) != cancelled:
                    body["was_cancelled"] = cancelled
            if body:
                route = f"/api/annotations/{container.key}/"
                answer = self.t.request("PATCH", route, json=body).json()
                saved[container.key] = shapes.obj(answer, f"PATCH {route}")
        if own is None and (creates or (plan.status and plan.status.status == "skipped")):
            created = self._create(push, creates, plan)
            saved[str(created["id"])] = created
            own = str(created["id"])
        if plan.status is not None:
            if self.enterprise and plan.status.review and own is not None:
                if plan.status.status in ("approved", "rejected"):
                    self._post_review(own, plan.status.review)
        task["annotations"] = _merged(annotations_of(task), saved)
        own_saved = saved.get(own or "") or next(
            (a for a in annotations_of(task) if str(a["id"]) == own), None
        )
        return PushResult(
            container_key=own,
            container_version=str(own_saved.get("updated_at")) if own_saved else None,
            status=plan.status.status if plan.status else None,
            state=task,
        )

    def _create(self, push: ImagePush, result: list[Any], plan: PushPlan) -> dict[str, Any]:
        import_id = container_import_id(push.image_uuid)
        payload: dict[str, Any] = {
            "result": result,
            "was_cancelled": bool(plan.status and plan.status.status == "skipped"),
            "unique_id": container_unique_id(push.image_uuid),
            "import_id": import_id,
        }
        route = f"/api/tasks/{push.key}/annotations/"
        try:
            answer = self.t.request("POST", route, json=payload).json()
        except RemoteConflictError:
            # A create that went through before (a retry after a lost answer): find it.
            existing = self._find_by_import_id(push.key, import_id)
            if existing is None:
                raise
            patch = f"/api/annotations/{existing['id']}/"
            answer = self.t.request("PATCH", patch, json={"result": result}).json()
        return dict(shapes.obj(answer, f"POST {route}"))

    def _find_by_import_id(self, task_key: str, import_id: int) -> dict[str, Any] | None:
        task = self.t.get_json(f"/api/tasks/{task_key}/")
        for item in annotations_of(task):
            if item.get("import_id") == import_id:
                return dict(item)
        return None

    def _post_review(self, annotation_id: str, review: Any) -> None:
        """Enterprise keeps reviews as their own objects; Community only in the meta."""
        body = {
            "annotation": int(annotation_id),
            "accepted": review.get("decision") == "approve",
        }
        if review.get("comment"):
            body["comment"] = str(review["comment"])
        self.t.request("POST", "/api/annotation-reviews/", json=body)

    def _write_meta(self, task: Mapping[str, Any], key: str, status: Any) -> dict[str, Any]:
        """The task's meta with limner's entry set; every other key kept as it was.

        ``review=true`` only narrows what the server computes for the task it loads
        (twice per PATCH: to check it, then to update it) to the review columns instead
        of every Data Manager column; what it writes is the same. The answer is not read.
        """
        meta = dict(task.get("meta") or {}) if isinstance(task.get("meta"), dict) else {}
        entry = dict(meta.get(META_KEY) or {})
        entry["status"] = status.status
        if status.review:
            entry["review"] = dict(status.review)
        meta[META_KEY] = entry
        self.t.request("PATCH", f"/api/tasks/{key}/", json={"meta": meta}, params=META_PARAMS)
        return meta

    # -- files ------------------------------------------------------------------------
    def download(self, image: RemoteImage, target: Path) -> None:
        if not image.url:
            raise NotFoundError(f"task {image.key} has no image URL")
        self.t.download(image.url, target)

    def close(self) -> None:
        self.t.close()


def _merged(annotations: list[Any], saved: Mapping[str, Any]) -> list[Any]:
    """The task's annotations with the ones just saved replaced by the server's answers."""
    out = [dict(saved.get(str(a["id"]), a)) for a in annotations]
    known = {str(a["id"]) for a in annotations}
    out.extend(dict(a) for key, a in saved.items() if key not in known)
    return out
