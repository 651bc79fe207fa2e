"""Box tool: press, drag, release draws a box of the active class, which becomes the selection."""

from __future__ import annotations

from limner.models.domain.geometry import Box, Geometry
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.tools.base import MIN_DRAG_SCREEN_PX, Pointer
from limner.models.editing.tools.drag import DragShapeTool


class BoxTool(DragShapeTool):
    name = "box"
    letter = "B"
    undo_text = QT_TRANSLATE_NOOP("Commands", "Draw box")

    def shape_between(self, ax: float, ay: float, bx: float, by: float, p: Pointer) -> Geometry:
        return Box.from_corners(ax, ay, bx, by)

    def big_enough(self, shape: Geometry, scale: float) -> bool:
        assert isinstance(shape, Box)
        min_size = MIN_DRAG_SCREEN_PX / scale
        return shape.width >= min_size and shape.height >= min_size
