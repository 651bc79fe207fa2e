"""Raster operations behind the mask tools: painting, rasterizing, tracing, wand, GrabCut.

Everything here is plain numpy/OpenCV on boolean arrays so that it can be tested without a
window and reused by importers. Coordinates follow :mod:`models.domain.geometry`: continuous
image space, pixel (row ``r``, column ``c``) covers ``[c, c + 1) x [r, r + 1)`` and its
centre is ``(c + 0.5, r + 0.5)``. A pixel belongs to a disc, a capsule or a polygon when its
*centre* does, which makes painting and rasterizing independent of the zoom level.

The brush's live layer is in ``layer``, polygons become pixels in ``rasterize`` and pixels
become polygons in ``trace`` (then ``simplify``), the wand and GrabCut are in
``segmentation``, and pixel rectangles in ``rects``. The names below are the package's
public surface.
"""

from __future__ import annotations

from limner.models.imaging.mask_ops.layer import MaskLayer, overlay_rgba
from limner.models.imaging.mask_ops.rasterize import (
    fill_polygon,
    polygon_to_mask_geometry,
    polygons_to_mask,
)
from limner.models.imaging.mask_ops.rects import Rect, mask_crop, rect_union, tight_rect
from limner.models.imaging.mask_ops.segmentation import grabcut, magic_wand
from limner.models.imaging.mask_ops.simplify import simplify_polygon, simplify_ring
from limner.models.imaging.mask_ops.trace import mask_to_polygons

__all__ = [
    "MaskLayer",
    "Rect",
    "fill_polygon",
    "grabcut",
    "magic_wand",
    "mask_crop",
    "mask_to_polygons",
    "overlay_rgba",
    "polygon_to_mask_geometry",
    "polygons_to_mask",
    "rect_union",
    "simplify_polygon",
    "simplify_ring",
    "tight_rect",
]
