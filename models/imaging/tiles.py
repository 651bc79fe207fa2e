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

Two implementations exist, chosen by :func:`open_tile_source`:

* :class:`TiffTileSource` reads tiled, pyramidal and stripped TIFF/BigTIFF files with
  ``tifffile``, decoding only the tiles or strips a view needs and using the pyramid
  levels stored in the file. A first view of a 40k x 40k pyramid decodes about nine
  tiles.
* :class:`PillowTileSource` handles everything else (JPEG, PNG, WebP, BMP, TIFF
  compressions ``tifffile`` cannot decode alone). Such formats have no random access,
  so the image is decoded once, lazily, and the coarser levels are computed from it;
  JPEG's coarse levels come straight from the decoder's DCT scaling (1/2, 1/4, 1/8), so
  the first view of a large JPEG never allocates the full resolution.

16-bit, 32-bit and floating-point images keep their raw values (the status bar shows
them through :meth:`TileSource.pixel_value`); the tiles for display are mapped to 8 bits
through a :class:`WindowLevel`, by default the 0.5th to 99.5th percentile of the coarsest
level.

Decoded tiles are kept in a byte-bounded :class:`~models.imaging.tile_cache.TileMemoryCache`, and
the coarse tiles of images without a usable pyramid in a
:class:`~models.imaging.tile_cache.DiskTileCache`, so reopening a huge JPEG shows its overview at
once. Every public method may be called from several threads at a time (the canvas
decodes on a small pool); a tile requested by two threads at once is decoded once.
"""

from __future__ import annotations

import io
import logging
import math
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from functools import lru_cache
from itertools import count
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from limner.models.errors import ImageReadError
from limner.models.imaging.imageio import (
    _check_file,
    _corrupt,
    _orientation_of,
    _ReadFailure,
    _too_large,
    open_header_unchecked,
)
from limner.models.imaging.tile_cache import (
    DEFAULT_MEMORY_BYTES,
    DiskTileCache,
    TileMemoryCache,
    quick_file_key,
)

__all__ = [
    "DEFAULT_TILE_SIZE",
    "DISK_CACHE_MAX_SIDE",
    "DISK_CACHE_MIN_PIXELS",
    "PillowTileSource",
    "TiffTileSource",
    "TileSource",
    "TileStats",
    "WindowLevel",
    "estimate_window",
    "open_tile_source",
    "orient_array",
]

DEFAULT_TILE_SIZE = 512
"""Tile side in pixels: big enough that a screen needs a dozen tiles, small enough to
decode one in a few milliseconds."""

DISK_CACHE_MAX_SIDE = 2048
"""Only levels at most this many pixels on each side go to the disk cache: together they
cost at most about 17 MB per 8-bit RGB image and cover every fit-to-window view."""

DISK_CACHE_MIN_PIXELS = 50_000_000
"""Images smaller than this are not disk-cached: they decode in well under a second, and
caching every photo of a large project would fill the disk for nothing."""

_HELD_SEGMENT_BYTES = 64 * 1024 * 1024
"""A TIFF strip or tile larger than this when decoded is kept whole once decoded; it would
not fit the memory cache, and decoding it again for each tile it spans would be slow."""

_TIFF_SIGNATURES = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")

Mode = str
"""Channel layout of raw tiles: "L", "LA", "RGB", "RGBA" or "CMYK"."""

_MODE_CHANNELS: dict[Mode, int] = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4, "CMYK": 4}

_CV2_RESIZE_DTYPES = frozenset(
    np.dtype(t) for t in (np.uint8, np.uint16, np.int16, np.float32, np.float64)
)

_source_ids = count(1)
_log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------ windows


@dataclass(frozen=True, slots=True)
class WindowLevel:
    """Linear mapping of raw values to display grey levels: ``low`` -> 0, ``high`` -> 255.

    Scientific and medical images use a small part of their 16-bit or floating-point
    range; showing them needs a choice of which range becomes black to white. Values
    outside the window are clipped; NaN shows as black.
    """

    low: float
    high: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError(f"window bounds must be finite, got {self.low}, {self.high}")
        if self.high <= self.low:
            raise ValueError(f"window high ({self.high}) must be above low ({self.low})")

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Map an array of any numeric type to uint8 of the same shape."""
        if values.dtype in (np.dtype(np.uint8), np.dtype(np.uint16)):
            # A lookup table is exact and several times faster than float arithmetic.
            lut = _window_lut(self.low, self.high, 256 if values.dtype == np.uint8 else 65536)
            return lut[values]
        data = values.astype(np.float64)
        scaled = (data - self.low) * 255.0 / (self.high - self.low) + 0.5
        np.nan_to_num(scaled, copy=False, nan=0.0, posinf=255.0, neginf=0.0)
        np.clip(scaled, 0.0, 255.0, out=scaled)
        return scaled.astype(np.uint8)  # truncating after +0.5: rounds halves up


@lru_cache(maxsize=8)
def _window_lut(low: float, high: float, size: int) -> np.ndarray:
    levels = (np.arange(size, dtype=np.float64) - low) * 255.0 / (high - low) + 0.5
    lut = np.clip(levels, 0, 255).astype(np.uint8)  # same rounding as the float path
    lut.setflags(write=False)
    return lut


def estimate_window(
    values: np.ndarray, low_pct: float = 0.5, high_pct: float = 99.5
) -> WindowLevel:
    """A window from percentiles of ``values``, ignoring NaN and infinities.

    Percentiles rather than the minimum and maximum, because a few hot pixels or a
    saturated border would otherwise squeeze the interesting range into a few grey
    levels. A constant image gets a window one unit wide, so it shows as black rather
    than failing.
    """
    data = values[np.isfinite(values)] if values.dtype.kind == "f" else values.ravel()
    if data.size == 0:
        return WindowLevel(0.0, 1.0)
    low, high = (float(v) for v in np.percentile(data, [low_pct, high_pct]))
    if high <= low:
        high = low + 1.0
    return WindowLevel(low, high)


