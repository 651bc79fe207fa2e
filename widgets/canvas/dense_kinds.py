"""Rasterizing rotated boxes, ellipses, polylines and points into the dense-scene layer.

Kept beside the dense layer so that its drawing function only dispatches to here: each
kind is drawn into the same three buffers (fill colour, coverage, outlines) with the same
sub-pixel shift, so the layer composes them exactly like boxes and polygons.
"""

from __future__ import annotations

import cv2
import numpy as np

from limner.models.domain.geometry import Box, Ellipse, Point, Polyline

SHIFT = 4
SCALE = float(1 << SHIFT)
POINT_RADIUS_PX = 2


Offset = tuple[int, int]  # fixed-point position of the planes' top left in the raster


def _fixed(x: float, y: float, scale: float, off: Offset) -> tuple[int, int]:
    return round(x * scale * SCALE) - off[0], round(y * scale * SCALE) - off[1]


def _pts(points: tuple[tuple[float, float], ...], scale: float, off: Offset) -> np.ndarray:
    arr = np.asarray(points, dtype=np.float64) * (scale * SCALE)
    return (np.round(arr).astype(np.int32) - np.array(off, np.int32)).reshape(-1, 1, 2)


def draw_kind(
    g: Box | Ellipse | Polyline | Point,
    scale: float,
    color: tuple[int, int, int],
    fill: np.ndarray,
    covered: np.ndarray,
    lines: np.ndarray,
    off: Offset = (0, 0),
) -> None:
    """Draw ``g`` into planes whose top left sits at fixed-point ``off`` in the raster."""
    line = (*color, 255)
    if isinstance(g, Box):
        ring = [_pts(g.corners(), scale, off)]
        cv2.fillPoly(fill, ring, color, cv2.LINE_8, SHIFT)
        cv2.fillPoly(covered, ring, 255, cv2.LINE_8, SHIFT)
        cv2.polylines(lines, ring, True, line, 1, cv2.LINE_8, SHIFT)
    elif isinstance(g, Ellipse):
        centre = _fixed(g.cx, g.cy, scale, off)
        axes = _fixed(g.rx, g.ry, scale, (0, 0))
        for target, value, width in ((fill, color, -1), (covered, 255, -1), (lines, line, 1)):
            cv2.ellipse(target, centre, axes, g.angle, 0, 360, value, width, cv2.LINE_8, SHIFT)
    elif isinstance(g, Polyline):
        cv2.polylines(lines, [_pts(g.points, scale, off)], False, line, 1, cv2.LINE_8, SHIFT)
    else:
        centre = _fixed(g.x, g.y, scale, off)
        cv2.circle(lines, centre, POINT_RADIUS_PX << SHIFT, line, -1, cv2.LINE_8, SHIFT)
