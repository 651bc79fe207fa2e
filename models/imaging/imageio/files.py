"""The file itself, before any decoder sees it: type, size, magic number.

Suffix, folder and emptiness are checked first, so these common cases get a precise
message instead of a generic decoding failure; the magic number lets a damaged file be
named as a damaged image of its format rather than as "not an image".
"""

from __future__ import annotations

import stat
from pathlib import Path

from limner.models.imaging.imageio.reasons import ReadFailure

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp"}
)
"""Lower-case file suffixes limner accepts as images (compare with ``suffix.lower()``)."""

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


def sniff_format(prefix: bytes) -> str | None:
    """Name the supported format whose magic number starts ``prefix``, if any."""
    if prefix[:4] == b"RIFF" and prefix[8:12] == b"WEBP":
        return "WEBP"
    for magic, name in _SIGNATURES:
        if prefix.startswith(magic):
            return name
    return None


def check_file(path: Path) -> int:
    """Return the file's size in bytes, or fail with the reason it cannot be an image.

    Suffix and emptiness are checked before any decoder sees the file, so these common
    cases get a precise message instead of a generic decoding failure.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ReadFailure("file not found") from None
    except PermissionError:
        raise ReadFailure("permission denied: cannot access the file") from None
    except OSError as exc:
        raise ReadFailure(f"cannot access the file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReadFailure("not a file: it is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise ReadFailure("not a regular file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{path.suffix}'" if path.suffix else "none"
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise ReadFailure(f"unsupported file type (suffix {shown}; supported: {supported})")
    if st.st_size == 0:
        raise ReadFailure("empty file (0 bytes)")
    return st.st_size


def read_prefix(path: Path, count: int = 16) -> bytes:
    with path.open("rb") as fh:
        return fh.read(count)


def safe_prefix(path: Path) -> bytes:
    try:
        return read_prefix(path)
    except OSError:
        return b""
