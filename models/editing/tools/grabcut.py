"""GrabCut tool: drag a box around an object, get its mask.

The box is drawn like the box tool's; on release OpenCV's GrabCut separates the object
from its background and the result becomes a new mask of the active class.
"""

from __future__ import annotations

from limner.models.domain.geometry import Box
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.tools.base import MIN_DRAG_SCREEN_PX, Pointer, Preview, Tool, ToolHost
from limner.models.editing.tools.wand import commit_region
from limner.models.errors import GeometryError
from limner.models.imaging.mask_ops import grabcut

__all__ = ["GrabCutTool"]


class GrabCutTool(Tool):
    name = "grabcut"
    letter = "G"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.iterations = 5
        self.max_side = 1024
        self._anchor: tuple[float, float] | None = None

    @property
    def busy(self) -> bool:
        return self._anchor is not None

    def cursor(self, p: Pointer) -> str:
        return "cross"

    def press(self, p: Pointer) -> None:
        if p.button != "left" or self.host.image_size is None:
            return
        self._anchor = self.clamp(p.x, p.y)
        self.preview = Preview()

    def _box_to(self, p: Pointer) -> Box | None:
        if self._anchor is None:
            return None
        bx, by = self.clamp(p.x, p.y)
        try:
            return Box.from_corners(*self._anchor, bx, by)
        except GeometryError:
            return None

    def move(self, p: Pointer) -> None:
        if self._anchor is None:
            return
        box = self._box_to(p)
        self.preview = Preview(drawing=box) if box else Preview()

    def release(self, p: Pointer) -> None:
        if p.button != "left" or self._anchor is None:
            return
        box = self._box_to(p)
        self._anchor = None
        self.preview = Preview()
        min_size = MIN_DRAG_SCREEN_PX / max(p.scale, 1e-6)
        if box is None or box.width < min_size or box.height < min_size:
            return
        pixels = self.host.image_pixels()
        if pixels is None:
            return
        try:
            region = grabcut(pixels, box, self.iterations, self.max_side)
        except GeometryError as exc:
            self.preview = Preview(hint=str(exc))
            return
        if not commit_region(
            self.host, region, "new", text=QT_TRANSLATE_NOOP("Commands", "GrabCut")
        ):
            self.preview = Preview(
                hint=QT_TRANSLATE_NOOP("Tools", "GrabCut found no object in the box")
            )

    def cancel(self) -> None:
        self._anchor = None
        super().cancel()
