"""The canvas's box table and the one-vertex polygon rebuild a vertex drag relies on."""

from __future__ import annotations

import math

import pytest

from limner.models.domain.geometry import Polygon
from limner.models.domain.geometry.polygon import PolygonPart
from limner.models.domain.spatial import BoxTable
from limner.models.errors import GeometryError


def test_box_table_finds_what_meets_a_rectangle_in_first_set_order() -> None:
    table = BoxTable()
    for i in range(2000):
        table.set(f"k{i}", (i * 10.0, 0.0, i * 10.0 + 5.0, 5.0))
    assert table.overlapping(0, 0, 12, 1) == ["k0", "k1"]
    table.set("k0", (5000.0, 0.0, 5001.0, 1.0))  # moved: keeps its place in the order
    assert table.overlapping(0, 0, 12, 1) == ["k1"]
    assert table.overlapping(4995, 0, 5009, 1) == ["k0", "k499", "k500"]
    for i in range(1, 1500):
        table.remove(f"k{i}")  # compacts along the way
    assert len(table) == 501
    assert table.overlapping(4995, 0, 5009, 1) == ["k0"]
    assert table.get("k3") is None and table.get("k1999") == (19990.0, 0.0, 19995.0, 5.0)
    table.set("k7", None)
    assert "k7" not in table


def _ring(n: int) -> tuple[tuple[float, float], ...]:
    return tuple(
        (100 + 50 * math.cos(2 * math.pi * i / n), 100 + 50 * math.sin(2 * math.pi * i / n))
        for i in range(n)
    )


def test_with_vertex_equals_a_full_rebuild() -> None:
    part = PolygonPart(_ring(1000))
    moved = part.with_vertex(0, 10, 3.0, 4.0)
    ring = list(part.outer)
    ring[10] = (3.0, 4.0)
    assert moved == PolygonPart(tuple(ring))
    assert Polygon((moved,)).area > 0


def test_with_vertex_refuses_what_the_constructor_refuses() -> None:
    part = PolygonPart(((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (5.0, 12.0)))
    with pytest.raises(GeometryError):
        part.with_vertex(0, 0, float("nan"), 0.0)
    line = PolygonPart(((0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (3.0, 0.0), (4.0, 1.0)))
    with pytest.raises(GeometryError):
        line.with_vertex(0, 4, 4.0, 0.0)  # every point on one line: no area
