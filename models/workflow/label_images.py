"""Which project image a dataset's labels belong to, and adding the images a project lacks.

Datasets name images by a path relative to their own root (``val2017/000139.jpg``,
``sub/a.png``) while a project names each image by its file name and remembers where the
file is. An image of the dataset is the project's image when, in this order:

1. the dataset found the image file and the project holds that very file;
2. exactly one project image has the dataset's name, or its file name, and if several
   do, exactly one of them is stored under a path that ends with the dataset's name;
3. the file is new to the project but its content is not (same bytes, other name).

Otherwise the image file, when the dataset found it, is added to the project (in its own
transaction: adding images is not undone with the labels, as adding images never is).
Lookups are made per batch with ``IN`` queries, so a 100,000-image project is never read
whole.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Row, select

from limner.models.formats.base import ImageLabels
from limner.models.imaging.imageio import ImageProbe, probe_image
from limner.models.store import schema, tx
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import (
    huge_images_allowed,
    stored_path_for,
    unstorable_path,
)

img = schema.image


@dataclass(frozen=True, slots=True)
class Target:
    """The project image an image of the dataset was matched to."""

    id: int
    name: str
    width: int | None
    height: int | None
    added: bool = False


@dataclass(frozen=True, slots=True)
class Miss:
    """Why an image of the dataset has no project image."""

    why: str


_COLUMNS = (img.c.id, img.c.name, img.c.path, img.c.width, img.c.height, img.c.content_hash)
_CHUNK = 400


def _rows_where(store: ProjectStore, column: Any, values: set[str]) -> list[Row[Any]]:
    """Project images whose ``column`` is one of ``values``, queried in chunks."""
    ordered = sorted(values)
    rows: list[Row[Any]] = []
    with store.read() as conn:
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            rows.extend(conn.execute(select(*_COLUMNS).where(column.in_(chunk))))
    return rows


class ImageMatcher:
    """Matches a batch of the dataset's images to the project's, adding files if allowed."""

    def __init__(self, store: ProjectStore, add_images: bool) -> None:
        self.store = store
        self.add_images = add_images
        self.stored = stored_path_for(store)
        self.allow_huge = huge_images_allowed(store)

    def match(self, batch: Sequence[ImageLabels]) -> list[Target | Miss]:
        """One answer per image of ``batch``, in order."""
        names = {n for image in batch for n in (image.name, posixpath.basename(image.name))}
        paths = {i: self.stored(image.path) for i, image in enumerate(batch) if image.path}
        by_name: dict[str, list[Row[Any]]] = {}
        for row in _rows_where(self.store, img.c.name, names):
            by_name.setdefault(row.name, []).append(row)
        stored = _rows_where(self.store, img.c.path, set(paths.values()))
        by_path = {row.path: row for row in stored}
        found: list[Target | Miss | None] = []
        for index, image in enumerate(batch):
            row = by_path.get(paths[index]) if index in paths else None
            found.append(_target(row) if row is not None else _by_name(image.name, by_name))
        addable = [
            i for i, hit in enumerate(found) if hit is None and _file_of(batch[i]) is not None
        ]
        if addable and self.add_images:
            added = self._add([_file_of(batch[i]) for i in addable])  # type: ignore[misc]
            for index, hit in zip(addable, added, strict=True):
                found[index] = hit
        return [
            hit if hit is not None else Miss(_miss_reason(image))
            for image, hit in zip(batch, found, strict=True)
        ]

    def _add(self, files: list[Path]) -> list[Target | Miss]:
        """Probe and add ``files``; a file whose content the project has is matched to it."""
        probes = [probe_image(f, allow_huge=self.allow_huge) for f in files]
        hashes = {p.content_hash for p in probes if p.content_hash}
        known = _rows_where(self.store, img.c.content_hash, hashes)
        same = {row.content_hash: row for row in known}
        out: list[Target | Miss | None] = [None] * len(files)
        fresh: dict[str, ImageProbe] = {}
        pending: list[tuple[int, str]] = []
        for index, (file, probe) in enumerate(zip(files, probes, strict=True)):
            if probe.content_hash in same:
                out[index] = _target(same[probe.content_hash])
                continue
            problem = unstorable_path(file)
            if problem is not None:
                out[index] = Miss(f"its file cannot be added: {problem}")
                continue
            key = probe.content_hash or str(probe.path)
            fresh.setdefault(key, probe)
            pending.append((index, key))
        if fresh:
            with self.store.transaction(origin="import") as (conn, changes):
                ids = tx.insert_images(conn, changes, fresh.values(), stored_path=self.stored)
                tx.log_event(conn, "import", {"files": len(ids)})
            made = {
                key: Target(new_id, p.name, p.width, p.height, added=True)
                for (key, p), new_id in zip(fresh.items(), ids, strict=True)
            }
            for index, key in pending:
                out[index] = made[key]
        return [hit if hit is not None else Miss("its file could not be added") for hit in out]


def _file_of(image: ImageLabels) -> Path | None:
    return image.path if image.path is not None and image.path.is_file() else None


def _target(row: Row[Any]) -> Target:
    return Target(row.id, row.name, row.width, row.height)


def _by_name(name: str, by_name: dict[str, list[Row[Any]]]) -> Target | Miss | None:
    """The one project image named like ``name``; a Miss when several are and none fits."""
    base = posixpath.basename(name)
    rows = by_name.get(name) or by_name.get(base) or []
    if len(rows) == 1:
        return _target(rows[0])
    if not rows:
        return None
    suffix = "/" + name.lstrip("/")
    fitting = [r for r in rows if r.path.replace("\\", "/").endswith(suffix)]
    if len(fitting) == 1:
        return _target(fitting[0])
    return Miss(f"{len(rows)} project images are named {base!r} and none is stored as {name!r}")


def _miss_reason(image: ImageLabels) -> str:
    if _file_of(image) is None:
        return "no project image has this name and the image file was not found"
    return "no project image has this name (adding images was not asked for)"


def existing_shapes(store: ProjectStore, image_ids: Sequence[int]) -> set[tuple[int, int, str]]:
    """``(image id, class id, geometry as stored)`` of the live shapes of these images."""
    ann = schema.annotation
    wanted = sorted(set(image_ids))
    found: set[tuple[int, int, str]] = set()
    with store.read() as conn:
        for start in range(0, len(wanted), _CHUNK):
            query = select(ann.c.image_id, ann.c.class_id, ann.c.geometry).where(
                ann.c.image_id.in_(wanted[start : start + _CHUNK]),
                ann.c.deleted == 0,
                ann.c.class_id.is_not(None),
            )
            found.update((r.image_id, r.class_id, r.geometry) for r in conn.execute(query))
    return found
