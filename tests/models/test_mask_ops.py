"""Mask rasters: painting, polygon fill, outline tracing, simplification, wand, GrabCut."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from limner.models.domain.geometry import Box, Mask, Polygon, PolygonPart
from limner.models.editing.mask_commands import pack_bits, paste_crop, unpack_bits
from limner.models.errors import GeometryError
from limner.models.imaging.mask_ops import (
    MaskLayer,
    fill_polygon,
    grabcut,
    magic_wand,
    mask_crop,
    mask_to_polygons,
    overlay_rgba,
    polygon_to_mask_geometry,
    polygons_to_mask,
    simplify_polygon,
    simplify_ring,
    tight_rect,
)

# -- independent references (plain Python, one pixel at a time) ---------------------------


def reference_capsules(
    width: int, height: int, points: list[tuple[float, float]], radius: float
) -> np.ndarray:
    """Pixels whose centre is within ``radius`` of the polyline through ``points``."""
    out = np.zeros((height, width), dtype=bool)
    segments = list(itertools.pairwise(points)) or [(points[0], points[0])]
    for r in range(height):
        for c in range(width):
            cx, cy = c + 0.5, r + 0.5
            for (ax, ay), (bx, by) in segments:
                vx, vy = bx - ax, by - ay
                norm = vx * vx + vy * vy
                t = (
                    0.0
                    if norm == 0
                    else max(0.0, min(1.0, ((cx - ax) * vx + (cy - ay) * vy) / norm))
                )
                if math.hypot(cx - (ax + t * vx), cy - (ay + t * vy)) <= radius:
                    out[r, c] = True
                    break
    return out


def point_in_ring(x: float, y: float, ring: tuple[tuple[float, float], ...]) -> bool:
    """Crossing-number test, written independently of the rasterizer."""
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        if (y1 > y) != (y2 > y):
            x_cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < x_cross:
                inside = not inside
    return inside


def reference_fill(polygon: Polygon, width: int, height: int) -> np.ndarray:
    out = np.zeros((height, width), dtype=bool)
    for r in range(height):
        for c in range(width):
            for part in polygon.parts:
                x, y = c + 0.5, r + 0.5
                if point_in_ring(x, y, part.outer) and not any(
                    point_in_ring(x, y, hole) for hole in part.holes
                ):
                    out[r, c] = True
                    break
    return out


# -- MaskLayer -----------------------------------------------------------------------------


def test_dab_paints_the_pixels_whose_centres_are_in_the_disc() -> None:
    layer = MaskLayer(60, 50)
    rect = layer.dab(30.3, 20.7, 7.2, True)
    expected = reference_capsules(60, 50, [(30.3, 20.7)], 7.2)
    assert np.array_equal(layer.array, expected)
    assert rect == tight_rect(expected)
    assert layer.changed_bbox == rect
    assert layer.take_dirty() == [rect]
    assert layer.take_dirty() == []


def test_dab_over_painted_pixels_changes_nothing_and_reports_none() -> None:
    layer = MaskLayer(40, 40)
    assert layer.dab(20, 20, 5, True) is not None
    layer.take_dirty()
    assert layer.dab(20, 20, 5, True) is None
    assert layer.take_dirty() == []
    assert layer.dab(-50, -50, 5, True) is None  # entirely outside


def test_dab_is_clipped_at_the_image_edges() -> None:
    layer = MaskLayer(20, 10)
    rect = layer.dab(1.0, 1.0, 4.0, True)
    assert rect is not None and rect[0] == 0 and rect[1] == 0
    assert np.array_equal(layer.array, reference_capsules(20, 10, [(1.0, 1.0)], 4.0))


def test_dab_refuses_bad_radius() -> None:
    layer = MaskLayer(10, 10)
    with pytest.raises(GeometryError):
        layer.dab(5, 5, 0, True)
    with pytest.raises(GeometryError):
        layer.dab(5, float("nan"), 3, True)


def test_segment_is_a_capsule_without_gaps() -> None:
    layer = MaskLayer(120, 90)
    points = [(10.2, 12.9), (95.7, 70.1), (30.4, 80.6)]
    for a, b in itertools.pairwise(points):
        layer.segment(*a, *b, 4.3, True)
    assert np.array_equal(layer.array, reference_capsules(120, 90, points, 4.3))


def test_long_segment_cut_into_pieces_is_still_exact() -> None:
    layer = MaskLayer(300, 200)
    layer.segment(3.3, 5.1, 296.8, 190.4, 2.6, True)
    expected = reference_capsules(300, 200, [(3.3, 5.1), (296.8, 190.4)], 2.6)
    assert np.array_equal(layer.array, expected)
    assert layer.changed_bbox == tight_rect(expected)


def test_erasing_with_value_false() -> None:
    layer = MaskLayer(50, 50)
    layer.dab(25, 25, 10, True)
    layer.dab(25, 25, 4, False)
    expected = reference_capsules(50, 50, [(25, 25)], 10) & ~reference_capsules(
        50, 50, [(25, 25)], 4
    )
    assert np.array_equal(layer.array, expected)


def test_from_mask_and_original_crop() -> None:
    full = np.zeros((30, 40), dtype=bool)
    full[5:12, 8:20] = True
    mask = Mask.from_array(full)
    layer = MaskLayer.from_mask(mask, 40, 30, uuid="u1")
    assert layer.uuid == "u1"
    assert np.array_equal(layer.array, full)
    assert layer.changed_bbox is None
    layer.dab(30, 20, 3, True)
    rect = layer.changed_bbox
    assert rect is not None
    x, y, w, h = rect
    assert np.array_equal(layer.original_crop(rect), full[y : y + h, x : x + w])
    assert not np.array_equal(layer.crop(rect), full[y : y + h, x : x + w])
    with pytest.raises(GeometryError):
        MaskLayer.from_mask(mask, 41, 30)


def test_many_dirty_rects_are_merged() -> None:
    layer = MaskLayer(500, 500)
    for i in range(100):
        layer.dab(5 + i * 4.9, 250, 2, True)
    dirty = layer.take_dirty()
    assert len(dirty) <= 65
    covered = np.zeros_like(layer.array)
    for x, y, w, h in dirty:
        covered[y : y + h, x : x + w] = True
    assert not (layer.array & ~covered).any()


def test_dab_on_a_huge_layer_only_touches_its_window() -> None:
    """Each dab reports (and repaints) only its own window, never the 64 MB layer."""
    layer = MaskLayer(8192, 8192)
    for i in range(60):
        layer.dab(4000 + i * 3.1, 4000 + i * 1.3, 20, True)
        for x, y, w, h in layer.take_dirty():
            assert w <= 43 and h <= 43
            assert overlay_rgba(layer, (x, y, w, h), (255, 0, 0, 128)).shape == (h, w, 4)
    assert int(layer.array.sum()) < 60 * 43 * 43


def test_overlay_rgba() -> None:
    layer = MaskLayer(10, 10)
    layer.dab(5, 5, 2, True)
    rect = (3, 3, 4, 4)
    rgba = overlay_rgba(layer, rect, (10, 20, 30, 40))
    assert rgba.shape == (4, 4, 4) and rgba.dtype == np.uint8
    window = layer.array[3:7, 3:7]
    assert (rgba[window] == (10, 20, 30, 40)).all()
    assert (rgba[~window] == 0).all()


# -- polygon fill --------------------------------------------------------------------------


def test_fill_uses_pixel_centres() -> None:
    out = polygons_to_mask(Polygon.from_points([(1, 1), (4, 1), (4, 4), (1, 4)]), 6, 6)
    expected = np.zeros((6, 6), dtype=bool)
    expected[1:4, 1:4] = True
    assert np.array_equal(out, expected)


def test_fill_matches_point_in_polygon_reference() -> None:
    rng = np.random.default_rng(3)
    for _ in range(15):
        points = [(float(x), float(y)) for x, y in rng.uniform(-5, 45, size=(7, 2))]
        try:
            polygon = Polygon.from_points(points)
        except GeometryError:
            continue
        assert np.array_equal(polygons_to_mask(polygon, 40, 35), reference_fill(polygon, 40, 35))


def test_fill_punches_holes_and_unites_parts() -> None:
    outer = ((2.2, 2.1), (30.6, 3.3), (28.1, 27.9), (3.4, 25.2))
    hole = ((10.3, 9.8), (20.1, 10.4), (15.5, 19.7))
    overlapping = ((20.5, 15.5), (38.2, 16.1), (37.4, 33.3), (21.9, 32.6))
    polygon = Polygon((PolygonPart(outer, (hole,)), PolygonPart(overlapping)))
    out = polygons_to_mask(polygon, 40, 36)
    assert np.array_equal(out, reference_fill(polygon, 40, 36))
    assert not out[14, 15]  # inside the hole
    assert out[25, 25]  # where the two parts overlap: union, not even-odd between parts


def test_fill_into_layer_records_dirty_and_value_false_clears() -> None:
    layer = MaskLayer(30, 30)
    square = Polygon.from_points([(5, 5), (25, 5), (25, 25), (5, 25)])
    rect = layer.fill_polygon(square, True)
    assert rect == (5, 5, 20, 20)
    assert layer.take_dirty() == [rect]
    small = Polygon.from_points([(10, 10), (15, 10), (15, 15), (10, 15)])
    assert fill_polygon(layer, small, False) == (10, 10, 5, 5)
    assert layer.array.sum() == 400 - 25


def test_fill_plain_array_and_outside_polygon() -> None:
    array = np.zeros((10, 10), dtype=bool)
    far = Polygon.from_points([(50, 50), (60, 50), (60, 60)])
    assert fill_polygon(array, far, True) is None
    assert not array.any()
    with pytest.raises(GeometryError):
        fill_polygon(np.zeros((10, 10), dtype=np.uint8), far, True)


def test_polygon_to_mask_geometry_only_rasterizes_the_window() -> None:
    polygon = Polygon.from_points([(100.2, 200.7), (180.9, 210.3), (150.1, 290.6)])
    mask = polygon_to_mask_geometry(polygon, 4000, 3000)
    assert mask is not None
    assert np.array_equal(mask.to_array(), polygons_to_mask(polygon, 4000, 3000))
    sliver = Polygon.from_points([(5.1, 5.1), (5.4, 5.1), (5.4, 5.3)])
    assert polygon_to_mask_geometry(sliver, 100, 100) is None


# -- tracing -------------------------------------------------------------------------------


def test_mask_with_hole_and_two_parts_round_trips_exactly() -> None:
    m = np.zeros((40, 50), dtype=bool)
    m[5:30, 5:30] = True
    m[12:20, 12:20] = False  # hole
    m[14:17, 14:17] = True  # island inside the hole: a part of its own
    m[32:38, 35:48] = True  # separate part
    polygon = mask_to_polygons(m)
    assert polygon is not None
    assert len(polygon.parts) == 3
    assert sorted(len(part.holes) for part in polygon.parts) == [0, 0, 1]
    assert np.array_equal(polygons_to_mask(polygon, 50, 40), m)
    assert polygon.area == m.sum()


def test_degenerate_regions_are_kept_exactly() -> None:
    m = np.zeros((12, 12), dtype=bool)
    m[1, 1] = True  # single pixel
    m[3, 2:10] = True  # one-pixel-wide horizontal line
    m[5:11, 10] = True  # vertical line
    m[6, 3] = m[7, 4] = m[8, 5] = True  # diagonal chain, 8-connected
    polygon = mask_to_polygons(m)
    assert polygon is not None
    assert len(polygon.parts) == 4
    assert np.array_equal(polygons_to_mask(polygon, 12, 12), m)


def test_random_masks_round_trip_exactly() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        h, w = (int(v) for v in rng.integers(1, 25, size=2))
        m = rng.random((h, w)) < rng.uniform(0.05, 0.95)
        polygon = mask_to_polygons(m)
        if not m.any():
            assert polygon is None
            continue
        assert polygon is not None
        assert np.array_equal(polygons_to_mask(polygon, w, h), m)


def test_mask_geometry_input_keeps_its_offset() -> None:
    full = np.zeros((100, 120), dtype=bool)
    full[40:60, 70:90] = True
    full[45:50, 75:80] = False
    polygon = mask_to_polygons(Mask.from_array(full))
    assert polygon is not None
    xs = [x for x, _ in polygon.parts[0].outer]
    assert min(xs) == 70.0 and max(xs) == 90.0
    assert np.array_equal(polygons_to_mask(polygon, 120, 100), full)


def test_empty_mask_has_no_polygon() -> None:
    assert mask_to_polygons(np.zeros((5, 5), dtype=bool)) is None
    with pytest.raises(GeometryError):
        mask_to_polygons("not a mask")  # type: ignore[arg-type]


# -- simplification ------------------------------------------------------------------------


def test_simplify_drops_collinear_points() -> None:
    ring = [(0, 0), (1, 0), (2, 0), (3, 0), (3, 1), (3, 2), (3, 3), (1.5, 3), (0, 3), (0, 1.5)]
    assert set(simplify_ring(ring, 0.01)) == {(0.0, 0.0), (3.0, 0.0), (3.0, 3.0), (0.0, 3.0)}
    assert len(simplify_ring(ring, 0.0)) == len(ring)


def test_simplify_keeps_three_points_and_handles_long_rings() -> None:
    ring = [(0, 0), (10, 0), (10, 0.1), (0, 0.1)]
    simplified = simplify_ring(ring, 5.0)
    assert len(simplified) == 3
    angles = np.linspace(0, 2 * np.pi, 200_000, endpoint=False)
    circle = np.c_[500 + 100 * np.cos(angles), 500 + 100 * np.sin(angles)]
    result = simplify_ring(circle.tolist(), 0.25)
    assert 10 < len(result) < 200
    # Every dropped point stays within the tolerance of the kept outline.
    kept = np.asarray(result)
    a, b = kept, np.roll(kept, -1, axis=0)
    points = circle[::50]
    ab = b - a
    t = ((points[:, None, :] - a[None]) * ab[None]).sum(-1) / (ab * ab).sum(-1)[None]
    nearest = a[None] + np.clip(t, 0, 1)[..., None] * ab[None]
    distance = np.hypot(*(points[:, None, :] - nearest).transpose(2, 0, 1)).min(axis=1)
    assert distance.max() <= 0.25 + 1e-9


def test_simplify_polygon_of_a_traced_disc() -> None:
    layer = MaskLayer(100, 100)
    layer.dab(50, 50, 30, True)
    traced = mask_to_polygons(layer.array)
    assert traced is not None
    simple = simplify_polygon(traced, 0.75)
    assert len(simple.parts[0].outer) < len(traced.parts[0].outer) / 2
    back = polygons_to_mask(simple, 100, 100)
    differing = back ^ layer.array
    assert differing.sum() < 0.05 * layer.array.sum()


# -- wand and GrabCut ----------------------------------------------------------------------


def two_regions() -> np.ndarray:
    image = np.zeros((60, 80, 3), dtype=np.uint8)
    image[:, :40] = (30, 180, 40)
    image[:, 40:] = (200, 40, 30)
    image[20:30, 10:20] = (40, 190, 50)  # within tolerance of the green
    return image


def test_magic_wand_selects_exactly_one_region() -> None:
    image = two_regions()
    image.flags.writeable = False  # decoded frames are shared read-only
    region = magic_wand(image, 5.5, 5.5, 24)
    expected = np.zeros((60, 80), dtype=bool)
    expected[:, :40] = True
    assert np.array_equal(region, expected)
    assert np.array_equal(magic_wand(image, 60, 30, 24), ~expected)
    # A small tolerance leaves out the slightly different patch.
    assert magic_wand(image, 5.5, 5.5, 5).sum() == 40 * 60 - 100


def test_magic_wand_gray_rgba_outside_and_connectivity() -> None:
    gray = np.zeros((10, 10), dtype=np.uint8)
    gray[2, 2] = gray[3, 3] = 255  # diagonal neighbours
    assert magic_wand(gray, 2.5, 2.5, 10).sum() == 2
    assert magic_wand(gray, 2.5, 2.5, 10, connectivity=4).sum() == 1
    rgba = np.dstack([two_regions(), np.full((60, 80), 255, np.uint8)])
    assert magic_wand(rgba, 70, 10, 24).sum() == 40 * 60
    assert not magic_wand(gray, -1, 3, 10).any()
    with pytest.raises(GeometryError):
        magic_wand(gray.astype(np.float32), 1, 1, 10)


def disc_scene(width: int, height: int, cx: float, cy: float, radius: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 70, size=(height, width, 3)).astype(np.uint8)
    yy, xx = np.mgrid[:height, :width]
    disc = (xx + 0.5 - cx) ** 2 + (yy + 0.5 - cy) ** 2 <= radius**2
    image[disc] = rng.integers(180, 256, size=(int(disc.sum()), 3))
    return image, disc


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def test_grabcut_finds_a_bright_disc_deterministically() -> None:
    image, disc = disc_scene(320, 240, 160, 120, 60)
    box = Box(90, 50, 232, 192)
    result = grabcut(image, box)
    assert iou(result, disc) > 0.9
    assert np.array_equal(result, grabcut(image, box))


def test_grabcut_on_a_large_image_works_on_a_downscaled_crop() -> None:
    image, disc = disc_scene(3000, 2000, 1800, 900, 500, seed=1)
    result = grabcut(image, Box(1250, 350, 2350, 1450), max_side=400)
    assert result.shape == (2000, 3000)
    assert iou(result, disc) > 0.9
    assert not result[:, :1250].any()  # nothing outside the box


def test_grabcut_box_covering_the_whole_image() -> None:
    image, disc = disc_scene(120, 100, 60, 50, 30)
    result = grabcut(image, Box(0, 0, 120, 100))
    assert iou(result, disc) > 0.9


# -- packed crops --------------------------------------------------------------------------


def test_pack_bits_round_trip_on_odd_shapes() -> None:
    rng = np.random.default_rng(5)
    crop = rng.random((13, 7)) < 0.5
    data = pack_bits(crop)
    assert len(data) == math.ceil(13 * 7 / 8)
    assert np.array_equal(unpack_bits(data, (13, 7)), crop)


def test_paste_crop_grows_shrinks_and_empties() -> None:
    full = np.zeros((50, 60), dtype=bool)
    full[10:20, 10:20] = True
    mask = Mask.from_array(full)
    grown = paste_crop(mask, (30, 30, 5, 5), np.ones((5, 5), dtype=bool))
    assert grown is not None
    expected = full.copy()
    expected[30:35, 30:35] = True
    assert np.array_equal(grown.to_array(), expected)
    assert np.array_equal(mask_crop(grown, (28, 28, 10, 10)), expected[28:38, 28:38])
    assert paste_crop(mask, (10, 10, 10, 10), np.zeros((10, 10), dtype=bool)) is None
    with pytest.raises(GeometryError):
        paste_crop(mask, (55, 0, 10, 10), np.zeros((10, 10), dtype=bool))


def test_magic_wand_compares_with_the_seed_not_the_neighbour() -> None:
    # A soft gradient: neighbours differ by 2, the ends by 198. A floating range would
    # leak across the whole row; the fixed range stops at the tolerance from the seed.
    gradient = np.tile((np.arange(100) * 2).astype(np.uint8), (5, 1))
    region = magic_wand(gradient, 50.5, 2.5, 10)
    assert region.all(axis=0)[45:56].all()
    assert region.sum() == 5 * 11
