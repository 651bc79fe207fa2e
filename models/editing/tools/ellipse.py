"""Ellipse tool: drag the rectangle the ellipse fits in; Shift makes it a circle.

With Shift the drag's longer side sets the diameter, and the circle grows from the press
corner towards the pointer, as a square does in drawing programs. The ellipse is drawn
axis-aligned; the select tool's rotate handle turns it afterwards.
"""

from __future__ import annotations

from limner.models.domain.geometry import Ellipse, Geometry
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.tools.base import MIN_DRAG_SCREEN_PX, Pointer
from limner.models.editing.tools.drag import DragShapeTool


def ellipse_in(ax: float, ay: float, bx: float, by: float, circle: bool) -> Ellipse:
    """The ellipse inscribed in the rectangle from ``(ax, ay)`` to ``(bx, by)``."""
    dx, dy = bx - ax, by - ay
    if circle:
        side = max(abs(dx), abs(dy))
        dx = side if dx >= 0 else -side
        dy = side if dy >= 0 else -side
    return Ellipse(ax + dx / 2, ay + dy / 2, abs(dx) / 2, abs(dy) / 2)


class EllipseTool(DragShapeTool):
    name = "ellipse"
    letter = "O"
    undo_text = QT_TRANSLATE_NOOP("Commands", "Draw ellipse")

    def shape_between(self, ax: float, ay: float, bx: float, by: float, p: Pointer) -> Geometry:
        return ellipse_in(ax, ay, bx, by, circle=p.shift)

    def big_enough(self, shape: Geometry, scale: float) -> bool:
        assert isinstance(shape, Ellipse)
        return min(shape.rx, shape.ry) >= MIN_DRAG_SCREEN_PX / 2 / scale
