"""The press, drag, release gesture that draws one shape from its bounding rectangle.

Boxes and ellipses are both drawn this way: the press fixes a corner, every move previews
the shape to the pointer, and the release commits it unless it is too small to have been
meant (a click, a tremble). Subclasses say only how the two corners make their shape and
when it is big enough.
"""

from __future__ import annotations

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Geometry
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.tools.base import Pointer, Preview, Tool, ToolHost
from limner.models.errors import GeometryError
from limner.models.store.tx import new_uuid


class DragShapeTool(Tool):
    """Draws the shape :meth:`shape_between` makes from the press point to the pointer."""

    undo_text = QT_TRANSLATE_NOOP("Commands", "Draw shape")

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._anchor: tuple[float, float] | None = None

    def shape_between(self, ax: float, ay: float, bx: float, by: float, p: Pointer) -> Geometry:
        raise NotImplementedError

    def big_enough(self, shape: Geometry, scale: float) -> bool:
        raise NotImplementedError

    def cursor(self, p: Pointer) -> str:
        return "cross"

    def press(self, p: Pointer) -> None:
        if p.button != "left" or self.host.image_size is None:
            return
        self._anchor = self.clamp(p.x, p.y)

    def _shape_to(self, p: Pointer) -> Geometry | None:
        if self._anchor is None:
            return None
        bx, by = self.clamp(p.x, p.y)
        try:
            return self.shape_between(*self._anchor, bx, by, p)
        except GeometryError:
            return None

    def move(self, p: Pointer) -> None:
        shape = self._shape_to(p)
        self.preview = Preview(drawing=shape) if shape else Preview()

    def release(self, p: Pointer) -> None:
        if p.button != "left" or self._anchor is None:
            return
        shape = self._shape_to(p)
        self.cancel()
        image_id = self.host.image_id
        if shape is None or image_id is None or not self.big_enough(shape, max(p.scale, 1e-6)):
            return
        item = NewAnnotation(
            uuid=new_uuid(),
            image_id=image_id,
            class_id=self.host.active_class_id(),
            geometry=shape,
        )
        self.host.commit(AddAnnotations((item,), text=self.undo_text))

    def cancel(self) -> None:
        self._anchor = None
        super().cancel()
