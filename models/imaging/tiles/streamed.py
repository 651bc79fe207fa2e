"""Tiles of a big image read once in strips: the pyramid is built as the rows go by.

A PNG (or a TIFF that only libvips reads piecewise) has no random access, and decoding
it whole costs its full size in memory, several times over. :class:`StreamedTileSource`
reads it once from top to bottom instead: every band of ``2 * tile_size`` rows is cut into
tiles of its level and averaged into the next coarser level's band, which goes up the same
way, so no level is ever held whole. Tiles of the big levels go to a temporary spill file
(deleted on close), those of the small levels stay in memory. Memory is a few bands per
level, whatever the image's size.

The pass runs on the first thread that asks for any tile (a worker of the canvas); others
wait for it. Meanwhile :attr:`decode_progress` says how far it is and :meth:`preview`
gives the rows read so far, at the coarsest level's size, so the window can show them.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import cv2
import numpy as np

from limner.models.errors import ImageReadError
from limner.models.imaging.tile_cache import DiskTileCache, TileMemoryCache
from limner.models.imaging.tiles.pixels import halve_band
from limner.models.imaging.tiles.source import DEFAULT_TILE_SIZE, DISK_CACHE_MIN_PIXELS, TileSource
from limner.models.imaging.tiles.strips import StripFormatError, StripReader

SPILL_LEVEL_BYTES = 64 * 1024 * 1024
"""Levels larger than this go to the spill file; smaller ones stay in memory."""

STRIP_ROWS = 256
"""Rows asked of the reader at a time."""


class _TileStore:
    """The built tiles: small levels in memory, big ones in an unlinked temporary file."""

    def __init__(self, spill_dir: Path | None) -> None:
        self._spill_dir = spill_dir
        self._file: int | None = None
        self._end = 0
        self._index: dict[tuple[int, int, int], tuple[int, tuple[int, ...]]] = {}
        self._held: dict[tuple[int, int, int], np.ndarray] = {}
        self._lock = threading.Lock()

    def put(self, key: tuple[int, int, int], tile: np.ndarray, spill: bool) -> None:
        tile = np.ascontiguousarray(tile)
        if not spill:
            tile.setflags(write=False)
            self._held[key] = tile
            return
        with self._lock:
            if self._file is None:
                handle = tempfile.TemporaryFile(prefix="limner-tiles-", dir=self._spill_dir)
                self._file = os.dup(handle.fileno())  # the file is unlinked already
                handle.close()
            os.pwrite(self._file, tile.data, self._end)
            self._index[key] = (self._end, tile.shape)
            self._end += tile.nbytes

    def get(self, key: tuple[int, int, int], dtype: np.dtype) -> np.ndarray:
        held = self._held.get(key)
        if held is not None:
            return held
        offset, shape = self._index[key]
        size = int(np.prod(shape)) * dtype.itemsize
        assert self._file is not None
        data = os.pread(self._file, size, offset)
        return np.frombuffer(data, dtype=dtype).reshape(shape)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                os.close(self._file)
                self._file = None
            self._held.clear()
            self._index.clear()


class StreamedTileSource(TileSource):
    """A pyramid built in one top-to-bottom pass over the file's rows."""

    def __init__(
        self,
        path: Path,
        reader: StripReader,
        *,
        format: str,
        tile_size: int = DEFAULT_TILE_SIZE,
        memory_cache: TileMemoryCache | None = None,
        disk_cache: DiskTileCache | None = None,
        disk_cache_min_pixels: int = DISK_CACHE_MIN_PIXELS,
        strip_rows: int = STRIP_ROWS,
        spill_bytes: int = SPILL_LEVEL_BYTES,
        spill_dir: Path | None = None,
    ) -> None:
        super().__init__(
            path=path,
            format=format,
            width=reader.width,
            height=reader.height,
            dtype=reader.dtype,
            mode=reader.mode,
            tile_size=tile_size,
            memory_cache=memory_cache,
            disk_cache=disk_cache,
            disk_cache_min_pixels=disk_cache_min_pixels,
        )
        self.reader = reader
        self._strip_rows = max(1, int(strip_rows))
        self._spill_bytes = spill_bytes
        self._store = _TileStore(spill_dir)
        self._built = False
        self._failure: ImageReadError | None = None
        self._build_lock = threading.Lock()
        self._rows_read = 0
        pw, ph = self._level_sizes[-1]
        self._preview = np.zeros((ph, pw, self.channels), dtype=self.dtype)

    # ------------------------------------------------------------------ progress

    @property
    def decode_progress(self) -> float | None:
        """The share of the file's rows read so far (1.0 once the pyramid is built)."""
        return 1.0 if self._built else self._rows_read / self.height

    def preview(self) -> tuple[np.ndarray, int] | None:
        """The coarsest level as read so far (display pixels) and how many rows are filled.

        The rows are averaged strip by strip, so until the pass ends they may differ
        from the finished level by a rounding at strip edges; the finished level
        replaces them. Deep images have none: their window needs the finished level.
        """
        if self.needs_window:
            return None
        rows = self._level_sizes[-1][1] * self._rows_read // self.height
        return self._to_display(self._preview, None), rows

    # --------------------------------------------------------------------- tiles

    def _make_raw_tile(self, level: int, col: int, row: int) -> np.ndarray:
        self._build()
        return self._store.get((level, col, row), self.dtype)

    def _build(self) -> None:
        if self._built:
            return
        with self._build_lock:
            if self._failure is not None:
                raise self._failure
            if self._built:
                return
            self._check_open()
            try:
                self._run_pass()
            except (StripFormatError, OSError, ValueError) as exc:
                self._failure = ImageReadError(f"{self.path.name}: cannot decode it: {exc}")
                raise self._failure from None
            self._built = True

    def _run_pass(self) -> None:
        self._count("file_decodes")
        levels = self.levels
        buffers: list[list[np.ndarray]] = [[] for _ in range(levels)]
        done = [0] * levels  # rows of each level already cut into tiles
        for strip in self.reader.strips(self._strip_rows):
            self._check_open()
            self._add_to_preview(strip)
            self._rows_read += strip.shape[0]
            self._feed(0, strip, buffers, done, final=False)
        if self._rows_read != self.height:
            raise StripFormatError(f"read {self._rows_read} of {self.height} rows")
        for level in range(levels):
            self._feed(level, None, buffers, done, final=True)

    def _feed(
        self,
        level: int,
        rows: np.ndarray | None,
        buffers: list[list[np.ndarray]],
        done: list[int],
        *,
        final: bool,
    ) -> None:
        """Add rows to a level; cut every complete band into tiles and feed it upwards."""
        if rows is not None:
            buffers[level].append(rows)
        band = 2 * self.tile_size
        held = sum(part.shape[0] for part in buffers[level])
        while held >= band or (final and held):
            block = np.concatenate(buffers[level]) if len(buffers[level]) > 1 else buffers[level][0]
            take = min(band, held)
            head, rest = block[:take], block[take:]
            buffers[level] = [rest] if rest.shape[0] else []
            held -= take
            self._store_band(level, done[level], head)
            done[level] += take
            if level + 1 < self.levels:
                lw, _lh = self._level_sizes[level + 1]
                coarse = halve_band(head, lw, -(-take // 2), self.tile_size)
                self._feed(level + 1, coarse, buffers, done, final=False)

    def _store_band(self, level: int, top: int, rows: np.ndarray) -> None:
        """Cut rows ``top .. top + len(rows)`` of a level (tile-row aligned) into tiles."""
        ts = self.tile_size
        lw, lh = self._level_sizes[level]
        spill = lw * lh * self.channels * self.dtype.itemsize > self._spill_bytes
        for offset in range(0, rows.shape[0], ts):
            tile_row = (top + offset) // ts
            part = rows[offset : offset + ts]
            for col, left in enumerate(range(0, lw, ts)):
                self._store.put((level, col, tile_row), part[:, left : left + ts], spill)

    def _add_to_preview(self, strip: np.ndarray) -> None:
        pw, ph = self._level_sizes[-1]
        top = ph * self._rows_read // self.height
        bottom = ph * (self._rows_read + strip.shape[0]) // self.height
        if bottom <= top:
            return
        # Every few columns is plenty for a stand-in a few hundred pixels wide.
        source = strip[:, :: max(1, strip.shape[1] // (4 * pw))]
        if source.dtype == np.int32:
            source = source.astype(np.float64)
        small = cv2.resize(
            np.ascontiguousarray(source), (pw, bottom - top), interpolation=cv2.INTER_AREA
        )
        self._preview[top:bottom] = small.reshape(bottom - top, pw, -1).astype(self.dtype)

    def _close(self) -> None:
        self._store.close()
