"""Hasty API v1 adapter (``https://api.hasty.ai``, key in ``X-Api-Key``): codec and routes.

- ``project_ref`` is the Hasty project id; one Hasty image is one limner image, its key the
  image id. Pixels come from the image's ``public_url``, fetched without the API key.
- An image's state is what the server sent for it, untouched: ``{"image": <image>,
  "labels": [<label>, ...], "attributes": {<label id>: [<attribute value>, ...]}}``. Every
  label is one region; its raw form is ``{"label": ..., "attributes": [...]}`` taken from
  that state. A label limner cannot read is kept opaque and never written: broken ones
  (no class, a class the project does not have, absurd geometry) are reported as
  malformed, sound ones limner has no form for (an unknown keypoint schema, a polygon and
  a mask in one label) as kept.
- Label ids are assigned by the server, so the client key is the label's ``external_id``:
  ``limner:<uuid>``. Labels made elsewhere get a uuid derived from their Hasty id, and
  keep their own ``external_id``, ``z_index`` and ``external_event_id`` through an edit.
- A push carries out the plan it is given: deletes, full-label edits naming the label by
  ``id``, creates (batches in ``hasty_http``, never sent twice), then attribute values and
  the status. Hasty has no conditional write: before an edit or a delete the image's labels
  are read once, and a target that is not as the plan saw it stops the push with a
  conflict. A plan of creates only sends nothing but the creates.
- Polygons are written as closed rings (see ``hasty_format``). An edit of the class alone
  keeps every geometry field the server has, including those limner does not show.
- Image tags: each tag group is a limner tag class, and an image's tags of one group one
  limner tag (``hasty_tags``); they are read with the labels, only in projects that have
  tag classes. Rotated boxes, polylines, ellipses, lone points and groups have no Hasty
  form and are refused for that shape alone.
- Statuses: NEW/new, IN PROGRESS/in_progress, TO REVIEW/submitted, DONE and COMPLETED/
  approved, SKIPPED/skipped, AUTO-LABELLED/in_progress; custom statuses by name hints or
  the remote's ``statuses`` setting. "rejected" is written as a custom status mapped to it
  when one is known (setting ``status_ids`` or seen on an image), else as IN PROGRESS
  (back to the labeller); review comments stay local (v1 has nowhere to put them).
- Incremental pull: every run lists the images' metadata (100 per request) and fetches the
  labels of those updated since the cursor, those the project-wide label list reports as
  changed (``updated_since=<N>m``), and a rotating slice of the rest, since Hasty keeps no
  record of deleted labels. Queues exist only as ``queue_ids`` on images: each distinct id
  becomes a queue of the images carrying it.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

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
    chunked,
)
from limner.sync.adapters.hasty_format import (
    HastyFormatError,
    Unrepresentable,
    assign_uuids,
    canonical_status,
    external_id_for,
    geometry_fields,
    geometry_from_label,
    keypoints_as_sent,
    label_content,
    parse_time,
    status_body,
)
from limner.sync.adapters.hasty_http import PAGE_SIZE, HastyApi, HastyTransport
from limner.sync.adapters.hasty_schema import HastySchema, load_schema
from limner.sync.adapters.hasty_tags import TagSchema, load_tags, split_plan, tags_after
from limner.sync.errors import (
    AuthError,
    ConfigError,
    NotFoundError,
    RemoteConflictError,
    ValidationError,
)
from limner.sync.reconcile import PushPlan, StatusWrite
from limner.sync.retry import RetryPolicy
from limner.sync.transport import HeaderAuth, Transport

log = logging.getLogger("limner.sync.hasty")

KIND = "hasty"
DEFAULT_BASE_URL = "https://api.hasty.ai"
RESCAN_PER_SYNC = 50
# Image timestamps and the Date header have one-second resolution: look back a little.
SINCE_MARGIN_S = 2.0


class HastyAdapter(Adapter):
    kind = KIND
    capabilities = Capabilities(
        frozenset({"box", "polygon", "mask", "keypoints", "tag"}),
        review=True,
        queues=True,
        notes={
            "polygon": "Hasty polygons are one ring without holes",
            "box": "Hasty boxes are not rotated",
            "polyline": "Hasty labels have no polylines",
            "point": "Hasty has single points only as keypoints of a schema",
            "ellipse": "Hasty labels have no ellipses",
        },
        opaque=(
            "labels of keypoint schemas limner does not know",
            "labels holding two shapes at once (a polygon and a mask, or points and either)",
            "label fields limner does not show (z_index, tool_used, a bbox beside a mask)",
        ),
    )

    def __init__(
        self,
        transport: Transport,
        project_id: str,
        *,
        routes: Mapping[str, str] | None = None,
        page_size: int = PAGE_SIZE,
        rescan_per_sync: int = RESCAN_PER_SYNC,
        statuses: Mapping[str, str] | None = None,
        status_ids: Mapping[str, str] | None = None,
    ) -> None:
        self.api = HastyApi(transport, project_id, routes, page_size)
        self.t = transport
        self.project_id = str(project_id)
        self.page_size = self.api.page_size
        self.rescan_per_sync = max(0, int(rescan_per_sync))
        self.status_overrides = dict(statuses or {})
        self.status_ids = dict(status_ids or {})
        self.schema = HastySchema()
        self.tags = TagSchema()
        self._lock = threading.Lock()
        self._custom_statuses: dict[str, str] = {}  # status_id -> name, as seen on images
        self._listing: list[Mapping[str, Any]] | None = None
        self._listing_time: float | None = None

    # -- connection and project -----------------------------------------------------------
    def connect(self) -> RemoteInfo:
        self._listing = None
        self._listing_time = None
        try:
            project = self.api.object("project")
        except NotFoundError as exc:
            raise ConfigError(
                f"Hasty project {self.project_id} does not exist or this API key cannot see it"
            ) from exc
        content = str(project.get("content_type") or "IMAGES")
        if content != "IMAGES":
            raise ConfigError(
                f"Hasty project {project.get('name')!r} holds {content.lower()}; "
                "limner syncs image projects only"
            )
        self.schema = load_schema(self.api.paged, self.api.plain_list)
        self.tags = load_tags(self.api.paged, set(self.schema.class_ids))
        return RemoteInfo(
            server=urlsplit(self.t.base_url).netloc,
            edition="Hasty API v1",
            user="API key",
            project_title=str(project.get("name", "")),
        )

    def projects(self) -> list[tuple[str, str]]:
        """(id, name) of the projects this key can see (for the connect dialog)."""
        return [(str(p["id"]), str(p.get("name", ""))) for p in self.api.paged("projects")]

    def datasets(self) -> list[tuple[str, str]]:
        """(id, name) of the project's datasets."""
        return [(str(d["id"]), str(d.get("name", ""))) for d in self.api.paged("datasets")]

    def classes(self) -> list[ClassSpec]:
        return self.schema.class_specs() + self.tags.class_specs()

    # -- statuses -------------------------------------------------------------------------
    def _status_of(self, meta: Mapping[str, Any]) -> str | None:
        name = meta.get("status")
        status_id = meta.get("status_id")
        if status_id and name:
            with self._lock:
                self._custom_statuses[str(status_id)] = str(name)
        return canonical_status(
            str(name) if name is not None else None,
            str(status_id) if status_id else None,
            self.status_overrides,
        )

    def _status_body(self, status: str) -> dict[str, str]:
        with self._lock:
            seen = dict(self._custom_statuses)
        body = status_body(status, self.status_ids, seen, self.status_overrides)
        if body is None:
            raise ValidationError(f"limner status {status!r} has no Hasty equivalent")
        return body

    # -- pull -----------------------------------------------------------------------------
    def _image_listing(self) -> list[Mapping[str, Any]]:
        """Every image's metadata, once per run (reused by the sweep and the queues)."""
        if self._listing is None:
            started: float | None = None
            listing: list[Mapping[str, Any]] = []
            for item in self.api.paged("images"):
                if started is None and self.api.clock.latest is not None:
                    started = self.api.clock.latest.timestamp()
                listing.append(item)
            self._listing = listing
            latest = self.api.clock.latest
            self._listing_time = started or (latest.timestamp() if latest else None)
        return self._listing

    def _labels_touched_since(self, since: float) -> set[str] | None:
        """Images whose labels were created or edited since ``since`` (server time).

        The project-wide label list takes a relative interval ("90m"): the time since the
        last pull in minutes, rounded up, plus one as a margin. None if the server refuses
        the filter, in which case every image is looked at.
        """
        latest = self.api.clock.latest
        now = latest.timestamp() if latest is not None else time.time()
        minutes = max(1, math.ceil((now - since) / 60.0) + 1)
        try:
            found = self.api.paged("project_labels", {"updated_since": f"{minutes}m"})
            return {str(item.get("image_id")) for item in found}
        except (ValidationError, NotFoundError) as exc:
            log.warning("label change filter refused (%s); looking at every image", exc)
            return None

    def _candidates(self, cursor: str | None) -> tuple[list[Mapping[str, Any]], str]:
        """The images to look at this run, oldest change first, and the next cursor."""
        state: dict[str, Any] = {}
        if cursor:
            try:
                state = json.loads(cursor)
            except ValueError:
                state = {}
        listing = self._image_listing()
        started = self._listing_time if self._listing_time is not None else time.time()
        since = state.get("at")
        offset = int(state.get("rescan", 0) or 0)
        if since is None:
            candidates = list(listing)
        else:
            touched = self._labels_touched_since(float(since))
            window: set[str] = set()
            if listing and self.rescan_per_sync:
                offset %= len(listing)
                picked = (listing[offset:] + listing[:offset])[: self.rescan_per_sync]
                window = {str(m["id"]) for m in picked}
                offset = (offset + len(picked)) % len(listing)
            candidates = [
                m
                for m in listing
                if touched is None
                or str(m["id"]) in touched
                or str(m["id"]) in window
                or (parse_time(m.get("update_date")) or math.inf) >= float(since) - SINCE_MARGIN_S
            ]
        candidates.sort(key=lambda m: (str(m.get("update_date") or ""), str(m["id"])))
        return candidates, json.dumps({"at": started, "rescan": offset})

    def changed_images(self, cursor: str | None) -> Iterator[RemotePage]:
        candidates, new_cursor = self._candidates(cursor)
        if not candidates:
            yield RemotePage([], new_cursor)
            return
        chunks = list(chunked(candidates, self.page_size))
        for number, chunk in enumerate(chunks):
            images = []
            for meta in chunk:
                try:
                    images.append(self._remote_image(meta, self.api.labels(str(meta["id"]))))
                except NotFoundError:
                    continue  # deleted since the listing; the sweep flags it
            yield RemotePage(images, new_cursor if number == len(chunks) - 1 else None)

    def image_keys(self) -> set[str]:
        return {str(m["id"]) for m in self._image_listing()}

    def queues(self) -> list[RemoteQueue]:
        """Hasty v1 has no queue endpoints: each distinct ``queue_ids`` entry on the images
        becomes a queue of the images carrying it, in the server's listing order."""
        members: dict[str, list[str]] = {}
        for meta in self._image_listing():
            for queue_id in meta.get("queue_ids") or []:
                members.setdefault(str(queue_id), []).append(str(meta["id"]))
        return [
            RemoteQueue(queue_id, f"Queue {queue_id[:8]}", "annotate", None, tuple(keys))
            for queue_id, keys in members.items()
        ]

    def _label_attributes(self, labels: list[Mapping[str, Any]]) -> dict[str, list[Any]]:
        """Attribute values of the labels whose class has attributes (one GET each)."""
        out: dict[str, list[Any]] = {}
        for label in labels:
            if not self.schema.attributes_of(str(label.get("class_id"))):
                continue
            label_id = str(label.get("id"))
            out[label_id] = self.api.plain_list("label_attributes", label_id=label_id) or []
        return out

    def _remote_image(
        self, meta: Mapping[str, Any], labels: list[Mapping[str, Any]]
    ) -> RemoteImage:
        state = {"image": meta, "labels": labels, "attributes": self._label_attributes(labels)}
        if not self.tags.empty:
            state["tags"] = self.api.tags(str(meta["id"]))
        return RemoteImage(
            key=str(meta["id"]),
            name=str(meta.get("name") or meta["id"]),
            url=str(meta.get("public_url") or ""),
            version=str(meta.get("update_date") or ""),
            status=self._status_of(meta),
            state=state,
            identity=str(meta.get("uploaded_on") or "") or None,
        )

    def fetch_image(self, key: str) -> RemoteImage:
        return self._remote_image(self.api.object("image", image_id=key), self.api.labels(key))

    # -- codec ----------------------------------------------------------------------------
    def decode(self, image: RemoteImage, width: int, height: int) -> Decoded:
        state = image.state if isinstance(image.state, Mapping) else {}
        labels = state.get("labels")
        if not isinstance(labels, list):
            message = f"the stored state of Hasty image {image.key} has no label list"
            return Decoded((), (Problem("malformed", message, image.key),))
        values = state.get("attributes") if isinstance(state.get("attributes"), Mapping) else {}
        problems: list[Problem] = []
        good = []
        for index, item in enumerate(labels):
            if isinstance(item, Mapping) and item.get("id"):
                good.append(item)
                continue
            message = f"item {index} of image {image.key}'s labels is not a label: {item!r:.80}"
            problems.append(Problem("malformed", message, image.key))
        regions: list[RemoteRegion] = []
        for label, uuid in zip(good, assign_uuids(good), strict=True):
            key = str(label["id"])
            raw = {"label": label, "attributes": list(values.get(key) or [])}
            author = str(label.get("labeled_by") or "") or None
            try:
                region = self._read(label, uuid, width, height, raw["attributes"])
            except Unrepresentable as exc:
                note = f"label {key} is kept as it is on Hasty: {exc}"
                regions.append(RemoteRegion(key, uuid, raw, None, author=author, problem=note))
                continue
            except HastyFormatError as exc:
                note = f"label {key} is malformed and kept as it is on Hasty: {exc}"
                regions.append(
                    RemoteRegion(key, uuid, raw, None, None, author, note, "malformed")
                )
                continue
            regions.append(RemoteRegion(key, uuid, raw, region, author=author))
        if isinstance(state.get("tags"), list):
            regions.extend(self.tags.regions(image.key, state["tags"]))
        return Decoded(tuple(regions), tuple(problems))

    def _read(
        self, label: Mapping[str, Any], uuid: str, width: int, height: int, values: list[Any]
    ) -> Region:
        if not label.get("class_id"):
            raise HastyFormatError("the label has no class")
        class_id = str(label.get("class_id"))
        cls = self.schema.classes.get(class_id)
        if cls is None:
            # every label class of the project is listed: this label points at nothing
            raise HastyFormatError(f"its class {class_id} is not one of the project's classes")
        geometry = geometry_from_label(label, width, height, self.schema.keypoints.get(class_id))
        own = {str(v.get("id")): v.get("value") for v in values if isinstance(v, Mapping)}
        attributes: dict[str, Any] = {}
        for attribute in self.schema.attributes_of(class_id):
            value = own.get(str(attribute["id"]))
            if value is not None:
                attributes[str(attribute["name"])] = self.schema.from_hasty(attribute, value)
        return Region(uuid, str(cls.get("name")), geometry, attributes)

    def encode(
        self,
        region: Region,
        width: int,
        height: int,
        *,
        target: RemoteRegion | None,
        skeleton_edges: tuple[tuple[int, int], ...] = (),
    ) -> Any:
        """``{"label": <the POST or PUT item>, "attributes": {attribute id: value}}``."""
        if region.group is not None:
            raise Refused("Hasty labels have no groups: ungroup this shape to send it")
        if isinstance(region.geometry, Tag):
            return self.tags.encode(region)
        if region.class_name is None:
            raise Refused("Hasty labels need a class; give this shape one")
        class_id = self.schema.class_ids.get(region.class_name)
        if class_id is None:
            raise Refused(
                f"class {region.class_name!r} is not in the Hasty project's label classes"
            )
        attributes = self.schema.attributes_of(class_id)
        extra = sorted(set(region.attributes) - {str(a["name"]) for a in attributes})
        if extra:
            raise Refused(
                f"attribute(s) {', '.join(extra)} are not attributes of class "
                f"{region.class_name!r} on Hasty"
            )
        try:
            fields = geometry_fields(
                region.geometry, width, height, self.schema.keypoints.get(class_id)
            )
        except HastyFormatError as exc:
            raise Refused(str(exc)) from None
        values = {
            str(a["id"]): self.schema.to_hasty(a, region.attributes.get(str(a["name"])))
            for a in attributes
        }
        if target is None:
            label = {"class_id": class_id, **fields, "z_index": 0}
            label.update(external_id=external_id_for(region.uuid), external_event_id=None)
            return {"label": label, "attributes": values}
        old: Mapping[str, Any] = target.raw["label"]
        if target.region is not None and target.region.geometry == region.geometry:
            # only the class or attributes changed: the server's geometry stays as it is
            fields = {k: old.get(k) for k in ("bbox", "polygon", "mask", "tool_used")}
            fields["keypoints"] = keypoints_as_sent(old.get("keypoints"))
        label = {"id": target.key, "class_id": class_id, **fields}
        for key in ("z_index", "external_id", "external_event_id"):
            label[key] = old.get(key)
        return {"label": label, "attributes": values}

    # -- push -----------------------------------------------------------------------------
    def apply(self, image: RemoteImage, plan: PushPlan, push: ImagePush) -> PushResult:
        if plan.empty:
            return PushResult(None, None)
        try:
            return self._apply(image, plan)
        except NotFoundError as exc:
            # one image gone is that image's problem, not a reason to stop the whole run
            raise ValidationError(f"the image no longer exists on Hasty ({exc})") from exc

    def _apply(self, image: RemoteImage, plan: PushPlan) -> PushResult:
        state = image.state if isinstance(image.state, Mapping) else {}
        plan, tag_writes, tag_deletes = split_plan(plan)
        labels = [dict(x) for x in state.get("labels") or []]
        values = {k: list(v) for k, v in (state.get("attributes") or {}).items()}
        deletes = [d.target.key for d in plan.deletes]
        if plan.updates or plan.deletes:
            labels = [dict(x) for x in self.api.labels(image.key)]
            deletes = self._check_targets(image.key, labels, plan)
        self.api.delete_labels(image.key, deletes)
        gone = set(deletes)
        labels = [x for x in labels if str(x.get("id")) not in gone]
        by_id = {str(x.get("id")): i for i, x in enumerate(labels)}
        for item in self.api.edit_labels(image.key, [w.raw["label"] for w in plan.updates]):
            labels[by_id[str(item["id"])]] = dict(item)
        created = self.api.create_labels(image.key, [w.raw["label"] for w in plan.creates])
        labels.extend(dict(item) for item in created.values())
        keys = {w.uuid: str(created[external_id_for(w.uuid)]["id"]) for w in plan.creates}
        for write in (*plan.updates, *plan.creates):
            label_id = write.target.key if write.target else keys[write.uuid]
            have = write.target.raw["attributes"] if write.target else []
            values[label_id] = self.api.set_values(label_id, write.raw["attributes"], have)
        meta = state.get("image") or {}
        image_version = status = None
        if plan.status is not None:
            meta = self._write_status(image.key, plan.status)
            image_version = str(meta.get("update_date") or "") or None
            status = self._status_of(meta)
        new_state = {
            "image": meta,
            "labels": labels,
            "attributes": {k: v for k, v in values.items() if k not in gone},
        }
        if "tags" in state or tag_writes or tag_deletes:
            held = list(state.get("tags") or [])
            new_state["tags"] = tags_after(
                self.api, image.key, self.tags, tag_writes, tag_deletes, held
            )
        return PushResult(None, None, image_version, status, new_state, keys)

    def _check_targets(
        self, key: str, labels: list[Mapping[str, Any]], plan: PushPlan
    ) -> list[str]:
        """Stop with a conflict when a label to edit or delete is not as the plan saw it;
        the ids still to delete (one deleted on the server meanwhile needs nothing)."""
        current = {str(x.get("id")): x for x in labels}
        for write in plan.updates:
            assert write.target is not None
            there = current.get(write.target.key)
            if there is None or label_content(there) != label_content(write.target.raw["label"]):
                raise RemoteConflictError(
                    f"label {write.target.key} of image {key} changed on Hasty since the last pull"
                )
        deletes: list[str] = []
        for delete in plan.deletes:
            there = current.get(delete.target.key)
            if there is None:
                continue
            if label_content(there) != label_content(delete.target.raw["label"]):
                raise RemoteConflictError(
                    f"label {delete.target.key} of image {key} changed on Hasty since the last pull"
                )
            deletes.append(delete.target.key)
        return deletes

    def _write_status(self, key: str, status: StatusWrite) -> Mapping[str, Any]:
        body = self._status_body(status.status)
        self.api.retried("image_status", body=body, image_id=key)
        return self.api.object("image", image_id=key)

    # -- files ----------------------------------------------------------------------------
    def download(self, image: RemoteImage, target: Path) -> None:
        """``public_url`` needs no key (the vendor's client fetches it bare), so none is
        sent; an expired signed URL is replaced by a fresh one from the image. Control
        characters in the URL (an image name pasted into it unquoted) are sent the way a
        browser sends them; a URL that still cannot be requested fails this one image,
        not the whole pull."""
        url = image.url
        for attempt in range(2):
            if not url:
                raise NotFoundError(f"Hasty image {image.key} has no public URL")
            try:
                self.t.download(as_a_browser_sends(url), target, auth=False)
            except httpx.InvalidURL as exc:
                raise ValidationError(
                    f"the public URL of Hasty image {image.key} cannot be requested: {exc}"
                ) from exc
            except (NotFoundError, AuthError) as exc:
                if attempt:
                    raise NotFoundError(f"the file of Hasty image {image.key}: {exc}") from exc
                url = str(self.api.object("image", image_id=image.key).get("public_url") or "")
                continue
            return

    def close(self) -> None:
        self.t.close()


