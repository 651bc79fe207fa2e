"""Point tool: every click inside the image places one point of the active class."""

from __future__ import annotations

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Point
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.tools.base import Pointer, Preview, Tool, ToolHost
from limner.models.store.tx import new_uuid


class PointTool(Tool):
    name = "point"
    letter = "T"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.preview = Preview(hint=QT_TRANSLATE_NOOP("Tools", "click to place a point"))

    @property
    def busy(self) -> bool:
        return False  # a click is the whole gesture; Esc clears the selection as usual

    def cursor(self, p: Pointer) -> str:
        return "cross"

    def release(self, p: Pointer) -> None:
        size, image_id = self.host.image_size, self.host.image_id
        if p.button != "left" or size is None or image_id is None:
            return
        if not (0 <= p.x <= size[0] and 0 <= p.y <= size[1]):
            return  # a click beside the image is not meant as a point on its edge
        item = NewAnnotation(
            uuid=new_uuid(),
            image_id=image_id,
            class_id=self.host.active_class_id(),
            geometry=Point(float(p.x), float(p.y)),
        )
        self.host.commit(AddAnnotations((item,), text=QT_TRANSLATE_NOOP("Commands", "Place point")))
