"""Reading image files: cheap probing, full decoding and folder scanning.

Labeling projects routinely hold thousands of images, some of them broken (a download cut
short, a card that failed mid-write, a text file with the wrong suffix). This module is the
one place that turns such files into either usable data or a message a user can act on:

* :func:`probe_image` runs when images are added to a project. It reads headers, hashes the
  bytes and runs cheap integrity checks, and never raises, so one bad file cannot abort an
  import of many good ones.
* :func:`load_rgb` fully decodes an image for the canvas, as the user would see it (EXIF
  orientation applied), and raises :class:`~models.errors.ImageReadError` when it cannot.
* :func:`scan_images` expands the folders a user drops onto the window into image files.

Sizes are always those of the *oriented* image, because annotations are drawn on what the
user sees, not on the sensor's pixel order.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import stat
import struct
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

from limner.models.errors import ImageReadError

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ImageProbe",
    "load_rgb",
    "natural_key",
    "probe_image",
    "scan_images",
]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp"}
)
"""Lower-case file suffixes limner accepts as images (compare with ``suffix.lower()``)."""

# Pillow is only asked to recognise the formats limner supports. Anything else (EPS, which
# would start Ghostscript, exotic formats with little-tested decoders) is refused as "not an
# image", which keeps the attack surface of opening untrusted files small. JPEG files that
# carry several pictures (3D cameras, some phones) are opened by the JPEG entry and come
# back with the format name "MPO".
_PILLOW_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "TIFF", "WEBP", "BMP")

_HASH_CHUNK = 1024 * 1024
"""Bytes read at a time when hashing, so huge files never sit in memory whole."""

_ORIENTATION_TAG = int(ExifTags.Base.Orientation)

# Magic numbers of the supported formats. They let a file whose header Pillow rejects be
# reported as a damaged image of that format rather than as "not an image" at all.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"),
    (b"MM\x00+", "TIFF"),
    (b"BM", "BMP"),
)

# Exceptions Pillow raises for damaged or unreadable data. ``struct.error`` and
# ``IndexError`` escape from some plugins when headers lie about their own lengths.
_DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    SyntaxError,
    ValueError,
    struct.error,
    IndexError,
    EOFError,
)


@dataclass(frozen=True, slots=True)
class ImageProbe:
    """What limner knows about an image file without decoding all of its pixels.

    A probe of a broken file is still a probe: ``error`` says what is wrong in words meant
    for the user, and every field that could be determined before the problem showed up
    is filled in, so the file list can still show its name, size and dimensions.
    """

    path: Path
    name: str
    width: int | None
    """Width of the image as displayed, i.e. after the EXIF orientation is applied."""
    height: int | None
    """Height of the image as displayed, i.e. after the EXIF orientation is applied."""
    format: str | None
    """Pillow's name for the format found in the file's content (not its suffix)."""
    content_hash: str | None
    """Hex SHA-256 of the file's bytes; identifies the image even if it is renamed."""
    size_bytes: int
    orientation: int
    """EXIF orientation, 1 to 8; 1 when the file has none or an invalid one."""
    error: str | None

    @property
    def ok(self) -> bool:
        """Whether the file can be opened for labeling."""
        return self.error is None


