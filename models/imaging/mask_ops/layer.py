"""The live painting layer a brush stroke paints into, and its overlay pixels.

A pixel belongs to a disc or a capsule when its *centre* does, so painting does not depend
on the zoom level. Every dab touches only its own bounding window, so its cost does not
depend on the image size, and the layer records what changed where: the canvas re-uploads
only those rectangles and the undo step stores only that crop.
"""

from __future__ import annotations

import math

import numpy as np

from limner.models.domain.geometry import Mask, Polygon
from limner.models.errors import GeometryError
from limner.models.imaging.mask_ops.checks import finite_float
from limner.models.imaging.mask_ops.rasterize import fill_polygon
from limner.models.imaging.mask_ops.rects import Rect, mask_crop, rect_union, tight_rect

# A capsule's bounding window grows with the square of a diagonal segment's length; cutting
# long segments into pieces of at most this many radii keeps every window small. The union
# of the pieces' capsules is exactly the whole capsule, so the result does not change.
_SEGMENT_PIECE_RADII = 4.0
_SEGMENT_PIECE_MIN_PX = 32.0

# Past this many pending dirty rectangles they are merged into their union: a canvas that
# stops collecting them (hidden, minimized) must not make the list grow without bound.
_MAX_DIRTY_RECTS = 64


def _radius(value: float) -> float:
    radius = finite_float(value, "brush radius")
    if radius <= 0:
        raise GeometryError(f"brush radius must be positive, got {radius}")
    return radius


