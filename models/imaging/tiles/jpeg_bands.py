"""Decoding a big JPEG's 1/8 scale on every core, when its restart markers allow it.

The coarse levels of a JPEG without a pyramid come from libjpeg's 1/8 DCT scaling, and
even that must entropy-decode the whole file: about 3 s for a 40,000² photo, on one core.
A JPEG with restart markers at the ends of MCU rows (stitchers and tiled exporters write
them; so do limner's own benchmark images) can be cut there into horizontal bands that
decode independently: each band is the file's header (with its frame height) followed by
the entropy-coded data of some MCU rows. A band starting after an RST7 marker expects
RST0 next, as a fresh decoder does, so the bands are cut after RST7 markers only.

Each band claims the whole height and is decoded from the file in place (no copy of the
data): libjpeg pads a band whose data ends early with grey rows, which are cut off once
the restart markers before the cut have been counted, on its own thread. Files of any
other shape return None and are decoded in one piece as before.
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, JpegImagePlugin

MIN_BYTES = 16 * 1024 * 1024
"""Files smaller than this decode fast enough in one piece."""

_HEADER_LIMIT = 4 * 1024 * 1024
_SEARCH_BYTES = 4 * 1024 * 1024
_COUNT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Layout:
    header: bytes  # everything before the entropy-coded data
    height_at: int  # offset of the frame height in the header
    width: int
    height: int
    rows_per_interval: int  # image rows between two restart markers
    data_start: int
    data_end: int  # offset of the EOI marker


def _layout(path: Path) -> _Layout | None:
    """The header facts bands need, or None for a JPEG that cannot be cut."""
    with path.open("rb") as fh:
        head = fh.read(_HEADER_LIMIT)
        fh.seek(-2, os.SEEK_END)
        end = fh.tell()
        if fh.read(2) != b"\xff\xd9":
            return None
    pos, interval, frame = 2, 0, None
    while pos + 4 <= len(head) and head[pos] == 0xFF:
        marker = head[pos + 1]
        (length,) = struct.unpack(">H", head[pos + 2 : pos + 4])
        if marker == 0xDD and length == 4:
            (interval,) = struct.unpack(">H", head[pos + 4 : pos + 6])
        elif marker in (0xC0, 0xC1):
            frame = pos
        elif 0xC2 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return None  # progressive, lossless or arithmetic: not cut
        elif marker == 0xDA:
            return _scan_layout(head, frame, pos, length, interval, end)
        pos += 2 + length
    return None


def _scan_layout(
    head: bytes, frame: int | None, sos: int, length: int, interval: int, end: int
) -> _Layout | None:
    if frame is None or not interval:
        return None
    height, width, components = struct.unpack(">HHB", head[frame + 5 : frame + 10])
    if head[sos + 4] != components:
        return None  # not one interleaved scan: the file has several scans
    factors = head[frame + 10 : frame + 10 + 3 * components]
    h_max = max(factors[i * 3 + 1] >> 4 for i in range(components))
    v_max = max(factors[i * 3 + 1] & 15 for i in range(components))
    mcus_per_row = -(-width // (8 * h_max))
    if components == 1:
        return None  # a grey scan's MCUs are single blocks; not worth the special case
    if interval % mcus_per_row:
        return None  # restarts in the middle of MCU rows
    start = sos + 2 + length
    return _Layout(
        header=head[:start],
        height_at=frame + 5,
        width=width,
        height=height,
        rows_per_interval=interval // mcus_per_row * 8 * v_max,
        data_start=start,
        data_end=end,
    )


class _Spliced(io.RawIOBase):
    """A read-only file made of a header in memory and a range of another file."""

    def __init__(self, parts: Sequence[bytes | tuple[int, int, int]]) -> None:
        self._parts = parts
        self._sizes = [len(p) if isinstance(p, bytes) else p[2] - p[1] for p in parts]
        self._size = sum(self._sizes)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        out = memoryview(buffer).cast("B")
        start = self._pos
        for part, size in zip(self._parts, self._sizes, strict=True):
            if start >= size:
                start -= size
                continue
            n = min(len(out), size - start)
            if isinstance(part, bytes):
                out[:n] = part[start : start + n]
            else:
                fd, first, _last = part
                n = len(data := os.pread(fd, n, first + start))
                out[:n] = data
            self._pos += n
            return n
        return 0


def _cuts(fd: int, layout: _Layout, bands: int) -> list[int]:
    """Offsets of RST7 markers near equal shares of the data, one per cut."""
    cuts: list[int] = []
    span = layout.data_end - layout.data_start
    for k in range(1, bands):
        at = layout.data_start + span * k // bands
        found = os.pread(fd, _SEARCH_BYTES, at).find(b"\xff\xd7")
        if found < 0 or (cuts and at + found <= cuts[-1]):
            return []
        cuts.append(at + found)
    return cuts


def _count_restarts(fd: int, start: int, end: int) -> int:
    """RST markers in the file's bytes [start, end), read a few megabytes at a time."""
    count = 0
    for at in range(start, end, _COUNT_BYTES):
        data = np.frombuffer(os.pread(fd, min(_COUNT_BYTES + 1, end - at), at), np.uint8)
        where = np.flatnonzero(data[:-1] == 0xFF)
        count += int(np.count_nonzero((data[where + 1] & 0xF8) == 0xD0))
    return count


