"""EXIF and TIFF orientations, applied to arrays and undone for coordinates.

Tiles are addressed in the oriented image (what the user sees) while files store pixels
in sensor order. These functions turn an array into the oriented view, and an oriented
pixel or rectangle back into the stored one, so a reader can fetch exactly the stored
pixels a tile needs.
"""

from __future__ import annotations

import numpy as np


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


def raw_point(orientation: int, width: int, height: int, x: int, y: int) -> tuple[int, int]:
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


def raw_rect(
    orientation: int, width: int, height: int, rect: tuple[int, int, int, int]
) -> tuple[int, int, int, int]:
    """The stored rectangle holding an oriented half-open rectangle's pixels.

    Every orientation maps axis-aligned rectangles to axis-aligned rectangles, so the
    images of two opposite corners are enough.
    """
    x0, y0, x1, y1 = rect
    ax, ay = raw_point(orientation, width, height, x0, y0)
    bx, by = raw_point(orientation, width, height, x1 - 1, y1 - 1)
    return min(ax, bx), min(ay, by), max(ax, bx) + 1, max(ay, by) + 1
