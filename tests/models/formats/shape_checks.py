"""Comparing shapes after a round trip: geometry to 1e-6 px, masks pixel for pixel.

A format test writes limner shapes out and reads them back; these checks say whether what
came back is the same annotation: the same kind and class, the same attributes (a boolean
only equal to a boolean), the same geometry (coordinates within a millionth of a pixel,
angles modulo a full turn, masks exactly), and the same grouping (which shapes share a
group, whatever the groups are called).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from limner.models.domain.geometry import geometry_to_json
from limner.models.formats._xml import same_value
from limner.models.formats.base import ImageLabels, Shape

TOLERANCE = 1e-6


def _close(a: Any, b: Any, key: str = "") -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        if key == "angle":
            turn = (float(a) - float(b)) % 360.0
            return min(turn, 360.0 - turn) <= TOLERANCE
        return math.isclose(float(a), float(b), rel_tol=0.0, abs_tol=TOLERANCE)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_close(a[k], b[k], str(k)) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _plain(shape: Shape) -> dict[str, Any]:
    data = geometry_to_json(shape.geometry)
    if data.get("kind") == "box":
        data.setdefault("angle", 0.0)
    return data


def same_geometry(a: Shape, b: Shape) -> bool:
    return _close(_plain(a), _plain(b))


def _partition(shapes: Sequence[Shape]) -> list[int | None]:
    """For each shape, the index of the first shape of its group (None if ungrouped)."""
    first: dict[str, int] = {}
    out: list[int | None] = []
    for index, shape in enumerate(shapes):
        if shape.group is None:
            out.append(None)
        else:
            out.append(first.setdefault(shape.group, index))
    return out


def assert_same_shapes(
    expected: Sequence[Shape], actual: Sequence[Shape], *, groups: bool = True
) -> None:
    assert len(actual) == len(expected), (
        f"{len(actual)} shapes came back for {len(expected)}: "
        f"{[s.kind for s in actual]} vs {[s.kind for s in expected]}"
    )
    for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
        where = f"shape {index} ({want.kind} of {want.class_name!r})"
        assert got.kind == want.kind, f"{where}: came back as a {got.kind}"
        assert got.class_name == want.class_name, f"{where}: class {got.class_name!r}"
        assert same_geometry(want, got), f"{where}: {_plain(got)} != {_plain(want)}"
        assert same_value(dict(got.attributes), dict(want.attributes)), (
            f"{where}: attributes {dict(got.attributes)} != {dict(want.attributes)}"
        )
    if groups:
        assert _partition(actual) == _partition(expected), "the shapes are grouped differently"


def assert_same_images(
    expected: Sequence[ImageLabels], actual: Sequence[ImageLabels], *, ordered: bool = True
) -> None:
    """The same images with the same shapes; ``ordered=False`` for formats that keep one
    file per image, whose images come back in the order of their file names."""
    if not ordered:
        expected = sorted(expected, key=lambda image: image.name)
        actual = sorted(actual, key=lambda image: image.name)
    assert [image.name for image in actual] == [image.name for image in expected]
    for want, got in zip(expected, actual, strict=True):
        assert (got.width, got.height) == (want.width, want.height), want.name
        assert_same_shapes(want.shapes, got.shapes)
