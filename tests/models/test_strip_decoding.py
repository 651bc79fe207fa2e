"""Big PNGs and TIFFs read in strips give the same pyramid as a whole decode, in bounded memory.

Every file is written by the test. The reference is the whole decode by Pillow with the
levels derived from it (:class:`PillowTileSource`), and, for sides that halve evenly, an
independent pyramid made with OpenCV from the pixels written. The libvips reader is an
optional extra; its tests skip, naming ``pyvips``, where it is not installed.
"""

from __future__ import annotations

import struct
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image

from limner.models.errors import ImageReadError
from limner.models.imaging.tiles import (
    PillowTileSource,
    TiffTileSource,
    jpeg_bands,
    open_tile_source,
)
from limner.models.imaging.tiles import pillow as pillow_module
from limner.models.imaging.tiles.streamed import StreamedTileSource
from limner.models.imaging.tiles.strips import PngStrips, VipsStrips, vips_available
from tests.models.test_tiles import stitch
from tests.perf.synth_images import make_big_jpeg, pattern, pyramid

needs_vips = pytest.mark.skipif(
    not vips_available(), reason="pyvips (the limner[vips] extra) is not installed"
)

MODES = ["RGB", "RGBA", "L", "LA", "P", "P-transparent", "I;16"]


def _write_png(path: Path, mode: str, width: int = 1001, height: int = 777) -> Path:
    rgb = pattern(0, 0, width, height)
    if mode == "I;16":
        img = Image.fromarray(rgb[..., 0].astype(np.uint16) * 257 + rgb[..., 1] // 16)
    elif mode == "P-transparent":
        img = Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
        img.info["transparency"] = 3
    else:
        img = Image.fromarray(rgb).convert(mode)
    img.save(path, "PNG", compress_level=1)
    return path


def _write_interlaced_png(path: Path, rgb: np.ndarray) -> Path:
    """An Adam7-interlaced RGB PNG (Pillow only reads those): seven passes, no filtering."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2)]
    passes.append((0, 1, 1, 2))
    raw = b"".join(
        b"\x00" + row.tobytes()
        for x0, y0, dx, dy in passes
        for row in rgb[y0::dy, x0::dx]
        if row.size
    )
    height, width = rgb.shape[:2]
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 1)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def _streamed(path: Path, reader_kind: str, rows: int, tile: int = 128) -> StreamedTileSource:
    whole = PillowTileSource(path, tile_size=tile)
    target = whole.stream_target()
    assert target is not None
    if reader_kind == "vips":
        reader = VipsStrips.open(path, target[1], whole.dtype)
    else:
        reader = PngStrips.open(path, target, whole.dtype)
    assert reader is not None
    # A small spill threshold sends the finer levels through the spill file too.
    return StreamedTileSource(
        path, reader, format=whole.format, tile_size=tile, strip_rows=rows, spill_bytes=50_000
    )


def _same_levels(streamed: StreamedTileSource, whole: PillowTileSource | TiffTileSource) -> None:
    assert streamed.levels == whole.levels
    assert (streamed.mode, streamed.dtype) == (whole.mode, whole.dtype)
    for level in range(whole.levels):
        ours = stitch(streamed, level, streamed.read_raw_tile)
        assert np.array_equal(ours, stitch(whole, level, whole.read_raw_tile)), f"level {level}"


@pytest.mark.parametrize("rows", [1, 7, 100, 5000])
@pytest.mark.parametrize("mode", MODES)
def test_png_strips_give_the_whole_decodes_levels(tmp_path: Path, mode: str, rows: int) -> None:
    path = _write_png(tmp_path / "odd.png", mode)
    streamed = _streamed(path, "pillow", rows)
    _same_levels(streamed, PillowTileSource(path, tile_size=128))
    assert streamed.decode_progress == 1.0
    assert streamed.stats.file_decodes == 1  # one pass built every level


@needs_vips
@pytest.mark.parametrize("rows", [1, 64, 5000])
@pytest.mark.parametrize("mode", MODES)
def test_vips_strips_give_the_whole_decodes_levels(tmp_path: Path, mode: str, rows: int) -> None:
    path = _write_png(tmp_path / "odd.png", mode)
    _same_levels(_streamed(path, "vips", rows), PillowTileSource(path, tile_size=128))


def test_even_sides_match_an_independent_pyramid(tmp_path: Path) -> None:
    array = pattern(0, 0, 1024, 512)
    path = tmp_path / "even.png"
    Image.fromarray(array).save(path)
    streamed = _streamed(path, "pillow", 33)
    reference = pyramid(array, 128)
    assert streamed.levels == len(reference)
    for level, expected in enumerate(reference):
        assert np.array_equal(stitch(streamed, level), expected), f"level {level}"


@pytest.mark.parametrize("rowsperstrip", [1, 16, 300])
def test_stripped_tiff_read_piecewise_matches_whole_decode(
    tmp_path: Path, rowsperstrip: int
) -> None:
    """A plain stripped TIFF: tifffile reads its strips, the levels equal Pillow's whole decode."""
    path = tmp_path / "plain.tif"
    tifffile.imwrite(path, pattern(0, 0, 999, 601), rowsperstrip=rowsperstrip, compression="zlib")
    piecewise = open_tile_source(path, tile_size=128)
    assert isinstance(piecewise, TiffTileSource)
    whole = PillowTileSource(path, tile_size=128)
    for level in range(whole.levels):
        assert np.array_equal(stitch(piecewise, level), stitch(whole, level)), f"level {level}"


@needs_vips
@pytest.mark.parametrize("rows", [5, 128, 1000])
def test_vips_strips_of_a_tiff_match_whole_decode(tmp_path: Path, rows: int) -> None:
    path = tmp_path / "plain.tif"
    tifffile.imwrite(path, pattern(0, 0, 999, 601), rowsperstrip=16, compression="zlib")
    _same_levels(_streamed(path, "vips", rows), PillowTileSource(path, tile_size=128))


def test_strip_decoding_keeps_memory_bounded(tmp_path: Path) -> None:
    """The streamed pass allocates a small part of the image; the whole decode all of it."""
    path = tmp_path / "big.png"
    Image.fromarray(pattern(0, 0, 3000, 3000)).save(path, compress_level=1)
    image_bytes = 3000 * 3000 * 3

    def peak(build) -> int:
        tracemalloc.start()
        try:
            source = build()
            source.read_raw_tile(source.levels - 1, 0, 0)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    whole = peak(lambda: PillowTileSource(path, tile_size=128))
    streamed = peak(lambda: _streamed(path, "pillow", 64))
    assert whole >= image_bytes  # the measure sees a whole decode
    assert streamed < image_bytes / 4


def test_big_png_opens_streamed_and_small_or_interlaced_ones_whole(tmp_path: Path) -> None:
    plain = _write_png(tmp_path / "plain.png", "RGB")
    rgb = pattern(0, 0, 300, 200)
    interlaced = _write_interlaced_png(tmp_path / "interlaced.png", rgb)
    assert np.array_equal(np.asarray(Image.open(interlaced)), rgb)
    assert isinstance(open_tile_source(plain, stream_min_pixels=1000), StreamedTileSource)
    assert isinstance(open_tile_source(plain), PillowTileSource)  # below the threshold
    assert isinstance(open_tile_source(interlaced, stream_min_pixels=1000, use_vips=False),
                      PillowTileSource)  # fmt: skip


def test_damaged_pixel_data_is_a_clear_error(tmp_path: Path) -> None:
    path = _write_png(tmp_path / "cut.png", "RGB")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] + data[-12:])  # half the pixels, then IEND
    source = open_tile_source(path, stream_min_pixels=1000, use_vips=False)
    assert isinstance(source, StreamedTileSource)
    with pytest.raises(ImageReadError, match=r"cut\.png"):
        source.read_tile(source.levels - 1, 0, 0)
    with pytest.raises(ImageReadError):  # and again, without reading the file twice
        source.read_tile(0, 0, 0)


