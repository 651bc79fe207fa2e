"""The sync engine: state-based, resumable, one remote project at a time.

``run_once`` pulls what changed remotely since the stored cursor (advancing it only in
the transaction that writes the pulled batch), sweeps for remote deletions, then pushes
the current state of every dirty image. An image is dirty when one of its annotations or
its status has a revision above the one last synced; a push that succeeds records the
revision it sent, so an edit made meanwhile stays dirty. Any step may stop on an error:
what was committed stays, what was not is found dirty again next time.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models import queries, schema, sync_store, tx
from models.entities import ImageStatus
from models.geometry import Skeleton
from models.imageio import ImageProbe, probe_image
from models.palette import color_for_index
from models.project import resolve_image_path, stored_path_for
from models.queues import sync_remote_queue
from models.review import record_status_change, review_payload
from models.store import ProjectStore
from sync.adapters.base import Adapter, ImagePush, PushResult, Region, RemoteImage
from sync.errors import (
    AuthError,
    NotFoundError,
    RemoteConflictError,
    SyncError,
    TransientError,
    ValidationError,
)
from sync.merge import Merger, local_states, region_from_payload, region_hash

log = logging.getLogger("limner.sync")

Progress = Callable[[str, int, int | None], None]
IMAGES_CURSOR = "images"


@dataclass(slots=True)
class SyncReport:
    state: str = "up_to_date"  # up_to_date | offline | auth | error | cancelled
    message: str = ""
    pulled_images: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    pushed_images: int = 0
    downloaded: int = 0
    conflicts: int = 0
    issues: list[str] = field(default_factory=list)
    pending: int = 0
    finished_at: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "up_to_date" and not self.issues and not self.conflicts

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "message": self.message,
            "pulled_images": self.pulled_images,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "pushed_images": self.pushed_images,
            "downloaded": self.downloaded,
            "conflicts": self.conflicts,
            "issues": list(self.issues),
            "pending": self.pending,
            "finished_at": self.finished_at,
        }


class Cancelled(SyncError):
    """The user cancelled the run; everything committed so far stays."""


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[-120:] or "image"


class SyncEngine:
    def __init__(
        self,
        store: ProjectStore,
        remote_id: int,
        adapter: Adapter,
        *,
        workers: int = 4,
        clock: Callable[[], datetime] | None = None,
        sweep: bool = True,
    ) -> None:
        self.store = store
        self.remote_id = remote_id
        self.adapter = adapter
        self.workers = max(1, workers)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.sweep = sweep
        self.source = f"remote:{adapter.kind}"
        self._class_ids: dict[str, int] = {}

    # -- the whole run ---------------------------------------------------------------------
    def run_once(
        self, *, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> SyncReport:
        report = SyncReport()
        report_progress = progress or (lambda stage, done, total: None)

        def check() -> None:
            if cancel is not None and cancel.is_set():
                raise Cancelled("sync cancelled")

        try:
            self.adapter.connect()
            self.sync_classes()
            self.pull(report, report_progress, check)
            if self.sweep:
                self.sweep_deleted()
            self.pull_queues()
            self.push(report, report_progress, check)
        except Cancelled as exc:
            report.state, report.message = "cancelled", str(exc)
        except AuthError as exc:
            report.state, report.message = "auth", str(exc)
        except TransientError as exc:
            report.state, report.message = "offline", str(exc)
        except SyncError as exc:
            report.state, report.message = "error", str(exc)
        with self.store.read() as conn:
            report.pending = sync_store.pending_count(conn, self.remote_id)
            report.conflicts = len(sync_store.open_conflicts(conn, self.remote_id))
            report.issues = [f"{e} {k}: {m}" for e, k, m in sync_store.issues(conn, self.remote_id)]
        report.finished_at = self.clock().isoformat(timespec="seconds")
        log.info("sync finished: %s", report.to_json())
        return report

    # -- classes ---------------------------------------------------------------------------
    def sync_classes(self) -> None:
        """Create local classes for remote ones (matched by name); never delete or rename."""
        specs = self.adapter.classes()
        with self.store.transaction(origin="sync") as (conn, changes):
            existing = {c.name: c for c in queries.label_classes(conn)}
            for index, spec in enumerate(specs):
                if spec.name in existing:
                    continue
                fields: dict[str, Any] = {
                    "name": spec.name,
                    "color": spec.color or color_for_index(len(existing) + index),
                    "kind": spec.kind,
                    "attribute_schema": [dict(a) for a in spec.attribute_schema],
                }
                if spec.skeleton:
                    fields["skeleton"] = Skeleton.from_json(dict(spec.skeleton))
                tx.insert_class(conn, changes, fields)
            self._class_ids = {c.name: c.id for c in queries.label_classes(conn)}

    # -- pull ------------------------------------------------------------------------------
    def pull(self, report: SyncReport, progress: Progress, check: Callable[[], None]) -> None:
        with self.store.read() as conn:
            cursor = sync_store.get_cursor(conn, self.remote_id, IMAGES_CURSOR)
        done = 0
        for page in self.adapter.changed_images(cursor):
            check()
            files = self._download_missing(page.images, report, check)
            with self.store.transaction(origin="sync") as (conn, changes):
                merger = Merger(conn, changes, self.remote_id, self._class_ids, self.source)
                for remote in page.images:
                    self._pull_one(conn, changes, merger, remote, files.get(remote.key), report)
                if page.cursor is not None:
                    sync_store.set_cursor(conn, self.remote_id, IMAGES_CURSOR, page.cursor)
            report.created += merger.stats.created
            report.updated += merger.stats.updated
            report.deleted += merger.stats.deleted
            report.pulled_images += len(page.images)
            done += len(page.images)
            progress("pull", done, None)

    def _image_folder(self) -> Path:
        folder = self.store.folder / "images" / f"remote-{self.remote_id}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _download_missing(
        self, images: Iterable[RemoteImage], report: SyncReport, check: Callable[[], None]
    ) -> dict[str, Path | str]:
        """Download (in parallel) the files of images not on disk yet.

        Returns key -> path, or key -> error text for images the server cannot give.
        """
        wanted: list[tuple[RemoteImage, Path]] = []
        with self.store.read() as conn:
            for remote in images:
                link = sync_store.link_by_key(conn, self.remote_id, remote.key)
                if link is not None:
                    record = queries.image_by_id(conn, link.image_id)
                    if record is not None and resolve_image_path(self.store, record.path).exists():
                        continue
                    if record is not None and record.error is None:
                        wanted.append((remote, resolve_image_path(self.store, record.path)))
                        continue
                name = f"{_safe_name(remote.key)}_{_safe_name(remote.name)}"
                wanted.append((remote, self._image_folder() / name))
        results: dict[str, Path | str] = {}
        if not wanted:
            return results
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            futures = {pool.submit(self._download_one, r, p): (r, p) for r, p in wanted}
            for future, (remote, path) in futures.items():
                check()
                try:
                    future.result()
                except NotFoundError as exc:
                    results[remote.key] = f"the server has no file for this image: {exc}"
                    continue
                except ValidationError as exc:
                    results[remote.key] = f"the image could not be downloaded: {exc}"
                    continue
                results[remote.key] = path
                report.downloaded += 1
        return results

    def _download_one(self, remote: RemoteImage, path: Path) -> None:
        tmp = path.with_name(path.name + ".part")
        self.adapter.download(remote, tmp)
        tmp.replace(path)

    def _pull_one(
        self,
        conn: Any,
        changes: Any,
        merger: Merger,
        remote: RemoteImage,
        file: Path | str | None,
        report: SyncReport,
    ) -> None:
        link = sync_store.link_by_key(conn, self.remote_id, remote.key)
        image_id = link.image_id if link else None
        if image_id is None:
            image_id = self._create_image(conn, changes, remote, file)
        elif isinstance(file, Path):
            self._refresh_image_file(conn, changes, image_id, file)
        record = queries.image_by_id(conn, image_id)
        assert record is not None
        if record.error or not record.width or not record.height:
            sync_store.save_link(
                conn,
                self.remote_id,
                image_id,
                remote_key=remote.key,
                remote_version="",
                source_url=remote.url,
            )
            return
        regions, warnings = self.adapter.regions(remote, record.width, record.height)
        for warning in warnings:
            sync_store.park_issue(
                conn, self.remote_id, "image", record.uuid, record.rev, f"{record.name}: {warning}"
            )
        merger.merge_regions(image_id, regions, remote.container_version)
        self._merge_status(conn, changes, image_id, link, remote, merger)
        fresh = sync_store.link_by_image(conn, self.remote_id, image_id)
        sync_store.save_link(
            conn,
            self.remote_id,
            image_id,
            remote_key=remote.key,
            remote_version=remote.version,
            container_key=remote.container_key,
            container_version=remote.container_version,
            source_url=remote.url,
            remote_status=remote.status,
            synced_rev=fresh.synced_rev if fresh else record.rev,
        )

    def _create_image(
        self, conn: Any, changes: Any, remote: RemoteImage, file: Path | str | None
    ) -> int:
        if isinstance(file, Path):
            probe = replace(probe_image(file), name=remote.name)
        else:
            probe = ImageProbe(
                path=self._image_folder() / _safe_name(remote.name),
                name=remote.name,
                width=None,
                height=None,
                format=None,
                content_hash=None,
                size_bytes=0,
                orientation=1,
                error=file or "not downloaded yet",
            )
        (image_id,) = tx.insert_images(
            conn, changes, [probe], stored_path=stored_path_for(self.store)
        )
        status = remote.status or ImageStatus.NEW.value
        if status != ImageStatus.NEW.value:
            tx.set_image_status(conn, changes, image_id, status)
        rev = conn.execute(
            select(schema.image.c.rev).where(schema.image.c.id == image_id)
        ).scalar_one()
        sync_store.save_link(
            conn,
            self.remote_id,
            image_id,
            remote_key=remote.key,
            remote_version="",
            source_url=remote.url,
            synced_rev=rev,
            remote_status=remote.status,
        )
        return image_id

    def _refresh_image_file(self, conn: Any, changes: Any, image_id: int, file: Path) -> None:
        probe = probe_image(file)
        conn.execute(
            schema.image.update()
            .where(schema.image.c.id == image_id)
            .values(
                width=probe.width,
                height=probe.height,
                content_hash=probe.content_hash,
                format=probe.format,
                size_bytes=probe.size_bytes,
                error=probe.error,
            )
        )
        changes.images.add(image_id)

    def _merge_status(
        self,
        conn: Any,
        changes: Any,
        image_id: int,
        link: sync_store.RemoteImageLink | None,
        remote: RemoteImage,
        merger: Merger,
    ) -> None:
        if remote.status is None or link is None:
            return
        if remote.status == link.remote_status:
            return  # unchanged on the server
        record = queries.image_by_id(conn, image_id)
        assert record is not None
        local_dirty = record.rev > link.synced_rev
        if record.status == remote.status:
            sync_store.save_link(conn, self.remote_id, image_id, synced_rev=record.rev)
            return
        if local_dirty:
            sync_store.add_conflict(
                conn,
                self.remote_id,
                "image",
                record.uuid,
                image_id,
                {"status": remote.status, "review": dict(remote.review or {})},
                remote.version,
                f"status {record.status} here, {remote.status} on the server",
            )
            merger.stats.conflicts += 1
            return
        record_status_change(
            conn,
            changes,
            image_id,
            remote.status,
            actor=self.source,
            comment=str((remote.review or {}).get("comment") or ""),
            kind="sync",
        )
        new_rev = queries.image_by_id(conn, image_id).rev  # type: ignore[union-attr]
        sync_store.save_link(conn, self.remote_id, image_id, synced_rev=new_rev)
        merger.stats.status_changed += 1

    def pull_queues(self) -> None:
        """The remote's work lists as local queues (read-only here, refreshed each run)."""
        remote_queues = self.adapter.queues()
        if not remote_queues:
            return
        with self.store.transaction(origin="sync") as (conn, changes):
            links = {
                link.remote_key: link.image_id
                for link in sync_store.all_links(conn, self.remote_id)
            }
            for queue in remote_queues:
                sync_remote_queue(
                    conn,
                    changes,
                    remote_id=self.remote_id,
                    remote_key=queue.key,
                    name=queue.name,
                    role=queue.role,
                    assignee=queue.assignee,
                    image_ids=[links[k] for k in queue.image_keys if k in links],
                )

    def sweep_deleted(self) -> None:
        """Flag images deleted on the server (never deletes local work)."""
        keys = self.adapter.image_keys()
        with self.store.transaction(origin="sync") as (conn, _changes):
            gone = [
                link.image_id
                for link in sync_store.all_links(conn, self.remote_id)
                if link.remote_key not in keys
            ]
            sync_store.mark_deleted_remotely(conn, self.remote_id, gone)

    # -- push ------------------------------------------------------------------------------
    def push(self, report: SyncReport, progress: Progress, check: Callable[[], None]) -> None:
        with self.store.read() as conn:
            dirty = sync_store.dirty_image_ids(conn, self.remote_id)
        total = len(dirty)
        if not total:
            return
        done = 0
        stop: BaseException | None = None
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            pending: dict[Future[PushResult], _Snapshot] = {}
            queue = list(dirty)
            while queue or pending:
                while queue and len(pending) < self.workers and stop is None:
                    check()
                    snap = self._snapshot(queue.pop(0))
                    if snap is None:
                        continue
                    pending[pool.submit(self.adapter.push_image, snap.push)] = snap
                if not pending:
                    break
                future = next(iter(pending))
                snap = pending.pop(future)
                try:
                    result = future.result()
                except RemoteConflictError:
                    try:
                        self._rebase(snap, report)
                    except (TransientError, AuthError) as exc:
                        stop = stop or exc
                    continue
                except ValidationError as exc:
                    self._park(snap, str(exc))
                    continue
                except (TransientError, AuthError, SyncError) as exc:
                    stop = stop or exc
                    continue
                self._pushed(snap, result)
                report.pushed_images += 1
                done += 1
                progress("push", done, total)
        if stop is not None:
            raise stop

    def _snapshot(self, image_id: int) -> _Snapshot | None:
        """The image's current state as a push, with the revisions it contains."""
        with self.store.read() as conn:
            record = queries.image_by_id(conn, image_id)
            link = sync_store.link_by_image(conn, self.remote_id, image_id)
            if record is None or link is None or not record.width or not record.height:
                return None
            states = local_states(conn, image_id)
            refs = sync_store.refs_for_image(conn, self.remote_id, image_id)
            open_here = [
                c for c in sync_store.open_conflicts(conn, self.remote_id) if c.image_id == image_id
            ]
            conflicts = {
                c.local_key: c.remote_payload for c in open_here if c.entity == "annotation"
            }
            status_conflict = any(c.entity == "image" for c in open_here)
            review = review_payload(conn, image_id)
            edges = {
                c.name: tuple(c.skeleton.edges)
                for c in queries.label_classes(conn)
                if c.skeleton is not None and c.skeleton.edges
            }
        names = {v: k for k, v in self._class_ids.items()}
        regions: list[Region] = []
        sent: dict[str, tuple[int, str | None]] = {}
        refused: dict[str, tuple[int, str]] = {}
        for uuid, state in states.items():
            if uuid in conflicts:
                region = region_from_payload(uuid, conflicts[uuid])
                if region is not None:
                    regions.append(region)
                continue
            if state.deleted:
                if uuid in refs:
                    sent[uuid] = (state.rev, None)
                continue
            region = Region(
                uuid,
                names.get(state.class_id) if state.class_id is not None else None,
                state.geometry,
                state.attributes,
            )
            why = self.adapter.capabilities.refuses(state.geometry.kind)
            if why is None and hasattr(self.adapter, "check_region"):
                why = self.adapter.check_region(  # type: ignore[attr-defined]
                    region, record.width, record.height
                )
            if why is not None:
                refused[uuid] = (state.rev, why)
                previous = refs.get(uuid)
                if previous is not None and previous.synced_hash is not None:
                    # keep what the server has rather than deleting it there
                    continue
                continue
            regions.append(region)
            sent[uuid] = (state.rev, region_hash(region))
        status = link.remote_status if status_conflict and link.remote_status else record.status
        return _Snapshot(
            image_id=image_id,
            image_uuid=record.uuid,
            image_rev=record.rev,
            name=record.name,
            sent=sent,
            refused=refused,
            push=ImagePush(
                key=link.remote_key,
                image_uuid=record.uuid,
                width=record.width,
                height=record.height,
                regions=tuple(regions),
                status=status,
                container_key=link.container_key,
                container_version=link.container_version,
                remote_status=link.remote_status,
                review=review,
                skeleton_edges=edges,
            ),
        )

    def _pushed(self, snap: _Snapshot, result: PushResult) -> None:
        with self.store.transaction(origin="sync") as (conn, _changes):
            for uuid, (rev, digest) in snap.sent.items():
                sync_store.save_ref(
                    conn,
                    self.remote_id,
                    "annotation",
                    uuid,
                    synced_rev=rev,
                    synced_hash=digest,
                    remote_key=uuid,
                    remote_version=result.container_version,
                )
                sync_store.clear_issue(conn, self.remote_id, "annotation", uuid)
            for uuid, (rev, why) in snap.refused.items():
                old = sync_store.refs_for_image(conn, self.remote_id, snap.image_id).get(uuid)
                sync_store.save_ref(
                    conn,
                    self.remote_id,
                    "annotation",
                    uuid,
                    synced_rev=rev,
                    synced_hash=old.synced_hash if old else None,
                    remote_key=uuid,
                )
                sync_store.park_issue(
                    conn, self.remote_id, "annotation", uuid, rev, f"{snap.name}: {why}"
                )
            link = sync_store.link_by_image(conn, self.remote_id, snap.image_id)
            values: dict[str, Any] = {
                "container_key": result.container_key,
                "container_version": result.container_version,
                "remote_status": result.status or snap.push.status,
            }
            if link is not None and snap.image_rev > link.synced_rev:
                values["synced_rev"] = snap.image_rev
            if result.image_version:
                values["remote_version"] = result.image_version
            sync_store.save_link(conn, self.remote_id, snap.image_id, **values)
            sync_store.clear_issue(conn, self.remote_id, "image", snap.image_uuid)

    def _park(self, snap: _Snapshot, message: str) -> None:
        with self.store.transaction(origin="sync") as (conn, _changes):
            sync_store.park_issue(
                conn,
                self.remote_id,
                "image",
                snap.image_uuid,
                snap.image_rev,
                f"{snap.name}: {message}",
            )

    def _rebase(self, snap: _Snapshot, report: SyncReport) -> None:
        """The server changed since our base: merge its state, then push once more."""
        remote = self.adapter.fetch_image(snap.push.key)
        with self.store.transaction(origin="sync") as (conn, changes):
            merger = Merger(conn, changes, self.remote_id, self._class_ids, self.source)
            self._pull_one(conn, changes, merger, remote, None, report)
        fresh = self._snapshot(snap.image_id)
        if fresh is None:
            return
        try:
            result = self.adapter.push_image(fresh.push)
        except ValidationError as exc:
            self._park(fresh, str(exc))
            return
        except RemoteConflictError:
            self._park(fresh, "the server keeps changing this image; try again later")
            return
        self._pushed(fresh, result)
        report.pushed_images += 1

    # -- conflicts -------------------------------------------------------------------------
    def resolve(self, conflict_id: int, choice: str) -> None:
        resolve_conflict(self.store, conflict_id, choice, self.source)


