"""The shared outline of a group: a dashed rectangle around every member, shown on hover.

Grouped shapes look like any other shapes until the pointer rests on one of them; then
the rectangle that bounds the whole group shows which shapes move, copy and delete with
it. It is an overlay of the scene owner (``group_outline``), rebuilt only when the
pointer moves onto another group or the group's shapes change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from limner.models.domain.entities import Annotation
from limner.models.domain.geometry import bounds
from limner.models.domain.hit import topmost_at
from limner.models.domain.spatial import BoxIndex
from limner.models.editing.events import SHAPE_EVENTS, ImageChanged
from limner.models.editing.tools.base import HANDLE_SCREEN_PX
from limner.widgets.canvas.view import CanvasView

__all__ = ["OVERLAY", "GroupOutline", "outline_item"]

OVERLAY = "group_outline"
_COLOR = QColor("#ff9800")
_Z = 1_000_000  # above every annotation item


class GroupSource(Protocol):
    """What the outline reads from the editing session."""

    def spatial_index(self) -> BoxIndex: ...

    def group_of(self, uuid: str) -> list[Annotation]: ...

    @property
    def annotations(self) -> list[Annotation]: ...


def outline_item(members: Sequence[Annotation]) -> QGraphicsRectItem:
    """A dashed rectangle around the union of ``members``' bounds."""
    boxes = [bounds(a.geometry) for a in members]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    item = QGraphicsRectItem(QRectF(x0, y0, x1 - x0, y1 - y0))
    pen = QPen(_COLOR, 1.5, Qt.PenStyle.DashLine)
    pen.setCosmetic(True)  # the same on screen at every zoom
    item.setPen(pen)
    item.setZValue(_Z)
    item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
    return item


class GroupOutline:
    """Follows the pointer over ``canvas`` and outlines the group under it."""

    def __init__(self, canvas: CanvasView, source: GroupSource) -> None:
        self.canvas = canvas
        self.source = source
        self.group: str | None = None
        """The group id outlined now (None: none)."""
        canvas.cursorMoved.connect(self.hover)
        canvas.cursorLeft.connect(self.clear)

    def hover(self, x: float, y: float) -> None:
        tolerance = HANDLE_SCREEN_PX / max(self.canvas.zoom, 1e-6)
        near = self.source.spatial_index().at(x, y, tolerance)
        hit = topmost_at(near, x, y, tolerance)
        members = self.source.group_of(hit.uuid) if hit is not None else []
        group = hit.group_id if members and hit is not None else None
        if group == self.group:
            return
        self.group = group
        self._show(members)

    def _show(self, members: Sequence[Annotation]) -> None:
        scene = self.canvas.annotation_scene
        if members:
            scene.set_overlay(OVERLAY, [outline_item(members)])
        else:
            scene.clear_overlay(OVERLAY)

    def clear(self) -> None:
        self.group = None
        self.canvas.annotation_scene.clear_overlay(OVERLAY)

    def handle(self, event: object) -> None:
        """A session event: a new image clears the outline, a change to the outlined
        group's shapes (a move, a delete) redraws it."""
        if isinstance(event, ImageChanged):
            self.clear()
        elif isinstance(event, SHAPE_EVENTS) and self.group is not None:
            members = [a for a in self.source.annotations if a.group_id == self.group]
            if not members:
                self.clear()
            else:
                self._show(members)
