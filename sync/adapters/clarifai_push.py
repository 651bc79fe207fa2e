"""One Clarifai image as the server sent it, and a push plan carried out on it.

:class:`ImageState` is the exact record of an input: the input and every annotation as
the server sent them, plus the PNGs of masks the server only gave by URL (fetched once,
so reading the state later sends no request). It is JSON and is stored as it is.

:class:`Pushing` carries out one :class:`~sync.reconcile.PushPlan` and nothing else:

- nothing is sent for an empty plan; what the plan keeps is never sent;
- before an edit or a deletion the input's annotations are read once: a target changed or
  gone since the state was taken stops the push as a conflict, before anything is written;
- creates are batched ``POST`` (at most 128 a call) with client-chosen ids; after a lost
  answer the input is looked at before anything is sent again (``write_then_verify``), and
  an id that exists already is limner's own earlier create, made current by an overwrite;
- edits are ``PATCH action=overwrite`` of the encoded annotation, deletions batch
  ``DELETE`` with matching ``ids``/``input_ids`` (one by one when some are gone already);
- statuses only when the plan has one: as annotation statuses, through the user's task
  (``LABEL_SUBMIT``, ``REVIEW_APPROVE``/``REVIEW_REJECT``), and in the input's metadata
  where annotations cannot say it. Region writes alone keep limner's metadata note current
  (its fingerprint), so they never change what the image's status reads as;
- items of a batch the server refused are remembered by the adapter (the engine re-reads
  the image and plans again, and the adapter's encoder then refuses them with the
  server's words) and the push ends with :class:`PartialPushError`.

The result carries the image's new state, built from the server's own answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from limner.sync.adapters.base import (
    ImagePush,
    PushResult,
    RemoteImage,
    chunked,
    raw_digest,
)
from limner.sync.adapters.clarifai_format import (
    ANNOTATION_PENDING,
    DUPLICATE_KEY,
    META_KEY,
    RETRY_CODES,
    STATUS_TO_CODE,
    derive_status,
    fingerprint,
    status_code,
)
from limner.sync.adapters.clarifai_geometry import keypoint_info_for
from limner.sync.adapters.clarifai_http import ClarifaiError, item_failures
from limner.sync.errors import NotFoundError, RemoteConflictError, TransientError, ValidationError
from limner.sync.rest import write_then_verify

if TYPE_CHECKING:
    from limner.sync.adapters.clarifai import ClarifaiAdapter
    from limner.sync.reconcile import PushPlan, Write

log = logging.getLogger("limner.sync.clarifai")

BATCH = 128  # annotations per POST/PATCH/DELETE (Clarifai's limit)
_EXTENSIONS = {"JPEG": ".jpg", "JPG": ".jpg", "PNG": ".png", "TIFF": ".tif", "WEBP": ".webp"}


class PartialPushError(RemoteConflictError):
    """Some annotations of a batch were refused and the others stored.

    A conflict on purpose: the engine then re-reads the image (recording what was stored)
    and plans again, and this time the adapter refuses the annotations the server refused,
    so each one is reported with the server's message and stays dirty.
    """


@dataclass(frozen=True, slots=True)
class Assignment:
    task_id: str
    id: str
    role: str


def _version(annotation: Mapping[str, Any]) -> str:
    """What tells one state of an annotation from another (Clarifai has no versions)."""
    return str(annotation.get("modified_at") or raw_digest(annotation))


@dataclass(slots=True)
class ImageState:
    input: dict[str, Any]
    annotations: list[dict[str, Any]]
    masks: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        item: Mapping[str, Any],
        annotations: Sequence[Mapping[str, Any]],
        fetch: Callable[[Sequence[Mapping[str, Any]]], dict[str, str]],
        known: ImageState | None = None,
    ) -> ImageState:
        """A state from the server's answers; mask PNGs already known are not fetched again."""
        before = {str(a.get("id")): _version(a) for a in (known.annotations if known else [])}
        reuse = {
            str(a.get("id")): known.masks[str(a.get("id"))]
            for a in annotations
            if known
            and str(a.get("id")) in known.masks
            and before.get(str(a.get("id"))) == _version(a)
        }
        fresh = fetch([a for a in annotations if str(a.get("id")) not in reuse])
        return cls(dict(item), [dict(a) for a in annotations], {**reuse, **fresh})

    @classmethod
    def load(cls, state: Any) -> ImageState | None:
        if not isinstance(state, Mapping) or not isinstance(state.get("input"), Mapping):
            return None
        annotations = state.get("annotations")
        masks = state.get("masks") or {}
        if not isinstance(annotations, list) or not isinstance(masks, Mapping):
            return None
        return cls(dict(state["input"]), list(annotations), dict(masks))

    def dump(self) -> dict[str, Any]:
        return {"input": self.input, "annotations": self.annotations, "masks": self.masks}

    @property
    def fingerprint(self) -> str:
        return fingerprint(a for a in self.annotations if isinstance(a, Mapping))

    def meta(self) -> Mapping[str, Any] | None:
        """limner's note in the input's metadata, when it belongs to these annotations."""
        entry = ((self.input.get("data") or {}).get("metadata") or {}).get(META_KEY)
        if isinstance(entry, Mapping) and entry.get("fp") == self.fingerprint:
            return entry
        return None

    def derived_status(self) -> str:
        return derive_status(
            status_code(a.get("status"))
            for a in self.annotations
            if isinstance(a, Mapping) and not a.get("input_level")
        )

    def put(self, items: Sequence[Mapping[str, Any]]) -> None:
        """The server's answers replace (or join) the annotations they are."""
        fresh = {str(i.get("id")): dict(i) for i in items}
        kept = [a for a in self.annotations if str(a.get("id")) not in fresh]
        self.annotations = kept + list(fresh.values())

    def drop(self, ids: Sequence[str]) -> None:
        gone = set(ids)
        self.annotations = [a for a in self.annotations if str(a.get("id")) not in gone]
        self.masks = {k: v for k, v in self.masks.items() if k not in gone}


