"""Brush and eraser: paint a mask with a round tip, one stroke = one undo step.

A stroke paints into a full-image :class:`~models.imaging.mask_ops.MaskLayer` that the canvas
redraws by dirty rectangle, so nothing is encoded or written while the button is down.
On release the stroke becomes one command: a :class:`~models.editing.mask_commands.MaskStroke`
holding only the stroke's rectangle when it edits an existing mask, or an
``AddAnnotations`` when the brush started a new mask.
"""

from __future__ import annotations

from typing import ClassVar

from limner.models.domain.entities import Annotation, NewAnnotation
from limner.models.domain.geometry import Mask
from limner.models.domain.phrases import QT_TRANSLATE_NOOP, joined
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.mask_commands import MaskStroke
from limner.models.editing.tools.base import Pointer, Preview, Tool, ToolHost
from limner.models.errors import GeometryError
from limner.models.imaging.mask_ops import MaskLayer
from limner.models.store.tx import new_uuid

__all__ = ["BrushTool", "EraserTool", "selected_mask"]

MIN_RADIUS = 1.0
MAX_RADIUS = 500.0
RADIUS_STEP = 1.25
"""``[`` and ``]`` divide or multiply the radius by this: equal steps at every size."""
DEFAULT_RADIUS = 10.0


def selected_mask(host: ToolHost) -> Annotation | None:
    """The one selected, editable mask annotation, or None.

    With several shapes selected it is ambiguous which one a stroke should change, and
    locked or hidden shapes are not in ``editable_annotations``, so they are never painted.
    """
    selection = host.selection()
    if len(selection) != 1:
        return None
    (uuid,) = selection
    for annotation in host.editable_annotations():
        if annotation.uuid == uuid:
            return annotation if isinstance(annotation.geometry, Mask) else None
    return None


class _PaintTool(Tool):
    """What brush and eraser share; they differ in the value painted and in who may start."""

    value: ClassVar[bool] = True
    label: ClassVar[str] = QT_TRANSLATE_NOOP("Tools", "Brush")

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.radius = DEFAULT_RADIUS
        self._layer: MaskLayer | None = None
        self._last: tuple[float, float] | None = None
        self._pointer: tuple[float, float] | None = None
        self._message = ""

    # -- state shown to the canvas ------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._layer is not None

    @property
    def layer(self) -> MaskLayer | None:
        """The layer of the stroke under way (None between strokes)."""
        return self._layer

    def cursor(self, p: Pointer) -> str:
        return "cross"

    def _hint(self) -> str:
        text = QT_TRANSLATE_NOOP("Tools", "{tool} {size} px   [ and ] resize").format(
            tool=self.label, size=f"{self.radius:.3g}"
        )
        return joined("   ", text, self._message)

    def _refresh(self) -> None:
        ring = None
        if self._pointer is not None:
            ring = (self._pointer[0], self._pointer[1], self.radius)
        self.preview = Preview(ring=ring, hint=self._hint(), mask_layer=self._layer)

    # -- events ---------------------------------------------------------------------------
    def key(self, name: str) -> bool:
        if name == "[":
            self.radius = max(MIN_RADIUS, self.radius / RADIUS_STEP)
        elif name == "]":
            self.radius = min(MAX_RADIUS, self.radius * RADIUS_STEP)
        else:
            return False
        self._refresh()
        return True

    def _start_layer(self) -> MaskLayer | None:
        size = self.host.image_size
        if size is None or self.host.image_id is None:
            return None
        width, height = size
        target = selected_mask(self.host)
        if target is not None:
            assert isinstance(target.geometry, Mask)
            try:
                return MaskLayer.from_mask(target.geometry, width, height, uuid=target.uuid)
            except GeometryError as exc:
                self._message = str(exc)
                return None
        if not self.value:
            self._message = QT_TRANSLATE_NOOP("Tools", "select a mask to erase from")
            return None
        return MaskLayer(width, height)

    def press(self, p: Pointer) -> None:
        self._pointer = (p.x, p.y)
        self._message = ""
        if p.button != "left" or self._layer is not None:
            self._refresh()
            return
        self._layer = self._start_layer()
        if self._layer is not None:
            self._layer.dab(p.x, p.y, self.radius, self.value)
            self._last = (p.x, p.y)
        self._refresh()

    def move(self, p: Pointer) -> None:
        self._pointer = (p.x, p.y)
        if self._layer is not None and self._last is not None:
            self._layer.segment(*self._last, p.x, p.y, self.radius, self.value)
            self._last = (p.x, p.y)
        self._refresh()

    def release(self, p: Pointer) -> None:
        if p.button != "left" or self._layer is None:
            return
        self.move(p)
        layer, self._layer, self._last = self._layer, None, None
        self._commit(layer)
        self._refresh()

    def cancel(self) -> None:
        self._layer = None
        self._last = None
        self._message = ""
        self._refresh()

    # -- the undo step -------------------------------------------------------------------
    def _commit(self, layer: MaskLayer) -> None:
        rect = layer.changed_bbox
        image_id = self.host.image_id
        if rect is None or image_id is None:
            return
        if layer.uuid is not None:
            command = MaskStroke.from_crops(
                layer.uuid,
                image_id,
                rect,
                layer.original_crop(rect),
                layer.crop(rect),
                (layer.width, layer.height),
                text=QT_TRANSLATE_NOOP("Commands", "{tool} stroke").format(tool=self.label),
            )
            self.host.commit(command)
            return
        x, y, _, _ = rect
        mask = Mask.from_crop(layer.crop(rect), x, y, layer.width, layer.height)
        item = NewAnnotation(
            uuid=new_uuid(),
            image_id=image_id,
            class_id=self.host.active_class_id(),
            geometry=mask,
        )
        self.host.commit(AddAnnotations((item,), text=QT_TRANSLATE_NOOP("Commands", "Paint mask")))


class BrushTool(_PaintTool):
    """Paints into the selected mask, or starts a new mask of the active class."""

    name = "brush"
    letter = "M"
    value = True
    label = QT_TRANSLATE_NOOP("Tools", "Brush")


class EraserTool(_PaintTool):
    """Removes pixels from the selected mask; erasing its last pixel deletes it."""

    name = "eraser"
    letter = "E"
    value = False
    label = QT_TRANSLATE_NOOP("Tools", "Eraser")
