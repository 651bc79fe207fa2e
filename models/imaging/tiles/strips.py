"""Reading an image from top to bottom a strip of rows at a time, never whole.

A 20,000² RGB PNG is 1.2 GB of pixels, and Pillow can only decode a PNG into one image
of its full size. Two readers avoid that:

* :class:`VipsStrips` asks libvips (the optional ``pyvips`` package, ``limner[vips]``)
  for the rows in order; libvips decodes PNG and TIFF sequentially with a small window of
  rows, and is the faster of the two.
* :class:`PngStrips` needs nothing but Pillow and zlib: it inflates the PNG's pixel data
  itself, cuts the filtered rows into strips, and has Pillow unfilter each strip as a
  small PNG of its own whose first row is the last row of the previous strip (stored
  unfiltered), which is all PNG's row filters ever look back at.

Both yield the rows exactly as :class:`PillowTileSource` would have them after its
whole decode (same channel layout, same dtype), so a pyramid built from strips is the
same pixels. :func:`open_strips` picks one, or returns None when the file must be
decoded whole (interlaced, packed bit depths, 16-bit colour, a rotated image).
"""

from __future__ import annotations

import importlib.util
import io
import logging
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

import numpy as np
from PIL import Image

from limner.models.imaging.tiles.pixels import MODE_CHANNELS, Mode, as_3d, native_dtype

_log = logging.getLogger(__name__)

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_READ_BYTES = 1 << 20
"""Compressed bytes read from the file at a time."""

_STRIP_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
"""Samples per pixel of each PNG colour type (palette indices count as one)."""


class StripReader(Protocol):
    """Rows of an image in order, each strip an (n, width, channels) array."""

    width: int
    height: int
    mode: Mode
    dtype: np.dtype

    def strips(self, rows: int) -> Iterator[np.ndarray]: ...


class StripFormatError(Exception):
    """The file is not what its header promised (a damaged PNG, a truncated stream)."""


def vips_available() -> bool:
    """Whether libvips can be used: the optional ``pyvips`` package is installed."""
    return importlib.util.find_spec("pyvips") is not None


def open_strips(
    path: Path, target: tuple[str | None, Mode], dtype: np.dtype, *, use_vips: bool = True
) -> StripReader | None:
    """A strip reader for ``path``, or None when it can only be decoded whole.

    ``target`` is what Pillow's whole decode would convert the image to (the conversion,
    and our mode) and ``dtype`` its raw dtype; a reader that cannot produce exactly that
    declines.
    """
    if use_vips and vips_available():
        reader = VipsStrips.open(path, target[1], dtype)
        if reader is not None:
            return reader
    return PngStrips.open(path, target, dtype)


# ------------------------------------------------------------------------------ libvips


class VipsStrips:
    """Strips decoded by libvips, reading the file once from top to bottom."""

    def __init__(self, image: object, mode: Mode, dtype: np.dtype, shift: int) -> None:
        self._image = image
        self.width = int(image.width)  # type: ignore[attr-defined]
        self.height = int(image.height)  # type: ignore[attr-defined]
        self.mode = mode
        self.dtype = np.dtype(dtype)
        self._shift = shift

    @classmethod
    def open(cls, path: Path, mode: Mode, dtype: np.dtype) -> VipsStrips | None:
        """libvips's reader if it gives the layout Pillow would, else None."""
        import pyvips

        try:
            image = pyvips.Image.new_from_file(str(path), access="sequential")
        except pyvips.Error as exc:
            _log.info("%s: libvips cannot read it (%s)", path.name, exc.message.strip())
            return None
        vips_dtype = np.dtype(
            {"uchar": np.uint8, "ushort": np.uint16, "float": np.float32}.get(image.format, "V")
        )
        if image.bands != MODE_CHANNELS[mode] or mode == "CMYK" or vips_dtype.kind == "V":
            return None
        dtype = np.dtype(dtype)
        if vips_dtype == dtype:
            return cls(image, mode, dtype, 0)
        if vips_dtype == np.uint16 and dtype == np.uint8:
            return cls(image, mode, dtype, 8)  # Pillow keeps the high byte of 16-bit colour
        return None

    def strips(self, rows: int) -> Iterator[np.ndarray]:
        import pyvips

        region = pyvips.Region.new(self._image)
        channels = MODE_CHANNELS[self.mode]
        for top in range(0, self.height, rows):
            n = min(rows, self.height - top)
            data = region.fetch(0, top, self.width, n)
            src = np.uint16 if self._shift else self.dtype
            strip = np.frombuffer(data, dtype=src).reshape(n, self.width, channels)
            yield (strip >> self._shift).astype(np.uint8) if self._shift else strip


# ----------------------------------------------------------------------------- Pillow