def remote_image(state: ImageState) -> RemoteImage:
    """The engine's view of one input; its status from the annotations or limner's note."""
    item = state.input
    key = str(item["id"])
    image = (item.get("data") or {}).get("image") or {}
    status = state.derived_status()
    review = None
    meta = state.meta()
    if meta is not None and meta.get("status") in STATUS_TO_CODE:
        status = str(meta["status"])
        review = meta.get("review") if isinstance(meta.get("review"), Mapping) else None
    return RemoteImage(
        key=key,
        name=_image_name(key, image),
        url=_image_url(image),
        version=f"{item.get('modified_at') or ''}|{state.fingerprint}",
        status=status,
        container_key=key,
        container_version=state.fingerprint,
        state=state.dump(),
        review=review,
        identity=str(item.get("created_at") or "") or None,
    )


def _image_url(image: Mapping[str, Any]) -> str:
    hosted = image.get("hosted") or {}
    sizes = hosted.get("sizes") or []
    if hosted.get("prefix") and hosted.get("suffix") and "orig" in sizes:
        return "/".join([str(hosted["prefix"]).rstrip("/"), "orig", str(hosted["suffix"])])
    return str(image.get("url") or "")


def _image_name(key: str, image: Mapping[str, Any]) -> str:
    url = str(image.get("url") or "")
    if url and not image.get("hosted"):  # added by URL: the original file name
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        if name:
            return name
    fmt = str((image.get("image_info") or {}).get("format") or "").upper()
    return f"{key}{_EXTENSIONS.get(fmt, '')}"


@dataclass(frozen=True, slots=True)
class _Statuses:
    """The annotation statuses a push sets, and the task action that follows it."""

    create: int
    change: int | None  # for edited annotations and the ones limner reads; None: untouched
    task_id: str | None
    action: tuple[Assignment, str, str] | None = None


