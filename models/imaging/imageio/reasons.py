"""The words for why an image cannot be read, and the exception that carries them.

Every reading step reports a problem as a :class:`ReadFailure` holding a reason meant for
the user, plus what it had learnt (size, format, orientation), so that a probe of a broken
file can still show its dimensions. The wording lives in one place so that the probe, the
decoder and the tile readers describe the same problem in the same words.
"""

from __future__ import annotations


class ReadFailure(Exception):
    """A user-facing reason a file cannot be read, with whatever was learnt before it."""

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


def format_pixels(pixels: int) -> str:
    """Pixel counts in the unit people know from cameras, exact when they are small."""
    if pixels >= 100_000:
        return f"{pixels / 1_000_000:.1f} megapixels"
    return f"{pixels} pixels"


def too_large_reason(size: tuple[int, int], limit: int) -> str:
    width, height = size
    return (
        f"image is {width} \u00d7 {height} = {format_pixels(width * height)}, "
        f"above the safety limit of {format_pixels(limit)}"
    )


def display_format(fmt: str | None) -> str:
    names = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "TIFF": "TIFF", "WEBP": "WebP"}
    return names.get(fmt or "", fmt or "image")


def corrupt_reason(fmt: str | None, exc: BaseException) -> str:
    detail = str(exc).strip() or type(exc).__name__
    return f"corrupt or truncated {display_format(fmt)} data ({detail})"


TOO_LARGE_MARK = "above the safety limit"
"""Part of the reason given for images over Pillow's limit (the app offers to allow them)."""


def is_too_large(reason: str | None) -> bool:
    return bool(reason) and TOO_LARGE_MARK in str(reason)
