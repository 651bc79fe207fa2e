"""Array plumbing shared by the tile readers: channel layouts, dtypes and resizing.

Raw tiles are always ``(h, w, channels)`` arrays in native byte order, in a dtype numpy and
OpenCV both handle; pyramid levels are area averages of the finer level, whatever the
dtype. Colour conversions match Pillow's, so tiles look like the whole-image decode.
"""

from __future__ import annotations

import cv2
import numpy as np

Mode = str
"""Channel layout of raw tiles: "L", "LA", "RGB", "RGBA" or "CMYK"."""

MODE_CHANNELS: dict[Mode, int] = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4, "CMYK": 4}

_CV2_RESIZE_DTYPES = frozenset(
    np.dtype(t) for t in (np.uint8, np.uint16, np.int16, np.float32, np.float64)
)


def as_3d(array: np.ndarray) -> np.ndarray:
    return array[:, :, None] if array.ndim == 2 else array


def native_dtype(array: np.ndarray) -> np.ndarray:
    """Native byte order and a dtype that numpy and OpenCV both handle."""
    if array.dtype == np.float16:
        return array.astype(np.float32)
    if not array.dtype.isnative:
        return array.astype(array.dtype.newbyteorder("="))
    return array


def area_resize(array: np.ndarray, width: int, height: int) -> np.ndarray:
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
    out = as_3d(cv2.resize(source, (width, height), interpolation=cv2.INTER_AREA))
    if out.dtype != array.dtype:
        out = (
            np.rint(out).astype(array.dtype)
            if array.dtype.kind in "iu"
            else out.astype(array.dtype)
        )
    return out


def alpha_to_uint8(alpha: np.ndarray) -> np.ndarray:
    if alpha.dtype == np.uint8:
        return alpha
    if alpha.dtype.kind == "f":
        return np.rint(np.clip(np.nan_to_num(alpha) * 255.0, 0, 255)).astype(np.uint8)
    top = float(np.iinfo(alpha.dtype).max)
    return np.rint(np.clip(alpha.astype(np.float64), 0, top) * (255.0 / top)).astype(np.uint8)


def cmyk_to_rgb(cmyk: np.ndarray) -> np.ndarray:
    """Naive CMYK -> RGB, the same formula as Pillow's ``convert("RGB")``."""
    nk = 255 - cmyk[..., 3].astype(np.uint32)
    rgb = np.empty((*cmyk.shape[:2], 3), dtype=np.uint8)
    for i in range(3):
        tmp = cmyk[..., i].astype(np.uint32) * nk + 128
        rgb[..., i] = nk - (((tmp >> 8) + tmp) >> 8)  # Pillow's rounded division by 255
    return rgb


def halve_band(block: np.ndarray, width: int, height: int, tile_size: int) -> np.ndarray:
    """The next coarser level's rows under ``block``, computed tile by tile.

    ``block`` is a band of up to ``2 * tile_size`` full-width rows of a level, starting at
    a multiple of ``2 * tile_size``; the result is ``height`` rows of the level above, of
    ``width`` pixels. Each coarse tile is the area average of the (up to) four finer tiles
    under it, exactly as a TIFF reader derives a missing level tile by tile, so a level
    comes out the same whether its finer level was decoded whole, in strips or in tiles.
    """
    step = 2 * tile_size
    parts = []
    for left in range(0, width, tile_size):
        part_w = min(tile_size, width - left)
        source = block[:, 2 * left : 2 * left + step]
        parts.append(area_resize(source, part_w, height))
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)


def halve_plane(plane: np.ndarray, width: int, height: int, tile_size: int) -> np.ndarray:
    """A whole coarser level from a whole finer one, band by band (see :func:`halve_band`)."""
    out = np.empty((height, width, plane.shape[2]), dtype=plane.dtype)
    step = 2 * tile_size
    for top in range(0, height, tile_size):
        rows = min(tile_size, height - top)
        block = plane[2 * top : 2 * top + step]
        out[top : top + rows] = halve_band(block, width, rows, tile_size)
    return out
