"""What every tool shares: pointer events, the host it edits through, its preview."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from limner.models.domain.entities import Annotation, LabelClass
from limner.models.domain.geometry import Box, Geometry
from limner.models.domain.phrases import QT_TRANSLATE_NOOP, joined
from limner.models.editing.commands import Command

HANDLE_SCREEN_PX = 6.0
"""Half-size of a grab handle on screen; divided by the zoom to get image pixels."""
MIN_DRAG_SCREEN_PX = 3.0
"""A drag shorter than this on screen is a click, not a shape."""


def point_count(count: int) -> str:
    """ "1 point", "3 points" for a hint."""
    if count == 1:
        return QT_TRANSLATE_NOOP("Tools", "1 point")
    return QT_TRANSLATE_NOOP("Tools", "{count} points").format(count=count)


def with_message(message: str, hint: str) -> str:
    """The hint after a message of the last gesture ("cannot close: …  · 3 points · …")."""
    return joined(" · ", message, hint)


@dataclass(frozen=True, slots=True)
class Pointer:
    x: float
    y: float
    button: str = "left"  # "left" | "right" | "middle" | "none"
    shift: bool = False
    ctrl: bool = False
    alt: bool = False
    scale: float = 1.0  # screen pixels per image pixel

    @property
    def tolerance(self) -> float:
        return HANDLE_SCREEN_PX / max(self.scale, 1e-6)


@dataclass(slots=True)
class Preview:
    """What the canvas draws while a gesture is under way.

    ``overrides`` replace the drawn geometry of existing annotations (a drag); ``drawing`` is
    a finished-looking new shape; ``polyline`` an open chain of vertices still being placed
    (a polygon in progress, or a skeleton's placed points); ``ring`` the brush cursor
    (x, y, radius); ``hint`` a short text for the status bar ("next: left knee"), a phrase
    the window says in the user's language;
    ``mask_layer`` a live raster the canvas redraws by dirty rectangle while painting.
    """

    overrides: dict[str, Geometry] = field(default_factory=dict)
    drawing: Geometry | None = None
    band: Box | None = None
    polyline: tuple[tuple[float, float], ...] = ()
    ring: tuple[float, float, float] | None = None
    hint: str = ""
    mask_layer: Any = None

    @property
    def empty(self) -> bool:
        return (
            not self.overrides
            and self.drawing is None
            and self.band is None
            and not self.polyline
            and self.mask_layer is None
        )


class ToolHost(Protocol):
    """The tool's view of the editor: current image, shapes, selection, active class."""

    @property
    def image_id(self) -> int | None: ...

    @property
    def image_size(self) -> tuple[int, int] | None: ...

    def editable_annotations(self) -> Sequence[Annotation]: ...

    def selection(self) -> frozenset[str]: ...

    def set_selection(self, uuids: Iterable[str]) -> None: ...

    def active_class_id(self) -> int | None: ...

    def active_class(self) -> LabelClass | None: ...

    def image_pixels(self) -> np.ndarray | None:
        """The decoded image (H, W, 3|4 uint8), for tools that look at pixels (wand, GrabCut)."""
        ...

    def commit(self, command: Command) -> bool:
        """Run ``command`` as one undo step and select what ``command.select_after`` names;
        False (and nothing changed) when it could not be applied."""
        ...


class Tool:
    """Base tool: ignores everything. Subclasses override the events they use."""

    name = "tool"
    letter = ""

    def __init__(self, host: ToolHost) -> None:
        self.host = host
        self.preview = Preview()

    @property
    def busy(self) -> bool:
        """True in the middle of a gesture (Esc cancels it instead of clearing selection)."""
        return not self.preview.empty

    def activate(self) -> None:
        """Called when the tool becomes active or the active class changes (refresh hints)."""

    def press(self, p: Pointer) -> None: ...

    def move(self, p: Pointer) -> None: ...

    def release(self, p: Pointer) -> None: ...

    def double_click(self, p: Pointer) -> None: ...

    def key(self, name: str) -> bool:
        """A key pressed while this tool is active ("Enter", "Backspace", "[", "]", "O"...).

        Returns True when the tool used it, so the window does not act on it as well.
        """
        return False

    def cursor(self, p: Pointer) -> str:
        """A cursor name for the pointer position: arrow, cross, move, size_fdiag..."""
        return "arrow"

    def cancel(self) -> None:
        self.preview = Preview()

    def clamp(self, x: float, y: float) -> tuple[float, float]:
        size = self.host.image_size
        if size is None:
            return x, y
        w, h = size
        return min(max(x, 0.0), float(w)), min(max(y, 0.0), float(h))
