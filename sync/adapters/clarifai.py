"""Clarifai adapter (v2 REST API, personal access tokens).

Mapping (see ``shared/api/clarifai.md``):

- the remote's ``project_ref`` is ``user_id/app_id`` (the app OWNER's user id); every call
  uses the scoped paths ``/v2/users/{user_id}/apps/{app_id}/...`` with
  ``Authorization: Key <PAT>``; the key is only sent to the configured host and to
  Clarifai's own hosts (images live on data.clarifai.com), never to the third-party
  address of an input added by URL;
- an image is an input; each limner shape is ONE annotation with one region, whose id is
  limner's uuid as 32 hex digits (Clarifai lets the client choose annotation ids), so a
  retried create is recognised: before creating, the input's annotations are listed,
  and after an ambiguous failure they are listed again before anything is re-sent;
- edits are ``PATCH action=overwrite`` with the full region; deletions are batch
  ``DELETE`` with matching ``ids``/``input_ids`` pairs; at most 128 annotations a call;
- Clarifai has no version or ETag, so the "container version" of an image is a
  fingerprint of its annotation set (ids and ``modified_at``): a push first lists the
  input's annotations and stops with a conflict when the fingerprint moved since the
  last pull;
- statuses: each annotation has a status (pending, awaiting review, success, review
  denied) and the image status is derived from them; statuses annotations cannot say
  (skipped, an empty image submitted...) and review comments are kept in the input's
  metadata under ``limner``, together with the fingerprint they belong to, so an edit
  made in Clarifai afterwards makes them stale rather than wrong. Labeling tasks are
  queues: ``LABEL_START``/``REVIEW_START`` hand out the work, and submitting or reviewing
  an image of a task goes through ``LABEL_SUBMIT``/``REVIEW_APPROVE``/``REVIEW_REJECT``;
- pull: a first (and a periodic) full pass streams all inputs; later passes stream the
  new inputs and search the annotations updated since the last pass
  (``last_updated_time_range``), because Clarifai reports changes but not deletions.
- every answer's ``status.code`` is checked (``clarifai_http``); in a batch answer with
  mixed statuses each item is judged on its own: what was stored stays, what was refused
  is refused for that annotation only (reported through ``check_region``).
"""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx

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
    chunked,
)
from sync.adapters.clarifai_format import (
    ANNOTATION_PENDING,
    META_KEY,
    RETRY_CODES,
    STATUS_TO_CODE,
    STORED_ITEM_CODES,
    ClarifaiFormatError,
    Decoded,
    annotation_info_for,
    concept_id_for,
    decode_annotation,
    derive_status,
    fingerprint,
    keypoint_info_for,
    region_info_for,
    remote_id_for,
    skeleton_from_keypoint_info,
    status_code,
)
from sync.adapters.clarifai_http import (
    ClarifaiError,
    ClarifaiTransport,
    Pacer,
    describe,
)
from sync.errors import (
    ConfigError,
    NotFoundError,
    RemoteConflictError,
    TransientError,
    ValidationError,
)
from sync.merge import region_hash
from sync.retry import RetryPolicy
from sync.transport import HeaderAuth

log = logging.getLogger("limner.sync.clarifai")

KIND = "clarifai"
DEFAULT_BASE_URL = "https://api.clarifai.com"
BATCH = 128  # annotations per POST/PATCH/DELETE (Clarifai's limit)
MAX_PER_PAGE = 1000
OVERLAP = timedelta(minutes=2)  # re-read this much before the watermark (server clocks)

_SCOPE = "/v2/users/{user}/apps/{app}"
DEFAULT_ROUTES: Mapping[str, str] = {
    "user": "/v2/users/{user}",
    "apps": "/v2/users/{user}/apps",
    "collaborations": "/v2/users/{user}/collaborations",
    "app": _SCOPE,
    "concepts": _SCOPE + "/concepts",
    "inputs": _SCOPE + "/inputs",
    "input": _SCOPE + "/inputs/{input_id}",
    "inputs_stream": _SCOPE + "/inputs/stream",
    "annotations": _SCOPE + "/annotations",
    "annotation": _SCOPE + "/inputs/{input_id}/annotations/{annotation_id}",
    "annotation_searches": _SCOPE + "/annotations/searches",
    "tasks": _SCOPE + "/tasks",
    "task_assignments": _SCOPE + "/tasks/{task_id}/assignments",
}

_EXTENSIONS = {"JPEG": ".jpg", "JPG": ".jpg", "PNG": ".png", "TIFF": ".tif", "WEBP": ".webp"}


