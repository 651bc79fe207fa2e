"""Project-level operations that span many transactions: creating, importing images.

Importing probes every file (size, hash, readability) outside any transaction and then
writes rows in batches, so a cancelled or crashed import keeps every batch it finished
and never leaves a half-written one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from limner.models.imaging.imageio import ImageProbe, is_too_large, probe_image, scan_images
from limner.models.store import queries, tx
from limner.models.store.store import ProjectStore

ProgressFn = Callable[[int, int, str], bool]
"""Called as ``progress(done, total, current_name)``; returning False cancels."""

IMPORT_BATCH = 200


@dataclass(slots=True)
class ImportReport:
    added: int = 0
    duplicates: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    cancelled: bool = False

    def summary(self) -> str:
        parts = [f"{self.added} image{'s' if self.added != 1 else ''} added"]
        if self.unreadable:
            parts.append(f"{len(self.unreadable)} unreadable (listed with their reason)")
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} already in the project")
        if self.cancelled:
            parts.append("cancelled")
        return ", ".join(parts)


def stored_path_for(store: ProjectStore) -> Callable[[Path], str]:
    """Paths inside the project folder are kept relative, so the folder can be moved."""
    folder = store.folder.resolve()

    def convert(path: Path) -> str:
        resolved = Path(path).resolve()
        try:
            return resolved.relative_to(folder).as_posix()
        except ValueError:
            return str(resolved)

    return convert


def resolve_image_path(store: ProjectStore, stored: str) -> Path:
    path = Path(stored)
    return path if path.is_absolute() else store.folder / path


def import_images(
    store: ProjectStore,
    paths: Iterable[str | os.PathLike[str]],
    *,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Add image files and folders (recursively) to the project.

    Unreadable files are added too, flagged with their reason, so the user sees them;
    files whose content is already in the project are skipped and reported.
    """
    files = scan_images([Path(p) for p in paths])
    report = ImportReport()
    allow_huge = huge_images_allowed(store)
    convert = stored_path_for(store)
    batch: list[ImageProbe] = []
    seen: set[str] = set()

    def flush() -> None:
        if not batch:
            return
        with store.read() as conn:
            known = queries.content_hashes(conn, [p.content_hash for p in batch if p.content_hash])
        fresh: list[ImageProbe] = []
        for probe in batch:
            digest = probe.content_hash
            if digest and (digest in known or digest in seen):
                report.duplicates.append(probe.name)
                continue
            if digest:
                seen.add(digest)
            if probe.error:
                report.unreadable.append((probe.name, probe.error))
            fresh.append(probe)
        with store.transaction(origin="import") as (conn, changes):
            tx.insert_images(conn, changes, fresh, stored_path=convert)
            tx.log_event(conn, "import", {"files": len(fresh)})
        report.added += len(fresh)
        batch.clear()

    total = len(files)
    for done, path in enumerate(files):
        if progress is not None and not progress(done, total, path.name):
            report.cancelled = True
            break
        batch.append(probe_image(path, allow_huge=allow_huge))
        if len(batch) >= IMPORT_BATCH:
            flush()
    flush()
    if progress is not None and not report.cancelled:
        progress(total, total, "")
    return report


HUGE_KEY = "allow_huge_images"


def huge_images_allowed(store: ProjectStore) -> bool:
    return store.get_meta(HUGE_KEY) == "1"


def allow_huge_images(store: ProjectStore) -> int:
    """Remember that this project opens images above the safety limit, and re-read the
    ones refused for that reason; returns how many became readable."""
    from sqlalchemy import select

    from limner.models.store import schema

    store.set_meta(HUGE_KEY, "1")
    img = schema.image
    with store.read() as conn:
        rows = conn.execute(select(img.c.id, img.c.path).where(img.c.error.is_not(None))).all()
    fixed = 0
    for image_id, stored in rows:
        with store.read() as conn:
            error = conn.execute(select(img.c.error).where(img.c.id == image_id)).scalar_one()
        if not is_too_large(error):
            continue
        probe = probe_image(resolve_image_path(store, stored), allow_huge=True)
        with store.transaction(origin="import") as (conn, changes):
            conn.execute(
                img.update()
                .where(img.c.id == image_id)
                .values(
                    width=probe.width,
                    height=probe.height,
                    content_hash=probe.content_hash,
                    format=probe.format,
                    error=probe.error,
                )
            )
            changes.images.add(image_id)
        fixed += probe.error is None
    return fixed


def create_project(
    path: str | os.PathLike[str],
    *,
    images: Sequence[str | os.PathLike[str]] = (),
    classes: Sequence[str] = (),
    progress: ProgressFn | None = None,
) -> tuple[ProjectStore, ImportReport]:
    """``limner new``: a new project folder, its classes and (optionally) its images."""
    from limner.models.domain.palette import color_for_index
    from limner.models.editing.commands import AddClass
    from limner.models.editing.history import History

    store = ProjectStore.create(path)
    history = History(store)
    for index, name in enumerate(c.strip() for c in classes):
        if name:
            history.execute(AddClass({"name": name, "color": color_for_index(index)}))
    report = import_images(store, images, progress=progress) if images else ImportReport()
    return store, report
