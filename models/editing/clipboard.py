"""Copy, paste and duplicate: annotations placed again as new ones on an image.

Pasting onto an image of another size keeps every shape that still fits: boxes are
clipped (a rotated box is kept whole while part of it is inside), masks are re-cut to the
new image, and what falls wholly outside is reported back instead of being dropped
without a word. Groups stay groups: the pasted members of one group form a new group of
their own, anchored on the copy of the old anchor when it came along.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from limner.models.domain.entities import Annotation, NewAnnotation
from limner.models.domain.geometry import (
    Box,
    Geometry,
    Mask,
    bounds,
    clip_box,
    has_extent,
    translate,
)
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.commands import AddAnnotations
from limner.models.errors import GeometryError
from limner.models.store.tx import new_uuid


@dataclass(frozen=True, slots=True)
class ClipItem:
    geometry: Geometry
    class_id: int | None
    attributes: Mapping[str, Any]
    z: int
    group_id: str | None = None
    """The group the copied annotation was in (None: in none)."""
    anchor: bool = False
    """It was its group's anchor (its uuid was the group id)."""


def copy_items(annotations: Iterable[Annotation]) -> tuple[ClipItem, ...]:
    return tuple(
        ClipItem(
            a.geometry,
            a.class_id,
            MappingProxyType(dict(a.attributes)),
            a.z,
            a.group_id,
            a.group_id == a.uuid,
        )
        for a in sorted(annotations, key=lambda a: (a.z, a.id))
    )


def _regroup(placed: list[tuple[ClipItem, NewAnnotation]]) -> list[NewAnnotation]:
    """The new annotations with new group ids: one per copied group that kept two or more
    members, the uuid of the old anchor's copy, else of the group's first member."""
    members: dict[str, list[tuple[ClipItem, NewAnnotation]]] = {}
    for item, new in placed:
        if item.group_id is not None:
            members.setdefault(item.group_id, []).append((item, new))
    anchors: dict[str, str] = {}
    for old, found in members.items():
        if len(found) >= 2:
            anchor = next((new for item, new in found if item.anchor), found[0][1])
            anchors[old] = anchor.uuid
    return [
        replace(new, group_id=anchors.get(item.group_id or "")) if item.group_id else new
        for item, new in placed
    ]


def place_on_image(geometry: Geometry, width: int, height: int) -> Geometry | None:
    """``geometry`` fitted to a ``width`` x ``height`` image, or None when nothing is inside."""
    if not has_extent(geometry):
        return geometry
    if isinstance(geometry, Box):
        return clip_box(geometry, width, height)
    if isinstance(geometry, Mask):
        if (geometry.image_width, geometry.image_height) == (width, height):
            return geometry
        crop = geometry.crop_array()
        x0, y0 = geometry.left, geometry.top
        x1, y1 = min(x0 + geometry.width, width), min(y0 + geometry.height, height)
        if x1 <= x0 or y1 <= y0:
            return None
        part = np.ascontiguousarray(crop[: y1 - y0, : x1 - x0])
        if not part.any():
            return None
        return Mask.from_crop(part, x0, y0, width, height)
    bx0, by0, bx1, by1 = bounds(geometry)
    if _outside(bx0, bx1, width) or _outside(by0, by1, height):
        return None
    return geometry


def _outside(low: float, high: float, size: float) -> bool:
    """True when ``[low, high]`` misses ``[0, size]``; an extent of no size (a point, a
    level line) still counts as inside on the image's edge, where it can be placed."""
    if high == low:
        return high < 0 or low > size
    return high <= 0 or low >= size


def paste_command(
    items: Iterable[ClipItem],
    image_id: int,
    image_size: tuple[int, int],
    *,
    offset: tuple[float, float] = (0.0, 0.0),
    base_z: int = 0,
    text: str = QT_TRANSLATE_NOOP("Commands", "Paste"),
) -> tuple[AddAnnotations | None, int]:
    """The command that pastes ``items`` above ``base_z``; also how many did not fit."""
    width, height = image_size
    placed: list[tuple[ClipItem, NewAnnotation]] = []
    skipped = 0
    for item in items:
        try:
            geometry = translate(item.geometry, *offset) if offset != (0.0, 0.0) else item.geometry
            fitted = place_on_image(geometry, width, height)
        except GeometryError:
            fitted = None
        if fitted is None:
            skipped += 1
            continue
        new = NewAnnotation(
            uuid=new_uuid(),
            image_id=image_id,
            class_id=item.class_id,
            geometry=fitted,
            attributes=item.attributes,
            z=base_z + len(placed),
        )
        placed.append((item, new))
    news = _regroup(placed)
    if not news:
        return None, skipped
    return AddAnnotations(tuple(news), text=text), skipped
