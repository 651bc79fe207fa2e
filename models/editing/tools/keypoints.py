"""Keypoint tool: place one skeleton instance point by point, in the skeleton's order.

Walking the skeleton in a fixed order means the user never has to say *which* point a
click is: the hint names the next one, a click places it visible (v=2), Shift+click
places it occluded (v=1) and X skips it (v=0, as COCO stores unlabeled points). After the
last point the instance is saved on its own, so labeling a crowd is click, click, click
with no confirmation step; Enter finishes early when the remaining points are not there.

The instance belongs to the class that was active when its first point was placed, so
changing the active class halfway cannot mix two skeletons in one instance.
"""

from __future__ import annotations

from limner.models.domain.entities import LabelClass, NewAnnotation
from limner.models.domain.geometry import Keypoints, Skeleton
from limner.models.domain.phrases import QT_TRANSLATE_NOOP, joined
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.tools.base import Pointer, Preview, Tool, ToolHost, with_message
from limner.models.store.tx import new_uuid

KeypointValue = tuple[float, float, int]

_UNLABELED: KeypointValue = (0.0, 0.0, 0)
_NO_SKELETON_HINT = QT_TRANSLATE_NOOP(
    "Tools", "pick a class with a skeleton to place keypoints (Edit… adds its points)"
)


def _skeleton_class(label_class: LabelClass | None) -> LabelClass | None:
    """``label_class`` if keypoints can be placed for it (it has a skeleton), else None."""
    if label_class is None or label_class.skeleton is None:
        return None
    return label_class


class KeypointTool(Tool):
    name = "keypoints"
    letter = "K"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._class: LabelClass | None = None
        self._placed: list[KeypointValue] = []
        self._message = ""
        self._refresh()

    # -- state the canvas may read -----------------------------------------------------
    @property
    def busy(self) -> bool:
        return bool(self._placed)

    @property
    def placed(self) -> tuple[KeypointValue, ...]:
        """The points placed so far, skipped ones included as ``(0, 0, 0)``."""
        return tuple(self._placed)

    @property
    def next_index(self) -> int:
        """Index in the skeleton of the point the next click places."""
        return len(self._placed)

    @property
    def skeleton(self) -> Skeleton | None:
        """The skeleton being placed: the instance's class, else the active class's."""
        label_class = self._current_class()
        return label_class.skeleton if label_class is not None else None

    def cursor(self, p: Pointer) -> str:
        return "cross" if self._current_class() is not None else "arrow"

    # -- events ------------------------------------------------------------------------
    def press(self, p: Pointer) -> None:
        if p.button != "left" or self.host.image_size is None:
            self._refresh()
            return
        if not self._bind_class():
            return
        x, y = self.clamp(p.x, p.y)
        self._place((float(x), float(y), 1 if p.shift else 2))

    def activate(self) -> None:
        self._refresh()

    def move(self, p: Pointer) -> None:
        # Nothing follows the pointer, but the active class may have changed since the
        # last event, and the hint must say so.
        self._refresh()

    def key(self, name: str) -> bool:
        if name.upper() == "X":
            if not self._bind_class():
                return False
            self._place(_UNLABELED)
            return True
        if name == "Backspace":
            if not self._placed:
                return False
            self._placed.pop()
            self._message = ""
            if not self._placed:
                self._class = None
            self._refresh()
            return True
        if name in ("Enter", "Return"):
            if not self._placed:
                return False
            self._finish()
            return True
        return False

    def cancel(self) -> None:
        self._reset()

    # -- internals ---------------------------------------------------------------------
    def _current_class(self) -> LabelClass | None:
        if self._class is not None:
            return self._class
        return _skeleton_class(self.host.active_class())

    def _bind_class(self) -> bool:
        """Make sure the instance has a class with a skeleton; hint and refuse if not."""
        if self._class is None:
            self._class = _skeleton_class(self.host.active_class())
        if self._class is None:
            self._refresh()
            return False
        return True

    def _count(self) -> int:
        assert self._class is not None and self._class.skeleton is not None
        return len(self._class.skeleton.names)

    def _place(self, point: KeypointValue) -> None:
        self._placed.append(point)
        self._message = ""
        if len(self._placed) >= self._count():
            self._finish()
        else:
            self._refresh()

    def _finish(self) -> None:
        """Save the instance, with the points not placed yet as unlabeled."""
        label_class = self._class
        assert label_class is not None and label_class.skeleton is not None
        if not any(v > 0 for _x, _y, v in self._placed):
            if len(self._placed) >= self._count():
                self._reset(
                    QT_TRANSLATE_NOOP("Tools", "every point was skipped, so nothing was added")
                )
            else:
                self._message = QT_TRANSLATE_NOOP(
                    "Tools", "label at least one point before finishing"
                )
                self._refresh()
            return
        image_id = self.host.image_id
        if image_id is None:
            self._reset()
            return
        points = self._placed + [_UNLABELED] * (self._count() - len(self._placed))
        geometry = Keypoints(tuple(points))
        geometry.check_against(label_class.skeleton)
        item = NewAnnotation(
            uuid=new_uuid(), image_id=image_id, class_id=label_class.id, geometry=geometry
        )
        text = QT_TRANSLATE_NOOP("Commands", "Place keypoints")
        if self.host.commit(AddAnnotations((item,), text=text)):
            self._reset()

    def _reset(self, message: str = "") -> None:
        self._placed = []
        self._class = None
        self._message = message
        self._refresh()

    def _refresh(self) -> None:
        label_class = self._current_class()
        if label_class is None or label_class.skeleton is None:
            self.preview = Preview(hint=_NO_SKELETON_HINT)
            return
        names = label_class.skeleton.names
        index = len(self._placed)
        hint = (
            QT_TRANSLATE_NOOP(
                "Tools", "next: {name} ({number}/{count}) · Shift+click occluded · X skip"
            ).format(name=names[index], number=index + 1, count=len(names))
            if index < len(names)
            else ""
        )
        if self._placed:
            finish = QT_TRANSLATE_NOOP("Tools", "Enter finish · Backspace undo point")
            hint = joined(" · ", hint, finish)
        hint = with_message(self._message, hint)
        drawing = None
        if any(v > 0 for _x, _y, v in self._placed):
            # The partial instance, padded with unlabeled points, draws as a skeleton with
            # only the edges between placed points.
            padding = [_UNLABELED] * (len(names) - index)
            drawing = Keypoints(tuple(self._placed + padding))
        polyline = tuple((x, y) for x, y, v in self._placed if v > 0)
        self.preview = Preview(drawing=drawing, polyline=polyline, hint=hint)
