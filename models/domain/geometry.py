"""Shapes an annotation can have: boxes, polygons, masks and keypoints.

Every shape is a frozen, hashable value so that the undo stack, the store and the sync
thread can share it without copies or locks. Each one validates itself on construction:
a shape that exists is a shape limner is willing to save, draw and upload, so no other
module has to re-check for NaN, inverted boxes or degenerate rings.

Coordinates live in continuous image space: ``(0, 0)`` is the top-left corner of the
top-left pixel, and the centre of pixel (row ``r``, column ``c``) is ``(c + 0.5, r + 0.5)``.
A pixel-exact mask therefore covers ``[left, left + width) x [top, top + height)``.

Masks are stored as COCO-style run-length counts (column-major, starting with a run of
zeros) so that they can be exported to COCO without re-encoding and stay small on disk;
the compressed string form used by pycocotools is implemented here too, without needing
pycocotools at run time.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeAlias

import numpy as np

from limner.models.errors import GeometryError

__all__ = [
    "Box",
    "Geometry",
    "Keypoints",
    "Mask",
    "Point",
    "Polygon",
    "PolygonPart",
    "Ring",
    "Skeleton",
    "bounds",
    "clip_box",
    "geometry_from_json",
    "geometry_to_json",
    "polygon_area",
    "rle_decode",
    "rle_encode",
    "rle_from_coco_string",
    "rle_to_coco_string",
    "translate",
]

Point: TypeAlias = tuple[float, float]
Ring: TypeAlias = tuple[Point, ...]

# Longest run of 5-bit chunks accepted in a compressed COCO string. Twelve chunks hold
# 60 bits, far more than any real count (pycocotools stores uint32), while keeping every
# intermediate value inside int64 so that decoding can never overflow silently.
_MAX_COCO_CHUNKS = 12

# Below this crop width, decoding by ``np.repeat`` plus a transposed copy beats the
# row-by-row XOR scan, whose cost is dominated by one Python iteration per row.
_ROW_SCAN_MIN_WIDTH = 256


# ---------------------------------------------------------------------------------------
# Small validators shared by every shape
# ---------------------------------------------------------------------------------------


def _number(value: object, what: str) -> float:
    """Return ``value`` as a float, refusing non-numbers with a message naming ``what``.

    Booleans are refused although Python treats them as integers: a ``True`` coordinate
    is always a bug upstream (usually a mixed-up field) and storing it as 1.0 hides it.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise GeometryError(f"{what} must be a number, got {value!r}")
    return float(value)


def _finite(value: object, what: str) -> float:
    """Return ``value`` as a finite float; NaN and infinities cannot be drawn or exported."""
    number = _number(value, what)
    if not math.isfinite(number):
        raise GeometryError(f"{what} is not a finite number ({number})")
    return number


