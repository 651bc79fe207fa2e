"""Ellipse tool: drag the rectangle the ellipse fits in; Shift makes it a circle.

With Shift the drag's longer side sets the diameter, and the circle grows from the press
corner towards the pointer, as a square does in drawing programs. The ellipse is drawn
axis-aligned; the select tool's rotate handle turns it afterwards.
"""

from __future__ import annotations

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Ellipse
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.tools.base import MIN_DRAG_SCREEN_PX, Pointer, Preview, Tool, ToolHost
from limner.models.errors import GeometryError
from limner.models.store.tx import new_uuid


def ellipse_in(ax: float, ay: float, bx: float, by: float, circle: bool) -> Ellipse:
    """The ellipse inscribed in the rectangle from ``(ax, ay)`` to ``(bx, by)``."""
    dx, dy = bx - ax, by - ay
    if circle:
        side = max(abs(dx), abs(dy))
        dx = side if dx >= 0 else -side
        dy = side if dy >= 0 else -side
    return Ellipse(ax + dx / 2, ay + dy / 2, abs(dx) / 2, abs(dy) / 2)


class EllipseTool(Tool):
    name = "ellipse"
    letter = "O"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._anchor: tuple[float, float] | None = None

    def cursor(self, p: Pointer) -> str:
        return "cross"

    def press(self, p: Pointer) -> None:
        if p.button != "left" or self.host.image_size is None:
            return
        self._anchor = self.clamp(p.x, p.y)

    def _ellipse_to(self, p: Pointer) -> Ellipse | None:
        if self._anchor is None:
            return None
        bx, by = self.clamp(p.x, p.y)
        try:
            return ellipse_in(*self._anchor, bx, by, circle=p.shift)
        except GeometryError:
            return None

    def move(self, p: Pointer) -> None:
        ellipse = self._ellipse_to(p)
        self.preview = Preview(drawing=ellipse) if ellipse else Preview()

    def release(self, p: Pointer) -> None:
        if p.button != "left" or self._anchor is None:
            return
        ellipse = self._ellipse_to(p)
        self.cancel()
        min_radius = MIN_DRAG_SCREEN_PX / 2 / max(p.scale, 1e-6)
        image_id = self.host.image_id
        if ellipse is None or image_id is None or min(ellipse.rx, ellipse.ry) < min_radius:
            return
        item = NewAnnotation(
            uuid=new_uuid(),
            image_id=image_id,
            class_id=self.host.active_class_id(),
            geometry=ellipse,
        )
        self.host.commit(AddAnnotations((item,), text="Draw ellipse"))

    def cancel(self) -> None:
        self._anchor = None
        super().cancel()
