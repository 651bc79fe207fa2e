"""Tiles of images without random access (JPEG, PNG, WebP, BMP, TIFFs tifffile cannot read).

Such a file can only be decoded whole, so each level is decoded or computed once, when a
view first needs it, and kept while the source is open. JPEG's coarse levels come straight
from the decoder's DCT scaling, so the first view of a large JPEG never allocates the full
resolution.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from limner.models.errors import ImageReadError
from limner.models.imaging.imageio.header import (
    open_header_unchecked,
    orientation_of,
    oriented_size,
)
from limner.models.imaging.imageio.reasons import corrupt_reason, too_large_reason
from limner.models.imaging.tile_cache import DiskTileCache, TileMemoryCache
from limner.models.imaging.tiles.jpeg_bands import decode_eighth
from limner.models.imaging.tiles.orientation import orient_array
from limner.models.imaging.tiles.pixels import (
    Mode,
    area_resize,
    as_3d,
    halve_plane,
    native_dtype,
)
from limner.models.imaging.tiles.source import DEFAULT_TILE_SIZE, DISK_CACHE_MIN_PIXELS, TileSource


def _pillow_target(img: Image.Image) -> tuple[str | None, Mode]:
    """How to turn a Pillow mode into one of ours: (mode to convert to or None, our mode).

    Deep grey modes stay as they are (their raw values matter); everything else becomes
    8-bit grey, RGB or RGBA, with alpha whenever the image has transparency, as
    :func:`models.imaging.imageio.load_rgb` does.
    """
    mode = img.mode
    transparent = img.has_transparency_data
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        return None, "L"
    if mode in ("1", "L", "LA", "La"):
        if transparent:
            return (None if mode == "LA" else "LA"), "LA"
        return (None if mode == "L" else "L"), "L"
    if transparent:
        return (None if mode == "RGBA" else "RGBA"), "RGBA"
    return (None if mode == "RGB" else "RGB"), "RGB"


def _pillow_dtype(img: Image.Image) -> np.dtype:
    return {
        "I;16": np.dtype(np.uint16),
        "I;16L": np.dtype(np.uint16),
        "I;16B": np.dtype(np.uint16),
        "I;16N": np.dtype(np.uint16),
        "I": np.dtype(np.int32),
        "F": np.dtype(np.float32),
    }.get(img.mode, np.dtype(np.uint8))


STRIP_ROWS = 256
"""Rows copied at a time from a decoded image into its array."""


def image_array(img: Image.Image, rows: int | None = None) -> np.ndarray:
    """The pixels of a loaded image as one array, copied a strip of rows at a time.

    ``np.asarray(img)`` goes through ``tobytes()``, which holds the encoded chunks and
    their joined copy at once (twice the image on top of the image itself: 3.6 GB for a
    20,000² RGB PNG) and copies the joined bytes in one call that keeps the GIL, and so the
    GUI thread, waiting. Strips cost one copy of the image and never hold the GIL long.
    With ``rows``, only the image's first rows are copied.
    """
    width, height = img.size
    height = height if rows is None else min(rows, height)
    first = np.asarray(img.crop((0, 0, width, min(STRIP_ROWS, height))))
    out = np.empty((height, *first.shape[1:]), dtype=first.dtype)
    out[: first.shape[0]] = first
    for top in range(STRIP_ROWS, height, STRIP_ROWS):
        bottom = min(top + STRIP_ROWS, height)
        out[top:bottom] = np.asarray(img.crop((0, top, width, bottom)))
    return out


class PillowTileSource(TileSource):
    """Tiles cut from whole-image decodes, for formats without random access.

    Each level is decoded (or computed) once, on first use, and kept for the life of the
    source, so panning never decodes again. For JPEG, levels 1 to 3 come from libjpeg's
    DCT scaling, which skips most of the decoding work and never holds the full
    resolution; finer levels beyond that are area-averaged from the next finer one.
    """

    def __init__(
        self,
        path: Path,
        *,
        allow_huge: bool = False,
        tile_size: int = DEFAULT_TILE_SIZE,
        memory_cache: TileMemoryCache | None = None,
        disk_cache: DiskTileCache | None = None,
        disk_cache_min_pixels: int = DISK_CACHE_MIN_PIXELS,
    ) -> None:
        try:
            img = open_header_unchecked(path)
        except UnidentifiedImageError:
            raise ImageReadError(f"{path.name}: not a readable image") from None
        except PermissionError:
            raise ImageReadError(f"{path.name}: permission denied: cannot read the file") from None
        except (SyntaxError, ValueError, OSError, EOFError) as exc:
            raise ImageReadError(f"{path.name}: {corrupt_reason(None, exc)}") from None
        with img:
            self._raw_size = img.size
            self._orientation = orientation_of(img)
            fmt = img.format or "image"
            convert, mode = _pillow_target(img)
            dtype = _pillow_dtype(img)
            self._convert = convert
            self._can_draft = fmt in ("JPEG", "MPO") and img.mode in ("RGB", "L", "CMYK")
        size = oriented_size(self._raw_size, self._orientation)
        limit = Image.MAX_IMAGE_PIXELS
        if not allow_huge and limit is not None and size[0] * size[1] > limit:
            raise ImageReadError(f"{path.name}: {too_large_reason(size, int(limit))}")
        super().__init__(
            path=path,
            format=fmt,
            width=size[0],
            height=size[1],
            dtype=dtype,
            mode=mode,
            tile_size=tile_size,
            memory_cache=memory_cache,
            disk_cache=disk_cache,
            disk_cache_min_pixels=disk_cache_min_pixels,
        )
        self._planes: dict[int, np.ndarray] = {}
        self._plane_locks = [threading.Lock() for _ in range(self.levels)]

    def stream_target(self) -> tuple[str | None, Mode] | None:
        """What a strip reader must turn the file's rows into to match this source's whole
        decode (the conversion and the mode), or None when strips cannot stand in for it:
        rotated images (strips come in stored order) and formats other than PNG and TIFF.
        """
        if self._orientation != 1 or self.format not in ("PNG", "TIFF"):
            return None
        return self._convert, self.mode

    def _make_raw_tile(self, level: int, col: int, row: int) -> np.ndarray:
        plane = self._plane(level)
        x0, y0, x1, y1 = self.tile_bounds(level, col, row)
        return plane[y0:y1, x0:x1].copy()

    def _plane(self, level: int) -> np.ndarray:
        """The whole level as one array, decoded or computed the first time it is needed.

        Locks are taken from finer to coarser levels only (a level waits for the next
        finer one), so two threads can never wait for each other.
        """
        plane = self._planes.get(level)
        if plane is not None:
            return plane
        with self._plane_locks[level]:
            plane = self._planes.get(level)
            if plane is None:
                self._check_open()
                plane = self._build_plane(level)
                plane.setflags(write=False)
                self._planes[level] = plane
            return plane

    def _build_plane(self, level: int) -> np.ndarray:
        lw, lh = self.level_size(level)
        scale = 2**level
        raw_w, raw_h = self._raw_size
        if level == 0:
            return self._decode(1)
        if self._can_draft and scale <= 8 and raw_w // scale >= 1 and raw_h // scale >= 1:
            # DCT scaling rounds sizes up like the pyramid does, so this is a no-op
            # resize unless libjpeg chose differently.
            return area_resize(self._decode(scale), lw, lh)
        return halve_plane(self._plane(level - 1), lw, lh, self.tile_size)

    def _decode(self, scale: int) -> np.ndarray:
        """Decode the file, at 1/``scale`` of its size for JPEG, oriented and converted."""
        self._count("file_decodes")
        try:
            bands = decode_eighth(self.path) if scale == 8 else None
            if bands is not None:
                array = np.concatenate([self._converted(img, rows) for img, rows in bands])
            else:
                img = open_header_unchecked(self.path)
                with img:
                    if scale > 1:
                        raw_w, raw_h = self._raw_size
                        img.draft(None, (raw_w // scale, raw_h // scale))
                    img.load()
                    array = self._converted(img)
        except (UnidentifiedImageError, SyntaxError, ValueError, OSError, EOFError) as exc:
            raise ImageReadError(f"{self.path.name}: {corrupt_reason(self.format, exc)}") from None
        if array.dtype == np.bool_:
            array = array.astype(np.uint8) * 255
        return np.ascontiguousarray(orient_array(array, self._orientation))

    def _converted(self, img: Image.Image, rows: int | None = None) -> np.ndarray:
        converted = img.convert(self._convert) if self._convert else img
        return native_dtype(as_3d(image_array(converted, rows)))

    def _close(self) -> None:
        self._planes.clear()
