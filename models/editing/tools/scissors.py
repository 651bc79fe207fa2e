"""Intelligent scissors: click along an object's outline, the path follows its edges.

Each click fixes the traced path from the previous click and anchors a new one; while the
pointer moves the preview shows the fixed part plus the live path to the pointer. Clicking
the first point, double-clicking or Enter closes the ring (the last stretch is traced too)
into a new polygon of the active class, one undo step. Backspace takes back the last
stretch, Esc drops the whole outline.

The edge maps are built by :class:`~limner.models.assist.scissors.EdgeTracer` on its own
thread, so a click never blocks the pointer; until the map is ready the live stretch is a
straight segment.
"""

from __future__ import annotations

import math

from limner.models.assist.scissors import XY, EdgeTracer
from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Polygon, PolygonPart
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.tools.base import Pointer, Preview, Tool, ToolHost, with_message
from limner.models.errors import GeometryError
from limner.models.store.tx import new_uuid

__all__ = ["ScissorsTool"]

_IDLE_HINT = QT_TRANSLATE_NOOP(
    "Tools", "click on an object's edge to start; the outline follows edges between clicks"
)
_CLOSE_HINT = QT_TRANSLATE_NOOP(
    "Tools", "click the first point, double-click or Enter to close · Backspace undoes a stretch"
)


class ScissorsTool(Tool):
    name = "scissors"
    letter = "S"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._tracer: EdgeTracer | None = None
        self._tracer_image: int | None = None
        self._stretches: list[list[XY]] = []
        self._start: XY | None = None
        self._pointer: XY | None = None
        self._message = ""
        self._refresh()

    @property
    def busy(self) -> bool:
        return self._start is not None

    @property
    def points(self) -> tuple[XY, ...]:
        """The fixed outline so far, first click first."""
        if self._start is None:
            return ()
        out: list[XY] = [self._start]
        for stretch in self._stretches:
            out.extend(stretch[1:])
        return tuple(out)

    def cursor(self, p: Pointer) -> str:
        return "cross"

    def tracer(self) -> EdgeTracer | None:
        """The edge tracer of the current image, made (and its features started) on first
        use of the tool on that image."""
        image_id = self.host.image_id
        if self._tracer is not None and self._tracer_image == image_id:
            return self._tracer
        if self._tracer is not None:
            self._tracer.close()
            self._tracer = None
        pixels = self.host.image_pixels()
        if pixels is None or image_id is None:
            return None
        self._tracer, self._tracer_image = EdgeTracer(pixels), image_id
        return self._tracer

    def activate(self) -> None:
        tracer = self.tracer()
        if tracer is not None:
            tracer.prepare()

    # -- events ------------------------------------------------------------------------
    def press(self, p: Pointer) -> None:
        if p.button != "left" or self.host.image_size is None:
            return
        tracer = self.tracer()
        if tracer is None:
            return
        x, y = self.clamp(p.x, p.y)
        if self._start is None:
            self._start = (x, y)
            self._message = ""
        elif len(self.points) >= 3 and math.dist(self._start, (x, y)) <= p.tolerance:
            self._close(tracer)
            return
        elif math.dist(self.points[-1], (x, y)) <= p.tolerance:
            return  # the second press of a double-click
        else:
            self._stretches.append(tracer.path(x, y))
        tracer.anchor(x, y, p.scale)
        self._pointer = (x, y)
        self._refresh()

    def move(self, p: Pointer) -> None:
        self._pointer = self.clamp(p.x, p.y)
        if self._start is not None:
            self._refresh()

    def double_click(self, p: Pointer) -> None:
        tracer = self.tracer()
        if p.button == "left" and self._start is not None and tracer is not None:
            self._close(tracer)

    def key(self, name: str) -> bool:
        if self._start is None:
            return False
        tracer = self.tracer()
        if name in ("Enter", "Return") and tracer is not None:
            self._close(tracer)
            return True
        if name == "Backspace":
            if self._stretches:
                self._stretches.pop()
                if tracer is not None:
                    tracer.anchor(*self.points[-1])
            else:
                self._reset()
            self._refresh()
            return True
        return False

    def cancel(self) -> None:
        self._reset()

    # -- internals ---------------------------------------------------------------------
    def _reset(self) -> None:
        self._stretches, self._start, self._message = [], None, ""
        self._refresh()

    def _close(self, tracer: EdgeTracer) -> None:
        assert self._start is not None
        tracer.wait()
        closing = tracer.path(*self._start)
        ring = list(self.points) + closing[1:-1]
        if len(set(ring)) < 3:
            self._message = QT_TRANSLATE_NOOP(
                "Tools", "an outline needs at least 3 distinct points"
            )
            self._refresh()
            return
        try:
            part = PolygonPart(tuple(ring))
        except GeometryError as error:
            self._message = QT_TRANSLATE_NOOP("Tools", "cannot close: {error}").format(
                error=str(error)
            )
            self._refresh()
            return
        image_id = self.host.image_id
        if image_id is None:
            self._reset()
            return
        item = NewAnnotation(
            uuid=new_uuid(),
            image_id=image_id,
            class_id=self.host.active_class_id(),
            geometry=Polygon((part,)),
        )
        text = QT_TRANSLATE_NOOP("Commands", "Intelligent scissors")
        if self.host.commit(AddAnnotations((item,), text=text)):
            self._reset()

    def _refresh(self) -> None:
        if self._start is None:
            self.preview = Preview(hint=self._message or _IDLE_HINT)
            return
        polyline = list(self.points)
        tracer = self._tracer
        if self._pointer is not None and tracer is not None and self._pointer != polyline[-1]:
            polyline.extend(tracer.path(*self._pointer)[1:])
        self.preview = Preview(
            polyline=tuple(polyline), hint=with_message(self._message, _CLOSE_HINT)
        )
