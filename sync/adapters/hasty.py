"""Hasty API v1 adapter (``https://api.hasty.ai``, key in ``X-Api-Key``).

Mapping (see ``shared/api/hasty.md``; geometry conventions in ``hasty_format``):

- ``project_ref`` is the Hasty project id; one Hasty image is one limner image, its key
  the image id. Pixels come from the image's ``public_url``, fetched without the API key.
- Every Hasty label is one limner region. Label ids are assigned by the server, so the
  client key is the label's ``external_id``: ``limner:<uuid>``. Labels made elsewhere get
  a uuid derived from their Hasty id. A create whose answer is lost (timeout, 5xx,
  malformed body) is never blindly sent again: the image's labels are listed first and
  only the ``external_id``s still missing are created.
- An image's "container version" is a hash of its labels' content. A push lists the
  labels first and stops with a conflict when the hash differs from the one last pulled
  or pushed; the engine then merges the server's state and pushes again. Hasty has no
  conditional write, so the window between that check and the writes stays open (small).
- A push makes the server match limner: deletes (204) of labels limner pulled or created
  and no longer has, full-geometry edits (``PUT``, bare arrays of at most 100), creates
  (``POST``, same limit), label attribute values, then the status
  (``PUT .../images/{id}/status``). Labels limner cannot read, and regions refused by
  ``check_region`` (a polygon with holes...), stay on the server untouched.
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

import email.utils
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
from sync.adapters.hasty_format import (
    BATCH_LIMIT,
    WRITE_STATUSES,
    HastyFormatError,
    KeypointSchema,
    assign_uuids,
    canonical_status,
    comparable,
    external_id_for,
    geometry_fields,
    geometry_from_label,
    labels_version,
    normalize_status_name,
    parse_color,
    uuid_from_external,
)
from sync.errors import (
    AuthError,
    ConfigError,
    NotFoundError,
    RemoteConflictError,
    TransientError,
    ValidationError,
)
from sync.retry import RetryPolicy
from sync.transport import HeaderAuth, Transport, error_message

log = logging.getLogger("limner.sync.hasty")

KIND = "hasty"
DEFAULT_BASE_URL = "https://api.hasty.ai"
PAGE_SIZE = 100
RESCAN_PER_SYNC = 50
# Image timestamps and the Date header have one-second resolution: look back a little.
SINCE_MARGIN_S = 2.0

# Operation -> path. Every path can be overridden through the remote's ``routes`` setting;
# the ones marked inferred are not confirmed by the vendor's code (digest section 2).
ROUTES: dict[str, str] = {
    "projects": "/v1/projects",
    "project": "/v1/projects/{project_id}",
    "datasets": "/v1/projects/{project_id}/datasets",
    "label_classes": "/v1/projects/{project_id}/label_classes",
    "attributes": "/v1/projects/{project_id}/attributes",
    "attribute_classes": "/v1/projects/{project_id}/attributes_classes",
    "keypoint_schemas": "/v1/projects/{project_id}/keypoint_schemas",  # inferred
    "keypoint_schema_classes": "/v1/projects/{project_id}/keypoint_schemas_classes",  # inferred
    "images": "/v1/projects/{project_id}/images",
    "image": "/v1/projects/{project_id}/images/{image_id}",
    "image_status": "/v1/projects/{project_id}/images/{image_id}/status",
    "image_labels": "/v1/projects/{project_id}/images/{image_id}/labels",
    "project_labels": "/v1/projects/{project_id}/labels",
    "label_attributes": "/v1/projects/{project_id}/labels/{label_id}/attributes",
    "label_attribute": "/v1/projects/{project_id}/labels/{label_id}/attributes/{attribute_id}",
}
INFERRED_ROUTES = frozenset({"keypoint_schemas", "keypoint_schema_classes"})

# Hasty attribute types -> limner attribute types (models/attributes.py).
ATTRIBUTE_TYPES = {
    "SELECTION": "choice",
    "MULTIPLE-SELECTION": "multi",
    "TEXT": "text",
    "INT": "number",
    "FLOAT": "number",
    "BOOL": "bool",
}


class HastyTransport(Transport):
    """Transport that also knows Hasty's 402 (the workspace is out of credits).

    402 is not about one image, so parking images would hide it; it stops the run with
    the server's message, like a configuration problem.
    """

    def _raise_for(self, response: httpx.Response) -> None:
        if response.status_code == 402:
            raise ConfigError(
                f"{urlsplit(self.base_url).netloc} answered 402: {error_message(response)} "
                "(the Hasty workspace is out of credits)"
            )
        super()._raise_for(response)


def _parse_time(value: object) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class HastyAdapter(Adapter):
    kind = KIND
    capabilities = Capabilities(
        frozenset({"box", "polygon", "mask", "keypoints"}),
        review=True,
        queues=True,
        notes={"polygon": "Hasty polygons are one ring without holes"},
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
        unknown = set(routes or {}) - set(ROUTES)
        if unknown:
            raise ConfigError(f"unknown Hasty routes in the settings: {', '.join(sorted(unknown))}")
        self.t = transport
        self.project_id = str(project_id)
        self.routes = {**ROUTES, **dict(routes or {})}
        self.page_size = max(1, min(int(page_size), PAGE_SIZE))
        self.rescan_per_sync = max(0, int(rescan_per_sync))
        self.status_overrides = dict(statuses or {})
        self.status_ids = dict(status_ids or {})
        self._lock = threading.Lock()
        self._refused: set[str] = set()
        self._edit_key = "id"  # the seed's key; PY 0.3.12 sends "label_id" (digest 3.9)
        self._edit_key_known = False
        self._custom_statuses: dict[str, str] = {}  # status_id -> name, as seen on images
        self._classes: dict[str, dict[str, Any]] = {}  # class id -> label class
        self._class_ids: dict[str, str] = {}  # name -> class id
        self._schemas: dict[str, KeypointSchema] = {}  # class id -> keypoint schema
        self._attributes: dict[str, dict[str, Any]] = {}  # attribute id -> attribute
        self._class_attributes: dict[str, list[str]] = {}  # class id -> attribute ids
        self._listing: list[dict[str, Any]] | None = None
        self._listing_time: float | None = None
        self._server_now: float | None = None

    # -- HTTP -----------------------------------------------------------------------------
    def path(self, operation: str, **values: str) -> str:
        return self.routes[operation].format(project_id=self.project_id, **values)

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        expect_json: bool = True,
    ) -> tuple[Any, httpx.Response]:
        """One request without retries: the parsed body (None for 204) and the response.

        A body that is not JSON is a transient failure: the answer got mangled on the way
        and the same request, or a look-up, will tell what really happened.
        """
        response = self.t.request(method, path, params=params, json=json_body, retry=False)
        self._note_time(response)
        if not expect_json or response.status_code == 204 or not response.content:
            return None, response
        try:
            return response.json(), response
        except ValueError as exc:
            raise TransientError(
                f"{urlsplit(self.t.base_url).netloc} sent a malformed answer to "
                f"{method} {path}: {response.text[:80]!r}"
            ) from exc

    def _retrying(self, call: Callable[[], Any]) -> Any:
        return self.t.policy.run(call, on_retry=self._log_retry)

    @staticmethod
    def _log_retry(attempt: int, wait: float, exc: TransientError) -> None:
        log.warning("retry %d in %.1f s after: %s", attempt + 1, wait, exc)

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._retrying(lambda: self._call("GET", path, params=params)[0])

    def _note_time(self, response: httpx.Response) -> None:
        """The server's clock (Date header), so "changed since" never depends on ours."""
        value = response.headers.get("date")
        if not value:
            return
        try:
            self._server_now = email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            return

    def _paged(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict]:
        """Items of a paged list: ``offset`` advances by what came back, up to meta.total."""
        offset = 0
        while True:
            query = {**dict(params or {}), "offset": offset, "limit": self.page_size}
            body = self._get(path, query)
            if not isinstance(body, dict) or not isinstance(body.get("items"), list):
                raise TransientError(f"the answer to GET {path} has no item list")
            items = body["items"]
            yield from items
            offset += len(items)
            total = int((body.get("meta") or {}).get("total", 0))
            if not items or offset >= total:
                return

    def _plain_list(self, operation: str) -> list[dict[str, Any]] | None:
        """A plain-array list on an inferred route; None when the server does not have it."""
        try:
            body = self._get(self.path(operation))
        except NotFoundError:
            log.info("no %s on this server (%s)", operation, self.routes[operation])
            return None
        if isinstance(body, dict) and isinstance(body.get("items"), list):
            return body["items"]
        return body if isinstance(body, list) else None

    # -- connection and project -----------------------------------------------------------
    def connect(self) -> RemoteInfo:
        self._listing = None
        self._listing_time = None
        try:
            project = self._get(self.path("project"))
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
        self._load_schema()
        return RemoteInfo(
            server=urlsplit(self.t.base_url).netloc,
            edition="Hasty API v1",
            user="API key",
            project_title=str(project.get("name", "")),
        )

    def projects(self) -> list[tuple[str, str]]:
        """(id, name) of the projects this key can see (for the connect dialog)."""
        return [(str(p["id"]), str(p.get("name", ""))) for p in self._paged(ROUTES["projects"])]

    def datasets(self) -> list[tuple[str, str]]:
        """(id, name) of the project's datasets."""
        return [(str(d["id"]), str(d.get("name", ""))) for d in self._paged(self.path("datasets"))]

    def _load_schema(self) -> None:
        classes = list(self._paged(self.path("label_classes")))
        self._classes = {str(c["id"]): c for c in classes}
        self._class_ids = {}
        for c in classes:
            self._class_ids.setdefault(str(c.get("name")), str(c["id"]))
        self._schemas = {}
        schemas = self._plain_list("keypoint_schemas") or []
        mapping = self._plain_list("keypoint_schema_classes") or []
        by_id: dict[str, KeypointSchema] = {}
        for schema in schemas:
            points = sorted(
                schema.get("keypoint_classes") or [], key=lambda k: float(k.get("norder") or 0)
            )
            index = {str(p["id"]): i for i, p in enumerate(points)}
            edges = tuple(
                (index[str(e["keypoint_class_id_a"])], index[str(e["keypoint_class_id_b"])])
                for e in schema.get("keypoint_skeleton") or []
                if str(e.get("keypoint_class_id_a")) in index
                and str(e.get("keypoint_class_id_b")) in index
            )
            by_id[str(schema["id"])] = KeypointSchema(
                str(schema["id"]),
                tuple(str(p.get("name")) for p in points),
                tuple(str(p["id"]) for p in points),
                edges,
            )
        for row in mapping:
            schema = by_id.get(str(row.get("keypoint_schema_id")))
            if schema is not None and schema.names:
                self._schemas[str(row.get("label_class_id"))] = schema
        self._attributes = {}
        self._class_attributes = {}
        attributes = [
            a
            for a in self._paged(self.path("attributes"))
            if str(a.get("subject_type") or "LABEL") == "LABEL" and a.get("type") in ATTRIBUTE_TYPES
        ]
        if attributes:
            self._attributes = {str(a["id"]): a for a in attributes}
            links = self._get(self.path("attribute_classes"))
            rows = links.get("items", []) if isinstance(links, dict) else links or []
            rows = sorted(rows, key=lambda r: float(r.get("attribute_order") or 0))
            for row in rows:
                attribute_id = str(row.get("attribute_id"))
                if attribute_id in self._attributes:
                    self._class_attributes.setdefault(str(row.get("class_id")), []).append(
                        attribute_id
                    )

    def classes(self) -> list[ClassSpec]:
        specs: list[ClassSpec] = []
        for class_id, c in self._classes.items():
            if self._class_ids.get(str(c.get("name"))) != class_id:
                continue  # a second class with the same name: limner matches classes by name
            schema = self._schemas.get(class_id)
            specs.append(
                ClassSpec(
                    name=str(c.get("name")),
                    kind="keypoints" if schema else "any",
                    color=parse_color(c.get("color")),
                    attribute_schema=tuple(
                        self._attribute_spec(a) for a in self._class_attrs(class_id)
                    ),
                    skeleton={"names": list(schema.names), "edges": [list(e) for e in schema.edges]}
                    if schema
                    else None,
                )
            )
        return specs

    def _class_attrs(self, class_id: str) -> list[dict[str, Any]]:
        return [self._attributes[a] for a in self._class_attributes.get(class_id, [])]

    @staticmethod
    def _attribute_spec(attribute: Mapping[str, Any]) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "name": str(attribute.get("name")),
            "type": ATTRIBUTE_TYPES[str(attribute.get("type"))],
        }
        if attribute.get("type") in ("SELECTION", "MULTIPLE-SELECTION"):
            spec["options"] = [str(v.get("value")) for v in attribute.get("values") or []]
        return spec

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
        if status in self.status_ids:
            return {"status_id": self.status_ids[status]}
        if status == "rejected":
            with self._lock:
                seen = dict(self._custom_statuses)
            for status_id, name in seen.items():
                if normalize_status_name(name) in {"NEW", "IN PROGRESS", "TO REVIEW", "DONE"}:
                    continue
                if canonical_status(name, status_id, self.status_overrides) == "rejected":
                    return {"status_id": status_id}
        if status not in WRITE_STATUSES:
            raise ValidationError(f"limner status {status!r} has no Hasty equivalent")
        return {"status": WRITE_STATUSES[status]}

    # -- pull -----------------------------------------------------------------------------
    def _image_listing(self) -> list[dict[str, Any]]:
        """Every image's metadata, once per run (reused by the sweep and the queues)."""
        if self._listing is None:
            started = None
            listing: list[dict[str, Any]] = []
            for item in self._paged(self.path("images")):
                if started is None:
                    started = self._server_now
                listing.append(item)
            self._listing = listing
            self._listing_time = started if started is not None else self._server_now
        return self._listing

    def _labels_touched_since(self, since: float) -> set[str] | None:
        """Images whose labels were created or edited since ``since`` (server time).

        The project-wide label list takes a relative interval ("90m"): the time since the
        last pull in minutes, rounded up, plus one as a margin. None if the server refuses
        the filter, in which case every image is looked at.
        """
        now = self._server_now if self._server_now is not None else time.time()
        minutes = max(1, math.ceil((now - since) / 60.0) + 1)
        try:
            return {
                str(item.get("image_id"))
                for item in self._paged(
                    self.path("project_labels"), {"updated_since": f"{minutes}m"}
                )
            }
        except (ValidationError, NotFoundError) as exc:
            log.warning("label change filter refused (%s); looking at every image", exc)
            return None

    def changed_images(self, cursor: str | None) -> Iterator[RemotePage]:
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
                or (_parse_time(m.get("update_date")) or math.inf) >= float(since) - SINCE_MARGIN_S
            ]
        candidates.sort(key=lambda m: (str(m.get("update_date") or ""), str(m["id"])))
        new_cursor = json.dumps({"at": started, "rescan": offset})
        if not candidates:
            yield RemotePage([], new_cursor)
            return
        chunks = list(chunked(candidates, self.page_size))
        for number, chunk in enumerate(chunks):
            images = []
            for meta in chunk:
                try:
                    labels = self._labels(str(meta["id"]))
                except NotFoundError:
                    continue  # deleted since the listing; the sweep flags it
                images.append(self._remote_image(meta, labels))
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

    def _labels(self, image_id: str) -> list[dict[str, Any]]:
        return list(self._paged(self.path("image_labels", image_id=image_id)))

    def _label_attributes(self, labels: Sequence[Mapping[str, Any]]) -> dict[str, dict]:
        """Attribute values of the labels whose class has attributes (one GET each)."""
        out: dict[str, dict[str, Any]] = {}
        for label in labels:
            if not self._class_attributes.get(str(label.get("class_id"))):
                continue
            label_id = str(label["id"])
            body = self._get(self.path("label_attributes", label_id=label_id))
            items = body.get("items", []) if isinstance(body, dict) else body or []
            out[label_id] = {str(item.get("id")): item.get("value") for item in items}
        return out

    def _remote_image(self, meta: Mapping[str, Any], labels: list[dict[str, Any]]) -> RemoteImage:
        return RemoteImage(
            key=str(meta["id"]),
            name=str(meta.get("name") or meta["id"]),
            url=str(meta.get("public_url") or ""),
            version=str(meta.get("update_date") or ""),
            status=self._status_of(meta),
            container_key=None,
            container_version=labels_version(labels),
            raw_regions={
                "labels": labels,
                "attributes": self._label_attributes(labels),
                "size": (meta.get("width"), meta.get("height")),
            },
        )

    def fetch_image(self, key: str) -> RemoteImage:
        meta = self._get(self.path("image", image_id=key))
        return self._remote_image(meta, self._labels(key))

    def regions(
        self, image: RemoteImage, width: int, height: int
    ) -> tuple[list[Region], list[str]]:
        raw = image.raw_regions or {}
        labels = list(raw.get("labels") or [])
        values = raw.get("attributes") or {}
        warnings: list[str] = []
        size = tuple(raw.get("size") or ())
        if size and None not in size and size != (width, height):
            warnings.append(
                f"Hasty says the image is {size[0]}x{size[1]} but the file is "
                f"{width}x{height}; labels are placed as the server stored them"
            )
        regions: list[Region] = []
        for label, uuid in zip(labels, assign_uuids(labels), strict=True):
            try:
                regions.append(self._decode(label, uuid, width, height, values))
            except HastyFormatError as exc:
                warnings.append(f"label {label.get('id')} is not shown: {exc}")
        return regions, warnings

    def _decode(
        self,
        label: Mapping[str, Any],
        uuid: str,
        width: int,
        height: int,
        values: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Region:
        class_id = str(label.get("class_id"))
        cls = self._classes.get(class_id)
        if cls is None:
            raise HastyFormatError(f"its class {class_id} is not in the project")
        geometry = geometry_from_label(label, width, height, self._schemas.get(class_id))
        attributes: dict[str, Any] = {}
        own = (values or {}).get(str(label.get("id"))) or {}
        for attribute in self._class_attrs(class_id):
            value = own.get(str(attribute["id"]))
            if value is not None:
                attributes[str(attribute["name"])] = self._attribute_from_hasty(attribute, value)
        return Region(uuid, str(cls.get("name")), geometry, attributes)

    @staticmethod
    def _attribute_from_hasty(attribute: Mapping[str, Any], value: Any) -> Any:
        """Selections may come back as LOV ids or as text (unconfirmed): both are read."""
        names = {str(v.get("id")): str(v.get("value")) for v in attribute.get("values") or []}
        kind = attribute.get("type")
        if kind == "SELECTION":
            return names.get(str(value), str(value))
        if kind == "MULTIPLE-SELECTION":
            items = value if isinstance(value, list) else [value]
            return [names.get(str(v), str(v)) for v in items]
        return value

    @staticmethod
    def _attribute_to_hasty(attribute: Mapping[str, Any], value: Any) -> Any:
        ids = {str(v.get("value")): str(v.get("id")) for v in attribute.get("values") or []}
        kind = attribute.get("type")
        if kind == "SELECTION":
            return None if value is None else ids.get(str(value), str(value))
        if kind == "MULTIPLE-SELECTION":
            return [ids.get(str(v), str(v)) for v in value or []]
        if kind == "INT" and isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    # -- push -----------------------------------------------------------------------------
    def check_region(self, region: Region, width: int, height: int) -> str | None:
        """Why Hasty cannot hold this region (None when it can); refusals are remembered
        so that the push leaves the server's copy of a refused region alone."""
        try:
            self._body(region, width, height)
        except HastyFormatError as exc:
            with self._lock:
                self._refused.add(region.uuid)
            return str(exc)
        with self._lock:
            self._refused.discard(region.uuid)
        return None

    def _body(self, region: Region, width: int, height: int) -> dict[str, Any]:
        if region.class_name is None:
            raise HastyFormatError("Hasty labels need a class; give this shape one")
        class_id = self._class_ids.get(region.class_name)
        if class_id is None:
            raise HastyFormatError(
                f"class {region.class_name!r} is not in the Hasty project's label classes"
            )
        known = {str(a["name"]) for a in self._class_attrs(class_id)}
        extra = sorted(set(region.attributes) - known)
        if extra:
            raise HastyFormatError(
                f"attribute(s) {', '.join(extra)} are not attributes of class "
                f"{region.class_name!r} on Hasty"
            )
        fields = geometry_fields(region.geometry, width, height, self._schemas.get(class_id))
        return {"class_id": class_id, **fields}

    def push_image(self, push: ImagePush) -> PushResult:
        try:
            labels = self._labels(push.key)
        except NotFoundError as exc:
            # one image gone is that image's problem, not a reason to stop the whole run
            raise ValidationError(f"the image no longer exists on Hasty ({exc})") from exc
        if push.container_version is not None and labels_version(labels) != push.container_version:
            raise RemoteConflictError(f"the labels of image {push.key} changed on Hasty")
        with self._lock:
            refused = set(self._refused)
        current: dict[str, dict[str, Any]] = {}
        readable: set[str] = set()
        for label, uuid in zip(labels, assign_uuids(labels), strict=True):
            current[uuid] = label
            try:
                decoded = self._decode(label, uuid, push.width, push.height)
            except HastyFormatError:
                continue  # limner never showed it, so it cannot have deleted it
            readable.add(uuid)
            current[uuid] = {**label, "_region": decoded}

        creates: list[dict[str, Any]] = []
        edits: list[dict[str, Any]] = []
        wanted: dict[str, Region] = {}
        for region in push.regions:
            wanted[region.uuid] = region
            try:
                body = self._body(region, push.width, push.height)
            except HastyFormatError as exc:
                raise ValidationError(str(exc)) from exc
            existing = current.get(region.uuid)
            if existing is None:
                creates.append(
                    {
                        **body,
                        "z_index": 0,
                        "external_id": external_id_for(region.uuid),
                        "external_event_id": None,
                    }
                )
                continue
            edit = self._edit_body(region, body, existing)
            if edit is not None:
                edits.append(edit)
        deletes = [
            str(label["id"])
            for uuid, label in current.items()
            if uuid not in wanted
            and uuid not in refused
            and uuid in readable
            and (push.container_version is not None or uuid_from_external(label.get("external_id")))
        ]
        if deletes:
            self._delete_labels(push.key, deletes)
        if edits:
            self._edit_labels(push.key, edits)
        created = self._create_labels(push.key, creates) if creates else {}
        self._push_attributes(push, current, created)
        image_version: str | None = None
        status: str | None = None
        if push.status != push.remote_status or push.review:
            image_version, status = self._write_status(push.key, push.status)
        return PushResult(
            container_key=None,
            container_version=labels_version(self._labels(push.key)),
            image_version=image_version,
            status=status,
        )

    def _edit_body(
        self, region: Region, body: dict[str, Any], existing: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The full edit of one label, or None when the server already says the same."""
        decoded: Region | None = existing.get("_region")
        same_class = str(existing.get("class_id")) == body["class_id"]
        same_shape = decoded is not None and decoded.geometry == region.geometry
        if same_shape or comparable(existing) == comparable(body):
            if same_class:
                return None
            # only the class changed: keep every geometry field the server has, including
            # the ones limner does not show (a polygon stored beside a mask...)
            body = {
                **body,
                **{k: existing.get(k) for k in ("bbox", "polygon", "mask", "keypoints")},
                "tool_used": existing.get("tool_used") or body["tool_used"],
            }
            if body.get("keypoints"):
                body["keypoints"] = [
                    {k: p.get(k) for k in ("keypoint_class_id", "x", "y", "visible", "norder")}
                    for p in body["keypoints"]
                ]
        return {
            **body,
            "z_index": existing.get("z_index"),
            "external_id": existing.get("external_id") or external_id_for(region.uuid),
            "external_event_id": None,
            "_label_id": str(existing["id"]),
        }

    def _create_labels(self, key: str, bodies: list[dict[str, Any]]) -> dict[str, dict]:
        """POST the labels in batches; after an answer that never came, list the image's
        labels and send only the ``external_id``s still missing (never twice)."""
        path = self.path("image_labels", image_id=key)
        created: dict[str, dict[str, Any]] = {}
        pending = list(bodies)
        policy: RetryPolicy = self.t.policy
        attempt = 0
        while pending:
            try:
                for chunk in list(chunked(pending, BATCH_LIMIT)):
                    body, _ = self._call("POST", path, json_body=list(chunk))
                    items = body.get("items") if isinstance(body, dict) else None
                    if not isinstance(items, list):
                        raise TransientError(f"the answer to POST {path} has no item list")
                    for item in items:
                        if item.get("external_id"):
                            created[str(item["external_id"])] = item
                    pending = [b for b in pending if b["external_id"] not in created]
                    if any(b["external_id"] not in created for b in chunk):
                        raise TransientError("the server did not return every created label")
            except TransientError as exc:
                if attempt >= policy.attempts - 1:
                    raise
                wait = policy.delay(attempt, exc.retry_after)
                self._log_retry(attempt, wait, exc)
                policy.sleeper(wait)
                attempt += 1
                present = {str(label.get("external_id")): label for label in self._labels(key)}
                for b in pending:
                    if b["external_id"] in present:
                        created[b["external_id"]] = present[b["external_id"]]
                pending = [b for b in pending if b["external_id"] not in created]
                if pending and isinstance(exc.__cause__, httpx.TimeoutException):
                    # A request that timed out may still be running on the server: the
                    # look-up cannot prove those labels absent, so they are not sent again
                    # now; the next sync pulls whatever the server made of them first.
                    raise TransientError(
                        f"Hasty did not answer in time while saving labels of image {key}; "
                        "they are looked up again at the next sync"
                    ) from exc
        return created

    def _edit_labels(self, key: str, edits: list[dict[str, Any]]) -> None:
        path = self.path("image_labels", image_id=key)

        def send(chunk: Sequence[dict[str, Any]], id_key: str) -> None:
            payload = [
                {id_key: e["_label_id"], **{k: v for k, v in e.items() if k != "_label_id"}}
                for e in chunk
            ]
            self._retrying(lambda: self._call("PUT", path, json_body=payload))

        for chunk in chunked(edits, BATCH_LIMIT):
            try:
                send(chunk, self._edit_key)
            except ValidationError as first:
                if self._edit_key_known:
                    raise
                # The seed names the key "id", the vendor's client "label_id": try the other
                # one once and remember whichever this server takes.
                other = "label_id" if self._edit_key == "id" else "id"
                try:
                    send(chunk, other)
                except ValidationError:
                    raise first from None
                self._edit_key = other
            self._edit_key_known = True

    def _delete_labels(self, key: str, label_ids: list[str]) -> None:
        """DELETE (204) in batches; a retry first checks which labels are still there."""
        path = self.path("image_labels", image_id=key)
        pending = list(label_ids)
        policy: RetryPolicy = self.t.policy
        attempt = 0
        while pending:
            try:
                for chunk in list(chunked(pending, BATCH_LIMIT)):
                    self._call(
                        "DELETE", path, json_body=[{"id": i} for i in chunk], expect_json=False
                    )
                    pending = pending[len(chunk) :]
            except (TransientError, NotFoundError) as exc:
                if attempt >= policy.attempts - 1:
                    raise
                retry_after = exc.retry_after if isinstance(exc, TransientError) else None
                wait = policy.delay(attempt, retry_after)
                policy.sleeper(wait)
                attempt += 1
                still = {str(label.get("id")) for label in self._labels(key)}
                pending = [i for i in pending if i in still]

    def _push_attributes(
        self,
        push: ImagePush,
        current: Mapping[str, Mapping[str, Any]],
        created: Mapping[str, Mapping[str, Any]],
    ) -> None:
        """Label attribute values, one POST per value that differs from the server's."""
        for region in push.regions:
            class_id = self._class_ids.get(region.class_name or "")
            attributes = self._class_attrs(class_id) if class_id else []
            if not attributes:
                continue
            label = current.get(region.uuid) or created.get(external_id_for(region.uuid))
            if label is None or not label.get("id"):
                continue
            label_id = str(label["id"])
            have: dict[str, Any] = {}
            if region.uuid in current:
                have = self._label_attributes([label]).get(label_id, {})
            for attribute in attributes:
                name = str(attribute["name"])
                if name not in region.attributes:
                    continue
                value = self._attribute_to_hasty(attribute, region.attributes[name])
                if have.get(str(attribute["id"])) == value:
                    continue
                path = self.path(
                    "label_attribute", label_id=label_id, attribute_id=str(attribute["id"])
                )
                self._retrying(
                    lambda path=path, value=value: self._call(
                        "POST", path, json_body={"value": value}
                    )
                )

    def _write_status(self, key: str, status: str) -> tuple[str | None, str | None]:
        body = self._status_body(status)
        self._retrying(
            lambda: self._call(
                "PUT", self.path("image_status", image_id=key), json_body=body, expect_json=False
            )
        )
        meta = self._get(self.path("image", image_id=key))
        return str(meta.get("update_date") or "") or None, self._status_of(meta)

    # -- files ----------------------------------------------------------------------------
    def download(self, image: RemoteImage, target: Path) -> None:
        """``public_url`` needs no key (the vendor's client fetches it bare), so none is
        sent; an expired signed URL is replaced by a fresh one from the image."""
        url = image.url
        for attempt in range(2):
            if not url:
                raise NotFoundError(f"Hasty image {image.key} has no public URL")
            try:
                response = self.t.request("GET", url, auth=False)
            except (NotFoundError, AuthError) as exc:
                if attempt:
                    raise NotFoundError(f"the file of Hasty image {image.key}: {exc}") from exc
                url = str(self._get(self.path("image", image_id=image.key)).get("public_url") or "")
                continue
            target.write_bytes(response.content)
            return

    def close(self) -> None:
        self.t.close()


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
