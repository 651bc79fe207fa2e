"""What an annotation can hold: boxes (rotated or not), polygons, masks, keypoints,
polylines, points, ellipses, and image tags.

Every shape is a frozen, hashable value so that the undo stack, the store and the sync
thread can share it without copies or locks. Each one validates itself on construction:
a shape that exists is a shape limner is willing to save, draw and upload, so no other
module has to re-check for NaN, inverted boxes or degenerate rings.

Coordinates live in continuous image space: ``(0, 0)`` is the top-left corner of the
top-left pixel, and the centre of pixel (row ``r``, column ``c``) is ``(c + 0.5, r + 0.5)``.

Each shape has a module of its own (``box``, ``polygon``, ``mask``, ``keypoints``,
``polyline``, ``point``, ``ellipse``, ``tag``), next to the run-length encoding masks are
stored in (``rle``), the JSON form (``json_form``), what can be done to any shape
(``ops``) and the conversions between kinds (``convert``). The names below are the package's public
surface, so a caller can import them from here without knowing which module holds them.
"""

from __future__ import annotations

from limner.models.domain.geometry.box import Box
from limner.models.domain.geometry.convert import (
    box_to_polygon,
    ellipse_to_polygon,
    polygon_to_box,
    polyline_to_polygon,
)
from limner.models.domain.geometry.ellipse import Ellipse
from limner.models.domain.geometry.json_form import geometry_from_json, geometry_to_json
from limner.models.domain.geometry.keypoints import Keypoints, Skeleton
from limner.models.domain.geometry.kinds import SHAPES, Geometry, Shape, has_extent
from limner.models.domain.geometry.mask import Mask
from limner.models.domain.geometry.ops import bounds, clip_box, rotate, translate
from limner.models.domain.geometry.point import Point
from limner.models.domain.geometry.polygon import XY, Polygon, PolygonPart, Ring, polygon_area
from limner.models.domain.geometry.polyline import Polyline
from limner.models.domain.geometry.rle import (
    rle_decode,
    rle_encode,
    rle_from_coco_string,
    rle_to_coco_string,
)
from limner.models.domain.geometry.tag import TAG_MODES, Tag, TagSpec, TagValue

__all__ = [
    "SHAPES",
    "TAG_MODES",
    "XY",
    "Box",
    "Ellipse",
    "Geometry",
    "Keypoints",
    "Mask",
    "Point",
    "Polygon",
    "PolygonPart",
    "Polyline",
    "Ring",
    "Shape",
    "Skeleton",
    "Tag",
    "TagSpec",
    "TagValue",
    "bounds",
    "box_to_polygon",
    "clip_box",
    "ellipse_to_polygon",
    "geometry_from_json",
    "geometry_to_json",
    "has_extent",
    "polygon_area",
    "polygon_to_box",
    "polyline_to_polygon",
    "rle_decode",
    "rle_encode",
    "rle_from_coco_string",
    "rle_to_coco_string",
    "rotate",
    "translate",
]
