"""Magic wand: click a region of similar colour to make it a mask.

A plain click makes a new mask of the active class; Shift adds the region to the selected
mask and Alt removes it, each as one :class:`~models.editing.mask_commands.MaskStroke` holding only
the region's rectangle.
"""

from __future__ import annotations

import numpy as np

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Mask
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.mask_commands import MaskStroke
from limner.models.editing.tools.base import Pointer, Preview, Tool, ToolHost
from limner.models.editing.tools.brush import selected_mask
from limner.models.imaging.mask_ops import Rect, magic_wand, mask_crop, tight_rect
from limner.models.store.tx import new_uuid

__all__ = ["WandTool", "commit_region"]

DEFAULT_TOLERANCE = 24
TOLERANCE_STEP = 4


_WAND = QT_TRANSLATE_NOOP("Commands", "Magic wand")


def commit_region(
    host: ToolHost, region: np.ndarray, mode: str = "new", *, text: str = _WAND
) -> bool:
    """Turn a full-image bool ``region`` into an edit: ``"new"`` mask, ``"add"`` or
    ``"subtract"`` on the selected mask.

    Shared by every tool that computes a region in one go. ``"add"`` without a selected
    mask makes a new one, as the user evidently wants the pixels; ``"subtract"`` without
    one does nothing. Returns True when a command was committed.
    """
    image_id = host.image_id
    rect: Rect | None = tight_rect(region)
    if image_id is None or rect is None:
        return False
    height, width = region.shape
    x, y, w, h = rect
    window = region[y : y + h, x : x + w]
    target = selected_mask(host) if mode in ("add", "subtract") else None
    if target is None:
        if mode == "subtract":
            return False
        item = NewAnnotation(
            uuid=new_uuid(),
            image_id=image_id,
            class_id=host.active_class_id(),
            geometry=Mask.from_crop(window, x, y, width, height),
        )
        return host.commit(AddAnnotations((item,), text=text))
    mask = target.geometry
    assert isinstance(mask, Mask)
    if (mask.image_width, mask.image_height) != (width, height):
        return False
    before = mask_crop(mask, rect)
    after = before | window if mode == "add" else before & ~window
    if np.array_equal(before, after):
        return False
    command = MaskStroke.from_crops(
        target.uuid, image_id, rect, before, after, (width, height), text=text
    )
    return host.commit(command)


class WandTool(Tool):
    name = "wand"
    letter = "W"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.tolerance = DEFAULT_TOLERANCE
        self.connectivity = 8
        self.preview = Preview(hint=self._hint())

    def _hint(self) -> str:
        return QT_TRANSLATE_NOOP(
            "Tools", "Tolerance {tolerance}   [ and ] change it   Shift adds, Alt subtracts"
        ).format(tolerance=self.tolerance)

    def cursor(self, p: Pointer) -> str:
        return "cross"

    def key(self, name: str) -> bool:
        if name == "[":
            self.tolerance = max(0, self.tolerance - TOLERANCE_STEP)
        elif name == "]":
            self.tolerance = min(255, self.tolerance + TOLERANCE_STEP)
        else:
            return False
        self.preview = Preview(hint=self._hint())
        return True

    def press(self, p: Pointer) -> None:
        if p.button != "left":
            return
        pixels = self.host.image_pixels()
        if pixels is None:
            return
        region = magic_wand(pixels, p.x, p.y, self.tolerance, connectivity=self.connectivity)
        mode = "subtract" if p.alt else "add" if p.shift else "new"
        commit_region(self.host, region, mode)

    def cancel(self) -> None:
        self.preview = Preview(hint=self._hint())
