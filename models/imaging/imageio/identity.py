"""What makes two image files the same image: the content hash stored with each image.

The hash decides three things: a file already in the project is skipped when it is added
again (under any name or folder), labels found in a dataset are matched to the image with
the same content, and the disk cache of a pyramid is keyed by it so a moved file keeps its
tiles. Sync does not use it (a remote image is known by its server's id).

Files up to :data:`FULL_HASH_LIMIT` (64 MiB, every photograph and most scans) are hashed
whole: the SHA-256 of their bytes, as limner always did. Bigger files are identified by a
partial hash instead, since reading 5 GB to add one image took a minute: the SHA-256 of a
domain tag, the file's size, its first and last MiB and :data:`WINDOWS` windows of 256
KiB spread evenly between them (about 6 MiB read, wherever the file is).

Why that is enough: the first and last MiB hold every header, tag directory and strip or
tile offset table of TIFF, BigTIFF, JPEG and PNG files, so two files with a different
layout, size, compression or metadata differ there; two different pictures of exactly the
same byte size differ in every window of their pixel data. What it can miss is a file
changed in place without changing its size or any sampled byte (a few pixels retouched
in an uncompressed TIFF, outside the windows). Then the changed file counts as the
unchanged one: adding it beside the original is reported as a duplicate and skipped, and
its pyramid cache is reused. The tag makes a partial hash differ from the full hash of any
file, and the limit is fixed, so the same file always gets the same identity; a big file
added by an older limner (full hash) and added again is not recognised as a duplicate.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

FULL_HASH_LIMIT = 64 * 1024 * 1024
EDGE = 1024 * 1024
WINDOW = 256 * 1024
WINDOWS = 16
_CHUNK = 1024 * 1024
_TAG = b"limner partial content hash v1\n"


def content_hash(path: Path) -> str:
    """The image's identity as 64 hex digits: full SHA-256, or the partial one if big."""
    with path.open("rb") as fh:
        size = fh.seek(0, 2)
        fh.seek(0)
        if size <= FULL_HASH_LIMIT:
            digest = hashlib.sha256()
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
            return digest.hexdigest()
        digest = hashlib.sha256(_TAG + f"{size}\n".encode())
        for offset, length in sampled_ranges(size):
            fh.seek(offset)
            digest.update(fh.read(length))
        return digest.hexdigest()


def sampled_ranges(size: int) -> list[tuple[int, int]]:
    """(offset, length) of the bytes a partial hash reads, in file order."""
    ranges = [(0, EDGE)]
    inner = size - 2 * EDGE - WINDOW
    for k in range(1, WINDOWS + 1):
        ranges.append((EDGE + inner * k // (WINDOWS + 1), WINDOW))
    ranges.append((size - EDGE, EDGE))
    return ranges
