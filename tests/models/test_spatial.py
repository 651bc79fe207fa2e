"""The spatial index finds exactly the shapes whose boxes contain a point."""

from __future__ import annotations

import numpy as np

from limner.models.domain.entities import Annotation
from limner.models.domain.geometry import Box
from limner.models.domain.hit import topmost_at
from limner.models.domain.spatial import BoxIndex


def boxes(n: int, seed: int = 0) -> list[Annotation]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        x, y = rng.uniform(0, 1000, 2)
        w, h = rng.uniform(1, 50, 2)
        out.append(Annotation(i + 1, f"u{i}", 1, None, Box(x, y, x + w, y + h), z=i))
    return out


def test_point_queries_match_a_full_scan() -> None:
    shapes = boxes(3000)
    index = BoxIndex(shapes)
    rng = np.random.default_rng(1)
    for x, y in rng.uniform(0, 1000, (200, 2)):
        expected = {
            a.uuid
            for a in shapes
            if a.geometry.x0 - 2 <= x <= a.geometry.x1 + 2
            and a.geometry.y0 - 2 <= y <= a.geometry.y1 + 2
        }
        assert {a.uuid for a in index.at(x, y, 2.0)} == expected
        assert topmost_at(index.at(x, y, 2.0), x, y, 2.0) == topmost_at(shapes, x, y, 2.0)


def test_band_and_lookup() -> None:
    shapes = boxes(500)
    index = BoxIndex(shapes)
    band = Box(100, 100, 400, 400)
    expected = {
        a.uuid
        for a in shapes
        if band.x0 <= a.geometry.x0
        and band.y0 <= a.geometry.y0
        and a.geometry.x1 <= band.x1
        and a.geometry.y1 <= band.y1
    }
    assert {a.uuid for a in index.inside(band)} == expected
    assert index.get("u7") is shapes[7]
    assert BoxIndex([]).at(1, 1) == []


def test_replaced_rows_answer_like_a_fresh_build() -> None:
    from dataclasses import replace

    shapes = boxes(400)
    index = BoxIndex(shapes)
    moved = [replace(a, geometry=Box(a.geometry.x0 + 300, a.geometry.y0, a.geometry.x1 + 300,
                                     a.geometry.y1)) for a in shapes[10:20]]  # fmt: skip
    patched = index.replaced(moved)
    assert patched is not None
    after = shapes[:10] + moved + shapes[20:]
    fresh = BoxIndex(after)
    assert patched.items == fresh.items
    assert np.array_equal(patched._boxes, fresh._boxes)
    assert patched.get("u12") == moved[2] and index.get("u12") == shapes[12]  # a copy
    for x, y in np.random.default_rng(2).uniform(0, 1300, (100, 2)):
        assert patched.at(x, y, 1.0) == fresh.at(x, y, 1.0)
    stranger = Annotation(9999, "nobody", 1, None, Box(0, 0, 5, 5), z=9999)
    assert index.replaced([stranger]) is None  # not here: the caller builds again
