"""The mask: a per-pixel shape at image resolution, kept as RLE over its crop.

A pixel-exact mask covers ``[left, left + width) x [top, top + height)`` of an image whose
size is part of the value. The counts are canonical and the mask is never empty, so two
masks of the same pixels are equal and every stored mask draws something.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from limner.models.domain.geometry.box import Box
from limner.models.domain.geometry.checks import as_whole
from limner.models.domain.geometry.rle import (
    bool_2d,
    canonical_counts,
    counts_array,
    rle_decode,
    rle_encode,
)
from limner.models.errors import GeometryError


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
                self, name, as_whole(getattr(self, name), f"mask {name.replace('_', ' ')}")
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
        runs = counts_array(self.counts)
        pixels = self.width * self.height
        total = int(runs.sum())
        if total != pixels:
            raise GeometryError(
                f"mask counts sum to {total} but the {self.width}x{self.height} crop "
                f"has {pixels} pixels"
            )
        if int(runs[1::2].sum()) == 0:
            raise GeometryError("mask is empty (no pixel is set)")
        object.__setattr__(self, "counts", tuple(canonical_counts(runs).tolist()))

    @classmethod
    def from_array(cls, full: np.ndarray) -> Mask:
        """Mask from a full-image array (bool, or integers where non-zero means set)."""
        m = bool_2d(full, "mask array")
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
        m = bool_2d(crop, "mask crop")
        left = as_whole(left, "mask left")
        top = as_whole(top, "mask top")
        image_width = as_whole(image_width, "mask image width")
        image_height = as_whole(image_height, "mask image height")
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
