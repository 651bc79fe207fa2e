"""Masks found from the image itself: the magic wand and GrabCut.

Both take the decoded pixels and return a full-size boolean array, and both are
deterministic: the wand compares every pixel with the seed (so a soft gradient cannot
leak the selection across the image), and GrabCut runs with a fixed random seed on a crop
around the box, shrunk to a bounded size, so its cost does not grow with the image.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from limner.models.domain.geometry import Box
from limner.models.errors import GeometryError
from limner.models.imaging.mask_ops.checks import finite_float

# GrabCut looks at some background around the box; the margin is this share of the box's
# longer side, at least _GRABCUT_MIN_MARGIN pixels.
_GRABCUT_MARGIN = 0.1
_GRABCUT_MIN_MARGIN = 8


def _color_image(pixels: np.ndarray) -> np.ndarray:
    """A contiguous uint8 image with 1 or 3 channels (alpha dropped), as OpenCV wants."""
    if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8:
        raise GeometryError("image pixels must be a uint8 numpy array")
    if pixels.ndim == 3 and pixels.shape[2] == 4:
        pixels = pixels[:, :, :3]
    elif pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    if not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)):
        raise GeometryError(f"image pixels must be gray, RGB or RGBA, got shape {pixels.shape}")
    return np.ascontiguousarray(pixels)


def magic_wand(
    pixels: np.ndarray, x: float, y: float, tolerance: int, *, connectivity: int = 8
) -> np.ndarray:
    """The region connected to pixel ``(x, y)`` whose colour is within ``tolerance`` of it.

    Fixed range (every pixel is compared with the seed, not with its neighbour) so that a
    soft gradient does not leak the selection across the whole image. The tolerance applies
    to each channel separately. Returns a full-size bool array; all False when the point
    lies outside the image.
    """
    if connectivity not in (4, 8):
        raise GeometryError(f"connectivity must be 4 or 8, got {connectivity}")
    image = _color_image(pixels)
    h, w = image.shape[:2]
    col, row = math.floor(finite_float(x, "wand x")), math.floor(finite_float(y, "wand y"))
    if not (0 <= col < w and 0 <= row < h):
        return np.zeros((h, w), dtype=bool)
    t = float(min(max(int(tolerance), 0), 255))
    diff = (t,) * (1 if image.ndim == 2 else 3)
    if not image.flags.writeable:
        # The binding insists on a writable image even with FLOODFILL_MASK_ONLY, which
        # leaves it untouched; only a read-only image (a shared decoded frame) is copied.
        image = image.copy()
    flood = np.zeros((h + 2, w + 2), dtype=np.uint8)
    flags = connectivity | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (1 << 8)
    cv2.floodFill(image, flood, (col, row), 0, diff, diff, flags)
    return flood[1:-1, 1:-1].astype(bool)


def grabcut(pixels: np.ndarray, box: Box, iterations: int = 5, max_side: int = 1024) -> np.ndarray:
    """Foreground inside ``box`` by OpenCV's GrabCut, as a full-size bool array.

    GrabCut's cost grows with the pixels it models, so it runs on a crop around the box
    (with a margin of background for its colour model) shrunk until its longer side is at
    most ``max_side``; the result is scaled back up and pasted at the crop's place. The
    random generator is seeded, so the same input always gives the same mask.
    """
    image = _color_image(pixels)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    h, w = image.shape[:2]
    out = np.zeros((h, w), dtype=bool)
    inner = _box_pixels(box, w, h)
    if inner is None:
        return out
    bx0, by0, bx1, by1 = inner
    cx0, cy0, cx1, cy1 = _crop_around(inner, w, h)
    crop = image[cy0:cy1, cx0:cx1]
    crop_h, crop_w = crop.shape[:2]
    work, scale = _shrunk(crop, max_side)
    small_h, small_w = work.shape[:2]
    rect = _box_in_work(inner, (cx0, cy0), (crop_w, crop_h), (small_w, small_h))
    crop_mask = _scaled_back(_foreground(work, rect, iterations), crop_w, crop_h, scale)
    # Nothing outside the user's box belongs to the object.
    crop_mask[: by0 - cy0, :] = False
    crop_mask[by1 - cy0 :, :] = False
    crop_mask[:, : bx0 - cx0] = False
    crop_mask[:, bx1 - cx0 :] = False
    out[cy0:cy1, cx0:cx1] = crop_mask
    return out


def _box_pixels(box: Box, w: int, h: int) -> tuple[int, int, int, int] | None:
    """The pixels ``box`` touches, clipped to the image, or None when too thin to model."""
    bx0 = max(math.floor(box.x0), 0)
    by0 = max(math.floor(box.y0), 0)
    bx1 = min(math.ceil(box.x1), w)
    by1 = min(math.ceil(box.y1), h)
    if bx1 - bx0 < 2 or by1 - by0 < 2:
        return None
    return bx0, by0, bx1, by1


def _crop_around(inner: tuple[int, int, int, int], w: int, h: int) -> tuple[int, int, int, int]:
    """The box grown by a margin of background for GrabCut's colour model, clipped."""
    bx0, by0, bx1, by1 = inner
    margin = max(_GRABCUT_MIN_MARGIN, math.ceil(_GRABCUT_MARGIN * max(bx1 - bx0, by1 - by0)))
    return max(bx0 - margin, 0), max(by0 - margin, 0), min(bx1 + margin, w), min(by1 + margin, h)


