"""Label Studio adapter (Community 1.23 and Enterprise).

Mapping (see ``shared/api/labelstudio.md``):

- a task is an image; its ``updated_at`` is the pull watermark;
- all of limner's regions of an image live in ONE Label Studio annotation (the
  "container"), so pushing an image is one request, not one per shape; region ids are
  limner's uuids, so the same shape is recognised both ways;
- creating the container carries ``unique_id`` (a uuid derived from the image) and
  ``import_id`` (a number derived from it): a retried create is refused with 409 and the
  existing container is found again by its ``import_id``; nothing is created twice;
- an edit checks the container's ``updated_at`` first: if the server changed it since the
  version limner last saw, the push stops with a conflict for the engine to merge;
- statuses: an image limner marks skipped is a cancelled annotation (``was_cancelled``);
  the canonical status and review decisions live in the task's ``meta`` under ``limner``
  (Community has no reviews); on Enterprise, review decisions are also posted as
  annotation reviews.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid as uuidlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sync.adapters.base import (
    Adapter,
    Capabilities,
    ClassSpec,
    ImagePush,
    PushResult,
    Region,
    RemoteImage,
    RemoteInfo,
    RemotePage,
    RemoteQueue,
)
from sync.adapters.labelstudio_format import (
    LabelStudioFormatError,
    LSConfig,
    parse_label_config,
    region_to_results,
    results_to_regions,
    unrepresented_results,
)
from sync.errors import (
    AuthError,
    ConfigError,
    NotFoundError,
    RemoteConflictError,
    ValidationError,
)
from sync.transport import Transport

log = logging.getLogger("limner.sync.labelstudio")

KIND = "labelstudio"
PAGE_SIZE = 100
NAMESPACE = uuidlib.UUID("5f0a7c64-3d8e-4a55-9a53-5c3f3f8f0b9e")
META_KEY = "limner"


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


def container_unique_id(image_uuid: str) -> str:
    return str(uuidlib.uuid5(NAMESPACE, image_uuid))


def container_import_id(image_uuid: str) -> int:
    return uuidlib.uuid5(NAMESPACE, image_uuid).int % (2**53)


class LabelStudioAdapter(Adapter):
    kind = KIND
    capabilities = Capabilities(
        frozenset({"box", "polygon", "mask", "keypoints"}),
        review=True,
        queues=True,
        notes={"polygon": "Label Studio polygons cannot hold holes or several parts"},
    )

    def __init__(self, transport: Transport, project_id: int | str) -> None:
        self.t = transport
        self.project_id = int(project_id)
        self.edition = "Community"
        self.user_id: int | None = None
        self.config: LSConfig | None = None
        self._class_specs: dict[str, Any] = {}

    # -- connection and project -------------------------------------------------------
    def connect(self) -> RemoteInfo:
        version = self.t.get_json("/api/version/")
        self.edition = str(version.get("edition") or "Community")
        who = self.t.get_json("/api/current-user/whoami")
        self.user_id = int(who["id"])
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
        return RemoteInfo(
            server=str(version.get("release") or version.get("label-studio-os-package", "")),
            edition=self.edition,
            user=str(who.get("email") or who.get("username") or who["id"]),
            project_title=str(project.get("title", "")),
        )

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
            tasks = body.get("tasks", [])
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
            tasks = body.get("tasks", [])
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
                tasks = body.get("tasks", [])
                keys.extend(str(t["id"]) for t in tasks)
                if not tasks or len(keys) >= int(body.get("total", 0)):
                    break
                page += 1
            out.append(RemoteQueue(str(view["id"]), title, "annotate", None, tuple(keys)))
        return out

    def fetch_image(self, key: str) -> RemoteImage:
        return self._remote_image(self.t.get_json(f"/api/tasks/{key}/"))

    def _container(self, annotations: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The annotation holding limner's regions: ours if it exists, else the newest."""
        if not annotations:
            return None
        for item in annotations:
            if item.get("import_id") is not None and item.get("completed_by") == self.user_id:
                return item
        return max(annotations, key=lambda a: a.get("updated_at") or "")

    def _remote_image(self, task: dict[str, Any]) -> RemoteImage:
        assert self.config is not None
        data = task.get("data") or {}
        url = str(data.get(self.config.image_key) or "")
        name = unquote(Path(urlsplit(url).path).name) or f"task-{task['id']}"
        if "-" in name and url.startswith("/data/upload/"):
            name = name.split("-", 1)[1]  # uploads are stored as <8 hex>-<original name>
        container = self._container(list(task.get("annotations") or []))
        meta = (task.get("meta") or {}).get(META_KEY) or {}
        status = meta.get("status")
        if status is None and self.enterprise and container is not None:
            action = container.get("last_action")
            if action in ("accepted", "fixed_and_accepted"):
                status = "approved"
            elif action == "rejected":
                status = "rejected"
        if status is None:
            if container is None:
                status = "new"
            else:
                status = "skipped" if container.get("was_cancelled") else "submitted"
        return RemoteImage(
            key=str(task["id"]),
            name=name,
            url=url,
            version=str(task.get("updated_at") or ""),
            status=status,
            container_key=str(container["id"]) if container else None,
            container_version=str(container.get("updated_at")) if container else None,
            raw_regions=list(container.get("result") or []) if container else [],
            review=meta.get("review"),
        )

    def regions(
        self, image: RemoteImage, width: int, height: int
    ) -> tuple[list[Region], list[str]]:
        assert self.config is not None
        found, warnings = results_to_regions(
            list(image.raw_regions or []), self.config, width, height
        )
        regions = [Region(r.uuid, r.class_name, r.geometry, dict(r.attributes)) for r in found]
        return regions, list(warnings)

    # -- push -------------------------------------------------------------------------
    def check_region(self, region: Region, width: int, height: int) -> str | None:
        """Why this region cannot be sent (None when it can)."""
        try:
            self._results(region, width, height)
        except LabelStudioFormatError as exc:
            return str(exc)
        return None

    def _results(
        self,
        region: Region,
        width: int,
        height: int,
        edges: tuple[tuple[int, int], ...] = (),
    ) -> list[dict[str, Any]]:
        spec = self._class_specs.get(region.class_name or "")
        if spec is None:
            raise LabelStudioFormatError(
                f"class {region.class_name!r} is not in the Label Studio project's labels"
            )
        return region_to_results(
            region.uuid,
            region.geometry,
            spec,
            dict(region.attributes),
            width,
            height,
            skeleton_edges=edges,
        )

    def push_image(self, push: ImagePush) -> PushResult:
        result: list[dict[str, Any]] = []
        for region in push.regions:
            try:
                edges = push.skeleton_edges.get(region.class_name or "", ())
                result.extend(self._results(region, push.width, push.height, edges))
            except LabelStudioFormatError as exc:
                raise ValidationError(str(exc)) from exc
        body = {"result": result, "was_cancelled": push.status == "skipped"}
        container_key = push.container_key
        if container_key is not None:
            try:
                current = self.t.get_json(f"/api/annotations/{container_key}/")
            except NotFoundError:
                current = None  # deleted on the server: create it again
                container_key = None
            if current is not None:
                if (
                    push.container_version
                    and str(current.get("updated_at")) != push.container_version
                ):
                    raise RemoteConflictError(
                        f"annotation {container_key} changed on the server since the last sync"
                    )
                # Items limner cannot represent (whole-image choices...) stay on the server.
                assert self.config is not None
                kept = unrepresented_results(
                    list(current.get("result") or []), self.config, push.width, push.height
                )
                body = {**body, "result": body["result"] + list(kept)}
                saved = self.t.request(
                    "PATCH", f"/api/annotations/{container_key}/", json=body
                ).json()
        if container_key is None:
            saved = self._create(push, body)
        if push.status != push.remote_status or push.review:
            self._write_meta(push)
        if (
            self.enterprise
            and push.review
            and push.status != push.remote_status
            and push.status in ("approved", "rejected")
        ):
            self._post_review(str(saved["id"]), push.review)
        return PushResult(
            container_key=str(saved["id"]),
            container_version=str(saved.get("updated_at")),
            status=push.status,
        )

    def _create(self, push: ImagePush, body: dict[str, Any]) -> dict[str, Any]:
        import_id = container_import_id(push.image_uuid)
        payload = {
            **body,
            "unique_id": container_unique_id(push.image_uuid),
            "import_id": import_id,
        }
        try:
            return self.t.request(
                "POST", f"/api/tasks/{push.key}/annotations/", json=payload
            ).json()
        except RemoteConflictError:
            # A create that went through before (a retry after a lost answer): find it.
            existing = self._find_by_import_id(push.key, import_id)
            if existing is None:
                raise
            return self.t.request("PATCH", f"/api/annotations/{existing['id']}/", json=body).json()

    def _find_by_import_id(self, task_key: str, import_id: int) -> dict[str, Any] | None:
        task = self.t.get_json(f"/api/tasks/{task_key}/")
        for item in task.get("annotations") or []:
            if item.get("import_id") == import_id:
                return item
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

    def _write_meta(self, push: ImagePush) -> None:
        task = self.t.get_json(f"/api/tasks/{push.key}/")
        meta = dict(task.get("meta") or {})
        entry = dict(meta.get(META_KEY) or {})
        entry["status"] = push.status
        if push.review:
            entry["review"] = dict(push.review)
        meta[META_KEY] = entry
        self.t.request("PATCH", f"/api/tasks/{push.key}/", json={"meta": meta})

    # -- files ------------------------------------------------------------------------
    def download(self, image: RemoteImage, target: Path) -> None:
        if not image.url:
            raise NotFoundError(f"task {image.key} has no image URL")
        response = self.t.request("GET", image.url)
        target.write_bytes(response.content)

    def close(self) -> None:
        self.t.close()
