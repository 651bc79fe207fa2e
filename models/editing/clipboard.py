"""Copy, paste and duplicate: annotations placed again as new ones on an image.

Pasting onto an image of another size keeps every shape that still fits: boxes are
clipped, masks are re-cut to the new image, and what falls wholly outside is reported
back instead of being dropped without a word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from limner.models.domain.entities import Annotation, NewAnnotation
from limner.models.domain.geometry import Box, Geometry, Mask, bounds, clip_box, translate
from limner.models.editing.commands import AddAnnotations
from limner.models.errors import GeometryError
from limner.models.store.tx import new_uuid


@dataclass(frozen=True, slots=True)
class ClipItem:
    geometry: Geometry
    class_id: int | None
    attributes: Mapping[str, Any]
    z: int


def copy_items(annotations: Iterable[Annotation]) -> tuple[ClipItem, ...]:
    return tuple(
        ClipItem(a.geometry, a.class_id, MappingProxyType(dict(a.attributes)), a.z)
        for a in sorted(annotations, key=lambda a: (a.z, a.id))
    )


def place_on_image(geometry: Geometry, width: int, height: int) -> Geometry | None:
    """``geometry`` fitted to a ``width`` x ``height`` image, or None when nothing is inside."""
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
    if bx1 <= 0 or by1 <= 0 or bx0 >= width or by0 >= height:
        return None
    return geometry


def paste_command(
    items: Iterable[ClipItem],
    image_id: int,
    image_size: tuple[int, int],
    *,
    offset: tuple[float, float] = (0.0, 0.0),
    base_z: int = 0,
    text: str = "Paste",
) -> tuple[AddAnnotations | None, int]:
    """The command that pastes ``items`` above ``base_z``; also how many did not fit."""
    width, height = image_size
    news: list[NewAnnotation] = []
    skipped = 0
    for item in items:
        try:
            geometry = translate(item.geometry, *offset) if offset != (0.0, 0.0) else item.geometry
            placed = place_on_image(geometry, width, height)
        except GeometryError:
            placed = None
        if placed is None:
            skipped += 1
            continue
        news.append(
            NewAnnotation(
                uuid=new_uuid(),
                image_id=image_id,
                class_id=item.class_id,
                geometry=placed,
                attributes=item.attributes,
                z=base_z + len(news),
            )
        )
    if not news:
        return None, skipped
    return AddAnnotations(tuple(news), text=text), skipped
