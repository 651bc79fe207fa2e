"""Turning the files and folders a user drops onto the window into image files.

Folders are walked without following links and without failing on unreadable parts, and
their images come in natural order ("img2" before "img10"); files named explicitly are
kept whatever they are, so that a probe can say why one is refused.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from limner.models.imaging.imageio.files import SUPPORTED_SUFFIXES

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


def _dangling_link(entry: os.DirEntry[str]) -> bool:
    """A symbolic link whose target cannot be reached (a loop, or nothing there)."""
    if not entry.is_symlink():
        return False
    try:
        os.stat(entry.path)
    except OSError:
        return True
    return False


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
                elif os.path.splitext(entry.name)[1].lower() in SUPPORTED_SUFFIXES and (
                    _dangling_link(entry) or entry.is_file()
                ):
                    # A link that loops or points nowhere is listed too: probing it then
                    # says why it is skipped, instead of it vanishing without a word.
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
