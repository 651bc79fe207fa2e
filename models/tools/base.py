"""What every tool shares: pointer events, the host it edits through, its preview."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from models.commands import Command
from models.entities import Annotation
from models.geometry import Box, Geometry

HANDLE_SCREEN_PX = 6.0
"""Half-size of a grab handle on screen; divided by the zoom to get image pixels."""
MIN_DRAG_SCREEN_PX = 3.0
"""A drag shorter than this on screen is a click, not a shape."""


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
    """What the canvas draws while a gesture is under way."""

    overrides: dict[str, Geometry] = field(default_factory=dict)
    drawing: Geometry | None = None
    band: Box | None = None

    @property
    def empty(self) -> bool:
        return not self.overrides and self.drawing is None and self.band is None


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

    def commit(self, command: Command) -> None: ...


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

    def press(self, p: Pointer) -> None: ...

    def move(self, p: Pointer) -> None: ...

    def release(self, p: Pointer) -> None: ...

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
