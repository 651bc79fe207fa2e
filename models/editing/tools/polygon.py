"""Polygon tool: click vertices one by one, close the ring to make a polygon, hole or part.

A new ring is closed by clicking its first vertex, by double-clicking, or with Enter. The
modifier held at the *first* click decides what the ring becomes when one polygon is
selected: Ctrl cuts it out of that polygon as a hole, Shift adds it as a new part; with no
modifier it becomes a new polygon of the active class. Deciding at the first click (and
not at the close) lets the preview say from the start what is being drawn, and frees the
modifiers for the rest of the gesture.

Every result is one command, so a ring, a hole or a part is undone in one step.
"""

from __future__ import annotations

import math

from limner.models.domain.entities import Annotation, NewAnnotation
from limner.models.domain.geometry import XY, Polygon, PolygonPart
from limner.models.domain.phrases import QT_TRANSLATE_NOOP, joined
from limner.models.editing.commands import AddAnnotations, EditAnnotations
from limner.models.editing.polygon_edit import add_hole, add_part
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

NEW = "new"
HOLE = "hole"
PART = "part"

_CLOSE_HELP = QT_TRANSLATE_NOOP("Tools", "click the first point, double-click or Enter to close")
_MODE_PREFIX = {
    NEW: "",
    HOLE: QT_TRANSLATE_NOOP("Tools", "hole in the selected polygon"),
    PART: QT_TRANSLATE_NOOP("Tools", "new part of the selected polygon"),
}


def _near(point: XY, x: float, y: float, tol: float) -> bool:
    return math.hypot(point[0] - x, point[1] - y) <= tol


class PolygonTool(Tool):
    name = "polygon"
    letter = "P"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._points: list[XY] = []
        self._pointer: XY | None = None
        self._mode = NEW
        self._target: str | None = None
        self._message = ""
        self._refresh()

    # -- state the canvas may read -----------------------------------------------------
    @property
    def busy(self) -> bool:
        return bool(self._points)

    @property
    def points(self) -> tuple[XY, ...]:
        """The vertices placed so far, in order."""
        return tuple(self._points)

    @property
    def mode(self) -> str:
        """What the ring will become: ``"new"`` polygon, ``"hole"`` or ``"part"``."""
        return self._mode

    def cursor(self, p: Pointer) -> str:
        return "cross"

    # -- events ------------------------------------------------------------------------
    def press(self, p: Pointer) -> None:
        if p.button != "left" or self.host.image_size is None:
            return
        x, y = self._clamped(p)
        self._pointer = (x, y)
        if not self._points:
            self._start(p)
            self._points.append((x, y))
            self._message = ""
        elif len(self._points) >= 2 and _near(self._points[0], p.x, p.y, p.tolerance):
            self._close()
            return
        elif _near(self._points[-1], p.x, p.y, p.tolerance):
            # A second click on the last vertex (typically the second press of a
            # double-click) would only add a duplicate point.
            pass
        else:
            self._points.append((x, y))
            self._message = ""
        self._refresh()

    def move(self, p: Pointer) -> None:
        self._pointer = self._clamped(p)
        self._refresh()

    def double_click(self, p: Pointer) -> None:
        if p.button != "left" or not self._points:
            return
        x, y = self._clamped(p)
        # The press of this double-click normally placed the vertex already.
        if not _near(self._points[-1], p.x, p.y, p.tolerance):
            self._points.append((x, y))
        self._close()

    def key(self, name: str) -> bool:
        if not self._points:
            return False
        if name in ("Enter", "Return"):
            self._close()
            return True
        if name == "Backspace":
            self._points.pop()
            self._message = ""
            if not self._points:
                self._mode, self._target = NEW, None
            self._refresh()
            return True
        return False

    def cancel(self) -> None:
        self._reset()

    # -- internals ---------------------------------------------------------------------
    def _clamped(self, p: Pointer) -> XY:
        """The pointer inside the image, as floats (vertices compare and print as floats)."""
        x, y = self.clamp(p.x, p.y)
        return float(x), float(y)

    def _selected_polygon(self) -> Annotation | None:
        selection = self.host.selection()
        if len(selection) != 1:
            return None
        uuid = next(iter(selection))
        for ann in self.host.editable_annotations():
            if ann.uuid == uuid:
                return ann if isinstance(ann.geometry, Polygon) else None
        return None

    def _start(self, p: Pointer) -> None:
        """Fix what the ring will become, from the modifiers of its first click."""
        self._mode, self._target = NEW, None
        if p.ctrl or p.shift:
            selected = self._selected_polygon()
            if selected is not None:
                self._mode = HOLE if p.ctrl else PART
                self._target = selected.uuid

    def _reset(self) -> None:
        self._points = []
        self._mode, self._target = NEW, None
        self._message = ""
        self._refresh()

    def _refuse(self, message: str) -> None:
        self._message = message
        self._refresh()

    def _close(self) -> None:
        distinct = len(set(self._points))
        if distinct < 3:
            self._refuse(
                QT_TRANSLATE_NOOP(
                    "Tools", "a polygon needs at least 3 distinct points, this one has {count}"
                ).format(count=distinct)
            )
            return
        try:
            ring = PolygonPart(tuple(self._points)).outer
        except GeometryError as error:
            cannot = QT_TRANSLATE_NOOP("Tools", "cannot close: {error}")
            self._refuse(cannot.format(error=str(error)))
            return
        if self._mode == NEW:
            self._commit_new(ring)
        else:
            self._commit_edit(ring)

    def _commit_new(self, ring: tuple[XY, ...]) -> None:
        image_id = self.host.image_id
        if image_id is None:
            self._reset()
            return
        item = NewAnnotation(
            uuid=new_uuid(),
            image_id=image_id,
            class_id=self.host.active_class_id(),
            geometry=Polygon((PolygonPart(ring),)),
        )
        if self.host.commit(
            AddAnnotations((item,), text=QT_TRANSLATE_NOOP("Commands", "Draw polygon"))
        ):
            self._reset()

    def _commit_edit(self, ring: tuple[XY, ...]) -> None:
        target = next((a for a in self.host.editable_annotations() if a.uuid == self._target), None)
        if target is None or not isinstance(target.geometry, Polygon):
            self._refuse(
                QT_TRANSLATE_NOOP("Tools", "the polygon this ring was meant for is gone; press Esc")
            )
            return
        try:
            if self._mode == HOLE:
                text = QT_TRANSLATE_NOOP("Commands", "Cut hole")
                geometry = add_hole(target.geometry, ring)
            else:
                text = QT_TRANSLATE_NOOP("Commands", "Add polygon part")
                geometry = add_part(target.geometry, ring)
        except GeometryError as error:
            self._refuse(str(error))
            return
        command = EditAnnotations.from_records(
            text, [(target, {"geometry": geometry})], select=[target.uuid]
        )
        if self.host.commit(command):
            self._reset()

    def _refresh(self) -> None:
        if not self._points:
            self.preview = Preview(
                hint=self._message
                or QT_TRANSLATE_NOOP(
                    "Tools",
                    "click to place the first point · with one polygon selected, "
                    "Ctrl+click starts a hole, Shift+click a new part",
                )
            )
            return
        polyline = tuple(self._points)
        if self._pointer is not None and self._pointer != polyline[-1]:
            polyline = (*polyline, self._pointer)
        count = len(self._points)
        hint = joined(" · ", _MODE_PREFIX[self._mode], point_count(count), _CLOSE_HELP)
        self.preview = Preview(polyline=polyline, hint=with_message(self._message, hint))