def test_preview_fills_as_rows_are_read(tmp_path: Path) -> None:
    path = _write_png(tmp_path / "p.png", "RGB")
    source = _streamed(path, "pillow", 50)
    pixels, rows = source.preview()
    assert rows == 0 and source.decode_progress == 0.0
    source.read_tile(0, 0, 0)
    pixels, rows = source.preview()
    assert rows == pixels.shape[0] and pixels.dtype == np.uint8
    coarsest = stitch(source, source.levels - 1)
    # A stand-in, averaged strip by strip: close to the finished level, not equal to it.
    assert np.abs(pixels.astype(int) - coarsest).mean() < 8


# -------------------------------------------------------------------- JPEG bands


def test_jpeg_bands_decode_like_one_piece(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_big_jpeg(tmp_path / "rst.jpg", 2000, 1504)
    with Image.open(path) as img:
        img.draft(None, (250, 188))
        img.load()
        expected = np.asarray(img)
    monkeypatch.setattr(jpeg_bands, "MIN_BYTES", 0)
    # The caller decides about huge images; Pillow's own limit must not refuse the bands.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    for workers in (2, 3, 4):
        bands = jpeg_bands.decode_eighth(path, workers=workers)
        assert bands is not None and len(bands) == workers
        joined = np.concatenate([np.asarray(img)[:rows] for img, rows in bands])
        assert np.array_equal(joined, expected)


def test_jpeg_without_restart_markers_is_not_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plain.jpg"
    Image.fromarray(pattern(0, 0, 800, 600)).save(path, quality=90)
    monkeypatch.setattr(jpeg_bands, "MIN_BYTES", 0)
    assert jpeg_bands.decode_eighth(path, workers=2) is None


def test_jpeg_levels_are_the_same_cut_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_big_jpeg(tmp_path / "rst.jpg", 3000, 2000)
    one_piece = PillowTileSource(path, tile_size=128)
    coarse = [stitch(one_piece, level) for level in range(3, one_piece.levels)]
    monkeypatch.setattr(jpeg_bands, "MIN_BYTES", 0)
    used: list[bool] = []

    def spy(*args, **kwargs):
        bands = jpeg_bands.decode_eighth(*args, **kwargs)
        used.append(bands is not None)
        return bands

    monkeypatch.setattr(pillow_module, "decode_eighth", spy)
    cut = PillowTileSource(path, tile_size=128)
    for level, expected in zip(range(3, cut.levels), coarse, strict=True):
        assert np.array_equal(stitch(cut, level), expected), f"level {level}"
    assert used == [True]
