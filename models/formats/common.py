"""Conversions more than one format needs: whole-image RLE, image sizes, numbers, names.

Formats store masks over the whole image (COCO's ``size`` and counts, CVAT's RLE) while a
limner :class:`Mask` keeps only its bounding crop; the two conversions here work on the
columns the mask touches, never on a full-image array, so a small object on a huge image
costs what the object costs. Normalised formats (YOLO) need each image's size, read from
the file's header as the image is displayed (EXIF orientation applied), which is what
training tools measure too.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from limner.models.domain.geometry import Mask, rle_decode, rle_encode
from limner.models.domain.geometry.rle import canonical_counts, counts_array
from limner.models.errors import GeometryError
from limner.models.formats.base import ImageLabels, Loss, Shape, shape_loss
from limner.models.imaging.imageio import probe_image
from limner.models.imaging.imageio.header import open_image, orientation_of, oriented_size
from limner.models.imaging.imageio.reasons import ReadFailure

# Vertices of the polygon an ellipse is written as where a format has no ellipses: its
# sides stray from the outline by at most about 0.12 % of the radius (0.6 px at 500 px).
ELLIPSE_VERTICES = 64


def mask_from_full_counts(counts: object, height: int, width: int) -> Mask:
    """A :class:`Mask` from column-major counts over a whole ``width`` x ``height`` image.

    Only the columns between the first and the last set pixel are decoded. Raises
    :class:`GeometryError` when the counts do not add up to the image or set no pixel.
    """
    if height < 1 or width < 1:
        raise GeometryError(f"mask size must be at least 1x1, got {width}x{height}")
    runs = canonical_counts(counts_array(counts))
    total = height * width
    if int(runs.sum()) != total:
        raise GeometryError(
            f"mask counts sum to {int(runs.sum())} but a {width}x{height} mask has {total} pixels"
        )
    if runs.size < 2 or int(runs[1::2].sum()) == 0:
        raise GeometryError("mask is empty (no pixel is set)")
    ends = np.cumsum(runs)
    first_set = int(runs[0])
    # Canonical counts never end in an empty run: an even count means it ends with ones.
    last_set_end = total if runs.size % 2 == 0 else int(ends[-2])
    c0 = first_set // height
    c1 = (last_set_end - 1) // height
    strip = runs.copy()
    strip[0] -= c0 * height
    strip[-1] -= total - (c1 + 1) * height
    columns = rle_decode(strip.tolist(), height, c1 - c0 + 1)
    return Mask.from_crop(columns, c0, 0, width, height)


def mask_full_counts(mask: Mask) -> list[int]:
    """Column-major counts of ``mask`` over its whole image (what COCO's RLE holds)."""
    strip = np.zeros((mask.image_height, mask.width), dtype=bool)
    strip[mask.top : mask.top + mask.height] = mask.crop_array()
    counts = rle_encode(strip)
    counts[0] += mask.left * mask.image_height
    after = (mask.image_width - mask.left - mask.width) * mask.image_height
    if after:
        if len(counts) % 2 == 1:  # ends with a run of zeros: extend it
            counts[-1] += after
        else:
            counts.append(after)
    return counts


def image_size(path: Path) -> tuple[int, int] | None:
    """``(width, height)`` of the image at ``path`` as displayed, or None if unreadable.

    The header alone is read; files Pillow cannot open cheaply (some TIFFs) go through
    the full probe, which knows more readers.
    """
    try:
        with open_image(path, None, unchecked=True) as img:
            return oriented_size(img.size, orientation_of(img))
    except (ReadFailure, OSError):
        pass
    probe = probe_image(path, allow_huge=True)
    if probe.width is None or probe.height is None:
        return None
    return probe.width, probe.height


def finite_number(value: object) -> float | None:
    """``value`` as a float if it is a finite real number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def whole_number(value: object) -> int | None:
    """``value`` as an int if it is a whole number (``3`` or ``3.0``, not a bool)."""
    number = finite_number(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def posix_name(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with ``/`` separators: how datasets name images."""
    return path.relative_to(root).as_posix()


def shape_units(
    image: ImageLabels,
    losses: list[Loss],
    mergeable: Callable[[list[tuple[int, Shape]]], bool],
    format_title: str,
) -> Iterator[list[tuple[int, Shape]]]:
    """An image's shapes as the format's objects, each with its index in the image.

    A shape outside any group is an object of its own; a group is one object when
    ``mergeable`` accepts it (COCO: one outline and one keypoints shape of one class) and
    otherwise each member is an object of its own, with a loss saying the group is gone.
    Objects come in the order of their first shape.
    """
    groups: dict[str, list[tuple[int, Shape]]] = {}
    for index, shape in enumerate(image.shapes):
        if shape.group is not None:
            groups.setdefault(shape.group, []).append((index, shape))
    done: set[str] = set()
    for index, shape in enumerate(image.shapes):
        if shape.group is None:
            yield [(index, shape)]
            continue
        if shape.group in done:
            continue
        done.add(shape.group)
        members = groups[shape.group]
        if len(members) == 1 or mergeable(members):
            yield members
            continue
        why = f"{format_title} has no groups; group {shape.group!r} is written as separate objects"
        for i, member in members:
            losses.append(shape_loss(image, i, member, "group", why))
            yield [(i, member)]