# -------------------------------------------------------------------------- orientation


def orient_array(array: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF/TIFF orientation (1-8) to an image array, as Pillow's exif_transpose.

    Returns a view where possible; callers copy when they need contiguous data.
    """
    if orientation == 2:
        return array[:, ::-1]
    if orientation == 3:
        return array[::-1, ::-1]
    if orientation == 4:
        return array[::-1]
    if orientation == 5:
        return array.swapaxes(0, 1)
    if orientation == 6:
        return np.rot90(array, -1)
    if orientation == 7:
        return array[::-1, ::-1].swapaxes(0, 1)
    if orientation == 8:
        return np.rot90(array, 1)
    return array


def _raw_point(orientation: int, width: int, height: int, x: int, y: int) -> tuple[int, int]:
    """The stored pixel shown at oriented pixel (x, y); ``width``/``height`` are stored."""
    w1, h1 = width - 1, height - 1
    return {
        2: (w1 - x, y),
        3: (w1 - x, h1 - y),
        4: (x, h1 - y),
        5: (y, x),
        6: (y, h1 - x),
        7: (w1 - y, h1 - x),
        8: (w1 - y, x),
    }.get(orientation, (x, y))


def _raw_rect(
    orientation: int, width: int, height: int, rect: tuple[int, int, int, int]
) -> tuple[int, int, int, int]:
    """The stored rectangle holding an oriented half-open rectangle's pixels.

    Every orientation maps axis-aligned rectangles to axis-aligned rectangles, so the
    images of two opposite corners are enough.
    """
    x0, y0, x1, y1 = rect
    ax, ay = _raw_point(orientation, width, height, x0, y0)
    bx, by = _raw_point(orientation, width, height, x1 - 1, y1 - 1)
    return min(ax, bx), min(ay, by), max(ax, bx) + 1, max(ay, by) + 1


def _oriented_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    width, height = size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


# ------------------------------------------------------------------------------ helpers


def _as_3d(array: np.ndarray) -> np.ndarray:
    return array[:, :, None] if array.ndim == 2 else array


def _native(array: np.ndarray) -> np.ndarray:
    """Native byte order and a dtype that numpy and OpenCV both handle."""
    if array.dtype == np.float16:
        return array.astype(np.float32)
    if not array.dtype.isnative:
        return array.astype(array.dtype.newbyteorder("="))
    return array


def _resize(array: np.ndarray, width: int, height: int) -> np.ndarray:
    """Area-average ``array`` (H, W, C) to the given size, keeping its dtype and 3 axes.

    INTER_AREA averages the source pixels under each target pixel, which is what a
    pyramid level should hold; OpenCV cannot resize every dtype, so the others go
    through float64 and are rounded back.
    """
    if array.shape[1] == width and array.shape[0] == height:
        return array
    source = array if array.dtype in _CV2_RESIZE_DTYPES else array.astype(np.float64)
    if not source.flags.c_contiguous:
        source = np.ascontiguousarray(source)
    out = _as_3d(cv2.resize(source, (width, height), interpolation=cv2.INTER_AREA))
    if out.dtype != array.dtype:
        out = (
            np.rint(out).astype(array.dtype)
            if array.dtype.kind in "iu"
            else out.astype(array.dtype)
        )
    return out


def _alpha_to_uint8(alpha: np.ndarray) -> np.ndarray:
    if alpha.dtype == np.uint8:
        return alpha
    if alpha.dtype.kind == "f":
        return np.rint(np.clip(np.nan_to_num(alpha) * 255.0, 0, 255)).astype(np.uint8)
    top = float(np.iinfo(alpha.dtype).max)
    return np.rint(np.clip(alpha.astype(np.float64), 0, top) * (255.0 / top)).astype(np.uint8)


def _cmyk_to_rgb(cmyk: np.ndarray) -> np.ndarray:
    """Naive CMYK -> RGB, the same formula as Pillow's ``convert("RGB")``."""
    nk = 255 - cmyk[..., 3].astype(np.uint32)
    rgb = np.empty((*cmyk.shape[:2], 3), dtype=np.uint8)
    for i in range(3):
        tmp = cmyk[..., i].astype(np.uint32) * nk + 128
        rgb[..., i] = nk - (((tmp >> 8) + tmp) >> 8)  # Pillow's rounded division by 255
    return rgb


@dataclass(slots=True)
class TileStats:
    """Counters of where tiles came from; they show whether caches do their job.

    ``file_decodes`` counts decodes of pixel data from the image file (a tile or strip of
    a TIFF, a whole or DCT-scaled decode for Pillow formats); ``tiles_computed`` counts raw
    tiles produced by the source rather than found in a cache.
    """

    file_decodes: int = 0
    tiles_computed: int = 0
    memory_hits: int = 0
    disk_hits: int = 0
    disk_writes: int = 0


# ---------------------------------------------------------------------------- the base


class TileSource(ABC):
    """A pyramid of tiles of one image, in the oriented image's coordinates.

    Subclasses provide raw tiles (:meth:`_make_raw_tile`); this class does the geometry,
    the caching, the de-duplication of concurrent requests and the display mapping.
    """

    def __init__(
        self,
        *,
        path: Path,
        format: str,
        width: int,
        height: int,
        dtype: np.dtype,
        mode: Mode,
        tile_size: int = DEFAULT_TILE_SIZE,
        memory_cache: TileMemoryCache | None = None,
        disk_cache: DiskTileCache | None = None,
        disk_cache_min_pixels: int = DISK_CACHE_MIN_PIXELS,
    ) -> None:
        if tile_size < 16:
            raise ValueError(f"tile_size must be at least 16, got {tile_size}")
        if width < 1 or height < 1:
            raise ImageReadError(f"{path.name}: the image has no pixels ({width} x {height})")
        self.path = path
        self.format = format
        self.width = int(width)
        self.height = int(height)
        self.tile_size = int(tile_size)
        self.dtype = np.dtype(dtype)
        self.mode: Mode = mode
        self.channels = _MODE_CHANNELS[mode]
        self.stats = TileStats()
        self._stats_lock = threading.Lock()
        self._memory = memory_cache if memory_cache is not None else TileMemoryCache()
        self._disk = disk_cache
        self._disk_min_pixels = disk_cache_min_pixels
        self._token = next(_source_ids)
        self._inflight: dict[Hashable, Future[np.ndarray]] = {}
        self._inflight_lock = threading.Lock()
        self._window: WindowLevel | None = None
        self._default_window: WindowLevel | None = None
        self._window_lock = threading.Lock()
        self._estimate_lock = threading.Lock()
        self._generation = 0
        self._closed = False
        sizes = [(self.width, self.height)]
        while max(sizes[-1]) > self.tile_size:
            w, h = sizes[-1]
            sizes.append(((w + 1) // 2, (h + 1) // 2))
        self._level_sizes: tuple[tuple[int, int], ...] = tuple(sizes)

    # ---------------------------------------------------------------------- geometry

    @property
    def levels(self) -> int:
        """Number of pyramid levels; the last one fits in a single tile."""
        return len(self._level_sizes)

    @property
    def display_channels(self) -> int:
        """3 for RGB display tiles, 4 when the image carries alpha (RGBA)."""
        return 4 if self.mode in ("LA", "RGBA") else 3

    @property
    def needs_window(self) -> bool:
        """Whether display tiles depend on a window (anything but 8-bit data)."""
        return self.dtype != np.uint8 or self._window is not None

    def level_size(self, level: int) -> tuple[int, int]:
        """(width, height) of a level: level 0 is the image, each level halves rounding up."""
        self._check_level(level)
        return self._level_sizes[level]

    def level_scale(self, level: int) -> tuple[float, float]:
        """Level pixels per image pixel along x and y (close to ``2 ** -level``)."""
        lw, lh = self.level_size(level)
        return lw / self.width, lh / self.height

    def tile_grid(self, level: int) -> tuple[int, int]:
        """(columns, rows) of tiles at a level."""
        lw, lh = self.level_size(level)
        ts = self.tile_size
        return -(-lw // ts), -(-lh // ts)

    def tile_bounds(self, level: int, col: int, row: int) -> tuple[int, int, int, int]:
        """The tile's (x0, y0, x1, y1) in pixels of its own level, half-open."""
        self._check_tile(level, col, row)
        lw, lh = self._level_sizes[level]
        ts = self.tile_size
        return col * ts, row * ts, min((col + 1) * ts, lw), min((row + 1) * ts, lh)

    def tile_rect(self, level: int, col: int, row: int) -> tuple[float, float, float, float]:
        """Where a tile goes, as (x0, y0, x1, y1) in level-0 image coordinates.

        A level is stretched over the whole image, so the last tile ends exactly at the
        image's edge even though levels round their size up.
        """
        x0, y0, x1, y1 = self.tile_bounds(level, col, row)
        sx, sy = self.level_scale(level)
        return x0 / sx, y0 / sy, x1 / sx, y1 / sy

    def tiles_for_view(
        self, level: int, x0: float, y0: float, x1: float, y1: float
    ) -> list[tuple[int, int]]:
        """(col, row) of the tiles of ``level`` that cover a rectangle of the image.

        The rectangle is in level-0 image coordinates and may extend beyond the image
        (the view of a zoomed-out canvas does); tiles come in row-major order.
        """
        self._check_level(level)
        x0, x1 = max(0.0, min(x0, x1)), min(float(self.width), max(x0, x1))
        y0, y1 = max(0.0, min(y0, y1)), min(float(self.height), max(y0, y1))
        if x1 <= x0 or y1 <= y0:
            return []
        sx, sy = self.level_scale(level)
        cols, rows = self.tile_grid(level)
        ts = self.tile_size
        c0 = min(cols - 1, math.floor(x0 * sx / ts))
        r0 = min(rows - 1, math.floor(y0 * sy / ts))
        c1 = min(cols - 1, max(c0, math.ceil(x1 * sx / ts) - 1))
        r1 = min(rows - 1, max(r0, math.ceil(y1 * sy / ts) - 1))
        return [(c, r) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]

    def best_level(self, scale: float) -> int:
        """The coarsest level that still has at least one pixel per screen pixel.

        ``scale`` is screen pixels per image pixel (1.0 = 100%). Level ``l`` holds
        ``2 ** -l`` pixels per image pixel, so the answer is the largest ``l`` with
        ``2 ** -l >= scale``: finer would waste decoding, coarser would look blurred.
        """
        if not (scale > 0 and math.isfinite(scale)):
            raise ValueError(f"scale must be a positive number, got {scale}")
        if scale >= 1.0:
            return 0
        level = math.floor(-math.log2(scale) + 1e-9)
        return max(0, min(self.levels - 1, level))

    # ------------------------------------------------------------------------ window

    @property
    def window(self) -> WindowLevel | None:
        """The window in force for display tiles; ``None`` for 8-bit images shown as is."""
        if self._window is not None:
            return self._window
        if self.dtype == np.uint8:
            return None
        return self._estimated_window()

    def set_window(self, low: float, high: float) -> None:
        """Show raw ``low`` as black and ``high`` as white; display tiles are redone."""
        window = WindowLevel(float(low), float(high))
        with self._window_lock:
            self._window = window
            self._generation += 1
        self._forget_display_tiles()

    def reset_window(self) -> None:
        """Back to the default window (percentiles for deep images, none for 8-bit)."""
        with self._window_lock:
            self._window = None
            self._generation += 1
        self._forget_display_tiles()

    def _display_state(self) -> tuple[int, WindowLevel | None]:
        """The window generation and the window, read together so they always match."""
        with self._window_lock:
            generation, window = self._generation, self._window
        if window is None and self.dtype != np.uint8:
            window = self._estimated_window()
        return generation, window

    def _estimated_window(self) -> WindowLevel:
        with self._estimate_lock:
            if self._default_window is None:
                coarsest = self.read_raw_tile(self.levels - 1, 0, 0)
                colour = {"RGB": 3, "RGBA": 3, "CMYK": 4}.get(self.mode, 1)  # alpha excluded
                self._default_window = estimate_window(coarsest[..., :colour])
            return self._default_window

    def _forget_display_tiles(self) -> None:
        token = self._token
        self._memory.discard_where(
            lambda key: isinstance(key, tuple) and key[0] == token and key[1] == "display"
        )

    # ------------------------------------------------------------------------- tiles

    def read_tile(self, level: int, col: int, row: int) -> np.ndarray:
        """The tile for display: read-only uint8 (h, w, 3) RGB or (h, w, 4) RGBA."""
        self._check_tile(level, col, row)
        if not self.needs_window and self.mode in ("RGB", "RGBA"):
            return self.read_raw_tile(level, col, row)
        generation, window = self._display_state()
        key = (self._token, "display", generation, level, col, row)
        cached = self._memory.get(key)
        if cached is not None:
            self._count("memory_hits")
            return cached

        def compute() -> np.ndarray:
            tile = self._to_display(self.read_raw_tile(level, col, row), window)
            tile.setflags(write=False)
            self._memory.put(key, tile)
            return tile

        return self._once(key, compute)

    def read_raw_tile(self, level: int, col: int, row: int) -> np.ndarray:
        """The tile's raw values: read-only (h, w, channels) array of :attr:`dtype`.

        Channels follow :attr:`mode`; palettes are already expanded to colours.
        """
        self._check_tile(level, col, row)
        key = (self._token, "raw", level, col, row)
        cached = self._memory.get(key)
        if cached is not None:
            self._count("memory_hits")
            return cached
        return self._once(key, lambda: self._load_raw(key, level, col, row))

    def pixel_value(
        self, x: float, y: float, *, cached_only: bool = False
    ) -> tuple[int | float, ...] | None:
        """The raw value of the full-resolution pixel under image point (x, y).

        Values are in the image's own depth (0-65535 for 16-bit, floats for float
        images), one per channel of :attr:`mode`. ``None`` outside the image, or, with
        ``cached_only``, when the pixel's tile is not decoded yet: the status bar asks on
        every mouse move and must never wait for a decode.
        """
        xi, yi = math.floor(x), math.floor(y)
        if not (0 <= xi < self.width and 0 <= yi < self.height):
            return None
        ts = self.tile_size
        col, row = xi // ts, yi // ts
        if cached_only:
            tile = self._memory.get((self._token, "raw", 0, col, row))
            if tile is None:
                return None
        else:
            tile = self.read_raw_tile(0, col, row)
        return tuple(tile[yi - row * ts, xi - col * ts].tolist())

    def close(self) -> None:
        """Release the file and this source's cached tiles."""
        self._closed = True
        token = self._token
        self._memory.discard_where(lambda key: isinstance(key, tuple) and key[0] == token)
        self._close()

    def __enter__(self) -> TileSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.path.name} {self.width}x{self.height} "
            f"{self.mode} {self.dtype} levels={self.levels}>"
        )

    # ------------------------------------------------------------- for subclasses

    @abstractmethod
    def _make_raw_tile(self, level: int, col: int, row: int) -> np.ndarray:
        """Produce a raw tile (h, w, channels) of :attr:`dtype`, oriented, from the file."""

    def _level_is_stored(self, level: int) -> bool:
        """Whether a level's tiles can be read from the file without decoding more.

        Such levels are not worth a disk cache.
        """
        return False

    @abstractmethod
    def _close(self) -> None:
        """Release resources held by the subclass."""

    # -------------------------------------------------------------------- internals

    def _count(self, name: str, amount: int = 1) -> None:
        with self._stats_lock:
            setattr(self.stats, name, getattr(self.stats, name) + amount)

    def _check_level(self, level: int) -> None:
        if not 0 <= level < len(self._level_sizes):
            raise IndexError(f"level {level} out of range 0..{len(self._level_sizes) - 1}")

    def _check_tile(self, level: int, col: int, row: int) -> None:
        cols, rows = self.tile_grid(level)
        if not (0 <= col < cols and 0 <= row < rows):
            raise IndexError(f"tile ({col}, {row}) out of range at level {level}")

    def _check_open(self) -> None:
        if self._closed:
            raise ImageReadError(f"{self.path.name}: the image was closed")

    def _disk_cacheable(self, level: int) -> bool:
        if self._disk is None or self.width * self.height < self._disk_min_pixels:
            return False
        lw, lh = self._level_sizes[level]
        return max(lw, lh) <= DISK_CACHE_MAX_SIDE and not self._level_is_stored(level)

    def _load_raw(self, key: Hashable, level: int, col: int, row: int) -> np.ndarray:
        x0, y0, x1, y1 = self.tile_bounds(level, col, row)
        shape = (y1 - y0, x1 - x0)
        use_disk = self._disk_cacheable(level)
        if use_disk:
            assert self._disk is not None
            stored = self._disk.load(level, col, row, shape=shape, dtype=self.dtype)
            if stored is not None and stored.shape[2] == self.channels:
                self._count("disk_hits")
                stored.setflags(write=False)
                self._memory.put(key, stored)
                return stored
        self._check_open()
        tile = np.ascontiguousarray(self._make_raw_tile(level, col, row), dtype=self.dtype)
        if tile.shape != (*shape, self.channels):
            raise ImageReadError(
                f"{self.path.name}: tile ({level}, {col}, {row}) came out as {tile.shape}, "
                f"expected {(*shape, self.channels)}"
            )
        self._count("tiles_computed")
        tile.setflags(write=False)
        if use_disk:
            assert self._disk is not None
            if self._disk.store(level, col, row, tile):
                self._count("disk_writes")
        self._memory.put(key, tile)
        return tile

    def _once(self, key: Hashable, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """Run ``compute`` for ``key`` once even when several threads ask at the same time.

        The first caller computes; the others wait for its result (or its exception)
        instead of decoding the same tile again.
        """
        with self._inflight_lock:
            cached = self._memory.get(key)
            if cached is not None:
                return cached
            future = self._inflight.get(key)
            owner = future is None
            if future is None:
                future = Future()
                self._inflight[key] = future
        if not owner:
            return future.result()
        try:
            value = compute()
        except BaseException as exc:
            future.set_exception(exc)
            raise
        else:
            future.set_result(value)
            return value
        finally:
            with self._inflight_lock:
                self._inflight.pop(key, None)

    def _to_display(self, raw: np.ndarray, window: WindowLevel | None) -> np.ndarray:
        mode = self.mode
        colour_channels = {"L": 1, "LA": 1, "RGB": 3, "RGBA": 3, "CMYK": 4}[mode]
        colour = raw[..., :colour_channels]
        if window is not None:
            colour = window.apply(colour)
        elif colour.dtype != np.uint8:
            raise ImageReadError(f"{self.path.name}: no window to show {self.dtype} data")
        if mode == "CMYK":
            colour = _cmyk_to_rgb(colour)
        elif colour_channels == 1:
            colour = np.repeat(colour, 3, axis=2)
        if mode in ("LA", "RGBA"):
            return np.ascontiguousarray(
                np.concatenate([colour, _as_3d(_alpha_to_uint8(raw[..., -1]))], axis=2)
            )
        return np.ascontiguousarray(colour)


# ------------------------------------------------------------------------------- Pillow


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
            raise ImageReadError(f"{path.name}: {_corrupt(None, exc)}") from None
        with img:
            self._raw_size = img.size
            self._orientation = _orientation_of(img)
            fmt = img.format or "image"
            convert, mode = _pillow_target(img)
            dtype = _pillow_dtype(img)
            self._convert = convert
            self._can_draft = fmt in ("JPEG", "MPO") and img.mode in ("RGB", "L", "CMYK")
        size = _oriented_size(self._raw_size, self._orientation)
        limit = Image.MAX_IMAGE_PIXELS
        if not allow_huge and limit is not None and size[0] * size[1] > limit:
            raise ImageReadError(f"{path.name}: {_too_large(size, int(limit))}")
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
            return _resize(self._decode(scale), lw, lh)
        return _resize(self._plane(level - 1), lw, lh)

    def _decode(self, scale: int) -> np.ndarray:
        """Decode the file, at 1/``scale`` of its size for JPEG, oriented and converted."""
        self._count("file_decodes")
        try:
            img = open_header_unchecked(self.path)
            with img:
                if scale > 1:
                    raw_w, raw_h = self._raw_size
                    img.draft(None, (raw_w // scale, raw_h // scale))
                img.load()
                converted = img.convert(self._convert) if self._convert else img
                array = _native(_as_3d(np.asarray(converted)))
        except (UnidentifiedImageError, SyntaxError, ValueError, OSError, EOFError) as exc:
            raise ImageReadError(f"{self.path.name}: {_corrupt(self.format, exc)}") from None
        if array.dtype == np.bool_:
            array = array.astype(np.uint8) * 255
        return np.ascontiguousarray(orient_array(array, self._orientation))

    def _close(self) -> None:
        self._planes.clear()


# --------------------------------------------------------------------------------- TIFF


class _UnsupportedTiff(Exception):
    """The TIFF uses features this reader does not handle; Pillow gets a try instead."""


@dataclass(slots=True)
class _TiffLevel:
    """One resolution stored in the file, with what is needed to read its segments."""

    page: Any
    decode: Callable[..., Any]
    width: int
    height: int
    seg_w: int
    seg_h: int
    across: int
    per_plane: int
    separate: bool
    samples: int
    offsets: tuple[int, ...]
    counts: tuple[int, ...]
    jpegtables: bytes | None
    own_jpeg: bool
    direct: bool
    file_dtype: np.dtype
    held: dict[int, np.ndarray | None]
    hold: bool


def _tifffile_decodes(compression: int, predictor: int) -> bool:
    import tifffile

    try:
        if compression != 1:
            tifffile.TIFF.DECOMPRESSORS[compression]
        if predictor != 1:
            tifffile.TIFF.UNPREDICTORS[predictor]
    except (KeyError, ValueError, ImportError):
        return False
    return True


def _decode_jpeg_segment(data: bytes, jpegtables: bytes | None) -> np.ndarray:
    """Decode one JPEG-compressed TIFF tile or strip with Pillow's libjpeg.

    tifffile needs the optional ``imagecodecs`` package for JPEG; Pillow is always
    there. Tables shared by all segments (the JPEGTables tag) are spliced in front of the
    segment's own markers, which is what libtiff does too.
    """
    if jpegtables:
        data = jpegtables[:-2] + data[2:]
    with Image.open(io.BytesIO(data), formats=("JPEG",)) as img:
        img.load()
        return _as_3d(np.asarray(img))


class TiffTileSource(TileSource):
    """Tiles read from a TIFF or BigTIFF file segment by segment, with ``tifffile``.

    Pyramid levels stored in the file (SubIFDs, or the levels of tifffile's first
    series) serve the levels of the same size; missing levels are area-averaged from the
    next finer one, tile by tile, so memory stays bounded even for a stripped TIFF of
    any size. Uncompressed strips are read row by row, so a view of a huge uncompressed
    scan reads only what it shows.
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
        import tifffile

        self._tif = tifffile.TiffFile(str(path))
        self._file_lock = threading.Lock()
        try:
            self._setup(path)
            size = _oriented_size(
                (self._stored[0].width, self._stored[0].height), self._orientation
            )
            limit = Image.MAX_IMAGE_PIXELS
            if (
                self._stored[0].hold
                and not allow_huge
                and limit is not None
                and size[0] * size[1] > limit
            ):
                raise ImageReadError(f"{path.name}: {_too_large(size, int(limit))}")
            super().__init__(
                path=path,
                format="TIFF",
                width=size[0],
                height=size[1],
                dtype=self._dtype,
                mode=self._mode,
                tile_size=tile_size,
                memory_cache=memory_cache,
                disk_cache=disk_cache,
                disk_cache_min_pixels=disk_cache_min_pixels,
            )
            self._by_level: dict[int, _TiffLevel] = {}
            for stored in self._stored:
                level = self._matching_level(stored)
                if level is not None and level not in self._by_level:
                    self._by_level[level] = stored
        except BaseException:
            self._tif.close()
            raise

    # ----------------------------------------------------------------------- setup

    def _setup(self, path: Path) -> None:
        """Read the structure of the file; raise _UnsupportedTiff for what we cannot do."""
        series = self._tif.series
        if not series:
            raise _UnsupportedTiff("no images")
        levels = series[0].levels
        base = self._page(levels[0].pages[0])
        photometric = int(base.photometric)
        samples = int(base.samplesperpixel)
        if getattr(base, "imagedepth", 1) != 1:
            raise _UnsupportedTiff("volumetric TIFF")
        if base.dtype is None:
            raise _UnsupportedTiff("unsupported sample format")
        extras = tuple(int(e) for e in (base.extrasamples or ()))
        has_alpha = bool(extras) and extras[0] in (1, 2)
        if photometric in (0, 1):
            mode = "LA" if has_alpha and samples >= 2 else "L"
        elif photometric == 2 and samples >= 3:
            mode = "RGBA" if has_alpha and samples >= 4 else "RGB"
        elif photometric == 3 and samples == 1 and base.colormap is not None:
            mode = "RGB"
        elif photometric == 5 and samples >= 4 and int(base.tags.valueof(332, 1)) == 1:
            mode = "CMYK"
        elif photometric == 6 and int(base.compression) == 7 and samples == 3:
            mode = "RGB"  # libjpeg turns the YCbCr back into RGB
        else:
            raise _UnsupportedTiff(f"photometric {photometric} with {samples} samples")
        self._photometric = photometric
        self._bits = int(base.bitspersample)
        self._colormap = base.colormap if photometric == 3 else None
        self._mode: Mode = mode
        self._orientation = int(base.tags.valueof(274, 1) or 1)
        if not 1 <= self._orientation <= 8:
            self._orientation = 1
        self._stored: list[_TiffLevel] = []
        for index, series_level in enumerate(levels):
            page = base if index == 0 else self._page(series_level.pages[0])
            if (
                int(page.photometric) != photometric
                or int(page.samplesperpixel) != samples
                or page.dtype != base.dtype
            ):
                continue
            stored = self._describe(page)
            if stored is None:
                if index == 0:
                    raise _UnsupportedTiff(f"compression {int(base.compression)}")
                continue
            self._stored.append(stored)
        probe = self._normalize(np.zeros((1, 1, samples), dtype=self._stored[0].file_dtype))
        self._dtype = probe.dtype

    @staticmethod
    def _page(page: Any) -> Any:
        if page is None:
            raise _UnsupportedTiff("missing page")
        return page.aspage() if hasattr(page, "aspage") else page

    def _describe(self, page: Any) -> _TiffLevel | None:
        compression = int(page.compression)
        predictor = int(page.predictor)
        own_jpeg = False
        if not _tifffile_decodes(compression, predictor):
            if compression == 7 and predictor == 1:
                own_jpeg = True
            else:
                return None
        width, height = int(page.imagewidth), int(page.imagelength)
        separate = int(page.planarconfig) == 2
        samples = int(page.samplesperpixel)
        if page.is_tiled:
            seg_w, seg_h = int(page.tilewidth), int(page.tilelength)
        else:
            seg_w, seg_h = width, min(height, int(page.rowsperstrip or height))
        across = -(-width // seg_w)
        per_plane = across * -(-height // seg_h)
        offsets = tuple(int(o) for o in page.dataoffsets)
        counts = tuple(int(c) for c in page.databytecounts)
        if len(offsets) < per_plane * (samples if separate else 1) or len(counts) != len(offsets):
            raise _UnsupportedTiff("segment tables do not match the image size")
        file_dtype = np.dtype(self._tif.byteorder + page.dtype.char)
        direct = (
            compression == 1
            and not page.is_tiled
            and not separate
            and int(page.bitspersample) in (8, 16, 32, 64)
            and int(getattr(page, "fillorder", 1)) == 1
        )
        seg_bytes = seg_w * seg_h * file_dtype.itemsize * (1 if separate else samples)
        return _TiffLevel(
            page=page,
            decode=page.decode,  # built once here: tifffile caches it in a shared dict
            width=width,
            height=height,
            seg_w=seg_w,
            seg_h=seg_h,
            across=across,
            per_plane=per_plane,
            separate=separate,
            samples=samples,
            offsets=offsets,
            counts=counts,
            jpegtables=page.jpegtables,
            own_jpeg=own_jpeg,
            direct=direct,
            file_dtype=file_dtype,
            held={},
            hold=not direct and seg_bytes > _HELD_SEGMENT_BYTES,
        )

    def _matching_level(self, stored: _TiffLevel) -> int | None:
        """The pyramid level a stored resolution can serve, if its size is (nearly) one.

        Files round level sizes up or down as they please; one pixel of difference is
        accepted and made up for by repeating the edge.
        """
        w, h = _oriented_size((stored.width, stored.height), self._orientation)
        ratio = self.width / w
        level = round(math.log2(ratio)) if ratio >= 1 else -1
        if not 0 <= level < self.levels:
            return None
        lw, lh = self._level_sizes[level]
        if abs(lw - w) <= 1 and abs(lh - h) <= 1:
            return level
        return None

    # ------------------------------------------------------------------------ tiles

    def _level_is_stored(self, level: int) -> bool:
        return level in self._by_level

    def _make_raw_tile(self, level: int, col: int, row: int) -> np.ndarray:
        x0, y0, x1, y1 = self.tile_bounds(level, col, row)
        stored = self._by_level.get(level)
        if stored is None:
            return self._derived_tile(level, col, row, x1 - x0, y1 - y0)
        sw, sh = _oriented_size((stored.width, stored.height), self._orientation)
        cx1, cy1 = min(x1, sw), min(y1, sh)
        rect = _raw_rect(self._orientation, stored.width, stored.height, (x0, y0, cx1, cy1))
        region = self._normalize(self._read_region(stored, *rect))
        tile = orient_array(region, self._orientation)
        if tile.shape[0] != y1 - y0 or tile.shape[1] != x1 - x0:
            tile = np.pad(
                tile,
                ((0, y1 - y0 - tile.shape[0]), (0, x1 - x0 - tile.shape[1]), (0, 0)),
                mode="edge",
            )
        return tile

    def _derived_tile(self, level: int, col: int, row: int, width: int, height: int) -> np.ndarray:
        """Area-average the (up to) four tiles of the next finer level under this one."""
        cols, rows = self.tile_grid(level - 1)
        parts = []
        for r in (2 * row, 2 * row + 1):
            if r >= rows:
                continue
            line = [self.read_raw_tile(level - 1, c, r) for c in (2 * col, 2 * col + 1) if c < cols]
            parts.append(np.concatenate(line, axis=1) if len(line) > 1 else line[0])
        block = np.concatenate(parts, axis=0) if len(parts) > 1 else parts[0]
        return _resize(block, width, height)

    def _read_region(self, stored: _TiffLevel, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        """Stored pixels [y0:y1, x0:x1] with all samples, in the file's sample layout."""
        if stored.direct:
            return self._read_rows(stored, x0, y0, x1, y1)
        out = np.zeros(
            (y1 - y0, x1 - x0, stored.samples), dtype=stored.file_dtype.newbyteorder("=")
        )
        planes = stored.samples if stored.separate else 1
        for sample in range(planes):
            for sy in range(y0 // stored.seg_h, (y1 - 1) // stored.seg_h + 1):
                for sx in range(x0 // stored.seg_w, (x1 - 1) // stored.seg_w + 1):
                    index = sample * stored.per_plane + sy * stored.across + sx
                    segment = self._segment(stored, index)
                    top, left = sy * stored.seg_h, sx * stored.seg_w
                    if segment is None:
                        continue  # a sparse file: missing segments are empty (zero)
                    seg_y0, seg_x0 = max(y0, top), max(x0, left)
                    seg_y1 = min(y1, top + segment.shape[0])
                    seg_x1 = min(x1, left + segment.shape[1])
                    if seg_y1 <= seg_y0 or seg_x1 <= seg_x0:
                        continue
                    piece = segment[seg_y0 - top : seg_y1 - top, seg_x0 - left : seg_x1 - left]
                    target = out[seg_y0 - y0 : seg_y1 - y0, seg_x0 - x0 : seg_x1 - x0]
                    if stored.separate:
                        target[..., sample] = piece[..., 0]
                    else:
                        target[...] = piece[..., : stored.samples]
        return out

    def _read_rows(self, stored: _TiffLevel, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        """Read an uncompressed region straight from the file, one row run at a time."""
        pixel = stored.file_dtype.itemsize * stored.samples
        row_bytes = stored.width * pixel
        out = np.empty((y1 - y0, x1 - x0, stored.samples), dtype=stored.file_dtype)
        self._count("file_decodes")
        full_rows = x0 == 0 and x1 == stored.width
        y = y0
        with self._file_lock:
            self._check_open()
            fh = self._tif.filehandle
            while y < y1:
                strip = y // stored.seg_h
                strip_end = min(y1, (strip + 1) * stored.seg_h)
                base = stored.offsets[strip] + (y - strip * stored.seg_h) * row_bytes
                try:
                    if full_rows:
                        fh.seek(base)
                        data = fh.read((strip_end - y) * row_bytes)
                        block = np.frombuffer(data, dtype=stored.file_dtype)
                        out[y - y0 : strip_end - y0] = block.reshape(strip_end - y, x1 - x0, -1)
                    else:
                        for yy in range(y, strip_end):
                            fh.seek(base + (yy - y) * row_bytes + x0 * pixel)
                            data = fh.read((x1 - x0) * pixel)
                            line = np.frombuffer(data, dtype=stored.file_dtype)
                            out[yy - y0] = line.reshape(x1 - x0, -1)
                except ValueError:
                    raise ImageReadError(
                        f"{self.path.name}: truncated TIFF data (rows {y}-{strip_end} are missing)"
                    ) from None
                y = strip_end
        return _native(out)

    def _segment(self, stored: _TiffLevel, index: int) -> np.ndarray | None:
        """One decoded strip or tile as (h, w, contiguous samples), or None when empty.

        Segments wider or taller than a tile serve several tiles, so they go through the
        memory cache; segments too big for it are held for the life of the source.
        """
        shared = stored.seg_w > self.tile_size or stored.seg_h > self.tile_size
        if not (shared or stored.hold):
            return self._decode_segment(stored, index)
        if stored.hold and index in stored.held:
            return stored.held[index]
        key = (self._token, "segment", id(stored), index)
        cached = self._memory.get(key)
        if cached is not None:
            return cached
        empty = np.zeros((0, 0, 1), dtype=stored.file_dtype)

        def compute() -> np.ndarray:
            segment = self._decode_segment(stored, index)
            value = empty if segment is None else segment
            value.setflags(write=False)
            if stored.hold:
                stored.held[index] = segment
            else:
                self._memory.put(key, value)
            return value

        result = self._once(key, compute)
        return None if result.size == 0 else result

    def _decode_segment(self, stored: _TiffLevel, index: int) -> np.ndarray | None:
        offset, size = stored.offsets[index], stored.counts[index]
        if offset == 0 or size == 0:
            return None
        with self._file_lock:
            self._check_open()
            fh = self._tif.filehandle
            fh.seek(offset)
            data = fh.read(size)
        self._count("file_decodes")
        try:
            if stored.own_jpeg:
                return _native(_decode_jpeg_segment(data, stored.jpegtables))
            result = stored.decode(data, index, jpegtables=stored.jpegtables)
        except (ValueError, OSError, RuntimeError, IndexError, EOFError, SyntaxError) as exc:
            raise ImageReadError(f"{self.path.name}: {_corrupt('TIFF', exc)}") from None
        segment = result[0]
        if segment is None:
            return None
        # (depth, height, width, contiguous samples) -> (height, width, samples)
        return _native(np.asarray(segment).reshape(segment.shape[-3:]))

    def _normalize(self, region: np.ndarray) -> np.ndarray:
        """File samples -> raw tile channels of :attr:`mode` (palette expanded etc.)."""
        region = _native(region)
        photometric = self._photometric
        if region.dtype == np.bool_:
            region = region.astype(np.uint8) * 255
        elif self._bits < 8 and photometric != 3 and region.dtype == np.uint8:
            # 1-, 2- and 4-bit grey are stretched to 0-255 so they can be seen.
            region = (region.astype(np.uint16) * 255 // ((1 << self._bits) - 1)).astype(np.uint8)
        if photometric == 0:
            if region.dtype.kind == "u":
                region = np.iinfo(region.dtype).max - region
            elif region.dtype.kind == "f":
                region = 1.0 - region
        if photometric == 3:
            assert self._colormap is not None
            colormap = np.asarray(self._colormap)
            if colormap.max() > 255:
                colormap = colormap // 257
            lut = colormap.astype(np.uint8).T  # (entries, 3)
            indices = np.clip(region[..., 0].astype(np.intp), 0, len(lut) - 1)
            return lut[indices]
        channels = _MODE_CHANNELS[self._mode]
        if self._mode in ("LA", "RGBA"):
            # alpha is the first extra sample, right after the colour samples
            colour = channels - 1
            return np.concatenate([region[..., :colour], region[..., colour : colour + 1]], axis=2)
        return region[..., :channels]

    def _close(self) -> None:
        with self._file_lock:
            for stored in self._stored:
                stored.held.clear()
            self._tif.close()


# ---------------------------------------------------------------------------- opening


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

    Raises :class:`ImageReadError` with a message for the user when the file cannot be
    opened.
    """
    path = Path(path)
    try:
        _check_file(path)
        with path.open("rb") as fh:
            prefix = fh.read(16)
        disk = None
        if cache_dir is not None:
            key = content_key or quick_file_key(path)
            disk = DiskTileCache(cache_dir, key, tile_size)
    except _ReadFailure as failure:
        raise ImageReadError(f"{path.name}: {failure.reason}") from None
    except OSError as exc:
        raise ImageReadError(f"{path.name}: cannot read the file: {exc.strerror or exc}") from None
    cache = memory_cache if memory_cache is not None else TileMemoryCache(memory_bytes)
    options: dict[str, Any] = {
        "allow_huge": allow_huge,
        "tile_size": tile_size,
        "memory_cache": cache,
        "disk_cache": disk,
        "disk_cache_min_pixels": disk_cache_min_pixels,
    }
    if prefix.startswith(_TIFF_SIGNATURES):
        import tifffile

        try:
            return TiffTileSource(path, **options)
        except (_UnsupportedTiff, tifffile.TiffFileError, ValueError, KeyError, IndexError) as exc:
            # Pillow (through libtiff) reads more TIFF variants, although only whole.
            _log.info("%s: reading with Pillow instead of tifffile (%s)", path.name, exc)
        except PermissionError:
            raise ImageReadError(f"{path.name}: permission denied: cannot read the file") from None
    try:
        return PillowTileSource(path, **options)
    except _ReadFailure as failure:
        raise ImageReadError(f"{path.name}: {failure.reason}") from None
