"""The shape kinds beyond boxes, polygons, masks and keypoints: rotated boxes, polylines,
points, ellipses and image tags, with their JSON, bounds, moves, hit tests and conversions.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from limner.models.domain.entities import Annotation
from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Keypoints,
    Mask,
    Point,
    Polygon,
    Polyline,
    Tag,
    TagSpec,
    bounds,
    box_to_polygon,
    clip_box,
    ellipse_to_polygon,
    geometry_from_json,
    geometry_to_json,
    has_extent,
    polygon_to_box,
    polyline_to_polygon,
    rotate,
    translate,
)
from limner.models.domain.hit import hits, topmost_at
from limner.models.domain.spatial import BoxIndex
from limner.models.errors import GeometryError


def _close(a: tuple[float, ...], b: tuple[float, ...], tol: float = 1e-9) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def _round_trip(g: object) -> object:
    return geometry_from_json(json.loads(json.dumps(geometry_to_json(g))))  # type: ignore[arg-type]


# -- rotated boxes -----------------------------------------------------------------------
def test_an_axis_aligned_box_keeps_the_json_every_earlier_version_wrote() -> None:
    old = {"kind": "box", "x0": 10, "y0": 20, "x1": 110, "y1": 220}
    box = geometry_from_json(old)
    assert box == Box(10, 20, 110, 220) and box.angle == 0.0 and not box.rotated
    assert geometry_to_json(box) == {
        "kind": "box",
        "x0": 10.0,
        "y0": 20.0,
        "x1": 110.0,
        "y1": 220.0,
    }


def test_a_rotated_box_stores_its_angle_in_one_canonical_form() -> None:
    assert Box(0, 0, 4, 2, -30).angle == 330.0
    assert Box(0, 0, 4, 2, 360) == Box(0, 0, 4, 2)
    assert Box(0, 0, 4, 2, 725).angle == 5.0
    assert math.copysign(1.0, Box(0, 0, 4, 2, -0.0).angle) == 1.0
    turned = Box(0, 0, 4, 2, 30)
    assert geometry_to_json(turned)["angle"] == 30.0
    assert _round_trip(turned) == turned
    for bad in (float("nan"), "30", True):
        with pytest.raises(GeometryError, match="box angle"):
            Box(0, 0, 4, 2, bad)  # type: ignore[arg-type]


def test_rotated_box_corners_bounds_and_hits() -> None:
    box = Box(0, 0, 4, 2, 90)  # centre (2, 1): on screen it stands upright, 2 wide, 4 high
    corners = box.corners()
    assert _close(corners[0], (3.0, -1.0)) and _close(corners[2], (1.0, 3.0))
    assert _close(bounds(box), (1.0, -1.0, 3.0, 3.0))
    assert hits(box, 2.0, 2.8) and not hits(box, 3.8, 1.0)
    tilted = Box(0, 0, 10, 10, 45)
    # Inside the axis-aligned bounds but outside the turned square: no hit.
    assert not hits(tilted, -1.5, -1.5) and hits(tilted, 5.0, -1.5)


def test_moving_and_turning_a_box_keep_its_size() -> None:
    moved = translate(Box(0, 0, 4, 2, 30), 1, 2)
    assert moved == Box(1, 2, 5, 4, 30)
    turned = rotate(Box(0, 0, 4, 2), 90, 2, 1)
    assert isinstance(turned, Box)
    assert _close((turned.x0, turned.y0, turned.x1, turned.y1, turned.angle), (0, 0, 4, 2, 90))
    about_origin = rotate(Box(0, 0, 4, 2), 90, 0, 0)
    assert isinstance(about_origin, Box) and _close(about_origin.centre, (-1.0, 2.0))


def test_box_and_polygon_convert_both_ways() -> None:
    box = Box(10, 20, 50, 30, 30)
    polygon = box_to_polygon(box)
    assert len(polygon.parts[0].outer) == 4 and math.isclose(polygon.area, box.area)
    back = polygon_to_box(polygon)
    assert math.isclose(back.angle, 30.0, abs_tol=1e-9)
    assert _close((back.x0, back.y0, back.x1, back.y1), (10, 20, 50, 30), 1e-9)
    square = polygon_to_box(Polygon.from_points([(0, 0), (10, 0), (10, 4), (0, 4)]))
    assert square == Box(0, 0, 10, 4)


def test_polygon_to_box_is_the_smallest_rotated_box() -> None:
    diamond = Polygon.from_points([(0, 1), (1, 0), (2, 1), (1, 2)])
    box = polygon_to_box(diamond)
    assert math.isclose(box.angle, 45.0) and math.isclose(box.area, 2.0)
    assert _close(box.centre, (1.0, 1.0))
    # A right triangle fits a 4 x 3 axis-aligned box and an equally large turned one:
    # the tie goes to the axis-aligned box.
    assert polygon_to_box(Polygon.from_points([(0, 0), (4, 0), (0, 3)])) == Box(0, 0, 4, 3)


def test_clipping_a_rotated_box_keeps_it_whole_or_drops_it() -> None:
    box = Box(-5, -5, 5, 5, 30)
    assert clip_box(box, 100, 100) is box
    assert clip_box(Box(200, 200, 210, 210, 30), 100, 100) is None
    assert clip_box(Box(-5, -5, 5, 5), 100, 100) == Box(0, 0, 5, 5)


# -- polylines ---------------------------------------------------------------------------
def test_polyline_validation_and_json() -> None:
    line = Polyline(((0, 0), (3, 4), (3, 4), (6, 0)))
    assert line.points == ((0.0, 0.0), (3.0, 4.0), (6.0, 0.0))  # the repeat is dropped
    assert line.length == 10.0
    assert geometry_to_json(line) == {"kind": "polyline", "points": [[0, 0], [3, 4], [6, 0]]}
    assert _round_trip(line) == line
    for bad in ([(1, 1)], [(1, 1), (1, 1)], [(0, 0), (float("inf"), 1)], "abc"):
        with pytest.raises(GeometryError):
            Polyline(bad)  # type: ignore[arg-type]
    with pytest.raises(GeometryError, match="polyline"):
        geometry_from_json({"kind": "polyline"})


def test_polyline_bounds_moves_and_is_hit_along_its_segments() -> None:
    line = Polyline(((0, 0), (10, 0), (10, 10)))
    assert bounds(line) == (0.0, 0.0, 10.0, 10.0)
    assert translate(line, 1, 1) == Polyline(((1, 1), (11, 1), (11, 11)))
    assert hits(line, 5, 0.5) and hits(line, 10.4, 6)
    assert not hits(line, 3, 3), "an open line does not fill the corner it turns"
    assert not hits(line, 5, 3, tol=2) and hits(line, 5, 1.8, tol=2)


def test_closing_a_polyline_gives_a_polygon_and_a_straight_one_cannot_close() -> None:
    polygon = polyline_to_polygon(Polyline(((0, 0), (4, 0), (4, 3))))
    assert polygon == Polygon.from_points([(0, 0), (4, 0), (4, 3)]) and polygon.area == 6.0
    with pytest.raises(GeometryError, match="cannot be closed"):
        polyline_to_polygon(Polyline(((0, 0), (1, 1), (2, 2))))


# -- points ------------------------------------------------------------------------------
def test_point_json_bounds_moves_and_hits() -> None:
    point = Point(3, 4)
    assert geometry_to_json(point) == {"kind": "point", "x": 3.0, "y": 4.0}
    assert _round_trip(point) == point
    assert bounds(point) == (3.0, 4.0, 3.0, 4.0)
    assert translate(point, -3, -4) == Point(0, 0)
    rotated = rotate(point, 180, 0, 0)
    assert isinstance(rotated, Point) and _close((rotated.x, rotated.y), (-3.0, -4.0))
    assert hits(point, 3.5, 4.5) and not hits(point, 5, 4)
    assert hits(point, 5, 4, tol=2.5)
    with pytest.raises(GeometryError, match="point x"):
        Point(float("nan"), 0)


# -- ellipses ----------------------------------------------------------------------------
def test_ellipse_validation_json_and_bounds() -> None:
    ellipse = Ellipse(10, 20, 6, 2, -90)
    assert ellipse.angle == 270.0
    assert _round_trip(ellipse) == ellipse
    assert geometry_to_json(Ellipse(1, 2, 3, 4)) == {
        "kind": "ellipse",
        "cx": 1.0,
        "cy": 2.0,
        "rx": 3.0,
        "ry": 4.0,
        "angle": 0.0,
    }
    assert _close(bounds(ellipse), (8.0, 14.0, 12.0, 26.0))
    assert _close(bounds(Ellipse(0, 0, 6, 2)), (-6.0, -2.0, 6.0, 2.0))
    for rx, ry in ((0, 1), (1, -1)):
        with pytest.raises(GeometryError, match="radii"):
            Ellipse(0, 0, rx, ry)


def test_ellipse_hits_inside_and_near_its_outline() -> None:
    ellipse = Ellipse(0, 0, 10, 2, 90)  # upright: 4 wide, 20 high
    assert hits(ellipse, 0, 9) and hits(ellipse, 1.5, 0)
    assert not hits(ellipse, 5, 0) and not hits(ellipse, 1.9, 8)
    assert hits(ellipse, 3, 0, tol=1.5)
    moved = translate(ellipse, 5, 5)
    assert isinstance(moved, Ellipse) and (moved.cx, moved.cy, moved.angle) == (5, 5, 90)


def test_an_ellipse_becomes_a_polygon_with_the_vertices_asked_for() -> None:
    ellipse = Ellipse(50, 40, 20, 10, 30)
    polygon = ellipse_to_polygon(ellipse, 12)
    ring = polygon.parts[0].outer
    assert len(ring) == 12
    turn = math.radians(30)
    for x, y in ring:
        dx, dy = x - 50, y - 40
        u, v = dx * math.cos(turn) + dy * math.sin(turn), -dx * math.sin(turn) + dy * math.cos(turn)
        assert math.isclose((u / 20) ** 2 + (v / 10) ** 2, 1.0)
    assert math.isclose(ellipse_to_polygon(ellipse, 512).area, ellipse.area, rel_tol=1e-3)
    for bad in (2, 0, 3.5, True):
        with pytest.raises(GeometryError, match="at least 3 vertices"):
            ellipse_to_polygon(ellipse, bad)  # type: ignore[arg-type]


# -- tags --------------------------------------------------------------------------------
def test_tag_values_and_their_json() -> None:
    assert Tag(["rain", "fog"]).value == ("rain", "fog")
    assert _round_trip(Tag(("rain", "fog"))) == Tag(("rain", "fog"))
    assert _round_trip(Tag("a caption")) == Tag("a caption")
    assert _round_trip(Tag(4)) == Tag(4) and isinstance(Tag(4).value, int)
    assert geometry_to_json(Tag(2.5)) == {"kind": "tag", "value": 2.5}
    for bad in (True, [], ["a", "a"], [1], float("nan"), {"a": 1}, None):
        with pytest.raises(GeometryError):
            Tag(bad)  # type: ignore[arg-type]


def test_a_tag_has_no_place() -> None:
    tag = Tag("sunny")
    assert not has_extent(tag) and has_extent(Point(0, 0))
    with pytest.raises(GeometryError, match="no bounds"):
        bounds(tag)
    assert translate(tag, 5, 5) is tag and rotate(tag, 90, 0, 0) is tag
    assert not hits(tag, 0, 0, tol=1000)
    shapes = [
        Annotation(1, "t", 1, None, tag, z=9),
        Annotation(2, "b", 1, None, Box(0, 0, 10, 10)),
    ]
    index = BoxIndex(shapes)
    assert [a.uuid for a in index.items] == ["b"] and [a.uuid for a in index.at(5, 5)] == ["b"]
    assert topmost_at(shapes, 5, 5, 1.0) is shapes[1]


def test_tag_specs_check_answers() -> None:
    single = TagSpec("single", ("sunny", "rainy"))
    assert single.check(Tag("rainy")) == Tag("rainy")
    with pytest.raises(GeometryError, match="not one of"):
        single.check(Tag("snowy"))
    multiple = TagSpec("multiple", ("a", "b", "c"))
    assert multiple.check(Tag(("c", "a"))) == Tag(("a", "c")), "kept in option order"
    assert multiple.check(Tag("b")) == Tag(("b",))
    with pytest.raises(GeometryError, match="not among"):
        multiple.check(Tag(("a", "z")))
    assert TagSpec("text").check(Tag("anything")) == Tag("anything")
    with pytest.raises(GeometryError, match="holds text"):
        TagSpec("text").check(Tag(3))
    rating = TagSpec("number", minimum=1, maximum=5)
    assert rating.check(Tag(5)) == Tag(5)
    for bad in (Tag(0), Tag(5.5), Tag("5")):
        with pytest.raises(GeometryError):
            rating.check(bad)
    assert TagSpec.from_json(json.loads(json.dumps(rating.to_json()))) == rating
    assert TagSpec.from_json(single.to_json()) == single


def test_tag_specs_refuse_what_cannot_be_asked() -> None:
    for args in (
        ("color",),
        ("single",),
        ("multiple", ("a", "a")),
        ("text", ("a",)),
        ("single", ("a",), 1),
        ("number", (), 5, 1),
    ):
        with pytest.raises(GeometryError):
            TagSpec(*args)  # type: ignore[arg-type]
    with pytest.raises(GeometryError, match="missing 'mode'"):
        TagSpec.from_json({"options": []})


# -- the other kinds still turn and move as before ---------------------------------------
def test_turning_points_polygons_and_keypoints_and_refusing_masks() -> None:
    polygon = rotate(Polygon.from_points([(1, 0), (2, 0), (2, 1)]), 90, 0, 0)
    assert isinstance(polygon, Polygon)
    assert all(
        _close(p, q) for p, q in zip(polygon.parts[0].outer, ((0, 1), (0, 2), (-1, 2)), strict=True)
    )
    keypoints = rotate(Keypoints(((1, 0, 2), (0, 0, 0))), 90, 0, 0)
    assert isinstance(keypoints, Keypoints)
    assert _close(keypoints.points[0][:2], (0.0, 1.0)) and keypoints.points[1] == (0.0, 0.0, 0)
    mask = Mask.from_array(np.ones((2, 2), bool))
    with pytest.raises(GeometryError, match="cannot be turned"):
        rotate(mask, 90, 0, 0)
