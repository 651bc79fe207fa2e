"""Tiles of TIFF and BigTIFF files, read segment by segment with ``tifffile``.

Tiled, pyramidal and stripped files are all read piecewise: a view decodes only the tiles
or strips under it, pyramid levels stored in the file serve the levels of the same size,
and missing levels are area-averaged tile by tile, so memory stays bounded for a file of
any size. What this reader cannot handle raises :class:`UnsupportedTiff`, so that the
caller can fall back on Pillow.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from limner.models.errors import ImageReadError
from limner.models.imaging.imageio.header import oriented_size
from limner.models.imaging.imageio.reasons import corrupt_reason, too_large_reason
from limner.models.imaging.tile_cache import DiskTileCache, TileMemoryCache
from limner.models.imaging.tiles.orientation import orient_array, raw_rect
from limner.models.imaging.tiles.pixels import MODE_CHANNELS, Mode, area_resize, as_3d, native_dtype
from limner.models.imaging.tiles.source import DEFAULT_TILE_SIZE, DISK_CACHE_MIN_PIXELS, TileSource

_HELD_SEGMENT_BYTES = 64 * 1024 * 1024
"""A TIFF strip or tile larger than this when decoded is kept whole once decoded; it would
not fit the memory cache, and decoding it again for each tile it spans would be slow."""


class UnsupportedTiff(Exception):
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
        return as_3d(np.asarray(img))


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
            size = oriented_size((self._stored[0].width, self._stored[0].height), self._orientation)
            limit = Image.MAX_IMAGE_PIXELS
            if (
                self._stored[0].hold
                and not allow_huge
                and limit is not None
                and size[0] * size[1] > limit
            ):
                raise ImageReadError(f"{path.name}: {too_large_reason(size, int(limit))}")
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
        """Read the structure of the file; raise UnsupportedTiff for what we cannot do."""
        series = self._tif.series
        if not series:
            raise UnsupportedTiff("no images")
        levels = series[0].levels
        base = self._page(levels[0].pages[0])
        photometric = int(base.photometric)
        samples = int(base.samplesperpixel)
        if getattr(base, "imagedepth", 1) != 1:
            raise UnsupportedTiff("volumetric TIFF")
        if base.dtype is None:
            raise UnsupportedTiff("unsupported sample format")
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
            raise UnsupportedTiff(f"photometric {photometric} with {samples} samples")
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
                    raise UnsupportedTiff(f"compression {int(base.compression)}")
                continue
            self._stored.append(stored)
        probe = self._normalize(np.zeros((1, 1, samples), dtype=self._stored[0].file_dtype))
        self._dtype = probe.dtype

    @staticmethod
    def _page(page: Any) -> Any:
        if page is None:
            raise UnsupportedTiff("missing page")
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
            raise UnsupportedTiff("segment tables do not match the image size")
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
        w, h = oriented_size((stored.width, stored.height), self._orientation)
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
        sw, sh = oriented_size((stored.width, stored.height), self._orientation)
        cx1, cy1 = min(x1, sw), min(y1, sh)
        rect = raw_rect(self._orientation, stored.width, stored.height, (x0, y0, cx1, cy1))
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
        return area_resize(block, width, height)

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
        return native_dtype(out)

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
                return native_dtype(_decode_jpeg_segment(data, stored.jpegtables))
            result = stored.decode(data, index, jpegtables=stored.jpegtables)
        except (ValueError, OSError, RuntimeError, IndexError, EOFError, SyntaxError) as exc:
            raise ImageReadError(f"{self.path.name}: {corrupt_reason('TIFF', exc)}") from None
        segment = result[0]
        if segment is None:
            return None
        # (depth, height, width, contiguous samples) -> (height, width, samples)
        return native_dtype(np.asarray(segment).reshape(segment.shape[-3:]))

    def _normalize(self, region: np.ndarray) -> np.ndarray:
        """File samples -> raw tile channels of :attr:`mode` (palette expanded etc.)."""
        region = native_dtype(region)
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
        channels = MODE_CHANNELS[self._mode]
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
