"""Opens the next images of the list in the background, so switching to them is instant.

For each of the next few images it opens the tile source and decodes the overview and
the tiles of a fit-to-window view into the shared tile memory; the editor then takes the
ready source instead of opening the file again. Whatever else should be prepared for the
same images (the encodings of click to segment) follows the list through
:attr:`Prefetcher.followers`, so it reads ahead exactly as far as the preference says.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from limner.models.domain.entities import ImageRecord
from limner.models.errors import LimnerError
from limner.models.imaging.tile_cache import TileMemoryCache, tile_cache_dir
from limner.models.imaging.tiles import TileSource, open_tile_source
from limner.models.store import queries
from limner.models.store.queries import ImageFilter
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import huge_images_allowed, resolve_image_path

log = logging.getLogger("limner.prefetch")

AHEAD = 3
KEEP = 6
VIEW = (1400, 860)
MAX_WARM_TILES = 16


class Prefetcher:
    def __init__(self, store: ProjectStore, memory: TileMemoryCache) -> None:
        self.store = store
        self.memory = memory
        self._ready: OrderedDict[int, TileSource] = OrderedDict()
        self._pending: set[int] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="limner-prefetch")
        self.warmed = 0
        self.allow_huge = huge_images_allowed(store)
        self.ahead = AHEAD
        """How many images after the current one are read ahead (a preference)."""
        self.followers: list[Callable[[ImageRecord, list[ImageRecord]], None]] = []
        """Told the open image and the ones read ahead each time they are chosen; each
        must return at once (it is called on the thread that opened the image)."""

    def open(self, record: ImageRecord) -> TileSource:
        """The image's tile source: the prefetched one if ready, else opened now."""
        with self._lock:
            source = self._ready.pop(record.id, None)
        if source is not None:
            return source
        return self._open(record)

    def _open(self, record: ImageRecord) -> TileSource:
        return open_tile_source(
            resolve_image_path(self.store, record.path),
            allow_huge=self.allow_huge,
            cache_dir=tile_cache_dir(Path(self.store.folder)),
            memory_cache=self.memory,
            content_key=record.content_hash,
        )

    def schedule(self, after: ImageRecord, flt: ImageFilter) -> None:
        """Warm the next ``AHEAD`` readable images after ``after`` in list order."""
        upcoming: list[ImageRecord] = []
        with self.store.read() as conn:
            current = after
            while len(upcoming) < self.ahead:
                nxt = queries.neighbor_image(conn, current.id, +1, flt)
                if nxt is None:
                    break
                current = nxt
                if nxt.error is None:
                    upcoming.append(nxt)
        for follower in self.followers:
            follower(after, list(upcoming))
        for record in upcoming:
            with self._lock:
                if record.id in self._ready or record.id in self._pending:
                    continue
                self._pending.add(record.id)
            self._pool.submit(self._warm, record)

    def _warm(self, record: ImageRecord) -> None:
        try:
            source = self._open(record)
            top = source.levels - 1
            source.read_tile(top, 0, 0)
            scale = min(VIEW[0] / source.width, VIEW[1] / source.height)
            level = source.best_level(scale)
            for col, row in source.tiles_for_view(level, 0, 0, source.width, source.height)[
                :MAX_WARM_TILES
            ]:
                source.read_tile(level, col, row)
        except (LimnerError, OSError, ValueError) as exc:
            log.info("prefetch of %s skipped: %s", record.name, exc)
            with self._lock:
                self._pending.discard(record.id)
            return
        with self._lock:
            self._pending.discard(record.id)
            self._ready[record.id] = source
            self.warmed += 1
            while len(self._ready) > max(KEEP, 2 * self.ahead):
                _old_id, old = self._ready.popitem(last=False)
                old.close()

    def idle(self) -> bool:
        with self._lock:
            return not self._pending

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            for source in self._ready.values():
                source.close()
            self._ready.clear()
