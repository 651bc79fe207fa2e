"""Deterministic synthetic images for tile tests and benchmarks, including gigapixel ones.

A 40,000 x 40,000 RGB image is 4.8 GB of pixels, more than a test machine should hold,
so the big files are written piece by piece: TIFFs from an iterator of tiles (tifffile
compresses them on a few threads), and JPEGs as strips encoded separately and joined with
restart markers into one valid baseline JPEG. Pixel values are a smooth pattern plus a
fixed noise texture, so files compress like photographs rather than like flat colour, and
the same arguments always give the same bytes.
"""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import tifffile
from PIL import Image

__all__ = [
    "make_16bit_tiff",
    "make_big_jpeg",
    "make_big_tiff",
    "pattern",
    "pyramid",
    "write_pyramid_tiff",
]

_NOISE_SIDE = 512


@lru_cache(maxsize=4)
def _noise(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(-12, 13, size=(_NOISE_SIDE, _NOISE_SIDE, 3), dtype=np.int16)


def pattern(
    x0: int, y0: int, width: int, height: int, *, step: float = 1.0, seed: int = 0
) -> np.ndarray:
    """Pixels [y0:y0+height, x0:x0+width] of an endless RGB test picture.

    ``step`` is how many full-resolution pixels one output pixel stands for, so coarser
    pyramid levels show the same picture (up to the noise texture, which is not averaged).
    Waves of several sizes make every zoom level show structure, and a checkerboard of
    4096-pixel squares makes misplaced tiles obvious.
    """
    xs = (x0 + np.arange(width, dtype=np.float32) + 0.5) * np.float32(step)
    ys = (y0 + np.arange(height, dtype=np.float32) + 0.5) * np.float32(step)
    rgb = np.empty((height, width, 3), dtype=np.int16)
    rgb[..., 0] = 128 + 100 * np.outer(np.cos(ys / 2100), np.sin(xs / 1500))
    rgb[..., 1] = np.add.outer((ys / 160) % 256, (xs / 160) % 256).astype(np.int16) & 255
    checker = np.bitwise_xor.outer(
        (ys // 4096).astype(np.int16) & 1, (xs // 4096).astype(np.int16) & 1
    )
    rgb[..., 2] = 60 + 40 * np.outer(np.cos(ys / 53), np.sin(xs / 37))
    rgb[..., 2] += checker * 120
    noise = _noise(seed)
    rows = (y0 + np.arange(height)) % _NOISE_SIDE
    cols = (x0 + np.arange(width)) % _NOISE_SIDE
    rgb += noise[rows[:, None], cols[None, :]]
    return np.clip(rgb, 0, 255).astype(np.uint8)


def _level_sizes(width: int, height: int, tile: int) -> list[tuple[int, int]]:
    """Sizes of the pyramid limner builds: halve rounding up until one tile holds it."""
    sizes = [(width, height)]
    while max(sizes[-1]) > tile:
        w, h = sizes[-1]
        sizes.append(((w + 1) // 2, (h + 1) // 2))
    return sizes


def pyramid(array: np.ndarray, tile: int = 512) -> list[np.ndarray]:
    """``array`` and its area-averaged halvings, the same sizes as limner's levels."""
    levels = [array]
    for w, h in _level_sizes(array.shape[1], array.shape[0], tile)[1:]:
        smaller = cv2.resize(levels[-1], (w, h), interpolation=cv2.INTER_AREA)
        levels.append(smaller.reshape(h, w, *array.shape[2:]))
    return levels


def _photometric(array: np.ndarray) -> str:
    return "rgb" if array.ndim == 3 and array.shape[2] in (3, 4) else "minisblack"


def write_pyramid_tiff(
    path: Path,
    array: np.ndarray,
    *,
    tile: int = 512,
    levels: bool = True,
    compression: str | None = "zlib",
    orientation: int | None = None,
) -> list[np.ndarray]:
    """Write a tiled BigTIFF with its pyramid in SubIFDs; return the arrays written.

    Level 0 is ``array`` itself, the others come from :func:`pyramid`, so a reader's
    tiles can be compared exactly with what was written.
    """
    arrays = pyramid(array, tile) if levels else [array]
    extra = (
        [(274, "H", 1, orientation, True)] if orientation is not None else None
    )  # TIFF Orientation
    options = {
        "tile": (tile, tile),
        "photometric": _photometric(array),
        "compression": compression,
        "compressionargs": {"level": 1} if compression == "zlib" else None,
    }
    if array.ndim == 3 and array.shape[2] == 4:
        options["extrasamples"] = ("unassalpha",)
    with tifffile.TiffWriter(path, bigtiff=True) as writer:
        writer.write(arrays[0], subifds=len(arrays) - 1 or None, extratags=extra, **options)
        for level in arrays[1:]:
            writer.write(level, subfiletype=1, **options)
    return arrays


def make_big_tiff(
    path: Path | str,
    width: int,
    height: int,
    *,
    levels: bool = True,
    tile: int = 512,
    compression: str | None = "zlib",
    seed: int = 0,
    maxworkers: int | None = None,
) -> Path:
    """A tiled RGB BigTIFF of :func:`pattern`, with a SubIFD pyramid when ``levels``.

    The tiles are generated as tifffile asks for them, so memory stays at a few tiles
    per worker whatever the size. Deflate level 1 keeps writing fast while leaving the
    reader real decompression work to do.
    """
    path = Path(path)
    sizes = _level_sizes(width, height, tile) if levels else [(width, height)]
    compressionargs = {"level": 1} if compression == "zlib" else None

    def tiles(level: int) -> Iterator[np.ndarray]:
        w, h = sizes[level]
        step = width / w
        for top in range(0, h, tile):
            for left in range(0, w, tile):
                tw, th = min(tile, w - left), min(tile, h - top)
                yield pattern(left, top, tw, th, step=step, seed=seed)

    options = {
        "dtype": np.uint8,
        "tile": (tile, tile),
        "photometric": "rgb",
        "compression": compression,
        "compressionargs": compressionargs,
        "maxworkers": maxworkers,
    }
    with tifffile.TiffWriter(path, bigtiff=True) as writer:
        w, h = sizes[0]
        writer.write(tiles(0), shape=(h, w, 3), subifds=len(sizes) - 1 or None, **options)
        for level in range(1, len(sizes)):
            w, h = sizes[level]
            writer.write(tiles(level), shape=(h, w, 3), subfiletype=1, **options)
    return path


def _scan_start(data: bytes) -> tuple[int, int]:
    """(offset of the SOS marker, offset of the entropy-coded data after its header)."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError("not a JPEG marker where one was expected")
        marker = data[pos + 1]
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker == 0xDA:
            return pos, pos + 2 + length
        pos += 2 + length
    raise ValueError("no start of scan")


def _with_height(header: bytes, height: int) -> bytes:
    """The JPEG header with the frame height (in the SOF0 segment) replaced."""
    pos = 2
    out = bytearray(header)
    while pos + 4 <= len(out):
        marker = out[pos + 1]
        (length,) = struct.unpack(">H", out[pos + 2 : pos + 4])
        if marker == 0xC0:
            out[pos + 5 : pos + 7] = struct.pack(">H", height)
            return bytes(out)
        pos += 2 + length
    raise ValueError("no baseline SOF0 segment")


def make_big_jpeg(
    path: Path | str, width: int, height: int, *, quality: int = 85, seed: int = 0
) -> Path:
    """A baseline JPEG of :func:`pattern` of any size up to 65,535 px, written in strips.

    Neither Pillow nor OpenCV can encode a JPEG without the whole image in memory. But a
    baseline JPEG with a restart interval of one MCU row can be cut into independent
    strips: each strip of 16 rows (one row of 4:2:0 MCUs) is encoded on its own with the
    same quality and standard tables, and the entropy-coded data of the strips is joined
    with RST markers under one header that states the full height.
    """
    path = Path(path)
    if not (0 < width <= 65535 and 0 < height <= 65535):
        raise ValueError("JPEG sides must be between 1 and 65535")
    mcu = 16
    mcus_per_row = math.ceil(width / mcu)
    strips = math.ceil(height / mcu)
    tables: bytes | None = None
    with path.open("wb") as out:
        for index in range(strips):
            top = index * mcu
            rows = min(mcu, height - top)
            buffer = io.BytesIO()
            Image.fromarray(pattern(0, top, width, rows, seed=seed)).save(
                buffer, "JPEG", quality=quality, subsampling=2, optimize=False
            )
            data = buffer.getvalue()
            sos, scan = _scan_start(data)
            header = _with_height(data[:sos], height)
            if tables is None:
                tables = header
                restart = b"\xff\xdd" + struct.pack(">HH", 4, mcus_per_row)
                out.write(header + restart + data[sos:scan])
            elif header != tables:
                raise RuntimeError("strips were encoded with different tables")
            out.write(data[scan:-2])  # entropy-coded data, without the EOI marker
            if index < strips - 1:
                out.write(bytes((0xFF, 0xD0 + index % 8)))
        out.write(b"\xff\xd9")
    return path


def make_16bit_tiff(
    path: Path | str, *, width: int = 300, height: int = 200, tile: int | None = None
) -> tuple[Path, dict[tuple[int, int], int]]:
    """A 16-bit grey TIFF and a map of known values: {(x, y): value}.

    Most pixels follow a ramp from 1000 to about 5000, so the default window is well
    inside the 16-bit range; a few pixels hold the extremes and odd values that would be
    lost by any reduction to 8 bits.
    """
    path = Path(path)
    ramp = 1000 + (np.arange(width)[None, :] * 7 + np.arange(height)[:, None] * 11)
    array = ramp.astype(np.uint16)
    known = {
        (0, 0): 0,
        (10, 20): 65535,
        (width - 1, height - 1): 1234,
        (width // 2, height // 3): 40001,
        (7, 5): 1000 + 7 * 7 + 5 * 11,
    }
    for (x, y), value in known.items():
        array[y, x] = value
    options = {"tile": (tile, tile)} if tile else {}
    tifffile.imwrite(path, array, photometric="minisblack", **options)
    return path, known
