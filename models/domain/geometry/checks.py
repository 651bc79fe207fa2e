"""The scalar checks every shape runs on its coordinates and sizes.

A shape refuses bad input where it is built, so the messages have to name the field that
was wrong ("box x0", "mask left", "keypoint 3 y"): each check takes that name and raises
a :class:`GeometryError` carrying it. They live apart from the shapes so that the box, the
polygon, the mask and the keypoints judge a number by the same rules.
"""

from __future__ import annotations

import math
import numbers

from limner.models.errors import GeometryError


def as_number(value: object, what: str) -> float:
    """Return ``value`` as a float, refusing non-numbers with a message naming ``what``.

    Booleans are refused although Python treats them as integers: a ``True`` coordinate
    is always a bug upstream (usually a mixed-up field) and storing it as 1.0 hides it.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise GeometryError(f"{what} must be a number, got {value!r}")
    return float(value)


def as_finite(value: object, what: str) -> float:
    """Return ``value`` as a finite float; NaN and infinities cannot be drawn or exported."""
    number = as_number(value, what)
    if not math.isfinite(number):
        raise GeometryError(f"{what} is not a finite number ({number})")
    return number


def as_whole(value: object, what: str) -> int:
    """Return ``value`` as an int, accepting integral floats such as ``3.0``.

    Some JSON writers emit every number as a float; a whole-valued float is unambiguous,
    whereas ``3.5`` pixels for a mask offset is not and is refused.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise GeometryError(f"{what} must be a whole number, got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    number = float(value)
    if not number.is_integer():
        raise GeometryError(f"{what} must be a whole number, got {number}")
    return int(number)


def fmt(value: float) -> str:
    """Format a coordinate for messages: ``12.0`` rather than ``12.000000000000002``."""
    return f"{value:.6g}" if not float(value).is_integer() else f"{float(value):.1f}"