@dataclass(slots=True)
class _Snapshot:
    image_id: int
    image_uuid: str
    image_rev: int
    name: str
    sent: dict[str, tuple[int, str | None]]
    refused: dict[str, tuple[int, str]]
    push: ImagePush


CHOICES = ("mine", "theirs", "both")


def resolve_conflict(store: ProjectStore, conflict_id: int, choice: str, source: str = "") -> None:
    """Settle one conflict: keep mine, take theirs, or keep both (mine as a copy)."""
    if choice not in CHOICES:
        raise ValueError(f"unknown choice {choice!r}; use one of {', '.join(CHOICES)}")
    with store.transaction(origin="user") as (conn, changes):
        record = next((c for c in sync_store.open_conflicts(conn) if c.id == conflict_id), None)
        if record is None:
            raise SyncError(f"conflict {conflict_id} is not open")
        class_ids = {c.name: c.id for c in queries.label_classes(conn)}
        merger = Merger(conn, changes, record.remote_id, class_ids, source or "remote")
        if record.entity == "image":
            _resolve_status(conn, changes, record, choice)
        else:
            _resolve_annotation(conn, changes, merger, record, choice)
        sync_store.close_conflict(conn, conflict_id, choice)
        tx.log_event(conn, "resolve", {"conflict": conflict_id, "choice": choice})


