"""Tests of the tile pyramid and its caches against real files in a temporary folder.

Every file is written with Pillow or tifffile, so tiles go through the same decoders as a
user's images. Where limner's whole-image loader can read the file, the tiles are
compared with :func:`models.imaging.imageio.load_rgb`, which defines what the user should see.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest
import tifffile
from PIL import Image, ImageDraw

from limner.models.errors import ImageReadError
from limner.models.imaging.imageio import load_rgb
from limner.models.imaging.tile_cache import DiskTileCache, TileMemoryCache, tile_cache_dir
from limner.models.imaging.tiles import (
    PillowTileSource,
    TiffTileSource,
    TileSource,
    WindowLevel,
    estimate_window,
    open_tile_source,
    orient_array,
)
from tests.perf.synth_images import (
    make_16bit_tiff,
    make_big_jpeg,
    make_big_tiff,
    pattern,
    pyramid,
    write_pyramid_tiff,
)

# ------------------------------------------------------------------------------ helpers


def stitch(source: TileSource, level: int, read: Callable[..., np.ndarray] | None = None):
    """Assemble a whole level from its tiles, checking each tile's size on the way."""
    read = read or source.read_tile
    cols, rows = source.tile_grid(level)
    lines = []
    for row in range(rows):
        line = []
        for col in range(cols):
            tile = read(level, col, row)
            x0, y0, x1, y1 = source.tile_bounds(level, col, row)
            assert tile.shape[:2] == (y1 - y0, x1 - x0)
            assert tile.shape[0] <= source.tile_size and tile.shape[1] <= source.tile_size
            line.append(tile)
        lines.append(np.concatenate(line, axis=1))
    return np.concatenate(lines, axis=0)


