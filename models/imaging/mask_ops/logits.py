"""A model's mask logits turned into a stored mask, touching only the pixels it covers.

A segmentation model answers with a raster of logits, either at the image's size or at a
low resolution (a 256 x 256 grid) that has to be enlarged to the image bilinearly. Doing
that for the whole image and thresholding the result costs a full-image float array per
click, 48 MB on a 12-megapixel photo, although the object usually covers a fraction of it.

:func:`positive_mask` finds the rows and columns that can hold a positive pixel first and
works on that rectangle alone, then builds the cropped :class:`Mask` directly:

* a full-size answer is reduced row by row and then column by column within the rows
  found (``np.fmax``, so a NaN never hides a positive value), and only that rectangle is
  thresholded;
* a low-resolution answer is thresholded at its own resolution; an enlarged pixel can
  only be positive if one of the (at most four) logits it is interpolated from is, so the
  output rectangle is the one those logits reach, and only it is interpolated.

The bilinear enlargement is OpenCV's convention (``INTER_LINEAR``: pixel centres aligned,
edge values repeated), computed here with the same float expression for every pixel,
whatever rectangle it is part of, so the cropped answer is the full-size answer exactly;
``crop=False`` computes the full-size one, which is what the tests compare against.
"""

from __future__ import annotations

import numpy as np

from limner.models.domain.geometry import Mask

__all__ = ["bilinear_taps", "positive_mask", "upsample_rect"]


def bilinear_taps(src: int, dst: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each of ``dst`` output positions: the two source indices and the second's weight.

    Output pixel ``i`` samples the source at ``(i + 0.5) * src / dst - 0.5``; outside the
    source the edge value is repeated, as ``cv2.resize`` does.
    """
    at = (np.arange(dst, dtype=np.float64) + 0.5) * (src / dst) - 0.5
    low = np.floor(at)
    frac = (at - low).astype(np.float32)
    low = low.astype(np.int64)
    before, after = low < 0, low >= src - 1
    frac[before | after] = 0.0
    low = np.clip(low, 0, src - 1)
    high = np.minimum(low + 1, src - 1)
    return low, high, frac


def upsample_rect(
    logits: np.ndarray, size: tuple[int, int], rect: tuple[int, int, int, int]
) -> np.ndarray:
    """The bilinear enlargement of ``logits`` to ``size`` (width, height), inside ``rect``
    (x, y, w, h) only, as float32."""
    width, height = size
    x, y, w, h = rect
    src_h, src_w = logits.shape
    x0, x1, fx = (a[x : x + w] for a in bilinear_taps(src_w, width))
    y0, y1, fy = (a[y : y + h] for a in bilinear_taps(src_h, height))
    rows = np.unique(np.concatenate((y0, y1)))
    source = logits[rows].astype(np.float32, copy=False)
    # Horizontal pass over the source rows the rectangle needs, then the vertical one.
    across = source[:, x0] * (np.float32(1) - fx) + source[:, x1] * fx
    top, bottom = np.searchsorted(rows, y0), np.searchsorted(rows, y1)
    fy = fy[:, None]
    return across[top] * (np.float32(1) - fy) + across[bottom] * fy


def _span(flags: np.ndarray) -> tuple[int, int] | None:
    found = np.flatnonzero(flags)
    return (int(found[0]), int(found[-1]) + 1) if found.size else None


def _reach(low: np.ndarray, high: np.ndarray, first: int, last: int) -> tuple[int, int] | None:
    """The output positions that interpolate from a source index in ``[first, last)``."""
    touched = (high >= first) & (low < last)
    return _span(touched)


def _full_size_rect(logits: np.ndarray, threshold: float) -> tuple[int, int, int, int] | None:
    rows = _span(np.fmax.reduce(logits, axis=1) > threshold)
    if rows is None:
        return None
    band = logits[rows[0] : rows[1]]
    cols = _span(np.fmax.reduce(band, axis=0) > threshold)
    assert cols is not None  # a row of the band holds a positive value
    return cols[0], rows[0], cols[1] - cols[0], rows[1] - rows[0]


def _low_res_rect(
    logits: np.ndarray, size: tuple[int, int], threshold: float
) -> tuple[int, int, int, int] | None:
    positive = logits > threshold
    rows = _span(positive.any(axis=1))
    cols = _span(positive.any(axis=0))
    if rows is None or cols is None:
        return None
    width, height = size
    src_h, src_w = logits.shape
    xs = _reach(*bilinear_taps(src_w, width)[:2], *cols)
    ys = _reach(*bilinear_taps(src_h, height)[:2], *rows)
    if xs is None or ys is None:
        return None
    return xs[0], ys[0], xs[1] - xs[0], ys[1] - ys[0]


def positive_mask(
    logits: np.ndarray, size: tuple[int, int], threshold: float = 0.0, *, crop: bool = True
) -> Mask | None:
    """The pixels of an image of ``size`` (width, height) whose logit is above
    ``threshold``, ``logits`` being at that size or a lower resolution of the whole image;
    None when no pixel is. ``crop=False`` enlarges and thresholds the whole image."""
    width, height = size
    full_size = logits.shape == (height, width)
    if not full_size and threshold != 0.0:
        # Interpolating values that are all at most 0 never gives more than 0, which is
        # what lets the rectangle leave out pixels no positive logit reaches.
        logits, threshold = logits.astype(np.float32) - np.float32(threshold), 0.0
    if not crop:
        rect: tuple[int, int, int, int] | None = (0, 0, width, height)
    elif full_size:
        rect = _full_size_rect(logits, threshold)
    else:
        rect = _low_res_rect(logits, size, threshold)
    if rect is None:
        return None
    x, y, w, h = rect
    if full_size:
        values = logits[y : y + h, x : x + w]
    else:
        values = upsample_rect(logits, size, rect)
    inside = values > threshold
    if not inside.any():
        return None
    return Mask.from_crop(inside, x, y, width, height)
