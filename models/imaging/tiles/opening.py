"""Opening an image for tiled display: pick the reader, set up its caches.

Only the header is read. TIFFs go to the ``tifffile`` reader, which reads them piecewise;
a TIFF it cannot handle, and every other format, goes to the Pillow reader. Every failure
becomes an :class:`ImageReadError` whose message a user can act on.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from limner.models.errors import ImageReadError
from limner.models.imaging.imageio.files import check_file, sniff_format
from limner.models.imaging.imageio.reasons import ReadFailure
from limner.models.imaging.tile_cache import (
    DEFAULT_MEMORY_BYTES,
    DiskTileCache,
    TileMemoryCache,
    quick_file_key,
)
from limner.models.imaging.tiles.pillow import PillowTileSource
from limner.models.imaging.tiles.source import DEFAULT_TILE_SIZE, DISK_CACHE_MIN_PIXELS, TileSource
from limner.models.imaging.tiles.streamed import StreamedTileSource
from limner.models.imaging.tiles.strips import open_strips
from limner.models.imaging.tiles.tiff import TiffTileSource, UnsupportedTiff

_log = logging.getLogger(__name__)

STREAM_MIN_PIXELS = 16_000_000
"""PNGs and TIFFs with at least this many pixels are read in strips rather than whole:
below it the whole decode is quick and its memory (under 200 MB) harmless."""


def open_tile_source(
    path: Path | str,
    *,
    allow_huge: bool = False,
    cache_dir: Path | None = None,
    tile_size: int = DEFAULT_TILE_SIZE,
    memory_cache: TileMemoryCache | None = None,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    content_key: str | None = None,
    disk_cache_min_pixels: int = DISK_CACHE_MIN_PIXELS,
    stream_min_pixels: int | None = None,
    use_vips: bool = True,
) -> TileSource:
    """Open an image for tiled display, reading only its header.

    * ``allow_huge``: open images above Pillow's decompression-bomb limit that must be
      decoded whole (tiled and stripped TIFFs are read piecewise and need no permission).
    * ``cache_dir``: where coarse tiles of big images without a usable pyramid are kept
      from one run of limner to the next, normally :func:`models.imaging.tile_cache.tile_cache_dir`
      of the project.
    * ``memory_cache``: share one byte budget between several sources; otherwise each
      source gets its own cache of ``memory_bytes``.
    * ``content_key``: the image's content hash, if known, to key the disk cache; by
      default a quick fingerprint of the file is used.
    * ``stream_min_pixels``: PNGs and TIFFs Pillow would decode whole are read in strips
      from this size on (:data:`STREAM_MIN_PIXELS` by default); ``use_vips``: let libvips
      read those strips when ``pyvips`` is installed (faster than the Pillow strip reader).

    Raises :class:`ImageReadError` with a message for the user when the file cannot be
    opened.
    """
    path = Path(path)
    prefix, disk = _check_and_key(path, cache_dir, content_key, tile_size)
    cache = memory_cache if memory_cache is not None else TileMemoryCache(memory_bytes)
    options: dict[str, Any] = {
        "allow_huge": allow_huge,
        "tile_size": tile_size,
        "memory_cache": cache,
        "disk_cache": disk,
        "disk_cache_min_pixels": disk_cache_min_pixels,
    }
    if sniff_format(prefix) == "TIFF":
        tiff = _open_with_tifffile(path, options)
        if tiff is not None:
            return tiff
    try:
        source = PillowTileSource(path, **options)
    except ReadFailure as failure:
        raise ImageReadError(f"{path.name}: {failure.reason}") from None
    threshold = STREAM_MIN_PIXELS if stream_min_pixels is None else stream_min_pixels
    if source.width * source.height >= threshold:
        return _streamed(source, options, use_vips) or source
    return source


def _streamed(
    source: PillowTileSource, options: dict[str, Any], use_vips: bool
) -> TileSource | None:
    """A strip-by-strip reading of what ``source`` would decode whole, where one exists."""
    target = source.stream_target()
    if target is None:
        return None
    try:
        reader = open_strips(source.path, target, source.dtype, use_vips=use_vips)
    except OSError as exc:
        _log.info("%s: decoding it whole (%s)", source.path.name, exc)
        return None
    if reader is None or (reader.width, reader.height) != (source.width, source.height):
        return None
    options = {k: v for k, v in options.items() if k != "allow_huge"}
    streamed = StreamedTileSource(source.path, reader, format=source.format, **options)
    source.close()
    return streamed


def _check_and_key(
    path: Path, cache_dir: Path | None, content_key: str | None, tile_size: int
) -> tuple[bytes, DiskTileCache | None]:
    """The file's first bytes (to tell a TIFF), and its disk cache if there is one.

    The file is checked first, so that a missing, empty or unsupported file is reported
    as such before any decoder sees it.
    """
    try:
        check_file(path)
        with path.open("rb") as fh:
            prefix = fh.read(16)
        disk = None
        if cache_dir is not None:
            key = content_key or quick_file_key(path)
            disk = DiskTileCache(cache_dir, key, tile_size)
    except ReadFailure as failure:
        raise ImageReadError(f"{path.name}: {failure.reason}") from None
    except OSError as exc:
        raise ImageReadError(f"{path.name}: cannot read the file: {exc.strerror or exc}") from None
    return prefix, disk


def _open_with_tifffile(path: Path, options: dict[str, Any]) -> TileSource | None:
    """The ``tifffile`` reader for a TIFF, or None when Pillow should read it instead."""
    import tifffile

    try:
        return TiffTileSource(path, **options)
    except (UnsupportedTiff, tifffile.TiffFileError, ValueError, KeyError, IndexError) as exc:
        # Pillow (through libtiff) reads more TIFF variants, although only whole.
        _log.info("%s: reading with Pillow instead of tifffile (%s)", path.name, exc)
    except PermissionError:
        raise ImageReadError(f"{path.name}: permission denied: cannot read the file") from None
    return None