class Pushing:
    """One plan carried out on one input (see the module's description)."""

    def __init__(
        self, adapter: ClarifaiAdapter, image: RemoteImage, plan: PushPlan, push: ImagePush
    ) -> None:
        self.a, self.api = adapter, adapter.api
        self.key = image.key
        self.plan, self.push = plan, push
        stored = ImageState.load(image.state)
        self.state = stored or ImageState({"id": image.key}, [])
        self.before = ImageState(dict(self.state.input), list(self.state.annotations))
        self.refused: dict[str, str] = {}  # uuid -> the server's words
        self.keys: dict[str, str] = {}

    def run(self) -> PushResult:
        plan = self.plan
        if plan.empty:
            return self._result()
        creates, overwrites = list(plan.creates), list(plan.updates)
        if plan.updates or plan.deletes:
            present = self._verify()
            overwrites += [w for w in creates if w.raw["id"] in present]
            creates = [w for w in creates if w.raw["id"] not in present]
        self._ensure_concepts([*creates, *overwrites])
        statuses = self._statuses()
        overwrites += self._create(creates, statuses)
        self._overwrite(overwrites, statuses)
        self._delete([d.target.key for d in plan.deletes])
        self._settle_refusals()
        if plan.status is not None:
            self._write_status(statuses)
        elif plan.writes_regions:
            self._keep_note_current()
        return self._result()

    # -- reading ---------------------------------------------------------------------------
    def _verify(self) -> set[str]:
        """Read the input's annotations; a target changed or gone since is a conflict."""
        current = self.a.annotations_of([self.key]).get(self.key, [])
        by_id = {str(a.get("id")): a for a in current}
        targets = [w.target for w in self.plan.updates] + [d.target for d in self.plan.deletes]
        for target in targets:
            assert target is not None
            now = by_id.get(target.key)
            if now is None:
                raise RemoteConflictError(
                    f"input {self.key}: annotation {target.key} was deleted on Clarifai "
                    "since the last sync"
                )
            if _version(now) != _version(target.raw):
                raise RemoteConflictError(
                    f"input {self.key}: annotation {target.key} changed on Clarifai since "
                    "the last sync"
                )
        self.state = ImageState.of(self.state.input, current, self.a.masks, self.state)
        self.before = ImageState(dict(self.state.input), list(self.state.annotations))
        return set(by_id)

    # -- concepts --------------------------------------------------------------------------
    def _ensure_concepts(self, writes: Sequence[Write]) -> None:
        """Concepts for the classes written (created on first use), skeletons on them."""
        wanted: dict[str, str] = {}
        for write in writes:
            regions = write.raw["data"].get("regions") or []
            if not regions:
                continue  # an image tag names concepts the app has (encode checked them)
            for concept in (regions[0].get("data") or {}).get("concepts") or []:
                wanted[str(concept["id"])] = write.region.class_name or str(concept["id"])
        with self.a.lock:
            missing = {cid: name for cid, name in wanted.items() if cid not in self.a.concepts}
        if missing:
            self._create_concepts(missing)
        for cid, name in wanted.items():
            points = [
                len(w.region.geometry.points)  # type: ignore[union-attr]
                for w in writes
                if w.region.class_name == name and w.region.geometry.kind == "keypoints"
            ]
            if points:
                self._ensure_skeleton(cid, name, max(points))

    def _create_concepts(self, missing: Mapping[str, str]) -> None:
        new = [{"id": cid, "name": name} for cid, name in missing.items()]
        try:
            answer = self.api.call("PostConcepts", body={"concepts": new})
            made = self.api.items(answer, "PostConcepts", "concepts")
        except ClarifaiError:
            made = []  # created meanwhile by someone else? read them again
        with self.a.lock:
            for concept in made:
                self.a.concepts[str(concept["id"])] = dict(concept)
                self.a.name_concept(str(concept["id"]), concept)
        if not made:
            self.a.load_concepts()
        with self.a.lock:
            still = [name for cid, name in missing.items() if cid not in self.a.concepts]
        if still:
            raise ValidationError(f"Clarifai did not create concepts for {', '.join(still)}")

    def _ensure_skeleton(self, cid: str, name: str, count: int) -> None:
        with self.a.lock:
            concept = dict(self.a.concepts.get(cid) or {"id": cid})
        info = concept.get("keypoint_info") or {}
        names = list(info.get("keypoint_names") or [])
        edges = tuple(self.push.skeleton_edges.get(name, ()))
        current = tuple(
            (int(e.get("k1", 0)), int(e.get("k2", 0))) for e in info.get("skeleton") or []
        )
        if names and (not edges or set(edges) == set(current)):
            return
        update = {
            "id": cid,
            "name": str(concept.get("name") or name),
            "keypoint_info": keypoint_info_for(
                names or [f"point {i + 1}" for i in range(count)], edges or current
            ),
        }
        answer = self.api.call("PatchConcepts", body={"action": "overwrite", "concepts": [update]})
        with self.a.lock:
            for item in self.api.items(answer, "PatchConcepts", "concepts") or [update]:
                self.a.concepts[str(item["id"])] = {**concept, **item}

    # -- statuses --------------------------------------------------------------------------
    def _statuses(self) -> _Statuses:
        with self.a.lock:
            label, review = self.a.labels.get(self.key), self.a.reviews.get(self.key)
        task_id = (label or review).task_id if (label or review) else None
        current = STATUS_TO_CODE.get(self.push.status, ANNOTATION_PENDING)
        target = self.plan.status
        if target is None:
            return _Statuses(current, None, task_id)
        decision = str((target.review or {}).get("decision") or "")
        if review is not None and decision in ("approve", "reject"):
            action = (
                (review, "REVIEW_APPROVE", "review_approve_config")
                if decision == "approve"
                else (review, "REVIEW_REJECT", "review_reject_config")
            )
            return _Statuses(STATUS_TO_CODE.get(target.status, current), None, task_id, action)
        if label is not None and target.status == "submitted":
            submit = (label, "LABEL_SUBMIT", "label_submit_config")
            return _Statuses(ANNOTATION_PENDING, ANNOTATION_PENDING, label.task_id, submit)
        direct = STATUS_TO_CODE.get(target.status, ANNOTATION_PENDING)
        return _Statuses(direct, direct, task_id)

    def _body(self, raw: Mapping[str, Any], code: int | None, task_id: str | None) -> dict:
        body: dict[str, Any] = {**raw, "input_id": self.key}
        if code is not None:
            body["status"] = {"code": code}
        if task_id:
            body["task_id"] = task_id
        return body

    # -- writing ---------------------------------------------------------------------------
    def _batch(
        self, rpc: str, body: dict[str, Any], sent: Sequence[Mapping[str, Any]], retry: bool
    ) -> tuple[list[dict[str, Any]], dict[str, tuple[int | None, str]]]:
        """One batch call: the annotations stored, and those refused (id -> code, words)."""
        try:
            answer = self.api.call(rpc, body=body, retry=retry)
        except ClarifaiError as exc:
            answer = exc.body if isinstance(exc.body, dict) else {}
            if not answer.get("annotations"):
                raise  # refused as a whole, no word on single items: the image is parked
        items = self.api.items(answer, rpc, "annotations")
        failed = item_failures(sent, items)
        ids = {str(s["id"]) for s in sent}
        stored = [i for i in items if str(i.get("id")) in ids and str(i["id"]) not in failed]
        return stored, failed

    def _post(
        self, chunk: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], dict[str, tuple[int | None, str]]]:
        """POST one batch; after a lost answer, look at the input before sending again."""
        remaining = list(chunk)
        landed: list[dict[str, Any]] = []

        def write() -> tuple[list[dict[str, Any]], dict[str, tuple[int | None, str]]]:
            return self._batch("PostAnnotations", {"annotations": remaining}, remaining, False)

        def applied() -> tuple[list[dict[str, Any]], dict[str, tuple[int | None, str]]] | None:
            present = {
                str(a.get("id")): a for a in self.a.annotations_of([self.key]).get(self.key, [])
            }
            landed.extend(present[str(b["id"])] for b in remaining if str(b["id"]) in present)
            remaining[:] = [b for b in remaining if str(b["id"]) not in present]
            return None if remaining else ([], {})

        policy = self.a.t.policy
        stored, failed = write_then_verify(
            write,
            applied,
            attempts=policy.attempts,
            sleep=lambda seconds: policy.sleeper(min(seconds, policy.max_retry_after)),
            wait=lambda attempt: policy.delay(attempt, None),
            on_retry=lambda attempt, exc: log.warning("create, attempt %d: %s", attempt + 1, exc),
        )
        return landed + stored, failed

    def _create(self, writes: Sequence[Write], statuses: _Statuses) -> list[Write]:
        """Creates, in batches; returns those whose id exists already (to overwrite)."""
        by_id = {str(w.raw["id"]): w for w in writes}
        bodies = [self._body(w.raw, statuses.create, statuses.task_id) for w in writes]
        existing: list[Write] = []
        for chunk in chunked(bodies, BATCH):
            stored, failed = self._post(list(chunk))
            self.state.put(stored)
            self.keys.update({by_id[str(s["id"])].uuid: str(s["id"]) for s in stored})
            for rid, (code, words) in failed.items():
                if code == DUPLICATE_KEY:
                    existing.append(by_id[rid])  # limner's own earlier create
                else:
                    self._refuse(by_id[rid].uuid, code, words)
        return existing

    def _overwrite(self, writes: Sequence[Write], statuses: _Statuses) -> None:
        by_id = {str(w.raw["id"]): w for w in writes}
        bodies = [self._body(w.raw, statuses.change, statuses.task_id) for w in writes]
        for chunk in chunked(bodies, BATCH):
            body = {"action": "overwrite", "annotations": list(chunk)}
            stored, failed = self._batch("PatchAnnotations", body, chunk, True)
            self.state.put(stored)
            for rid, (code, words) in failed.items():
                self._refuse(by_id[rid].uuid, code, words)

    def _delete(self, ids: Sequence[str]) -> None:
        for chunk in chunked(list(ids), BATCH):
            body = {"ids": list(chunk), "input_ids": [self.key] * len(chunk)}
            try:
                self.api.call("DeleteAnnotations", body=body)
            except NotFoundError:
                # one of them is gone already: delete the others one by one
                for rid in chunk:
                    try:
                        self.api.call("DeleteAnnotation", input_id=self.key, annotation_id=rid)
                    except NotFoundError:
                        continue
            self.state.drop(list(chunk))

    def _refuse(self, uuid: str, code: int | None, words: str) -> None:
        if code in RETRY_CODES:
            raise TransientError(f"input {self.key}: Clarifai could not store it now: {words}")
        self.refused[uuid] = words

    def _settle_refusals(self) -> None:
        """Remember what the server refused; forget refusals of what it stored now."""
        writes = {w.uuid: w for w in (*self.plan.creates, *self.plan.updates)}
        with self.a.lock:
            for uuid in writes:
                self.a.failures.pop(uuid, None)
            for uuid, words in self.refused.items():
                self.a.failures[uuid] = (writes[uuid].digest, words)
        if self.refused:
            detail = "; ".join(f"{uuid}: {words}" for uuid, words in self.refused.items())
            raise PartialPushError(
                f"input {self.key}: Clarifai refused {len(self.refused)} annotations: {detail}"
            )

    def _write_status(self, statuses: _Statuses) -> None:
        if statuses.change is not None:
            self._set_codes(statuses)
        if statuses.action is not None:
            assignment, action, config = statuses.action
            self.api.call(
                "PutTaskAssignments",
                body={"action": action, config: {"task_assignments": [{"id": assignment.id}]}},
                task_id=assignment.task_id,
            )
            # the task moved the annotations' statuses: read them as they are now
            current = self.a.annotations_of([self.key]).get(self.key, [])
            self.state = ImageState.of(self.state.input, current, self.a.masks, self.state)
        status = self.plan.status
        assert status is not None
        entry: dict[str, Any] = {"status": status.status, "fp": self.state.fingerprint}
        if status.review:
            entry["review"] = {k: str(v) for k, v in status.review.items() if v is not None}
        self._write_note(entry)

    def _set_codes(self, statuses: _Statuses) -> None:
        """The image's status on the annotations limner reads (their content untouched)."""
        written = {w.uuid for w in (*self.plan.creates, *self.plan.updates)}
        merges = []
        for keep in self.plan.keeps:
            if keep.region is None or keep.uuid in written:
                continue
            if status_code((keep.raw or {}).get("status")) == statuses.change:
                continue
            merge: dict[str, Any] = {
                "id": keep.key,
                "input_id": self.key,
                "status": {"code": statuses.change},
            }
            if statuses.action is not None and statuses.task_id:
                merge["task_id"] = statuses.task_id
            merges.append(merge)
        for chunk in chunked(merges, BATCH):
            body = {"action": "merge", "annotations": list(chunk)}
            stored, failed = self._batch("PatchAnnotations", body, chunk, True)
            self.state.put(stored)
            if failed:
                detail = "; ".join(f"{rid}: {words}" for rid, (_c, words) in failed.items())
                raise ValidationError(f"Clarifai refused the status of annotations: {detail}")

    def _keep_note_current(self) -> None:
        """Region writes alone: a note that said the status still says it afterwards."""
        note = self.before.meta()
        if note is None or self.state.derived_status() == note.get("status"):
            return
        self._write_note({**note, "fp": self.state.fingerprint})

    def _write_note(self, entry: Mapping[str, Any]) -> None:
        """limner's status (and review) where annotations cannot say it, tied to them."""
        note = {"id": self.key, "data": {"metadata": {META_KEY: dict(entry)}}}
        answer = self.api.call("PatchInputs", body={"action": "merge", "inputs": [note]})
        inputs = self.api.items(answer, "PatchInputs", "inputs")
        if inputs:
            self.state.input = inputs[0]

    def _result(self) -> PushResult:
        image = remote_image(self.state)
        return PushResult(
            container_key=self.key,
            container_version=image.container_version,
            image_version=image.version,
            status=self.plan.status.status if self.plan.status is not None else None,
            state=image.state,
            keys=dict(self.keys),
        )
