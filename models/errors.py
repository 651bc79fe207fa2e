"""Error classes of the Qt-free core.

Every error raised on purpose by ``models`` derives from :class:`LimnerError`, so the
application can show any of them to the user in one place with its message alone.
"""

from __future__ import annotations

from pathlib import Path


class LimnerError(Exception):
    """Base of every error limner raises on purpose; its message is meant for users."""


class GeometryError(LimnerError, ValueError):
    """A shape that limner refuses to store (NaN, inverted box, too few points...)."""


class ImageReadError(LimnerError):
    """An image file that cannot be read; the message says why."""


class ImageClosedError(ImageReadError):
    """A tile was asked of an image source that was closed (another image is shown now).

    Not a failure to report: whoever asked no longer needs the tile.
    """


class StoreError(LimnerError):
    """The project file cannot be created, opened or written."""


class DiskFullError(StoreError):
    """A change could not be written because the disk holding the project is full.

    ``folder`` is the project's folder, so whoever tells the user can say how much room
    is left there; nothing of the change was kept.
    """

    def __init__(self, message: str, folder: Path) -> None:
        super().__init__(message)
        self.folder = folder


class ProjectNotFoundError(StoreError):
    """No limner project at the given path."""
