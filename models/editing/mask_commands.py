"""Undo steps of mask edits that store only what changed.

A brush stroke on a 50-megapixel mask changes a few thousand pixels; keeping two copies
of the whole mask per stroke would make an afternoon of painting cost gigabytes of undo
history. :class:`MaskStroke` keeps the bit-packed before and after pixels of the
stroke's bounding rectangle only, and rebuilds the stored mask from the annotation's
current geometry when it is applied or reverted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from sqlalchemy import Connection

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Mask
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.commands import Command
from limner.models.errors import GeometryError
from limner.models.imaging.mask_ops import Rect
from limner.models.store import tx
from limner.models.store.store import ChangeSet

__all__ = ["MaskStroke", "ReplaceAnnotations", "pack_bits", "paste_crop", "unpack_bits"]


def pack_bits(crop: np.ndarray) -> bytes:
    """A bool crop as packed bits (one byte per eight pixels); the shape is kept apart."""
    return np.packbits(np.asarray(crop, dtype=bool), axis=None).tobytes()


def unpack_bits(data: bytes, shape: tuple[int, int]) -> np.ndarray:
    """Inverse of :func:`pack_bits` for a crop of ``shape`` (rows, columns)."""
    count = shape[0] * shape[1]
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), count=count)
    return bits.reshape(shape).astype(bool)


def paste_crop(mask: Mask, rect: Rect, crop: np.ndarray) -> Mask | None:
    """``mask`` with the pixels of ``rect`` replaced by ``crop``; None if nothing is left.

    Works on the union of the mask's bounding box and ``rect`` only, so the cost follows
    the size of the shape and of the edit, not of the image.
    """
    x, y, w, h = rect
    if crop.shape != (h, w):
        raise GeometryError(f"crop of shape {crop.shape} does not fit a {w}x{h} rectangle")
    if x < 0 or y < 0 or x + w > mask.image_width or y + h > mask.image_height:
        raise GeometryError(
            f"rectangle ({x}, {y}, {w}x{h}) lies outside the "
            f"{mask.image_width}x{mask.image_height} image"
        )
    left = min(mask.left, x)
    top = min(mask.top, y)
    right = max(mask.left + mask.width, x + w)
    bottom = max(mask.top + mask.height, y + h)
    window = np.zeros((bottom - top, right - left), dtype=bool)
    window[
        mask.top - top : mask.top - top + mask.height,
        mask.left - left : mask.left - left + mask.width,
    ] = mask.crop_array()
    window[y - top : y - top + h, x - left : x - left + w] = crop
    if not window.any():
        return None
    return Mask.from_crop(window, left, top, mask.image_width, mask.image_height)


@dataclass(eq=False)
class MaskStroke(Command):
    """One brush or eraser stroke (or wand add/subtract) on an existing mask annotation.

    ``before`` and ``after`` are the packed pixels of ``rect`` (``(x, y, w, h)``) before and
    after the edit. A stroke that erases the last pixel cannot leave an empty mask (there
    is no such shape), so it deletes the annotation, and undoing it brings it back.
    """

    starts_image: ClassVar[bool] = True

    uuid: str
    on_image: int | None
    rect: Rect
    before: bytes
    after: bytes
    image_width: int
    image_height: int
    text: str = QT_TRANSLATE_NOOP("Commands", "Paint mask")
    _tombstoned: bool = field(default=False, init=False, repr=False)

    @classmethod
    def from_crops(
        cls,
        uuid: str,
        image_id: int | None,
        rect: Rect,
        before: np.ndarray,
        after: np.ndarray,
        image_size: tuple[int, int],
        text: str = QT_TRANSLATE_NOOP("Commands", "Paint mask"),
    ) -> MaskStroke:
        """Pack two ``(h, w)`` bool crops of ``rect``; ``image_size`` is ``(width, height)``."""
        x, y, w, h = (int(v) for v in rect)
        for name, crop in (("before", before), ("after", after)):
            if crop.shape != (h, w):
                raise GeometryError(f"{name} crop has shape {crop.shape}, expected {(h, w)}")
        return cls(
            uuid=uuid,
            on_image=image_id,
            rect=(x, y, w, h),
            before=pack_bits(before),
            after=pack_bits(after),
            image_width=int(image_size[0]),
            image_height=int(image_size[1]),
            text=text,
        )

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, columns)`` of the stored crops."""
        return (self.rect[3], self.rect[2])

    def before_crop(self) -> np.ndarray:
        return unpack_bits(self.before, self.shape)

    def after_crop(self) -> np.ndarray:
        return unpack_bits(self.after, self.shape)

    def _put(self, conn: Connection, changes: ChangeSet, crop: np.ndarray) -> None:
        current = tx.annotation_fields(conn, self.uuid, ["geometry"])["geometry"]
        if not isinstance(current, Mask):
            raise GeometryError(
                f"annotation {self.uuid} is a {current.kind}, not a mask; cannot paint on it"
            )
        if (current.image_width, current.image_height) != (self.image_width, self.image_height):
            raise GeometryError(
                f"the mask belongs to a {current.image_width}x{current.image_height} image, "
                f"but the stroke was painted on {self.image_width}x{self.image_height}"
            )
        result = paste_crop(current, self.rect, crop)
        if result is None:
            # The stored geometry stays the last non-empty one: the pixels outside the
            # rectangle are still right for whichever crop is pasted next.
            tx.set_annotation_deleted(conn, changes, self.uuid, True)
            self._tombstoned = True
            return
        tx.update_annotation(conn, changes, self.uuid, {"geometry": result})
        if self._tombstoned:
            tx.set_annotation_deleted(conn, changes, self.uuid, False)
            self._tombstoned = False

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        self._put(conn, changes, self.after_crop())

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        self._put(conn, changes, self.before_crop())

    @property
    def image_id(self) -> int | None:
        return self.on_image

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "uuids": [self.uuid], "rect": list(self.rect)}


@dataclass(eq=False)
class ReplaceAnnotations(Command):
    """Delete some annotations and add others as one step (convert polygon <-> mask).

    The removed ones are tombstoned, not rewritten, so undo restores them exactly (same
    uuid, same revision history) and sync sees a delete plus an add. The added ones become
    the selection.
    """

    starts_image: ClassVar[bool] = True

    removed: tuple[str, ...]
    added: tuple[NewAnnotation, ...]
    on_image: int | None = None
    text: str = QT_TRANSLATE_NOOP("Commands", "Convert annotations")

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        for uuid in self.removed:
            tx.set_annotation_deleted(conn, changes, uuid, True)
        for item in self.added:
            tx.insert_annotation(conn, changes, item)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        for item in self.added:
            tx.set_annotation_deleted(conn, changes, item.uuid, True)
        for uuid in self.removed:
            tx.set_annotation_deleted(conn, changes, uuid, False)

    @property
    def image_id(self) -> int | None:
        if self.on_image is not None:
            return self.on_image
        return self.added[0].image_id if self.added else None

    @property
    def select_after(self) -> tuple[str, ...] | None:
        """The shapes that took the place of the removed ones."""
        return tuple(item.uuid for item in self.added)

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "removed": list(self.removed),
            "added": [item.uuid for item in self.added],
        }
