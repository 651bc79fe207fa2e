"""The one owner of the canvas's annotation items: it alone creates, patches and removes them.

It follows the editing session's events: a new image replaces every item (reusing those
whose uuid stays), and a change to some shapes patches exactly the items of those uuids,
reading their current records from the session. Because it always reads the current
record for the ids an event names, an event that arrives late (queued, or from another
thread) can never put an older shape back on screen; shape events of another image than the
one shown are dropped.

It also keeps the zoom-dependent drawing state of its items (one :class:`RenderContext`
handed to every item it makes), the dense-scene raster used when thousands of shapes are
zoomed out, and the overlays other parts of the window put on the canvas (review pins,
changes since the last review): they hand their items here under a name instead of adding
them to the scene themselves, so nothing else touches the scene's annotation layer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from limner.models.domain.entities import Annotation, LabelClass
from limner.models.domain.geometry import Geometry, bounds, has_extent
from limner.models.domain.spatial import BoxTable
from limner.models.editing.events import (
    SHAPE_EVENTS,
    ClassesChanged,
    ImageChanged,
    SelectionChanged,
)
from limner.widgets.canvas.annotation_item import AnnotationItem, ItemStyle, RenderContext
from limner.widgets.canvas.dense_layer import DenseLayerItem, Rect, render_scale
from limner.widgets.i18n import translate

__all__ = [
    "CROWD_LIMIT",
    "DENSE_THRESHOLD",
    "DETAIL_ZOOM",
    "FILL_LIMIT",
    "AnnotationScene",
    "ShapeSource",
]

DENSE_THRESHOLD = 200
"""Above this many shapes on an image, zoomed-out views draw them as one raster.

Chosen by measurement (frame at fit, 32-vertex polygons on a 4096² image, 2 cores): one
item per shape costs about as much as the raster's single image at 150 shapes and
several times more from 200 on (about 45 ms against 11 ms at 200, 240 ms against 24 ms
at 1,000), so above 200 no shape count draws slower than a bigger one."""
DETAIL_ZOOM = 1.0
FILL_LIMIT = 400
"""Up to this many shapes, unselected ones get a translucent fill too."""
MARGIN_SLACK = 1.5
"""Item margins are re-sized when the zoom drifts this far from what they were sized for."""
REVEAL_SLACK = 0.25
"""In a big scene at the detail zoom, items are shown this far (a fraction of the view)
around what is visible, so a short scroll shows nothing new."""
REVEAL_CHUNK = 600
"""Visibility changes applied per turn of the event loop; the raster stays under the items
until the rest are done, so crossing 100% never waits for every item at once."""
PATCH_LIMIT = 0.25
"""An edit whose dirty area is more than this share of the image re-renders in the
background instead of patching on the GUI thread."""
VIEW_ITEM_LIMIT = 300
"""Above the detail zoom, a view holding more shapes than this still shows the raster."""
RASTER_ZOOM_LIMIT = 4.0
"""From this zoom on, shapes are always items: the full-resolution raster would be too
coarse, and so few shapes fit in a view that their items are cheap anyway."""
CROWD_LIMIT = 150
"""With more items than this shown, unselected shapes draw hairlines and no label chips:
an item with a two-pixel outline and its chip costs about 0.1 ms to paint, so about 150 of
them fill a 16 ms frame."""
NO_CLASS_COLOR = QColor(200, 200, 200)


class ShapeSource(Protocol):
    """What the scene reads: the editing session's current state."""

    @property
    def image_id(self) -> int | None: ...

    @property
    def annotations(self) -> list[Annotation]: ...

    @property
    def classes(self) -> list[LabelClass]: ...

    def shape(self, uuid: str) -> Annotation | None: ...

    def selection(self) -> frozenset[str]: ...


def styles_for(classes: Iterable[LabelClass]) -> dict[int | None, ItemStyle]:
    """One style per class (its colour, name and skeleton), plus one for no class."""
    styles: dict[int | None, ItemStyle] = {
        c.id: ItemStyle(QColor(c.color), c.name, c.skeleton) for c in classes
    }
    styles[None] = ItemStyle(NO_CLASS_COLOR, translate("AnnotationList", "(no class)"))
    return styles


