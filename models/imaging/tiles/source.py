"""The tile source: one image as a pyramid of square tiles, safe to share between threads.

Level 0 is the full resolution and each next level halves both sides (rounding up) down
to the first level that fits in one tile. The base class owns everything that does not
depend on the file format: the pyramid's geometry, which tiles cover a view, the memory
and disk caches, decoding a tile once when several threads ask for it at the same time,
and the mapping of raw values to 8-bit display tiles. A reader for one kind of file only
has to produce raw tiles.
"""

from __future__ import annotations

import math
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import numpy as np

from limner.models.errors import ImageClosedError, ImageReadError
from limner.models.imaging.tile_cache import DiskTileCache, TileMemoryCache
from limner.models.imaging.tiles.pixels import (
    MODE_CHANNELS,
    Mode,
    alpha_to_uint8,
    as_3d,
    cmyk_to_rgb,
)
from limner.models.imaging.tiles.window import WindowLevel, estimate_window

DEFAULT_TILE_SIZE = 512
"""Tile side in pixels: big enough that a screen needs a dozen tiles, small enough to
decode one in a few milliseconds."""

DISK_CACHE_MAX_SIDE = 2048
"""Only levels at most this many pixels on each side go to the disk cache: together they
cost at most about 17 MB per 8-bit RGB image and cover every fit-to-window view."""

DISK_CACHE_MIN_PIXELS = 50_000_000
"""Images smaller than this are not disk-cached: they decode in well under a second, and
caching every photo of a large project would fill the disk for nothing."""

_source_ids = count(1)


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
        self.channels = MODE_CHANNELS[mode]
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
        self._released = False
        self._readers = 0
        self._use_lock = threading.Lock()
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

    @property
    def decode_progress(self) -> float | None:
        """How far a long first decode has got, from 0 to 1, when the reader can tell.

        ``None`` for readers that decode in one call (the window can only say it waits).
        """
        return None

    def preview(self) -> tuple[np.ndarray, int] | None:
        """While a first decode runs: the coarsest level's rows decoded so far, as display
        pixels, and how many rows of it are filled; ``None`` when the reader has none."""
        return None

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Release the file and this source's cached tiles.

        Decodes asked for from now on raise :class:`ImageClosedError`; decodes already
        reading the file finish first, and the last of them releases it, so the file is
        never closed under a reader and closing never waits.
        """
        with self._use_lock:
            self._closed = True
            release = self._readers == 0 and not self._released
            self._released = self._released or release
        token = self._token
        self._memory.discard_where(lambda key: isinstance(key, tuple) and key[0] == token)
        if release:
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
            raise ImageClosedError(f"{self.path.name}: the image was closed")

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Around every read of the file: refused once closed, and counted so that
        :meth:`close` leaves the file to the last reader to release."""
        with self._use_lock:
            if self._closed:
                raise ImageClosedError(f"{self.path.name}: the image was closed")
            self._readers += 1
        try:
            yield
        finally:
            with self._use_lock:
                self._readers -= 1
                release = self._closed and self._readers == 0 and not self._released
                self._released = self._released or release
            if release:
                self._close()

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
        with self._reading():
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
            colour = cmyk_to_rgb(colour)
        elif colour_channels == 1:
            colour = np.repeat(colour, 3, axis=2)
        if mode in ("LA", "RGBA"):
            return np.ascontiguousarray(
                np.concatenate([colour, as_3d(alpha_to_uint8(raw[..., -1]))], axis=2)
            )
        return np.ascontiguousarray(colour)
