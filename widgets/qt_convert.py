"""Conversions between numpy/Python values and Qt values, in one place."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage


def qimage_from_array(array: np.ndarray) -> QImage:
    """A deep-copied QImage from an (H, W, 3|4) uint8 array or an (H, W) gray array."""
    array = np.ascontiguousarray(array)
    if array.ndim == 2:
        h, w = array.shape
        image = QImage(array.data, w, h, array.strides[0], QImage.Format.Format_Grayscale8)
    elif array.shape[2] == 3:
        h, w, _ = array.shape
        image = QImage(array.data, w, h, array.strides[0], QImage.Format.Format_RGB888)
    elif array.shape[2] == 4:
        h, w, _ = array.shape
        image = QImage(array.data, w, h, array.strides[0], QImage.Format.Format_RGBA8888)
    else:
        raise ValueError(f"cannot show an image with shape {array.shape}")
    return image.copy()


def mask_qimage(crop: np.ndarray, color: QColor, alpha: int) -> QImage:
    """An ARGB overlay of a boolean crop: ``color`` at ``alpha`` where True, clear elsewhere."""
    h, w = crop.shape
    rgba = np.zeros((h, w, 4), dtype=np.uint8)
    rgba[crop] = (color.red(), color.green(), color.blue(), alpha)
    return qimage_from_array(rgba)
