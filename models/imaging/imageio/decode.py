"""Decoding a whole image as the user sees it: oriented, 8 bits per channel.

This is what the canvas shows for images small enough to decode whole, and what the tile
readers are compared with. Deep images are stretched to 8 bits by their own range, so
their content is visible, and any unreadable file ends in an :class:`ImageReadError` whose
message a user can act on.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from limner.models.errors import ImageReadError
from limner.models.imaging.imageio.files import check_file
from limner.models.imaging.imageio.header import (
    DECODE_ERRORS,
    bomb_failure,
    open_image,
    pixel_limit,
)
from limner.models.imaging.imageio.reasons import ReadFailure, corrupt_reason


def _scale_to_uint8(values: np.ndarray) -> np.ndarray:
    """Stretch high-bit-depth grey levels to 0-255 by their own minimum and maximum.

    Scientific and depth images rarely use their full 16-bit range, so a fixed shift
    would show them black; min/max stretching makes their content visible. A constant
    image has no contrast to stretch and becomes black.
    """
    data = values.astype(np.float64)
    finite = np.isfinite(data)
    if not finite.any():
        return np.zeros(values.shape, dtype=np.uint8)
    low = float(data[finite].min())
    high = float(data[finite].max())
    if high <= low:
        return np.zeros(values.shape, dtype=np.uint8)
    scaled = (np.where(finite, data, low) - low) * (255.0 / (high - low))
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _to_array(img: Image.Image) -> np.ndarray:
    """Convert any decoded mode to uint8 RGB, or RGBA when the image carries alpha."""
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        grey = _scale_to_uint8(np.asarray(img))
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    target = "RGBA" if img.has_transparency_data else "RGB"
    if img.mode != target:
        img = img.convert(target)
    return np.array(img, dtype=np.uint8)


def load_rgb(path: Path | str, *, max_pixels: int | None = None) -> np.ndarray:
    """Decode an image as displayed: EXIF orientation applied, 8 bits per channel.

    Returns an ``(H, W, 3)`` uint8 RGB array, or ``(H, W, 4)`` RGBA when the image has an
    alpha channel or a transparent palette entry, so the canvas can show a checkerboard.

    ``max_pixels`` lowers the pixel limit for this call (a preview may want to stay
    small). It cannot raise it: the ceiling is Pillow's ``Image.MAX_IMAGE_PIXELS``, set
    application-wide, so that :func:`probe_image` and this function agree on which images
    can be opened.

    Raises :class:`ImageReadError` with a user-facing message for any unreadable file.
    """
    path = Path(path)
    limit = pixel_limit(max_pixels)
    try:
        check_file(path)
        with open_image(path, limit) as img:
            fmt = img.format
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                    img.load()
                    oriented = ImageOps.exif_transpose(img)
                return _to_array(oriented)
            except Image.DecompressionBombError as exc:
                raise bomb_failure(path, exc, limit) from None
            except PermissionError:
                raise ReadFailure("permission denied: cannot read the file") from None
            except DECODE_ERRORS as exc:
                raise ReadFailure(corrupt_reason(fmt, exc)) from None
    except ReadFailure as failure:
        raise ImageReadError(f"{path.name}: {failure.reason}") from None
