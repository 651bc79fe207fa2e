"""CloudFactory AI Data Platform adapter (External API 1.0.0, work items).

Mapping (label rules are in ``cloudfactory_labels``, status rules in ``cloudfactory_format``):

- the remote is one project of one space: ``project_ref`` is ``<spaceID>/<projectID>``
  (or the project id alone with ``space_id`` in the settings); signed-URL calls need the
  space, work-item calls only the project;
- a work item is an image. Its state is the item exactly as the listing gave it; its
  ``updatedAt`` is both the pull watermark and the version a push is based on (there is
  no ETag): a push reads the item first and stops with a conflict when its labels or its
  status moved under the plan;
- the item's ``labels`` array holds its regions and is written whole (``PUT .../labels``):
  the new array is the old one with the plan's updates in place, its deletes left out and
  its creates at the end; every other label goes back exactly as the server sent it, and
  nothing is sent when the plan writes no region. limner's uuid rides in each label it
  writes, so a repeated write cannot duplicate anything; after an ambiguous failure the
  item is read back before anything is sent again;
- statuses move only by signals, computed from the server's current status (never
  replayed clicks), and a signal whose answer was lost is only sent again once a fresh
  read shows it did not take effect;
- batches are the remote's queues;
- the API has no taxonomy read, so classes are the ones named in the settings plus the
  class names found on the project's labels.

Routes that the vendor's client does not confirm can be replaced through the remote's
settings (``routes``) without a new release.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from limner.sync import shapes
from limner.sync.adapters.base import (
    Adapter,
    Capabilities,
    ClassSpec,
    Decoded,
    ImagePush,
    Problem,
    PushResult,
    Region,
    RemoteImage,
    RemoteInfo,
    RemotePage,
    RemoteQueue,
    RemoteRegion,
)
from limner.sync.adapters.cloudfactory_format import (
    Signal,
    canonical_status,
    deadline,
    format_time,
    keyset_page,
    marker_change,
    parse_settings,
    parse_time,
    plan_signals,
    same_time,
    signal_body,
    space_relative,
    target_status,
)
from limner.sync.adapters.cloudfactory_labels import (
    REFUSED,
    LabelError,
    class_names,
    encode_label,
    label_uuids,
    labels_after,
    own_uuid,
    read_label,
    review_marker,
    with_marker,
)
from limner.sync.adapters.cloudfactory_labels import readable as is_readable
from limner.sync.errors import (
    AuthError,
    ConfigError,
    NotFoundError,
    RemoteConflictError,
    ValidationError,
)
from limner.sync.rest import Routes, cursor_pages, write_then_verify
from limner.sync.transport import Transport

if TYPE_CHECKING:
    from limner.sync.reconcile import PushPlan

log = logging.getLogger("limner.sync.cloudfactory")

KIND = "cloudfactory"
Item = Mapping[str, Any]


def _labels(item: Any) -> list[Any]:
    labels = item.get("labels") if isinstance(item, Mapping) else None
    return list(labels) if isinstance(labels, list) else []


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
        self.cfg = parse_settings(project_ref, settings, routes)
        self.space_id, self.project_id = self.cfg.space_id, self.cfg.project_id
        self.routes = Routes(self.cfg.routes)
        self.style = self.cfg.style
        self._lock = threading.Lock()
        self._seen_classes: set[str] = set()
        self._class_watermark: str | None = None
        self._listing_cache: list[tuple[str, str, float]] | None = None

    # -- HTTP helpers --------------------------------------------------------------------
    def _path(self, op: str, **ids: Any) -> tuple[str, str]:
        values = {"spaceID": self.space_id, "projectID": self.project_id, **ids}
        route = self.routes[op]
        return route.method, route.path(**{k: quote(str(v), safe="") for k, v in values.items()})

    def _call(
        self, op: str, *, params: Any = None, body: Any = None, retry: bool = True, **ids: Any
    ) -> tuple[Any, str]:
        """One request whose answer is JSON, and the route that names it in messages."""
        method, path = self._path(op, **ids)
        route = self.t.route(method, path)
        response = self.t.request(method, path, params=params, json=body, retry=retry)
        return self.t.decode_json(response, route), route

    def _pages(self, op: str, params: Mapping[str, Any] | None = None) -> Iterator[list[Item]]:
        """Each page of a keyset listing (pages may overlap; callers drop repeats)."""

        def fetch(cursor: str | None) -> tuple[list[Item], str | None]:
            query: dict[str, Any] = {**(params or {}), "limit": self.cfg.page_size}
            if cursor:
                query.update(cursor=cursor, page="NEXT")
            return keyset_page(*self._call(op, params=query))

        return cursor_pages(fetch)

    def _work_items(self, params: Mapping[str, Any] | None = None) -> Iterator[Item]:
        """Every work item matching ``params``, once each."""
        seen: set[str] = set()
        for items in self._pages("list_work_items", self._scoped(params)):
            for item in items:
                if str(item["id"]) not in seen:
                    seen.add(str(item["id"]))
                    yield item

    def _scoped(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        query = dict(params or {})
        if self.cfg.batch_ids and "batchIds" not in query:
            query["batchIds"] = list(self.cfg.batch_ids)
        return query

    def _fetch_item(self, key: str) -> Item:
        """One work item (the API has no single-item GET: a filtered listing)."""
        body, route = self._call("list_work_items", params={"workItemIDs": [key], "limit": 1})
        items, _cursor = keyset_page(body, route)
        for item in items:
            if str(item["id"]) == key:
                return item
        raise NotFoundError(f"work item {key} does not exist on the server")

    # -- connection and project ------------------------------------------------------
    def connect(self) -> RemoteInfo:
        with self._lock:
            self._listing_cache = None  # a new run lists afresh
        if not self.project_id:
            raise ConfigError(f"no CloudFactory project chosen in space {self.space_id}")
        try:
            body, route = self._call("get_project")
        except NotFoundError as exc:
            raise ConfigError(
                f"project {self.project_id} does not exist in space {self.space_id} "
                f"(or the get_project route is wrong): {exc}"
            ) from exc
        project = shapes.obj(body, route)
        data_type = shapes.text(project, "dataType", route, default="image")
        if "image" not in {k.strip() for k in data_type.split(",")}:
            raise ConfigError(
                f"project {project.get('name', self.project_id)!r} holds "
                f"{data_type}; limner syncs image projects"
            )
        return RemoteInfo(
            server="CloudFactory AI Data Platform",
            edition="External API 1.0.0",
            user=self.cfg.assignee or "API key",
            project_title=shapes.text(project, "name", route, default="") or self.project_id,
        )

    def projects(self) -> list[tuple[str, str]]:
        """(``spaceID/projectID``, name) of the space's projects, for the connect dialog."""
        items, _cursor = keyset_page(*self._call("list_projects"))
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
            params["updatedAtFrom"] = format_time(since - self.cfg.overlap)
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
        named = {c.name for c in self.cfg.configured}
        return [*self.cfg.configured, *(ClassSpec(n, "box") for n in sorted(seen - named))]

    # -- pull ------------------------------------------------------------------------
    def changed_images(self, cursor: str | None) -> Iterator[RemotePage]:
        """Items updated since the watermark (minus an overlap), oldest first per page.

        The order of the listing is not documented, so the watermark is only handed to
        the engine with the last page: an interrupted scan starts again from the old one.
        """
        params: dict[str, Any] = {}
        newest = parse_time(cursor)
        if newest is not None:
            params["updatedAtFrom"] = format_time(newest - self.cfg.overlap)
        seen: set[str] = set()
        held: list[RemoteImage] | None = None
        for items in self._pages("list_work_items", self._scoped(params)):
            fresh = [i for i in items if str(i["id"]) not in seen]
            seen.update(str(i["id"]) for i in fresh)
            for item in fresh:
                stamp = parse_time(item.get("updatedAt"))
                if stamp is not None and (newest is None or stamp > newest):
                    newest = stamp
            fresh.sort(key=lambda i: str(i.get("updatedAt") or ""))
            if held:
                yield RemotePage(held, None)
            held = [self._remote_image(i) for i in fresh]
        mark = format_time(newest) if newest is not None else None
        if held or mark:
            yield RemotePage(held or [], mark)

    def image_keys(self) -> set[str]:
        listing = [self._queue_fields(item) for item in self._work_items()]
        with self._lock:
            self._listing_cache = listing  # queues() of the same run reuses it
        return {key for key, _batch, _deadline in listing}

    def _queue_fields(self, item: Item) -> tuple[str, str, float]:
        return str(item["id"]), str(item.get("batchId")), deadline(item)

    def queues(self) -> list[RemoteQueue]:
        """Each batch is a queue of its work items, soonest deadline first."""
        batches = [b for page in self._pages("list_batches") for b in page]
        if self.cfg.batch_ids:
            batches = [b for b in batches if int(b["id"]) in self.cfg.batch_ids]
        with self._lock:
            listing, self._listing_cache = self._listing_cache, None
        if listing is None:
            listing = [self._queue_fields(item) for item in self._work_items()]
        members: dict[str, list[tuple[float, int, str]]] = {}
        for position, (key, batch, due) in enumerate(listing):
            members.setdefault(batch, []).append((due, position, key))
        return [
            RemoteQueue(
                f"batch:{batch['id']}",
                str(batch.get("name") or f"Batch {batch['id']}"),
                "annotate",
                None,
                tuple(k for _d, _p, k in sorted(members.get(str(batch["id"]), []))),
            )
            for batch in batches
        ]

    def fetch_image(self, key: str) -> RemoteImage:
        return self._remote_image(self._fetch_item(key))

    def _remote_image(self, item: Item) -> RemoteImage:
        key = str(item["id"])
        url = item.get("assetUrl") if isinstance(item.get("assetUrl"), str) else ""
        metadata = item.get("metadata") if isinstance(item.get("metadata"), Mapping) else {}
        name = metadata.get("name") or metadata.get("fileName") or metadata.get("filename")
        if not isinstance(name, str) or not name:
            name = unquote(Path(urlsplit(url).path).name) or f"work-item-{key}"
        marker = review_marker(_labels(item))
        stamp = str(item.get("updatedAt") or "")
        created = item.get("createdAt")
        return RemoteImage(
            key=key,
            name=name,
            url=url,
            version=stamp,
            status=canonical_status(item.get("status"), marker),
            container_key=key,
            container_version=stamp or None,
            state=item,
            review=marker,
            identity=str(created) if created else None,
        )

    def decode(self, image: RemoteImage, width: int, height: int) -> Decoded:
        """Every label as a box, or reported as malformed (and kept as it is)."""
        item = image.state if isinstance(image.state, Mapping) else {}
        labels = item.get("labels", [])
        if labels is None:
            labels = []
        if not isinstance(labels, list):
            why = f"work item {image.key}: labels is not a list; it stays on the server as is"
            return Decoded((), (Problem("malformed", why, remote_key=image.key),))
        regions: list[RemoteRegion] = []
        problems: list[Problem] = []
        uuids = label_uuids(image.key, labels)
        for index, (label, uid) in enumerate(zip(labels, uuids, strict=True)):
            try:
                region = read_label(uid, label, width, height, self.style)
            except LabelError as exc:
                message = f"label #{index + 1} {exc}; it stays on the server as it is"
                where = f"{image.key}/labels/{index}"
                problems.append(Problem("malformed", message, where, own_uuid(label)))
                continue
            regions.append(RemoteRegion(uid, uid, label, region))
        return Decoded(tuple(regions), tuple(problems))

    # -- push ------------------------------------------------------------------------
    def encode(
        self,
        region: Region,
        width: int,
        height: int,
        *,
        target: RemoteRegion | None,
        skeleton_edges: tuple[tuple[int, int], ...] = (),
    ) -> Any:
        return encode_label(region, width, height, self.style, target.raw if target else None)

    def apply(self, image: RemoteImage, plan: PushPlan, push: ImagePush) -> PushResult:
        """Signals that open the item, the new labels array, the closing signals, then the
        review marker; a fresh read first, so that nothing is written over a change."""
        if plan.empty:
            return self._result(image.state if isinstance(image.state, Mapping) else None, image)
        key = image.key
        try:
            item = self._fetch_item(key)
        except NotFoundError as exc:
            raise ValidationError(f"work item {key} no longer exists on the server") from exc
        base = image.state if isinstance(image.state, Mapping) else item
        labels = _labels(item)
        wanted = self._labels_after(key, base, plan) if plan.writes_regions else labels
        if plan.writes_regions and labels not in (_labels(base), wanted):
            raise RemoteConflictError(f"the labels of work item {key} changed on the server")
        steps: list[Signal] = []
        change, marker = False, None
        if plan.status is not None:
            steps, change, marker = self._status_plan(item, base, wanted, plan)

        def readable(label: Any) -> bool:
            return is_readable(label, push.width, push.height, self.style)

        if not steps and change:  # no signal to wait for: one write carries the review too
            wanted, change = with_marker(wanted, marker, readable), False
        known: Item | None = item
        for step in [s for s in steps if s.before_labels]:
            self._signal(key, step, plan, known)
            known = None
        if wanted != labels:
            known = self._put_labels(key, wanted)
        for step in [s for s in steps if not s.before_labels]:
            self._signal(key, step, plan, known)
            known = None
        if change and wanted:
            # The marker says a decision reached the server: written once the signals
            # went through, so a failed signal is sent again next time.
            known = self._put_labels(key, with_marker(wanted, marker, readable))
        return self._result(known if known is not None else self._fetch_item(key), image)

    def _labels_after(self, key: str, base: Item, plan: PushPlan) -> list[Any]:
        if not isinstance(base.get("labels", []), list | type(None)):
            raise ValidationError(f"work item {key} holds labels limner cannot read")
        return labels_after(key, _labels(base), plan)

    def _status_plan(
        self, item: Item, base: Item, labels: Sequence[Any], plan: PushPlan
    ) -> tuple[list[Signal], bool, dict[str, Any] | None]:
        """The signals to send, and whether (and to what) the review marker must change.

        A status that moved under the plan is a conflict, unless it is a step of this very
        plan (signals of an earlier attempt that landed before it was cut short).
        """
        assert plan.status is not None
        status, review = plan.status.status, plan.status.review
        now, then = str(item.get("status") or ""), str(base.get("status") or "")
        current = review_marker(labels)
        steps = self._signals(now, status, current)
        if now != then:
            ours = {s.expect for s in self._signals(then, status, current, strict=False)}
            if now not in ours | {target_status(status, self.cfg.skip_signal)}:
                raise RemoteConflictError(f"work item {item['id']} moved to {now} on the server")
        goal = target_status(status, self.cfg.skip_signal)
        change, marker = marker_change(status, review, goal, current)
        return steps, change, marker

    def _signals(
        self, now: str, status: str, marker: Mapping[str, Any] | None, *, strict: bool = True
    ) -> list[Signal]:
        try:
            return plan_signals(
                now,
                status,
                skip_signal=self.cfg.skip_signal,
                approval_on_server=(marker or {}).get("decision") == "approve",
                reject_signal=self.cfg.reject_signal,
            )
        except (KeyError, ValueError) as exc:
            if not strict:
                return []
            raise ValidationError(
                f"the work item is {now or 'without status'} on the server "
                f"and cannot be moved to {status}: {exc}"
            ) from exc

    def _result(self, item: Item | None, image: RemoteImage) -> PushResult:
        if item is None:
            return PushResult(image.key, image.container_version, image.version, image.status)
        stamp = str(item.get("updatedAt") or "") or None
        return PushResult(
            container_key=image.key,
            container_version=stamp,
            image_version=stamp,
            status=canonical_status(item.get("status"), review_marker(_labels(item))),
            state=item,
        )

    def _retrying(self, write: Any, applied: Any) -> Any:
        policy = self.t.policy
        return write_then_verify(
            write,
            applied,
            attempts=policy.attempts,
            on_retry=lambda attempt, exc: log.warning("retry %d after: %s", attempt + 1, exc),
            sleep=policy.sleeper,
            wait=lambda attempt: policy.delay(attempt, None),
        )

    def _put_labels(self, key: str, labels: list[Any]) -> Item | None:
        """Write the whole array; the answer is used as the new state when it is the item."""
        method, path = self._path("put_labels", workItemID=key)

        def write() -> Item | None:
            response = self.t.request(method, path, json={"labels": labels}, retry=False)
            try:
                body = response.json()
            except ValueError:
                return None  # written (2xx); the state is read back at the end
            ok = isinstance(body, Mapping) and str(body.get("id")) == key
            return body if ok and body.get("labels") == labels else None

        def applied() -> Item | None:
            item = self._fetch_item(key)
            return item if _labels(item) == labels else None

        return self._retrying(write, applied)

    def _signal(self, key: str, step: Signal, plan: PushPlan, known: Item | None) -> None:
        """Send one signal (``known``: the item as last read, None when it is stale)."""
        review = plan.status.review if plan.status else None
        body = signal_body(step, key, str((review or {}).get("comment") or ""), self.cfg)
        if step.bulk:
            method, path = self._path("bulk_signal")
        else:
            method, path = self._path("signal", workItemID=key)
        stamp: str | None = None
        if step.expect == step.source:
            # The status will not move (an approval): only updatedAt shows it landed.
            stamp = str((known or self._fetch_item(key)).get("updatedAt") or "")

        def write() -> bool:
            self.t.request(method, path, json=body, retry=False)
            return True

        def applied() -> bool | None:
            item = self._fetch_item(key)
            if item.get("status") != step.expect:
                return None
            return True if stamp is None or not same_time(item.get("updatedAt"), stamp) else None

        log.info("work item %s: %s (%s, %s)", key, step.signal, step.task, step.outcome)
        self._retrying(write, applied)

    # -- files ------------------------------------------------------------------------
    def download(self, image: RemoteImage, target: Path) -> None:
        """The asset, through a signed URL (no API key is sent to storage)."""
        url = image.url
        if not url:
            raise NotFoundError(f"work item {image.key} has no asset")
        external = url.startswith(("http://", "https://"))
        for attempt in range(2):
            signed = url if external else self._signed_url(space_relative(url, self.space_id))
            try:
                self.t.download(signed, target, auth=False)
            except AuthError as exc:
                # Storage refusing a signed URL means it expired or was never valid: sign
                # once more (no API key goes to storage, so this is no credentials issue).
                if external or attempt:
                    raise ValidationError(
                        f"storage refused the asset of {image.key}: {exc}"
                    ) from exc
                continue
            return

    def _signed_url(self, path: str) -> str:
        body, route = self._call("download_urls", body={"paths": [path]})
        items = shapes.listing(shapes.obj(body, route), "items", route, default=[])
        for entry in items:
            if entry.get("path") == path and isinstance(entry.get("signedUrl"), str):
                return str(entry["signedUrl"])
        if items and isinstance(items[0].get("signedUrl"), str):
            return str(items[0]["signedUrl"])
        raise NotFoundError(f"the server gave no download URL for {path}")

    def close(self) -> None:
        self.t.close()


__all__ = ["KIND", "CloudFactoryAdapter"]
