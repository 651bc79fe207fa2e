"""How the editing session gets the pixels of the image it opens.

The session asks an :class:`ImageOpener` for a tile source when an image opens and tells it
which image is open now, so an opener may warm the next ones in the background. The
application hands in one that prefetches; :class:`DirectOpener` opens each image when asked
and nothing else, which is all a script or a test needs.
"""

from __future__ import annotations

from typing import Protocol

from limner.models.domain.entities import ImageRecord
from limner.models.imaging.tiles import TileSource, open_tile_source
from limner.models.store.queries import ImageFilter
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import huge_images_allowed, resolve_image_path

__all__ = ["DirectOpener", "ImageOpener"]


class ImageOpener(Protocol):
    allow_huge: bool
    """Open images above the decoder's safety limit (the project said yes once)."""

    def open(self, record: ImageRecord) -> TileSource:
        """The image's tile source; raises ``ImageReadError`` when it cannot be read."""
        ...

    def schedule(self, after: ImageRecord, flt: ImageFilter) -> None:
        """``after`` is open now; ``flt`` is the list the user steps through."""
        ...

    def shutdown(self) -> None: ...


class DirectOpener:
    """Opens the file of each image when asked; warms nothing ahead."""

    def __init__(self, store: ProjectStore) -> None:
        self.store = store
        self.allow_huge = huge_images_allowed(store)

    def open(self, record: ImageRecord) -> TileSource:
        path = resolve_image_path(self.store, record.path)
        return open_tile_source(path, allow_huge=self.allow_huge, content_key=record.content_hash)

    def schedule(self, after: ImageRecord, flt: ImageFilter) -> None:
        return None

    def shutdown(self) -> None:
        return None
