"""Shapes an annotation can have: boxes, polygons, masks and keypoints.

Every shape is a frozen, hashable value so that the undo stack, the store and the sync
thread can share it without copies or locks. Each one validates itself on construction:
a shape that exists is a shape limner is willing to save, draw and upload, so no other
module has to re-check for NaN, inverted boxes or degenerate rings.

Coordinates live in continuous image space: ``(0, 0)`` is the top-left corner of the
top-left pixel, and the centre of pixel (row ``r``, column ``c``) is ``(c + 0.5, r + 0.5)``.

Each shape has a module of its own (``box``, ``polygon``, ``mask``, ``keypoints``), next
to the run-length encoding masks are stored in (``rle``), the JSON form (``json_form``)
and what can be done to any shape (``ops``). The names below are the package's public
surface, so a caller can import them from here without knowing which module holds them.
"""

from __future__ import annotations

from limner.models.domain.geometry.box import Box
from limner.models.domain.geometry.json_form import geometry_from_json, geometry_to_json
from limner.models.domain.geometry.keypoints import Keypoints, Skeleton
from limner.models.domain.geometry.kinds import Geometry
from limner.models.domain.geometry.mask import Mask
from limner.models.domain.geometry.ops import bounds, clip_box, translate
from limner.models.domain.geometry.polygon import Point, Polygon, PolygonPart, Ring, polygon_area
from limner.models.domain.geometry.rle import (
    rle_decode,
    rle_encode,
    rle_from_coco_string,
    rle_to_coco_string,
)

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
