"""Click to segment: points and a box prompt a SAM-family model, Enter keeps the mask.

A click adds a positive point, Alt+click or a right click a negative one, a drag gives the
box; after each the decoder answers and the preview shows the mask. Enter stores it as a
new annotation of the active class (a mask, or with Tab a polygon traced exactly from that
mask), its source the model's name and version; Backspace takes back the last prompt and
Esc drops them all. The model and the encoder's scheduler are given by the window
(:meth:`SegmentTool.use_model`), since which model is installed is the user's business.

The image encoder runs on the scheduler's worker thread (:mod:`..encode_ahead`), for the
open image and ahead of time for the next ones, so by the first click its result is
usually on disk or in memory; a click before then is answered as soon as it is done.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout

import numpy as np

from limner.models.assist.errors import AssistError
from limner.models.assist.sam import Embedding, Prompt, Segmenter
from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box, Geometry, Mask
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.encode_ahead import EncodeAhead
from limner.models.editing.tools.base import (
    MIN_DRAG_SCREEN_PX,
    Pointer,
    Preview,
    Tool,
    ToolHost,
    point_count,
    with_message,
)
from limner.models.errors import GeometryError, LimnerError
from limner.models.imaging.mask_ops import mask_to_polygons
from limner.models.store.tx import new_uuid

__all__ = ["SegmentTool"]

_NO_MODEL = QT_TRANSLATE_NOOP("Tools", "no segmentation model installed (Tools → Models… adds one)")
_IDLE = {
    True: QT_TRANSLATE_NOOP(
        "Tools", "click the object (Alt+click: not this), or drag a box · Tab: keep as polygon"
    ),
    False: QT_TRANSLATE_NOOP(
        "Tools", "click the object (Alt+click: not this), or drag a box · Tab: keep as mask"
    ),
}
_PROMPTING = {
    True: QT_TRANSLATE_NOOP("Tools", "{points} · Enter keeps the polygon · Backspace undoes"),
    False: QT_TRANSLATE_NOOP("Tools", "{points} · Enter keeps the mask · Backspace undoes"),
}
"""The hints, by whether the result is kept as a polygon (else as a mask)."""
GRACE_S = 0.05
"""How long a click waits for an encoding about to finish before it stops waiting."""
_ENCODING = QT_TRANSLATE_NOOP(
    "Tools", "the model is still reading this image; the mask follows when it is done"
)
_STOPPED = QT_TRANSLATE_NOOP("Tools", "the image's encoding was stopped; click again")
_NOT_ENCODABLE = QT_TRANSLATE_NOOP(
    "Tools", "this image cannot be segmented (unreadable, or too large to decode whole)"
)


class SegmentTool(Tool):
    name = "segment"
    letter = "C"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.model: Segmenter | None = None
        self.source = ""
        self.ahead: EncodeAhead | None = None
        self.as_polygon = False
        self._embedding: tuple[int, Future[Embedding]] | None = None
        self._points: list[tuple[float, float, bool]] = []
        self._box: tuple[float, float, float, float] | None = None
        self._anchor: tuple[float, float] | None = None
        self._mask: Mask | None = None
        self._message = ""
        self._waiting = False  # a prompt waits for the image's encoding
        self._watched: Future[Embedding] | None = None
        self.on_encoded: Callable[[], None] | None = None
        """Called on the encoder's thread when the encoding a prompt waits for is done; the
        host then calls :meth:`encoded` on its own thread, so the mask shows without the
        pointer having to move."""
        self._refresh()

    def use_model(self, model: Segmenter | None, source: str, ahead: EncodeAhead | None) -> None:
        """Segment with ``model``, whose encodings ``ahead`` computes (None: no model)."""
        self.model, self.source, self.ahead = model, source, ahead
        if ahead is not None:
            ahead.use_model(model)
        self._embedding = None
        self._reset()

    @property
    def busy(self) -> bool:
        return bool(self._points) or self._box is not None or self._anchor is not None

    @property
    def prompt(self) -> Prompt:
        return Prompt(tuple(self._points), self._box)

    @property
    def answer(self) -> Mask | None:
        """The model's current answer, cropped to what it covers."""
        return self._mask

    @property
    def mask(self) -> np.ndarray | None:
        """The model's current answer as a full-image bool array (None before any)."""
        size = self.host.image_size
        if size is None or not self.busy:
            return None
        if self._mask is None:
            return np.zeros((size[1], size[0]), bool)
        return self._mask.to_array()

    def cursor(self, p: Pointer) -> str:
        return "cross"

    def embedding(self) -> Future[Embedding] | None:
        """The encoding of the open image; asking puts it first in the encoder's list."""
        image_id, ahead = self.host.image_id, self.ahead
        if image_id is None or ahead is None or self.model is None:
            return None
        held = self._embedding
        if held is None or held[0] != image_id or held[1].cancelled():
            future = ahead.embedding(image_id)
            if future is None:
                return None
            self._embedding = held = (image_id, future)
        return held[1]

    def activate(self) -> None:
        self.embedding()
        self._refresh()

    # -- events ------------------------------------------------------------------------
    def press(self, p: Pointer) -> None:
        if self._embedding is not None and self._embedding[0] != self.host.image_id:
            self._reset()  # another image is open: the prompt was about the last one
        if p.button in ("left", "right") and self.host.image_size is not None:
            self._anchor = self.clamp(p.x, p.y)

    def move(self, p: Pointer) -> None:
        if self._waiting and self._embedding is not None and self._embedding[1].done():
            self._run()  # the encoding arrived since the click: answer it now
        if self._anchor is None:
            return
        box = self._drag_box(p)
        self.preview = Preview(band=box, drawing=self.preview.drawing, hint=self.preview.hint)

    def release(self, p: Pointer) -> None:
        if self._anchor is None:
            return
        box = self._drag_box(p)
        anchor, self._anchor = self._anchor, None
        min_size = MIN_DRAG_SCREEN_PX / max(p.scale, 1e-6)
        if box is not None and p.button == "left" and min(box.width, box.height) >= min_size:
            self._box = (box.x0, box.y0, box.x1, box.y1)
        else:
            positive = p.button == "left" and not p.alt
            self._points.append((anchor[0], anchor[1], positive))
        self._run()

    def key(self, name: str) -> bool:
        if name == "Tab":
            self.as_polygon = not self.as_polygon
            self._refresh()
            return True
        if not self.busy:
            return False
        if name == "Enter":
            if self._waiting:
                self._run()
            if not self._waiting:
                self._accept()
            return True
        if name == "Backspace":
            if self._points:
                self._points.pop()
            else:
                self._box = None
            self._run()
            return True
        return False

    def cancel(self) -> None:
        self._reset()

    # -- internals ---------------------------------------------------------------------
    def _drag_box(self, p: Pointer) -> Box | None:
        if self._anchor is None:
            return None
        try:
            return Box.from_corners(*self._anchor, *self.clamp(p.x, p.y))
        except GeometryError:
            return None

    def _reset(self) -> None:
        self._points, self._box, self._anchor, self._mask = [], None, None, None
        self._message = ""
        self._waiting = False
        self._refresh()

    def _run(self) -> None:
        """Ask the decoder for the mask of the current prompt."""
        future = self.embedding()
        if future is None or self.model is None:
            self._message = _NO_MODEL if self.model is None else _NOT_ENCODABLE
            self._refresh()
            return
        # A click never waits for the encoder: until the image's encoding is done the
        # prompt is kept and answered at the next pointer move (or Enter) after it is.
        try:
            future.result(timeout=GRACE_S)  # usually done already: encoded ahead
        except (FutureTimeout, CancelledError, AssistError, LimnerError):
            pass  # still running, or failed: told below
        self._waiting = not future.done()
        if self._waiting:
            self._message = _ENCODING
            self._refresh()
            if self._watched is not future:
                self._watched = future
                future.add_done_callback(self._arrived)
            return
        try:
            self._mask = self.model.decode_mask(future.result(), self.prompt)
            self._message = ""
        except CancelledError:
            self._mask, self._message = None, _STOPPED
        except (AssistError, LimnerError) as error:
            self._mask, self._message = None, str(error)
        self._refresh()

    def _arrived(self, _future: Future[Embedding]) -> None:
        notify = self.on_encoded
        if notify is not None:
            notify()

    def encoded(self) -> bool:
        """Answer a prompt that waited for the encoding, now that it is done; True when
        the preview changed (the host shows it again)."""
        if not self._waiting or self._embedding is None or not self._embedding[1].done():
            return False
        if self._embedding[0] != self.host.image_id:
            return False  # another image is open; its own prompt starts afresh
        self._run()
        return True

    def _geometry(self, polygon: bool) -> Geometry | None:
        mask = self._mask
        if mask is None or self.host.image_size is None:
            return None
        return mask_to_polygons(mask) if polygon else mask

    def _accept(self) -> None:
        geometry, image_id = self._geometry(self.as_polygon), self.host.image_id
        if geometry is None or image_id is None:
            self._message = QT_TRANSLATE_NOOP(
                "Tools", "the model found nothing here; add or move a point"
            )
            self._refresh()
            return
        item = NewAnnotation(
            uuid=new_uuid(),
            image_id=image_id,
            class_id=self.host.active_class_id(),
            geometry=geometry,
            source=self.source or "model",
        )
        label = self.source.removeprefix("model:") or "model"
        text = QT_TRANSLATE_NOOP("Commands", "Segment with {model}").format(model=label)
        if self.host.commit(AddAnnotations((item,), text=text)):
            self._reset()

    def _refresh(self) -> None:
        if self.model is None:
            hint = _NO_MODEL
        elif not self.busy:
            hint = _IDLE[bool(self.as_polygon)]
        else:
            points = point_count(len(self._points))
            hint = _PROMPTING[bool(self.as_polygon)].format(points=points)
        hint = with_message(self._message, hint)
        geometry = self._geometry(False) if self._mask is not None else None
        self.preview = Preview(drawing=geometry, hint=hint)
