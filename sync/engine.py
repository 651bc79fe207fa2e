"""The sync engine: state-based, resumable, one remote project at a time.

``run_once`` syncs the classes, pulls what changed remotely since the stored cursor
(advancing it only in the transaction that writes the pulled batch), sweeps for remote
deletions, refreshes queues, then pushes every dirty image. An image is dirty when one of
its annotations or its status has a revision above the one last synced; a push that
succeeds records the revision it sent, so an edit made meanwhile stays dirty. Any step may
stop on an error: what was committed stays, what was not is found dirty again next time.
A TLS failure ends the run in a state of its own ("tls"): it is neither offline nor
retried, since only a trusted certificate or a corrected address fixes it.

The sweep and the queues are listings of the whole remote project, so a run skips them
when they cannot have changed. After a complete pull every remote image is linked here,
so while the remote's own count of images (when the adapter learns it without a request
of its own) equals the number linked, no image was deleted there: the full sweep then
runs only every ``SWEEP_EVERY``, and at once when the counts differ. An adapter that
knows no count sweeps every run. The queues are listed again when the pull brought
changes, and every ``QUEUES_EVERY`` otherwise.

The steps live in ``sync.pull``, ``sync.push`` and ``sync.conflicts``; what to write where
is decided by ``sync.reconcile``, the same for every server.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from limner.models.domain.geometry import Skeleton, TagSpec
from limner.models.domain.palette import color_for_index
from limner.models.store import queries, sync_store, tx
from limner.models.store.store import ProjectStore
from limner.models.workflow.queues import sync_remote_queue
from limner.sync.adapters.base import Adapter
from limner.sync.conflicts import CHOICES, resolve_conflict
from limner.sync.errors import AuthError, SyncError, TLSError, TransientError
from limner.sync.merge import LocalWriter, MergeStats
from limner.sync.pull import IMAGES_CURSOR, Puller
from limner.sync.push import Pusher

__all__ = ["CHOICES", "IMAGES_CURSOR", "SyncEngine", "SyncReport", "resolve_conflict"]

log = logging.getLogger("limner.sync")

Progress = Callable[[str, int, int | None], None]

#: Problems that leave the project in sync: things on the server kept as they are.
KEPT_KINDS = frozenset({"kept", "malformed"})

#: A full sweep for remote deletions at least this often, even while the counts agree.
SWEEP_EVERY = timedelta(minutes=15)
#: The remote's queues are listed again at least this often (at once after changes).
QUEUES_EVERY = timedelta(minutes=5)
SWEEP_CURSOR = "swept_at"
QUEUES_CURSOR = "queues_at"

EXIT_IN_SYNC = 0
EXIT_ERROR = 1
EXIT_KEPT = 3


@dataclass(slots=True)
class SyncReport:
    state: str = "up_to_date"  # up_to_date | offline | auth | tls | error | cancelled
    message: str = ""
    pulled_images: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    pushed_images: int = 0
    downloaded: int = 0
    conflicts: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    pending: int = 0
    finished_at: str = ""

    def add(self, stats: MergeStats) -> None:
        self.created += stats.created
        self.updated += stats.updated
        self.deleted += stats.deleted

    @property
    def issues(self) -> list[str]:
        """Problems as one line each, for short listings."""
        return [
            f"{p['kind']} {p.get('image') or ''} {p.get('remote_key') or p.get('local_key') or ''}"
            f": {p['message']}"
            for p in self.problems
        ]

    @property
    def kept(self) -> int:
        return sum(1 for p in self.problems if p["kind"] in KEPT_KINDS)

    @property
    def ok(self) -> bool:
        """In sync: nothing failed, pending, in conflict or refused."""
        return (
            self.state == "up_to_date"
            and not self.conflicts
            and not self.pending
            and all(p["kind"] in KEPT_KINDS for p in self.problems)
        )

    @property
    def exit_code(self) -> int:
        """0 in sync; 3 in sync except for kept items limner cannot represent; 1 otherwise."""
        if not self.ok:
            return EXIT_ERROR
        return EXIT_KEPT if self.kept else EXIT_IN_SYNC

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
            "problems": list(self.problems),
            "issues": self.issues,
            "kept": self.kept,
            "pending": self.pending,
            "exit_code": self.exit_code,
            "finished_at": self.finished_at,
        }


class Cancelled(SyncError):
    """The user cancelled the run; everything committed so far stays."""


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
        self.class_ids: dict[str, int] = {}
        self.class_names: dict[int, str] = {}
        self.skeleton_edges: dict[str, tuple[tuple[int, int], ...]] = {}
        self.puller = Puller(self)
        self.pusher = Pusher(self)

    def writer(self, conn: Any, changes: Any) -> LocalWriter:
        return LocalWriter(conn, changes, self.remote_id, self.class_ids, self.source)

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
            self.puller.run(report, report_progress, check)
            if self.sweep and self._sweep_due():
                self.sweep_deleted()
            if report.pulled_images or self._due(QUEUES_CURSOR, QUEUES_EVERY):
                self.pull_queues()
            self.pusher.run(report, report_progress, check)
        except Cancelled as exc:
            report.state, report.message = "cancelled", str(exc)
        except AuthError as exc:
            report.state, report.message = "auth", str(exc)
        except TLSError as exc:
            # Not offline and not retried: a certificate or a host name has to be fixed.
            report.state, report.message = "tls", str(exc)
        except TransientError as exc:
            report.state, report.message = "offline", str(exc)
        except SyncError as exc:
            report.state, report.message = "error", str(exc)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            # A server answer of a shape nobody expected: report it, keep everything.
            log.exception("sync stopped on an unexpected server answer")
            report.state = "error"
            report.message = f"the server sent an answer limner cannot read ({type(exc).__name__})"
        self._finish(report)
        return report

    def _finish(self, report: SyncReport) -> None:
        with self.store.read() as conn:
            report.pending = sync_store.pending_count(conn, self.remote_id)
            report.conflicts = len(sync_store.open_conflicts(conn, self.remote_id))
            report.problems = [p.to_json() for p in sync_store.problems(conn, self.remote_id)]
        report.finished_at = self.clock().isoformat(timespec="seconds")
        log.info("sync finished: %s", report.to_json())

    # -- classes ---------------------------------------------------------------------------
    def sync_classes(self) -> None:
        """Create local classes for remote ones (matched by name); never delete or rename."""
        specs = self.adapter.classes()
        with self.store.read() as conn:
            known = {c.name for c in queries.label_classes(conn)}
        if any(spec.name not in known for spec in specs):
            self._add_classes(specs)
        with self.store.read() as conn:
            classes = queries.label_classes(conn)
        self.class_ids = {c.name: c.id for c in classes}
        self.class_names = {c.id: c.name for c in classes}
        self.skeleton_edges = {
            c.name: tuple(c.skeleton.edges)
            for c in classes
            if c.skeleton is not None and c.skeleton.edges
        }

    def _add_classes(self, specs: list[Any]) -> None:
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
                if spec.tag:
                    fields["tag"] = TagSpec.from_json(dict(spec.tag))
                tx.insert_class(conn, changes, fields)

    def pull_queues(self) -> None:
        """The remote's work lists as local queues (read-only here, refreshed each run)."""
        remote_queues = self.adapter.queues()
        if not remote_queues:
            self._mark(QUEUES_CURSOR)
            return
        with self.store.transaction(origin="sync") as (conn, changes):
            sync_store.set_cursor(conn, self.remote_id, QUEUES_CURSOR, self._now())
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

    def _sweep_due(self) -> bool:
        """A full sweep is due unless the remote's count of images equals ours (see the
        module's docstring) and the last full sweep is recent."""
        remote_count = self.adapter.image_count()
        if remote_count is None:
            return True
        with self.store.read() as conn:
            linked = sync_store.linked_count(conn, self.remote_id)
        return remote_count != linked or self._due(SWEEP_CURSOR, SWEEP_EVERY)

    def _now(self) -> str:
        return self.clock().isoformat()

    def _due(self, cursor: str, every: timedelta) -> bool:
        """True when the step behind ``cursor`` never ran, or last ran ``every`` ago."""
        with self.store.read() as conn:
            last = sync_store.get_cursor(conn, self.remote_id, cursor)
        try:
            when = datetime.fromisoformat(last) if last else None
        except ValueError:
            when = None
        now = self.clock()
        if when is None or when.tzinfo is None or now.tzinfo is None:
            return True
        # A clock set back counts as due, never as "not yet".
        return not now - every < when <= now

    def _mark(self, cursor: str) -> None:
        with self.store.transaction(origin="sync") as (conn, _changes):
            sync_store.set_cursor(conn, self.remote_id, cursor, self._now())

    def sweep_deleted(self) -> None:
        """Flag images deleted on the server (never deletes local work)."""
        keys = self.adapter.image_keys()
        with self.store.transaction(origin="sync") as (conn, _changes):
            sync_store.set_cursor(conn, self.remote_id, SWEEP_CURSOR, self._now())
            gone = [
                link.image_id
                for link in sync_store.all_links(conn, self.remote_id)
                if link.remote_key not in keys and not link.deleted_remotely
            ]
            sync_store.mark_deleted_remotely(conn, self.remote_id, gone)

    def resolve(self, conflict_id: int, choice: str) -> None:
        resolve_conflict(self.store, conflict_id, choice, self.source)


def dumps_report(report: SyncReport) -> str:
    return json.dumps(report.to_json(), indent=2, sort_keys=True)
