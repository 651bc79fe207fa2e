"""The editing session of one project: the open image, its shapes, selection, class and tool.

It is what the tools edit through (it implements ``ToolHost``) and what every view reads.
Views never ask it to redraw: they subscribe, and it tells them what changed as plain
events (``models.editing.events``): which shapes were added, updated or removed, the new
selection, the new active class.

After a commit the store names the rows that changed; the session reads only those rows
(one query for the lot) and patches its shapes, so an edit on an image with ten thousand
shapes costs what the edit touched. Opening an image is the one time all its shapes are
read. A command says what it wants selected afterwards (``Command.select_after``), and the
session selects that once the commit returned, which is why a tool never selects after
committing and nothing depends on when the views hear of the new rows.

Store changes arrive in the thread that committed them (the sync engine and importers write
from their own threads). The session applies them under a lock and swaps in new immutable
shape sets, so a reader always sees a consistent set; its events go out in that same
thread, and whoever shows them on screen carries them to the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from limner.models.domain.attributes import SchemaError
from limner.models.domain.entities import Annotation, ImageRecord, LabelClass
from limner.models.domain.palette import color_for_index
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.domain.spatial import BoxIndex
from limner.models.editing import groups
from limner.models.editing import selection_edits as edits
from limner.models.editing.class_fit import (
    TOOL_FOR_KIND,
    TOOL_MAKES,
    class_for_tool,
    fits,
    holds,
    is_tag_class,
    shape_fits,
)
from limner.models.editing.clipboard import ClipItem, copy_items, paste_command
from limner.models.editing.commands import AddClass, Command, DeleteClass, UpdateClass
from limner.models.editing.events import (
    ActiveClassChanged,
    ClassesChanged,
    Emitter,
    Failed,
    ImageChanged,
    ImagesChanged,
    SelectionChanged,
    SessionEvent,
    ShapesAdded,
    ShapesRemoved,
    ShapesUpdated,
    TagsChanged,
    ToolChanged,
)
from limner.models.editing.history import History
from limner.models.editing.images import DirectOpener, ImageOpener
from limner.models.editing.session_edits import TagAndGroupEdits
from limner.models.editing.shape_index import ShapeIndex
from limner.models.editing.shapes import ShapeDelta, ShapeSet
from limner.models.editing.tools import (
    BoxTool,
    BrushTool,
    EllipseTool,
    EraserTool,
    GrabCutTool,
    KeypointTool,
    PointTool,
    PolygonTool,
    PolylineTool,
    ScissorsTool,
    SegmentTool,
    SelectTool,
    Tool,
    WandTool,
)
from limner.models.editing.tools import convert as conversions
from limner.models.editing.tools.convert import (
    convert_selected_masks_to_polygons,
    fill_selected_polygons_into_mask,
)
from limner.models.errors import ImageReadError, LimnerError
from limner.models.imaging.imageio import load_rgb
from limner.models.imaging.tiles import TileSource
from limner.models.store import queries
from limner.models.store.queries import ImageFilter
from limner.models.store.store import ChangeSet, ProjectStore
from limner.models.workflow.project import resolve_image_path

__all__ = ["PIXEL_TOOL_LIMIT", "EditingSession"]

PIXEL_TOOL_LIMIT = 120_000_000
"""Up to this many pixels, the wand and GrabCut get the whole decoded image."""

_TOOLS = (
    SelectTool,
    BoxTool,
    PolygonTool,
    BrushTool,
    EraserTool,
    WandTool,
    GrabCutTool,
    ScissorsTool,
    SegmentTool,
    KeypointTool,
    PolylineTool,
    PointTool,
    EllipseTool,
)


class EditingSession(TagAndGroupEdits):
    """Use one per project and window; :meth:`close` it when done."""

    def __init__(self, store: ProjectStore, prefetcher: ImageOpener | None = None) -> None:
        self.store = store
        self.history = History(store)
        self.prefetcher: ImageOpener = prefetcher or DirectOpener(store)
        self._events = Emitter()
        self._lock = threading.RLock()
        self.image: ImageRecord | None = None
        self.source: TileSource | None = None
        self.image_error: str | None = None
        self._pixels: np.ndarray | None = None
        self._shapes = ShapeSet()
        self._tags: tuple[Annotation, ...] = ()
        self._tool_class: dict[str, int] = {}
        self._index = ShapeIndex()
        self._selection: frozenset[str] = frozenset()
        self._classes: tuple[LabelClass, ...] = ()
        self._active_class: int | None = None
        self.image_filter = ImageFilter()
        self.clipboard: tuple[ClipItem, ...] = ()
        self.tools: dict[str, Tool] = {tool.name: tool for tool in (t(self) for t in _TOOLS)}
        self.tool: Tool = self.tools["select"]
        self._reload_classes()
        self._unsubscribe = store.subscribe(self._on_store_changed)

    # -- events ------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[SessionEvent], None]) -> Callable[[], None]:
        """Hear every event from now on; returns the function that stops it."""
        return self._events.subscribe(listener)

    def _emit(self, events: Iterable[SessionEvent]) -> None:
        for event in events:
            self._events.emit(event)

    def fail(self, title: str, message: str, error: BaseException | None = None) -> None:
        """Tell the views something could not be done (they show it to the user)."""
        self._events.emit(Failed(title, message, error))

    def close(self) -> None:
        """Stop following the store (the store itself stays open)."""
        self._unsubscribe()

    # -- ToolHost ----------------------------------------------------------------------
    @property
    def image_id(self) -> int | None:
        image = self.image
        return image.id if image else None

    @property
    def image_size(self) -> tuple[int, int] | None:
        source = self.source
        return (source.width, source.height) if source is not None else None

    @property
    def pixels(self) -> np.ndarray | None:
        """The whole decoded image, for tools that analyse pixels (wand, GrabCut).

        Decoded on first use and only for images up to ``PIXEL_TOOL_LIMIT`` pixels: the
        display itself never needs it.
        """
        source, image = self.source, self.image
        if self._pixels is None and source is not None and image is not None:
            if source.width * source.height <= PIXEL_TOOL_LIMIT:
                try:
                    self._pixels = load_rgb(resolve_image_path(self.store, image.path))
                except ImageReadError as exc:
                    self.fail(QT_TRANSLATE_NOOP("Commands", "Cannot read the image"), str(exc))
        return self._pixels

    def image_pixels(self) -> np.ndarray | None:
        return self.pixels

    def pixel_value(self, x: float, y: float) -> tuple[int | float, ...] | None:
        """The raw value under the cursor, if its tile is decoded (never waits)."""
        source = self.source
        return source.pixel_value(x, y, cached_only=True) if source is not None else None

    def editable_annotations(self) -> Sequence[Annotation]:
        return self.spatial_index().items

    def spatial_index(self) -> BoxIndex:
        """The editable shapes (not hidden or locked, nor of a hidden or locked class) and
        their bounding boxes; built once per change of the shapes or the classes."""
        return self._index.of(self._shapes, self._classes)

    def selection(self) -> frozenset[str]:
        return self._selection

    def set_selection(self, uuids: Iterable[str]) -> None:
        """Select these shapes (those not on the open image are ignored)."""
        with self._lock:
            shapes = self._shapes
            selection = frozenset(u for u in uuids if u in shapes)
            if selection == self._selection:
                return
            self._selection = selection
        self._events.emit(SelectionChanged(selection))

    def active_class_id(self) -> int | None:
        return self._active_class

    def active_class(self) -> LabelClass | None:
        return self.class_by_id(self._active_class)

    def commit(self, command: Command) -> bool:
        """Run ``command`` as one undo step, then select what it names."""
        try:
            self.history.execute(command)
        except (LimnerError, ValueError) as exc:
            self.fail(QT_TRANSLATE_NOOP("Commands", "Could not apply the edit"), str(exc), exc)
            return False
        wanted = command.select_after
        if wanted is not None:
            self.set_selection(wanted)
        return True

    # -- reading -----------------------------------------------------------------------
    @property
    def shapes(self) -> ShapeSet:
        """The shapes of the open image as one consistent, immutable set."""
        return self._shapes

    @property
    def annotations(self) -> list[Annotation]:
        """The shapes of the open image, bottom first."""
        return list(self._shapes.ordered())

    @property
    def drawing_order(self) -> Sequence[Annotation]:
        """The same shapes as :attr:`annotations` without a copy (the set's own immutable
        order), for readers that follow every edit on an image of 100,000 shapes."""
        return self._shapes.ordered()

    def shape(self, uuid: str) -> Annotation | None:
        return self._shapes.get(uuid)

    @property
    def classes(self) -> list[LabelClass]:
        return list(self._classes)

    def class_by_id(self, class_id: int | None) -> LabelClass | None:
        return next((c for c in self._classes if c.id == class_id), None)

    def hidden_classes(self) -> frozenset[int]:
        return frozenset(c.id for c in self._classes if c.hidden)

    def selected_annotations(self) -> list[Annotation]:
        shapes = self._shapes
        chosen = [a for a in map(shapes.get, self._selection) if a is not None]
        chosen.sort(key=lambda a: (a.z, a.id))
        return chosen

    # -- images ------------------------------------------------------------------------
    def open_image(self, image_id: int | None) -> None:
        """Show another image (None: none); its shapes are read in full, once."""
        record = None
        if image_id is not None:
            with self.store.read() as conn:
                record = queries.image_by_id(conn, image_id)
            if record is None:
                return
            for tool in self.tools.values():
                tool.cancel()
        with self._lock:
            self._close_source()
            self.image, self.image_error = record, None
            shapes, tags = ShapeSet(), ()
            if record is not None:
                self._open_source(record)
                with self.store.read() as conn:
                    shapes = ShapeSet(record.id, queries.annotations_for_image(conn, record.id))
                    tags = tuple(queries.image_tags(conn, record.id))
            self._shapes, self._tags = shapes, tags
            self._selection = frozenset()
        if record is not None:
            self.prefetcher.schedule(record, self.image_filter)
        self._events.emit(ImageChanged(record))

    def _open_source(self, record: ImageRecord) -> None:
        self.image_error = record.error
        if record.error is None:
            try:
                self.source = self.prefetcher.open(record)
            except ImageReadError as exc:
                self.image_error = str(exc)

    def _close_source(self) -> None:
        if self.source is not None:
            self.source.close()
        self.source = None
        self._pixels = None

    def open_first(self) -> None:
        with self.store.read() as conn:
            first = queries.first_image(conn, self.image_filter)
        self.open_image(first.id if first else None)

    def step(self, delta: int) -> bool:
        """Next (+1) or previous (-1) image in list order; False at either end."""
        if self.image is None:
            self.open_first()
            return self.image is not None
        with self.store.read() as conn:
            other = queries.neighbor_image(conn, self.image.id, delta, self.image_filter)
        if other is None:
            return False
        self.open_image(other.id)
        return True

    # -- store changes -----------------------------------------------------------------
    def _on_store_changed(self, changes: ChangeSet) -> None:
        """Apply a committed change: re-read only the rows it names on the open image."""
        with self._lock:
            events = self._reload_classes() if changes.classes else []
            image = self.image
            if image is not None:
                named = changes.annotations.get(image.id)
                if named:
                    before = self._shapes
                    events.extend(self._patch(image.id, named))
                    if self._names_tags(named, before):
                        events.extend(self._reload_tags(image.id))
                if image.id in changes.images:
                    with self.store.read() as conn:
                        self.image = queries.image_by_id(conn, image.id) or image
        if changes.images or changes.images_added or changes.annotations:
            events.append(ImagesChanged(changes))
        self._emit(events)

    def _patch(self, image_id: int, named: set[str]) -> list[SessionEvent]:
        with self.store.read() as conn:
            rows = queries.annotations_by_uuids(conn, image_id, named)
        shapes, delta = self._shapes.patched(named, {r.uuid: r for r in rows})
        if delta.empty:
            return []
        self._index.carry(self._shapes, shapes, self._classes, delta)
        self._shapes = shapes
        events = _shape_events(image_id, delta)
        if self._selection & set(delta.removed):
            self._selection = self._selection - set(delta.removed)
            events.append(SelectionChanged(self._selection))
        return events

    def _names_tags(self, named: set[str], before: ShapeSet) -> bool:
        """Whether a change may touch the image's tags: it names one of them, or a row
        that is no shape before or after (a new tag), so a shape edit reads no tags."""
        tags = {t.uuid for t in self._tags}
        return any(u in tags or (u not in before and u not in self._shapes) for u in named)

    def _reload_tags(self, image_id: int) -> list[SessionEvent]:
        with self.store.read() as conn:
            tags = tuple(queries.image_tags(conn, image_id))
        if tags == self._tags:
            return []
        self._tags = tags
        return [TagsChanged(image_id)]

    def _reload_classes(self) -> list[SessionEvent]:
        with self.store.read() as conn:
            self._classes = tuple(queries.label_classes(conn))
        events: list[SessionEvent] = [ClassesChanged(self._classes)]
        shape_classes = [c.id for c in self._classes if not is_tag_class(c)]
        if self._active_class not in shape_classes:
            self._active_class = class_for_tool(self._classes, self.tool.name, None)
            events.append(ActiveClassChanged(self._active_class))
        return events

    # -- tools and classes -------------------------------------------------------------
    def set_tool(self, name: str) -> None:
        """Switch tools; the active class becomes one the new tool can draw with."""
        if name not in self.tools or self.tools[name] is self.tool:
            return
        self.tool.cancel()
        if self._active_class is not None:
            self._tool_class[self.tool.name] = self._active_class
        self.tool = self.tools[name]
        chosen = class_for_tool(self._classes, name, self._active_class, self._tool_class.get(name))
        changed = chosen != self._active_class
        self._active_class = chosen
        self.tool.activate()
        self._events.emit(ToolChanged(name))
        if changed:
            self._events.emit(ActiveClassChanged(chosen))

    def set_active_class(self, class_id: int | None) -> None:
        """Draw with ``class_id`` from now on. A tag class is never a tool's class; a class
        the current tool cannot draw switches to the tool that can (a skeleton class to
        the keypoint tool, a box class to the box tool)."""
        label_class = self.class_by_id(class_id)
        if label_class is not None and is_tag_class(label_class):
            return
        if label_class is not None and not fits(label_class, TOOL_MAKES.get(self.tool.name)):
            tool = TOOL_FOR_KIND.get(holds(label_class))
            if tool is not None and not self.tool.busy:
                self.set_tool(tool)  # the old tool remembers the class it had
                self._active_class = class_id
                self.tool.activate()
                self._events.emit(ActiveClassChanged(class_id))
                return
        if class_id != self._active_class:
            self._active_class = class_id
            if not self.tool.busy:
                self.tool.activate()
            self._events.emit(ActiveClassChanged(class_id))

    def pick_class(self, class_id: int) -> None:
        """A digit key or a click on the panel: active class, and class of the selected
        shapes that can be of it (a box never becomes a skeleton class)."""
        self.set_active_class(class_id)
        label_class = self.class_by_id(class_id)
        if label_class is None or is_tag_class(label_class):
            return
        chosen = [a for a in self.selected_annotations() if shape_fits(a, label_class)]
        self._commit_if(edits.change_class_command(chosen, class_id))

    def add_class(self, name: str, color: str | None = None) -> bool:
        color = color or color_for_index(len(self._classes))
        text = QT_TRANSLATE_NOOP("Commands", "Add class {name}").format(name=name)
        return self.commit(AddClass({"name": name, "color": color}, text=text))

    def update_class(self, class_id: int, **fields: object) -> bool:
        with self.store.read() as conn:
            command = UpdateClass.capture(conn, class_id, fields, "Change class")
        return self.commit(command)

    def delete_class(self, class_id: int) -> bool:
        return self.commit(DeleteClass(class_id))

    # -- edits of the selection --------------------------------------------------------
    def _commit_if(self, command: Command | None) -> bool:
        return command is not None and self.commit(command)

    def delete_selection(self) -> bool:
        """Delete the selection and the rest of the groups it touches, as one step."""
        if self.image is None:
            return False
        shapes = self._shapes.ordered()
        return self._commit_if(
            groups.delete_command(self.selected_annotations(), shapes, self.image.id)
        )

    def copy(self) -> int:
        """Copy the selection with the rest of its groups (pasted as new groups)."""
        self.clipboard = copy_items(self._with_groups(self.selected_annotations()))
        return len(self.clipboard)

    def paste(
        self,
        offset: tuple[float, float] = (0.0, 0.0),
        text: str = QT_TRANSLATE_NOOP("Commands", "Paste"),
    ) -> int:
        """Paste the clipboard on the open image; returns how many shapes were added."""
        if not self.clipboard or self.image is None or self.image_size is None:
            return 0
        base_z = max((a.z for a in self._shapes.ordered()[-1:]), default=-1) + 1
        command, skipped = paste_command(
            self.clipboard, self.image.id, self.image_size, offset=offset, base_z=base_z, text=text
        )
        if skipped:
            self.fail(
                QT_TRANSLATE_NOOP("Commands", "Some shapes were not pasted"),
                QT_TRANSLATE_NOOP(
                    "Commands", "{skipped} of {count} copied shapes lie outside this image."
                ).format(skipped=skipped, count=len(self.clipboard)),
            )
        if command is None or not self.commit(command):
            return 0
        return len(command.items)

    def duplicate(self) -> int:
        if not self.copy():
            return 0
        return self.paste(offset=(10.0, 10.0), text=QT_TRANSLATE_NOOP("Commands", "Duplicate"))

    def paste_into_next(self) -> int:
        """Copy the selection, go to the next image and paste it there (one undo step)."""
        if not self.copy() or not self.step(+1):
            return 0
        return self.paste(text=QT_TRANSLATE_NOOP("Commands", "Paste into next image"))

    def change_z(self, to_front: bool) -> None:
        chosen = self.selected_annotations()
        others = (a.z for a in self._shapes.ordered() if a.uuid not in self._selection)
        self._commit_if(edits.z_order_command(chosen, others, to_front))

    def toggle_flag(self, flag: str) -> None:
        """Hide or lock the selection (``flag`` is "hidden" or "locked")."""
        self._commit_if(edits.flag_command(self.selected_annotations(), flag))

    def set_attributes(self, values: dict) -> bool:
        """The attribute editor's new values for the one selected annotation."""
        chosen = self.selected_annotations()
        if len(chosen) != 1:
            return False
        try:
            command = edits.attributes_command(
                chosen[0], self.class_by_id(chosen[0].class_id), values
            )
        except SchemaError as exc:
            self.fail(QT_TRANSLATE_NOOP("Commands", "Invalid attribute"), str(exc))
            return False
        return self._commit_if(command)

    def polygons_to_mask(self) -> None:
        try:
            fill_selected_polygons_into_mask(self)
        except LimnerError as exc:
            self.fail(QT_TRANSLATE_NOOP("Commands", "Could not convert"), str(exc))

    def masks_to_polygons(self, tolerance: float = 0.0) -> None:
        try:
            convert_selected_masks_to_polygons(self, tolerance)
        except LimnerError as exc:
            self.fail(QT_TRANSLATE_NOOP("Commands", "Could not convert"), str(exc))

    def convert_selection(self, conversion: str, *args: int) -> None:
        """Run one of the kind conversions on the selection, as one undo step.

        ``conversion`` names it: ``boxes_to_polygons``, ``polygons_to_boxes``,
        ``ellipses_to_polygons`` (its argument the vertex count) or ``polylines_to_polygons``.
        """
        convert = getattr(conversions, f"convert_selected_{conversion}")
        try:
            convert(self, *args)
        except LimnerError as exc:
            self.fail(QT_TRANSLATE_NOOP("Commands", "Could not convert"), str(exc))

    def simplify_selection(self, tolerance: float) -> None:
        """Douglas–Peucker on the selected polygons; one undo step."""
        self._commit_if(edits.simplify_command(self.selected_annotations(), tolerance))

    def show_all(self) -> None:
        self._commit_if(edits.show_all_command(self._shapes.ordered()))

    # -- undo ----------------------------------------------------------------------------
    def _follow(self, command: Command | None) -> None:
        """After undo/redo, show the image the step touched (nothing happens off screen)."""
        if command is None:
            return
        target = command.image_id
        if target is not None and (self.image is None or self.image.id != target):
            self.open_image(target)

    def undo(self) -> None:
        try:
            self._follow(self.history.undo())
        except LimnerError as exc:
            self.fail(QT_TRANSLATE_NOOP("Commands", "Could not undo"), str(exc), exc)

    def redo(self) -> None:
        try:
            self._follow(self.history.redo())
        except LimnerError as exc:
            self.fail(QT_TRANSLATE_NOOP("Commands", "Could not redo"), str(exc), exc)


def _shape_events(image_id: int, delta: ShapeDelta) -> list[SessionEvent]:
    events: list[SessionEvent] = []
    if delta.removed:
        events.append(ShapesRemoved(image_id, delta.removed))
    if delta.added:
        events.append(ShapesAdded(image_id, delta.added))
    if delta.updated:
        events.append(ShapesUpdated(image_id, delta.updated))
    return events
