"""Comparing shapes read back from a file with the ones written: numbers to 1e-6 px.

Formats store coordinates as decimal text, so a round trip may move a coordinate by an
ulp; masks are pixels and must come back equal. The helpers compare field by field and
say which field differs, so a failing round trip names what it lost.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from limner.models.domain.geometry import Mask

TOLERANCE = 1e-6


def _close(a: Any, b: Any, where: str) -> None:
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        assert math.isclose(a, b, rel_tol=0, abs_tol=TOLERANCE), f"{where}: {a!r} != {b!r}"
    elif isinstance(a, tuple | list) and isinstance(b, tuple | list):
        assert len(a) == len(b), f"{where}: {len(a)} items != {len(b)} items"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{index}]")
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
        for f in dataclasses.fields(a):
            _close(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def assert_same_geometry(a: Any, b: Any, where: str = "shape") -> None:
    """Same kind, coordinates within 1e-6 px, masks pixel for pixel."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, Mask):
        assert a == b, f"{where}: masks differ"
        return
    _close(a, b, where)


def assert_same_shapes(written: Sequence[Any], read: Sequence[Any]) -> None:
    """Shapes in the same order with the same geometry, class and attributes."""
    assert len(written) == len(read), f"{len(written)} shapes written, {len(read)} read"
    for index, (w, r) in enumerate(zip(written, read, strict=True)):
        assert_same_geometry(w.geometry, r.geometry, f"shape {index}")
        assert w.class_name == r.class_name, f"shape {index}: class"
        assert dict(w.attributes) == dict(r.attributes), f"shape {index}: attributes"
