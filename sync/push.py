"""The push step: make the server hold every dirty local region, and nothing else.

For each dirty image the reconciler plans the writes from the local annotations, what
both sides last agreed on and the remote state as the server last sent it; the adapter
carries the plan out (a few images in parallel, no more than the adapter says its server
takes well) and a transaction records the new agreements of every image whose send went
through. What the plan keeps is never re-encoded; a refused edit stays dirty and is
reported per region; an image whose plan writes nothing costs no request.

The calling thread plans and records; the workers only send. Each worker has the next
image planned and waiting, so none of them waits for the calling thread; outcomes are
taken as they arrive, not in order, and recorded ``RECORD_BATCH`` images per transaction
(each image's agreements, problems and link still commit together, all or nothing). When
the push must stop (a cancel, the server gone, credentials refused) the images no worker
started are given back, still dirty, and every image already sent is recorded before the
error is raised: nothing the server holds is left looking unsent, to be sent, refused and
looked up again next time. Only a crash can lose the last batch's records, and then the
next run finds the server's copies by the ids the adapter stores in them.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from limner.models.store import queries, sync_store
from limner.models.workflow.review import review_payload
from limner.sync.adapters.base import ImagePush, PushResult, RemoteImage
from limner.sync.errors import (
    AuthError,
    RemoteConflictError,
    SyncError,
    TransientError,
    ValidationError,
)
from limner.sync.merge import bases, local_regions, region_payload
from limner.sync.pull import review_base
from limner.sync.reconcile import PushPlan, StatusWrite, plan_push

if TYPE_CHECKING:
    from limner.sync.engine import SyncEngine, SyncReport

log = logging.getLogger("limner.sync")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One image as it was read for a push: what to send, and what was read to decide."""

    image_id: int
    image_uuid: str
    image_rev: int
    name: str
    image: RemoteImage
    push: ImagePush
    plan: PushPlan
    status_open: bool


#: Outcomes recorded per transaction. A commit waits for the disk (the store syncs every
#: commit to it), so one per image would cost more than planning the image; a batch this
#: small still leaves little for the next run to find again after a crash.
RECORD_BATCH = 8


class _Run:
    """One push run: its progress, the outcomes not recorded yet, the error that stops it."""

    def __init__(self, report: SyncReport, progress: Callable, total: int) -> None:
        self.report = report
        self.progress = progress
        self.total = total
        self.done = 0
        self.ready: list[tuple[Snapshot, PushResult | None]] = []
        self.stop: BaseException | None = None

    def settled(self, count: int = 1) -> None:
        self.done += count
        self.progress("push", self.done, self.total)


def _drop_unsent(pending: dict[Future[PushResult | None], Snapshot]) -> None:
    """Take back the jobs no worker has started: they stay dirty for the next run."""
    for future in [f for f in pending if f.cancel()]:
        del pending[future]


