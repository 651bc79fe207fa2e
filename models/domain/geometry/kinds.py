"""``Geometry``: the union of what an annotation can hold, and which of it has a place.

It has a module of its own because the JSON form and the operations both take any shape,
and neither is where the shapes themselves are defined. Every member but :class:`Tag`
has an extent in the image; a tag is an answer about the whole image and has none.
"""

from __future__ import annotations

from typing import TypeAlias

from limner.models.domain.geometry.box import Box
from limner.models.domain.geometry.ellipse import Ellipse
from limner.models.domain.geometry.keypoints import Keypoints
from limner.models.domain.geometry.mask import Mask
from limner.models.domain.geometry.point import Point
from limner.models.domain.geometry.polygon import Polygon
from limner.models.domain.geometry.polyline import Polyline
from limner.models.domain.geometry.tag import Tag

Shape: TypeAlias = Box | Polygon | Mask | Keypoints | Polyline | Point | Ellipse
"""What has a place in the image: everything that is drawn, hit and indexed."""

Geometry: TypeAlias = Shape | Tag

SHAPES: tuple[type, ...] = (Box, Polygon, Mask, Keypoints, Polyline, Point, Ellipse)


def has_extent(geometry: Geometry) -> bool:
    """True for shapes, False for image tags (which have no position or size)."""
    return not isinstance(geometry, Tag)