def _resolve_annotation(
    conn: Any, changes: Any, merger: Merger, record: sync_store.ConflictRecord, choice: str
) -> None:
    uuid = record.local_key
    image_id = record.image_id
    assert image_id is not None
    remote_region = region_from_payload(uuid, record.remote_payload)
    local = local_states(conn, image_id).get(uuid)
    if choice == "mine":
        # The remote version is now known; local must win at the next push.
        ref = sync_store.refs_for_image(conn, record.remote_id, image_id).get(uuid)
        rev = local.rev if local else 0
        sync_store.save_ref(
            conn,
            record.remote_id,
            "annotation",
            uuid,
            synced_rev=min(rev - 1, ref.synced_rev if ref else rev - 1),
            synced_hash=region_hash(remote_region),
            remote_key=uuid,
        )
        return
    if choice == "both" and local is not None and not local.deleted:
        from models.entities import NewAnnotation

        tx.insert_annotation(
            conn,
            changes,
            NewAnnotation(
                tx.new_uuid(),
                image_id,
                local.class_id,
                local.geometry,
                local.attributes,
            ),
        )
    merger.apply(image_id, uuid, remote_region, local, record.remote_version)


def _resolve_status(
    conn: Any, changes: Any, record: sync_store.ConflictRecord, choice: str
) -> None:
    image_id = record.image_id
    assert image_id is not None
    remote_status = record.remote_payload.get("status")
    link = sync_store.link_by_image(conn, record.remote_id, image_id)
    if choice == "mine":
        sync_store.save_link(conn, record.remote_id, image_id, remote_status=remote_status)
        return
    tx.set_image_status(conn, changes, image_id, remote_status)
    rev = queries.image_by_id(conn, image_id).rev  # type: ignore[union-attr]
    if link is not None:
        sync_store.save_link(
            conn, record.remote_id, image_id, synced_rev=rev, remote_status=remote_status
        )


def dumps_report(report: SyncReport) -> str:
    return json.dumps(report.to_json(), indent=2, sort_keys=True)
