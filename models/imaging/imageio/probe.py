"""Probing an image file: what it is and whether it can be read, without ever raising.

A probe runs when images are added to a project. It reads the header, hashes the bytes
and checks the pixel data as cheaply as each format allows, so a broken file is flagged
when it is added rather than when someone tries to label it, and one bad file cannot abort
an import of many good ones. A failed probe keeps everything learnt before the problem.
"""

from __future__ import annotations

import mmap
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile

from limner.models.imaging.imageio.files import check_file
from limner.models.imaging.imageio.header import (
    DECODE_ERRORS,
    PILLOW_FORMATS,
    bomb_failure,
    open_header_unchecked,
    open_image,
    orientation_of,
    oriented_size,
)
from limner.models.imaging.imageio.identity import content_hash
from limner.models.imaging.imageio.reasons import ReadFailure, corrupt_reason


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
            raise ReadFailure("corrupt JPEG data (no image data found)", format="JPEG")
        if data.find(b"\xff\xd9", start) < 0:
            raise ReadFailure(
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
        return Image.open(file, formats=PILLOW_FORMATS)

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
    width, height = oriented_size((width, height), orientation)
    return ImageProbe(
        path=path,
        name=path.name,
        width=width,
        height=height,
        format="TIFF",
        content_hash=content_hash(path),
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
    found = _Findings()
    try:
        _examine(path, found, allow_huge=allow_huge)
    except ReadFailure as failure:
        return _failed_probe(path, found, failure)
    assert found.size is not None
    return ImageProbe(
        path=path,
        name=path.name,
        width=found.size[0],
        height=found.size[1],
        format=found.format,
        content_hash=found.content_hash,
        size_bytes=found.size_bytes,
        orientation=found.orientation,
        error=None,
    )


@dataclass(slots=True)
class _Findings:
    """What a probe has learnt so far; kept when a later check fails, to be shown anyway."""

    size_bytes: int = 0
    content_hash: str | None = None
    size: tuple[int, int] | None = None
    format: str | None = None
    orientation: int = 1


def _examine(path: Path, found: _Findings, *, allow_huge: bool) -> None:
    """Check the file, hash it, read its header and check its pixel data, in that order.

    Each step records what it learnt in ``found`` before the next one runs, and the first
    problem ends the examination with a :class:`ReadFailure` giving its reason.
    """
    found.size_bytes = check_file(path)
    try:
        found.content_hash = content_hash(path)
    except PermissionError:
        raise ReadFailure("permission denied: cannot read the file") from None
    except OSError as exc:
        raise ReadFailure(f"cannot read the file: {exc.strerror or exc}") from None
    limit = None if allow_huge else Image.MAX_IMAGE_PIXELS
    with open_image(path, limit, unchecked=allow_huge) as img:
        found.format = img.format
        found.orientation = orientation_of(img)
        found.size = oriented_size(img.size, found.orientation)
        raw_size = img.size
    try:
        _check_integrity(path, found.format or "", raw_size, unchecked=allow_huge)
    except Image.DecompressionBombError as exc:
        raise bomb_failure(path, exc, Image.MAX_IMAGE_PIXELS) from None
    except PermissionError:
        raise ReadFailure("permission denied: cannot read the file") from None
    except DECODE_ERRORS as exc:
        raise ReadFailure(corrupt_reason(found.format, exc)) from None


def _failed_probe(path: Path, found: _Findings, failure: ReadFailure) -> ImageProbe:
    """The probe of a file that failed a check: its reason, and all that was learnt."""
    size = failure.size or found.size or (None, None)
    return ImageProbe(
        path=path,
        name=path.name,
        width=size[0],
        height=size[1],
        format=failure.format or found.format,
        content_hash=found.content_hash,
        size_bytes=found.size_bytes,
        orientation=failure.orientation if failure.size else found.orientation,
        error=failure.reason,
    )
