"""Project-level operations that span many transactions: creating, importing images.

Importing probes every file (size, hash, readability) outside any transaction and then
writes rows in batches, so a cancelled or crashed import keeps every batch it finished
and never leaves a half-written one. Creating a project is different: a project that
failed half-way would block the next attempt ("a project already exists"), so it is
built under a temporary name and appears under its own only once it is complete.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from limner.models.domain.phrases import QT_TRANSLATE_NOOP, counted, joined
from limner.models.errors import LimnerError, StoreError
from limner.models.imaging.imageio import ImageProbe, is_too_large, probe_image, scan_images
from limner.models.store import queries, tx
from limner.models.store.store import ProjectStore, resolve_project_file

ProgressFn = Callable[[int, int, str], bool]
"""Called as ``progress(done, total, current_name)``; returning False cancels."""

IMPORT_BATCH = 200


@dataclass(slots=True)
class ImportReport:
    added: int = 0
    duplicates: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # not added: (name, reason)
    cancelled: bool = False

    def summary(self) -> str:
        parts = [
            counted(
                self.added,
                QT_TRANSLATE_NOOP("Reports", "{count} image added"),
                QT_TRANSLATE_NOOP("Reports", "{count} images added"),
            )
        ]
        if self.unreadable:
            parts.append(
                QT_TRANSLATE_NOOP("Reports", "{count} unreadable (listed with their reason)")
                .format(count=len(self.unreadable))
            )  # fmt: skip
        if self.skipped:
            parts.append(
                QT_TRANSLATE_NOOP("Reports", "{count} skipped (listed with their reason)")
                .format(count=len(self.skipped))
            )  # fmt: skip
        if self.duplicates:
            parts.append(
                QT_TRANSLATE_NOOP("Reports", "{count} already in the project")
                .format(count=len(self.duplicates))
            )  # fmt: skip
        if self.cancelled:
            parts.append(QT_TRANSLATE_NOOP("Reports", "cancelled"))
        return joined(", ", *parts)


def shown_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 appear as ``\\xe9`` escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes kept as lone surrogates by os.fsdecode
        return False
    return True


def unstorable_path(path: Path) -> str | None:
    """Why ``path`` cannot be kept in a project (whose paths are UTF-8 text), or None."""
    if _is_utf8(os.path.abspath(path)):
        return None
    if not _is_utf8(path.name):
        return "its name is not valid UTF-8; rename the file to import it"
    folder = shown_name(str(path.parent))
    return f"the folder {folder} has a name that is not valid UTF-8; rename it to import this file"


def stored_path_for(store: ProjectStore) -> Callable[[Path], str]:
    """Paths inside the project folder are kept relative, so the folder can be moved."""
    folder = store.folder.resolve()

    def convert(path: Path) -> str:
        try:
            resolved = Path(path).resolve()
        except (OSError, RuntimeError):  # a link that loops: keep the path as it was given
            resolved = Path(os.path.abspath(path))
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
    files whose content is already in the project are skipped and reported. Files the
    project cannot even name (a path that is not valid UTF-8) are listed as skipped with
    their reason, and the import goes on with the others.
    """
    report = ImportReport()
    files: list[Path] = []
    for path in scan_images([Path(p) for p in paths]):
        problem = unstorable_path(path)
        if problem is None:
            files.append(path)
        else:
            report.skipped.append((shown_name(path.name), problem))
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
        report.added += sum(1 for probe in fresh if not probe.error)  # unreadable: their own count
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
    """``limner new``: a new project folder, its classes and (optionally) its images.

    All or nothing. The arguments are checked first; the project is then built under a
    hidden temporary name in its own folder (so images inside that folder are stored
    relative to it, as in the finished project) and gets its real name only when every
    step succeeded. On any failure, an interrupt included, the temporary file and every
    folder made for it are removed, so the same command can simply be run again. A
    cancelled import is the user's choice, not a failure: the project keeps what it read.
    """
    names = _class_names(classes)
    for image_path in images:
        if not os.path.lexists(image_path):
            raise LimnerError(f"no such file or folder: {image_path}")
    target = resolve_project_file(path)
    if target.exists():
        raise StoreError(f"a project already exists at {target.parent}")
    made = _make_folders(target.parent)
    # A run killed before it finished leaves its temporary database behind; no project
    # exists here yet, so whatever is left is stale and goes before a new attempt.
    for stale in target.parent.glob(f".{target.stem}.*.partial.limner"):
        _remove_database(stale)
    partial = target.with_name(f".{target.stem}.{secrets.token_hex(4)}.partial.limner")
    try:
        store = ProjectStore.create(partial, name=target.parent.name)
        try:
            report = _fill(store, names, images, progress)
        finally:
            store.close()
        _settle(partial)
        _move_into_place(partial, target)
    except BaseException:
        _remove_database(partial)
        _remove_folders(target.parent, made)
        raise
    return ProjectStore.open(target), report


def _class_names(classes: Sequence[str]) -> list[str]:
    names: list[str] = []
    for raw in classes:
        name = raw.strip()
        if name in names:
            raise LimnerError(f"class {name!r} is given twice; each class needs its own name")
        if name:
            names.append(name)
    return names


def _fill(
    store: ProjectStore,
    names: Sequence[str],
    images: Sequence[str | os.PathLike[str]],
    progress: ProgressFn | None,
) -> ImportReport:
    from limner.models.domain.palette import color_for_index
    from limner.models.editing.commands import AddClass
    from limner.models.editing.history import History

    history = History(store)
    for index, name in enumerate(names):
        history.execute(AddClass({"name": name, "color": color_for_index(index)}))
    return import_images(store, images, progress=progress) if images else ImportReport()


def _make_folders(folder: Path) -> Path | None:
    """Create ``folder``; returns the outermost folder that had to be made, if any."""
    outermost = None
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        outermost = candidate
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder {folder}: {exc.strerror or exc}") from exc
    return outermost


def _remove_folders(folder: Path, outermost: Path | None) -> None:
    """Remove the folders :func:`_make_folders` made, innermost first, if they are empty."""
    if outermost is None:
        return
    for candidate in (folder, *folder.parents):
        try:
            candidate.rmdir()
        except OSError:
            return  # not empty (something else was put there) or already gone
        if candidate == outermost:
            return


def _settle(db_file: Path) -> None:
    """Fold the write-ahead log into ``db_file`` so the file alone is the whole project."""
    con = sqlite3.connect(db_file)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    if db_file.with_name(db_file.name + "-wal").exists():
        raise StoreError(f"cannot finish the new project {db_file}: its log could not be merged")


def _move_into_place(partial: Path, target: Path) -> None:
    """Give the finished file its name without ever replacing a project made meanwhile."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise StoreError(f"a project already exists at {target.parent}") from None
    except OSError:  # a disk without hard links: check, then rename
        if target.exists():
            raise StoreError(f"a project already exists at {target.parent}") from None
        os.replace(partial, target)
    else:
        partial.unlink()
    if os.name == "posix":
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_database(db_file: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        db_file.with_name(db_file.name + suffix).unlink(missing_ok=True)
