"""What the editing session tells its views, and the small observer that carries it.

Every event names exactly what changed (the uuids of the shapes added, updated or removed,
the new selection, the new active class...), so a view patches the few things it shows for
them instead of rebuilding everything. Events are plain frozen values with no behaviour:
they can be queued, handed to another thread or delivered later.

A view that receives an event late (queued behind others, or from another thread) must
read the session's *current* state for the ids it names rather than trust an older copy;
the shape events therefore carry ids, not records. They also carry the image they belong
to, so a view that has moved on to another image can drop them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from limner.models.domain.entities import ImageRecord, LabelClass
from limner.models.store.store import ChangeSet

__all__ = [
    "SHAPE_EVENTS",
    "ActiveClassChanged",
    "ClassesChanged",
    "Emitter",
    "Failed",
    "ImageChanged",
    "ImagesChanged",
    "SelectionChanged",
    "SessionEvent",
    "ShapesAdded",
    "ShapesRemoved",
    "ShapesUpdated",
    "TagsChanged",
    "ToolChanged",
]


@dataclass(frozen=True, slots=True)
class ImageChanged:
    """Another image is open (or none): its shapes, source and selection are all new."""

    image: ImageRecord | None


@dataclass(frozen=True, slots=True)
class ShapesAdded:
    image_id: int
    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ShapesUpdated:
    image_id: int
    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ShapesRemoved:
    image_id: int
    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TagsChanged:
    """The open image's tags changed (an answer given, changed or cleared). Tags have no
    place on the canvas, so this is an event of its own: only the tag panel needs it."""

    image_id: int


@dataclass(frozen=True, slots=True)
class SelectionChanged:
    ids: frozenset[str]


@dataclass(frozen=True, slots=True)
class ClassesChanged:
    """The project's classes changed (name, colour, flags, schema, added or deleted)."""

    classes: tuple[LabelClass, ...]


@dataclass(frozen=True, slots=True)
class ActiveClassChanged:
    class_id: int | None


@dataclass(frozen=True, slots=True)
class ToolChanged:
    name: str


@dataclass(frozen=True, slots=True)
class ImagesChanged:
    """Images of the project changed (status, counts, new ones): for the image list."""

    changes: ChangeSet = field(compare=False)


@dataclass(frozen=True, slots=True)
class Failed:
    """An edit or a read could not be done; the user should be told why.

    ``error`` is the exception behind it, when there is one, so the application can
    word what it means for the user (a full disk, say, and how much room is left).
    """

    title: str
    message: str
    error: BaseException | None = field(default=None, compare=False)


SessionEvent = (
    ImageChanged
    | ShapesAdded
    | ShapesUpdated
    | ShapesRemoved
    | TagsChanged
    | SelectionChanged
    | ClassesChanged
    | ActiveClassChanged
    | ToolChanged
    | ImagesChanged
    | Failed
)
SHAPE_EVENTS = (ShapesAdded, ShapesUpdated, ShapesRemoved)
"""The events that name shapes of one image (``isinstance(event, SHAPE_EVENTS)``)."""

Listener = Callable[[SessionEvent], None]


class Emitter:
    """Calls every subscriber with each event, in the thread that emits it.

    Subscribing and unsubscribing are safe from any thread; a subscriber added while an
    event is being delivered hears the next one.
    """

    def __init__(self) -> None:
        self._listeners: tuple[Listener, ...] = ()
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners = (*self._listeners, listener)

        def unsubscribe() -> None:
            with self._lock:
                self._listeners = tuple(f for f in self._listeners if f is not listener)

        return unsubscribe

    def emit(self, event: SessionEvent) -> None:
        for listener in self._listeners:
            listener(event)