class MaskLayer:
    """The full-image raster a brush stroke paints into, with what changed where.

    The layer is full size so that a dab is a slice assignment with no re-encoding; every
    operation touches only the bounding window of what it paints, so the cost of a dab
    does not depend on the image size. The canvas collects :meth:`take_dirty` after each
    event and re-uploads only those rectangles; the tool reads :attr:`changed_bbox` at the
    end of the stroke to store only that crop in the undo step.
    """

    def __init__(
        self,
        width: int,
        height: int,
        *,
        uuid: str | None = None,
        original: Mask | None = None,
    ) -> None:
        if width < 1 or height < 1:
            raise GeometryError(f"mask layer size must be at least 1x1, got {width}x{height}")
        self.width = int(width)
        self.height = int(height)
        self.uuid = uuid
        self.original = original
        self.array = np.zeros((self.height, self.width), dtype=bool)
        self._dirty: list[Rect] = []
        self._changed: Rect | None = None
        if original is not None:
            if original.image_width != self.width or original.image_height != self.height:
                raise GeometryError(
                    f"the mask belongs to a {original.image_width}x{original.image_height} "
                    f"image, not {self.width}x{self.height}"
                )
            self.array[
                original.top : original.top + original.height,
                original.left : original.left + original.width,
            ] = original.crop_array()

    @classmethod
    def from_mask(
        cls, mask: Mask | None, image_w: int, image_h: int, *, uuid: str | None = None
    ) -> MaskLayer:
        """A layer holding ``mask`` (or empty when None), to edit annotation ``uuid``."""
        return cls(image_w, image_h, uuid=uuid, original=mask)

    # -- what changed ------------------------------------------------------------------
    @property
    def changed_bbox(self) -> Rect | None:
        """Union of every rectangle changed since the layer was made (the stroke's extent)."""
        return self._changed

    def take_dirty(self) -> list[Rect]:
        """Rectangles changed since the previous call; the list is cleared."""
        dirty, self._dirty = self._dirty, []
        return dirty

    def crop(self, rect: Rect) -> np.ndarray:
        """A copy of the current pixels inside ``rect``."""
        x, y, w, h = rect
        return self.array[y : y + h, x : x + w].copy()

    def original_crop(self, rect: Rect) -> np.ndarray:
        """The pixels inside ``rect`` as they were before this layer was painted on."""
        return mask_crop(self.original, rect)

    def _record(self, rect: Rect) -> None:
        self._changed = rect_union(self._changed, rect)
        self._dirty.append(rect)
        if len(self._dirty) > _MAX_DIRTY_RECTS:
            merged: Rect | None = None
            for item in self._dirty:
                merged = rect_union(merged, item)
            assert merged is not None
            self._dirty = [merged]

    def paint(self, x: int, y: int, inside: np.ndarray, value: bool) -> Rect | None:
        """Set the pixels where ``inside`` is True (a window placed at ``(x, y)``) to ``value``.

        Returns the tight rectangle of pixels that actually changed, or None, so that
        painting over already painted pixels neither dirties the canvas nor the undo step.
        """
        h, w = inside.shape
        view = self.array[y : y + h, x : x + w]
        changed = inside & (view != value)
        rect = tight_rect(changed, x, y)
        if rect is None:
            return None
        view[changed] = value
        self._record(rect)
        return rect

    # -- painting ------------------------------------------------------------------------
    def _window(self, x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        """Pixel columns/rows whose centres may lie in ``[x0, x1] x [y0, y1]``, clipped."""
        c0 = max(math.ceil(x0 - 0.5), 0)
        r0 = max(math.ceil(y0 - 0.5), 0)
        c1 = min(math.floor(x1 - 0.5) + 1, self.width)
        r1 = min(math.floor(y1 - 0.5) + 1, self.height)
        return c0, r0, c1, r1

    def dab(self, x: float, y: float, radius: float, value: bool) -> Rect | None:
        """Paint the disc of pixels whose centres lie within ``radius`` of ``(x, y)``."""
        x = finite_float(x, "dab x")
        y = finite_float(y, "dab y")
        radius = _radius(radius)
        c0, r0, c1, r1 = self._window(x - radius, y - radius, x + radius, y + radius)
        if c0 >= c1 or r0 >= r1:
            return None
        dx = np.arange(c0, c1, dtype=np.float64) + (0.5 - x)
        dy = np.arange(r0, r1, dtype=np.float64) + (0.5 - y)
        inside = dy[:, None] ** 2 + dx[None, :] ** 2 <= radius * radius
        return self.paint(c0, r0, inside, bool(value))

    def segment(
        self, x0: float, y0: float, x1: float, y1: float, radius: float, value: bool
    ) -> Rect | None:
        """Paint the capsule of pixels within ``radius`` of the segment; fast strokes stay solid.

        Long segments are cut into pieces so that no bounding window gets large.
        """
        x0, y0 = finite_float(x0, "segment x0"), finite_float(y0, "segment y0")
        x1, y1 = finite_float(x1, "segment x1"), finite_float(y1, "segment y1")
        radius = _radius(radius)
        length = math.hypot(x1 - x0, y1 - y0)
        piece = max(_SEGMENT_PIECE_RADII * radius, _SEGMENT_PIECE_MIN_PX)
        pieces = max(1, math.ceil(length / piece))
        changed: Rect | None = None
        ax, ay = x0, y0
        for i in range(1, pieces + 1):
            t = i / pieces
            bx, by = (x1, y1) if i == pieces else (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            changed = rect_union(changed, self._capsule(ax, ay, bx, by, radius, bool(value)))
            ax, ay = bx, by
        return changed

    def _capsule(
        self, ax: float, ay: float, bx: float, by: float, radius: float, value: bool
    ) -> Rect | None:
        c0, r0, c1, r1 = self._window(
            min(ax, bx) - radius, min(ay, by) - radius, max(ax, bx) + radius, max(ay, by) + radius
        )
        if c0 >= c1 or r0 >= r1:
            return None
        px = (np.arange(c0, c1, dtype=np.float64) + (0.5 - ax))[None, :]
        py = (np.arange(r0, r1, dtype=np.float64) + (0.5 - ay))[:, None]
        dx, dy = bx - ax, by - ay
        length_sq = dx * dx + dy * dy
        if length_sq == 0.0:
            distance_sq = px * px + py * py
        else:
            t = np.clip((px * dx + py * dy) / length_sq, 0.0, 1.0)
            distance_sq = (px - t * dx) ** 2 + (py - t * dy) ** 2
        return self.paint(c0, r0, distance_sq <= radius * radius, value)

    def fill_polygon(self, polygon: Polygon, value: bool) -> Rect | None:
        """Rasterize ``polygon`` into the layer (see :func:`fill_polygon`)."""
        return fill_polygon(self, polygon, value)


def overlay_rgba(
    layer: MaskLayer | np.ndarray, rect: Rect, color: tuple[int, int, int, int]
) -> np.ndarray:
    """The ``(h, w, 4)`` uint8 pixels of ``rect``: ``color`` where set, transparent elsewhere.

    This is what the canvas uploads for each dirty rectangle, so it is one broadcast
    multiply with no per-pixel Python.
    """
    array = layer.array if isinstance(layer, MaskLayer) else layer
    x, y, w, h = rect
    window = array[y : y + h, x : x + w]
    rgba = np.asarray(color, dtype=np.uint8)
    return window[:, :, None] * rgba
