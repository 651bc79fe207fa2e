"""Box tool: press, drag, release draws a box of the active class, which becomes the selection."""

from __future__ import annotations

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.tools.base import MIN_DRAG_SCREEN_PX, Pointer, Preview, Tool
from limner.models.errors import GeometryError
from limner.models.store.tx import new_uuid


class BoxTool(Tool):
    name = "box"
    letter = "B"

    def __init__(self, host) -> None:  # type: ignore[no-untyped-def]
        super().__init__(host)
        self._anchor: tuple[float, float] | None = None

    def cursor(self, p: Pointer) -> str:
        return "cross"

    def press(self, p: Pointer) -> None:
        if p.button != "left" or self.host.image_size is None:
            return
        self._anchor = self.clamp(p.x, p.y)

    def _box_to(self, p: Pointer) -> Box | None:
        if self._anchor is None:
            return None
        ax, ay = self._anchor
        bx, by = self.clamp(p.x, p.y)
        try:
            return Box.from_corners(ax, ay, bx, by)
        except GeometryError:
            return None

    def move(self, p: Pointer) -> None:
        box = self._box_to(p)
        self.preview = Preview(drawing=box) if box else Preview()

    def release(self, p: Pointer) -> None:
        if p.button != "left" or self._anchor is None:
            return
        box = self._box_to(p)
        self._anchor = None
        self.preview = Preview()
        min_size = MIN_DRAG_SCREEN_PX / max(p.scale, 1e-6)
        image_id = self.host.image_id
        if box is None or image_id is None or box.width < min_size or box.height < min_size:
            return
        item = NewAnnotation(
            uuid=new_uuid(),
            image_id=image_id,
            class_id=self.host.active_class_id(),
            geometry=box,
        )
        self.host.commit(AddAnnotations((item,), text="Draw box"))

    def cancel(self) -> None:
        self._anchor = None
        super().cancel()
