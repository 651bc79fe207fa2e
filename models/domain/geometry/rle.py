"""Run-length encoding of boolean masks, exactly as COCO stores it.

Counts are column-major and start with a run of zeros, so a mask can be written to a COCO
file without re-encoding; the compressed ASCII form pycocotools keeps in an RLE's
``counts`` is encoded and decoded here as well, so pycocotools is not needed at run time.
One spelling of the counts is canonical (no empty runs after the first), which lets equal
masks compare equal. Masks traced at full resolution have hundreds of thousands of runs,
so every step is vectorized and laid out for C-ordered arrays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from limner.models.domain.geometry.checks import as_whole
from limner.models.errors import GeometryError

# Longest run of 5-bit chunks accepted in a compressed COCO string. Twelve chunks hold
# 60 bits, far more than any real count (pycocotools stores uint32), while keeping every
# intermediate value inside int64 so that decoding can never overflow silently.
_MAX_COCO_CHUNKS = 12

# Below this crop width, decoding by ``np.repeat`` plus a transposed copy beats the
# row-by-row XOR scan, whose cost is dominated by one Python iteration per row.
_ROW_SCAN_MIN_WIDTH = 256


def bool_2d(array: object, what: str) -> np.ndarray:
    """Return ``array`` as a 2-D boolean array; non-zero integers count as set."""
    if not isinstance(array, np.ndarray):
        raise GeometryError(f"{what} must be a numpy array, got {type(array).__name__}")
    if array.ndim != 2:
        raise GeometryError(f"{what} must be 2-D, got shape {array.shape}")
    if array.dtype == np.bool_:
        return array
    if array.dtype.kind not in "iu":
        raise GeometryError(f"{what} must be boolean or integer, got dtype {array.dtype}")
    return array != 0


def counts_array(counts: object, what: str = "mask counts") -> np.ndarray:
    """Validate run-length counts (non-negative whole numbers) and return them as int64."""
    if isinstance(counts, str | bytes | Mapping):
        raise GeometryError(f"{what} must be a list of whole numbers, got {counts!r}")
    if not isinstance(counts, np.ndarray | list | tuple):
        try:
            counts = list(counts)  # type: ignore[call-overload]
        except TypeError:
            raise GeometryError(f"{what} must be a list of whole numbers") from None
    try:
        raw = np.asarray(counts)
    except (TypeError, ValueError):
        raise GeometryError(f"{what} must be a list of whole numbers") from None
    if raw.ndim != 1:
        raise GeometryError(f"{what} must be a flat list of whole numbers")
    if raw.size == 0:
        raise GeometryError(f"{what} are empty")
    if raw.dtype.kind not in "iu":
        offender = next(
            (c for c in raw.tolist() if isinstance(c, bool) or not isinstance(c, int)), None
        )
        if offender is None:
            raise GeometryError(f"{what} contain an impossibly large run")
        raise GeometryError(f"{what} must all be whole numbers, got {offender!r}")
    if raw.dtype.kind == "u" and raw.dtype.itemsize >= 8 and int(raw.max()) > 2**62:
        raise GeometryError(f"{what} contain an impossibly large run ({int(raw.max())})")
    values = raw.astype(np.int64, copy=False)
    if (values < 0).any():
        raise GeometryError(f"{what} contain a negative run length ({int(values.min())})")
    return values


def canonical_counts(counts: np.ndarray) -> np.ndarray:
    """Drop zero-length runs (except a leading one) and merge the runs they separated.

    ``[3, 0, 2, 4]`` and ``[5, 4]`` describe the same pixels; keeping one spelling makes
    equal masks compare equal and lets the decoder assume strictly increasing boundaries.
    """
    if counts.size <= 1 or not (counts[1:] == 0).any():
        return counts
    values = np.arange(counts.size) % 2
    keep = counts > 0
    lengths = counts[keep]
    kept_values = values[keep]
    if lengths.size == 0:
        return np.zeros(1, dtype=np.int64)
    change = np.concatenate(([True], kept_values[1:] != kept_values[:-1]))
    starts = np.flatnonzero(change)
    merged = np.add.reduceat(lengths, starts)
    if kept_values[0] == 1:
        merged = np.concatenate(([0], merged))
    return merged.astype(np.int64, copy=False)


def rle_encode(mask: np.ndarray) -> list[int]:
    """Column-major run lengths of a 2-D mask, starting with a (possibly empty) zero run.

    This is exactly what ``pycocotools.mask.encode`` stores. Transposing a large C-ordered
    mask to walk it in Fortran order is slow (cache-hostile copy), so for masks with few
    runs the change points are found with a contiguous row-to-row comparison instead and
    then ordered by column; masks with very many runs fall back to the transposed walk.
    """
    m = bool_2d(mask, "mask")
    height, width = m.shape
    total = height * width
    if total == 0:
        return [0]
    # Extend every column by the first pixel of the next column so that one vertical
    # comparison also finds the changes that happen across a column boundary.
    extended = np.empty((height + 1, width), dtype=bool)
    extended[:height] = m
    extended[height, :-1] = m[0, 1:]
    extended[height, -1] = m[-1, -1]
    changed = extended[1:] != extended[:-1]
    n_changes = int(np.count_nonzero(changed))
    if n_changes * 16 > total:
        flat = m.ravel(order="F")
        positions = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    else:
        # Flat positions divided by the width give the row-major (row, column) pairs of
        # np.nonzero, some twenty times faster than it on a 2-D array; a stable sort by
        # column then gives column-major order.
        rows, cols = np.divmod(np.flatnonzero(changed), width)
        # Small integer keys let numpy use its linear-time radix sort.
        key = cols.astype(np.uint16) if width <= 65536 else cols
        order = np.argsort(key, kind="stable")
        positions = cols[order].astype(np.int64) * height + rows[order] + 1
    edges = np.concatenate(([0], positions, [total]))
    counts = np.diff(edges)
    if m[0, 0]:
        counts = np.concatenate(([0], counts))
    return counts.tolist()


def rle_decode(counts: Iterable[int], height: int, width: int) -> np.ndarray:
    """Rebuild a C-contiguous ``(height, width)`` boolean mask from column-major counts.

    Expanding the runs gives a Fortran-ordered array whose transposed copy is slow for
    big masks. Instead, the value at the top of every column is looked up from the run
    boundaries, every other boundary marks a toggle, and an XOR scan down the rows (each
    a contiguous vector operation) fills the mask.
    """
    height = as_whole(height, "mask height")
    width = as_whole(width, "mask width")
    if height < 0 or width < 0:
        raise GeometryError(f"mask size must not be negative ({width}x{height})")
    runs = counts_array(counts)
    total = height * width
    if int(runs.sum()) != total:
        raise GeometryError(
            f"mask counts sum to {int(runs.sum())} but a {width}x{height} mask has {total} pixels"
        )
    if total == 0:
        return np.zeros((height, width), dtype=bool)
    runs = canonical_counts(runs)
    if width < _ROW_SCAN_MIN_WIDTH:
        values = (np.arange(runs.size) % 2).astype(bool)
        flat = np.repeat(values, runs)
        return np.ascontiguousarray(flat.reshape(width, height).T)
    boundaries = np.cumsum(runs)[:-1]  # positions where a new run starts
    out = np.zeros((height, width), dtype=bool)
    column_starts = np.arange(width, dtype=np.int64) * height
    out[0] = (np.searchsorted(boundaries, column_starts, side="right") % 2).astype(bool)
    inner = boundaries[boundaries % height != 0]
    out[inner % height, inner // height] = True
    for row in range(1, height):
        np.logical_xor(out[row], out[row - 1], out=out[row])
    return out


def rle_to_coco_string(counts: Iterable[int]) -> str:
    """Compress counts into the ASCII form pycocotools keeps in an RLE's ``counts``.

    Each count (after the first three, the difference with the count two places
    earlier) is written as signed 5-bit chunks, least significant first, with 0x20 as
    the continuation bit and 48 added to make it printable. Vectorized because masks
    traced at full resolution can have hundreds of thousands of runs.
    """
    runs = counts_array(counts)
    values = runs.copy()
    values[3:] -= runs[1:-2]
    # Number of chunks: the smallest n such that the value fits in 5n signed bits.
    n_chunks = np.ones(values.size, dtype=np.int64)
    for chunks in range(1, _MAX_COCO_CHUNKS):
        limit = 1 << (5 * chunks - 1)
        n_chunks += (values < -limit) | (values >= limit)
    widest = int(n_chunks.max())
    shifts = 5 * np.arange(widest, dtype=np.int64)
    chunk = (values[:, None] >> shifts[None, :]) & 0x1F
    index = np.arange(widest)[None, :]
    chunk |= np.where(index < (n_chunks - 1)[:, None], 0x20, 0)
    chunk += 48
    return chunk[index < n_chunks[:, None]].astype(np.uint8).tobytes().decode("ascii")


def rle_from_coco_string(s: str) -> list[int]:
    """Decode pycocotools' compressed ``counts`` string back into run lengths."""
    if isinstance(s, bytes):
        s = s.decode("ascii", errors="replace")
    if not isinstance(s, str):
        raise GeometryError(f"mask RLE must be a string, got {type(s).__name__}")
    if not s:
        raise GeometryError("mask RLE string is empty")
    if not s.isascii():
        raise GeometryError("mask RLE string contains non-ASCII characters")
    chars = np.frombuffer(s.encode("ascii"), dtype=np.uint8).astype(np.int64) - 48
    bad = np.flatnonzero((chars < 0) | (chars > 63))
    if bad.size:
        position = int(bad[0])
        raise GeometryError(
            f"mask RLE string has an invalid character {s[position]!r} at position {position}"
        )
    more = (chars & 0x20) != 0
    if more[-1]:
        raise GeometryError("mask RLE string is truncated (its last value is incomplete)")
    ends = np.flatnonzero(~more)
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts + 1
    if int(lengths.max()) > _MAX_COCO_CHUNKS:
        raise GeometryError("mask RLE string holds a value too large to be a pixel count")
    position_in_value = np.arange(chars.size) - np.repeat(starts, lengths)
    values = np.add.reduceat((chars & 0x1F) << (5 * position_in_value), starts)
    negative = (chars[ends] & 0x10) != 0
    values[negative] -= np.left_shift(1, 5 * lengths[negative])
    runs = values.copy()
    # Undo the delta coding: counts[i] = value[i] + counts[i - 2] for i > 2, so the
    # odd counts and the even counts from index 2 on are two independent running sums.
    runs[1::2] = np.cumsum(values[1::2])
    runs[2::2] = np.cumsum(values[2::2])
    if (runs < 0).any():
        raise GeometryError("mask RLE string decodes to a negative run length")
    return runs.tolist()
