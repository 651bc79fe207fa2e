"""Pixel rectangles, the unit in which mask edits are redrawn and stored.

A :data:`Rect` is ``(x, y, w, h)`` in whole pixels, the form the canvas needs to redraw a
region. Reading a mask through a rectangle (:func:`mask_crop`) never builds the
full-image array, which keeps an edit of a few pixels cheap on a huge image.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np

from limner.models.domain.geometry import Mask

Rect: TypeAlias = tuple[int, int, int, int]
"""``(x, y, w, h)``: left column, top row, width and height in pixels."""


def rect_union(a: Rect | None, b: Rect | None) -> Rect | None:
    """The smallest rectangle holding both (either may be None, meaning "nothing")."""
    if a is None:
        return b
    if b is None:
        return a
    x0 = min(a[0], b[0])
    y0 = min(a[1], b[1])
    x1 = max(a[0] + a[2], b[0] + b[2])
    y1 = max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


def tight_rect(array: np.ndarray, x: int = 0, y: int = 0) -> Rect | None:
    """Bounding rectangle of the set pixels of ``array`` placed at ``(x, y)``, or None."""
    rows = np.flatnonzero(array.any(axis=1))
    if rows.size == 0:
        return None
    top, bottom = int(rows[0]), int(rows[-1])
    cols = np.flatnonzero(array[top : bottom + 1].any(axis=0))
    left, right = int(cols[0]), int(cols[-1])
    return (x + left, y + top, right - left + 1, bottom - top + 1)


def mask_crop(mask: Mask | None, rect: Rect) -> np.ndarray:
    """The pixels of ``mask`` inside ``rect`` as an ``(h, w)`` bool array (False outside it).

    Reading a window this way never builds the full-image array, which is what keeps an
    undo step of a small brush stroke small on a large image.
    """
    x, y, w, h = rect
    out = np.zeros((h, w), dtype=bool)
    if mask is None:
        return out
    x0 = max(x, mask.left)
    y0 = max(y, mask.top)
    x1 = min(x + w, mask.left + mask.width)
    y1 = min(y + h, mask.top + mask.height)
    if x0 >= x1 or y0 >= y1:
        return out
    crop = mask.crop_array()
    out[y0 - y : y1 - y, x0 - x : x1 - x] = crop[
        y0 - mask.top : y1 - mask.top, x0 - mask.left : x1 - mask.left
    ]
    return out