_WHOLE = -1  # pseudo item code: the whole batch was refused


class PartialPushError(RemoteConflictError):
    """Some annotations of a batch were refused and the others stored.

    Raised as a conflict on purpose: the engine then re-reads the image (committing what
    was stored) and pushes again, and this time ``check_region`` refuses the annotations
    the server refused, so each one is parked with the server's message.
    """


@dataclass(frozen=True, slots=True)
class _Cursor:
    since: str | None = None  # server time the last completed pass started
    last: str | None = None  # last input id streamed (new inputs come after it)
    full: float | None = None  # when the last full pass completed (local clock)
    resume: str | None = None  # an interrupted full pass goes on after this input
    start: str | None = None  # server time the interrupted full pass started

    @classmethod
    def parse(cls, text: str | None) -> _Cursor:
        if not text:
            return cls()
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        return cls(**{k: data.get(k) for k in ("since", "last", "full", "resume", "start")})

    def dump(self) -> str:
        return json.dumps(
            {k: v for k, v in asdict(self).items() if v is not None}, separators=(",", ":")
        )


@dataclass(frozen=True, slots=True)
class _Assignment:
    task_id: str
    id: str
    role: str


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


class ClarifaiAdapter(Adapter):
    kind = KIND
    capabilities = Capabilities(
        frozenset({"box", "polygon", "mask", "keypoints"}),
        review=True,
        queues=True,
        notes={"polygon": "Clarifai polygons are one outline without holes"},
    )

    def __init__(
        self,
        transport: ClarifaiTransport,
        project_ref: str,
        *,
        routes: Mapping[str, str] | None = None,
        page_size: int = 64,
        search_page_size: int = 500,
        full_pass_every: float = 24 * 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        parts = [p for p in str(project_ref).strip().strip("/").split("/") if p]
        self.t = transport
        # A bad reference only fails connect(): listing the apps needs no app.
        self._ref_error: str | None = None
        if len(parts) != 2:
            self._ref_error = (
                f"a Clarifai project is 'user_id/app_id' (the app owner's id), got {project_ref!r}"
            )
            parts = ["me", ""]
        self.owner, self.app_id = parts
        unknown = set(routes or {}) - set(DEFAULT_ROUTES)
        if unknown:
            raise ConfigError(f"unknown Clarifai routes: {', '.join(sorted(unknown))}")
        self.routes = {**DEFAULT_ROUTES, **(routes or {})}
        self.page_size = max(1, min(page_size, MAX_PER_PAGE))
        self.search_page_size = max(1, min(search_page_size, MAX_PER_PAGE))
        self.full_pass_every = full_pass_every
        self._clock = clock
        self.user_id: str | None = None
        self._lock = threading.RLock()
        self._concepts: dict[str, dict[str, Any]] = {}
        self._class_to_concept: dict[str, str] = {}
        self._concept_to_class: dict[str, str] = {}
        self._labels: dict[str, _Assignment] = {}
        self._reviews: dict[str, _Assignment] = {}
        self._failures: dict[str, tuple[str | None, str]] = {}
        self._refused: set[str] = set()

    # -- requests ---------------------------------------------------------------------
    def _path(self, op: str, **values: str) -> str:
        fields = {"user": self.owner, "app": self.app_id, **values}
        return self.routes[op].format(**{k: quote(str(v), safe="") for k, v in fields.items()})

    def _call(
        self,
        method: str,
        op: str,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        path: Mapping[str, str] | None = None,
    ) -> tuple[dict[str, Any], httpx.Response]:
        response = self.t.request(method, self._path(op, **(path or {})), json=body, params=params)
        data = response.json()
        return (data if isinstance(data, dict) else {}), response

    def _get(self, op: str, params: Mapping[str, Any] | None = None, **path: str) -> dict:
        return self._call("GET", op, params=params, path=path)[0]

    def _pages(
        self, op: str, key: str, params: Mapping[str, Any] | None = None, per_page: int = 1000
    ) -> Iterator[dict[str, Any]]:
        """Every item of a paged list: Clarifai gives no total, a short page is the last."""
        page = 1
        while True:
            body = self._get(op, {**(params or {}), "page": page, "per_page": per_page})
            items = body.get(key) or []
            yield from items
            if len(items) < per_page:
                return
            page += 1

    @staticmethod
    def _server_time(response: httpx.Response) -> datetime | None:
        value = response.headers.get("date")
        if not value:
            return None
        try:
            return email.utils.parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            return None

    # -- connection, apps, classes ----------------------------------------------------
    def connect(self) -> RemoteInfo:
        if self._ref_error:
            raise ConfigError(self._ref_error)
        me = self._get("user", user="me").get("user") or {}
        self.user_id = str(me.get("id") or "")
        try:
            app = self._get("app").get("app") or {}
        except NotFoundError as exc:
            raise ConfigError(
                f"app {self.app_id} of user {self.owner} does not exist or is not shared "
                "with this token"
            ) from exc
        self._load_concepts()
        return RemoteInfo(
            server=urlsplit(self.t.base_url).netloc,
            edition="Clarifai v2",
            user=self.user_id,
            project_title=str(app.get("name") or app.get("id") or self.app_id),
        )

    def apps(self) -> list[tuple[str, str]]:
        """(``user_id/app_id``, name) of the apps this token can label: own and shared."""
        out = [
            (f"{a.get('user_id') or self.user_id or 'me'}/{a['id']}", str(a.get("name") or a["id"]))
            for a in self._pages_for_user("apps", "apps")
        ]
        for item in self._pages_for_user("collaborations", "collaborations"):
            app = item.get("app") or {}
            owner = (item.get("app_owner") or {}).get("id") or app.get("user_id")
            if app.get("id") and owner:
                out.append((f"{owner}/{app['id']}", str(app.get("name") or app["id"])))
        return out

    def projects(self) -> list[tuple[str, str]]:
        """What the connect dialog lists: the apps, as project references and names."""
        return self.apps()

    def _pages_for_user(self, op: str, key: str) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            body = self._get(op, {"page": page, "per_page": 100}, user="me")
            items = body.get(key) or []
            yield from items
            if len(items) < 100:
                return
            page += 1

    def tasks(self, **filters: Sequence[str]) -> list[dict[str, Any]]:
        """The app's labeling tasks (optionally only where given users label or review)."""
        return list(self._pages("tasks", "tasks", {k: list(v) for k, v in filters.items()}))

    def _load_concepts(self) -> None:
        concepts = list(self._pages("concepts", "concepts", per_page=MAX_PER_PAGE))
        with self._lock:
            self._concepts = {str(c["id"]): c for c in concepts if c.get("id")}
            self._class_to_concept.clear()
            self._concept_to_class.clear()
            for cid, concept in self._concepts.items():
                self._name_concept(cid, concept)

    def _name_concept(self, cid: str, concept: Mapping[str, Any]) -> str:
        name = str(concept.get("name") or cid)
        if name in self._class_to_concept and self._class_to_concept[name] != cid:
            name = f"{name} [{cid}]"
        self._class_to_concept[name] = cid
        self._concept_to_class[cid] = name
        return name

    def classes(self) -> list[ClassSpec]:
        specs = []
        with self._lock:
            for cid, concept in self._concepts.items():
                skeleton = skeleton_from_keypoint_info(concept.get("keypoint_info"))
                specs.append(
                    ClassSpec(
                        name=self._concept_to_class[cid],
                        kind="keypoints" if skeleton else "any",
                        skeleton=skeleton,
                    )
                )
        return specs

    def _class_name(self, concept_id: str | None) -> str | None:
        if concept_id is None:
            return None
        return self._concept_to_class.get(concept_id, concept_id)

    # -- pull -------------------------------------------------------------------------
    def changed_images(self, cursor: str | None) -> Iterator[RemotePage]:
        state = _Cursor.parse(cursor)
        full_due = state.full is None or self._clock() - state.full >= self.full_pass_every
        if state.since is None or state.resume is not None or full_due:
            yield from self._full_pass(state)
        else:
            yield from self._incremental(state)

    def _full_pass(self, state: _Cursor) -> Iterator[RemotePage]:
        """Every input, in the stream's stable order; resumable after an interruption."""
        start = state.start if state.resume else None
        after = state.resume
        newest = ""
        while True:
            params: dict[str, Any] = {"per_page": self.page_size}
            if after:
                params["last_id"] = after
            body, response = self._call("GET", "inputs_stream", params=params)
            if start is None:
                moment = self._server_time(response)
                start = _iso(moment) if moment else None
            inputs = body.get("inputs") or []
            images = self._images(inputs)
            for image in images:
                newest = max(newest, str(image.container_version or "").split("#")[0])
            if inputs:
                after = str(inputs[-1]["id"])
            if len(inputs) < self.page_size:
                final = _Cursor(
                    since=start or (newest if newest not in ("", "-") else None) or state.since,
                    last=after or state.last,
                    full=self._clock(),
                )
                yield RemotePage(images, final.dump())
                return
            yield RemotePage(images, replace(state, resume=after, start=start).dump())

    def _incremental(self, state: _Cursor) -> Iterator[RemotePage]:
        """New inputs (stream after the last one), then inputs whose annotations changed."""
        seen: set[str] = set()
        while True:
            params: dict[str, Any] = {"per_page": self.page_size}
            if state.last:
                params["last_id"] = state.last
            inputs = self._get("inputs_stream", params).get("inputs") or []
            if inputs:
                state = replace(state, last=str(inputs[-1]["id"]))
                seen.update(str(i["id"]) for i in inputs)
                yield RemotePage(self._images(inputs), state.dump())
            if len(inputs) < self.page_size:
                break
        since = _parse_time(state.since or "")
        begin = _iso(since - OVERLAP) if since else None
        start: str | None = None
        newest = ""
        page = 1
        while True:
            query: dict[str, Any] = {
                "filters": [{"last_updated_time_range": {"start_time": begin}}]
            }
            body, response = self._call(
                "POST",
                "annotation_searches",
                body={
                    "searches": [{"query": query}],
                    "pagination": {"page": page, "per_page": self.search_page_size},
                },
            )
            if start is None:
                moment = self._server_time(response)
                start = _iso(moment) if moment else None
            hits = body.get("hits") or []
            touched: list[str] = []
            for hit in hits:
                annotation = hit.get("annotation") or {}
                key = str(annotation.get("input_id") or (hit.get("input") or {}).get("id") or "")
                if key and key not in seen:
                    seen.add(key)
                    touched.append(key)
                newest = max(newest, str(annotation.get("modified_at") or ""))
            for chunk in chunked(touched, self.page_size):
                yield RemotePage(self._images_by_ids(list(chunk)), state.dump())
            if len(hits) < self.search_page_size:
                break
            page += 1
        yield RemotePage([], replace(state, since=start or newest or state.since).dump())

    def _images_by_ids(self, keys: list[str]) -> list[RemoteImage]:
        body = self._get("inputs", {"ids": keys, "per_page": len(keys), "page": 1})
        return self._images(body.get("inputs") or [])

    def _images(self, inputs: Sequence[Mapping[str, Any]]) -> list[RemoteImage]:
        if not inputs:
            return []
        annotations = self._annotations_of([str(i["id"]) for i in inputs])
        return [self._remote_image(i, annotations.get(str(i["id"]), [])) for i in inputs]

    def _annotations_of(self, keys: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """All annotations (trusted or not, by anyone) of these inputs, by input id."""
        out: dict[str, list[dict[str, Any]]] = {k: [] for k in keys}
        params = {"input_ids": list(keys), "list_all_annotations": True}
        for item in self._pages("annotations", "annotations", params, per_page=MAX_PER_PAGE):
            self._inline_mask(item)
            out.setdefault(str(item.get("input_id")), []).append(item)
        return out

    def _inline_mask(self, annotation: dict[str, Any]) -> None:
        """A mask given by URL (a hosted copy) is fetched now, outside any transaction."""
        for region in (annotation.get("data") or {}).get("regions") or []:
            image = ((region.get("region_info") or {}).get("mask") or {}).get("image") or {}
            if image.get("url") and not image.get("base64"):
                content = self.t.request("GET", image["url"]).content
                image["base64"] = base64.b64encode(content).decode("ascii")

    def _remote_image(
        self, item: Mapping[str, Any], annotations: list[dict[str, Any]]
    ) -> RemoteImage:
        key = str(item["id"])
        data = item.get("data") or {}
        image = data.get("image") or {}
        fp = fingerprint(annotations)
        codes = [status_code(a.get("status")) for a in annotations if not a.get("input_level")]
        status = derive_status(codes)
        review = None
        meta = (data.get("metadata") or {}).get(META_KEY)
        if (
            isinstance(meta, Mapping)
            and meta.get("fp") == fp
            and meta.get("status") in STATUS_TO_CODE
        ):
            status = str(meta["status"])
            review = meta.get("review") if isinstance(meta.get("review"), Mapping) else None
        return RemoteImage(
            key=key,
            name=self._image_name(key, image),
            url=self._image_url(image),
            version=f"{item.get('modified_at') or ''}|{fp}",
            status=status,
            container_key=key,
            container_version=fp,
            raw_regions=annotations,
            review=review,
        )

    @staticmethod
    def _image_url(image: Mapping[str, Any]) -> str:
        hosted = image.get("hosted") or {}
        sizes = hosted.get("sizes") or []
        if hosted.get("prefix") and hosted.get("suffix") and "orig" in sizes:
            return "/".join([str(hosted["prefix"]).rstrip("/"), "orig", str(hosted["suffix"])])
        return str(image.get("url") or "")

    @staticmethod
    def _image_name(key: str, image: Mapping[str, Any]) -> str:
        url = str(image.get("url") or "")
        if url and not image.get("hosted"):  # added by URL: the original file name
            name = unquote(PurePosixPath(urlsplit(url).path).name)
            if name:
                return name
        fmt = str((image.get("image_info") or {}).get("format") or "").upper()
        return f"{key}{_EXTENSIONS.get(fmt, '')}"

    def image_keys(self) -> set[str]:
        keys: set[str] = set()
        after: str | None = None
        while True:
            params: dict[str, Any] = {"per_page": MAX_PER_PAGE}
            if after:
                params["last_id"] = after
            inputs = self._get("inputs_stream", params).get("inputs") or []
            keys.update(str(i["id"]) for i in inputs)
            if len(inputs) < MAX_PER_PAGE:
                return keys
            after = str(inputs[-1]["id"])

    def fetch_image(self, key: str) -> RemoteImage:
        item = self._get("input", input_id=key).get("input") or {}
        return self._remote_image(item, self._annotations_of([key]).get(key, []))

    def regions(
        self, image: RemoteImage, width: int, height: int
    ) -> tuple[list[Region], list[str]]:
        out: list[Region] = []
        warnings: list[str] = []
        for annotation in image.raw_regions or []:
            decoded, why = decode_annotation(annotation, width, height)
            if why:
                warnings.append(why)
            if decoded is not None:
                out.append(self._region(decoded))
        return out, (["; ".join(warnings)] if warnings else [])

    def _region(self, decoded: Decoded) -> Region:
        return Region(
            decoded.uuid,
            self._class_name(decoded.concept_id),
            decoded.geometry,
            dict(decoded.attributes),
        )

    # -- queues -----------------------------------------------------------------------
    def queues(self) -> list[RemoteQueue]:
        """Tasks this user labels or reviews; their current batch of work as queues."""
        if not self.user_id:
            return []
        labels: dict[str, _Assignment] = {}
        reviews: dict[str, _Assignment] = {}
        out: list[RemoteQueue] = []
        for role, filters, action, into in (
            ("annotate", {"worker_user_ids": [self.user_id]}, "LABEL_START", labels),
            ("review", {"review_user_ids": [self.user_id]}, "REVIEW_START", reviews),
        ):
            for task in self.tasks(**filters):
                task_id = str(task["id"])
                try:
                    body, _ = self._call(
                        "PUT",
                        "task_assignments",
                        body={"action": action},
                        path={"task_id": task_id},
                    )
                except (ClarifaiError, NotFoundError) as exc:
                    log.warning("task %s: %s", task_id, exc)
                    continue
                keys: list[str] = []
                for item in body.get("task_assignments") or []:
                    key = str((item.get("input") or {}).get("id") or "")
                    if not key:
                        continue
                    keys.append(key)
                    into[key] = _Assignment(task_id, str(item.get("id")), role)
                name = str(task.get("name") or task.get("description") or task_id)
                suffix = "label" if role == "annotate" else "review"
                title = name if role == "annotate" else f"{name} (review)"
                out.append(
                    RemoteQueue(f"{task_id}:{suffix}", title, role, self.user_id, tuple(keys))
                )
        with self._lock:
            self._labels, self._reviews = labels, reviews
        return out

    # -- push -------------------------------------------------------------------------
    def _keypoint_count(self, class_name: str | None) -> int | None:
        cid = self._class_to_concept.get(class_name or "")
        info = (self._concepts.get(cid or "") or {}).get("keypoint_info") or {}
        names = info.get("keypoint_names") or []
        return len(names) or None

    def _region_info(self, region: Region, width: int, height: int) -> dict[str, Any]:
        count = (
            self._keypoint_count(region.class_name) if region.geometry.kind == "keypoints" else None
        )
        return region_info_for(region.geometry, width, height, count)

    def check_region(self, region: Region, width: int, height: int) -> str | None:
        """Why Clarifai cannot hold this region (None when it can)."""
        why: str | None = None
        if region.class_name is None:
            why = "Clarifai regions need a concept: give this annotation a class"
        else:
            try:
                self._region_info(region, width, height)
            except ClarifaiFormatError as exc:
                why = str(exc)
        if why is None:
            with self._lock:
                failure = self._failures.get(region.uuid)
            if failure is not None and failure[0] == region_hash(region):
                why = f"Clarifai refused this annotation: {failure[1]}"
        with self._lock:
            if why is None:
                self._refused.discard(region.uuid)
            else:
                self._refused.add(region.uuid)
        return why

    def _ensure_concepts(self, push: ImagePush) -> None:
        """Concepts for the classes used (created on first use), skeletons on them."""
        with self._lock:
            wanted = sorted({r.class_name for r in push.regions if r.class_name})
            missing = [n for n in wanted if n not in self._class_to_concept]
            if missing:
                taken = set(self._concepts)
                new = []
                for name in missing:
                    cid = concept_id_for(name, taken)
                    taken.add(cid)
                    new.append({"id": cid, "name": name})
                try:
                    body, _ = self._call("POST", "concepts", body={"concepts": new})
                    made = body.get("concepts") or new
                except ClarifaiError:
                    self._load_concepts()  # created meanwhile by someone else?
                    made = []
                for concept in made:
                    cid = str(concept["id"])
                    self._concepts[cid] = dict(concept)
                    self._class_to_concept[str(concept.get("name") or cid)] = cid
                    self._concept_to_class[cid] = str(concept.get("name") or cid)
                still = [n for n in missing if n not in self._class_to_concept]
                if still:
                    raise ValidationError(
                        f"Clarifai did not create concepts for {', '.join(still)}"
                    )
            for name in wanted:
                if not any(
                    r.class_name == name and r.geometry.kind == "keypoints" for r in push.regions
                ):
                    continue
                self._ensure_skeleton(name, push)

    def _ensure_skeleton(self, name: str, push: ImagePush) -> None:
        cid = self._class_to_concept[name]
        concept = self._concepts.get(cid) or {"id": cid}
        info = concept.get("keypoint_info") or {}
        names = list(info.get("keypoint_names") or [])
        edges = tuple(push.skeleton_edges.get(name, ()))
        current = tuple(
            (int(e.get("k1", 0)), int(e.get("k2", 0))) for e in info.get("skeleton") or []
        )
        if names and (not edges or set(edges) == set(current)):
            return
        if not names:
            count = max(
                len(r.geometry.points)  # type: ignore[union-attr]
                for r in push.regions
                if r.class_name == name and r.geometry.kind == "keypoints"
            )
            names = [f"point {i + 1}" for i in range(count)]
        update = {
            "id": cid,
            "name": str(concept.get("name") or name),
            "keypoint_info": keypoint_info_for(names, edges or current),
        }
        body, _ = self._call(
            "PATCH", "concepts", body={"action": "overwrite", "concepts": [update]}
        )
        for item in body.get("concepts") or [update]:
            self._concepts[str(item["id"])] = {**concept, **item}

    def _body(
        self,
        push: ImagePush,
        region: Region,
        rid: str,
        code: int | None,
        task_id: str | None,
    ) -> dict[str, Any]:
        try:
            info = self._region_info(region, push.width, push.height)
        except ClarifaiFormatError as exc:
            raise ValidationError(f"{region.uuid}: {exc}") from exc
        concept = self._class_to_concept.get(region.class_name or "")
        if concept is None:
            raise ValidationError(f"{region.uuid}: Clarifai regions need a concept")
        body: dict[str, Any] = {
            "id": rid,
            "input_id": push.key,
            "data": {
                "regions": [
                    {
                        "id": rid,
                        "region_info": info,
                        "data": {"concepts": [{"id": concept, "value": 1}]},
                    }
                ]
            },
            "annotation_info": annotation_info_for(region.geometry, region.attributes),
        }
        if code is not None:
            body["status"] = {"code": code}
        if task_id:
            body["task_id"] = task_id
        return body

    def push_image(self, push: ImagePush) -> PushResult:
        listing = self._annotations_of([push.key]).get(push.key, [])
        if push.container_version is not None and fingerprint(listing) != push.container_version:
            raise RemoteConflictError(
                f"input {push.key}: its annotations changed on Clarifai since the last sync"
            )
        self._ensure_concepts(push)
        with self._lock:
            label = self._labels.get(push.key)
            review = self._reviews.get(push.key)
            refused = set(self._refused)
        status_changed = push.status != push.remote_status or bool(push.review)
        decision = str((push.review or {}).get("decision") or "")
        via_review = status_changed and review is not None and decision in ("approve", "reject")
        via_label = (
            status_changed and not via_review and label is not None and push.status == "submitted"
        )
        direct = STATUS_TO_CODE.get(push.status, ANNOTATION_PENDING)
        # A task's own action moves the statuses of a submitted or reviewed image.
        create_code = ANNOTATION_PENDING if via_label else direct
        if via_label:
            change_code: int | None = ANNOTATION_PENDING
        elif via_review or not status_changed:
            change_code = None
        else:
            change_code = direct
        task_id = label.task_id if label else None

        remote: dict[str, tuple[dict[str, Any], Decoded | None]] = {}
        for annotation in listing:
            if annotation.get("input_level"):
                continue
            decoded, _why = decode_annotation(annotation, push.width, push.height)
            uuid = decoded.uuid if decoded else str(annotation.get("id"))
            remote[uuid] = (annotation, decoded)

        creates: list[dict[str, Any]] = []
        overwrites: list[dict[str, Any]] = []
        statuses: list[dict[str, Any]] = []
        wanted_ids: dict[str, Region] = {}
        for region in push.regions:
            if region.uuid in remote:
                annotation, decoded = remote[region.uuid]
                rid = str(annotation["id"])
                current = status_code(annotation.get("status"))
                code = change_code if change_code is not None else current
                same = decoded is not None and region_hash(self._region(decoded)) == region_hash(
                    region
                )
                if not same:
                    overwrites.append(self._body(push, region, rid, code, task_id))
                elif code is not None and code != current:
                    statuses.append({"id": rid, "input_id": push.key, "status": {"code": code}})
            else:
                rid = remote_id_for(region.uuid)
                creates.append(self._body(push, region, rid, create_code, task_id))
            wanted_ids[rid] = region
        keep = {r.uuid for r in push.regions} | refused
        deletes = [
            str(annotation["id"])
            for uuid, (annotation, decoded) in remote.items()
            if decoded is not None and uuid not in keep
        ]

        failed: dict[str, tuple[int | None, str]] = {}
        wrote = False
        for chunk in chunked(creates, BATCH):
            wrote = True
            failed.update(self._write("POST", chunk, None))
        if failed:
            failed = self._verify_creates(push, failed, creates, overwrites)
        for chunk in chunked(overwrites, BATCH):
            wrote = True
            failed.update(self._write("PATCH", chunk, "overwrite"))
        for chunk in chunked(statuses, BATCH):
            wrote = True
            failed.update(self._write("PATCH", chunk, "merge"))
        for chunk in chunked(deletes, BATCH):
            wrote = True
            self._delete(push.key, list(chunk))
        if failed:
            self._raise_item_failures(push, failed, wanted_ids)
        if via_label and label is not None:
            wrote = True
            self._assignment_action(label, "LABEL_SUBMIT", "label_submit_config")
        if via_review and review is not None:
            wrote = True
            action = "REVIEW_APPROVE" if decision == "approve" else "REVIEW_REJECT"
            config = "review_approve_config" if decision == "approve" else "review_reject_config"
            self._assignment_action(review, action, config)
        if wrote:
            listing = self._annotations_of([push.key]).get(push.key, [])
        fp = fingerprint(listing)
        derived = derive_status(
            status_code(a.get("status")) for a in listing if not a.get("input_level")
        )
        if status_changed or (wrote and derived != push.status):
            self._write_meta(push, fp)
        return PushResult(container_key=push.key, container_version=fp, status=push.status)

    def _write(
        self, method: str, annotations: Sequence[dict[str, Any]], action: str | None
    ) -> dict[str, tuple[int | None, str]]:
        """One batch; returns the items the server did not store (id -> code, message)."""
        body: dict[str, Any] = {"annotations": list(annotations)}
        if action:
            body["action"] = action
        try:
            answer, _ = self._call(method, "annotations", body=body)
        except ClarifaiError as exc:
            answer = exc.body if isinstance(exc.body, dict) else {}
            if not answer.get("annotations"):
                # refused as a whole, no word on single items: the image is parked
                return {str(a["id"]): (_WHOLE, str(exc)) for a in annotations}
        failed: dict[str, tuple[int | None, str]] = {}
        items = answer.get("annotations") or []
        for index, sent in enumerate(annotations):
            got = next((i for i in items if str(i.get("id")) == sent["id"]), None)
            if got is None and index < len(items) and not items[index].get("id"):
                got = items[index]
            code = status_code((got or {}).get("status"))
            if got is None:
                failed[sent["id"]] = (None, "missing from Clarifai's answer")
            elif code is not None and code not in STORED_ITEM_CODES:
                failed[sent["id"]] = (code, describe(got.get("status")))
        return failed

    def _verify_creates(
        self,
        push: ImagePush,
        failed: dict[str, tuple[int | None, str]],
        creates: list[dict[str, Any]],
        overwrites: list[dict[str, Any]],
    ) -> dict[str, tuple[int | None, str]]:
        """After a refused or ambiguous create, look before sending anything again.

        An annotation that exists now was created by an earlier attempt whose answer was
        lost (a retried POST meets its own id): it is made current with an overwrite.
        """
        present = {str(a.get("id")): a for a in self._annotations_of([push.key]).get(push.key, [])}
        still: dict[str, tuple[int | None, str]] = {}
        by_id = {c["id"]: c for c in creates}
        for rid, problem in failed.items():
            if rid in present:
                overwrites.append(by_id[rid])
            else:
                still[rid] = problem
        return still

    def _delete(self, key: str, ids: list[str]) -> None:
        body = {"ids": ids, "input_ids": [key] * len(ids)}
        try:
            self._call("DELETE", "annotations", body=body)
        except NotFoundError:
            # one of them is gone already: delete the others one by one
            for rid in ids:
                try:
                    self._call("DELETE", "annotation", path={"input_id": key, "annotation_id": rid})
                except NotFoundError:
                    continue

    def _raise_item_failures(
        self,
        push: ImagePush,
        failed: Mapping[str, tuple[int | None, str]],
        regions: Mapping[str, Region],
    ) -> None:
        whole = [m for code, m in failed.values() if code == _WHOLE]
        if whole:
            raise ValidationError(whole[0])
        if any(code in RETRY_CODES for code, _ in failed.values()):
            raise TransientError(
                f"input {push.key}: Clarifai could not store some annotations now; "
                + "; ".join(m for _, m in failed.values())
            )
        with self._lock:
            for rid, (_code, message) in failed.items():
                region = regions.get(rid)
                if region is not None:
                    self._failures[region.uuid] = (region_hash(region), message)
        detail = "; ".join(f"{rid}: {m}" for rid, (_, m) in failed.items())
        raise PartialPushError(
            f"input {push.key}: Clarifai refused {len(failed)} annotations: {detail}"
        )

    def _assignment_action(self, assignment: _Assignment, action: str, config: str) -> None:
        self._call(
            "PUT",
            "task_assignments",
            body={"action": action, config: {"task_assignments": [{"id": assignment.id}]}},
            path={"task_id": assignment.task_id},
        )

    def _write_meta(self, push: ImagePush, fp: str) -> None:
        """limner's status (and review) where annotations cannot say it, tied to ``fp``."""
        entry: dict[str, Any] = {"status": push.status, "fp": fp}
        if push.review:
            entry["review"] = {k: str(v) for k, v in push.review.items() if v is not None}
        self._call(
            "PATCH",
            "inputs",
            body={
                "action": "merge",
                "inputs": [{"id": push.key, "data": {"metadata": {META_KEY: entry}}}],
            },
        )

    # -- files ------------------------------------------------------------------------
    def download(self, image: RemoteImage, target: Path) -> None:
        if not image.url:
            raise NotFoundError(f"input {image.key} has no image URL")
        response = self.t.request("GET", image.url)
        target.write_bytes(response.content)

    def close(self) -> None:
        self.t.close()


def build_adapter(
    base_url: str,
    project_ref: str,
    token: str,
    *,
    policy: RetryPolicy | None = None,
    timeout: float = 30.0,
    settings: Mapping[str, Any] | None = None,
    pacer: Pacer | None = None,
) -> ClarifaiAdapter:
    """A Clarifai adapter from a remote's stored description (see ``sync.factory``).

    ``settings`` may hold ``routes`` (operation -> path template, overriding
    ``DEFAULT_ROUTES``), ``requests_per_second`` (default 15, Clarifai's limit) and
    ``full_pass_hours`` (how often a pull re-reads every input to find deletions).
    """
    settings = dict(settings or {})
    base = (base_url or DEFAULT_BASE_URL).rstrip("/")
    if base.endswith("/v2"):
        base = base[: -len("/v2")]
    rate = float(settings.get("requests_per_second", 15.0))
    transport = ClarifaiTransport(
        base,
        HeaderAuth("Authorization", f"Key {token.strip()}"),
        pacer=pacer or Pacer(rate),
        policy=policy,
        timeout=timeout,
        max_connections=8,
    )
    return ClarifaiAdapter(
        transport,
        project_ref,
        routes=settings.get("routes"),
        full_pass_every=float(settings.get("full_pass_hours", 24.0)) * 3600.0,
    )