def as_a_browser_sends(url: str) -> str:
    """``url`` as a browser requests it (the WHATWG URL parser's rules for control
    characters): leading and trailing controls and spaces dropped, tabs and line breaks
    removed, every other C0 control and DEL percent-encoded. Nothing else changes, so a
    signed URL keeps its signature."""
    kept = url.strip("".join(map(chr, range(0x21)))).translate({9: None, 10: None, 13: None})
    return "".join(f"%{ord(c):02X}" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in kept)


def make_hasty_adapter(
    base_url: str,
    project_ref: str,
    token: str,
    *,
    policy: RetryPolicy | None = None,
    timeout: float = 30.0,
    settings: Mapping[str, Any] | None = None,
) -> HastyAdapter:
    """The adapter for one Hasty project; ``settings`` may hold ``routes``, ``page_size``,
    ``rescan_per_sync``, ``statuses`` (custom name or id -> limner status) and
    ``status_ids`` (limner status -> custom status id)."""
    settings = settings or {}
    transport = HastyTransport(
        base_url or DEFAULT_BASE_URL,
        HeaderAuth("X-Api-Key", token),
        policy=policy,
        timeout=timeout,
        max_connections=8,
    )
    return HastyAdapter(
        transport,
        project_ref,
        routes=settings.get("routes"),
        page_size=int(settings.get("page_size", PAGE_SIZE)),
        rescan_per_sync=int(settings.get("rescan_per_sync", RESCAN_PER_SYNC)),
        statuses=settings.get("statuses"),
        status_ids=settings.get("status_ids"),
    )


__all__ = ["HastyAdapter", "make_hasty_adapter"]
