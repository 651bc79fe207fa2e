"""CloudFactory AI Data Platform adapter (External API 1.0.0, work items).

Mapping (see ``shared/api/cloudfactory.md``; label and status rules are in
``cloudfactory_format``):

- the remote is one project of one space: ``project_ref`` is ``<spaceID>/<projectID>``
  (or the project id alone with ``space_id`` in the settings); signed-URL calls need the
  space, work-item calls only the project;
- a work item is an image, its ``updatedAt`` is both the pull watermark and the version a
  push is based on (there is no ETag): a push reads the item first and stops with a
  conflict when ``updatedAt`` moved since limner last saw it;
- the item's ``labels`` array is the container of its regions; it is written whole
  (``PUT .../labels``), so a repeated write cannot duplicate anything, and limner's uuid
  rides in each label's metadata so a shape keeps its identity both ways. After an
  ambiguous failure (timeout, 5xx, broken answer) the item is read back before anything
  is sent again: a write that already landed is not repeated;
- statuses move only by signals; each push computes the signals from the server's
  current status (never replays clicks), and before a signal is sent again after an
  ambiguous failure the item is read to see whether it already took effect;
- batches are the remote's queues;
- the API has no taxonomy read, so classes are the ones named in the settings plus the
  class names found on the project's labels.

Routes the vendor's SDK does not confirm are in ``ROUTES`` and can be replaced through the
remote's settings (``routes``) without a new release.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
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
)
from sync.adapters.cloudfactory_format import (
    REFUSED,
    REJECT_SIGNALS,
    SKIP_SIGNALS,
    LabelStyle,
    Signal,
    build_labels,
    canonical_status,
    class_names,
    desired_marker,
    format_time,
    merge_routes,
    parse_labels,
    parse_time,
    plan_signals,
    review_marker,
    same_time,
)
from sync.errors import (
    AuthError,
    ConfigError,
    NotFoundError,
    RemoteConflictError,
    SyncError,
    TransientError,
    ValidationError,
)
from sync.transport import Transport

log = logging.getLogger("limner.sync.cloudfactory")

KIND = "cloudfactory"
PAGE_SIZE = 100  # the page's maximum for ``limit``
DEFAULT_OVERLAP = 120.0  # seconds re-read before the watermark (late commits, skew)


class CloudFactoryAdapter(Adapter):
    kind = KIND
    capabilities = Capabilities(frozenset({"box"}), review=True, queues=True, notes=REFUSED)

    def __init__(
        self,
        transport: Transport,
        project_ref: str,
        *,
        routes: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        self.t = transport
        settings = dict(settings or {})
        self.settings = settings
        ref = str(project_ref).strip().lstrip("/")
        if "/" in ref:
            self.space_id, self.project_id = (p.strip(" /") for p in ref.split("/", 1))
        else:
            self.space_id, self.project_id = str(settings.get("space_id") or ""), ref
        if not self.space_id:
            # Nothing lists spaces, so the space must be given; '<spaceID>/' alone is
            # enough to list its projects (connect dialog).
            raise ConfigError(
                "a CloudFactory remote is '<spaceID>/<projectID>' "
                "(or the project id with space_id in the settings)"
            )
        self.routes = merge_routes(routes if routes is not None else settings.get("routes"))
        self.style = LabelStyle(
            bbox_format=str(settings.get("bbox_format", "xywh")),
            class_key=str(settings.get("class_key", "category")),
        )
        self.skip_signal = str(settings.get("skip_signal", "cancel"))
        if self.skip_signal not in SKIP_SIGNALS:
            raise ConfigError(f"skip_signal must be one of {', '.join(SKIP_SIGNALS)}")
        self.reject_signal = str(settings.get("reject_signal", "complete"))
        if self.reject_signal not in REJECT_SIGNALS:
            raise ConfigError(f"reject_signal must be one of {', '.join(REJECT_SIGNALS)}")
        task_types = dict(settings.get("task_types") or {})
        self.task_types = {
            "labeling": str(task_types.get("labeling", "labeling")),
            "review": str(task_types.get("review", "review")),
        }
        self.assignee = str(settings["assignee"]) if settings.get("assignee") else None
        try:
            self.batch_ids = [int(b) for b in settings.get("batch_ids") or []]
            self.overlap = timedelta(
                seconds=float(settings.get("pull_overlap_seconds", DEFAULT_OVERLAP))
            )
            self.page_size = max(1, min(PAGE_SIZE, int(settings.get("page_size", PAGE_SIZE))))
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"batch_ids, pull_overlap_seconds and page_size must be numbers: {exc}"
            ) from exc
        self._configured = self._configured_classes(settings.get("classes") or [])
        self._lock = threading.Lock()
        self._seen_classes: set[str] = set()
        self._class_watermark: str | None = None
        self._listing_cache: list[tuple[str, str, float]] | None = None

    @staticmethod
    def _configured_classes(raw: Any) -> list[ClassSpec]:
        out: list[ClassSpec] = []
        for entry in raw:
            if isinstance(entry, str) and entry:
                out.append(ClassSpec(entry, "box"))
            elif isinstance(entry, Mapping) and entry.get("name"):
                out.append(ClassSpec(str(entry["name"]), "box", entry.get("color")))
            else:
                raise ConfigError(f"a class in the settings must be a name, not {entry!r}")
        return out

    # -- HTTP helpers --------------------------------------------------------------------
    def _route(self, op: str, **ids: str) -> tuple[str, str]:
        method, template = self.routes[op]
        values = {"spaceID": self.space_id, "projectID": self.project_id, **ids}
        path = template.format_map({k: quote(str(v), safe="") for k, v in values.items()})
        return method, path

    def _log_retry(self, attempt: int, wait: float, exc: TransientError) -> None:
        log.warning("retry %d in %.1f s after: %s", attempt + 1, wait, exc)

    def _read(
        self,
        op: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        retry: bool = True,
        **ids: str,
    ) -> Any:
        """One request whose answer is JSON; a broken body is retried like a 5xx."""
        method, path = self._route(op, **ids)

        def once() -> Any:
            response = self.t.request(method, path, params=params, json=body, retry=False)
            try:
                return response.json()
            except ValueError as exc:
                raise TransientError(
                    f"{urlsplit(self.t.base_url).netloc} sent a malformed answer to {op}"
                ) from exc

        if not retry:
            return once()
        return self.t.policy.run(once, on_retry=self._log_retry)

    def _write(self, op: str, body: Any, applied: Callable[[], bool], **ids: str) -> None:
        """Send a write; after an ambiguous failure, look before sending it again.

        A timeout, a 5xx or a cut answer may hide a write that the server applied, and
        signals are not idempotent: ``applied`` reads the item and says whether the
        write already took effect, in which case it is not repeated.
        """
        method, path = self._route(op, **ids)
        state = {"sent": False}

        def attempt() -> None:
            if state["sent"] and applied():
                log.info("%s on %s had landed before its answer was lost", op, ids)
                return
            state["sent"] = True
            self.t.request(method, path, json=body, retry=False)

        self.t.policy.run(attempt, on_retry=self._log_retry)

    def _listing(self, body: Any, op: str) -> tuple[list[dict[str, Any]], str | None]:
        """Items and the next cursor of a keyset page (a bare array is an old server)."""
        if isinstance(body, list):
            items, meta = body, {}
        elif isinstance(body, Mapping) and isinstance(body.get("items", []), list):
            items = list(body.get("items") or [])
            meta = body.get("meta") if isinstance(body.get("meta"), Mapping) else {}
        else:
            raise SyncError(f"the server answered {op} with an unexpected body")
        for item in items:
            if not isinstance(item, Mapping) or item.get("id") is None:
                raise SyncError(f"the server answered {op} with an item that has no id")
        cursor = meta.get("cursor_next") or meta.get("cursorNext")
        return items, str(cursor) if cursor else None

    def _pages(
        self, op: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """Each page of a keyset listing, and whether it is the last one."""
        cursor: str | None = None
        used: set[str] = set()
        while True:
            query: dict[str, Any] = {**(params or {}), "limit": self.page_size}
            if cursor:
                query.update(cursor=cursor, page="NEXT")
            items, cursor = self._listing(self._read(op, params=query), op)
            last = cursor is None or cursor in used
            yield items, last
            if last:
                return
            used.add(str(cursor))

    def _work_items(self, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every work item matching ``params``, once each (pages may overlap)."""
        seen: set[str] = set()
        for items, _last in self._pages("list_work_items", self._scoped(params)):
            for item in items:
                key = str(item["id"])
                if key not in seen:
                    seen.add(key)
                    yield item

    def _scoped(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        query = dict(params or {})
        if self.batch_ids and "batchIds" not in query:
            query["batchIds"] = list(self.batch_ids)
        return query

    def _fetch_item(self, key: str, *, retry: bool = True) -> dict[str, Any]:
        """One work item (the API has no single-item GET: a filtered listing)."""
        body = self._read("list_work_items", params={"workItemIDs": [key], "limit": 1}, retry=retry)
        items, _cursor = self._listing(body, "list_work_items")
        for item in items:
            if str(item["id"]) == key:
                return dict(item)
        raise NotFoundError(f"work item {key} does not exist on the server")

    # -- connection and project ------------------------------------------------------
    def connect(self) -> RemoteInfo:
        with self._lock:
            self._listing_cache = None  # a new run lists afresh
        if not self.project_id:
            raise ConfigError(f"no CloudFactory project chosen in space {self.space_id}")
        try:
            project = self._read("get_project")
        except NotFoundError as exc:
            raise ConfigError(
                f"project {self.project_id} does not exist in space {self.space_id} "
                f"(or the get_project route is wrong): {exc}"
            ) from exc
        if not isinstance(project, Mapping):
            raise SyncError("the server answered get_project with an unexpected body")
        kinds = {k.strip() for k in str(project.get("dataType") or "image").split(",")}
        if "image" not in kinds:
            raise ConfigError(
                f"project {project.get('name', self.project_id)!r} holds "
                f"{project.get('dataType')}; limner syncs image projects"
            )
        return RemoteInfo(
            server="CloudFactory AI Data Platform",
            edition="External API 1.0.0",
            user=self.assignee or "API key",
            project_title=str(project.get("name") or self.project_id),
        )

    def projects(self) -> list[tuple[str, str]]:
        """(``spaceID/projectID``, name) of the space's projects, for the connect dialog."""
        body = self._read("list_projects")
        items, _cursor = self._listing(body, "list_projects")
        return [(f"{self.space_id}/{p['id']}", str(p.get("name", ""))) for p in items]

    def classes(self) -> list[ClassSpec]:
        """Classes from the settings, then every class name found on the labels.

        Every name must exist before regions are pulled, or a pulled shape would lose its
        class. The first call reads every item; later calls of the same connection read
        only what changed since.
        """
        params: dict[str, Any] = {}
        with self._lock:
            since = parse_time(self._class_watermark)
        if since is not None:
            params["updatedAtFrom"] = format_time(since - self.overlap)
        newest = since
        found: set[str] = set()
        for item in self._work_items(params):
            found |= class_names(item.get("labels"), self.style.class_key)
            stamp = parse_time(item.get("updatedAt"))
            if stamp is not None and (newest is None or stamp > newest):
                newest = stamp
        with self._lock:
            self._seen_classes |= found
            if newest is not None:
                self._class_watermark = format_time(newest)
            seen = set(self._seen_classes)
        named = {c.name for c in self._configured}
        return [*self._configured, *(ClassSpec(n, "box") for n in sorted(seen - named))]

    # -- pull ------------------------------------------------------------------------
    def changed_images(self, cursor: str | None) -> Iterator[RemotePage]:
        """Items updated since the watermark (minus an overlap), oldest first per page.

        The order of the listing is not documented, so the watermark is only handed to
        the engine with the last page: an interrupted scan starts again from the old one.
        """
        params: dict[str, Any] = {}
        newest = parse_time(cursor)
        if newest is not None:
            params["updatedAtFrom"] = format_time(newest - self.overlap)
        seen: set[str] = set()
        for items, last in self._pages("list_work_items", self._scoped(params)):
            fresh = [i for i in items if str(i["id"]) not in seen]
            seen.update(str(i["id"]) for i in fresh)
            for item in fresh:
                stamp = parse_time(item.get("updatedAt"))
                if stamp is not None and (newest is None or stamp > newest):
                    newest = stamp
            fresh.sort(key=lambda i: str(i.get("updatedAt") or ""))
            images = [self._remote_image(i) for i in fresh]
            mark = format_time(newest) if last and newest is not None else None
            if images or mark:
                yield RemotePage(images, mark)

    def image_keys(self) -> set[str]:
        listing = [self._queue_fields(item) for item in self._work_items()]
        with self._lock:
            self._listing_cache = listing  # queues() of the same run reuses it
        return {key for key, _batch, _deadline in listing}

    def _queue_fields(self, item: Mapping[str, Any]) -> tuple[str, str, float]:
        return str(item["id"]), str(item.get("batchId")), self._deadline(item)

    def queues(self) -> list[RemoteQueue]:
        """Each batch is a queue of its work items, soonest deadline first."""
        batches: list[Mapping[str, Any]] = []
        for items, _last in self._pages("list_batches"):
            batches.extend(items)
        if self.batch_ids:
            batches = [b for b in batches if int(b["id"]) in self.batch_ids]
        with self._lock:
            listing, self._listing_cache = self._listing_cache, None
        if listing is None:
            listing = [self._queue_fields(item) for item in self._work_items()]
        members: dict[str, list[tuple[float, int, str]]] = {}
        for position, (key, batch, deadline) in enumerate(listing):
            members.setdefault(batch, []).append((deadline, position, key))
        out = []
        for batch in batches:
            keys = [k for _d, _p, k in sorted(members.get(str(batch["id"]), []))]
            out.append(
                RemoteQueue(
                    f"batch:{batch['id']}",
                    str(batch.get("name") or f"Batch {batch['id']}"),
                    "annotate",
                    None,
                    tuple(keys),
                )
            )
        return out

    @staticmethod
    def _deadline(item: Mapping[str, Any]) -> float:
        created = parse_time(item.get("createdAt"))
        due = item.get("dueInSeconds")
        if created is None or not isinstance(due, int | float) or isinstance(due, bool):
            return float("inf")
        return created.timestamp() + float(due)

    def fetch_image(self, key: str) -> RemoteImage:
        return self._remote_image(self._fetch_item(key))

    def _remote_image(self, item: Mapping[str, Any]) -> RemoteImage:
        key = str(item["id"])
        url = str(item.get("assetUrl") or "")
        metadata = item.get("metadata") if isinstance(item.get("metadata"), Mapping) else {}
        name = metadata.get("name") or metadata.get("fileName") or metadata.get("filename")
        if not isinstance(name, str) or not name:
            name = unquote(Path(urlsplit(url).path).name) or f"work-item-{key}"
        labels = item.get("labels") if isinstance(item.get("labels"), list) else []
        marker = review_marker(labels)
        stamp = str(item.get("updatedAt") or "")
        return RemoteImage(
            key=key,
            name=name,
            url=url,
            version=stamp,
            status=canonical_status(item.get("status"), marker),
            container_key=key,
            container_version=stamp or None,
            raw_regions=list(labels),
            review=marker,
        )

    def regions(
        self, image: RemoteImage, width: int, height: int
    ) -> tuple[list[Region], list[str]]:
        parsed = parse_labels(image.key, image.raw_regions, width, height, self.style)
        return list(parsed.regions), list(parsed.warnings)

    # -- push ------------------------------------------------------------------------
    def check_region(self, region: Region, width: int, height: int) -> str | None:
        """Why this region cannot be sent (None when it can): labels hold only a bbox."""
        kind = region.geometry.kind
        if kind != "box":
            return REFUSED.get(kind, f"CloudFactory labels cannot hold {kind} annotations")
        return None

    def push_image(self, push: ImagePush) -> PushResult:
        for region in push.regions:
            why = self.check_region(region, push.width, push.height)
            if why is not None:
                raise ValidationError(why)
        try:
            item = self._fetch_item(push.key)
        except NotFoundError as exc:
            raise ValidationError(f"work item {push.key} no longer exists on the server") from exc
        if push.container_version and not same_time(item.get("updatedAt"), push.container_version):
            raise RemoteConflictError(
                f"work item {push.key} changed on the server since the last sync"
            )
        current = item.get("labels") if isinstance(item.get("labels"), list) else []
        parsed = parse_labels(push.key, current, push.width, push.height, self.style)
        marker_now = review_marker(current)
        marker_wanted = desired_marker(push.status, push.review)
        status_now = str(item.get("status") or "")
        try:
            steps = plan_signals(
                status_now,
                push.status,
                skip_signal=self.skip_signal,
                approval_on_server=(marker_now or {}).get("decision") == "approve",
                reject_signal=self.reject_signal,
            )
        except (KeyError, ValueError) as exc:
            raise ValidationError(
                f"work item {push.key} is {status_now or 'without status'} on the server "
                f"and cannot be moved to {push.status}: {exc}"
            ) from exc
        # The review marker says a decision reached the server: write it only once the
        # signals went through, so a failed signal is sent again next time.
        first_marker = marker_now if steps else marker_wanted
        labels = build_labels(
            current, parsed, push.regions, push.width, push.height, self.style, first_marker
        )
        before = [s for s in steps if s.before_labels]
        after = [s for s in steps if not s.before_labels]
        comment = str((push.review or {}).get("comment") or "")
        for step in before:
            self._signal(push.key, step, comment)
        if labels != current:
            self._put_labels(push.key, labels)
        for step in after:
            self._signal(push.key, step, comment)
        if steps and marker_wanted != marker_now and labels:
            marked = build_labels(
                labels,
                parse_labels(push.key, labels, push.width, push.height, self.style),
                push.regions,
                push.width,
                push.height,
                self.style,
                marker_wanted,
            )
            if marked != labels:
                self._put_labels(push.key, marked)
        final = self._fetch_item(push.key)
        final_labels = final.get("labels") if isinstance(final.get("labels"), list) else []
        stamp = str(final.get("updatedAt") or "") or None
        return PushResult(
            container_key=push.key,
            container_version=stamp,
            image_version=stamp,
            status=canonical_status(final.get("status"), review_marker(final_labels)),
        )

    def _put_labels(self, key: str, labels: list[Any]) -> None:
        def applied() -> bool:
            return self._fetch_item(key, retry=False).get("labels") == labels

        self._write("put_labels", {"labels": labels}, applied, workItemID=key)

    def _signal(self, key: str, step: Signal, comment: str = "") -> None:
        op = "bulk_signal" if step.bulk else "signal"
        body: dict[str, Any]
        if step.bulk:
            entry: dict[str, Any] = {"workItemID": key}
            if comment:
                entry["feedback"] = {"comments": [comment]}
            body = {"signal": step.signal, "workItems": [entry]}
        else:
            body = {
                "signal": step.signal,
                "taskType": self.task_types[step.task],
                "signalOutcome": step.outcome,
            }
            if self.assignee:
                body["assignee"] = self.assignee
        stamp: str | None = None
        if step.expect == step.source:
            # The status will not move (an approval): only updatedAt shows it landed.
            stamp = str(self._fetch_item(key).get("updatedAt") or "")

        def applied() -> bool:
            item = self._fetch_item(key, retry=False)
            if item.get("status") != step.expect:
                return False
            return stamp is None or not same_time(item.get("updatedAt"), stamp)

        log.info("work item %s: %s (%s, %s)", key, step.signal, step.task, step.outcome)
        if step.bulk:
            self._write(op, body, applied)
        else:
            self._write(op, body, applied, workItemID=key)

    # -- files ------------------------------------------------------------------------
    def download(self, image: RemoteImage, target: Path) -> None:
        """The asset, through a signed URL (no API key is sent to storage)."""
        url = image.url
        if not url:
            raise NotFoundError(f"work item {image.key} has no asset")
        external = url.startswith(("http://", "https://"))
        for attempt in range(2):
            signed = url if external else self._signed_url(self._space_path(url))
            try:
                response: httpx.Response = self.t.request("GET", signed, auth=False)
            except AuthError as exc:
                # Storage refusing a signed URL means it expired or was never valid: sign
                # once more (no API key goes to storage, so this is no credentials issue).
                if external or attempt:
                    raise ValidationError(
                        f"storage refused the asset of {image.key}: {exc}"
                    ) from exc
                continue
            target.write_bytes(response.content)
            return

    def _space_path(self, url: str) -> str:
        """``s3://bucket/spaces/<space>/a/b.jpg`` -> ``a/b.jpg``; relative paths as they are."""
        if not url.startswith("s3://"):
            return url.lstrip("/")
        parts = url[len("s3://") :].split("/")
        for index in range(len(parts) - 2):
            if parts[index] == "spaces" and parts[index + 1] == self.space_id:
                rest = "/".join(parts[index + 2 :])
                if rest:
                    return rest
        raise NotFoundError(f"{url} is not in space {self.space_id}")

    def _signed_url(self, path: str) -> str:
        body = self._read("download_urls", body={"paths": [path]})
        items = body.get("items") if isinstance(body, Mapping) else None
        if not isinstance(items, list) or not items:
            raise NotFoundError(f"the server gave no download URL for {path}")
        for entry in items:
            if isinstance(entry, Mapping) and entry.get("path") == path and entry.get("signedUrl"):
                return str(entry["signedUrl"])
        first = items[0]
        if isinstance(first, Mapping) and first.get("signedUrl"):
            return str(first["signedUrl"])
        raise NotFoundError(f"the server gave no download URL for {path}")

    def close(self) -> None:
        self.t.close()


__all__ = ["KIND", "CloudFactoryAdapter"]
