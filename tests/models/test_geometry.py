"""Tests of models.domain.geometry: validation, JSON round trips and COCO-compatible RLE.

The RLE code is checked against pycocotools itself, so a mask limner writes is a mask
every COCO tool reads back pixel for pixel.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from pycocotools import mask as mask_util

from limner.models.domain.geometry import (
    Box,
    Geometry,
    Keypoints,
    Mask,
    Polygon,
    PolygonPart,
    Skeleton,
    bounds,
    clip_box,
    geometry_from_json,
    geometry_to_json,
    polygon_area,
    rle_decode,
    rle_encode,
    rle_from_coco_string,
    rle_to_coco_string,
    translate,
)
from limner.models.errors import GeometryError

# pycocotools' decoder trips a numpy 2 deprecation inside its own code; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def coco_string(m: np.ndarray) -> str:
    """What pycocotools stores for ``m``: the reference our encoder must reproduce."""
    return mask_util.encode(np.asfortranarray(m.astype(np.uint8)))["counts"].decode()


def coco_decode(s: str, height: int, width: int) -> np.ndarray:
    rle = {"size": [height, width], "counts": s.encode()}
    return mask_util.decode(rle).astype(bool)


def random_masks(seed: int, count: int, max_side: int) -> list[np.ndarray]:
    """Masks of varied shape and density, plus blobs so that long runs occur too."""
    rng = np.random.default_rng(seed)
    masks: list[np.ndarray] = []
    for _ in range(count):
        height, width = (int(v) for v in rng.integers(1, max_side + 1, size=2))
        if rng.random() < 0.5:
            m = rng.random((height, width)) < rng.random()
        else:
            m = np.zeros((height, width), dtype=bool)
            for _ in range(int(rng.integers(1, 5))):
                r0, c0 = int(rng.integers(0, height)), int(rng.integers(0, width))
                r1 = int(rng.integers(r0, height)) + 1
                c1 = int(rng.integers(c0, width)) + 1
                m[r0:r1, c0:c1] = ~m[r0:r1, c0:c1]
        masks.append(m)
    return masks


def special_masks() -> list[np.ndarray]:
    single = np.zeros((7, 5), dtype=bool)
    single[3, 2] = True
    first = np.zeros((4, 6), dtype=bool)
    first[0, 0] = True
    last = np.zeros((4, 6), dtype=bool)
    last[-1, -1] = True
    checker = (np.indices((9, 13)).sum(axis=0) % 2).astype(bool)
    return [
        np.ones((1, 1), dtype=bool),
        np.zeros((1, 1), dtype=bool),
        np.ones((5, 8), dtype=bool),
        np.zeros((5, 8), dtype=bool),
        single,
        first,
        last,
        checker,
        ~checker,
        np.ones((1, 300), dtype=bool),
        (np.arange(300) % 3 == 0).reshape(300, 1),
        np.tril(np.ones((300, 280), dtype=bool)),
    ]


# ---------------------------------------------------------------------------------------
# RLE against pycocotools
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "count", "max_side"), [(0, 300, 24), (1, 60, 400)])
def test_rle_matches_pycocotools_on_random_masks(seed: int, count: int, max_side: int) -> None:
    for m in random_masks(seed, count, max_side):
        counts = rle_encode(m)
        s = rle_to_coco_string(counts)
        assert s == coco_string(m), m.shape
        assert rle_from_coco_string(s) == counts
        assert np.array_equal(rle_decode(counts, *m.shape), m)
        assert np.array_equal(coco_decode(s, *m.shape), m)


def test_rle_matches_pycocotools_on_special_masks() -> None:
    for m in special_masks():
        counts = rle_encode(m)
        assert sum(counts) == m.size
        assert rle_to_coco_string(counts) == coco_string(m), m.shape
        decoded = rle_decode(rle_from_coco_string(coco_string(m)), *m.shape)
        assert np.array_equal(decoded, m), m.shape


def test_rle_counts_are_column_major_and_start_with_zeros() -> None:
    m = np.array([[1, 0, 0], [1, 1, 0]], dtype=bool)
    # Column-major walk: 1 1 | 0 1 | 0 0 -> zeros run of 0 first.
    assert rle_encode(m) == [0, 2, 1, 1, 2]
    assert rle_encode(~m) == [2, 1, 1, 2]


def test_rle_decode_returns_c_contiguous_bool() -> None:
    m = random_masks(3, 1, 600)[0]
    decoded = rle_decode(rle_encode(m), *m.shape)
    assert decoded.dtype == np.bool_
    assert decoded.flags.c_contiguous
    assert np.array_equal(decoded, m)


def test_noisy_large_mask_uses_both_encoder_paths_consistently() -> None:
    rng = np.random.default_rng(7)
    noisy = rng.random((500, 700)) < 0.5
    sparse = np.zeros((500, 700), dtype=bool)
    sparse[40:300, 100:650] = True
    for m in (noisy, sparse):
        expected = mask_util.encode(np.asfortranarray(m.astype(np.uint8)))["counts"].decode()
        assert rle_to_coco_string(rle_encode(m)) == expected
        assert np.array_equal(rle_decode(rle_encode(m), *m.shape), m)


def test_rle_decode_refuses_counts_that_do_not_fill_the_mask() -> None:
    with pytest.raises(GeometryError, match="sum to 5 but a 2x3 mask has 6 pixels"):
        rle_decode([2, 3], 3, 2)


def test_rle_decode_accepts_zero_length_runs() -> None:
    # [2, 0, 1, 3] is [3, 3]: the empty ones-run merges the two zero runs.
    assert np.array_equal(rle_decode([2, 0, 1, 3], 3, 2), rle_decode([3, 3], 3, 2))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("a b", "invalid character ' '"),
        ("0p", "invalid character 'p'"),
        ("1P", "truncated"),
        ("é", "non-ASCII"),
    ],
)
def test_rle_from_coco_string_refuses_garbage(text: str, problem: str) -> None:
    with pytest.raises(GeometryError, match=problem):
        rle_from_coco_string(text)


def test_rle_from_coco_string_refuses_negative_runs() -> None:
    # Values 5, 1, 1 and then "M", a delta of -3 on counts[1] = 1: a run of -2 pixels.
    assert rle_from_coco_string("5113") == [5, 1, 1, 4]
    with pytest.raises(GeometryError, match="negative"):
        rle_from_coco_string("511M")


# ---------------------------------------------------------------------------------------
# Box
# ---------------------------------------------------------------------------------------


def test_box_properties_and_from_corners() -> None:
    box = Box.from_corners(12, 9, 3, 1)
    assert box == Box(3.0, 1.0, 12.0, 9.0)
    assert (box.width, box.height) == (9.0, 8.0)
    assert isinstance(box.x0, float)
    assert Box.kind == "box"


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ((12.0, 0.0, 3.0, 5.0), r"x0 >= x1 \(12\.0 >= 3\.0\)"),
        ((0.0, 5.0, 3.0, 5.0), r"y0 >= y1 \(5\.0 >= 5\.0\)"),
        ((math.nan, 0.0, 3.0, 5.0), "box x0 is not a finite number"),
        ((0.0, 0.0, math.inf, 5.0), "box x1 is not a finite number"),
        ((0.0, "1", 3.0, 5.0), "box y0 must be a number"),
        ((0.0, 1.0, True, 5.0), "box x1 must be a number"),
    ],
)
def test_box_refuses_invalid_input(args: tuple[Any, ...], problem: str) -> None:
    with pytest.raises(GeometryError, match=problem):
        Box(*args)


def test_box_from_corners_refuses_zero_width() -> None:
    with pytest.raises(GeometryError, match="zero width"):
        Box.from_corners(4, 1, 4, 9)
    with pytest.raises(GeometryError, match="zero height"):
        Box.from_corners(1, 4, 9, 4)


# ---------------------------------------------------------------------------------------
# Polygon
# ---------------------------------------------------------------------------------------

SQUARE = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))
HOLE = ((2.0, 2.0), (4.0, 2.0), (4.0, 4.0), (2.0, 4.0))


def test_polygon_normalizes_to_open_float_tuples() -> None:
    closed = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    polygon = Polygon.from_points(closed)
    assert polygon.parts[0].outer == SQUARE
    assert all(isinstance(v, float) for point in polygon.parts[0].outer for v in point)
    assert polygon == Polygon((PolygonPart(SQUARE),))
    assert hash(polygon) == hash(Polygon((PolygonPart(SQUARE),)))
    assert polygon.area == 100.0


def test_polygon_with_hole_round_trips_through_json_text() -> None:
    polygon = Polygon((PolygonPart(SQUARE, (HOLE,)), PolygonPart(((20, 20), (25, 20), (20, 27)))))
    data = json.loads(json.dumps(geometry_to_json(polygon)))
    assert data["parts"][0]["holes"][0][0] == [2.0, 2.0]
    restored = geometry_from_json(data)
    assert restored == polygon
    assert restored.parts[0].holes == (HOLE,)
    assert polygon.area == pytest.approx(100.0 - 4.0 + 17.5)


def test_polygon_area_helper() -> None:
    assert polygon_area(SQUARE) == 100.0
    assert polygon_area([*SQUARE, SQUARE[0]]) == 100.0
    assert polygon_area(list(reversed(SQUARE))) == 100.0
    assert polygon_area([(0, 0), (4, 0), (0, 3)]) == 6.0


@pytest.mark.parametrize(
    ("points", "problem"),
    [
        ([(1.0, 1.0)], "only 1 distinct point"),
        ([(1.0, 1.0), (5.0, 2.0)], "only 2 distinct points"),
        ([(1.0, 1.0), (5.0, 2.0), (1.0, 1.0), (5.0, 2.0)], "only 2 distinct points"),
        ([(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)], "zero area"),
        ([(1e6 + 0.1, 0.3), (1e6 + 0.2, 0.6), (1e6 + 0.3, 0.9)], "zero area"),
        ([(0.0, 0.0), (math.nan, 1.0), (2.0, 0.0)], "point 1 x is not a finite number"),
        ([(0.0, 0.0), (1.0, math.inf), (2.0, 0.0)], "point 1 y is not a finite number"),
        ([(0.0, 0.0), (1.0, 2.0, 3.0), (2.0, 0.0)], r"point 1 must be an \(x, y\) pair"),
        ([(0.0, 0.0), ("a", 2.0), (2.0, 0.0)], "point 1 x must be a number"),
    ],
)
def test_polygon_refuses_invalid_rings(points: list[Any], problem: str) -> None:
    with pytest.raises(GeometryError, match=problem):
        Polygon.from_points(points)


def test_polygon_refuses_bad_hole_and_no_parts() -> None:
    with pytest.raises(GeometryError, match="polygon hole 0 has only 2 distinct points"):
        PolygonPart(SQUARE, (((1.0, 1.0), (2.0, 2.0)),))
    with pytest.raises(GeometryError, match="no parts"):
        Polygon(())
    with pytest.raises(GeometryError, match="must be a PolygonPart"):
        Polygon((SQUARE,))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# Mask
# ---------------------------------------------------------------------------------------


def test_mask_from_array_crops_to_tight_bbox_and_round_trips() -> None:
    full = np.zeros((40, 60), dtype=bool)
    full[10:15, 20:23] = True
    full[17, 30] = True
    mask = Mask.from_array(full)
    assert (mask.left, mask.top, mask.width, mask.height) == (20, 10, 11, 8)
    assert (mask.image_width, mask.image_height) == (60, 40)
    assert mask.area == 16
    assert mask.bbox == Box(20.0, 10.0, 31.0, 18.0)
    assert np.array_equal(mask.crop_array(), full[10:18, 20:31])
    assert np.array_equal(mask.to_array(), full)
    assert Mask.from_array(full.astype(np.uint8) * 255) == mask


def test_mask_from_crop_retightens() -> None:
    window = np.zeros((10, 10), dtype=bool)
    window[4:6, 2:9] = True
    mask = Mask.from_crop(window, 5, 7, 100, 50)
    assert (mask.left, mask.top, mask.width, mask.height) == (7, 11, 7, 2)
    assert mask.to_array()[11:13, 7:14].all()
    assert mask.area == 14


def test_mask_round_trips_through_json_text() -> None:
    full = random_masks(11, 1, 120)[0]
    full[0, 0] = True
    mask = Mask.from_array(full)
    data = json.loads(json.dumps(geometry_to_json(mask)))
    assert isinstance(data["rle"], str)
    restored = geometry_from_json(data)
    assert restored == mask
    assert isinstance(restored, Mask)
    assert np.array_equal(restored.to_array(), full)


def test_large_mask_round_trip() -> None:
    yy, xx = np.ogrid[:4000, :4000]
    full = (xx - 2100) ** 2 + (yy - 1900) ** 2 < 1500**2
    full[1000:1200, :] = False
    full[3700:3702, 50:3950] = True
    mask = Mask.from_array(full)
    assert (mask.left, mask.top) == (50, 401)
    assert mask.area == int(full.sum())
    restored = geometry_from_json(json.loads(json.dumps(geometry_to_json(mask))))
    assert restored == mask
    assert np.array_equal(restored.to_array(), full)


def test_mask_canonicalizes_zero_length_runs() -> None:
    assert Mask(0, 0, 2, 3, (2, 0, 1, 1, 2), 2, 3) == Mask(0, 0, 2, 3, (3, 1, 2), 2, 3)
    assert Mask(0, 0, 2, 2, [0, 4], 2, 2).counts == (0, 4)


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"counts": (3, 1, 1)}, "sum to 5 but the 2x3 crop has 6 pixels"),
        ({"counts": (3, -1, 4)}, "negative run length"),
        ({"counts": (3.5, 2.5)}, "whole numbers"),
        ({"counts": ()}, "empty"),
        ({"counts": (6,)}, "mask is empty"),
        ({"left": 9}, r"lies outside the 10x8 image"),
        ({"top": -1}, r"lies outside the 10x8 image"),
        ({"width": 0, "counts": (0,)}, "at least 1x1"),
        ({"left": "2"}, "mask left must be a whole number"),
    ],
)
def test_mask_refuses_invalid_fields(kwargs: dict[str, Any], problem: str) -> None:
    fields: dict[str, Any] = {
        "left": 2,
        "top": 1,
        "width": 2,
        "height": 3,
        "counts": (1, 4, 1),
        "image_width": 10,
        "image_height": 8,
    }
    Mask(**fields)  # the baseline is valid, so each case fails for its own reason
    fields.update(kwargs)
    with pytest.raises(GeometryError, match=problem):
        Mask(**fields)


def test_mask_constructors_refuse_empty_and_misplaced_input() -> None:
    with pytest.raises(GeometryError, match="mask is empty"):
        Mask.from_array(np.zeros((5, 5), dtype=bool))
    with pytest.raises(GeometryError, match="mask is empty"):
        Mask.from_crop(np.zeros((2, 2), dtype=bool), 0, 0, 5, 5)
    with pytest.raises(GeometryError, match="outside the 5x5 image"):
        Mask.from_crop(np.ones((2, 2), dtype=bool), 4, 0, 5, 5)
    with pytest.raises(GeometryError, match="2-D"):
        Mask.from_array(np.ones((2, 2, 3), dtype=bool))
    with pytest.raises(GeometryError, match="boolean or integer"):
        Mask.from_array(np.ones((2, 2), dtype=np.float32))


# ---------------------------------------------------------------------------------------
# Keypoints and skeletons
# ---------------------------------------------------------------------------------------


def test_keypoints_normalize_unlabeled_points() -> None:
    points = Keypoints(((3, 4, 2), (99.0, math.nan, 0), (5.5, 6.5, 1)))
    assert points.points == ((3.0, 4.0, 2), (0.0, 0.0, 0), (5.5, 6.5, 1))
    assert points.labeled == ((3.0, 4.0, 2), (5.5, 6.5, 1))
    assert Keypoints.kind == "keypoints"


@pytest.mark.parametrize(
    ("points", "problem"),
    [
        (((1.0, 2.0, 3),), "visibility 3"),
        (((1.0, 2.0, -1),), "visibility -1"),
        (((1.0, 2.0, 1.5),), "visibility 1.5"),
        (((1.0, 2.0, True),), "visibility True"),
        (((math.nan, 2.0, 2),), "keypoint 0 x is not a finite number"),
        (((1.0, 2.0, 2), (1.0, math.inf, 1)), "keypoint 1 y is not a finite number"),
        (((1.0, 2.0),), r"must be \(x, y, v\)"),
        ((), "no points"),
    ],
)
def test_keypoints_refuse_invalid_points(points: tuple[Any, ...], problem: str) -> None:
    with pytest.raises(GeometryError, match=problem):
        Keypoints(points)


def test_skeleton_validation_and_json() -> None:
    skeleton = Skeleton(("nose", "left_eye", "right_eye"), ((0, 1), (0, 2)), ((1, 2),))
    assert Skeleton.from_json(json.loads(json.dumps(skeleton.to_json()))) == skeleton
    assert Skeleton.from_json({"names": ["a"]}) == Skeleton(("a",))
    Keypoints(((1, 1, 2), (2, 2, 2), (3, 3, 0))).check_against(skeleton)
    with pytest.raises(GeometryError, match="2 points but the skeleton has 3"):
        Keypoints(((1, 1, 2), (2, 2, 2))).check_against(skeleton)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (((),), "no points"),
        ((("a", "a"),), "'a' is used twice"),
        ((("a", " "),), "point 1 has an empty name"),
        ((("a", "b"), ((0, 2),)), "refers to point 2"),
        ((("a", "b"), ((1, 1),)), "joins point 1 to itself"),
        ((("a", "b"), ((0, 1), (1, 0))), "listed twice"),
        ((("a", "b", "c"), (), ((0, 1), (1, 2))), "point 1 .'b'. is in two flip pairs"),
    ],
)
def test_skeleton_refuses_invalid_definitions(args: tuple[Any, ...], problem: str) -> None:
    with pytest.raises(GeometryError, match=problem):
        Skeleton(*args)


def test_skeleton_from_json_refuses_malformed_input() -> None:
    with pytest.raises(GeometryError, match="missing 'names'"):
        Skeleton.from_json({"edges": []})
    with pytest.raises(GeometryError, match="'edges' must be a list"):
        Skeleton.from_json({"names": ["a", "b"], "edges": "0-1"})


# ---------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------


def sample_geometries() -> list[Geometry]:
    full = np.zeros((30, 40), dtype=bool)
    full[5:9, 10:30] = True
    full[20, 2] = True
    return [
        Box(1.5, 2.0, 30.25, 40.0),
        Polygon((PolygonPart(SQUARE, (HOLE,)),)),
        Mask.from_array(full),
        Keypoints(((1.0, 2.0, 2), (0.0, 0.0, 0), (7.5, 3.25, 1))),
    ]


@pytest.mark.parametrize("index", range(4))
def test_every_kind_round_trips_through_json_text(index: int) -> None:
    geometry = sample_geometries()[index]
    data = geometry_to_json(geometry)
    assert data["kind"] == geometry.kind
    text = json.dumps(data)
    assert geometry_from_json(json.loads(text)) == geometry


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "must be an object"),
        ({"x0": 1}, "missing 'kind'"),
        ({"kind": "circle"}, "unknown geometry kind 'circle'"),
        ({"kind": 3}, "unknown geometry kind 3"),
        ({"kind": "box", "x0": 0, "y0": 0, "x1": 3}, "box JSON is missing 'y1'"),
        ({"kind": "box", "x0": "0", "y0": 0, "x1": 3, "y1": 4}, "box x0 must be a number"),
        ({"kind": "box", "x0": None, "y0": 0, "x1": 3, "y1": 4}, "box x0 must be a number"),
        ({"kind": "polygon"}, "polygon JSON is missing 'parts'"),
        ({"kind": "polygon", "parts": {"outer": []}}, "'parts' must be a list"),
        ({"kind": "polygon", "parts": [[[0, 0], [1, 0], [0, 1]]]}, "part 0 must be an object"),
        ({"kind": "polygon", "parts": [{"holes": []}]}, "part 0 JSON is missing 'outer'"),
        (
            {"kind": "polygon", "parts": [{"outer": [[0, 0], [1, "x"], [0, 1]]}]},
            "polygon part 0: polygon outer ring point 1 y must be a number",
        ),
        (
            {"kind": "polygon", "parts": [{"outer": [[0, 0], [1, 0], [0, 1]], "holes": 5}]},
            "'holes' must be a list",
        ),
        ({"kind": "mask", "left": 0, "top": 0, "width": 1, "height": 1}, "missing 'image_width'"),
        (
            {
                "kind": "mask",
                "left": 0,
                "top": 0,
                "width": 1,
                "height": 1,
                "image_width": 2,
                "image_height": 2,
                "rle": [0, 1],
            },
            "'rle' must be a string",
        ),
        (
            {
                "kind": "mask",
                "left": 0,
                "top": 0,
                "width": 1,
                "height": 1,
                "image_width": 2,
                "image_height": 2,
                "rle": "01~",
            },
            "invalid character",
        ),
        (
            {
                "kind": "mask",
                "left": 0,
                "top": 0,
                "width": 1,
                "height": "1",
                "image_width": 2,
                "image_height": 2,
                "rle": "01",
            },
            "mask height must be a whole number",
        ),
        (
            {
                "kind": "mask",
                "left": 0,
                "top": 0,
                "width": 2,
                "height": 1,
                "image_width": 2,
                "image_height": 2,
                "rle": "01",
            },
            "sum to 1 but the 2x1 crop has 2 pixels",
        ),
        ({"kind": "keypoints"}, "missing 'points'"),
        ({"kind": "keypoints", "points": [[1, 2]]}, r"keypoint 0 must be a list \[x, y, v\]"),
        ({"kind": "keypoints", "points": [[1, 2, 7]]}, "visibility 7"),
        ({"kind": "keypoints", "points": [["1", 2, 2]]}, "keypoint 0 x must be a number"),
    ],
)
def test_geometry_from_json_refuses_malformed_input(data: Any, problem: str) -> None:
    with pytest.raises(GeometryError, match=problem):
        geometry_from_json(data)


def test_geometry_to_json_refuses_non_geometry() -> None:
    with pytest.raises(GeometryError, match="not a geometry"):
        geometry_to_json((1, 2, 3, 4))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# bounds, translate, clip_box
# ---------------------------------------------------------------------------------------


def test_bounds_of_each_kind() -> None:
    box, polygon, mask, keypoints = sample_geometries()
    assert bounds(box) == (1.5, 2.0, 30.25, 40.0)
    assert bounds(polygon) == (0.0, 0.0, 10.0, 10.0)
    assert bounds(mask) == (2.0, 5.0, 30.0, 21.0)
    assert bounds(keypoints) == (1.0, 2.0, 7.5, 3.25)
    two_parts = Polygon((PolygonPart(SQUARE), PolygonPart(((20, -5), (25, 3), (21, 30)))))
    assert bounds(two_parts) == (0.0, -5.0, 25.0, 30.0)


def test_bounds_of_unlabeled_keypoints_is_refused() -> None:
    with pytest.raises(GeometryError, match="no labeled point"):
        bounds(Keypoints(((5.0, 5.0, 0), (1.0, 1.0, 0))))


def test_translate_vector_kinds() -> None:
    box, polygon, _, keypoints = sample_geometries()
    assert translate(box, 1.0, -2.0) == Box(2.5, 0.0, 31.25, 38.0)
    moved = translate(polygon, -0.5, 3.0)
    assert isinstance(moved, Polygon)
    assert moved.parts[0].outer[1] == (9.5, 3.0)
    assert moved.parts[0].holes[0][0] == (1.5, 5.0)
    assert translate(keypoints, 2.0, 1.0) == Keypoints(
        ((3.0, 3.0, 2), (0.0, 0.0, 0), (9.5, 4.25, 1))
    )
    with pytest.raises(GeometryError, match="dx is not a finite number"):
        translate(box, math.nan, 0.0)


def test_translate_mask_moves_by_rounded_whole_pixels() -> None:
    mask = sample_geometries()[2]
    assert isinstance(mask, Mask)
    moved = translate(mask, 2.5, -1.4)
    assert isinstance(moved, Mask)
    assert (moved.left, moved.top) == (mask.left + 3, mask.top - 1)
    assert moved.counts == mask.counts
    # Halves round away from zero in both directions (Python's round() would give 2, 0).
    back = translate(mask, -0.5, 0.4)
    assert isinstance(back, Mask)
    assert (back.left, back.top) == (mask.left - 1, mask.top)
    assert back.counts == mask.counts


def test_translate_mask_clips_to_image() -> None:
    full = np.zeros((30, 40), dtype=bool)
    full[5:9, 10:30] = True
    full[20, 2] = True
    mask = Mask.from_array(full)
    moved = translate(mask, 15, 0)
    assert isinstance(moved, Mask)
    expected = np.zeros_like(full)
    expected[5:9, 25:40] = True
    expected[20, 17] = True
    assert np.array_equal(moved.to_array(), expected)
    # Moving 27 px left pushes the lone pixel out; only columns 27..29 of the bar remain.
    left = translate(mask, -27, 0)
    assert isinstance(left, Mask)
    assert (left.left, left.top, left.width, left.height) == (0, 5, 3, 4)
    with pytest.raises(GeometryError, match="entirely outside the 40x30 image"):
        translate(mask, 0, 40)
    with pytest.raises(GeometryError, match="entirely outside"):
        translate(mask, -30, 0)


def test_translate_mask_refuses_when_only_empty_part_of_crop_remains() -> None:
    full = np.zeros((10, 10), dtype=bool)
    full[0, 0] = True
    full[9, 9] = True
    mask = Mask.from_array(full)
    # Shifted by (-9, 9), only the crop's top-right cell stays in the image, and it is
    # empty, so nothing of the mask is left.
    with pytest.raises(GeometryError, match="entirely outside"):
        translate(mask, -9, 9)


def test_clip_box() -> None:
    inside = Box(1.0, 2.0, 3.0, 4.0)
    assert clip_box(inside, 10, 10) is inside
    assert clip_box(Box(-5.0, 2.0, 30.0, 40.0), 20, 10) == Box(0.0, 2.0, 20.0, 10.0)
    assert clip_box(Box(20.0, 2.0, 30.0, 4.0), 20, 10) is None
    assert clip_box(Box(-8.0, -3.0, -1.0, 4.0), 20, 10) is None
    with pytest.raises(GeometryError, match="must be positive"):
        clip_box(inside, 0, 10)
