"""Window and level: which raw values show as black and which as white.

Scientific and medical images use a small part of their 16-bit or floating-point range,
so showing them takes a choice of range. A :class:`WindowLevel` maps that range linearly
onto 8 bits; :func:`estimate_window` picks a default from percentiles, so that a few hot
pixels or a saturated border cannot squeeze the picture into a handful of grey levels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True, slots=True)
class WindowLevel:
    """Linear mapping of raw values to display grey levels: ``low`` -> 0, ``high`` -> 255.

    Scientific and medical images use a small part of their 16-bit or floating-point
    range; showing them needs a choice of which range becomes black to white. Values
    outside the window are clipped; NaN shows as black.
    """

    low: float
    high: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError(f"window bounds must be finite, got {self.low}, {self.high}")
        if self.high <= self.low:
            raise ValueError(f"window high ({self.high}) must be above low ({self.low})")

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Map an array of any numeric type to uint8 of the same shape."""
        if values.dtype in (np.dtype(np.uint8), np.dtype(np.uint16)):
            # A lookup table is exact and several times faster than float arithmetic.
            lut = _window_lut(self.low, self.high, 256 if values.dtype == np.uint8 else 65536)
            return lut[values]
        data = values.astype(np.float64)
        scaled = (data - self.low) * 255.0 / (self.high - self.low) + 0.5
        np.nan_to_num(scaled, copy=False, nan=0.0, posinf=255.0, neginf=0.0)
        np.clip(scaled, 0.0, 255.0, out=scaled)
        return scaled.astype(np.uint8)  # truncating after +0.5: rounds halves up


@lru_cache(maxsize=8)
def _window_lut(low: float, high: float, size: int) -> np.ndarray:
    levels = (np.arange(size, dtype=np.float64) - low) * 255.0 / (high - low) + 0.5
    lut = np.clip(levels, 0, 255).astype(np.uint8)  # same rounding as the float path
    lut.setflags(write=False)
    return lut


def estimate_window(
    values: np.ndarray, low_pct: float = 0.5, high_pct: float = 99.5
) -> WindowLevel:
    """A window from percentiles of ``values``, ignoring NaN and infinities.

    Percentiles rather than the minimum and maximum, because a few hot pixels or a
    saturated border would otherwise squeeze the interesting range into a few grey
    levels. A constant image gets a window one unit wide, so it shows as black rather
    than failing.
    """
    data = values[np.isfinite(values)] if values.dtype.kind == "f" else values.ravel()
    if data.size == 0:
        return WindowLevel(0.0, 1.0)
    low, high = (float(v) for v in np.percentile(data, [low_pct, high_pct]))
    if high <= low:
        high = low + 1.0
    return WindowLevel(low, high)