def decode_eighth(path: Path, workers: int | None = None) -> list[tuple[Image.Image, int]] | None:
    """The JPEG at 1/8 scale as horizontal bands (top first), or None if it cannot be cut.

    Each band is a loaded Pillow image and the number of its top rows that belong to the
    picture; together those rows are the rows of the whole 1/8-scale decode.
    """
    if path.stat().st_size < MIN_BYTES:
        return None
    layout = _layout(path)
    bands = max(1, min(4, workers or os.cpu_count() or 1))
    if layout is None or bands < 2:
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        cuts = _cuts(fd, layout, bands)
        if not cuts:
            return None
        starts = [layout.data_start, *(c + 2 for c in cuts)]
        ends = [*cuts, layout.data_end]
        with ThreadPoolExecutor(2 * bands - 1, thread_name_prefix="limner-jpeg") as pool:
            counts = [
                pool.submit(_count_restarts, fd, s, e) for s, e in zip(starts, cuts, strict=False)
            ]
            images = [
                pool.submit(_decode_band, fd, layout, s, e)
                for s, e in zip(starts, ends, strict=True)
            ]
            rows = [(c.result() + 1) * layout.rows_per_interval for c in counts]
            decoded = [f.result() for f in images]
    finally:
        os.close(fd)
    return _trim(decoded, rows, layout)


def _decode_band(fd: int, layout: _Layout, start: int, end: int) -> Image.Image:
    header = bytearray(layout.header)
    header[layout.height_at : layout.height_at + 2] = struct.pack(">H", layout.height)
    # The plugin itself rather than Image.open: the band is the image the caller already
    # allowed, and Pillow's decompression-bomb check would refuse a huge one.
    img = JpegImagePlugin.JpegImageFile(_Spliced([bytes(header), (fd, start, end), b"\xff\xd9"]))
    img.draft(None, (layout.width // 8, layout.height // 8))
    img.load()
    return img


def _trim(
    decoded: list[Image.Image], rows: list[int], layout: _Layout
) -> list[tuple[Image.Image, int]] | None:
    """Each band with the number of its rows that are real (it was decoded as if it were
    the whole height; the rest is libjpeg's grey padding)."""
    if sum(rows) >= layout.height or any(r % 8 for r in rows):
        return None
    heights = [*rows, layout.height - sum(rows)]
    return [(img, -(-band_rows // 8)) for img, band_rows in zip(decoded, heights, strict=True)]
