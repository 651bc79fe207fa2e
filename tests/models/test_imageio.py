"""Tests of models.imaging.imageio against real files written to a temporary folder.

The files are produced with Pillow and numpy (or byte by byte where Pillow would need too
much memory), so each test exercises the same decoder paths as a user's images do.
"""

from __future__ import annotations

import builtins
import hashlib
import os
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from limner.models.errors import ImageReadError, LimnerError
from limner.models.imaging.imageio import (
    SUPPORTED_SUFFIXES,
    ImageProbe,
    load_rgb,
    natural_key,
    probe_image,
    scan_images,
)

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
WHITE = (255, 255, 255)

# ------------------------------------------------------------------------------ helpers


def quadrants(width: int = 40, height: int = 20) -> np.ndarray:
    """An RGB image whose four quadrants have distinct solid colours.

    Solid blocks survive lossy compression well enough to compare colours at corners.
    """
    arr = np.zeros((height, width, 3), dtype=np.uint8)
    arr[: height // 2, : width // 2] = RED
    arr[: height // 2, width // 2 :] = GREEN
    arr[height // 2 :, : width // 2] = BLUE
    arr[height // 2 :, width // 2 :] = WHITE
    return arr


def save(arr: np.ndarray, path: Path, **params: Any) -> Path:
    Image.fromarray(arr).save(path, **params)
    return path


def jpeg_bytes(tmp_path: Path) -> bytes:
    """A valid, noisy JPEG: noise makes the compressed data long enough to damage."""
    rng = np.random.default_rng(7)
    arr = rng.integers(0, 256, size=(120, 160, 3), dtype=np.uint8)
    return save(arr, tmp_path / "source.jpg", quality=90).read_bytes()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def write_blank_bilevel_png(path: Path, width: int, height: int) -> Path:
    """Write a valid all-black 1-bit PNG without holding its pixels in memory.

    Pillow keeps mode "1" at a byte per pixel, so ``Image.new`` would need 100 MB for
    10000 x 10000; streaming the rows through zlib keeps the test light, and the file
    compresses to a few kilobytes, exactly like a real decompression bomb.
    """
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row * 1000) for _ in range(height // 1000)]
    parts.append(compressor.compress(row * (height % 1000)))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )
    return path


def assert_close(actual: np.ndarray, expected: tuple[int, ...], tol: int = 12) -> None:
    diff = np.abs(actual.astype(int) - np.array(expected, dtype=int))
    assert diff.max() <= tol, f"{actual.tolist()} differs from {expected}"


# ------------------------------------------------------------------------ every format


LOSSLESS = {".png": {}, ".bmp": {}, ".tif": {}, ".tiff": {"compression": "tiff_lzw"}}
LOSSY = {".jpg": {"quality": 95}, ".jpeg": {"quality": 95}, ".webp": {"quality": 95}}
FORMAT_NAMES = {
    ".png": "PNG",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".webp": "WEBP",
}


def test_supported_suffixes_are_exactly_the_documented_ones() -> None:
    assert set(SUPPORTED_SUFFIXES) == set(FORMAT_NAMES)


@pytest.mark.parametrize("suffix", sorted({**LOSSLESS, **LOSSY}))
def test_probe_reads_every_supported_format(tmp_path: Path, suffix: str) -> None:
    params = {**LOSSLESS, **LOSSY}[suffix]
    path = save(quadrants(40, 20), tmp_path / f"quads{suffix}", **params)

    probe = probe_image(path)

    assert probe.ok, probe.error
    assert probe.error is None
    assert (probe.width, probe.height) == (40, 20)
    assert probe.format == FORMAT_NAMES[suffix]
    assert probe.name == f"quads{suffix}"
    assert probe.path == path
    assert probe.size_bytes == path.stat().st_size
    assert probe.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert probe.orientation == 1


@pytest.mark.parametrize("suffix", sorted(LOSSLESS))
def test_load_rgb_lossless_formats_round_trip_exactly(tmp_path: Path, suffix: str) -> None:
    arr = quadrants(40, 20)
    path = save(arr, tmp_path / f"quads{suffix}", **LOSSLESS[suffix])

    loaded = load_rgb(path)

    assert loaded.dtype == np.uint8
    assert loaded.shape == (20, 40, 3)
    np.testing.assert_array_equal(loaded, arr)


@pytest.mark.parametrize("suffix", sorted(LOSSY))
def test_load_rgb_lossy_formats_keep_colours(tmp_path: Path, suffix: str) -> None:
    path = save(quadrants(64, 32), tmp_path / f"quads{suffix}", **LOSSY[suffix])

    loaded = load_rgb(path)

    assert loaded.dtype == np.uint8
    assert loaded.shape == (32, 64, 3)
    assert_close(loaded[4, 4], RED)
    assert_close(loaded[4, 60], GREEN)
    assert_close(loaded[28, 4], BLUE)
    assert_close(loaded[28, 60], WHITE)


def test_upper_case_suffix_is_accepted(tmp_path: Path) -> None:
    path = save(quadrants(), tmp_path / "SHOUT.PNG")
    assert probe_image(path).ok
    assert load_rgb(path).shape == (20, 40, 3)


def test_content_decides_the_format_not_the_suffix(tmp_path: Path) -> None:
    path = save(quadrants(), tmp_path / "really_a_png.jpg", format="PNG")
    probe = probe_image(path)
    assert probe.ok, probe.error
    assert probe.format == "PNG"


def test_hash_covers_files_larger_than_one_chunk(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    arr = rng.integers(0, 256, size=(700, 800, 3), dtype=np.uint8)  # ~1.7 MB as BMP
    path = save(arr, tmp_path / "large.bmp")
    data = path.read_bytes()
    assert len(data) > 1024 * 1024

    probe = probe_image(path)

    assert probe.content_hash == hashlib.sha256(data).hexdigest()


def test_probe_is_a_frozen_value(tmp_path: Path) -> None:
    probe = probe_image(save(quadrants(), tmp_path / "a.png"))
    assert isinstance(probe, ImageProbe)
    with pytest.raises(AttributeError):
        probe.width = 3  # type: ignore[misc]


# ---------------------------------------------------------------------- EXIF orientation


# Where the stored image's top-left (red) quadrant is displayed, per EXIF orientation,
# as a browser would show it: (row, column) of a pixel inside that displayed quadrant.
ORIENTED_RED_CORNER = {
    1: ("top", "left"),
    3: ("bottom", "right"),
    6: ("top", "right"),  # rotate 90 degrees clockwise
    8: ("bottom", "left"),  # rotate 90 degrees counter-clockwise
}


def _corner(arr: np.ndarray, where: tuple[str, str]) -> np.ndarray:
    height, width = arr.shape[:2]
    row = 3 if where[0] == "top" else height - 4
    col = 3 if where[1] == "left" else width - 4
    return arr[row, col]


def _with_orientation(path: Path, orientation: int, **params: Any) -> Path:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return save(quadrants(80, 40), path, exif=exif, **params)


@pytest.mark.parametrize("orientation", sorted(ORIENTED_RED_CORNER))
def test_exif_orientation_in_jpeg(tmp_path: Path, orientation: int) -> None:
    path = _with_orientation(tmp_path / "turned.jpg", orientation, quality=95)

    probe = probe_image(path)
    loaded = load_rgb(path)

    assert probe.ok, probe.error
    assert probe.orientation == orientation
    expected = (40, 80) if orientation in (6, 8) else (80, 40)
    assert (probe.width, probe.height) == expected
    assert loaded.shape == (expected[1], expected[0], 3)
    assert_close(_corner(loaded, ORIENTED_RED_CORNER[orientation]), RED)


def test_orientation_six_swaps_size_and_rotates_clockwise(tmp_path: Path) -> None:
    """The stored top row becomes the displayed right column, top to bottom."""
    path = _with_orientation(tmp_path / "portrait.jpg", 6, quality=95)

    probe = probe_image(path)
    loaded = load_rgb(path)

    assert (probe.width, probe.height) == (40, 80)
    assert_close(loaded[5, 36], RED)  # stored top-left
    assert_close(loaded[75, 36], GREEN)  # stored top-right
    assert_close(loaded[5, 3], BLUE)  # stored bottom-left
    assert_close(loaded[75, 3], WHITE)  # stored bottom-right


def test_exif_orientation_in_png(tmp_path: Path) -> None:
    path = _with_orientation(tmp_path / "turned.png", 6)

    probe = probe_image(path)
    loaded = load_rgb(path)

    assert probe.orientation == 6
    assert (probe.width, probe.height) == (40, 80)
    assert loaded.shape == (80, 40, 3)
    np.testing.assert_array_equal(loaded, np.rot90(quadrants(80, 40), k=-1))


def test_invalid_orientation_is_treated_as_upright(tmp_path: Path) -> None:
    path = _with_orientation(tmp_path / "odd.jpg", 42, quality=95)
    probe = probe_image(path)
    assert probe.ok, probe.error
    assert probe.orientation == 1
    assert (probe.width, probe.height) == (80, 40)
    assert load_rgb(path).shape == (40, 80, 3)


# -------------------------------------------------------------------------- colour modes


def test_palette_with_transparency_loads_as_rgba(tmp_path: Path) -> None:
    img = Image.new("P", (6, 4), 0)
    img.putpalette([*RED, *GREEN] + [0] * (256 * 3 - 6))
    img.putpixel((2, 1), 1)
    path = tmp_path / "palette.png"
    img.save(path, transparency=0)

    loaded = load_rgb(path)

    assert loaded.shape == (4, 6, 4)
    assert loaded[0, 0, 3] == 0  # index 0 is the transparent one
    assert tuple(loaded[1, 2]) == (*GREEN, 255)


def test_palette_without_transparency_loads_as_rgb(tmp_path: Path) -> None:
    img = Image.new("P", (6, 4), 1)
    img.putpalette([*RED, *GREEN] + [0] * (256 * 3 - 6))
    path = tmp_path / "palette.png"
    img.save(path)

    loaded = load_rgb(path)

    assert loaded.shape == (4, 6, 3)
    assert tuple(loaded[0, 0]) == GREEN


@pytest.mark.parametrize("suffix", [".png", ".webp", ".tif"])
def test_alpha_channel_is_kept(tmp_path: Path, suffix: str) -> None:
    arr = np.zeros((8, 10, 4), dtype=np.uint8)
    arr[..., 0] = 200
    arr[:, 5:, 3] = 255
    params = {"lossless": True} if suffix == ".webp" else {}
    path = save(arr, tmp_path / f"alpha{suffix}", **params)

    loaded = load_rgb(path)

    assert loaded.shape == (8, 10, 4)
    assert loaded[0, 7, 3] == 255
    assert loaded[0, 2, 3] == 0


def test_grey_with_alpha_loads_as_rgba(tmp_path: Path) -> None:
    path = tmp_path / "la.png"
    Image.new("LA", (5, 3), (90, 30)).save(path)
    loaded = load_rgb(path)
    assert loaded.shape == (3, 5, 4)
    assert tuple(loaded[1, 1]) == (90, 90, 90, 30)


def test_grayscale_loads_as_rgb(tmp_path: Path) -> None:
    arr = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    path = save(arr, tmp_path / "grey.png")

    loaded = load_rgb(path)

    assert loaded.shape == (3, 4, 3)
    for channel in range(3):
        np.testing.assert_array_equal(loaded[..., channel], arr)


def test_bilevel_loads_as_black_and_white_rgb(tmp_path: Path) -> None:
    img = Image.new("1", (8, 2), 0)
    img.putpixel((3, 1), 1)
    path = tmp_path / "bits.png"
    img.save(path)

    loaded = load_rgb(path)

    assert loaded.shape == (2, 8, 3)
    assert tuple(loaded[1, 3]) == WHITE
    assert tuple(loaded[0, 0]) == (0, 0, 0)


def test_cmyk_jpeg_loads_as_rgb(tmp_path: Path) -> None:
    path = tmp_path / "print.jpg"
    Image.new("CMYK", (16, 16), (0, 255, 255, 0)).save(path, quality=95)
    assert Image.open(path).mode == "CMYK"

    probe = probe_image(path)
    loaded = load_rgb(path)

    assert probe.ok, probe.error
    assert loaded.shape == (16, 16, 3)
    assert_close(loaded[8, 8], RED)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_sixteen_bit_grey_is_stretched_to_eight_bits(tmp_path: Path, suffix: str) -> None:
    arr = np.array([[1000, 2000], [3000, 3000]], dtype=np.uint16)
    path = save(arr, tmp_path / f"depth{suffix}")
    assert Image.open(path).mode == "I;16"

    probe = probe_image(path)
    loaded = load_rgb(path)

    assert probe.ok, probe.error
    assert loaded.dtype == np.uint8
    assert loaded.shape == (2, 2, 3)
    np.testing.assert_array_equal(loaded[..., 0], [[0, 128], [255, 255]])
    np.testing.assert_array_equal(loaded[..., 0], loaded[..., 2])


def test_constant_sixteen_bit_image_is_black(tmp_path: Path) -> None:
    path = save(np.full((3, 3), 40000, dtype=np.uint16), tmp_path / "flat.png")
    loaded = load_rgb(path)
    assert loaded.shape == (3, 3, 3)
    assert not loaded.any()


def test_float_tiff_is_stretched(tmp_path: Path) -> None:
    arr = np.array([[-1.0, 0.0], [1.0, 1.0]], dtype=np.float32)
    path = save(arr, tmp_path / "float.tif")
    loaded = load_rgb(path)
    np.testing.assert_array_equal(loaded[..., 1], [[0, 128], [255, 255]])


def test_load_rgb_returns_a_writable_array(tmp_path: Path) -> None:
    loaded = load_rgb(save(quadrants(), tmp_path / "a.png"))
    loaded[0, 0] = 0  # the canvas draws into its copy
    assert loaded.flags.c_contiguous


# ------------------------------------------------------------------------- broken files


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.touch()

    probe = probe_image(path)

    assert not probe.ok
    assert probe.error == "empty file (0 bytes)"
    assert probe.size_bytes == 0
    assert probe.width is None and probe.height is None
    with pytest.raises(ImageReadError, match=r"empty file \(0 bytes\)"):
        load_rgb(path)


def test_text_file_named_jpg(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("these are not pixels\n", encoding="utf-8")

    probe = probe_image(path)

    assert not probe.ok
    assert probe.error is not None
    assert probe.error.startswith("not an image file: ")
    assert probe.size_bytes == path.stat().st_size
    assert probe.format is None
    with pytest.raises(ImageReadError, match="not an image file"):
        load_rgb(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "gone.png"
    probe = probe_image(path)
    assert not probe.ok
    assert probe.error == "file not found"
    assert probe.name == "gone.png"
    with pytest.raises(ImageReadError, match="file not found"):
        load_rgb(path)


def test_folder_is_not_an_image(tmp_path: Path) -> None:
    folder = tmp_path / "album.jpg"
    folder.mkdir()
    assert probe_image(folder).error == "not a file: it is a folder"


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "anim.gif"
    Image.new("P", (4, 4)).save(path)

    probe = probe_image(path)

    assert not probe.ok
    assert probe.error is not None
    assert probe.error.startswith("unsupported file type")
    assert "'.gif'" in probe.error
    with pytest.raises(ImageReadError, match="unsupported file type"):
        load_rgb(path)


def test_unsupported_content_with_a_supported_suffix(tmp_path: Path) -> None:
    """A GIF renamed to .png is refused: only the supported decoders are used."""
    path = tmp_path / "anim.png"
    Image.new("P", (4, 4)).save(path, format="GIF")
    probe = probe_image(path)
    assert probe.error is not None
    assert probe.error.startswith("not an image file")


@pytest.fixture
def unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A valid image the current user may not read.

    ``chmod`` is enough for ordinary users; root ignores it, so then opening that one
    path is made to fail the way the operating system would.
    """
    path = save(quadrants(), tmp_path / "locked.png")
    path.chmod(0)
    if os.access(path, os.R_OK):
        real_open: Callable[..., Any] = builtins.open

        def denying_open(file: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(file, (str, os.PathLike)) and Path(file) == path:
                raise PermissionError(13, "Permission denied", os.fspath(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", denying_open)
        monkeypatch.setattr("io.open", denying_open)
    yield path
    path.chmod(0o644)


def test_permission_denied(unreadable: Path) -> None:
    probe = probe_image(unreadable)
    assert not probe.ok
    assert probe.error is not None
    assert probe.error.startswith("permission denied")
    with pytest.raises(ImageReadError, match="permission denied"):
        load_rgb(unreadable)


def test_truncated_jpeg(tmp_path: Path) -> None:
    data = jpeg_bytes(tmp_path)
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])

    probe = probe_image(path)

    assert not probe.ok
    assert probe.error is not None
    assert probe.error.startswith("corrupt or truncated JPEG data")
    assert "truncated" in probe.error
    assert (probe.width, probe.height) == (160, 120)  # the header was still readable
    assert probe.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ImageReadError, match="corrupt or truncated JPEG"):
        load_rgb(path)


def test_zero_padded_jpeg_is_caught_by_the_missing_end_marker(tmp_path: Path) -> None:
    """Zeros decode as valid data; only the absent EOI marker reveals the damage."""
    data = jpeg_bytes(tmp_path)
    cut = len(data) // 3
    path = tmp_path / "padded.jpg"
    path.write_bytes(data[:cut] + bytes(len(data) - cut))

    probe = probe_image(path)

    assert not probe.ok
    assert probe.error is not None
    assert "end-of-image marker is missing" in probe.error


def test_garbled_jpeg_data(tmp_path: Path) -> None:
    data = bytearray(jpeg_bytes(tmp_path))
    data[900:1200] = b"\xff" * 300
    path = tmp_path / "garbled.jpg"
    path.write_bytes(bytes(data))

    probe = probe_image(path)

    assert not probe.ok
    assert probe.error is not None
    assert probe.error.startswith("corrupt or truncated JPEG data")
    with pytest.raises(ImageReadError, match="corrupt"):
        load_rgb(path)


def test_jpeg_with_a_broken_header(tmp_path: Path) -> None:
    path = tmp_path / "header.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00\x02" + b"\x13" * 64)

    probe = probe_image(path)

    assert probe.error == "corrupt JPEG file: its header cannot be read"


def test_data_after_the_end_marker_is_fine(tmp_path: Path) -> None:
    """Phones append motion-photo videos after the JPEG; the picture is still good."""
    path = tmp_path / "motion.jpg"
    path.write_bytes(jpeg_bytes(tmp_path) + b"\x00\x00\x00\x18ftypmp42" + bytes(4096))
    probe = probe_image(path)
    assert probe.ok, probe.error


def test_exif_thumbnail_does_not_hide_a_missing_end_marker(tmp_path: Path) -> None:
    """The EXIF thumbnail is a whole JPEG, end marker included, inside the header."""
    thumb = save(quadrants(), tmp_path / "thumb.jpg").read_bytes()
    rng = np.random.default_rng(11)
    noise = rng.integers(0, 256, size=(120, 160, 3), dtype=np.uint8)
    main = save(noise, tmp_path / "main.jpg", quality=90).read_bytes()
    app1 = b"Exif\x00\x00" + thumb  # not a parsable IFD, but a realistic byte layout
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    data = main[:2] + segment + main[2:]
    cut = len(data) - len(main) // 3
    path = tmp_path / "with_thumb.jpg"
    path.write_bytes(data[:cut] + bytes(len(data) - cut))

    assert b"\xff\xd9" in data[:cut]
    probe = probe_image(path)
    assert probe.error is not None
    assert "end-of-image marker is missing" in probe.error


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("cut", lambda data: data[: len(data) // 2]),
        ("checksum", lambda data: data[:60] + bytes([data[60] ^ 0xFF]) + data[61:]),
    ],
)
def test_corrupt_png(tmp_path: Path, name: str, damage: Callable[[bytes], bytes]) -> None:
    rng = np.random.default_rng(5)
    arr = rng.integers(0, 256, size=(60, 80, 3), dtype=np.uint8)
    data = save(arr, tmp_path / "source.png").read_bytes()
    path = tmp_path / f"{name}.png"
    path.write_bytes(damage(data))

    probe = probe_image(path)

    assert not probe.ok
    assert probe.error is not None
    assert probe.error.startswith("corrupt or truncated PNG data")
    assert (probe.width, probe.height) == (80, 60)


@pytest.mark.parametrize("suffix", [".bmp", ".tif", ".webp"])
def test_truncated_other_formats(tmp_path: Path, suffix: str) -> None:
    rng = np.random.default_rng(9)
    arr = rng.integers(0, 256, size=(60, 80, 3), dtype=np.uint8)
    data = save(arr, tmp_path / f"source{suffix}").read_bytes()
    path = tmp_path / f"cut{suffix}"
    path.write_bytes(data[: len(data) // 2])

    probe = probe_image(path)

    assert not probe.ok
    assert probe.error is not None
    assert probe.error.startswith("corrupt")
    with pytest.raises(ImageReadError, match="corrupt"):
        load_rgb(path)


# ------------------------------------------------------------------ decompression bombs


def test_real_bilevel_png_above_the_default_limit(tmp_path: Path) -> None:
    assert Image.MAX_IMAGE_PIXELS is not None
    assert 10000 * 10000 > Image.MAX_IMAGE_PIXELS  # only warned about by Pillow
    path = write_blank_bilevel_png(tmp_path / "bomb.png", 10000, 10000)
    assert path.stat().st_size < 100_000

    probe = probe_image(path)

    assert not probe.ok
    assert probe.error == (
        "image is 10000 \u00d7 10000 = 100.0 megapixels, above the safety limit of 89.5 megapixels"
    )
    assert (probe.width, probe.height) == (10000, 10000)
    assert probe.format == "PNG"
    with pytest.raises(ImageReadError, match="above the safety limit"):
        load_rgb(path)


def test_real_png_far_above_the_default_limit(tmp_path: Path) -> None:
    """Pillow refuses to open this one at all; the message still gives its size."""
    path = write_blank_bilevel_png(tmp_path / "huge.png", 20000, 20000)

    probe = probe_image(path)

    assert probe.error == (
        "image is 20000 \u00d7 20000 = 400.0 megapixels, above the safety limit of 89.5 megapixels"
    )
    with pytest.raises(ImageReadError, match=r"400\.0 megapixels"):
        load_rgb(path)


@pytest.mark.parametrize(
    ("limit", "case"), [(2000, "warned by Pillow"), (900, "refused by Pillow")]
)
def test_lowered_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int, case: str
) -> None:
    path = save(quadrants(60, 40), tmp_path / "small.png")  # 2400 pixels
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)

    probe = probe_image(path)

    assert probe.error == (
        f"image is 60 \u00d7 40 = 2400 pixels, above the safety limit of {limit} pixels"
    ), case
    with pytest.raises(ImageReadError, match="above the safety limit"):
        load_rgb(path)


def test_lowered_limit_for_webp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save(quadrants(60, 40), tmp_path / "small.webp")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 900)
    probe = probe_image(path)
    assert probe.error is not None
    assert "above the safety limit of 900 pixels" in probe.error


def test_image_just_at_the_limit_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save(quadrants(60, 40), tmp_path / "small.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 2400)
    assert probe_image(path).ok
    assert load_rgb(path).shape == (40, 60, 3)


def test_max_pixels_lowers_the_limit_of_one_load(tmp_path: Path) -> None:
    path = save(quadrants(60, 40), tmp_path / "small.png")
    assert load_rgb(path, max_pixels=2400).shape == (40, 60, 3)
    with pytest.raises(ImageReadError, match="safety limit of 2399 pixels"):
        load_rgb(path, max_pixels=2399)


def test_load_errors_name_the_file_and_are_limner_errors(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.touch()
    with pytest.raises(LimnerError) as caught:
        load_rgb(path)
    assert isinstance(caught.value, ImageReadError)
    assert str(caught.value).startswith("empty.png: ")


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_probe_never_raises(tmp_path: Path) -> None:
    weird = [
        tmp_path / "missing.jpg",
        tmp_path / "no_suffix",
        tmp_path / "dir.png",
        tmp_path / "tiny.png",
        tmp_path / "tiff_magic.tif",
    ]
    weird[1].write_bytes(b"\x89PNG")
    weird[2].mkdir()
    weird[3].write_bytes(b"\x89PNG\r\n\x1a\n")
    weird[4].write_bytes(b"II*\x00\xff\xff\xff\xff")
    for path in weird:
        probe = probe_image(path)
        assert not probe.ok, path
        assert probe.error, path


# ------------------------------------------------------------------------------ scanning


def test_natural_key_orders_numbers_by_value() -> None:
    names = ["img10.jpg", "img2.jpg", "IMG1.jpg", "img1b.jpg", "img02.jpg", "a.jpg"]
    assert sorted(names, key=natural_key) == [
        "a.jpg",
        "IMG1.jpg",
        "img1b.jpg",
        "img02.jpg",
        "img2.jpg",
        "img10.jpg",
    ]


def test_natural_key_never_compares_text_with_numbers() -> None:
    names = ["1", "a", "a1", "1a", "", "a1b2", "a1b", "10", "b"]
    assert sorted(names, key=natural_key) == ["", "1", "1a", "10", "a", "a1", "a1b", "a1b2", "b"]


def _touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")


def test_scan_images_sorts_naturally_and_recurses(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "img10.jpg",
        "img2.jpg",
        "img1.PNG",
        "notes.txt",
        "clip.gif",
        "sub/b3.tiff",
        "sub/b20.webp",
        "sub/deeper/c.bmp",
        "sub9/a.jpeg",
    )

    found = scan_images([tmp_path])

    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "img1.PNG",
        "img2.jpg",
        "img10.jpg",
        "sub/b3.tiff",
        "sub/b20.webp",
        "sub/deeper/c.bmp",
        "sub9/a.jpeg",
    ]


def test_scan_images_without_recursion(tmp_path: Path) -> None:
    _touch(tmp_path, "a.jpg", "sub/b.jpg")
    assert scan_images([tmp_path], recursive=False) == [tmp_path / "a.jpg"]


def test_scan_images_skips_hidden_files_and_folders(tmp_path: Path) -> None:
    _touch(tmp_path, "seen.jpg", ".hidden.jpg", ".thumbs/x.jpg", "sub/.also.png", "sub/ok.png")
    found = scan_images([tmp_path])
    assert found == [tmp_path / "seen.jpg", tmp_path / "sub" / "ok.png"]


def test_scan_images_keeps_explicit_files_whatever_their_suffix(tmp_path: Path) -> None:
    _touch(tmp_path, "folder/a.jpg", "notes.txt", ".hidden.png")
    explicit = [tmp_path / "notes.txt", tmp_path / ".hidden.png", tmp_path / "absent.jpg"]

    found = scan_images([*explicit, tmp_path / "folder"])

    assert found == [*explicit, tmp_path / "folder" / "a.jpg"]


def test_scan_images_removes_duplicates_keeping_first_place(tmp_path: Path) -> None:
    _touch(tmp_path, "a.jpg", "b.jpg")
    found = scan_images([tmp_path / "b.jpg", tmp_path, tmp_path / "." / "a.jpg", tmp_path])
    assert found == [tmp_path / "b.jpg", tmp_path / "a.jpg"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_scan_images_does_not_follow_folder_links(tmp_path: Path) -> None:
    _touch(tmp_path, "sub/a.jpg")
    try:
        (tmp_path / "sub" / "loop").symlink_to(tmp_path, target_is_directory=True)
    except OSError:
        pytest.skip("symbolic links are not permitted here")
    assert scan_images([tmp_path]) == [tmp_path / "sub" / "a.jpg"]


def test_scan_images_accepts_strings(tmp_path: Path) -> None:
    _touch(tmp_path, "a.jpg")
    assert scan_images([str(tmp_path)]) == [tmp_path / "a.jpg"]
