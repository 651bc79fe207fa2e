"""The recent projects of the start page and of File > Open Recent.

The list lives in the user's settings, newest first. What the start page shows about each
project (its name, image count, how many are done, a thumbnail of its first image) is
noted when the project is opened and when it is closed, so listing the recent projects
never opens a database; a project moved or deleted since shows as missing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader

from limner.app.settings import app_settings, cache_folder
from limner.models.store.queries import first_image
from limner.models.store.store import PROJECT_FILE, ProjectStore
from limner.models.workflow.project import resolve_image_path
from limner.models.workflow.stats import project_stats
from limner.widgets.i18n import counted, translate

KEY = "recent/projects"
LIMIT = 10
THUMB = QSize(160, 120)
DONE = ("approved", "submitted")
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RecentProject:
    """What the start page knows of a project without opening it."""

    path: str
    name: str
    images: int = 0
    done: int = 0
    thumbnail: str = ""

    @property
    def missing(self) -> bool:
        return not (Path(self.path) / PROJECT_FILE).exists()

    def counts(self) -> str:
        if self.missing:
            return translate("StartPage", "missing")
        images = counted(
            self.images,
            translate("StartPage", "{count} image"),
            translate("StartPage", "{count} images"),
        )
        return translate("StartPage", "{images}, {done} done").format(images=images, done=self.done)


class RecentProjects:
    """The recent list in the settings: add on open, refresh on close, forget on request."""

    def entries(self) -> list[RecentProject]:
        raw = app_settings().value(KEY, "[]")
        try:
            rows = json.loads(str(raw))
        except json.JSONDecodeError:
            return []
        found = []
        for row in rows if isinstance(rows, list) else []:
            try:
                found.append(RecentProject(**row))
            except TypeError:
                continue  # an entry from another version: skip it, keep the rest
        return found

    def remember(self, store: ProjectStore) -> RecentProject:
        """Put ``store``'s project first, with its counts and thumbnail as they are now."""
        entry = describe(store)
        rest = [e for e in self.entries() if e.path != entry.path]
        self._write([entry, *rest][:LIMIT])
        return entry

    def forget(self, path: str) -> None:
        self._write([e for e in self.entries() if e.path != path])

    def clear(self) -> None:
        self._write([])

    def _write(self, entries: list[RecentProject]) -> None:
        settings = app_settings()
        settings.setValue(KEY, json.dumps([asdict(e) for e in entries]))
        settings.sync()


def describe(store: ProjectStore) -> RecentProject:
    folder = str(Path(store.folder).resolve())
    with store.read() as conn:
        stats = project_stats(conn)
        first = first_image(conn)
    done = sum(stats["by_status"].get(s, 0) for s in DONE)
    thumb = _thumbnail(store, first.path, folder) if first is not None else ""
    return RecentProject(folder, store.name, stats["images"], done, thumb)


def _thumbnail(store: ProjectStore, stored: str, folder: str) -> str:
    """A small PNG of the project's first image in the cache folder ("" when unreadable)."""
    target = cache_folder() / "thumbnails" / f"{hashlib.sha1(folder.encode()).hexdigest()}.png"
    reader = QImageReader(str(resolve_image_path(store, stored)))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(size.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio))
    image: QImage = reader.read()
    if image.isNull():
        return ""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target)):
        log.info("cannot write the thumbnail %s", target)
        return ""
    return str(target)


__all__ = ["RecentProject", "RecentProjects", "describe"]
