"""Clarifai adapter (v2 REST API, personal access tokens).

Mapping:

- the remote's ``project_ref`` is ``user_id/app_id`` (the app OWNER's user id); every call
  uses the scoped paths ``/v2/users/{user_id}/apps/{app_id}/...`` with
  ``Authorization: Key <PAT>``; the key is only sent to the configured host and to
  Clarifai's own hosts (images live on data.clarifai.com), never to the third-party
  address of an input added by URL;
- an image is an input; its state is the input and all its annotations (anyone's,
  trusted or not) exactly as the server sent them, plus the PNG of any mask the server
  gave by URL only; each annotation is one region (``clarifai_format``), and what limner
  cannot represent is kept as it is and never written;
- an annotation of concepts without a region (Clarifai's classification) is an image tag
  of one tag class, ``Image concepts``, whose choices are the app's concepts; rotated
  boxes, polylines, ellipses and groups have no Clarifai form and are refused per region;
- a push (``clarifai_push``) carries out the engine's plan and nothing else: creates
  are ``POST`` with the annotation id made from limner's uuid (after a lost answer the
  input's annotations are looked at before anything is sent again; an id that exists
  already is our own earlier create and is overwritten), edits ``PATCH
  action=overwrite`` of the server's copy with only limner's parts replaced, deletions
  batch ``DELETE`` with matching ``ids``/``input_ids`` pairs; at most 128 annotations a
  call; an empty plan sends nothing. Clarifai has no versions: before an edit or a
  deletion the input's annotations are read once, and a target changed or gone since
  the last pull stops the push as a conflict;
- statuses are only written when the plan says so: annotation statuses carry them, task
  actions (``LABEL_SUBMIT``, ``REVIEW_APPROVE``/``REVIEW_REJECT``) where the image belongs
  to one of the user's tasks, and what annotations cannot say (skipped, an empty image
  submitted, review comments) lives in the input's metadata under ``limner`` with the
  fingerprint of the annotation set it belongs to, so an edit made in Clarifai afterwards
  makes it stale rather than wrong;
- pull (``clarifai_pull``): a first (and a periodic) full pass streams all inputs; later
  passes stream the new inputs and search the annotations updated since the last pass,
  because Clarifai reports changes but not deletions;
- in a batch answer with mixed statuses each item is judged on its own: what was stored
  stays; an annotation the server refused is remembered, so that the engine's next plan
  (after it re-reads the image) refuses it with the server's words until it is edited.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from limner.models.domain.geometry import Tag
from limner.sync.adapters.base import (
    Adapter,
    Capabilities,
    ClassSpec,
    Decoded,
    ImagePush,
    Problem,
    PushResult,
    Refused,
    Region,
    RemoteImage,
    RemoteInfo,
    RemotePage,
    RemoteQueue,
    RemoteRegion,
    region_digest,
)
from limner.sync.adapters.clarifai_format import (
    ClarifaiFormatError,
    Reading,
    annotation_raw,
    concept_id_for,
    read_annotation,
    remote_id_for,
    tag_annotation_raw,
)
from limner.sync.adapters.clarifai_geometry import region_info_for, skeleton_from_keypoint_info
from limner.sync.adapters.clarifai_http import (
    MAX_PER_PAGE,
    ClarifaiApi,
    ClarifaiError,
    ClarifaiTransport,
    Pacer,
    routes_with,
)
from limner.sync.adapters.clarifai_pull import changed_images
from limner.sync.adapters.clarifai_push import Assignment, ImageState, Pushing, remote_image
from limner.sync.errors import ConfigError, NotFoundError
from limner.sync.rest import cursor_pages
from limner.sync.retry import RetryPolicy
from limner.sync.transport import HeaderAuth

if TYPE_CHECKING:
    from limner.sync.reconcile import PushPlan

log = logging.getLogger("limner.sync.clarifai")

KIND = "clarifai"
TAG_CLASS = "Image concepts"
DEFAULT_BASE_URL = "https://api.clarifai.com"


class ClarifaiAdapter(Adapter):
    kind = KIND
    capabilities = Capabilities(
        frozenset({"box", "polygon", "mask", "keypoints", "point", "tag"}),
        review=True,
        queues=True,
        notes={
            "polygon": "Clarifai polygons are one outline without holes",
            "box": "Clarifai boxes are not rotated",
            "polyline": "Clarifai has no polylines",
            "ellipse": "Clarifai has no ellipses",
        },
        opaque=(
            "the input's own labels, and tags saying concepts are absent",
            "annotations with several regions or several concepts",
            "regions of kinds limner does not have (spans, tokens)",
        ),
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
        self.api = ClarifaiApi(transport, self.owner, self.app_id, routes_with(routes))
        self.page_size = max(1, min(page_size, MAX_PER_PAGE))
        self.search_page_size = max(1, min(search_page_size, MAX_PER_PAGE))
        self.full_pass_every = full_pass_every
        self.clock = clock
        self.user_id: str | None = None
        self.lock = threading.RLock()
        self.concepts: dict[str, dict[str, Any]] = {}
        self.class_to_concept: dict[str, str] = {}
        self.concept_to_class: dict[str, str] = {}
        self.labels: dict[str, Assignment] = {}
        self.reviews: dict[str, Assignment] = {}
        self.failures: dict[str, tuple[str, str]] = {}  # uuid -> (digest, server's words)

    # -- connection, apps, classes ----------------------------------------------------
    def connect(self) -> RemoteInfo:
        if self._ref_error:
            raise ConfigError(self._ref_error)
        me = self.api.call("GetUser", user="me").get("user") or {}
        self.user_id = str(me.get("id") or "")
        try:
            app = self.api.call("GetApp").get("app") or {}
        except NotFoundError as exc:
            raise ConfigError(
                f"app {self.app_id} of user {self.owner} does not exist or is not shared "
                "with this token"
            ) from exc
        self.load_concepts()
        return RemoteInfo(
            server=urlsplit(self.t.base_url).netloc,
            edition="Clarifai v2",
            user=self.user_id,
            project_title=str(app.get("name") or app.get("id") or self.app_id),
        )

    def apps(self) -> list[tuple[str, str]]:
        """(``user_id/app_id``, name) of the apps this token can label: own and shared."""
        mine = self.api.pages("ListApps", "apps", per_page=100, user="me")
        out = [
            (f"{a.get('user_id') or self.user_id or 'me'}/{a['id']}", str(a.get("name") or a["id"]))
            for a in mine
        ]
        for item in self.api.pages("ListCollaborations", "collaborations", per_page=100, user="me"):
            app = item.get("app") or {}
            owner = (item.get("app_owner") or {}).get("id") or app.get("user_id")
            if app.get("id") and owner:
                out.append((f"{owner}/{app['id']}", str(app.get("name") or app["id"])))
        return out

    def projects(self) -> list[tuple[str, str]]:
        """What the connect dialog lists: the apps, as project references and names."""
        return self.apps()

    def tasks(self, **filters: Sequence[str]) -> list[dict[str, Any]]:
        """The app's labeling tasks (optionally only where given users label or review)."""
        return list(self.api.pages("ListTasks", "tasks", {k: list(v) for k, v in filters.items()}))

    def load_concepts(self) -> None:
        concepts = list(self.api.pages("ListConcepts", "concepts"))
        with self.lock:
            self.concepts = {str(c["id"]): c for c in concepts if c.get("id")}
            self.class_to_concept.clear()
            self.concept_to_class.clear()
            for cid, concept in self.concepts.items():
                self.name_concept(cid, concept)

    def name_concept(self, cid: str, concept: Mapping[str, Any]) -> str:
        name = str(concept.get("name") or cid)
        if name in self.class_to_concept and self.class_to_concept[name] != cid:
            name = f"{name} [{cid}]"
        self.class_to_concept[name] = cid
        self.concept_to_class[cid] = name
        return name

    def classes(self) -> list[ClassSpec]:
        """One class per concept, and the tag class whose choices are the concepts."""
        specs = []
        with self.lock:
            for cid, concept in self.concepts.items():
                skeleton = skeleton_from_keypoint_info(concept.get("keypoint_info"))
                kind = "keypoints" if skeleton else "any"
                specs.append(ClassSpec(self.concept_to_class[cid], kind, skeleton=skeleton))
            names = sorted(self.class_to_concept)
        if names:
            tag = {"mode": "multiple", "options": names}
            specs.append(ClassSpec(self.tag_class, "tag", tag=tag))
        return specs

    @property
    def tag_class(self) -> str:
        """The name of the tag class (plain unless a concept has that name)."""
        with self.lock:
            return TAG_CLASS if TAG_CLASS not in self.class_to_concept else f"{TAG_CLASS} (tag)"

    # -- pull -------------------------------------------------------------------------
    def changed_images(self, cursor: str | None) -> Iterator[RemotePage]:
        return changed_images(self, cursor)

    def stream(self, after: str | None, per_page: int) -> tuple[list[dict], datetime | None]:
        """One page of the input stream (oldest first) after input ``after``."""
        params: dict[str, Any] = {"per_page": per_page}
        if after:
            params["last_id"] = after
        body, moment = self.api.call_at("StreamInputs", params=params)
        return self.api.items(body, "StreamInputs", "inputs"), moment

    def images_by_ids(self, keys: list[str]) -> list[RemoteImage]:
        body = self.api.call("ListInputs", params={"ids": keys, "per_page": len(keys), "page": 1})
        return self.images(self.api.items(body, "ListInputs", "inputs"))

    def images(self, inputs: Sequence[Mapping[str, Any]]) -> list[RemoteImage]:
        if not inputs:
            return []
        annotations = self.annotations_of([str(i["id"]) for i in inputs])
        return [
            remote_image(ImageState.of(item, annotations.get(str(item["id"]), []), self.masks))
            for item in inputs
        ]

    def annotations_of(self, keys: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """All annotations (trusted or not, by anyone) of these inputs, by input id."""
        out: dict[str, list[dict[str, Any]]] = {k: [] for k in keys}
        params = {"input_ids": list(keys), "list_all_annotations": True}
        for item in self.api.pages("ListAnnotations", "annotations", params):
            out.setdefault(str(item.get("input_id")), []).append(item)
        return out

    def masks(self, annotations: Sequence[Mapping[str, Any]]) -> dict[str, str]:
        """The PNGs (base64) of masks the server gave by URL only, by annotation id.

        Fetched here, outside any transaction, and kept beside the annotations so that
        reading them later needs no request.
        """
        out: dict[str, str] = {}
        for annotation in annotations:
            for region in (annotation.get("data") or {}).get("regions") or []:
                image = ((region.get("region_info") or {}).get("mask") or {}).get("image") or {}
                if image.get("url") and not image.get("base64"):
                    content = self.t.request("GET", str(image["url"])).content
                    out[str(annotation.get("id"))] = base64.b64encode(content).decode("ascii")
        return out

    def image_keys(self) -> set[str]:
        def fetch(after: str | None) -> tuple[list[dict[str, Any]], str | None]:
            inputs, _ = self.stream(after, MAX_PER_PAGE)
            full = len(inputs) == MAX_PER_PAGE
            return inputs, str(inputs[-1]["id"]) if full else None

        return {str(i["id"]) for page in cursor_pages(fetch) for i in page}

    def fetch_image(self, key: str) -> RemoteImage:
        item = self.api.call("GetInput", input_id=key).get("input") or {}
        annotations = self.annotations_of([key]).get(key, [])
        return remote_image(ImageState.of(item, annotations, self.masks))

    # -- regions ----------------------------------------------------------------------
    def decode(self, image: RemoteImage, width: int, height: int) -> Decoded:
        state = ImageState.load(image.state)
        if state is None:
            return Decoded((), (Problem("malformed", "the stored state is unreadable"),))
        regions: list[RemoteRegion] = []
        problems: list[Problem] = []
        for raw in state.annotations:
            if not isinstance(raw, Mapping):
                problems.append(Problem("malformed", "an annotation that is not an object"))
                continue
            reading = read_annotation(raw, width, height, state.masks.get(str(raw.get("id"))))
            if reading.problem == "":
                continue  # an empty input-level annotation: nothing to keep or say
            if not reading.remote_id:
                problems.append(Problem("malformed", reading.problem or "no id"))
                continue
            regions.append(self._remote_region(raw, reading))
        return Decoded(tuple(regions), tuple(problems))

    def _remote_region(self, raw: Mapping[str, Any], reading: Reading) -> RemoteRegion:
        worker = raw.get("worker") or {}
        author = (worker.get("user") or worker.get("model") or {}).get("id") or raw.get("user_id")
        if isinstance(reading.geometry, Tag):
            reading = self._tag_reading(reading)
        region = None
        with self.lock:
            name = self.concept_to_class.get(reading.concept_id or "")
        if isinstance(reading.geometry, Tag):
            name = self.tag_class
        if reading.geometry is not None and name is None:
            # a concept the app does not have: nothing Clarifai itself would store
            why = f"is broken: concept {reading.concept_id} is not one of the app's"
            reading = replace(reading, geometry=None, problem=why, malformed=True)
        if reading.geometry is not None:
            region = Region(reading.uuid, name, reading.geometry, dict(reading.attributes))
        problem = None if region else f"annotation {reading.remote_id} {reading.problem}"
        return RemoteRegion(
            key=reading.remote_id,
            uuid=reading.uuid,
            raw=raw,
            region=region,
            author=str(author) if author else None,
            problem=problem,
            problem_kind="malformed" if reading.malformed else "kept",
        )

    def _tag_reading(self, reading: Reading) -> Reading:
        """A classification's concepts as the tag class's choices (class names, sorted)."""
        with self.lock:
            names = [self.concept_to_class.get(cid) for cid in reading.tag_concepts]
        unknown = [cid for cid, n in zip(reading.tag_concepts, names, strict=True) if n is None]
        if unknown:
            why = f"is broken: concept {unknown[0]} is not one of the app's"
            return replace(reading, geometry=None, problem=why, malformed=True)
        return replace(reading, geometry=Tag(tuple(sorted(n for n in names if n))))

    def _encode_tag(self, region: Region, target: RemoteRegion | None) -> Any:
        tag = region.geometry
        assert isinstance(tag, Tag)
        if region.class_name != self.tag_class:
            raise Refused(
                f"an image tag goes to Clarifai as concepts of the image, in class "
                f"{self.tag_class!r}; {region.class_name!r} is no such class"
            )
        chosen = tag.value if isinstance(tag.value, tuple) else (tag.value,)
        with self.lock:
            ids = [self.class_to_concept.get(str(name)) for name in chosen]
        missing = [str(n) for n, cid in zip(chosen, ids, strict=True) if cid is None]
        if missing:
            raise Refused(f"{', '.join(missing)} are not concepts of the Clarifai app")
        remote_id = target.key if target is not None else remote_id_for(region.uuid)
        raw = target.raw if target is not None else None
        return tag_annotation_raw(
            remote_id, tag, [c for c in ids if c], region.attributes, target=raw
        )

    def concept_for(self, name: str) -> str:
        """The concept id of a class; a new class gets the id it will be created with."""
        with self.lock:
            found = self.class_to_concept.get(name)
            return found if found is not None else concept_id_for(name, set(self.concepts))

    def encode(
        self,
        region: Region,
        width: int,
        height: int,
        *,
        target: RemoteRegion | None,
        skeleton_edges: tuple[tuple[int, int], ...] = (),
    ) -> Any:
        if region.group is not None:
            raise Refused("Clarifai has no groups: ungroup this shape to send it")
        if isinstance(region.geometry, Tag):
            return self._encode_tag(region, target)
        if region.class_name is None:
            raise Refused("Clarifai regions need a concept: give this annotation a class")
        concept = self.concept_for(region.class_name)
        count = None
        with self.lock:
            failure = self.failures.get(region.uuid)
            if region.geometry.kind == "keypoints":
                info = (self.concepts.get(concept) or {}).get("keypoint_info") or {}
                count = len(info.get("keypoint_names") or []) or None
        if failure is not None and failure[0] == region_digest(region):
            raise Refused(f"Clarifai refused this annotation: {failure[1]}")
        try:
            info = region_info_for(region.geometry, width, height, count)
        except ClarifaiFormatError as exc:
            raise Refused(str(exc)) from exc
        if target is None:
            return annotation_raw(
                remote_id_for(region.uuid), region.geometry, region.attributes, info, concept
            )
        same_class = target.region is not None and target.region.class_name == region.class_name
        return annotation_raw(
            target.key,
            region.geometry,
            region.attributes,
            info,
            concept,
            target=target.raw,
            keep_concepts=same_class,
        )

    # -- queues -----------------------------------------------------------------------
    def queues(self) -> list[RemoteQueue]:
        """Tasks this user labels or reviews; their current batch of work as queues."""
        if not self.user_id:
            return []
        labels: dict[str, Assignment] = {}
        reviews: dict[str, Assignment] = {}
        out: list[RemoteQueue] = []
        for role, filters, action, into in (
            ("annotate", {"worker_user_ids": [self.user_id]}, "LABEL_START", labels),
            ("review", {"review_user_ids": [self.user_id]}, "REVIEW_START", reviews),
        ):
            for task in self.tasks(**filters):
                task_id = str(task["id"])
                try:
                    body = self.api.call(
                        "PutTaskAssignments", body={"action": action}, task_id=task_id
                    )
                except (ClarifaiError, NotFoundError) as exc:
                    log.warning("task %s: %s", task_id, exc)
                    continue
                keys: list[str] = []
                for item in self.api.items(body, "PutTaskAssignments", "task_assignments"):
                    key = str((item.get("input") or {}).get("id") or "")
                    if key:
                        keys.append(key)
                        into[key] = Assignment(task_id, str(item.get("id")), role)
                name = str(task.get("name") or task.get("description") or task_id)
                suffix, title = (
                    ("label", name) if role == "annotate" else ("review", f"{name} (review)")
                )
                out.append(
                    RemoteQueue(f"{task_id}:{suffix}", title, role, self.user_id, tuple(keys))
                )
        with self.lock:
            self.labels, self.reviews = labels, reviews
        return out

    # -- push -------------------------------------------------------------------------
    def apply(self, image: RemoteImage, plan: PushPlan, push: ImagePush) -> PushResult:
        return Pushing(self, image, plan, push).run()

    # -- files ------------------------------------------------------------------------
    def download(self, image: RemoteImage, target: Path) -> None:
        if not image.url:
            raise NotFoundError(f"input {image.key} has no image URL")
        self.t.download(image.url, target)

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

    ``settings`` may hold ``routes`` (RPC name such as ``ListConcepts`` -> path template,
    overriding the defaults), ``requests_per_second`` (default 15, Clarifai's limit) and
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
