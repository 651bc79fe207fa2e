"""Tiled, multi-resolution access to images of any size, without Qt.

The canvas must show a gigapixel slide or a 40,000-pixel-wide panorama about as fast as
a phone photo, which rules out decoding whole images: a 40k x 40k RGB image is 4.8 GB.
Instead the canvas asks a :class:`TileSource` for square tiles of a resolution pyramid:

* level 0 is the full resolution; each next level halves both sides (rounding up), down
  to the first level that fits in a single tile;
* tiles are ``tile_size`` pixels square (smaller at the right and bottom edges), so no
  array handed to the GUI ever exceeds Qt's 32,767-pixel image limit;
* coordinates are those of the *oriented* image (EXIF or TIFF orientation applied),
  because annotations are drawn on what the user sees.

:func:`open_tile_source` (``opening``) chooses between three readers: :class:`TiffTileSource`
(``tiff``) reads tiled, pyramidal and stripped TIFF/BigTIFF files piecewise;
:class:`StreamedTileSource` (``streamed``, over the strip readers of ``strips``) reads a big
PNG, or a TIFF only Pillow or libvips can read, once from top to bottom and builds the
pyramid as the rows go by; :class:`PillowTileSource` (``pillow``) decodes every other file
once, lazily (a big JPEG's 1/8 scale in bands on every core, ``jpeg_bands``). What they
share lives in ``source`` (the pyramid, the caches, concurrent requests), ``window``
(mapping deep images to 8 bits), ``orientation`` and ``pixels``. 16-bit, 32-bit and
floating-point images keep their raw values (the status bar shows them through
:meth:`TileSource.pixel_value`); display tiles go through a :class:`WindowLevel`.

Every public method of a source may be called from several threads at a time (the canvas
decodes on a small pool); a tile requested by two threads at once is decoded once. The
names below are the package's public surface.
"""

from __future__ import annotations

from limner.models.imaging.tiles.opening import open_tile_source
from limner.models.imaging.tiles.orientation import orient_array
from limner.models.imaging.tiles.pillow import PillowTileSource
from limner.models.imaging.tiles.source import (
    DEFAULT_TILE_SIZE,
    DISK_CACHE_MAX_SIDE,
    DISK_CACHE_MIN_PIXELS,
    TileSource,
    TileStats,
)
from limner.models.imaging.tiles.streamed import StreamedTileSource
from limner.models.imaging.tiles.tiff import TiffTileSource
from limner.models.imaging.tiles.window import WindowLevel, estimate_window

__all__ = [
    "DEFAULT_TILE_SIZE",
    "DISK_CACHE_MAX_SIDE",
    "DISK_CACHE_MIN_PIXELS",
    "PillowTileSource",
    "StreamedTileSource",
    "TiffTileSource",
    "TileSource",
    "TileStats",
    "WindowLevel",
    "estimate_window",
    "open_tile_source",
    "orient_array",
]