class Pusher:
    def __init__(self, engine: SyncEngine) -> None:
        self.e = engine
        self._batch: Any = None  # the connection of the batch being recorded

    def run(self, report: SyncReport, progress: Callable, check: Callable[[], None]) -> None:
        """Push every dirty image; the first error that must stop the push is raised once
        the images already sent are recorded (a sent image is never left unrecorded)."""
        e = self.e
        with e.store.read() as conn:
            dirty = sync_store.dirty_image_ids(conn, e.remote_id)
        if not dirty:
            return
        run = _Run(report, progress, len(dirty))
        queue = deque(dirty)
        workers = min(e.workers, e.adapter.push_parallelism() or e.workers)
        # Two jobs per worker in the pool: the one on the wire and the next, planned while
        # the first is on its way, so no worker waits for the calling thread.
        depth = 2 * workers
        try:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                pending: dict[Future[PushResult | None], Snapshot] = {}
                while queue or pending:
                    while queue and run.stop is None and len(pending) < depth:
                        snap = self._next(queue, check, run)
                        if snap is None:
                            continue
                        if snap.plan.writes_regions or snap.plan.status is not None:
                            pending[pool.submit(self._send, snap)] = snap
                        else:  # nothing to send, no request
                            self._ready(run, snap, None)
                    if run.stop is not None:
                        _drop_unsent(pending)
                    if not pending:
                        break
                    finished, _running = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        self._settle_one(pending.pop(future), future, run)
        finally:
            self._flush(run)
        if run.stop is not None:
            raise run.stop

    def _next(self, queue: deque[int], check: Callable[[], None], run: _Run) -> Snapshot | None:
        """The next image's snapshot; a cancel or an error reading it stops the push."""
        image_id = queue.popleft()
        try:
            check()
            snap = self.snapshot(image_id)
        except SyncError as exc:
            run.stop = exc
            return None
        if snap is None:
            run.settled()
        return snap

    def _settle_one(self, snap: Snapshot, future: Future[PushResult | None], run: _Run) -> None:
        try:
            stop = self._settle(snap, future, run)
        except (TransientError, AuthError) as exc:
            stop = exc
            run.settled()
        run.stop = run.stop or stop

    def _ready(self, run: _Run, snap: Snapshot, result: PushResult | None) -> None:
        run.ready.append((snap, result))
        if len(run.ready) >= RECORD_BATCH:
            self._flush(run)

    def _flush(self, run: _Run) -> None:
        """Record the outcomes waiting, in one transaction."""
        if not run.ready:
            return
        batch, run.ready = run.ready, []
        with self.e.store.transaction(origin="sync") as (conn, _changes):
            self._batch = conn
            try:
                for snap, result in batch:
                    self.record(snap, result)
            finally:
                self._batch = None
        run.report.pushed_images += sum(1 for _snap, result in batch if result is not None)
        run.settled(len(batch))

    def _send(self, snap: Snapshot) -> PushResult | None:
        if not snap.plan.writes_regions and snap.plan.status is None:
            return None
        return self.e.adapter.apply(snap.image, snap.plan, snap.push)

    def _settle(
        self, snap: Snapshot, future: Future[PushResult | None], run: _Run
    ) -> BaseException | None:
        """Take one image's outcome; returns an error that must stop the push."""
        try:
            result = future.result()
        except RemoteConflictError:
            self._rebase(snap, run.report)
            run.settled()
            return None
        except ValidationError as exc:
            self._failed(snap, str(exc))
            run.settled()
            return None
        except (TransientError, AuthError, SyncError) as exc:
            run.settled()
            return exc
        self._ready(run, snap, result)
        return None

    # -- reading ---------------------------------------------------------------------------
    def snapshot(self, image_id: int) -> Snapshot | None:
        """The image's current state, and the plan that makes the server hold it."""
        e = self.e
        with e.store.read() as conn:
            record = queries.image_by_id(conn, image_id)
            link = sync_store.link_by_image(conn, e.remote_id, image_id)
            if record is None or link is None or not record.width or not record.height:
                return None
            local = local_regions(conn, image_id, e.class_names)
            base = bases(conn, e.remote_id, image_id)
            open_here = sync_store.open_conflicts(conn, e.remote_id, image_id=image_id)
            review = review_payload(conn, image_id)
        in_conflict = {c.local_key for c in open_here if c.entity == "annotation"}
        status_open = any(c.entity == "image" for c in open_here)
        image = RemoteImage(
            key=link.remote_key,
            name=record.name,
            url=link.source_url or "",
            version=link.remote_version,
            status=link.remote_status,
            container_key=link.container_key,
            container_version=link.container_version,
            state=link.remote_state,
            identity=link.identity,
        )
        push = ImagePush(
            key=link.remote_key,
            image_uuid=record.uuid,
            width=record.width,
            height=record.height,
            status=record.status,
            container_key=link.container_key,
            container_version=link.container_version,
            review=review,
            remote_status=link.remote_status,
            skeleton_edges=e.skeleton_edges,
        )
        agreed = link.base_review or {}
        agreed_status = agreed.get("status") or link.remote_status
        status = None
        if not status_open and (record.status != agreed_status or review != agreed.get("local")):
            status = StatusWrite(record.status, review)
        if link.remote_state is None:
            image = e.adapter.fetch_image(link.remote_key)
        decoded = e.adapter.decode(image, record.width, record.height)

        def encode(region: Any, target: Any) -> Any:
            edges = e.skeleton_edges.get(region.class_name or "", ())
            return e.adapter.encode(
                region, record.width, record.height, target=target, skeleton_edges=edges
            )

        plan = plan_push(
            local, base, decoded.regions, encode, in_conflict=in_conflict, status=status
        )
        return Snapshot(
            image_id, record.uuid, record.rev, record.name, image, push, plan, status_open
        )

    # -- recording -------------------------------------------------------------------------
    def record(self, snap: Snapshot, result: PushResult | None) -> None:
        """The image's new agreements, push problems and link, all in one transaction: the
        batch's under way, else one of its own."""
        if self._batch is not None:
            self._record_in(self._batch, snap, result)
            return
        with self.e.store.transaction(origin="sync") as (conn, _changes):
            self._record_in(conn, snap, result)

    def _record_in(self, conn: Any, snap: Snapshot, result: PushResult | None) -> None:
        e = self.e
        plan = snap.plan
        version = result.container_version if result else snap.push.container_version
        refs: dict[str, dict[str, Any]] = {}  # by uuid; a later agreement wins, as it did

        def agree(uuid: str, rev: int, digest: str | None, key: str) -> None:
            refs.pop(uuid, None)
            refs[uuid] = {
                "local_key": uuid,
                "synced_rev": rev,
                "synced_hash": digest,
                "remote_key": key,
                "remote_version": version,
            }

        for write in (*plan.creates, *plan.updates):
            key = (result.keys.get(write.uuid) if result else None) or (
                write.target.key if write.target else write.uuid
            )
            agree(write.uuid, write.rev, write.digest, key)
        for delete in plan.deletes:
            agree(delete.uuid, delete.rev, None, delete.target.key)
        for agreed in plan.agreed:
            agree(agreed.uuid, agreed.rev, agreed.digest, agreed.uuid)
        sync_store.save_refs(conn, e.remote_id, "annotation", list(refs.values()))
        for clash in plan.conflicts:
            sync_store.add_conflict(
                conn,
                e.remote_id,
                "annotation",
                clash.uuid,
                snap.image_id,
                region_payload(clash.remote),
                version,
                clash.detail,
            )
        problems = [
            ("refused", r.uuid, r.target.key if r.target else None, r.reason)
            for r in plan.refusals
        ]
        sync_store.replace_problems(conn, e.remote_id, snap.image_id, "push", problems)
        self._save_link(conn, snap, result)

    def _save_link(self, conn: Any, snap: Snapshot, result: PushResult | None) -> None:
        values: dict[str, Any] = {}
        if result is not None:
            values.update(
                container_key=result.container_key,
                container_version=result.container_version,
            )
            if result.image_version:
                values["remote_version"] = result.image_version
            if result.state is not None:
                values["remote_state"] = sync_store.dumps_state(result.state)
            elif snap.plan.writes_regions:
                values["remote_state"] = None  # unknown now: read again before the next plan
        status = snap.plan.status
        if status is not None and result is not None:
            values["remote_status"] = result.status or status.status
            values["base_review"] = review_base(
                dict(status.review) if status.review else None, snap.push.review, status.status
            )
        if not snap.status_open:
            link = sync_store.link_by_image(conn, self.e.remote_id, snap.image_id)
            if link is not None and snap.image_rev > link.synced_rev:
                values["synced_rev"] = snap.image_rev
        if values:
            sync_store.save_link(conn, self.e.remote_id, snap.image_id, **values)

    def _failed(self, snap: Snapshot, message: str) -> None:
        with self.e.store.transaction(origin="sync") as (conn, _changes):
            sync_store.replace_problems(
                conn, self.e.remote_id, snap.image_id, "push", [("error", None, None, message)]
            )

    def _rebase(self, snap: Snapshot, report: SyncReport) -> None:
        """The server changed under the plan: pull the image again, plan again, once."""
        e = self.e
        remote = e.adapter.fetch_image(snap.push.key)
        with e.store.transaction(origin="sync") as (conn, changes):
            writer = e.writer(conn, changes)
            e.puller.pull_one(conn, changes, writer, remote, None)
        report.add(writer.stats)
        fresh = self.snapshot(snap.image_id)
        if fresh is None:
            return
        try:
            result = self._send(fresh)
        except ValidationError as exc:
            self._failed(fresh, str(exc))
            return
        except RemoteConflictError:
            self._failed(fresh, "the server keeps changing this image; it will be tried again")
            return
        self.record(fresh, result)
        if result is not None:
            report.pushed_images += 1
