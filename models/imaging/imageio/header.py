"""Opening an image's header with Pillow, safely: supported formats only, bombs refused.

Pillow is asked only for the formats limner supports, which keeps the attack surface of
opening untrusted files small, and images above the pixel limit are refused with their
dimensions in the message. The limit can be bypassed for one file without touching
Pillow's process-wide setting, which other threads rely on. Sizes and orientations are
those of the image as displayed.
"""

from __future__ import annotations

import re
import struct
import warnings
from pathlib import Path

from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError

from limner.models.imaging.imageio.files import safe_prefix, sniff_format
from limner.models.imaging.imageio.reasons import (
    ReadFailure,
    corrupt_reason,
    display_format,
    format_pixels,
    too_large_reason,
)

# Pillow is only asked to recognise the formats limner supports. Anything else (EPS, which
# would start Ghostscript, exotic formats with little-tested decoders) is refused as "not an
# image", which keeps the attack surface of opening untrusted files small. JPEG files that
# carry several pictures (3D cameras, some phones) are opened by the JPEG entry and come
# back with the format name "MPO".
PILLOW_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "TIFF", "WEBP", "BMP")

_ORIENTATION_TAG = int(ExifTags.Base.Orientation)

# Exceptions Pillow raises for damaged or unreadable data. ``struct.error`` and
# ``IndexError`` escape from some plugins when headers lie about their own lengths.
DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    SyntaxError,
    ValueError,
    struct.error,
    IndexError,
    EOFError,
)


def oriented_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """Size as displayed: orientations 5-8 turn the image by a quarter, swapping axes."""
    width, height = size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def pixel_limit(max_pixels: int | None) -> int | None:
    """The pixel limit in force: the stricter of Pillow's global one and the caller's."""
    limits = [n for n in (Image.MAX_IMAGE_PIXELS, max_pixels) if n is not None]
    return int(min(limits)) if limits else None


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
    for name in PILLOW_FORMATS:
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
        raise ReadFailure(f"unexpected image object from the {name} plugin")
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
    except (OSError, UnidentifiedImageError, ReadFailure, Image.DecompressionBombError):
        return None  # WebP checks its size while opening: no dimensions to report


def bomb_failure(path: Path, exc: Image.DecompressionBombError, limit: int | None) -> ReadFailure:
    """Turn Pillow's decompression-bomb refusal into the same message as our own check."""
    shown_limit = limit if limit is not None else Image.MAX_IMAGE_PIXELS
    size = _header_size(path)
    fmt = sniff_format(safe_prefix(path))
    if size is not None and shown_limit is not None:
        return ReadFailure(too_large_reason(size, int(shown_limit)), size=size, format=fmt)
    match = re.search(r"\((\d+) pixels\)", str(exc))
    if match is not None and shown_limit is not None:
        pixels = int(match.group(1))
        return ReadFailure(
            f"image is {format_pixels(pixels)}, "
            f"above the safety limit of {format_pixels(int(shown_limit))}",
            format=fmt,
        )
    return ReadFailure(f"image is too large to open safely ({exc})", format=fmt)


def orientation_of(img: Image.Image) -> int:
    """EXIF orientation of an opened image, read without decoding its pixels.

    PNG is special: Pillow's ``getexif`` decodes the whole image when the header has no
    eXIf chunk, in case one follows the pixel data. The PNG specification asks for eXIf
    before the pixel data, so only a chunk already seen is used.
    """
    if img.format == "PNG" and "exif" not in img.info:
        return 1
    try:
        value = img.getexif().get(_ORIENTATION_TAG, 1)
    except DECODE_ERRORS:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def open_image(path: Path, limit: int | None, *, unchecked: bool = False) -> ImageFile.ImageFile:
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
                img = Image.open(path, formats=PILLOW_FORMATS)
    except Image.DecompressionBombError as exc:
        raise bomb_failure(path, exc, limit) from None
    except UnidentifiedImageError:
        raise _unidentified(path) from None
    except PermissionError:
        raise ReadFailure("permission denied: cannot read the file") from None
    except DECODE_ERRORS as exc:
        fmt = sniff_format(safe_prefix(path))
        raise ReadFailure(corrupt_reason(fmt, exc), format=fmt) from None
    if limit is not None and img.width * img.height > limit:
        orientation = orientation_of(img)
        size = oriented_size(img.size, orientation)
        fmt = img.format
        img.close()
        raise ReadFailure(
            too_large_reason(size, limit), size=size, format=fmt, orientation=orientation
        )
    return img


def _unidentified(path: Path) -> ReadFailure:
    """Pillow recognised nothing: a damaged header of a known format, or not an image."""
    fmt = sniff_format(safe_prefix(path))
    if fmt is not None:
        return ReadFailure(
            f"corrupt {display_format(fmt)} file: its header cannot be read", format=fmt
        )
    return ReadFailure(
        "not an image file: the content is not JPEG, PNG, TIFF, WebP or BMP data "
        "(whatever its name says)"
    )
