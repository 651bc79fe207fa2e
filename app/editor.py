"""The editing session of one project: current image, its shapes, selection, tools.

The editor implements ``models.editing.tools.ToolHost`` for the tools, turns panel requests into
commands, and keeps the widgets in step with the store through ``StoreBridge``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from PySide6.QtCore import QObject, Signal

from limner.app.bridge import StoreBridge
from limner.app.prefetch import Prefetcher
from limner.models.domain.attributes import SchemaError, coerce_attributes, parse_schema
from limner.models.domain.entities import Annotation, ImageRecord, LabelClass
from limner.models.domain.geometry import Polygon
from limner.models.domain.palette import color_for_index
from limner.models.domain.spatial import BoxIndex
from limner.models.editing.clipboard import ClipItem, copy_items, paste_command
from limner.models.editing.commands import (
    AddClass,
    Command,
    DeleteAnnotations,
    DeleteClass,
    EditAnnotations,
    UpdateClass,
)
from limner.models.editing.history import History
from limner.models.editing.tools import (
    BoxTool,
    BrushTool,
    EraserTool,
    GrabCutTool,
    KeypointTool,
    PolygonTool,
    SelectTool,
    Tool,
    WandTool,
)
from limner.models.editing.tools.convert import (
    convert_selected_masks_to_polygons,
    fill_selected_polygons_into_mask,
)
from limner.models.errors import ImageReadError, LimnerError
from limner.models.imaging.imageio import load_rgb
from limner.models.imaging.mask_ops import simplify_polygon
from limner.models.imaging.tile_cache import TileMemoryCache
from limner.models.imaging.tiles import TileSource
from limner.models.store import queries
from limner.models.store.queries import ImageFilter
from limner.models.store.store import ChangeSet, ProjectStore
from limner.models.workflow.project import resolve_image_path

PIXEL_TOOL_LIMIT = 120_000_000
"""Up to this many pixels, the wand and GrabCut get the whole decoded image."""
TILE_MEMORY_BYTES = 512 * 1024 * 1024


class Editor(QObject):
    imageChanged = Signal(object)  # ImageRecord | None
    sourceChanged = Signal(object)  # TileSource | None
    annotationsChanged = Signal()
    selectionChanged = Signal(object)  # frozenset[str]
    classesChanged = Signal()
    activeClassChanged = Signal(object)
    toolChanged = Signal(str)
    imagesChanged = Signal(object)  # ChangeSet
    failed = Signal(str, str)  # title, message

    def __init__(self, store: ProjectStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.history = History(store)
        self.bridge = StoreBridge(store, self)
        self.bridge.changed.connect(self._on_store_changed)
        self.image: ImageRecord | None = None
        self.source: TileSource | None = None
        self._pixels: np.ndarray | None = None
        self._tile_memory = TileMemoryCache(TILE_MEMORY_BYTES)
        self.prefetcher = Prefetcher(store, self._tile_memory)
        self.image_error: str | None = None
        self._annotations: list[Annotation] = []
        self._index: BoxIndex | None = None
        self._selection: frozenset[str] = frozenset()
        self._classes: list[LabelClass] = []
        self._active_class: int | None = None
        self.image_filter = ImageFilter()
        self.clipboard: tuple[ClipItem, ...] = ()
        self.tools: dict[str, Tool] = {
            tool.name: tool
            for tool in (
                SelectTool(self),
                BoxTool(self),
                PolygonTool(self),
                BrushTool(self),
                EraserTool(self),
                WandTool(self),
                GrabCutTool(self),
                KeypointTool(self),
            )
        }
        self.tool: Tool = self.tools["select"]
        self._reload_classes()

    # -- ToolHost ----------------------------------------------------------------------
    @property
    def image_id(self) -> int | None:
        return self.image.id if self.image else None

    @property
    def image_size(self) -> tuple[int, int] | None:
        if self.source is None:
            return None
        return (self.source.width, self.source.height)

    @property
    def pixels(self) -> np.ndarray | None:
        """The whole decoded image, for tools that analyse pixels (wand, GrabCut).

        Decoded on first use and only for images up to ``PIXEL_TOOL_LIMIT`` pixels: the
        display itself never needs it.
        """
        if self._pixels is None and self.source is not None and self.image is not None:
            if self.source.width * self.source.height <= PIXEL_TOOL_LIMIT:
                try:
                    self._pixels = load_rgb(resolve_image_path(self.store, self.image.path))
                except ImageReadError as exc:
                    self.failed.emit("Cannot read the image", str(exc))
        return self._pixels

    def pixel_value(self, x: float, y: float) -> tuple[int | float, ...] | None:
        """The raw value under the cursor, if its tile is decoded (never waits)."""
        if self.source is None:
            return None
        return self.source.pixel_value(x, y, cached_only=True)

    def editable_annotations(self) -> Sequence[Annotation]:
        return self.spatial_index().items

    def spatial_index(self) -> BoxIndex:
        """The editable shapes of the image and their bounding boxes (built once per change)."""
        if self._index is None:
            locked_classes = {c.id for c in self._classes if c.locked or c.hidden}
            self._index = BoxIndex(
                [
                    a
                    for a in self._annotations
                    if not a.hidden and not a.locked and a.class_id not in locked_classes
                ]
            )
        return self._index

    def selection(self) -> frozenset[str]:
        return self._selection

    def set_selection(self, uuids: Iterable[str]) -> None:
        live = {a.uuid for a in self._annotations}
        selection = frozenset(u for u in uuids if u in live)
        if selection != self._selection:
            self._selection = selection
            self.selectionChanged.emit(selection)

    def active_class_id(self) -> int | None:
        return self._active_class

    def active_class(self) -> LabelClass | None:
        return self.class_by_id(self._active_class)

    def image_pixels(self) -> np.ndarray | None:
        return self.pixels

    def commit(self, command: Command) -> bool:
        try:
            self.history.execute(command)
        except (LimnerError, ValueError) as exc:
            self.failed.emit("Could not apply the edit", str(exc))
            return False
        return True

    # -- reading -----------------------------------------------------------------------
    @property
    def annotations(self) -> list[Annotation]:
        return list(self._annotations)

    @property
    def classes(self) -> list[LabelClass]:
        return list(self._classes)

    def class_by_id(self, class_id: int | None) -> LabelClass | None:
        return next((c for c in self._classes if c.id == class_id), None)

    # -- images ------------------------------------------------------------------------
    def open_image(self, image_id: int | None) -> None:
        if image_id is None:
            self._close_source()
            self.image, self.image_error = None, None
            self._annotations = []
            self._index = None
        else:
            with self.store.read() as conn:
                record = queries.image_by_id(conn, image_id)
            if record is None:
                return
            for tool in self.tools.values():
                tool.cancel()
            self.image = record
            self._close_source()
            self.image_error = record.error
            if record.error is None:
                try:
                    self.source = self.prefetcher.open(record)
                except ImageReadError as exc:
                    self.image_error = str(exc)
            self._load_annotations()
            self.prefetcher.schedule(record, self.image_filter)
        self._selection = frozenset()
        self.imageChanged.emit(self.image)
        self.sourceChanged.emit(self.source)
        self.annotationsChanged.emit()
        self.selectionChanged.emit(self._selection)

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

    def _load_annotations(self) -> None:
        self._index = None
        if self.image is None:
            self._annotations = []
            return
        with self.store.read() as conn:
            self._annotations = queries.annotations_for_image(conn, self.image.id)

    # -- store changes -----------------------------------------------------------------
    def _on_store_changed(self, changes: ChangeSet) -> None:
        if changes.classes:
            self._reload_classes()
        if self.image is not None:
            if self.image.id in changes.annotations or changes.classes:
                self._load_annotations()
                self.set_selection(self._selection)
                self.annotationsChanged.emit()
            if self.image.id in changes.images:
                with self.store.read() as conn:
                    self.image = queries.image_by_id(conn, self.image.id)
        if changes.images or changes.images_added or changes.annotations:
            self.imagesChanged.emit(changes)

    def _reload_classes(self) -> None:
        self._index = None
        with self.store.read() as conn:
            self._classes = queries.label_classes(conn)
        ids = [c.id for c in self._classes]
        if self._active_class not in ids:
            self._active_class = ids[0] if ids else None
            self.activeClassChanged.emit(self._active_class)
        self.classesChanged.emit()

    # -- tools and classes -------------------------------------------------------------
    def set_tool(self, name: str) -> None:
        if name not in self.tools or self.tools[name] is self.tool:
            return
        self.tool.cancel()
        self.tool = self.tools[name]
        self.tool.activate()
        self.toolChanged.emit(name)

    def set_active_class(self, class_id: int | None) -> None:
        if class_id != self._active_class:
            self._active_class = class_id
            if not self.tool.busy:
                self.tool.activate()
            self.activeClassChanged.emit(class_id)

    def pick_class(self, class_id: int) -> None:
        """A digit key or a click on the panel: active class, and class of the selection."""
        self.set_active_class(class_id)
        targets = [a for a in self._annotations if a.uuid in self._selection]
        if targets:
            command = EditAnnotations.from_records(
                "Change class", [(a, {"class_id": class_id}) for a in targets]
            )
            if command.edits:
                self.commit(command)

    def delete_selection(self) -> bool:
        if not self._selection or self.image is None:
            return False
        uuids = tuple(a.uuid for a in self._annotations if a.uuid in self._selection)
        text = "Delete annotation" if len(uuids) == 1 else f"Delete {len(uuids)} annotations"
        ok = self.commit(DeleteAnnotations(uuids, on_image=self.image.id, text=text))
        if ok:
            self.set_selection([])
        return ok

    def add_class(self, name: str, color: str | None = None) -> bool:
        color = color or color_for_index(len(self._classes))
        return self.commit(AddClass({"name": name, "color": color}, text=f"Add class {name}"))

    def update_class(self, class_id: int, **fields: object) -> bool:
        with self.store.read() as conn:
            command = UpdateClass.capture(conn, class_id, fields, "Change class")
        return self.commit(command)

    def delete_class(self, class_id: int) -> bool:
        return self.commit(DeleteClass(class_id))

    # -- clipboard, order, visibility ----------------------------------------------------
    def selected_annotations(self) -> list[Annotation]:
        return [a for a in self._annotations if a.uuid in self._selection]

    def copy(self) -> int:
        self.clipboard = copy_items(self.selected_annotations())
        return len(self.clipboard)

    def paste(self, offset: tuple[float, float] = (0.0, 0.0), text: str = "Paste") -> int:
        """Paste the clipboard on the current image; returns how many shapes were added."""
        if not self.clipboard or self.image is None or self.image_size is None:
            return 0
        base_z = max((a.z for a in self._annotations), default=-1) + 1
        command, skipped = paste_command(
            self.clipboard, self.image.id, self.image_size, offset=offset, base_z=base_z, text=text
        )
        if skipped:
            self.failed.emit(
                "Some shapes were not pasted",
                f"{skipped} of {len(self.clipboard)} copied shapes lie outside this image.",
            )
        if command is None or not self.commit(command):
            return 0
        self.set_selection(i.uuid for i in command.items)
        return len(command.items)

    def duplicate(self) -> int:
        if not self.copy():
            return 0
        return self.paste(offset=(10.0, 10.0), text="Duplicate")

    def paste_into_next(self) -> int:
        """Copy the selection, go to the next image and paste it there (one undo step)."""
        if not self.copy() or not self.step(+1):
            return 0
        return self.paste(text="Paste into next image")

    def change_z(self, to_front: bool) -> None:
        chosen = self.selected_annotations()
        if not chosen:
            return
        others = [a.z for a in self._annotations if a.uuid not in self._selection]
        if to_front:
            start = max(others, default=-1) + 1
        else:
            start = min(others, default=len(chosen)) - len(chosen)
        changes = [(a, {"z": start + i}) for i, a in enumerate(sorted(chosen, key=lambda a: a.z))]
        command = EditAnnotations.from_records(
            "Bring to front" if to_front else "Send to back", changes
        )
        if command.edits:
            self.commit(command)

    def toggle_flag(self, flag: str) -> None:
        """Hide or lock the selection (``flag`` is "hidden" or "locked")."""
        chosen = self.selected_annotations()
        if not chosen:
            return
        value = not all(getattr(a, flag) for a in chosen)
        text = {"hidden": "Hide" if value else "Show", "locked": "Lock" if value else "Unlock"}
        command = EditAnnotations.from_records(text[flag], [(a, {flag: value}) for a in chosen])
        if command.edits and self.commit(command) and value and flag == "hidden":
            self.set_selection([])

    def set_attributes(self, values: dict) -> bool:
        """The attribute editor's new values for the one selected annotation."""
        chosen = self.selected_annotations()
        if len(chosen) != 1:
            return False
        ann = chosen[0]
        cls = self.class_by_id(ann.class_id)
        try:
            clean = coerce_attributes(parse_schema(cls.attribute_schema) if cls else (), values)
        except SchemaError as exc:
            self.failed.emit("Invalid attribute", str(exc))
            return False
        command = EditAnnotations.from_records("Edit attributes", [(ann, {"attributes": clean})])
        return bool(command.edits) and self.commit(command)

    def polygons_to_mask(self) -> None:
        try:
            fill_selected_polygons_into_mask(self)
        except LimnerError as exc:
            self.failed.emit("Could not convert", str(exc))

    def masks_to_polygons(self, tolerance: float = 0.0) -> None:
        try:
            convert_selected_masks_to_polygons(self, tolerance)
        except LimnerError as exc:
            self.failed.emit("Could not convert", str(exc))

    def simplify_selection(self, tolerance: float) -> None:
        """Douglas–Peucker on the selected polygons; one undo step."""
        chosen = [a for a in self.selected_annotations() if isinstance(a.geometry, Polygon)]
        changes = [(a, {"geometry": simplify_polygon(a.geometry, tolerance)}) for a in chosen]
        command = EditAnnotations.from_records("Simplify polygon", changes)
        if command.edits:
            self.commit(command)

    def show_all(self) -> None:
        hidden = [a for a in self._annotations if a.hidden]
        if hidden:
            self.commit(
                EditAnnotations.from_records("Show all", [(a, {"hidden": False}) for a in hidden])
            )

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
            self.failed.emit("Could not undo", str(exc))

    def redo(self) -> None:
        try:
            self._follow(self.history.redo())
        except LimnerError as exc:
            self.failed.emit("Could not redo", str(exc))