def with_orientation(img: Image.Image, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[274] = orientation
    return exif.tobytes()


def area_half(array: np.ndarray, levels: int = 1) -> np.ndarray:
    for _ in range(levels):
        h, w = array.shape[:2]
        array = cv2.resize(array, ((w + 1) // 2, (h + 1) // 2), interpolation=cv2.INTER_AREA)
    return array


# ------------------------------------------------------------------------------ geometry


def geometry_source(tmp_path: Path, width: int = 2000, height: int = 1000) -> TileSource:
    path = tmp_path / "g.png"
    Image.fromarray(pattern(0, 0, width, height)).save(path)
    return open_tile_source(path)


def test_levels_halve_until_one_tile(tmp_path: Path) -> None:
    source = geometry_source(tmp_path, 2001, 999)
    assert source.levels == 3  # 501 px fits in one tile of 512
    assert [source.level_size(i) for i in range(3)] == [(2001, 999), (1001, 500), (501, 250)]
    assert source.tile_grid(0) == (4, 2)
    assert source.tile_grid(1) == (2, 1)
    assert source.tile_grid(2) == (1, 1)
    with pytest.raises(IndexError):
        source.level_size(3)
    with pytest.raises(IndexError):
        source.read_tile(0, 4, 0)


def test_best_level_picks_resolution_just_above_screen(tmp_path: Path) -> None:
    source = geometry_source(tmp_path)  # 2000 x 1000: levels 0, 1, 2
    assert source.best_level(4.0) == 0
    assert source.best_level(1.0) == 0
    assert source.best_level(0.99) == 0
    assert source.best_level(0.5) == 1
    assert source.best_level(0.26) == 1
    assert source.best_level(0.25) == 2
    assert source.best_level(0.001) == 2  # clamped to the coarsest level
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            source.best_level(bad)


def test_tiles_for_view(tmp_path: Path) -> None:
    source = geometry_source(tmp_path)  # level 0: 4 x 2 tiles of 512
    assert source.tiles_for_view(0, 0, 0, 512, 512) == [(0, 0)]
    assert source.tiles_for_view(0, 511, 0, 513, 1) == [(0, 0), (1, 0)]
    assert source.tiles_for_view(0, 600, 600, 1100, 700) == [(1, 1), (2, 1)]
    assert len(source.tiles_for_view(0, -500, -500, 5000, 5000)) == 8
    assert source.tiles_for_view(0, 2000, 0, 3000, 100) == []
    assert source.tiles_for_view(0, 10, 10, 10, 500) == []
    # Level 1 is 1000 x 500: one row of two tiles; coordinates stay level-0 ones.
    assert source.tiles_for_view(1, 0, 0, 2000, 1000) == [(0, 0), (1, 0)]
    assert source.tiles_for_view(1, 1100, 0, 1200, 10) == [(1, 0)]
    # Reversed corners describe the same rectangle.
    assert source.tiles_for_view(0, 1100, 700, 600, 600) == [(1, 1), (2, 1)]


def test_tile_rect_covers_image_exactly(tmp_path: Path) -> None:
    source = geometry_source(tmp_path, 1001, 777)
    for level in range(source.levels):
        cols, rows = source.tile_grid(level)
        x1 = source.tile_rect(level, cols - 1, rows - 1)[2]
        y1 = source.tile_rect(level, cols - 1, rows - 1)[3]
        assert (x1, y1) == pytest.approx((1001, 777))
        assert source.tile_rect(level, 0, 0)[:2] == (0, 0)


# ---------------------------------------------------------------------- Pillow sources


@pytest.mark.parametrize("orientation", range(1, 9))
def test_png_tiles_equal_oriented_full_decode(tmp_path: Path, orientation: int) -> None:
    path = tmp_path / "o.png"
    img = Image.fromarray(pattern(0, 0, 700, 450))
    img.save(path, exif=with_orientation(img, orientation))
    full = load_rgb(path)
    source = open_tile_source(path, tile_size=256)
    assert isinstance(source, PillowTileSource)
    assert (source.height, source.width) == full.shape[:2]
    if orientation in (5, 6, 7, 8):
        assert (source.width, source.height) == (450, 700)
    assert np.array_equal(stitch(source, 0), full)
    assert np.array_equal(stitch(source, 1), area_half(full))


def test_jpeg_with_exif_orientation_6(tmp_path: Path) -> None:
    path = tmp_path / "rot.jpg"
    img = Image.fromarray(pattern(0, 0, 1200, 700))
    img.save(path, quality=92, exif=with_orientation(img, 6))
    full = load_rgb(path)
    assert full.shape == (1200, 700, 3)
    source = open_tile_source(path, tile_size=256)
    assert (source.width, source.height) == (700, 1200)
    assert np.array_equal(stitch(source, 0), full)
    # Coarse levels come from libjpeg's DCT scaling: close to, not equal to, averaging.
    for level in (1, 2, 3):
        tiles = stitch(source, level).astype(np.int16)
        reference = area_half(full, level).astype(np.int16)
        assert tiles.shape == reference.shape
        assert np.abs(tiles - reference).mean() < 4


def test_first_view_of_jpeg_never_decodes_full_resolution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.jpg"
    Image.fromarray(pattern(0, 0, 4000, 3000)).save(path, quality=85)
    decoded: list[tuple[int, ...]] = []
    original = PillowTileSource._decode

    def spy(self: PillowTileSource, scale: int) -> np.ndarray:
        result = original(self, scale)
        decoded.append(result.shape)
        return result

    monkeypatch.setattr(PillowTileSource, "_decode", spy)
    source = open_tile_source(path)
    level = source.best_level(min(1400 / 4000, 860 / 3000))
    assert level == 1
    for col, row in source.tiles_for_view(level, 0, 0, 4000, 3000):
        source.read_tile(level, col, row)
    coarsest = source.read_tile(source.levels - 1, 0, 0)
    assert coarsest.shape == (375, 500, 3)
    assert decoded == [(1500, 2000, 3), (375, 500, 3)]  # 1/2 and 1/8 scale, nothing bigger
    assert source.stats.file_decodes == 2


def test_big_png_refused_without_allow_huge(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    img = Image.new("1", (10_000, 10_000), 0)
    ImageDraw.Draw(img).rectangle((3000, 2000, 6999, 3999), fill=1)
    img.save(path)
    assert path.stat().st_size < 200_000
    limit_before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(ImageReadError, match="safety limit"):
        open_tile_source(path)
    source = open_tile_source(path, allow_huge=True)
    assert Image.MAX_IMAGE_PIXELS == limit_before
    assert (source.width, source.height, source.mode) == (10_000, 10_000, "L")
    assert source.pixel_value(3000.5, 2000.5) == (255,)
    assert source.pixel_value(2999.5, 2000.5) == (0,)
    coarsest = source.read_tile(source.levels - 1, 0, 0)
    white = (coarsest[..., 0] > 127).mean()
    assert white == pytest.approx(0.08, abs=0.01)  # 4000 x 2000 of 10000 x 10000


def test_allow_huge_beyond_pillows_hard_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above twice the limit Pillow refuses to even open; allow_huge must still work."""
    path = tmp_path / "big.png"
    array = pattern(0, 0, 300, 200)
    Image.fromarray(array).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    with pytest.raises(Image.DecompressionBombError):
        Image.open(path)
    with pytest.raises(ImageReadError, match="safety limit"):
        open_tile_source(path)
    source = open_tile_source(path, allow_huge=True)
    assert np.array_equal(stitch(source, 0), array)
    assert Image.MAX_IMAGE_PIXELS == 10_000


def test_palette_with_alpha_gives_rgba(tmp_path: Path) -> None:
    path = tmp_path / "pal.png"
    indices = (np.arange(64 * 40).reshape(40, 64) % 4).astype(np.uint8)
    img = Image.fromarray(indices, "P")
    img.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9] + [0] * (256 * 3 - 12))
    img.info["transparency"] = bytes([255, 128, 0, 255])
    img.save(path)
    source = open_tile_source(path)
    assert source.mode == "RGBA"
    tile = source.read_tile(0, 0, 0)
    assert tile.shape == (40, 64, 4)
    assert np.array_equal(tile, load_rgb(path))
    assert tuple(tile[0, 1]) == (0, 255, 0, 128)
    assert tuple(tile[0, 2]) == (0, 0, 255, 0)


def test_cmyk_jpeg_gives_rgb(tmp_path: Path) -> None:
    path = tmp_path / "cmyk.jpg"
    rng = np.random.default_rng(3)
    cmyk = np.repeat(np.repeat(rng.integers(0, 255, (8, 10, 4), dtype=np.uint8), 16, 0), 16, 1)
    Image.fromarray(cmyk, "CMYK").save(path, quality=95)
    source = open_tile_source(path, tile_size=64)
    assert source.mode == "RGB"
    tiles = stitch(source, 0)
    assert tiles.shape == (128, 160, 3)
    assert np.array_equal(tiles, load_rgb(path))


def test_16bit_png_keeps_raw_values(tmp_path: Path) -> None:
    path = tmp_path / "deep.png"
    array = (np.arange(50 * 40).reshape(40, 50) * 31).astype(np.uint16)
    Image.fromarray(array).save(path)
    source = open_tile_source(path)
    assert source.dtype == np.uint16
    assert source.pixel_value(49, 39, cached_only=True) is None  # nothing decoded yet
    assert source.pixel_value(49, 39) == (int(array[39, 49]),)
    assert source.pixel_value(48.7, 39.2, cached_only=True) == (int(array[39, 48]),)
    assert source.read_tile(0, 0, 0).dtype == np.uint8


# ----------------------------------------------------------------------- TIFF sources


def test_pyramidal_bigtiff_tiles_equal_written_levels(tmp_path: Path) -> None:
    path = tmp_path / "pyr.tif"
    written = write_pyramid_tiff(path, pattern(0, 0, 6000, 5000), tile=512)
    assert tifffile.TiffFile(path).is_bigtiff
    source = open_tile_source(path)
    assert isinstance(source, TiffTileSource)
    assert source.levels == len(written) == 5
    for level, array in enumerate(written):
        assert source.level_size(level) == (array.shape[1], array.shape[0])
        assert np.array_equal(stitch(source, level), array), f"level {level}"


def test_pyramid_levels_are_read_not_computed(tmp_path: Path) -> None:
    path = tmp_path / "pyr.tif"
    write_pyramid_tiff(path, pattern(0, 0, 3000, 2000), tile=256)
    source = open_tile_source(path, tile_size=256)
    source.read_tile(source.levels - 1, 0, 0)
    assert source.stats.file_decodes == 1  # one stored tile, nothing finer


def test_tiff_without_pyramid_computes_levels(tmp_path: Path) -> None:
    path = tmp_path / "flat.tif"
    array = pattern(0, 0, 2048, 1024)
    write_pyramid_tiff(path, array, tile=128, levels=False)
    source = open_tile_source(path, tile_size=256)
    reference = pyramid(array, 256)
    assert source.levels == len(reference) == 4
    for level, expected in enumerate(reference):
        # Sides stay even, so tile-wise averaging equals whole-image averaging.
        assert np.array_equal(stitch(source, level), expected), f"level {level}"


@pytest.mark.parametrize(
    "options",
    [
        {"tile": (64, 128), "planarconfig": "separate"},
        {"tile": (96, 48), "predictor": True, "compression": "zlib"},
        {"rowsperstrip": 7, "planarconfig": "separate", "compression": "zlib"},
    ],
    ids=["separate-tiles", "predictor", "separate-strips"],
)
def test_tiff_segment_layouts(tmp_path: Path, options: dict) -> None:
    """Non-square tiles, planes stored separately and predictors all give the same pixels."""
    path = tmp_path / "layout.tif"
    array = pattern(0, 0, 500, 300)
    stored = np.moveaxis(array, 2, 0) if options.get("planarconfig") == "separate" else array
    tifffile.imwrite(path, stored, photometric="rgb", **options)
    source = open_tile_source(path, tile_size=128)
    assert isinstance(source, TiffTileSource)
    assert np.array_equal(stitch(source, 0), array)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_tiff_orientation_tag(tmp_path: Path, orientation: int) -> None:
    path = tmp_path / "o.tif"
    array = pattern(0, 0, 700, 450)
    written = write_pyramid_tiff(path, array, tile=128, orientation=orientation)
    full = load_rgb(path)
    assert np.array_equal(full, orient_array(array, orientation))
    source = open_tile_source(path, tile_size=256)
    assert isinstance(source, TiffTileSource)
    assert np.array_equal(stitch(source, 0), full)
    for level in range(1, source.levels):
        expected = orient_array(written[level], orientation)
        assert np.array_equal(stitch(source, level), expected), f"level {level}"


def test_16bit_tiff_raw_values_and_window(tmp_path: Path) -> None:
    path, known = make_16bit_tiff(tmp_path / "deep.tif", tile=64)
    source = open_tile_source(path, tile_size=128)
    assert (source.dtype, source.mode) == (np.uint16, "L")
    for (x, y), value in known.items():
        assert source.pixel_value(x + 0.5, y + 0.5) == (value,)
    assert source.pixel_value(-1, 0) is None
    assert source.pixel_value(300, 0) is None
    # The default window comes from percentiles, so the few extreme pixels do not count.
    default = source.window
    assert default is not None
    assert 1000 <= default.low < 1300  # the ramp spans 1000..5282
    assert 4900 < default.high <= 5282
    source.set_window(1000, 5000)
    tile = source.read_tile(0, 0, 0)
    assert tile.dtype == np.uint8 and tile.shape == (128, 128, 3)
    assert tuple(tile[0, 0]) == (0, 0, 0)  # raw 0: below low
    assert tuple(tile[20, 10]) == (255, 255, 255)  # raw 65535: above high
    assert tuple(tile[5, 7]) == (7, 7, 7)  # raw 1104: 104 / 4000 * 255 = 6.63
    source.set_window(1104, 2000)
    assert tuple(source.read_tile(0, 0, 0)[5, 7]) == (0, 0, 0)
    source.set_window(0, 1104)
    assert tuple(source.read_tile(0, 0, 0)[5, 7]) == (255, 255, 255)
    source.reset_window()
    assert source.window == default


def test_window_changes_replace_display_tiles(tmp_path: Path) -> None:
    path, _ = make_16bit_tiff(tmp_path / "deep.tif")
    source = open_tile_source(path)
    before = source.read_tile(0, 0, 0)
    source.set_window(0, 65535)
    after = source.read_tile(0, 0, 0)
    assert not np.array_equal(before, after)
    raw = source.read_raw_tile(0, 0, 0).astype(np.float64)
    assert np.array_equal(after[..., 0], np.rint(raw[..., 0] * 255 / 65535).astype(np.uint8))


def test_float32_tiff(tmp_path: Path) -> None:
    path = tmp_path / "f.tif"
    array = np.linspace(-1.5, 2.5, 80 * 60, dtype=np.float32).reshape(60, 80)
    array[3, 4] = np.nan
    array[5, 6] = 0.123456789
    tifffile.imwrite(path, array)
    source = open_tile_source(path)
    assert (source.dtype, source.mode) == (np.float32, "L")
    assert source.pixel_value(6, 5) == (pytest.approx(0.123456789, rel=1e-7),)
    assert np.isnan(source.pixel_value(4, 3)[0])
    source.set_window(-1.0, 2.0)
    tile = source.read_tile(0, 0, 0)
    assert tuple(tile[3, 4]) == (0, 0, 0)  # NaN shows black
    assert tile[0, 0, 0] == 0 and tile[-1, -1, 0] == 255
    expected = np.floor((0.123456789 + 1.0) / 3.0 * 255 + 0.5)
    assert tile[5, 6, 0] == expected


def test_wider_than_qt_limit(tmp_path: Path) -> None:
    array = pattern(0, 0, 40_000, 64)
    png = tmp_path / "wide.png"
    Image.fromarray(array).save(png, compress_level=1)
    strips = tmp_path / "wide_strips.tif"
    tifffile.imwrite(strips, array, photometric="rgb", rowsperstrip=16, compression="zlib")
    raw = tmp_path / "wide_raw.tif"
    tifffile.imwrite(raw, array, photometric="rgb", rowsperstrip=16)
    for path, kind in ((png, PillowTileSource), (strips, TiffTileSource), (raw, TiffTileSource)):
        source = open_tile_source(path)
        assert isinstance(source, kind)
        assert source.tile_grid(0) == (79, 1)
        last = source.read_tile(0, 78, 0)
        assert last.shape == (64, 40_000 - 78 * 512, 3)
        assert np.array_equal(last, array[:, 78 * 512 :]), path.name
        assert np.array_equal(source.read_tile(0, 40, 0), array[:, 40 * 512 : 41 * 512])
        coarsest = source.read_tile(source.levels - 1, 0, 0)
        assert coarsest.shape[1] <= 512
        assert source.pixel_value(39_999, 63) == tuple(int(v) for v in array[63, 39_999])


def test_uncompressed_strips_read_only_needed_rows(tmp_path: Path) -> None:
    path = tmp_path / "one_strip.tif"
    array = pattern(0, 0, 1500, 1300)
    tifffile.imwrite(path, array, photometric="rgb", rowsperstrip=1300)  # a single strip
    source = open_tile_source(path)
    assert np.array_equal(source.read_tile(0, 2, 1), array[512:1024, 1024:1500])
    assert np.array_equal(stitch(source, 0), array)


def test_cmyk_palette_and_bilevel_tiff(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    cmyk = rng.integers(0, 255, (50, 60, 4), dtype=np.uint8)
    tifffile.imwrite(tmp_path / "cmyk.tif", cmyk, photometric="separated")
    indices = rng.integers(0, 4, (30, 40), dtype=np.uint8)
    colormap = np.zeros((3, 256), dtype=np.uint16)
    colormap[:, :4] = np.array([[0, 65535, 0, 257 * 9], [0, 0, 65535, 257 * 200], [0, 0, 0, 0]])
    tifffile.imwrite(tmp_path / "pal.tif", indices, photometric="palette", colormap=colormap)
    bits = rng.integers(0, 2, (20, 33)).astype(bool)
    tifffile.imwrite(tmp_path / "bits.tif", bits, photometric="minisblack")
    for name in ("cmyk.tif", "pal.tif", "bits.tif"):
        source = open_tile_source(tmp_path / name)
        assert isinstance(source, TiffTileSource), name
        assert np.array_equal(source.read_tile(0, 0, 0), load_rgb(tmp_path / name)), name
    assert open_tile_source(tmp_path / "cmyk.tif").pixel_value(0, 0) == tuple(
        int(v) for v in cmyk[0, 0]
    )


def test_tiff_with_alpha(tmp_path: Path) -> None:
    path = tmp_path / "rgba.tif"
    array = np.dstack([pattern(0, 0, 300, 200), np.full((200, 300), 77, np.uint8)])
    write_pyramid_tiff(path, array, tile=128)
    source = open_tile_source(path, tile_size=128)
    assert source.mode == "RGBA" and source.display_channels == 4
    assert np.array_equal(stitch(source, 0), array)


def test_jpeg_compressed_tiff_without_imagecodecs(tmp_path: Path) -> None:
    path = tmp_path / "jpeg.tif"
    Image.fromarray(pattern(0, 0, 400, 300)).save(path, compression="jpeg", quality=90)
    source = open_tile_source(path, tile_size=128)
    assert isinstance(source, TiffTileSource)
    difference = stitch(source, 0).astype(np.int16) - load_rgb(path)
    assert np.abs(difference).max() <= 2


def test_lzw_tiff_falls_back_to_pillow(tmp_path: Path) -> None:
    path = tmp_path / "lzw.tif"
    array = pattern(0, 0, 600, 400)
    Image.fromarray(array).save(path, compression="tiff_lzw")
    source = open_tile_source(path, tile_size=256)
    assert np.array_equal(stitch(source, 0), array)


# ---------------------------------------------------------------------------- errors


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ImageReadError, match="not found"):
        open_tile_source(tmp_path / "missing.png")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ImageReadError, match="unsupported file type"):
        open_tile_source(text)
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"this is not a picture at all")
    with pytest.raises(ImageReadError):
        open_tile_source(fake)
    cut = tmp_path / "cut.png"
    Image.fromarray(pattern(0, 0, 300, 200)).save(cut)
    cut.write_bytes(cut.read_bytes()[:2000])
    source = open_tile_source(cut)  # the header is fine; the pixels are not
    with pytest.raises(ImageReadError, match="corrupt or truncated"):
        source.read_tile(0, 0, 0)


def test_closed_source_refuses_reads(tmp_path: Path) -> None:
    path = tmp_path / "t.tif"
    write_pyramid_tiff(path, pattern(0, 0, 300, 200), tile=128)
    cache = TileMemoryCache(10_000_000)
    with open_tile_source(path, memory_cache=cache) as source:
        source.read_tile(0, 0, 0)
        assert len(cache) == 1
    assert len(cache) == 0
    with pytest.raises(ImageReadError, match="closed"):
        source.read_tile(0, 0, 0)


# ---------------------------------------------------------------------------- caching


def test_memory_cache_evicts_least_recently_used_by_bytes() -> None:
    cache = TileMemoryCache(max_bytes=1000)
    cache.put("a", np.zeros(400, np.uint8))
    cache.put("b", np.zeros(400, np.uint8))
    assert cache.get("a") is not None  # "a" becomes the most recently used
    cache.put("c", np.zeros(400, np.uint8))
    assert "b" not in cache and "a" in cache and "c" in cache
    assert cache.nbytes == 800
    cache.put("big", np.zeros(1001, np.uint8))  # larger than the whole budget
    assert "big" not in cache and cache.nbytes == 800
    cache.put("wide", np.zeros(100, np.float64))  # 800 bytes: both others must go
    assert len(cache) == 1 and cache.nbytes == 800
    cache.put("wide", np.zeros(10, np.float64))  # replacing updates the byte count
    assert cache.nbytes == 80
    assert cache.discard_where(lambda key: key == "wide") == 1
    assert cache.nbytes == 0


def test_source_respects_memory_budget(tmp_path: Path) -> None:
    path = tmp_path / "pyr.tif"
    write_pyramid_tiff(path, pattern(0, 0, 1024, 1024), tile=128)
    budget = 5 * 128 * 128 * 3
    cache = TileMemoryCache(budget)
    source = open_tile_source(path, tile_size=128, memory_cache=cache)
    stitch(source, 0)
    assert 0 < cache.nbytes <= budget
    assert len(cache) == 5
    assert source.stats.tiles_computed == 64
    source.read_tile(0, 7, 7)  # among the five most recent: no decode
    assert source.stats.tiles_computed == 64
    source.read_tile(0, 0, 0)  # long evicted: decoded again
    assert source.stats.tiles_computed == 65


def test_disk_cache_written_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    Image.fromarray(pattern(0, 0, 1200, 900)).save(path)
    cache_dir = tile_cache_dir(tmp_path / "project")
    options = {"cache_dir": cache_dir, "tile_size": 256, "disk_cache_min_pixels": 0}
    first = open_tile_source(path, **options)
    coarse = first.read_tile(2, 0, 0)
    assert first.stats.disk_writes == 1 and first.stats.file_decodes == 1
    stored = list(cache_dir.rglob("*.npy"))
    assert [p.name for p in stored] == ["2_0_0.npy"]
    assert not list(cache_dir.rglob("*.tmp"))

    second = open_tile_source(path, **options)
    again = second.read_tile(2, 0, 0)
    assert np.array_equal(coarse, again)
    assert second.stats.disk_hits == 1
    assert second.stats.file_decodes == 0

    stored[0].write_bytes(b"garbage")  # a damaged cache file is recomputed
    third = open_tile_source(path, **options)
    assert np.array_equal(third.read_tile(2, 0, 0), coarse)
    assert third.stats.file_decodes == 1 and third.stats.disk_hits == 0


def test_disk_cache_skips_small_images_and_stored_levels(tmp_path: Path) -> None:
    png = tmp_path / "small.png"
    Image.fromarray(pattern(0, 0, 600, 400)).save(png)
    cache_dir = tmp_path / "cache"
    source = open_tile_source(png, cache_dir=cache_dir, tile_size=128)
    source.read_tile(source.levels - 1, 0, 0)
    assert source.stats.disk_writes == 0  # below DISK_CACHE_MIN_PIXELS
    tif = tmp_path / "pyr.tif"
    write_pyramid_tiff(tif, pattern(0, 0, 600, 400), tile=128)
    source = open_tile_source(tif, cache_dir=cache_dir, tile_size=128, disk_cache_min_pixels=0)
    source.read_tile(source.levels - 1, 0, 0)
    assert source.stats.disk_writes == 0  # the file has this level already
    assert not list(cache_dir.rglob("*.npy"))


def test_disk_cache_rejects_wrong_shapes(tmp_path: Path) -> None:
    cache = DiskTileCache(tmp_path, "abc", 256)
    assert cache.store(1, 2, 3, np.ones((10, 20, 3), np.uint8))
    assert cache.load(1, 2, 3, shape=(10, 20), dtype=np.dtype(np.uint8)) is not None
    assert cache.load(1, 2, 3, shape=(10, 21), dtype=np.dtype(np.uint8)) is None
    assert not cache.path(1, 2, 3).exists()  # discarded
    odd = DiskTileCache(tmp_path, "../../escape", 256)
    assert tmp_path in odd.folder.parents


@pytest.mark.parametrize("suffix", [".tif", ".png"])
def test_concurrent_reads_match_and_decode_each_tile_once(tmp_path: Path, suffix: str) -> None:
    """Eight threads read every tile in different orders, as a decoding pool would."""
    path = tmp_path / f"image{suffix}"
    array = pattern(0, 0, 1500, 1100)
    if suffix == ".tif":
        write_pyramid_tiff(path, array, tile=128, levels=False)  # levels come from tiles
    else:
        Image.fromarray(array).save(path)
    reference = open_tile_source(path, tile_size=256)
    jobs = [
        (level, col, row)
        for level in range(reference.levels)
        for row in range(reference.tile_grid(level)[1])
        for col in range(reference.tile_grid(level)[0])
    ]
    expected = {job: reference.read_tile(*job) for job in jobs}
    shared = open_tile_source(path, tile_size=256)
    start = threading.Barrier(8, timeout=120)  # a deadlock fails instead of hanging

    def worker(seed: int) -> list[tuple[tuple[int, int, int], np.ndarray]]:
        order = list(jobs)
        random.Random(seed).shuffle(order)
        start.wait()
        return [(job, shared.read_tile(*job)) for job in order]

    with ThreadPoolExecutor(8) as pool:
        results = [item for batch in pool.map(worker, range(8)) for item in batch]
    assert len(results) == 8 * len(jobs)
    for job, tile in results:
        assert np.array_equal(tile, expected[job]), job
    assert shared.stats.tiles_computed == len(jobs)


# --------------------------------------------------------------------------- windows


def test_window_level_mapping() -> None:
    window = WindowLevel(100, 200)
    values = np.array([0, 100, 150, 200, 60000], dtype=np.uint16)
    assert window.apply(values).tolist() == [0, 0, 128, 255, 255]
    floats = np.array([np.nan, 99.0, 150.0, np.inf, -np.inf], dtype=np.float32)
    assert window.apply(floats).tolist() == [0, 0, 128, 255, 0]
    with pytest.raises(ValueError):
        WindowLevel(5, 5)
    with pytest.raises(ValueError):
        WindowLevel(0, float("nan"))


def test_estimate_window_ignores_outliers_and_nan() -> None:
    values = np.arange(10_000, dtype=np.float32)
    values[:3] = [np.nan, -1e9, 1e9]
    window = estimate_window(values)
    assert 40 < window.low < 60 and 9940 < window.high < 9960
    flat = estimate_window(np.full(10, 7, np.uint16))
    assert (flat.low, flat.high) == (7.0, 8.0)


# ------------------------------------------------------------------ synthetic images


def test_big_jpeg_writer_makes_a_valid_jpeg(tmp_path: Path) -> None:
    path = make_big_jpeg(tmp_path / "strips.jpg", 1000, 100, quality=90)
    decoded = load_rgb(path)
    assert decoded.shape == (100, 1000, 3)
    assert np.abs(decoded.astype(np.int16) - pattern(0, 0, 1000, 100)).mean() < 6
    source = open_tile_source(path)
    assert np.array_equal(stitch(source, 0), decoded)


def test_big_tiff_writer_levels_follow_pattern(tmp_path: Path) -> None:
    path = make_big_tiff(tmp_path / "big.tif", 1300, 700, tile=256)
    source = open_tile_source(path, tile_size=256)
    assert source.levels == 4
    assert np.array_equal(stitch(source, 0), pattern(0, 0, 1300, 700))
    source.read_tile(3, 0, 0)
    assert source.stats.file_decodes == 18 + 1  # level 0's 6 x 3 tiles, one stored tile
