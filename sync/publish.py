"""Publishing: give a server every local image it does not hold yet, then sync as usual.

Publishing only makes the remote objects and links each local image to its own; the
labels, statuses and reviews then go through the ordinary engine (a linked image whose
annotations were never agreed on is dirty, so the next push sends them), which is why a
published project behaves exactly like a cloned one afterwards.

It is safe to stop at any moment. Before a batch is sent its images are written down as
in flight (a cursor of the remote); every remote object carries limner's image id (and
content hash) from the moment it exists; and each run starts by listing what the server
holds and linking every object that names a local image. So a second run after a crash
or a cancel links what the first one made and sends only the rest: no image is ever sent
twice into a second object. Images that were on the server before (an existing project)
are matched by content hash, else by a file name unique on both sides, and the report
says which rule matched each.

Uploads go in batches, a few at a time; a failed batch is retried with backoff only when
the failure is transient and only for the images the listing shows are still missing;
refused credentials, permissions and conflicts are never retried.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, select

from limner.models.store import queries, schema, sync_store
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import resolve_image_path
from limner.sync.errors import (
    AuthError,
    RemoteConflictError,
    SyncError,
    TransientError,
    ValidationError,
)
from limner.sync.retry import RetryPolicy

log = logging.getLogger("limner.sync")

INTENT_CURSOR = "publish_in_flight"
BATCH_SIZE = 10
PARALLEL = 3

Progress = Callable[[str, int, int | None], None]


#: Why a kind of server cannot be published to; the CLI and the Connect dialog say it.
CANNOT_PUBLISH = {
    "cloudfactory": (
        "CloudFactory's API documents no way to create work items or upload images, so "
        "limner cannot publish local images there; nothing was changed. Create the work "
        "items in CloudFactory, then clone or connect to that project."
    ),
}


def publish_refusal(kind: str) -> str | None:
    """Why local images cannot be published to this kind of server (None when they can)."""
    return CANNOT_PUBLISH.get(kind)


#: Kinds of server where publishing needs a project made there first (no --create).
NO_CREATE = {
    "hasty": (
        "limner does not make Hasty projects (their classes and keypoint schemas are set "
        "up in Hasty); create the project there, then publish with --project ID"
    ),
    "clarifai": (
        "limner does not make Clarifai apps; create the app there, then publish with "
        "--project USER_ID/APP_ID"
    ),
}


def create_refusal(kind: str) -> str | None:
    """Why ``--create`` cannot be used for this kind of server (None when it can)."""
    return NO_CREATE.get(kind) or CANNOT_PUBLISH.get(kind)


class PublishError(SyncError):
    """Publishing cannot start or cannot go on (the server cannot take new images...)."""


@dataclass(frozen=True, slots=True)
class LocalImage:
    image_id: int
    uuid: str
    name: str
    path: Path
    content_hash: str | None


@dataclass(frozen=True, slots=True)
class Existing:
    """A remote object as publishing sees it: its key and what it says about its image."""

    key: str
    name: str
    content_hash: str | None
    image_uuid: str | None
    url: str = ""
    status: str | None = None  # the status the server gives it now, when known


@dataclass(frozen=True, slots=True)
class Uploaded:
    image_uuid: str
    key: str
    url: str = ""
    status: str | None = "new"  # what a new object's status is on the server


class PublishTarget(Protocol):
    def existing(self) -> list[Existing]: ...

    def upload(self, batch: Sequence[LocalImage]) -> list[Uploaded]: ...


@dataclass(slots=True)
class PublishReport:
    sent: list[str] = field(default_factory=list)
    already: list[tuple[str, str]] = field(default_factory=list)  # (image, matching rule)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (image, why)
    resumed: int = 0  # images a stopped run had in flight (found there, or sent now)
    cancelled: bool = False
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "sent": len(self.sent),
            "already_there": [{"image": n, "matched_by": r} for n, r in self.already],
            "refused": [{"image": n, "reason": r} for n, r in self.refused],
            "resumed": self.resumed,
            "cancelled": self.cancelled,
            "notes": list(self.notes),
        }


def class_kind_counts(store: ProjectStore) -> dict[str, dict[str, int]]:
    """How many live annotations each class has, by geometry kind (for classes of kind
    ``any``, whose server tool is the kind they are used for)."""
    ann, cls = schema.annotation, schema.label_class
    query = (
        select(cls.c.name, ann.c.kind, func.count())
        .join(cls, cls.c.id == ann.c.class_id)
        .where(ann.c.deleted == 0)
        .group_by(cls.c.name, ann.c.kind)
    )
    out: dict[str, dict[str, int]] = {}
    with store.read() as conn:
        for name, kind, count in conn.execute(query):
            out.setdefault(str(name), {})[str(kind)] = int(count)
    return out


def match_existing(
    images: Sequence[LocalImage], existing: Sequence[Existing]
) -> tuple[list[tuple[LocalImage, Existing, str]], list[LocalImage]]:
    """Pair local images with remote objects: by limner id, content hash, then file name
    (only a name that is unique on both sides). Each remote object is used once."""
    used: set[str] = set()
    by_uuid = {e.image_uuid: e for e in existing if e.image_uuid}
    by_hash: dict[str, Existing] = {}
    for e in existing:
        if e.content_hash and not e.image_uuid:
            by_hash.setdefault(e.content_hash, e)
    remote_names = Counter(e.name for e in existing)
    local_names = Counter(i.name for i in images)
    by_name = {e.name: e for e in existing if remote_names[e.name] == 1}
    pairs: list[tuple[LocalImage, Existing, str]] = []
    rest: list[LocalImage] = []
    for image in images:
        found = [
            (by_uuid.get(image.uuid), "limner id"),
            (by_hash.get(image.content_hash or ""), "content hash"),
            (by_name.get(image.name) if local_names[image.name] == 1 else None, "file name"),
        ]
        hit = next(((e, rule) for e, rule in found if e is not None and e.key not in used), None)
        if hit is None:
            rest.append(image)
            continue
        used.add(hit[0].key)
        pairs.append((image, hit[0], hit[1]))
    return pairs, rest


def batches(images: Sequence[LocalImage], size: int) -> list[list[LocalImage]]:
    """Batches of at most ``size`` whose file names are unique within each batch (the
    server tells uploaded files apart by name)."""
    out: list[list[LocalImage]] = []
    for image in images:
        home = next(
            (b for b in out if len(b) < size and all(o.name != image.name for o in b)), None
        )
        if home is None:
            out.append([image])
        else:
            home.append(image)
    return out


class Publisher:
    """One publish run of a project to the remote ``remote_id`` through ``target``."""

    def __init__(
        self,
        store: ProjectStore,
        remote_id: int,
        target: PublishTarget,
        *,
        batch_size: int = BATCH_SIZE,
        parallel: int = PARALLEL,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.store = store
        self.remote_id = remote_id
        self.target = target
        self.batch_size = batch_size
        self.parallel = parallel
        self.policy = policy or RetryPolicy()
        self.report = PublishReport()

    def run(
        self, progress: Progress | None = None, cancelled: Callable[[], bool] | None = None
    ) -> PublishReport:
        progress = progress or (lambda *_: None)
        cancelled = cancelled or (lambda: False)
        local = self._unlinked()
        in_flight = self._intent()
        pairs, rest = match_existing(local, self._unclaimed(self.target.existing()))
        self._link([(image, e.key, e.url, e.status) for image, e, _ in pairs])
        for image, _e, rule in pairs:
            if image.uuid in in_flight:
                rule += ", sent by the run that stopped"
            self.report.already.append((image.name, rule))
        self.report.resumed = sum(1 for image in local if image.uuid in in_flight)
        self._send_all(rest, progress, cancelled)
        if not self.report.cancelled:
            self._set_intent(set())
        return self.report

    # -- local side ----------------------------------------------------------------------
    def _unlinked(self) -> list[LocalImage]:
        with self.store.read() as conn:
            linked = {link.image_id for link in sync_store.all_links(conn, self.remote_id)}
            records = queries.image_page(conn, 0, queries.image_count(conn))
        out: list[LocalImage] = []
        for record in records:
            if record.id in linked:
                continue
            path = resolve_image_path(self.store, record.path)
            if record.error or not record.width:
                self.report.refused.append((record.name, record.error or "unreadable image"))
            elif not path.is_file():
                self.report.refused.append((record.name, f"the file {path} is missing"))
            else:
                out.append(
                    LocalImage(record.id, record.uuid, record.name, path, record.content_hash)
                )
        return out

    def _unclaimed(self, existing: list[Existing]) -> list[Existing]:
        with self.store.read() as conn:
            keys = {link.remote_key for link in sync_store.all_links(conn, self.remote_id)}
        return [e for e in existing if e.key not in keys]

    def _intent(self) -> set[str]:
        with self.store.read() as conn:
            raw = sync_store.get_cursor(conn, self.remote_id, INTENT_CURSOR)
        return set(json.loads(raw)) if raw else set()

    def _set_intent(self, uuids: set[str]) -> None:
        with self.store.transaction(origin="sync") as (conn, _changes):
            sync_store.set_cursor(conn, self.remote_id, INTENT_CURSOR, json.dumps(sorted(uuids)))

    def _link(
        self, links: Sequence[tuple[LocalImage, str, str, str | None]], done: set[str] | None = None
    ) -> None:
        """Link each image to its remote object (no state yet: the push reads it), and
        take the images out of the in-flight list, in one transaction. The server's
        status is recorded as agreed, so a local status is a local change to send, not
        a conflict with the server's default."""
        with self.store.transaction(origin="sync") as (conn, _changes):
            for image, key, url, status in links:
                sync_store.save_link(
                    conn,
                    self.remote_id,
                    image.image_id,
                    remote_key=key,
                    source_url=url,
                    remote_version="",
                    synced_rev=0,
                    remote_status=status,
                )
            if done is not None:
                sync_store.set_cursor(conn, self.remote_id, INTENT_CURSOR, json.dumps(sorted(done)))

    # -- sending -------------------------------------------------------------------------
    def _send_all(self, images: list[LocalImage], progress: Progress, cancelled: Callable) -> None:
        queue = batches(images, self.batch_size)
        total, done = len(images), 0
        flying: set[str] = set()
        progress("publish", 0, total)
        stop: BaseException | None = None
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            pending: dict[Future[list[Uploaded]], list[LocalImage]] = {}
            while queue or pending:
                while queue and stop is None and len(pending) < self.parallel:
                    if cancelled():
                        self.report.cancelled = True
                        queue.clear()
                        break
                    batch = queue.pop(0)
                    flying |= {i.uuid for i in batch}
                    self._set_intent(flying)  # written before a byte is sent
                    pending[pool.submit(self._send, batch)] = batch
                if not pending:
                    break
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    batch = pending.pop(future)
                    try:
                        sent = future.result()
                    except (AuthError, RemoteConflictError) as exc:
                        stop = stop or exc
                        continue
                    except ValidationError as exc:
                        self.report.refused.extend((i.name, str(exc)) for i in batch)
                        flying -= {i.uuid for i in batch}
                        continue
                    flying -= {i.uuid for i in batch}
                    self._record(batch, sent, flying)
                    done += len(batch)
                    progress("publish", done, total)
        if stop is not None:
            raise stop

    def _record(self, batch: list[LocalImage], sent: list[Uploaded], flying: set[str]) -> None:
        by_uuid = {u.image_uuid: u for u in sent}
        links = [
            (i, by_uuid[i.uuid].key, by_uuid[i.uuid].url, by_uuid[i.uuid].status)
            for i in batch
            if i.uuid in by_uuid
        ]
        self._link(links, done=flying)
        self.report.sent.extend(link[0].name for link in links)
        why = getattr(self.target, "refusals", {})  # what the server said, where it said
        for image in batch:
            if image.uuid not in by_uuid:
                reason = why.get(image.uuid) or "the server made no object for it"
                self.report.refused.append((image.name, reason))

    def _send(self, batch: list[LocalImage]) -> list[Uploaded]:
        """Upload one batch; after a transient failure look on the server for what was made
        (by limner id) and send only the rest again, with backoff."""
        missing = list(batch)
        made: list[Uploaded] = []
        for attempt in range(self.policy.attempts):
            try:
                return made + self.target.upload(missing)
            except TransientError as exc:
                if attempt == self.policy.attempts - 1:
                    raise
                log.info("publish: batch failed (%s), looking for what arrived", exc)
                self.policy.sleeper(self.policy.delay(attempt, exc.retry_after))
                there = {e.image_uuid: e for e in self.target.existing() if e.image_uuid}
                made += [
                    Uploaded(i.uuid, there[i.uuid].key, there[i.uuid].url, there[i.uuid].status)
                    for i in missing
                    if i.uuid in there
                ]
                missing = [i for i in missing if i.uuid not in there]
                if not missing:
                    return made
        return made


def store_remote(
    store: ProjectStore,
    kind: str,
    url: str,
    project: str,
    settings: Mapping[str, Any] | None = None,
) -> sync_store.RemoteRecord:
    """Record the server project a publish goes to, before anything is sent, so a stopped
    publish finds it again; returned as read back (the URL as stored, its id)."""
    with store.transaction(origin="settings") as (conn, _changes):
        remote_id = sync_store.add_remote(conn, kind, url, project, settings=dict(settings or {}))
    with store.read() as conn:
        return next(r for r in sync_store.remotes(conn) if r.id == remote_id)