class PngStrips:
    """A non-interlaced PNG of 8-bit samples (or 16-bit grey) unfiltered strip by strip."""

    def __init__(
        self,
        path: Path,
        header: tuple[int, int, int, int],
        extra: bytes,
        target: tuple[str | None, Mode],
        dtype: np.dtype,
    ) -> None:
        self.path = path
        self.width, self.height, self._depth, self._colour = header
        self._extra = extra  # PLTE and tRNS chunks, copied into every strip
        self._convert, self.mode = target
        self.dtype = np.dtype(dtype)
        samples = _STRIP_CHANNELS[self._colour]
        self._row_bytes = self.width * samples * self._depth // 8

    @classmethod
    def open(cls, path: Path, target: tuple[str | None, Mode], dtype: np.dtype) -> PngStrips | None:
        """The reader, or None for a PNG it does not handle (or not a PNG at all)."""
        with path.open("rb") as fh:
            if fh.read(8) != _PNG_SIGNATURE:
                return None
            kind, body = _read_chunk(fh)
            if kind != b"IHDR" or len(body) != 13:
                return None
            width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", body)
            if interlace or colour not in _STRIP_CHANNELS:
                return None
            if not (depth == 8 or (depth == 16 and colour == 0)):
                return None
            extra = b""
            while True:
                kind, body = _read_chunk(fh, skip=True)
                if kind in (b"IDAT", b"IEND", b""):
                    break
                if kind in (b"PLTE", b"tRNS"):
                    extra += _chunk(kind, body)
        return cls(path, (width, height, depth, colour), extra, target, dtype)

    def strips(self, rows: int) -> Iterator[np.ndarray]:
        """Strips of ``rows`` rows, converted as Pillow's whole decode would be."""
        stride = self._row_bytes + 1  # each row starts with its filter type
        previous: bytes | None = None
        pending = bytearray()
        done = 0
        for data in self._inflated(rows * stride):
            pending += data
            while len(pending) >= rows * stride or (
                done + len(pending) // stride == self.height and len(pending) >= stride
            ):
                n = min(rows, len(pending) // stride)
                with memoryview(pending) as view:
                    previous, strip = self._unfilter(previous, view[: n * stride], n)
                del pending[: n * stride]
                done += n
                yield strip
        if done != self.height:
            raise StripFormatError(f"the pixel data ends after {done} of {self.height} rows")

    def _unfilter(
        self, previous: bytes | None, filtered: memoryview, n: int
    ) -> tuple[bytes, np.ndarray]:
        """Rows decoded by Pillow, and the last one's raw bytes for the next strip."""
        packer = zlib.compressobj(0)  # stored, not compressed: Pillow only inflates it
        idat = b"".join(
            (packer.compress(b"\x00" + previous if previous else b""), packer.compress(filtered))
        )
        idat += packer.flush()
        total = n + (previous is not None)
        ihdr = struct.pack(">IIBBBBB", self.width, total, self._depth, self._colour, 0, 0, 0)
        png = b"".join(
            (_PNG_SIGNATURE, _chunk(b"IHDR", ihdr), self._extra, _chunk(b"IDAT", idat),
             _chunk(b"IEND", b""))
        )  # fmt: skip
        del idat
        with Image.open(io.BytesIO(png)) as img:
            img.load()
            raw = np.asarray(img)
            converted = np.asarray(img.convert(self._convert)) if self._convert else raw
        first = 1 if previous is not None else 0
        strip = native_dtype(as_3d(converted[first:]))
        last = raw[-1].astype(">u2") if self._depth == 16 else raw[-1]
        return last.tobytes(), np.ascontiguousarray(strip, dtype=self.dtype)

    def _inflated(self, chunk: int) -> Iterator[bytes]:
        """The decompressed pixel data, at most about ``chunk`` bytes at a time."""
        inflater = zlib.decompressobj()
        with self.path.open("rb") as fh:
            fh.read(8)
            while True:
                kind, length = _chunk_header(fh)
                if kind == b"IEND" or not kind:
                    break
                if kind != b"IDAT":
                    fh.seek(length + 4, io.SEEK_CUR)
                    continue
                left = length
                while left:
                    data = fh.read(min(left, _READ_BYTES))
                    if not data:
                        raise StripFormatError("the file ends inside its pixel data")
                    left -= len(data)
                    yield from _drain(inflater, data, chunk)
                fh.seek(4, io.SEEK_CUR)  # the chunk's CRC; zlib checks the data itself
        tail = inflater.flush()
        if tail:
            yield tail


def _drain(inflater: zlib._Decompress, data: bytes, chunk: int) -> Iterator[bytes]:
    """Inflate ``data`` in pieces of at most ``chunk`` bytes (bounded memory)."""
    try:
        while data:
            out = inflater.decompress(data, chunk)
            data = inflater.unconsumed_tail
            if out:
                yield out
            elif inflater.eof:
                return
    except zlib.error as exc:
        raise StripFormatError(f"the pixel data is damaged: {exc}") from None


def _chunk_header(fh: BinaryIO) -> tuple[bytes, int]:
    head = fh.read(8)
    if len(head) < 8:
        return b"", 0
    length, kind = struct.unpack(">I4s", head)
    return kind, length


def _read_chunk(fh: BinaryIO, *, skip: bool = False) -> tuple[bytes, bytes]:
    """The next chunk's type and body; with ``skip``, pixel data is skipped, not read."""
    kind, length = _chunk_header(fh)
    if skip and kind in (b"IDAT", b"IEND"):
        return kind, b""
    body = fh.read(length)
    fh.seek(4, io.SEEK_CUR)
    return kind, body


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(body, zlib.crc32(kind))
    return b"".join((struct.pack(">I", len(body)), kind, body, struct.pack(">I", crc)))
