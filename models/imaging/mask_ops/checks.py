"""The check the mask operations run on the numbers they are given.

Painting, simplifying and the wand take numbers straight from pointer events and settings;
NaN or an infinity there would fail deep inside numpy or OpenCV with a message nobody can
act on, so they are refused up front, with a message naming the value.
"""

from __future__ import annotations

import math

from limner.models.errors import GeometryError


def finite_float(value: float, what: str) -> float:
    """``value`` as a float, or a :class:`GeometryError` naming ``what`` if it is not finite."""
    number = float(value)
    if not math.isfinite(number):
        raise GeometryError(f"{what} is not a finite number ({number})")
    return number