def _shrunk(crop: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """The crop area-averaged until its longer side is at most ``max_side``, and the scale."""
    crop_h, crop_w = crop.shape[:2]
    scale = min(1.0, max_side / max(crop_w, crop_h))
    if scale < 1.0:
        small_w = max(round(crop_w * scale), 1)
        small_h = max(round(crop_h * scale), 1)
        return cv2.resize(crop, (small_w, small_h), interpolation=cv2.INTER_AREA), scale
    return np.ascontiguousarray(crop), scale


def _box_in_work(
    inner: tuple[int, int, int, int],
    origin: tuple[int, int],
    crop_size: tuple[int, int],
    work_size: tuple[int, int],
) -> tuple[int, int, int, int]:
    """The box as ``(x0, y0, x1, y1)`` in pixels of the shrunk crop, never empty."""
    bx0, by0, bx1, by1 = inner
    cx0, cy0 = origin
    crop_w, crop_h = crop_size
    small_w, small_h = work_size
    sx, sy = small_w / crop_w, small_h / crop_h
    rx0 = min(max(math.floor((bx0 - cx0) * sx), 0), small_w - 1)
    ry0 = min(max(math.floor((by0 - cy0) * sy), 0), small_h - 1)
    rx1 = min(max(math.ceil((bx1 - cx0) * sx), rx0 + 1), small_w)
    ry1 = min(max(math.ceil((by1 - cy0) * sy), ry0 + 1), small_h)
    # GrabCut needs background samples; a box covering the whole crop (an object filling
    # the image) leaves none, so its outermost pixels are given up as background.
    if (rx0, ry0, rx1, ry1) == (0, 0, small_w, small_h):
        rx0, ry0 = min(1, small_w - 1), min(1, small_h - 1)
        rx1, ry1 = max(small_w - 1, rx0 + 1), max(small_h - 1, ry0 + 1)
    return rx0, ry0, rx1, ry1


def _foreground(work: np.ndarray, rect: tuple[int, int, int, int], iterations: int) -> np.ndarray:
    """GrabCut's sure and probable foreground in ``work`` as a uint8 0/1 array.

    The random generator is seeded first, so the same input always gives the same mask.
    """
    small_h, small_w = work.shape[:2]
    rx0, ry0, rx1, ry1 = rect
    labels = np.zeros((small_h, small_w), dtype=np.uint8)
    background = np.zeros((1, 65), dtype=np.float64)
    foreground = np.zeros((1, 65), dtype=np.float64)
    cv2.setRNGSeed(0)
    try:
        cv2.grabCut(
            work,
            labels,
            (rx0, ry0, rx1 - rx0, ry1 - ry0),
            background,
            foreground,
            max(int(iterations), 1),
            cv2.GC_INIT_WITH_RECT,
        )
    except cv2.error as exc:
        raise GeometryError(f"GrabCut could not segment this box: {exc.msg}") from exc
    return ((labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)).astype(np.uint8)


def _scaled_back(fg: np.ndarray, crop_w: int, crop_h: int, scale: float) -> np.ndarray:
    """The foreground at the crop's own size, as bool."""
    if scale < 1.0:
        # Linear upscaling then a 0.5 threshold gives smoother edges than nearest.
        up = cv2.resize(fg * 255, (crop_w, crop_h), interpolation=cv2.INTER_LINEAR)
        return up >= 128
    return fg.astype(bool)