def _integer(value: object, what: str) -> int:
    """Return ``value`` as an int, accepting integral floats such as ``3.0``.

    Some JSON writers emit every number as a float; a whole-valued float is unambiguous,
    whereas ``3.5`` pixels for a mask offset is not and is refused.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise GeometryError(f"{what} must be a whole number, got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    number = float(value)
    if not number.is_integer():
        raise GeometryError(f"{what} must be a whole number, got {number}")
    return int(number)


def _fmt(value: float) -> str:
    """Format a coordinate for messages: ``12.0`` rather than ``12.000000000000002``."""
    return f"{value:.6g}" if not float(value).is_integer() else f"{float(value):.1f}"


# ---------------------------------------------------------------------------------------
# Box
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle ``[x0, x1) x [y0, y1)`` in continuous image coordinates.

    The corners are ordered on purpose: an inverted box is almost always a tool bug, and
    refusing it here keeps every consumer (drawing, IoU, export) free of ``min``/``max``
    juggling. Use :meth:`from_corners` when the two corners come from a drag gesture.
    """

    kind: ClassVar[str] = "box"

    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        for name in ("x0", "y0", "x1", "y1"):
            object.__setattr__(self, name, _finite(getattr(self, name), f"box {name}"))
        if self.x0 >= self.x1:
            raise GeometryError(f"box has x0 >= x1 ({_fmt(self.x0)} >= {_fmt(self.x1)})")
        if self.y0 >= self.y1:
            raise GeometryError(f"box has y0 >= y1 ({_fmt(self.y0)} >= {_fmt(self.y1)})")

    @classmethod
    def from_corners(cls, ax: float, ay: float, bx: float, by: float) -> Box:
        """Build a box from any two opposite corners, in any order (e.g. a mouse drag)."""
        ax = _finite(ax, "box corner x")
        ay = _finite(ay, "box corner y")
        bx = _finite(bx, "box corner x")
        by = _finite(by, "box corner y")
        if ax == bx:
            raise GeometryError(f"box has zero width (both corners at x = {_fmt(ax)})")
        if ay == by:
            raise GeometryError(f"box has zero height (both corners at y = {_fmt(ay)})")
        return cls(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        return self.width * self.height


# ---------------------------------------------------------------------------------------
# Polygon
# ---------------------------------------------------------------------------------------


def _signed_area(ring: Sequence[Point]) -> float:
    """Shoelace area, positive for counter-clockwise rings in a y-up frame.

    Coordinates are taken relative to the first vertex: for rings far from the origin
    this avoids the cancellation that would otherwise make a collinear ring look like a
    tiny non-zero area.
    """
    if len(ring) < 3:
        return 0.0
    ox, oy = ring[0]
    total = 0.0
    px, py = 0.0, 0.0
    for x, y in ring[1:]:
        qx, qy = x - ox, y - oy
        total += px * qy - qx * py
        px, py = qx, qy
    return total / 2.0


def polygon_area(ring: Iterable[Sequence[float]]) -> float:
    """Unsigned area enclosed by a ring of ``(x, y)`` points (closed or not).

    A ring is a plain sequence here so that tools can measure a polygon while it is
    still being drawn, before it is valid enough to become a :class:`PolygonPart`.
    """
    points = [(float(p[0]), float(p[1])) for p in ring]
    return abs(_signed_area(points))


def _plain_float_pairs(items: list[Any]) -> bool:
    """True when every item is already a ``(float, float)`` tuple of finite numbers.

    Rings rebuilt from an existing shape (a dragged vertex, a moved polygon) arrive in this
    form. Recognizing it with exact type tests skips the per-coordinate ``numbers.Real``
    checks, which dominate re-validating a 10,000-vertex outline on every pointer move.
    Anything else (lists, ints, numpy scalars, NaN) takes the careful path, which converts
    it and names the offending point.
    """
    return all(
        type(p) is tuple
        and len(p) == 2
        and type(p[0]) is float
        and type(p[1]) is float
        and math.isfinite(p[0])
        and math.isfinite(p[1])
        for p in items
    )


def _ring(points: object, what: str) -> Ring:
    """Normalize and validate one ring: float tuples, not closed, >= 3 points, area > 0."""
    if isinstance(points, str | bytes | Mapping):
        raise GeometryError(f"{what} must be a list of (x, y) points, got {points!r}")
    try:
        items = list(points)  # type: ignore[call-overload]
    except TypeError:
        raise GeometryError(f"{what} must be a list of (x, y) points, got {points!r}") from None
    ring: list[Point]
    if _plain_float_pairs(items):
        ring = items
    else:
        ring = []
        for index, point in enumerate(items):
            if isinstance(point, str | bytes | Mapping):
                raise GeometryError(f"{what} point {index} must be an (x, y) pair, got {point!r}")
            try:
                x, y = point
            except (TypeError, ValueError):
                raise GeometryError(
                    f"{what} point {index} must be an (x, y) pair, got {point!r}"
                ) from None
            x = _finite(x, f"{what} point {index} x")
            y = _finite(y, f"{what} point {index} y")
            ring.append((x, y))
    # Callers coming from GeoJSON, shapely or OpenCV often repeat the first point at the
    # end; storing it would double a vertex, so the canonical ring is the open one.
    if len(ring) >= 2 and ring[0] == ring[-1]:
        ring.pop()
    distinct = len(set(ring))
    if distinct < 3:
        plural = "point" if distinct == 1 else "points"
        raise GeometryError(
            f"{what} has only {distinct} distinct {plural}; a polygon needs at least 3"
        )
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    diagonal_sq = (max(xs) - min(xs)) ** 2 + (max(ys) - min(ys)) ** 2
    # Collinear points rarely give an exact zero in floating point, so "zero" means a
    # sliver thinner than a billionth of its length, or under a billionth of a pixel.
    if abs(_signed_area(ring)) <= 1e-9 * max(diagonal_sq, 1.0):
        raise GeometryError(f"{what} has zero area (its points are collinear)")
    return tuple(ring)


@dataclass(frozen=True, slots=True)
class PolygonPart:
    """One connected piece of a polygon: an outer ring and the holes cut out of it.

    Rings are tuples of ``(x, y)`` float tuples, never lists or arrays, so that parts are
    hashable and compare by value (the undo stack relies on equality to skip no-op edits).
    Holes are not checked to lie inside the outer ring, and rings are not checked for
    self-intersection: both are quadratic and would make 10k-vertex traced outlines slow.
    """

    outer: Ring
    holes: tuple[Ring, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "outer", _ring(self.outer, "polygon outer ring"))
        holes = self.holes
        if isinstance(holes, str | bytes | Mapping):
            raise GeometryError(f"polygon holes must be a list of rings, got {holes!r}")
        try:
            hole_list = list(holes)
        except TypeError:
            raise GeometryError(f"polygon holes must be a list of rings, got {holes!r}") from None
        object.__setattr__(
            self,
            "holes",
            tuple(_ring(hole, f"polygon hole {i}") for i, hole in enumerate(hole_list)),
        )

    @property
    def area(self) -> float:
        """Area of the outer ring minus its holes."""
        return abs(_signed_area(self.outer)) - sum(abs(_signed_area(h)) for h in self.holes)


@dataclass(frozen=True, slots=True)
class Polygon:
    """A possibly multi-part polygon with holes, e.g. an object split by an occluder."""

    kind: ClassVar[str] = "polygon"

    parts: tuple[PolygonPart, ...]

    def __post_init__(self) -> None:
        parts = self.parts
        if isinstance(parts, PolygonPart):
            parts = (parts,)
        try:
            part_tuple = tuple(parts)
        except TypeError:
            raise GeometryError(
                f"polygon parts must be a list of polygon parts, got {parts!r}"
            ) from None
        if not part_tuple:
            raise GeometryError("polygon has no parts")
        for index, part in enumerate(part_tuple):
            if not isinstance(part, PolygonPart):
                raise GeometryError(
                    f"polygon part {index} must be a PolygonPart, got {type(part).__name__}"
                )
        object.__setattr__(self, "parts", part_tuple)

    @classmethod
    def from_points(cls, points: Iterable[Sequence[float]]) -> Polygon:
        """The common case: one ring, no holes (what every polygon tool produces)."""
        return cls((PolygonPart(tuple(points)),))  # type: ignore[arg-type]

    @property
    def area(self) -> float:
        return sum(part.area for part in self.parts)


# ---------------------------------------------------------------------------------------
# Run-length encoding (COCO compatible)
# ---------------------------------------------------------------------------------------


def _bool_2d(array: object, what: str) -> np.ndarray:
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


def _counts_array(counts: object, what: str = "mask counts") -> np.ndarray:
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


def _canonical_counts(counts: np.ndarray) -> np.ndarray:
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
    m = _bool_2d(mask, "mask")
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
        rows, cols = np.nonzero(changed)
        # np.nonzero walks row-major; a stable sort by column gives column-major order.
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
    height = _integer(height, "mask height")
    width = _integer(width, "mask width")
    if height < 0 or width < 0:
        raise GeometryError(f"mask size must not be negative ({width}x{height})")
    runs = _counts_array(counts)
    total = height * width
    if int(runs.sum()) != total:
        raise GeometryError(
            f"mask counts sum to {int(runs.sum())} but a {width}x{height} mask has {total} pixels"
        )
    if total == 0:
        return np.zeros((height, width), dtype=bool)
    runs = _canonical_counts(runs)
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
    runs = _counts_array(counts)
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


# ---------------------------------------------------------------------------------------
# Mask
# ---------------------------------------------------------------------------------------


def _tight_bounds(m: np.ndarray) -> tuple[int, int, int, int] | None:
    """``(top, bottom, left, right)`` (inclusive) of the set pixels, or None if none is set."""
    rows = np.flatnonzero(m.any(axis=1))
    if rows.size == 0:
        return None
    top, bottom = int(rows[0]), int(rows[-1])
    cols = np.flatnonzero(m[top : bottom + 1].any(axis=0))
    return top, bottom, int(cols[0]), int(cols[-1])


@dataclass(frozen=True, slots=True)
class Mask:
    """A per-pixel mask at image resolution, kept as RLE over its bounding-box crop.

    Storing only the crop keeps a small object on a 50-megapixel image cheap, and the
    column-major counts are COCO's, so export needs no conversion. The image size is part
    of the value because a mask is meaningless without it (COCO's ``size``) and because
    moves must be clipped to the image. The constructor accepts any crop inside the image;
    :meth:`from_array` and :meth:`from_crop` always produce the tight one.
    """

    kind: ClassVar[str] = "mask"

    left: int
    top: int
    width: int
    height: int
    counts: tuple[int, ...] = field(repr=False)
    image_width: int
    image_height: int

    def __post_init__(self) -> None:
        for name in ("left", "top", "width", "height", "image_width", "image_height"):
            object.__setattr__(
                self, name, _integer(getattr(self, name), f"mask {name.replace('_', ' ')}")
            )
        if self.image_width < 1 or self.image_height < 1:
            raise GeometryError(
                f"mask image size must be at least 1x1, got {self.image_width}x{self.image_height}"
            )
        if self.width < 1 or self.height < 1:
            raise GeometryError(
                f"mask crop must be at least 1x1 pixel, got {self.width}x{self.height}"
            )
        if (
            self.left < 0
            or self.top < 0
            or self.left + self.width > self.image_width
            or self.top + self.height > self.image_height
        ):
            raise GeometryError(
                f"mask crop (left {self.left}, top {self.top}, {self.width}x{self.height}) "
                f"lies outside the {self.image_width}x{self.image_height} image"
            )
        runs = _counts_array(self.counts)
        pixels = self.width * self.height
        total = int(runs.sum())
        if total != pixels:
            raise GeometryError(
                f"mask counts sum to {total} but the {self.width}x{self.height} crop "
                f"has {pixels} pixels"
            )
        if int(runs[1::2].sum()) == 0:
            raise GeometryError("mask is empty (no pixel is set)")
        object.__setattr__(self, "counts", tuple(_canonical_counts(runs).tolist()))

    @classmethod
    def from_array(cls, full: np.ndarray) -> Mask:
        """Mask from a full-image array (bool, or integers where non-zero means set)."""
        m = _bool_2d(full, "mask array")
        image_height, image_width = m.shape
        if image_width < 1 or image_height < 1:
            raise GeometryError(f"mask array has no pixels (shape {m.shape})")
        tight = _tight_bounds(m)
        if tight is None:
            raise GeometryError("mask is empty (no pixel is set)")
        top, bottom, left, right = tight
        crop = m[top : bottom + 1, left : right + 1]
        return cls(
            left,
            top,
            right - left + 1,
            bottom - top + 1,
            tuple(rle_encode(crop)),
            image_width,
            image_height,
        )

    @classmethod
    def from_crop(
        cls, crop: np.ndarray, left: int, top: int, image_width: int, image_height: int
    ) -> Mask:
        """Mask from a sub-array placed at ``(left, top)``; the crop is re-tightened.

        Brush and fill tools work on a padded window around the edit, so their crop is
        rarely tight; tightening here keeps stored masks canonical.
        """
        m = _bool_2d(crop, "mask crop")
        left = _integer(left, "mask left")
        top = _integer(top, "mask top")
        image_width = _integer(image_width, "mask image width")
        image_height = _integer(image_height, "mask image height")
        height, width = m.shape
        if left < 0 or top < 0 or left + width > image_width or top + height > image_height:
            raise GeometryError(
                f"mask crop (left {left}, top {top}, {width}x{height}) "
                f"lies outside the {image_width}x{image_height} image"
            )
        tight = _tight_bounds(m)
        if tight is None:
            raise GeometryError("mask is empty (no pixel is set)")
        r0, r1, c0, c1 = tight
        sub = m[r0 : r1 + 1, c0 : c1 + 1]
        return cls(
            left + c0,
            top + r0,
            c1 - c0 + 1,
            r1 - r0 + 1,
            tuple(rle_encode(sub)),
            image_width,
            image_height,
        )

    def crop_array(self) -> np.ndarray:
        """The ``(height, width)`` boolean crop."""
        return rle_decode(self.counts, self.height, self.width)

    def to_array(self) -> np.ndarray:
        """The full ``(image_height, image_width)`` boolean mask."""
        full = np.zeros((self.image_height, self.image_width), dtype=bool)
        full[self.top : self.top + self.height, self.left : self.left + self.width] = (
            self.crop_array()
        )
        return full

    @property
    def area(self) -> int:
        """Number of set pixels (sum of the odd, i.e. "ones", runs)."""
        return sum(self.counts[1::2])

    @property
    def bbox(self) -> Box:
        """The crop as a box in continuous coordinates (pixel edges, not centres)."""
        return Box(
            float(self.left),
            float(self.top),
            float(self.left + self.width),
            float(self.top + self.height),
        )


# ---------------------------------------------------------------------------------------
# Keypoints and skeletons
# ---------------------------------------------------------------------------------------


def _pair_list(pairs: object, count: int, what: str) -> tuple[tuple[int, int], ...]:
    """Validate a list of index pairs into a list of ``count`` named points."""
    if isinstance(pairs, str | bytes | Mapping):
        raise GeometryError(f"skeleton {what} must be a list of index pairs, got {pairs!r}")
    try:
        items = list(pairs)  # type: ignore[call-overload]
    except TypeError:
        raise GeometryError(
            f"skeleton {what} must be a list of index pairs, got {pairs!r}"
        ) from None
    result: list[tuple[int, int]] = []
    for index, pair in enumerate(items):
        if isinstance(pair, str | bytes | Mapping):
            raise GeometryError(f"skeleton {what} {index} must be a pair of indices")
        try:
            a, b = pair
        except (TypeError, ValueError):
            raise GeometryError(
                f"skeleton {what} {index} must be a pair of indices, got {pair!r}"
            ) from None
        a = _integer(a, f"skeleton {what} {index} first index")
        b = _integer(b, f"skeleton {what} {index} second index")
        for value in (a, b):
            if not 0 <= value < count:
                raise GeometryError(
                    f"skeleton {what} {index} refers to point {value}, but the skeleton "
                    f"has {count} points (0 to {count - 1})"
                )
        if a == b:
            raise GeometryError(f"skeleton {what} {index} joins point {a} to itself")
        result.append((a, b))
    return tuple(result)


@dataclass(frozen=True, slots=True)
class Skeleton:
    """Point names, drawing edges and left/right pairs of a keypoint label class.

    It lives on the label class, not on each instance, so that renaming a joint or adding
    an edge is one edit; :meth:`Keypoints.check_against` ties instances back to it.
    ``flip_pairs`` tells horizontal-flip tools which points swap roles (left/right eye).
    """

    names: tuple[str, ...]
    edges: tuple[tuple[int, int], ...] = ()
    flip_pairs: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        names = self.names
        if isinstance(names, str | bytes | Mapping):
            raise GeometryError(f"skeleton names must be a list of strings, got {names!r}")
        try:
            name_tuple = tuple(names)
        except TypeError:
            raise GeometryError(
                f"skeleton names must be a list of strings, got {names!r}"
            ) from None
        if not name_tuple:
            raise GeometryError("skeleton has no points")
        seen: set[str] = set()
        for index, name in enumerate(name_tuple):
            if not isinstance(name, str):
                raise GeometryError(f"skeleton point {index} name must be a string, got {name!r}")
            if not name.strip():
                raise GeometryError(f"skeleton point {index} has an empty name")
            if name in seen:
                raise GeometryError(f"skeleton point name {name!r} is used twice")
            seen.add(name)
        object.__setattr__(self, "names", name_tuple)
        count = len(name_tuple)

        edges = _pair_list(self.edges, count, "edge")
        seen_edges: set[frozenset[int]] = set()
        for a, b in edges:
            key = frozenset((a, b))
            if key in seen_edges:
                raise GeometryError(f"skeleton edge {a}-{b} is listed twice")
            seen_edges.add(key)
        object.__setattr__(self, "edges", edges)

        flip_pairs = _pair_list(self.flip_pairs, count, "flip pair")
        paired: set[int] = set()
        for a, b in flip_pairs:
            for value in (a, b):
                if value in paired:
                    raise GeometryError(
                        f"skeleton point {value} ({name_tuple[value]!r}) is in two flip pairs"
                    )
                paired.add(value)
        object.__setattr__(self, "flip_pairs", flip_pairs)

    def to_json(self) -> dict[str, Any]:
        return {
            "names": list(self.names),
            "edges": [list(edge) for edge in self.edges],
            "flip_pairs": [list(pair) for pair in self.flip_pairs],
        }

    @classmethod
    def from_json(cls, data: object) -> Skeleton:
        """Parse :meth:`to_json` output; ``edges`` and ``flip_pairs`` may be omitted."""
        if not isinstance(data, Mapping):
            raise GeometryError(f"skeleton JSON must be an object, got {type(data).__name__}")
        if "names" not in data:
            raise GeometryError("skeleton JSON is missing 'names'")
        names = data["names"]
        if not isinstance(names, list | tuple):
            raise GeometryError(f"skeleton 'names' must be a list, got {names!r}")
        edges = data.get("edges", [])
        flip_pairs = data.get("flip_pairs", [])
        for key, value in (("edges", edges), ("flip_pairs", flip_pairs)):
            if not isinstance(value, list | tuple):
                raise GeometryError(f"skeleton {key!r} must be a list, got {value!r}")
        return cls(tuple(names), tuple(edges), tuple(flip_pairs))


@dataclass(frozen=True, slots=True)
class Keypoints:
    """One skeleton instance: ``(x, y, v)`` per point with COCO visibility.

    ``v`` is 0 (not labeled), 1 (labeled but occluded) or 2 (visible). Unlabeled points
    are stored as ``(0.0, 0.0, 0)``, as COCO does, so that two instances that differ only
    in the forgotten position of an unlabeled point still compare equal.
    """

    kind: ClassVar[str] = "keypoints"

    points: tuple[tuple[float, float, int], ...]

    def __post_init__(self) -> None:
        points = self.points
        if isinstance(points, str | bytes | Mapping):
            raise GeometryError(f"keypoints must be a list of (x, y, v), got {points!r}")
        try:
            items = list(points)
        except TypeError:
            raise GeometryError(f"keypoints must be a list of (x, y, v), got {points!r}") from None
        if not items:
            raise GeometryError("keypoints have no points")
        result: list[tuple[float, float, int]] = []
        for index, point in enumerate(items):
            if isinstance(point, str | bytes | Mapping):
                raise GeometryError(f"keypoint {index} must be (x, y, v), got {point!r}")
            try:
                x, y, v = point
            except (TypeError, ValueError):
                raise GeometryError(f"keypoint {index} must be (x, y, v), got {point!r}") from None
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or v not in (0, 1, 2):
                raise GeometryError(
                    f"keypoint {index} has visibility {v!r}; it must be 0 (not labeled), "
                    "1 (occluded) or 2 (visible)"
                )
            visibility = int(v)
            if visibility == 0:
                _number(x, f"keypoint {index} x")
                _number(y, f"keypoint {index} y")
                result.append((0.0, 0.0, 0))
            else:
                result.append(
                    (
                        _finite(x, f"keypoint {index} x"),
                        _finite(y, f"keypoint {index} y"),
                        visibility,
                    )
                )
        object.__setattr__(self, "points", tuple(result))

    def check_against(self, skeleton: Skeleton) -> None:
        """Refuse an instance whose point count does not match its class's skeleton."""
        if len(self.points) != len(skeleton.names):
            raise GeometryError(
                f"keypoints have {len(self.points)} points but the skeleton has "
                f"{len(skeleton.names)} ({', '.join(skeleton.names)})"
            )

    @property
    def labeled(self) -> tuple[tuple[float, float, int], ...]:
        """The points with ``v > 0``, the only ones with a meaningful position."""
        return tuple(p for p in self.points if p[2] > 0)


Geometry: TypeAlias = Box | Polygon | Mask | Keypoints


# ---------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------


def geometry_to_json(g: Geometry) -> dict[str, Any]:
    """A plain dict (only str, int, float, list) that ``json.dumps`` accepts as is."""
    if isinstance(g, Box):
        return {"kind": "box", "x0": g.x0, "y0": g.y0, "x1": g.x1, "y1": g.y1}
    if isinstance(g, Polygon):
        return {
            "kind": "polygon",
            "parts": [
                {
                    "outer": [[x, y] for x, y in part.outer],
                    "holes": [[[x, y] for x, y in hole] for hole in part.holes],
                }
                for part in g.parts
            ],
        }
    if isinstance(g, Mask):
        return {
            "kind": "mask",
            "left": g.left,
            "top": g.top,
            "width": g.width,
            "height": g.height,
            "image_width": g.image_width,
            "image_height": g.image_height,
            "rle": rle_to_coco_string(g.counts),
        }
    if isinstance(g, Keypoints):
        return {"kind": "keypoints", "points": [[x, y, v] for x, y, v in g.points]}
    raise GeometryError(f"not a geometry: {type(g).__name__}")


def _require(data: Mapping[str, Any], key: str, kind: str) -> Any:
    if key not in data:
        raise GeometryError(f"{kind} JSON is missing {key!r}")
    return data[key]


def _json_list(value: object, what: str) -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise GeometryError(f"{what} must be a list, got {value!r}")
    return value


def _box_from_json(data: Mapping[str, Any]) -> Box:
    return Box(*(_require(data, key, "box") for key in ("x0", "y0", "x1", "y1")))


def _polygon_from_json(data: Mapping[str, Any]) -> Polygon:
    parts_json = _json_list(_require(data, "parts", "polygon"), "polygon 'parts'")
    parts: list[PolygonPart] = []
    for index, part in enumerate(parts_json):
        if not isinstance(part, Mapping):
            raise GeometryError(f"polygon part {index} must be an object, got {part!r}")
        if "outer" not in part:
            raise GeometryError(f"polygon part {index} JSON is missing 'outer'")
        outer = _json_list(part["outer"], f"polygon part {index} 'outer'")
        holes = _json_list(part.get("holes", []), f"polygon part {index} 'holes'")
        for hole_index, hole in enumerate(holes):
            _json_list(hole, f"polygon part {index} hole {hole_index}")
        try:
            parts.append(PolygonPart(tuple(outer), tuple(holes)))
        except GeometryError as error:
            raise GeometryError(f"polygon part {index}: {error}") from None
    return Polygon(tuple(parts))


def _mask_from_json(data: Mapping[str, Any]) -> Mask:
    fields = {
        key: _require(data, key, "mask")
        for key in ("left", "top", "width", "height", "image_width", "image_height", "rle")
    }
    rle = fields.pop("rle")
    if not isinstance(rle, str):
        raise GeometryError(f"mask 'rle' must be a string, got {rle!r}")
    return Mask(counts=tuple(rle_from_coco_string(rle)), **fields)


def _keypoints_from_json(data: Mapping[str, Any]) -> Keypoints:
    points = _json_list(_require(data, "points", "keypoints"), "keypoints 'points'")
    for index, point in enumerate(points):
        if not isinstance(point, list | tuple) or len(point) != 3:
            raise GeometryError(f"keypoint {index} must be a list [x, y, v], got {point!r}")
    return Keypoints(tuple(tuple(point) for point in points))


_PARSERS = {
    "box": _box_from_json,
    "polygon": _polygon_from_json,
    "mask": _mask_from_json,
    "keypoints": _keypoints_from_json,
}


def geometry_from_json(d: object) -> Geometry:
    """Parse and validate :func:`geometry_to_json` output.

    The input may come from a hand-edited file or a remote server, so every malformed
    input ends in a :class:`GeometryError` with a readable message, never a ``KeyError``
    or ``TypeError``. Unknown extra keys are ignored so that files written by a newer
    version stay readable.
    """
    if not isinstance(d, Mapping):
        raise GeometryError(f"geometry JSON must be an object, got {type(d).__name__}")
    if "kind" not in d:
        raise GeometryError("geometry JSON is missing 'kind'")
    kind = d["kind"]
    parser = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parser is None:
        raise GeometryError(
            f"unknown geometry kind {kind!r} (expected one of {', '.join(_PARSERS)})"
        )
    return parser(d)


# ---------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------


def bounds(g: Geometry) -> tuple[float, float, float, float]:
    """``(x0, y0, x1, y1)`` enclosing the shape; for keypoints, its labeled points only.

    A single labeled keypoint gives a zero-size extent; callers that need a drawable box
    pad it themselves.
    """
    if isinstance(g, Box):
        return (g.x0, g.y0, g.x1, g.y1)
    if isinstance(g, Polygon):
        # Holes lie inside their outer ring, so the outer rings alone set the extent.
        xs = [x for part in g.parts for x, _ in part.outer]
        ys = [y for part in g.parts for _, y in part.outer]
        return (min(xs), min(ys), max(xs), max(ys))
    if isinstance(g, Mask):
        return (
            float(g.left),
            float(g.top),
            float(g.left + g.width),
            float(g.top + g.height),
        )
    if isinstance(g, Keypoints):
        labeled = g.labeled
        if not labeled:
            raise GeometryError("keypoints have no labeled point, so they have no bounds")
        xs = [p[0] for p in labeled]
        ys = [p[1] for p in labeled]
        return (min(xs), min(ys), max(xs), max(ys))
    raise GeometryError(f"not a geometry: {type(g).__name__}")


def _round_half_away(value: float) -> int:
    """Round to the nearest integer, halves away from zero.

    Python's ``round`` sends both 0.5 and -0.5 to 0 and 1.5 to 2; a mask dragged by half
    a pixel should move the same way left and right.
    """
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def _translate_mask(mask: Mask, dx: float, dy: float) -> Mask:
    shift_x = _round_half_away(dx)
    shift_y = _round_half_away(dy)
    left = mask.left + shift_x
    top = mask.top + shift_y
    right = left + mask.width
    bottom = top + mask.height
    if left >= 0 and top >= 0 and right <= mask.image_width and bottom <= mask.image_height:
        return Mask(
            left, top, mask.width, mask.height, mask.counts, mask.image_width, mask.image_height
        )
    outside = GeometryError(
        f"moving the mask by ({shift_x}, {shift_y}) px takes it entirely outside the "
        f"{mask.image_width}x{mask.image_height} image"
    )
    visible_left = max(left, 0)
    visible_top = max(top, 0)
    visible_right = min(right, mask.image_width)
    visible_bottom = min(bottom, mask.image_height)
    if visible_left >= visible_right or visible_top >= visible_bottom:
        raise outside
    crop = mask.crop_array()[
        visible_top - top : visible_bottom - top, visible_left - left : visible_right - left
    ]
    if not crop.any():
        raise outside
    return Mask.from_crop(crop, visible_left, visible_top, mask.image_width, mask.image_height)


def translate(g: Geometry, dx: float, dy: float) -> Geometry:
    """The shape moved by ``(dx, dy)``.

    Vector shapes move exactly and are not clipped (they may hang over the image edge
    while being dragged). Masks are pixel data: they move by whole pixels and lose what
    leaves the image, because a mask cannot hold pixels the image does not have.
    """
    dx = _finite(dx, "dx")
    dy = _finite(dy, "dy")
    if isinstance(g, Box):
        return Box(g.x0 + dx, g.y0 + dy, g.x1 + dx, g.y1 + dy)
    if isinstance(g, Polygon):
        return Polygon(
            tuple(
                PolygonPart(
                    tuple((x + dx, y + dy) for x, y in part.outer),
                    tuple(tuple((x + dx, y + dy) for x, y in hole) for hole in part.holes),
                )
                for part in g.parts
            )
        )
    if isinstance(g, Mask):
        return _translate_mask(g, dx, dy)
    if isinstance(g, Keypoints):
        return Keypoints(tuple((x + dx, y + dy, v) if v > 0 else (x, y, v) for x, y, v in g.points))
    raise GeometryError(f"not a geometry: {type(g).__name__}")


def clip_box(box: Box, width: float, height: float) -> Box | None:
    """The part of ``box`` inside a ``width`` x ``height`` image, or None if nothing is.

    Used before export, since most formats refuse boxes that leave the image.
    """
    width = _finite(width, "image width")
    height = _finite(height, "image height")
    if width <= 0 or height <= 0:
        raise GeometryError(f"image size must be positive, got {_fmt(width)}x{_fmt(height)}")
    x0 = max(box.x0, 0.0)
    y0 = max(box.y0, 0.0)
    x1 = min(box.x1, width)
    y1 = min(box.y1, height)
    if x0 >= x1 or y0 >= y1:
        return None
    if (x0, y0, x1, y1) == (box.x0, box.y0, box.x1, box.y1):
        return box
    return Box(x0, y0, x1, y1)