class AnnotationScene:
    def __init__(self, scene: QGraphicsScene) -> None:
        self._scene = scene
        self.render = RenderContext()
        self._items: dict[str, AnnotationItem] = {}
        self._records: dict[str, Annotation] = {}
        self._boxes = BoxTable()
        self._styles: dict[int | None, ItemStyle] = {}
        self._selection: frozenset[str] = frozenset()
        self._hidden_classes: frozenset[int] = frozenset()
        self._overridden: set[str] = set()
        self._image_id: int | None = None
        self._zoom = 1.0
        self._image_size: tuple[int, int] | None = None
        self._view_rect: Rect | None = None
        self._reveal_rect: Rect | None = None
        self._visible: set[str] = set()
        self._queue: dict[str, bool] = {}
        # A child of the scene, so it dies with the canvas: a parentless timer would fire
        # into this owner after the canvas and its items were deleted.
        self._timer = QTimer(scene)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._drain_some)
        self._dense_item = DenseLayerItem()
        self._dense_item.setZValue(-1e5)
        self._dense_item.hide()
        scene.addItem(self._dense_item)
        self._dense_mode = False
        self._raster_valid = False
        self._overlays: dict[str, list[QGraphicsItem]] = {}
        self._source: ShapeSource | None = None

    # -- following the session -----------------------------------------------------------
    def follow(self, source: ShapeSource) -> None:
        """Read records from ``source`` when its events arrive (see :meth:`handle`)."""
        self._source = source

    def handle(self, event: object) -> None:
        """Bring the items in step with one session event."""
        source = self._source
        if source is None:
            return
        if isinstance(event, ImageChanged):
            image_id = event.image.id if event.image is not None else None
            self.reset(source.annotations, image_id=image_id)
            self.set_selection(source.selection())
        elif isinstance(event, SHAPE_EVENTS):
            if event.image_id == self._image_id:
                self.patch(event.ids, source.shape)
        elif isinstance(event, SelectionChanged):
            self.set_selection(source.selection())
        elif isinstance(event, ClassesChanged):
            self.set_classes(event.classes)

    # -- items ---------------------------------------------------------------------------
    def items_by_uuid(self) -> Mapping[str, AnnotationItem]:
        return self._items

    def record(self, uuid: str) -> Annotation | None:
        return self._records.get(uuid)

    @property
    def dense_layer(self) -> DenseLayerItem:
        return self._dense_item

    def reset(self, annotations: Iterable[Annotation], image_id: int | None = None) -> None:
        """Show exactly ``annotations``, reusing the items whose uuid stays."""
        records = {a.uuid: a for a in annotations}
        for uuid in [u for u in self._items if u not in records]:
            self._drop(uuid)
        for ann in records.values():
            self._place(ann)
        self._image_id = image_id
        self._overridden.clear()
        self._raster_valid = False
        self._dense_item.clear()  # never show another image's shapes while rendering
        self._update_lod(force=True)

    def patch(self, uuids: Iterable[str], lookup: Callable[[str], Annotation | None]) -> None:
        """Create, change or remove the items of ``uuids`` as ``lookup`` says they are now.

        The raster is redrawn only where the shapes were and where they are now; where
        a dragged shape was, the raster already lacks it (it was taken out when the drag
        began), so only its new place is drawn.
        """
        touched = list(uuids)
        # shapes the raster lacks until now: a dropped drag, a new shape
        absent = {u for u in touched if u in self._overridden or u not in self._boxes}
        dirty = [self._boxes.get(u) for u in touched if u not in absent]
        for uuid in touched:
            record = lookup(uuid)
            if record is None:
                self._drop(uuid)
            else:
                self._place(record)
            self._overridden.discard(uuid)
        self._update_lod(touched=touched)
        now = [(u, self._boxes.get(u)) for u in touched]
        if not any(dirty) and len(touched) <= 32:
            self._patch_raster([r for _, r in now if r is not None], added=dict(now))
        else:
            self._patch_raster([r for r in dirty + [r for _, r in now] if r is not None])

    def _place(self, ann: Annotation) -> None:
        item = self._items.get(ann.uuid)
        style = self._style_for(ann)
        if item is None:
            item = AnnotationItem(ann.uuid, ann.geometry, style, ann.z, ann.author, self.render)
            item.set_highlighted(ann.uuid in self._selection)
            item.setVisible(False)  # shown by the level-of-detail pass, if at all
            self._items[ann.uuid] = item
        else:
            item.set_geometry(ann.geometry)
            item.set_style(style)
            item.set_author(ann.author)
            item.setZValue(float(ann.z))
        self._records[ann.uuid] = ann
        g = ann.geometry
        self._boxes.set(ann.uuid, bounds(g) if has_extent(g) else None)

    def _drop(self, uuid: str) -> None:
        item = self._items.pop(uuid, None)
        self._records.pop(uuid, None)
        self._boxes.remove(uuid)
        self._visible.discard(uuid)
        self._queue.pop(uuid, None)
        if item is not None and item.scene() is not None:
            self._scene.removeItem(item)

    # -- styles and selection ------------------------------------------------------------
    def set_classes(self, classes: Iterable[LabelClass]) -> None:
        """Colours and names of the classes, and which of them are hidden."""
        chosen = list(classes)
        self._hidden_classes = frozenset(c.id for c in chosen if c.hidden)
        self.set_styles(styles_for(chosen))

    def set_hidden_classes(self, hidden: frozenset[int]) -> None:
        if hidden != self._hidden_classes:
            self._hidden_classes = hidden
            self._raster_valid = False
            self._update_lod(force=True)

    def set_styles(self, styles: Mapping[int | None, ItemStyle]) -> None:
        self._styles = dict(styles)
        for uuid, item in self._items.items():
            item.set_style(self._style_for(self._records[uuid]))
        self._raster_valid = False
        self._update_lod(force=self._dense_mode)

    def style(self, class_id: int | None) -> ItemStyle | None:
        return self._styles.get(class_id)

    def _style_for(self, ann: Annotation) -> ItemStyle:
        style = self._styles.get(ann.class_id)
        if style is None:
            style = self._styles.get(None) or ItemStyle(QColor(200, 200, 200), "")
        return style

    @property
    def selection(self) -> frozenset[str]:
        return self._selection

    def set_selection(self, uuids: Iterable[str]) -> None:
        """Highlight ``uuids``; over the raster their items are drawn, the raster stays."""
        selection = frozenset(uuids)
        if selection == self._selection:
            return
        changed = selection ^ self._selection
        self._selection = selection
        for uuid in changed:
            item = self._items.get(uuid)
            if item is not None:
                item.set_highlighted(uuid in selection)
        self._update_lod(touched=changed)

    # -- drag previews -------------------------------------------------------------------
    def show_overrides(self, overrides: Mapping[str, Geometry]) -> None:
        """Draw some shapes with another geometry while a gesture is under way.

        Over the raster, a shape being dragged is taken out of it (a patch where it was)
        and drawn as its item; it goes back when the gesture ends.
        """
        changed = self._overridden ^ set(overrides)
        for uuid in self._overridden - set(overrides):
            if uuid in self._items:
                self._items[uuid].set_geometry(self._records[uuid].geometry)
        for uuid, geometry in overrides.items():
            if uuid in self._items:
                self._items[uuid].set_geometry(geometry)
        self._overridden = set(overrides)
        if changed:
            self._update_lod(touched=changed)
            dirty = [self._boxes.get(u) for u in changed]
            self._patch_raster([r for r in dirty if r is not None])

    # -- level of detail -----------------------------------------------------------------
    @property
    def dense_mode(self) -> bool:
        return self._dense_mode

    def set_view(
        self, zoom: float, image_size: tuple[int, int] | None, visible: Rect | None = None
    ) -> None:
        """The view's zoom, image or visible area changed: maybe switch the raster."""
        moved = visible != self._view_rect
        if zoom == self._zoom and image_size == self._image_size and not moved:
            return
        self._view_rect = visible
        if zoom == self._zoom and image_size == self._image_size:
            if self._wants_raster() != self._dense_mode:
                self._update_lod()  # scrolled into (or out of) a crowd
            else:
                self._follow_view()  # a scroll: only items coming into view change
            return
        self._zoom = zoom
        self._image_size = image_size
        self._update_lod()

    def _shown(self, ann: Annotation) -> bool:
        return not ann.hidden and ann.class_id not in self._hidden_classes

    def _big(self) -> bool:
        return len(self._records) > DENSE_THRESHOLD

    def _wants_raster(self) -> bool:
        """Zoomed out on a big image, or zoomed in where the view still holds a crowd.

        Drawing one item per shape costs about 40 µs a shape (a Python paint call and a
        hairline), so a view holding more than ``VIEW_ITEM_LIMIT`` shapes stays on the
        raster; the limit is lower when leaving the raster than when entering it, so that
        scrolling along the boundary does not switch back and forth.
        """
        if self._image_size is None or not self._big():
            return False
        if self._zoom < DETAIL_ZOOM:
            return True
        view = self._view_rect
        if view is None or self._zoom >= RASTER_ZOOM_LIMIT:
            return False
        limit = VIEW_ITEM_LIMIT if not self._dense_mode else VIEW_ITEM_LIMIT * 4 // 5
        return self._boxes.count_overlapping(*view) > limit

    def _update_lod(self, force: bool = False, touched: Iterable[str] | None = None) -> None:
        """Many shapes zoomed out: draw them as one raster; else one item per shape.

        ``force`` redraws the raster; ``touched`` limits the visibility pass to those
        items when nothing else can have changed.
        """
        self._refresh_render()
        dense = self._wants_raster()
        if dense:
            self._render_raster(force)
        flipped = dense != self._dense_mode
        self._dense_mode = dense
        if touched is None or flipped:
            self._reveal_rect = None
            self._apply_all()
        else:
            for uuid in touched:
                self._queue.pop(uuid, None)
                self._set_visible(uuid, self._wants(uuid))
        self._show_raster()

    def _show_raster(self) -> None:
        """The raster while dense, and under the items while they are still being shown."""
        self._dense_item.setVisible(self._dense_mode or (bool(self._queue) and self._big()))
        crowded = len(self._visible) > CROWD_LIMIT
        if crowded != self.render.crowded:
            self.render.crowded = crowded
            self._scene.update()

    def _refresh_render(self) -> None:
        ratio = self._zoom / self.render.zoom
        if ratio > MARGIN_SLACK or ratio < 1 / MARGIN_SLACK:
            self.render.zoom = self._zoom
            for uuid in self._visible:
                self._items[uuid].refresh_margin()
        fill = len(self._records) <= FILL_LIMIT
        if fill != self.render.fill_unselected:
            self.render.fill_unselected = fill
            self._scene.update()

    # -- which items are shown -----------------------------------------------------------
    def _wants(self, uuid: str) -> bool:
        ann = self._records.get(uuid)
        if ann is None or not self._shown(ann):
            return False
        if uuid in self._selection or uuid in self._overridden:
            return True
        if self._dense_mode:
            return False
        area = self._reveal_area()
        box = self._boxes.get(uuid)
        if area is None or box is None:
            return True
        return box[0] <= area[2] and box[2] >= area[0] and box[1] <= area[3] and box[3] >= area[1]

    def _reveal_area(self) -> Rect | None:
        """Where items are shown in a big scene at the detail zoom (None: everywhere)."""
        if not self._big() or self._view_rect is None:
            return None
        if self._reveal_rect is None:
            x0, y0, x1, y1 = self._view_rect
            gx, gy = (x1 - x0) * REVEAL_SLACK, (y1 - y0) * REVEAL_SLACK
            self._reveal_rect = (x0 - gx, y0 - gy, x1 + gx, y1 + gy)
        return self._reveal_rect

    def _wanted(self) -> set[str]:
        """Every uuid whose item should be visible now, found through the box table."""
        pinned = {u for u in self._selection | self._overridden if self._wants(u)}
        if self._dense_mode:
            return pinned
        area = self._reveal_area()
        if area is None:
            return {u for u, a in self._records.items() if self._shown(a)}
        near = self._boxes.overlapping(*area)
        records = self._records
        return pinned | {u for u in near if self._shown(records[u])}

    def _apply_all(self) -> None:
        """Hide what is no longer wanted now (taking an item out costs microseconds, and
        a left-over item would be painted over the raster); queue what comes into view,
        a first chunk now and the rest over the next turns."""
        wanted = self._wanted()
        for uuid in self._visible - wanted:
            self._set_visible(uuid, False)
        coming = wanted - self._visible
        view = self._view_rect
        first = REVEAL_CHUNK
        if view is not None and self._big():
            # What is on screen now, whatever its count; the slack around it over the
            # next turns, so the frame that shows the change pays only for what it shows.
            seen = coming.intersection(self._boxes.overlapping(*view))
            for uuid in seen:
                self._set_visible(uuid, True)
            coming -= seen
            first = 0
        self._queue = {u: True for u in coming}
        self._drain(first)

    def _follow_view(self) -> None:
        area = self._reveal_rect
        view = self._view_rect
        if self._dense_mode or not self._big() or view is None:
            return
        inside = area is not None and (
            area[0] <= view[0] and area[1] <= view[1] and view[2] <= area[2] and view[3] <= area[3]
        )
        if not inside:
            self._reveal_rect = None
            self._apply_all()
            self._show_raster()

    def _drain(self, count: int) -> None:
        for _ in range(min(count, len(self._queue))):
            uuid, visible = self._queue.popitem()
            self._set_visible(uuid, visible)
        if self._queue:
            self._timer.start()

    def _drain_some(self) -> None:
        self._drain(REVEAL_CHUNK)
        self._show_raster()

    @property
    def busy(self) -> bool:
        """A background render or queued item reveals are still under way."""
        return bool(self._queue) or self._dense_item.busy

    def settle(self) -> None:
        """For tests: apply every queued visibility change now."""
        self._drain(len(self._queue))
        self._show_raster()

    def _set_visible(self, uuid: str, visible: bool) -> None:
        item = self._items.get(uuid)
        if item is None:
            return
        # A hidden item is also out of the scene: the scene's index would otherwise hand
        # every frame all the hidden items in the exposed area to sort and skip, a cost
        # that grows with the image's shapes instead of the visible ones.
        if visible:
            if uuid not in self._visible:
                item.refresh_margin()  # its margin may be sized for another zoom
                self._visible.add(uuid)
                item.setVisible(True)
                self._scene.addItem(item)
        elif uuid in self._visible:
            self._visible.discard(uuid)
            item.setVisible(False)
            self._scene.removeItem(item)

    # -- the raster ----------------------------------------------------------------------
    def _render_raster(self, force: bool) -> None:
        """Have the raster redrawn in the background when its content or scale is stale."""
        assert self._image_size is not None
        scale = render_scale(self._zoom)
        if force or not self._raster_valid or scale != self._dense_item.scale_step:
            colors = {cid: style.color for cid, style in self._styles.items()}
            self._dense_item.render_later(
                self._image_size, self._snapshot(), colors, scale, self._shapes_in
            )
            self._raster_valid = True

    def _snapshot(self) -> Callable[[], list[Annotation]]:
        """The shapes the raster draws, read by the worker from a copy taken now."""
        records = list(self._records.values())
        hidden, over = self._hidden_classes, frozenset(self._overridden)
        return lambda: [
            a for a in records if not a.hidden and a.class_id not in hidden and a.uuid not in over
        ]

    def _shapes_in(self, rect: Rect) -> list[Annotation]:
        """The shapes the raster draws that cross ``rect``, in drawing order."""
        records, over = self._records, self._overridden
        near = (records[u] for u in self._boxes.overlapping(*rect) if u not in over)
        return [a for a in near if self._shown(a)]

    def _patch_raster(
        self, dirty: list[Rect], added: Mapping[str, Rect | None] | None = None
    ) -> None:
        """Redraw the raster where ``dirty`` says; ``added`` (uuid -> its rectangle) when
        the change is only that these shapes appeared, each drawn over what is there."""
        if not dirty or not self._raster_valid or self._image_size is None:
            return
        x0 = min(r[0] for r in dirty)
        y0 = min(r[1] for r in dirty)
        x1 = max(r[2] for r in dirty)
        y1 = max(r[3] for r in dirty)
        w, h = self._image_size
        if (x1 - x0) * (y1 - y0) > w * h * PATCH_LIMIT:
            self._render_raster(force=True)  # most of the image: a background render
        elif added is not None:
            for uuid, rect in added.items():
                if rect is not None:
                    self._dense_item.patch(rect, added=uuid)
        elif len(dirty) > 32 or (x1 - x0) * (y1 - y0) <= 1.5 * sum(
            (r[2] - r[0]) * (r[3] - r[1]) for r in dirty
        ):
            # many rectangles, or overlapping ones (a shape moved by less than its size):
            # one patch of their union draws each shape there once
            self._dense_item.patch((x0, y0, x1, y1))
        else:
            for rect in dirty:
                self._dense_item.patch(rect)

    # -- overlays ------------------------------------------------------------------------
    def set_overlay(self, name: str, items: Iterable[QGraphicsItem]) -> None:
        """Show ``items`` as the overlay ``name``, replacing what it showed before."""
        self.clear_overlay(name)
        shown = list(items)
        for item in shown:
            self._scene.addItem(item)
        self._overlays[name] = shown

    def clear_overlay(self, name: str) -> None:
        for item in self._overlays.pop(name, []):
            self._scene.removeItem(item)

    def overlay(self, name: str) -> list[QGraphicsItem]:
        return list(self._overlays.get(name, []))
