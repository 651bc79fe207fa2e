"""The pull step: bring the server's changes into the project without touching local work.

Each page of changed remote images is committed in one transaction together with the
cursor that follows it, so a killed pull resumes where it stopped and never skips a page.
Per image, the remote state is stored exactly as it came; the reconciler decides which
regions to create, update or delete locally (only clean ones) and which are conflicts; a
status or review changed on both sides is a conflict too, and neither side is written.
A remote object whose identity changed behind a reused id is treated as the old one
deleted remotely (local work kept, flagged) and a new image.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from limner.models.domain.entities import ImageStatus
from limner.models.imaging.imageio import ImageProbe, probe_image
from limner.models.store import queries, suggestions, sync_store, tx
from limner.models.workflow.project import resolve_image_path, stored_path_for
from limner.models.workflow.review import (
    insert_review_snapshot,
    record_status_change,
    review_payload,
)
from limner.sync.adapters.base import RemoteImage
from limner.sync.errors import NotFoundError, ValidationError
from limner.sync.merge import LocalWriter, bases, local_regions
from limner.sync.names import clean_name, safe_filename
from limner.sync.reconcile import plan_pull

if TYPE_CHECKING:
    from limner.sync.engine import SyncEngine, SyncReport

log = logging.getLogger("limner.sync")

IMAGES_CURSOR = "images"


def review_base(remote: Any, local: Any, status: str | None = None) -> str:
    """The review (and local status) both sides agreed on, in each side's own form.

    The local status is kept beside the server's because a server may hold a status in
    another word (Hasty keeps "rejected" as IN PROGRESS): compared with the server's word,
    an unchanged local status would look changed at every push.
    """
    return sync_store.dumps_state({"remote": remote, "local": local, "status": status})


class Puller:
    def __init__(self, engine: SyncEngine) -> None:
        self.e = engine

    def run(self, report: SyncReport, progress: Callable, check: Callable[[], None]) -> None:
        e = self.e
        with e.store.read() as conn:
            cursor = sync_store.get_cursor(conn, e.remote_id, IMAGES_CURSOR)
        done = 0
        for page in e.adapter.changed_images(cursor):
            check()
            images = [self._cleaned(remote) for remote in page.images]
            files = self._download_missing(images, report, check)
            with e.store.transaction(origin="sync") as (conn, changes):
                writer = e.writer(conn, changes)
                for remote in images:
                    self.pull_one(conn, changes, writer, remote, files.get(remote.key))
                if page.cursor is not None:
                    sync_store.set_cursor(conn, e.remote_id, IMAGES_CURSOR, page.cursor)
            report.add(writer.stats)
            report.pulled_images += len(images)
            done += len(images)
            progress("pull", done, None)

    @staticmethod
    def _cleaned(remote: RemoteImage) -> RemoteImage:
        name = clean_name(remote.name, f"image-{remote.key}")
        return remote if name == remote.name else replace(remote, name=name)

    # -- files -----------------------------------------------------------------------------
    def _image_folder(self) -> Path:
        folder = self.e.store.folder / "images" / f"remote-{self.e.remote_id}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _wanted(self, images: Iterable[RemoteImage]) -> list[tuple[RemoteImage, Path]]:
        e = self.e
        wanted: list[tuple[RemoteImage, Path]] = []
        with e.store.read() as conn:
            for remote in images:
                link = sync_store.link_by_key(conn, e.remote_id, remote.key)
                if link is not None and not _replaced(link, remote):
                    record = queries.image_by_id(conn, link.image_id)
                    if record is not None:
                        path = resolve_image_path(e.store, record.path)
                        if path.exists():
                            continue
                        if record.error is None:
                            wanted.append((remote, path))
                            continue
                name = safe_filename(f"{remote.key}_{remote.name}")
                wanted.append((remote, self._image_folder() / name))
        return wanted

    def _download_missing(
        self, images: Iterable[RemoteImage], report: SyncReport, check: Callable[[], None]
    ) -> dict[str, Path | str]:
        """Download (in parallel) the files of images not on disk yet.

        Returns key -> path, or key -> error text for images the server cannot give.
        """
        wanted = self._wanted(images)
        results: dict[str, Path | str] = {}
        if not wanted:
            return results
        with ThreadPoolExecutor(max_workers=self.e.workers) as pool:
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
        self.e.adapter.download(remote, tmp)
        tmp.replace(path)

    # -- one image -------------------------------------------------------------------------
    def pull_one(
        self,
        conn: Any,
        changes: Any,
        writer: LocalWriter,
        remote: RemoteImage,
        file: Path | str | None,
    ) -> None:
        e = self.e
        link = sync_store.link_by_key(conn, e.remote_id, remote.key)
        if link is not None and _replaced(link, remote):
            log.info("remote %s is a new object behind a reused id", remote.key)
            sync_store.forget_link(conn, e.remote_id, link.image_id)
            link = None
        if link is None:
            image_id = self._create_image(conn, changes, remote, file)
        else:
            image_id = link.image_id
            if isinstance(file, Path):
                self._refresh_image_file(conn, changes, image_id, file)
        sync_store.save_link(
            conn,
            e.remote_id,
            image_id,
            remote_key=remote.key,
            remote_version=remote.version,
            container_key=remote.container_key,
            container_version=remote.container_version,
            source_url=remote.url,
            identity=remote.identity,
            remote_state=sync_store.dumps_state(remote.state),
        )
        record = queries.image_by_id(conn, image_id)
        assert record is not None
        if record.error or not record.width or not record.height:
            why = record.error or "its size is not known"
            problem = ("error", None, remote.key, f"the image could not be read: {why}")
            sync_store.replace_problems(conn, e.remote_id, image_id, "pull", [problem])
            return
        self._merge_regions(conn, writer, image_id, remote, record.width, record.height)
        self._merge_status(conn, changes, writer, image_id, remote)
        self._pull_suggestions(conn, changes, image_id, remote, record.width, record.height)

    def _pull_suggestions(
        self, conn: Any, changes: Any, image_id: int, remote: RemoteImage, w: int, h: int
    ) -> None:
        """The server's model predictions become suggestions (an adapter that has none
        has no ``predictions``); one already pulled is known by its key and skipped."""
        read = getattr(self.e.adapter, "predictions", None)
        if read is None:
            return
        class_ids = {name: cid for cid, name in self.e.class_names.items()}
        items = [
            suggestions.proposed(image_id, class_ids.get(p.class_name or ""), p)
            for p in read(remote, w, h)
        ]
        suggestions.add(conn, changes, items)

    def _merge_regions(
        self, conn: Any, writer: LocalWriter, image_id: int, remote: RemoteImage, w: int, h: int
    ) -> None:
        e = self.e
        decoded = e.adapter.decode(remote, w, h)
        local = local_regions(conn, image_id, e.class_names)
        plan = plan_pull(local, bases(conn, e.remote_id, image_id), decoded.regions)
        writer.apply_pull(image_id, plan, remote.container_version)
        problems = [
            (r.problem_kind, None, r.key, r.problem or "kept as it is on the server")
            for r in decoded.regions
            if r.region is None
        ]
        problems += [(p.kind, p.local_key, p.remote_key, p.message) for p in decoded.problems]
        sync_store.replace_problems(conn, e.remote_id, image_id, "pull", problems)

    def _create_image(
        self, conn: Any, changes: Any, remote: RemoteImage, file: Path | str | None
    ) -> int:
        if isinstance(file, Path):
            probe = replace(probe_image(file), name=remote.name)
        else:
            probe = ImageProbe(
                path=self._image_folder() / safe_filename(f"{remote.key}_{remote.name}"),
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
            conn, changes, [probe], stored_path=stored_path_for(self.e.store)
        )
        sync_store.save_link(
            conn,
            self.e.remote_id,
            image_id,
            remote_key=remote.key,
            remote_version="",
            source_url=remote.url,
            synced_rev=sync_store.image_rev(conn, image_id),
            remote_status=ImageStatus.NEW.value,
            base_review=review_base(None, None),
        )
        return image_id

    def _refresh_image_file(self, conn: Any, changes: Any, image_id: int, file: Path) -> None:
        probe = probe_image(file)
        sync_store.refresh_image_file(
            conn,
            image_id,
            width=probe.width,
            height=probe.height,
            content_hash=probe.content_hash,
            format=probe.format,
            size_bytes=probe.size_bytes,
            error=probe.error,
        )
        changes.images.add(image_id)

    def _merge_status(
        self, conn: Any, changes: Any, writer: LocalWriter, image_id: int, remote: RemoteImage
    ) -> None:
        """A status or review changed on the server reaches the image when it is clean here;
        changed on both sides, it is a conflict and neither side is written."""
        e = self.e
        link = sync_store.link_by_image(conn, e.remote_id, image_id)
        if remote.status is None or link is None:
            return
        agreed = link.base_review or {}
        remote_review = dict(remote.review) if remote.review else None
        if remote.status == link.remote_status and remote_review == agreed.get("remote"):
            return  # unchanged on the server since the last agreement
        record = queries.image_by_id(conn, image_id)
        assert record is not None
        local_review = review_payload(conn, image_id)
        agreed_status = agreed.get("status") or link.remote_status
        local_dirty = record.status != agreed_status or local_review != agreed.get("local")
        if local_dirty and record.rev > link.synced_rev:
            if record.status == remote.status and remote_review is None:
                self._agree_status(conn, image_id, remote.status, remote_review)
                return
            sync_store.add_conflict(
                conn,
                e.remote_id,
                "image",
                record.uuid,
                image_id,
                {"status": remote.status, "review": remote_review},
                remote.version,
                f"status {record.status} here, {remote.status} on the server",
            )
            writer.stats.conflicts += 1
            return
        apply_remote_status(conn, changes, image_id, remote.status, remote_review, e.source)
        self._agree_status(conn, image_id, remote.status, remote_review)
        writer.stats.status_changed += 1

    def _agree_status(self, conn: Any, image_id: int, status: str, remote_review: Any) -> None:
        sync_store.save_link(
            conn,
            self.e.remote_id,
            image_id,
            remote_status=status,
            base_review=review_base(remote_review, review_payload(conn, image_id), status),
            synced_rev=sync_store.image_rev(conn, image_id),
        )


def apply_remote_status(
    conn: Any,
    changes: Any,
    image_id: int,
    status: str,
    review: Any,
    actor: str,
) -> None:
    """Make the server's status and review the image's own (history rows included)."""
    comment = str((review or {}).get("comment") or "")
    record = queries.image_by_id(conn, image_id)
    assert record is not None
    status_change_id = None
    if record.status != status:
        status_change_id, _old = record_status_change(
            conn, changes, image_id, status, actor=actor, comment=comment, kind="sync"
        )
    decision = (review or {}).get("decision")
    if decision in ("approve", "reject"):
        insert_review_snapshot(
            conn,
            image_id,
            decision=decision,
            reviewer=str((review or {}).get("reviewer") or actor),
            comment=comment,
            status_change_id=status_change_id,
        )


def _replaced(link: sync_store.RemoteImageLink, remote: RemoteImage) -> bool:
    return bool(link.identity and remote.identity and link.identity != remote.identity)