class _ReadFailure(Exception):
    """Internal carrier of a user-facing reason, with whatever was learnt before it."""

    def __init__(
        self,
        reason: str,
        *,
        size: tuple[int, int] | None = None,
        format: str | None = None,
        orientation: int = 1,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.size = size
        self.format = format
        self.orientation = orientation


# ----------------------------------------------------------------------------- helpers


def _oriented(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """Size as displayed: orientations 5-8 turn the image by a quarter, swapping axes."""
    width, height = size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _format_pixels(pixels: int) -> str:
    """Pixel counts in the unit people know from cameras, exact when they are small."""
    if pixels >= 100_000:
        return f"{pixels / 1_000_000:.1f} megapixels"
    return f"{pixels} pixels"


def _too_large(size: tuple[int, int], limit: int) -> str:
    width, height = size
    return (
        f"image is {width} \u00d7 {height} = {_format_pixels(width * height)}, "
        f"above the safety limit of {_format_pixels(limit)}"
    )


def _pixel_limit(max_pixels: int | None) -> int | None:
    """The pixel limit in force: the stricter of Pillow's global one and the caller's."""
    limits = [n for n in (Image.MAX_IMAGE_PIXELS, max_pixels) if n is not None]
    return int(min(limits)) if limits else None


def _sniff_format(prefix: bytes) -> str | None:
    """Name the supported format whose magic number starts ``prefix``, if any."""
    if prefix[:4] == b"RIFF" and prefix[8:12] == b"WEBP":
        return "WEBP"
    for magic, name in _SIGNATURES:
        if prefix.startswith(magic):
            return name
    return None


def _check_file(path: Path) -> int:
    """Return the file's size in bytes, or fail with the reason it cannot be an image.

    Suffix and emptiness are checked before any decoder sees the file, so these common
    cases get a precise message instead of a generic decoding failure.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        raise _ReadFailure("file not found") from None
    except PermissionError:
        raise _ReadFailure("permission denied: cannot access the file") from None
    except OSError as exc:
        raise _ReadFailure(f"cannot access the file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise _ReadFailure("not a file: it is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise _ReadFailure("not a regular file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{path.suffix}'" if path.suffix else "none"
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise _ReadFailure(f"unsupported file type (suffix {shown}; supported: {supported})")
    if st.st_size == 0:
        raise _ReadFailure("empty file (0 bytes)")
    return st.st_size


def _hash_file(path: Path) -> str:
    """Hex SHA-256 of the file, read in 1 MiB chunks to bound memory on huge files."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _read_prefix(path: Path, count: int = 16) -> bytes:
    with path.open("rb") as fh:
        return fh.read(count)


def open_header_unchecked(path: Path) -> ImageFile.ImageFile:
    """Open an image's header with the plugin of its format, bypassing Pillow's bomb check.

    Pillow's check reads the module-wide ``Image.MAX_IMAGE_PIXELS``; changing that for
    one huge image would lift the protection for every other thread at the same time.
    Calling the format's plugin directly skips the check for this file only; callers
    apply limner's own limit unless the user allowed huge images. Raises
    ``UnidentifiedImageError`` when no supported plugin reads the header.
    """
    Image.init()
    with path.open("rb") as fh:
        prefix = fh.read(16)
    for name in _PILLOW_FORMATS:
        if name not in Image.OPEN:
            continue
        factory, accept = Image.OPEN[name]
        accepted = True if accept is None else accept(prefix)
        if not accepted or isinstance(accepted, str):
            continue
        try:
            img = factory(str(path), str(path))
        except (SyntaxError, IndexError, TypeError, ValueError, OSError, EOFError):
            continue
        if isinstance(img, ImageFile.ImageFile):
            return img
        raise _ReadFailure(f"unexpected image object from the {name} plugin")
    raise UnidentifiedImageError(f"cannot identify image file {str(path)!r}")


def _header_size(path: Path) -> tuple[int, int] | None:
    """Read the stored size from the header, without Pillow's decompression-bomb check.

    Pillow refuses to even open an image above twice its pixel limit, and then only
    reports a pixel count; to tell the user the dimensions the header is read with
    :func:`open_header_unchecked`. ``None`` when no plugin reads it.
    """
    try:
        with open_header_unchecked(path) as img:
            return img.size
    except (OSError, UnidentifiedImageError, _ReadFailure, Image.DecompressionBombError):
        return None  # WebP checks its size while opening: no dimensions to report


def _bomb_failure(path: Path, exc: Image.DecompressionBombError, limit: int | None) -> _ReadFailure:
    """Turn Pillow's decompression-bomb refusal into the same message as our own check."""
    shown_limit = limit if limit is not None else Image.MAX_IMAGE_PIXELS
    size = _header_size(path)
    fmt = _sniff_format(_safe_prefix(path))
    if size is not None and shown_limit is not None:
        return _ReadFailure(_too_large(size, int(shown_limit)), size=size, format=fmt)
    match = re.search(r"\((\d+) pixels\)", str(exc))
    if match is not None and shown_limit is not None:
        pixels = int(match.group(1))
        return _ReadFailure(
            f"image is {_format_pixels(pixels)}, "
            f"above the safety limit of {_format_pixels(int(shown_limit))}",
            format=fmt,
        )
    return _ReadFailure(f"image is too large to open safely ({exc})", format=fmt)


def _orientation_of(img: Image.Image) -> int:
    """EXIF orientation of an opened image, read without decoding its pixels.

    PNG is special: Pillow's ``getexif`` decodes the whole image when the header has no
    eXIf chunk, in case one follows the pixel data. The PNG specification asks for eXIf
    before the pixel data, so only a chunk already seen is used.
    """
    if img.format == "PNG" and "exif" not in img.info:
        return 1
    try:
        value = img.getexif().get(_ORIENTATION_TAG, 1)
    except _DECODE_ERRORS:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _open(path: Path, limit: int | None, *, unchecked: bool = False) -> ImageFile.ImageFile:
    """Open the header with Pillow, refusing content of unsupported formats and bombs.

    Pillow only *warns* between one and two times its pixel limit; limner treats that
    range as an error too, with its own explicit check, so the warning is silenced here.
    It is ignored rather than turned into an exception because ``catch_warnings`` is not
    thread-safe: if probes run in parallel, a filter can outlive its block, and a leaked
    "ignore" for this one warning is harmless where a leaked "error" would not be.
    """
    try:
        if unchecked:
            img = open_header_unchecked(path)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                img = Image.open(path, formats=_PILLOW_FORMATS)
    except Image.DecompressionBombError as exc:
        raise _bomb_failure(path, exc, limit) from None
    except UnidentifiedImageError:
        raise _unidentified(path) from None
    except PermissionError:
        raise _ReadFailure("permission denied: cannot read the file") from None
    except _DECODE_ERRORS as exc:
        fmt = _sniff_format(_safe_prefix(path))
        raise _ReadFailure(_corrupt(fmt, exc), format=fmt) from None
    if limit is not None and img.width * img.height > limit:
        orientation = _orientation_of(img)
        size = _oriented(img.size, orientation)
        fmt = img.format
        img.close()
        raise _ReadFailure(_too_large(size, limit), size=size, format=fmt, orientation=orientation)
    return img


def _safe_prefix(path: Path) -> bytes:
    try:
        return _read_prefix(path)
    except OSError:
        return b""


def _unidentified(path: Path) -> _ReadFailure:
    """Pillow recognised nothing: a damaged header of a known format, or not an image."""
    fmt = _sniff_format(_safe_prefix(path))
    if fmt is not None:
        return _ReadFailure(
            f"corrupt {_display_format(fmt)} file: its header cannot be read", format=fmt
        )
    return _ReadFailure(
        "not an image file: the content is not JPEG, PNG, TIFF, WebP or BMP data "
        "(whatever its name says)"
    )


def _display_format(fmt: str | None) -> str:
    names = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "TIFF": "TIFF", "WEBP": "WebP"}
    return names.get(fmt or "", fmt or "image")


def _corrupt(fmt: str | None, exc: BaseException) -> str:
    detail = str(exc).strip() or type(exc).__name__
    return f"corrupt or truncated {_display_format(fmt)} data ({detail})"


def _jpeg_scan_start(data: mmap.mmap) -> int | None:
    """Offset of the first start-of-scan marker, found by walking the header segments.

    A plain search would be fooled by the EXIF thumbnail, itself a complete JPEG inside
    the APP1 segment.
    """
    pos, end = 2, len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0xDA:
            return pos
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
    return None


def _check_jpeg_end(path: Path) -> None:
    """Fail unless an end-of-image marker follows the compressed data.

    A file cut short and padded with zeros (a typical memory-card failure) decodes
    without complaint, because zeros are valid compressed data. Such a file lacks the EOI
    marker. Data *after* the marker is allowed: phones append motion-photo videos there.
    """
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        start = _jpeg_scan_start(data)
        if start is None:
            raise _ReadFailure("corrupt JPEG data (no image data found)", format="JPEG")
        if data.find(b"\xff\xd9", start) < 0:
            raise _ReadFailure(
                "corrupt or truncated JPEG data (the end-of-image marker is missing)",
                format="JPEG",
            )


def _check_integrity(
    path: Path, fmt: str, size: tuple[int, int], *, unchecked: bool = False
) -> None:
    """Catch damaged pixel data as cheaply as each format allows.

    PNG carries checksums that ``verify`` checks without inflating the pixels. JPEG has
    none, so it is decoded at 1/8 scale (libjpeg then skips most of the work) and checked
    for its end marker. TIFF, WebP and BMP offer neither shortcut and are decoded in full;
    they are rare in labeling data and would otherwise fail later, on the canvas.
    """

    def opener(file: Path) -> ImageFile.ImageFile:
        if unchecked:
            return open_header_unchecked(file)
        return Image.open(file, formats=_PILLOW_FORMATS)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with opener(path) as img:
            img.verify()
        if fmt in ("JPEG", "MPO"):
            with opener(path) as img:
                img.draft("RGB", (max(1, size[0] // 8), max(1, size[1] // 8)))
                img.load()
            _check_jpeg_end(path)
        elif fmt != "PNG":
            with opener(path) as img:
                img.load()


# ------------------------------------------------------------------------------ probing


TOO_LARGE_MARK = "above the safety limit"
"""Part of the reason given for images over Pillow's limit (the app offers to allow them)."""


def is_too_large(reason: str | None) -> bool:
    return bool(reason) and TOO_LARGE_MARK in str(reason)


def _probe_tiff(path: Path) -> ImageProbe | None:
    """Tiled or very large TIFFs: size from tifffile's header, no whole-image decode.

    They are displayed tile by tile, so neither the decompression-bomb limit nor a full
    decode at import makes sense for them. None: let Pillow handle the file.
    """
    try:
        import tifffile
    except ImportError:
        return None
    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages.first
            width, height = int(page.imagewidth), int(page.imagelength)
            tag = page.tags.get(274)
            orientation = int(tag.value) if tag is not None else 1
            tiled = bool(page.is_tiled)
    except (tifffile.TiffFileError, OSError, ValueError, IndexError, KeyError):
        return None
    if not tiled and width * height <= (Image.MAX_IMAGE_PIXELS or 0):
        return None
    width, height = _oriented((width, height), orientation)
    return ImageProbe(
        path=path,
        name=path.name,
        width=width,
        height=height,
        format="TIFF",
        content_hash=_hash_file(path),
        size_bytes=path.stat().st_size,
        orientation=orientation,
        error=None,
    )


def probe_image(path: Path | str, *, allow_huge: bool = False) -> ImageProbe:
    """Describe an image file and check that it is readable, without ever raising.

    The size comes from the header; the pixel data is checked with the cheap per-format
    tests of :func:`_check_integrity`, so that a broken file is flagged when it is added
    to a project rather than when someone tries to label it. ``allow_huge`` lifts the
    decompression-bomb limit (after the user allowed very large images in the project).
    """
    path = Path(path)
    if path.suffix.lower() in (".tif", ".tiff") and path.is_file():
        tiff = _probe_tiff(path)
        if tiff is not None:
            return tiff
    size_bytes = 0
    content_hash: str | None = None
    size: tuple[int, int] | None = None
    fmt: str | None = None
    orientation = 1
    try:
        size_bytes = _check_file(path)
        try:
            content_hash = _hash_file(path)
        except PermissionError:
            raise _ReadFailure("permission denied: cannot read the file") from None
        except OSError as exc:
            raise _ReadFailure(f"cannot read the file: {exc.strerror or exc}") from None
        limit = None if allow_huge else Image.MAX_IMAGE_PIXELS
        with _open(path, limit, unchecked=allow_huge) as img:
            fmt = img.format
            orientation = _orientation_of(img)
            size = _oriented(img.size, orientation)
            raw_size = img.size
        try:
            _check_integrity(path, fmt or "", raw_size, unchecked=allow_huge)
        except Image.DecompressionBombError as exc:
            raise _bomb_failure(path, exc, Image.MAX_IMAGE_PIXELS) from None
        except PermissionError:
            raise _ReadFailure("permission denied: cannot read the file") from None
        except _DECODE_ERRORS as exc:
            raise _ReadFailure(_corrupt(fmt, exc)) from None
    except _ReadFailure as failure:
        return ImageProbe(
            path=path,
            name=path.name,
            width=(failure.size or size or (None, None))[0],
            height=(failure.size or size or (None, None))[1],
            format=failure.format or fmt,
            content_hash=content_hash,
            size_bytes=size_bytes,
            orientation=failure.orientation if failure.size else orientation,
            error=failure.reason,
        )
    assert size is not None
    return ImageProbe(
        path=path,
        name=path.name,
        width=size[0],
        height=size[1],
        format=fmt,
        content_hash=content_hash,
        size_bytes=size_bytes,
        orientation=orientation,
        error=None,
    )


# ------------------------------------------------------------------------------ loading


def _scale_to_uint8(values: np.ndarray) -> np.ndarray:
    """Stretch high-bit-depth grey levels to 0-255 by their own minimum and maximum.

    Scientific and depth images rarely use their full 16-bit range, so a fixed shift
    would show them black; min/max stretching makes their content visible. A constant
    image has no contrast to stretch and becomes black.
    """
    data = values.astype(np.float64)
    finite = np.isfinite(data)
    if not finite.any():
        return np.zeros(values.shape, dtype=np.uint8)
    low = float(data[finite].min())
    high = float(data[finite].max())
    if high <= low:
        return np.zeros(values.shape, dtype=np.uint8)
    scaled = (np.where(finite, data, low) - low) * (255.0 / (high - low))
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _to_array(img: Image.Image) -> np.ndarray:
    """Convert any decoded mode to uint8 RGB, or RGBA when the image carries alpha."""
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        grey = _scale_to_uint8(np.asarray(img))
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    target = "RGBA" if img.has_transparency_data else "RGB"
    if img.mode != target:
        img = img.convert(target)
    return np.array(img, dtype=np.uint8)


def load_rgb(path: Path | str, *, max_pixels: int | None = None) -> np.ndarray:
    """Decode an image as displayed: EXIF orientation applied, 8 bits per channel.

    Returns an ``(H, W, 3)`` uint8 RGB array, or ``(H, W, 4)`` RGBA when the image has an
    alpha channel or a transparent palette entry, so the canvas can show a checkerboard.

    ``max_pixels`` lowers the pixel limit for this call (a preview may want to stay
    small). It cannot raise it: the ceiling is Pillow's ``Image.MAX_IMAGE_PIXELS``, set
    application-wide, so that :func:`probe_image` and this function agree on which images
    can be opened.

    Raises :class:`ImageReadError` with a user-facing message for any unreadable file.
    """
    path = Path(path)
    limit = _pixel_limit(max_pixels)
    try:
        _check_file(path)
        with _open(path, limit) as img:
            fmt = img.format
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                    img.load()
                    oriented = ImageOps.exif_transpose(img)
                return _to_array(oriented)
            except Image.DecompressionBombError as exc:
                raise _bomb_failure(path, exc, limit) from None
            except PermissionError:
                raise _ReadFailure("permission denied: cannot read the file") from None
            except _DECODE_ERRORS as exc:
                raise _ReadFailure(_corrupt(fmt, exc)) from None
    except _ReadFailure as failure:
        raise ImageReadError(f"{path.name}: {failure.reason}") from None


# ----------------------------------------------------------------------------- scanning

_NUMBER_RUN = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[str | int, ...], str]:
    """Sort key that orders digit runs by value, so "img2" comes before "img10".

    Text is compared case-insensitively. Splitting on digit runs always yields text at
    even positions and numbers at odd ones, so keys never compare a str with an int; the
    name itself breaks ties such as "img02" against "img2", keeping the order total.
    """
    parts = _NUMBER_RUN.split(name)
    key = tuple(int(part) if i % 2 else part.casefold() for i, part in enumerate(parts))
    return key, name


def _is_hidden(entry: os.DirEntry[str]) -> bool:
    """Dot-files everywhere, plus files flagged hidden on Windows."""
    if entry.name.startswith("."):
        return True
    attributes = getattr(entry.stat(follow_symlinks=False), "st_file_attributes", 0)
    return bool(attributes & getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0))


def _walk(folder: Path, recursive: bool) -> Iterator[tuple[tuple[str, ...], Path]]:
    """Yield (relative parts, path) of the image files under ``folder``.

    Symbolic links to folders are not followed, so a link back to a parent cannot make
    the scan loop forever; unreadable folders are skipped rather than failing the scan.
    """
    pending: list[tuple[Path, tuple[str, ...]]] = [(folder, ())]
    while pending:
        current, prefix = pending.pop()
        try:
            with os.scandir(current) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            try:
                if _is_hidden(entry):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if recursive:
                        pending.append((Path(entry.path), (*prefix, entry.name)))
                elif (
                    entry.is_file()
                    and os.path.splitext(entry.name)[1].lower() in SUPPORTED_SUFFIXES
                ):
                    yield (*prefix, entry.name), Path(entry.path)
            except OSError:
                continue


def scan_images(paths: Iterable[Path | str], recursive: bool = True) -> list[Path]:
    """Expand folders into their image files, keeping the order the user gave.

    Each folder's images are sorted naturally by their path inside it. Files named
    explicitly are kept whatever their suffix, so that :func:`probe_image` can tell the
    user why one is refused instead of it vanishing silently. Hidden files and folders
    are skipped inside folders. A file reached twice (through two arguments, or through
    a link) is listed once, where it first appears.
    """
    result: list[Path] = []
    seen: set[str] = set()

    def add(path: Path) -> None:
        try:
            key = os.path.normcase(os.fspath(path.resolve()))
        except (OSError, RuntimeError):
            key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            result.append(path)

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                _walk(path, recursive),
                key=lambda item: tuple(natural_key(part) for part in item[0]),
            )
            for _, image in found:
                add(image)
        else:
            add(path)
    return result
