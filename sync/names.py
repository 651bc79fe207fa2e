"""Names that come from a server, made safe to show and to use on disk.

A server is another party: an image, class or project name it sends may hold NUL bytes,
terminal escapes, line breaks or bidi overrides (which make ``gnp.exe`` look like
``exe.png``), may be empty, or may be megabytes long. Everything here is pure and total:
every function returns a usable string for any input and never raises.

- :func:`strip_controls` drops the characters that change how text is displayed rather
  than what it says: C0 and C1 controls, DEL, the bidi embedding/override/isolate
  controls and marks, and the byte-order mark. Line breaks and tabs become spaces so that
  words do not run together.
- :func:`clean_name` is for names shown in the window or stored in the project.
- :func:`safe_filename` is for names used as one path component on disk.
- :func:`one_line` is for free text (error messages) shown in a status bar or a log line.
"""

from __future__ import annotations

import re
import unicodedata

NAME_LIMIT = 255
FILENAME_LIMIT_BYTES = 200  # below the 255-byte limit of common file systems, room for suffixes
_EXT_LIMIT = 16

# Bidi embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), the marks that
# steer them (LRM, RLM, ALM) and the byte-order mark: invisible, and able to reorder text.
_FORMAT_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c", "\ufeff"]
)
_SPACING_CONTROLS = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\u2028\u2029")
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)
_UNSAFE_IN_FILENAME = re.compile(r'[/\\:*?"<>|]')
_DOTS = re.compile(r"\.{2,}")
_SPACES = re.compile(r"\s+")


def strip_controls(text: str) -> str:
    """``text`` without control and bidi-format characters; line breaks and tabs become spaces."""
    out: list[str] = []
    for ch in text:
        if ch in _SPACING_CONTROLS:
            out.append(" ")
        elif ch in _FORMAT_CONTROLS or unicodedata.category(ch) == "Cc":
            continue
        else:
            out.append(ch)
    return "".join(out)


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip()


def clean_name(text: str | None, fallback: str, *, limit: int = NAME_LIMIT) -> str:
    """A name from a server, fit to show: no control characters, trimmed, at most ``limit``
    characters; ``fallback`` (cleaned the same way) when nothing is left or ``text`` is not
    a string at all."""
    cleaned = _cap(strip_controls(text).strip(), limit) if isinstance(text, str) else ""
    if cleaned:
        return cleaned
    backup = _cap(strip_controls(str(fallback)).strip(), limit)
    return backup or "unnamed"


def _cap_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def safe_filename(text: str | None, *, fallback: str = "unnamed") -> str:
    """One path component made from a server name, safe on Linux, macOS and Windows.

    No path separators or characters Windows refuses (they become ``_``), no ``..``, no
    leading dot (no hidden files, no ``.`` or ``..``), no trailing dot or space, no device
    name such as ``CON``; at most 200 bytes in UTF-8 with the extension kept; never empty.
    """
    name = strip_controls(text) if isinstance(text, str) else ""
    name = _UNSAFE_IN_FILENAME.sub("_", name)
    name = _DOTS.sub(".", name)
    name = name.strip().lstrip(".").rstrip(". ")
    if not name:
        name = _UNSAFE_IN_FILENAME.sub("_", strip_controls(fallback)).strip(". ") or "unnamed"
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > _EXT_LIMIT:
        stem, ext = name, ""
    if stem.split(".", 1)[0].rstrip().upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    suffix = f".{ext}" if ext else ""
    stem = _cap_bytes(stem, FILENAME_LIMIT_BYTES - len(suffix.encode("utf-8"))).rstrip(". ")
    return (stem or "_") + suffix


def one_line(text: str, limit: int = 300) -> str:
    """Free text as one short line: controls removed, runs of white space collapsed, cut at
    ``limit`` characters with an ellipsis."""
    flat = _SPACES.sub(" ", strip_controls(text)).strip()
    if len(flat) <= limit:
        return flat
    return flat[: max(limit - 1, 0)].rstrip() + "…"
