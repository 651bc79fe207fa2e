"""Polyline tool: click vertices one by one; Enter or a double-click finishes the line.

An open line has no first vertex to click back onto, so finishing is explicit: Enter or a
double-click. Backspace takes back the last vertex and Esc drops the whole line. The
finished line is one command, so it is undone in one step.
"""

from __future__ import annotations

import math

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import XY, Polyline
from limner.models.domain.phrases import QT_TRANSLATE_NOOP, joined
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.tools.base import (
    Pointer,
    Preview,
    Tool,
    ToolHost,
    point_count,
    with_message,
)
from limner.models.errors import GeometryError
from limner.models.store.tx import new_uuid

_HELP = QT_TRANSLATE_NOOP(
    "Tools", "double-click or Enter to finish · Backspace removes the last point"
)


class PolylineTool(Tool):
    name = "polyline"
    letter = "I"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._points: list[XY] = []
        self._pointer: XY | None = None
        self._message = ""
        self._refresh()

    @property
    def busy(self) -> bool:
        return bool(self._points)

    @property
    def points(self) -> tuple[XY, ...]:
        """The vertices placed so far, in order."""
        return tuple(self._points)

    def cursor(self, p: Pointer) -> str:
        return "cross"

    def press(self, p: Pointer) -> None:
        if p.button != "left" or self.host.image_size is None:
            return
        point = self._clamped(p)
        self._pointer = point
        # A press on the last vertex (the second press of a double-click) adds nothing.
        if not self._points or not _near(self._points[-1], p.x, p.y, p.tolerance):
            self._points.append(point)
            self._message = ""
        self._refresh()

    def move(self, p: Pointer) -> None:
        self._pointer = self._clamped(p)
        self._refresh()

    def double_click(self, p: Pointer) -> None:
        if p.button != "left" or not self._points:
            return
        if not _near(self._points[-1], p.x, p.y, p.tolerance):
            self._points.append(self._clamped(p))
        self._finish()

    def key(self, name: str) -> bool:
        if not self._points:
            return False
        if name in ("Enter", "Return"):
            self._finish()
            return True
        if name == "Backspace":
            self._points.pop()
            self._message = ""
            self._refresh()
            return True
        return False

    def cancel(self) -> None:
        self._points = []
        self._message = ""
        self._refresh()

    def _clamped(self, p: Pointer) -> XY:
        x, y = self.clamp(p.x, p.y)
        return float(x), float(y)

    def _finish(self) -> None:
        image_id = self.host.image_id
        try:
            line = Polyline(tuple(self._points))
        except GeometryError as error:
            self._message = QT_TRANSLATE_NOOP("Tools", "cannot finish: {error}").format(
                error=str(error)
            )
            self._refresh()
            return
        if image_id is None:
            self.cancel()
            return
        item = NewAnnotation(
            uuid=new_uuid(), image_id=image_id, class_id=self.host.active_class_id(), geometry=line
        )
        if self.host.commit(
            AddAnnotations((item,), text=QT_TRANSLATE_NOOP("Commands", "Draw polyline"))
        ):
            self.cancel()

    def _refresh(self) -> None:
        if not self._points:
            self.preview = Preview(
                hint=self._message or QT_TRANSLATE_NOOP("Tools", "click to place the first point")
            )
            return
        chain = tuple(self._points)
        if self._pointer is not None and self._pointer != chain[-1]:
            chain = (*chain, self._pointer)
        count = len(self._points)
        hint = joined(" · ", point_count(count), _HELP)
        self.preview = Preview(polyline=chain, hint=with_message(self._message, hint))


def _near(point: XY, x: float, y: float, tol: float) -> bool:
    return math.hypot(point[0] - x, point[1] - y) <= tol
