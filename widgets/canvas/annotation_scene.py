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

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from limner.models.domain.entities import Annotation, LabelClass
from limner.models.domain.geometry import Geometry
from limner.models.editing.events import (
    SHAPE_EVENTS,
    ClassesChanged,
    ImageChanged,
    SelectionChanged,
)
from limner.widgets.canvas.annotation_item import AnnotationItem, ItemStyle, RenderContext
from limner.widgets.canvas.dense_layer import DenseLayerItem, render_scale
from limner.widgets.i18n import translate

__all__ = ["DENSE_THRESHOLD", "DETAIL_ZOOM", "FILL_LIMIT", "AnnotationScene", "ShapeSource"]

DENSE_THRESHOLD = 1500
"""Above this many shapes on an image, zoomed-out views draw them as one raster."""
DETAIL_ZOOM = 1.0
FILL_LIMIT = 400
"""Up to this many shapes, unselected ones get a translucent fill too."""
MARGIN_SLACK = 1.5
"""Item margins are re-sized when the zoom drifts this far from what they were sized for."""
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
        self._styles: dict[int | None, ItemStyle] = {}
        self._selection: frozenset[str] = frozenset()
        self._hidden_classes: frozenset[int] = frozenset()
        self._overridden: set[str] = set()
        self._image_id: int | None = None
        self._zoom = 1.0
        self._image_size: tuple[int, int] | None = None
        self._dense_item = DenseLayerItem()
        self._dense_item.setZValue(-1e5)
        self._dense_item.hide()
        scene.addItem(self._dense_item)
        self._dense_mode = False
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

    def reset(self, annotations: Iterable[Annotation], image_id: int | None = None) -> None:
        """Show exactly ``annotations``, reusing the items whose uuid stays."""
        records = {a.uuid: a for a in annotations}
        for uuid in [u for u in self._items if u not in records]:
            self._drop(uuid)
        for ann in records.values():
            self._place(ann)
        self._image_id = image_id
        self._overridden.clear()
        self._update_lod(force=True)

    def patch(self, uuids: Iterable[str], lookup: Callable[[str], Annotation | None]) -> None:
        """Create, change or remove the items of ``uuids`` as ``lookup`` says they are now."""
        touched = list(uuids)
        for uuid in touched:
            record = lookup(uuid)
            if record is None:
                self._drop(uuid)
            else:
                self._place(record)
            self._overridden.discard(uuid)
        in_raster = any(u not in self._selection for u in touched)
        self._update_lod(force=in_raster, touched=touched)

    def _place(self, ann: Annotation) -> None:
        item = self._items.get(ann.uuid)
        style = self._style_for(ann)
        if item is None:
            item = AnnotationItem(ann.uuid, ann.geometry, style, ann.z, ann.author, self.render)
            item.set_highlighted(ann.uuid in self._selection)
            self._items[ann.uuid] = item
            self._scene.addItem(item)
        else:
            item.set_geometry(ann.geometry)
            item.set_style(style)
            item.set_author(ann.author)
            item.setZValue(float(ann.z))
        self._records[ann.uuid] = ann

    def _drop(self, uuid: str) -> None:
        item = self._items.pop(uuid, None)
        self._records.pop(uuid, None)
        if item is not None:
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
            self._update_lod(force=True)

    def set_styles(self, styles: Mapping[int | None, ItemStyle]) -> None:
        self._styles = dict(styles)
        for uuid, item in self._items.items():
            item.set_style(self._style_for(self._records[uuid]))
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
        selection = frozenset(uuids)
        if selection == self._selection:
            return
        changed = selection ^ self._selection
        self._selection = selection
        for uuid in changed:
            item = self._items.get(uuid)
            if item is not None:
                item.set_highlighted(uuid in selection)
        if self._dense_mode:
            self._update_lod(force=True, touched=changed)

    # -- drag previews -------------------------------------------------------------------
    def show_overrides(self, overrides: Mapping[str, Geometry]) -> None:
        """Draw some shapes with another geometry while a gesture is under way."""
        for uuid in self._overridden - set(overrides):
            if uuid in self._items:
                self._items[uuid].set_geometry(self._records[uuid].geometry)
        for uuid, geometry in overrides.items():
            if uuid in self._items:
                self._items[uuid].set_geometry(geometry)
                if self._dense_mode:
                    self._items[uuid].setVisible(True)
        self._overridden = set(overrides)

    # -- level of detail -----------------------------------------------------------------
    @property
    def dense_mode(self) -> bool:
        return self._dense_mode

    def set_view(self, zoom: float, image_size: tuple[int, int] | None) -> None:
        """The view's zoom or image changed: re-size margins, maybe switch the raster."""
        self._zoom = zoom
        self._image_size = image_size
        self._update_lod()

    def _shown(self, ann: Annotation) -> bool:
        return not ann.hidden and ann.class_id not in self._hidden_classes

    def _update_lod(self, force: bool = False, touched: Iterable[str] | None = None) -> None:
        """Many shapes zoomed out: draw them as one raster; else one item per shape.

        ``force`` redraws the raster; ``touched`` limits the visibility pass to those
        items when nothing else can have changed.
        """
        self._refresh_render()
        dense = (
            self._image_size is not None
            and len(self._records) > DENSE_THRESHOLD
            and self._zoom < DETAIL_ZOOM
        )
        if dense:
            self._render_raster(force)
            self._dense_item.show()
        else:
            self._dense_item.hide()
        flipped = dense != self._dense_mode
        self._dense_mode = dense
        uuids = self._items.keys() if touched is None or flipped else touched
        for uuid in uuids:
            item, ann = self._items.get(uuid), self._records.get(uuid)
            if item is None or ann is None:
                continue
            visible = self._shown(ann) and (
                not dense or uuid in self._selection or uuid in self._overridden
            )
            if item.isVisible() != visible:
                item.setVisible(visible)

    def _refresh_render(self) -> None:
        ratio = self._zoom / self.render.zoom
        if ratio > MARGIN_SLACK or ratio < 1 / MARGIN_SLACK:
            self.render.zoom = self._zoom
            for item in self._items.values():
                item.refresh_margin()
        fill = len(self._records) <= FILL_LIMIT
        if fill != self.render.fill_unselected:
            self.render.fill_unselected = fill
            self._scene.update()

    def _render_raster(self, force: bool) -> None:
        """Have the raster redrawn at its next paint, from the shapes as they are then."""
        assert self._image_size is not None
        scale = render_scale(self._zoom)
        if force or not self._dense_mode or scale != self._dense_item.scale_step:
            colors = {cid: style.color for cid, style in self._styles.items()}
            self._dense_item.render_later(self._image_size, self._raster_shapes, colors, scale)

    def _raster_shapes(self) -> list[Annotation]:
        """The shapes the raster draws: shown ones, except the selection (drawn as items)."""
        selection = self._selection
        return [a for a in self._records.values() if self._shown(a) and a.uuid not in selection]

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
