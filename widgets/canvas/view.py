"""The canvas: a QGraphicsView showing the image and one item per annotation.

It renders and forwards; it decides nothing. Pointer events become ``Pointer`` values in
image coordinates (the scene's unit is one image pixel) and go to the active tool, a
Qt-free state machine from ``models.tools``; the tool's preview is drawn here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QCursor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from limner.models.domain.entities import Annotation
from limner.models.domain.geometry import Box
from limner.models.editing.tools.base import Pointer, Preview, Tool
from limner.models.imaging.tiles import TileSource
from limner.widgets.canvas.annotation_item import AnnotationItem, ItemStyle
from limner.widgets.canvas.dense_layer import DenseLayerItem, render_scale
from limner.widgets.canvas.mask_layer_item import MaskLayerItem
from limner.widgets.canvas.minimap import Minimap
from limner.widgets.canvas.tile_layer import TileLayerItem
from limner.widgets.keys import key_name

ZOOM_STEP = 1.25
DENSE_THRESHOLD = 1500
"""Above this many shapes on an image, zoomed-out views draw them as one raster."""
DETAIL_ZOOM = 1.0
FILL_LIMIT = 400
"""Up to this many shapes, unselected ones get a translucent fill too."""
MIN_ZOOM = 1.0 / 64
MAX_ZOOM = 64.0
PREVIEW_Z = 1e6

_CURSORS = {
    "arrow": Qt.CursorShape.ArrowCursor,
    "cross": Qt.CursorShape.CrossCursor,
    "move": Qt.CursorShape.SizeAllCursor,
    "size_fdiag": Qt.CursorShape.SizeFDiagCursor,
    "size_bdiag": Qt.CursorShape.SizeBDiagCursor,
    "size_ver": Qt.CursorShape.SizeVerCursor,
    "size_hor": Qt.CursorShape.SizeHorCursor,
    "pan": Qt.CursorShape.ClosedHandCursor,
}

_BUTTONS = {
    Qt.MouseButton.LeftButton: "left",
    Qt.MouseButton.RightButton: "right",
    Qt.MouseButton.MiddleButton: "middle",
}


class CanvasView(QGraphicsView):
    """Signals carry image coordinates; ``cursorMoved`` feeds the status bar."""

    cursorMoved = Signal(float, float)
    cursorLeft = Signal()
    zoomChanged = Signal(float)
    hintChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self.setBackgroundBrush(QBrush(QColor(48, 48, 52)))
        self.setRenderHints(QPainter.RenderHint.Antialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self._image_item = QGraphicsPixmapItem()
        self._image_item.setZValue(-1e6)
        self._image_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._image_item)
        self._tile_item = TileLayerItem()
        self._tile_item.setZValue(-1e6)
        self._scene.addItem(self._tile_item)
        self._image_size: tuple[int, int] | None = None
        self._items: dict[str, AnnotationItem] = {}
        self._records: dict[str, Annotation] = {}
        self._styles: dict[int | None, ItemStyle] = {}
        self._selection: frozenset[str] = frozenset()
        self._overridden: set[str] = set()
        self._drawing_item: AnnotationItem | None = None
        self._band_item = QGraphicsRectItem()
        band_pen = QPen(QColor(120, 180, 255), 1.0, Qt.PenStyle.DashLine)
        band_pen.setCosmetic(True)
        self._band_item.setPen(band_pen)
        self._band_item.setBrush(QBrush(QColor(120, 180, 255, 40)))
        self._band_item.setZValue(PREVIEW_Z)
        self._band_item.hide()
        self._scene.addItem(self._band_item)
        self._dense_item = DenseLayerItem()
        self._dense_item.setZValue(-1e5)
        self._dense_item.hide()
        self._scene.addItem(self._dense_item)
        self._dense_mode = False
        self._hidden_classes: frozenset[int] = frozenset()
        self._polyline_item = QGraphicsPathItem()
        line_pen = QPen(QColor(255, 230, 90), 1.5)
        line_pen.setCosmetic(True)
        self._polyline_item.setPen(line_pen)
        self._polyline_item.setZValue(PREVIEW_Z)
        self._scene.addItem(self._polyline_item)
        self._ring_item = QGraphicsEllipseItem()
        ring_pen = QPen(QColor(255, 255, 255), 1.0)
        ring_pen.setCosmetic(True)
        self._ring_item.setPen(ring_pen)
        self._ring_item.setZValue(PREVIEW_Z)
        self._ring_item.hide()
        self._scene.addItem(self._ring_item)
        self._mask_item = MaskLayerItem()
        self._mask_item.setZValue(PREVIEW_Z - 1)
        self._scene.addItem(self._mask_item)
        self._hint = ""
        self._consumed_key: int | None = None
        self.minimap = Minimap(self)
        self.horizontalScrollBar().valueChanged.connect(lambda _v: self.minimap.refresh())
        self.verticalScrollBar().valueChanged.connect(lambda _v: self.minimap.refresh())
        self.tool: Tool | None = None
        self.last_cursor: tuple[float, float] | None = None
        self._pan_from: QPoint | None = None
        self._space_down = False
        self._fit_pending = False
        self._fitted = False

    # -- image -----------------------------------------------------------------------
    def set_image(self, image: QImage | None) -> None:
        """Show a small in-memory ``image`` (or nothing) and fit it into the view."""
        self._tile_item.set_source(None)
        if image is None or image.isNull():
            self._image_item.setPixmap(QPixmap())
            self._set_size(None)
            return
        self._image_item.setPixmap(QPixmap.fromImage(image))
        self._set_size((image.width(), image.height()))

    def set_source(self, source: TileSource | None) -> None:
        """Show an image from its tile pyramid (any size) and fit it into the view."""
        self._image_item.setPixmap(QPixmap())
        self._tile_item.set_source(source)
        self._set_size((source.width, source.height) if source is not None else None)

    @property
    def tile_layer(self) -> TileLayerItem:
        return self._tile_item

    def _set_size(self, size: tuple[int, int] | None) -> None:
        self._image_size = size
        if size is None:
            self._scene.setSceneRect(QRectF())
            return
        w, h = size
        margin = max(w, h) * 0.5
        self._scene.setSceneRect(QRectF(-margin, -margin, w + 2 * margin, h + 2 * margin))
        self.fit()

    @property
    def image_size(self) -> tuple[int, int] | None:
        return self._image_size

    # -- annotations -----------------------------------------------------------------
    def set_styles(self, styles: Mapping[int | None, ItemStyle]) -> None:
        self._styles = dict(styles)
        for uuid, item in self._items.items():
            item.set_style(self._style_for(self._records[uuid]))
        if self._dense_mode:
            self._update_lod(force=True)

    def _style_for(self, ann: Annotation) -> ItemStyle:
        style = self._styles.get(ann.class_id)
        if style is None:
            style = self._styles.get(None) or ItemStyle(QColor(200, 200, 200), "")
        return style

    def set_annotations(
        self, annotations: Iterable[Annotation], hidden_classes: frozenset[int] = frozenset()
    ) -> None:
        """Replace the shown annotations, reusing items whose uuid stays."""
        records = {a.uuid: a for a in annotations}
        for uuid in list(self._items):
            if uuid not in records:
                self._scene.removeItem(self._items.pop(uuid))
        for uuid, ann in records.items():
            item = self._items.get(uuid)
            style = self._style_for(ann)
            if item is None:
                item = AnnotationItem(uuid, ann.geometry, style, ann.z, ann.author)
                self._items[uuid] = item
                self._scene.addItem(item)
            else:
                item.set_geometry(ann.geometry)
                item.set_style(style)
                item.set_author(ann.author)
                item.setZValue(float(ann.z))
            item.set_highlighted(uuid in self._selection)
        self._records = records
        self._hidden_classes = hidden_classes
        self._overridden.clear()
        self._update_lod(force=True)

    def items_by_uuid(self) -> Mapping[str, AnnotationItem]:
        return self._items

    def set_selection(self, uuids: Iterable[str]) -> None:
        selection = frozenset(uuids)
        changed = selection != self._selection
        self._selection = selection
        for uuid, item in self._items.items():
            item.set_highlighted(uuid in self._selection)
        if changed and self._dense_mode:
            self._update_lod(force=True)

    # -- level of detail -------------------------------------------------------------
    def _shown(self, ann: Annotation) -> bool:
        return not ann.hidden and ann.class_id not in self._hidden_classes

    @property
    def dense_mode(self) -> bool:
        return self._dense_mode

    def _update_lod(self, force: bool = False) -> None:
        """Many shapes zoomed out: draw them as one raster; else one item per shape."""
        zoom = self.zoom
        ratio = zoom / AnnotationItem.view_zoom
        if ratio > 1.5 or ratio < 1 / 1.5:
            AnnotationItem.view_zoom = zoom
            for item in self._items.values():
                item.refresh_margin()
        AnnotationItem.fill_unselected = len(self._records) <= FILL_LIMIT
        dense = (
            self._image_size is not None
            and len(self._records) > DENSE_THRESHOLD
            and self.zoom < DETAIL_ZOOM
        )
        if dense:
            assert self._image_size is not None
            scale = render_scale(self.zoom)
            if force or not self._dense_mode or scale != self._dense_item.scale_step:
                colors = {cid: style.color for cid, style in self._styles.items()}
                flat = [
                    a
                    for a in self._records.values()
                    if self._shown(a) and a.uuid not in self._selection
                ]
                self._dense_item.render(self._image_size, flat, colors, scale)
            self._dense_item.show()
        else:
            self._dense_item.hide()
        self._dense_mode = dense
        for uuid, item in self._items.items():
            ann = self._records[uuid]
            visible = self._shown(ann) and (
                not dense or uuid in self._selection or uuid in self._overridden
            )
            if item.isVisible() != visible:
                item.setVisible(visible)

    # -- tool preview ----------------------------------------------------------------
    def show_preview(self, preview: Preview) -> None:
        for uuid in self._overridden - set(preview.overrides):
            if uuid in self._items:
                self._items[uuid].set_geometry(self._records[uuid].geometry)
        for uuid, geometry in preview.overrides.items():
            if uuid in self._items:
                self._items[uuid].set_geometry(geometry)
                if self._dense_mode:
                    self._items[uuid].setVisible(True)
        self._overridden = set(preview.overrides)
        if preview.drawing is not None:
            if self._drawing_item is None:
                style = self._styles.get(self._active_class_hint) or ItemStyle(QColor("yellow"))
                self._drawing_item = AnnotationItem("", preview.drawing, style, 0)
                self._drawing_item.setZValue(PREVIEW_Z)
                self._scene.addItem(self._drawing_item)
            else:
                self._drawing_item.set_geometry(preview.drawing)
        elif self._drawing_item is not None:
            self._scene.removeItem(self._drawing_item)
            self._drawing_item = None
        band = preview.band
        if isinstance(band, Box):
            self._band_item.setRect(QRectF(band.x0, band.y0, band.width, band.height))
            self._band_item.show()
        else:
            self._band_item.hide()
        self._show_polyline(preview.polyline)
        if preview.ring is not None:
            x, y, r = preview.ring
            self._ring_item.setRect(QRectF(x - r, y - r, 2 * r, 2 * r))
            self._ring_item.show()
        else:
            self._ring_item.hide()
        self._mask_item.show_layer(preview.mask_layer, self._hint_color())
        if preview.hint != self._hint:
            self._hint = preview.hint
            self.hintChanged.emit(preview.hint)

    def _hint_color(self) -> QColor:
        style = self._styles.get(self._active_class_hint)
        return QColor(style.color) if style else QColor(255, 230, 90)

    def _show_polyline(self, points: tuple[tuple[float, float], ...]) -> None:
        path = QPainterPath()
        if points:
            path.moveTo(QPointF(*points[0]))
            for x, y in points[1:]:
                path.lineTo(QPointF(x, y))
            half = 3.0 / max(self.zoom, 1e-6)
            for x, y in points[:-1] if len(points) > 1 else points:
                path.addRect(QRectF(x - half, y - half, 2 * half, 2 * half))
        self._polyline_item.setPath(path)

    _active_class_hint: int | None = None

    def set_active_class_hint(self, class_id: int | None) -> None:
        """The class a shape being drawn will get, to color its preview."""
        self._active_class_hint = class_id

    # -- zoom and pan ----------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom keeping the image point under ``anchor`` (viewport pixels) where it is."""
        zoom = min(max(zoom, MIN_ZOOM), MAX_ZOOM)
        self._fitted = False
        if anchor is None:
            anchor = QPointF(self.viewport().rect().center())
        target = self.mapToScene(anchor.toPoint())
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        factor = zoom / self.zoom
        self.scale(factor, factor)
        drift = self.mapFromScene(target) - anchor.toPoint()
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + drift.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + drift.y())
        self._update_smoothing()
        self._update_lod()
        self.minimap.refresh()
        self.zoomChanged.emit(self.zoom)

    def fit(self) -> None:
        if self._image_size is None:
            return
        w, h = self._image_size
        if self.viewport().width() < 10 or self.viewport().height() < 10:
            self._fit_pending = True
            return
        self.fitInView(QRectF(0, 0, w, h), Qt.AspectRatioMode.KeepAspectRatio)
        self._fit_pending = False
        self._fitted = True
        self._update_smoothing()
        self._update_lod()
        self.minimap.refresh()
        self.zoomChanged.emit(self.zoom)

    def actual_size(self) -> None:
        self.set_zoom(1.0)

    def _update_smoothing(self) -> None:
        # Below 100% smooth scaling reads better; above it labelers want to see pixels.
        mode = (
            Qt.TransformationMode.SmoothTransformation
            if self.zoom < 1.0
            else Qt.TransformationMode.FastTransformation
        )
        self._image_item.setTransformationMode(mode)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        if self._fit_pending or self._fitted:
            self.fit()  # a fitted image stays fitted when panels open or the window resizes
        self.minimap.refresh()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps == 0:
            return
        self.set_zoom(self.zoom * math.pow(ZOOM_STEP, steps), anchor=event.position())

    # -- pointer ---------------------------------------------------------------------
    def _pointer(self, event: QMouseEvent, button: str | None = None) -> Pointer:
        pos = self.mapToScene(event.position().toPoint())
        mods = event.modifiers()
        return Pointer(
            x=pos.x(),
            y=pos.y(),
            button=button or _BUTTONS.get(event.button(), "none"),
            shift=bool(mods & Qt.KeyboardModifier.ShiftModifier),
            ctrl=bool(mods & Qt.KeyboardModifier.ControlModifier),
            alt=bool(mods & Qt.KeyboardModifier.AltModifier),
            scale=self.zoom,
        )

    def _start_pan(self, event: QMouseEvent) -> None:
        self._pan_from = event.position().toPoint()
        self.viewport().setCursor(QCursor(_CURSORS["pan"]))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus()
        if event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and self._space_down
        ):
            self._start_pan(event)
            return
        if self.tool is not None and self._image_size is not None:
            self.tool.press(self._pointer(event))
            self.show_preview(self.tool.preview)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            delta = event.position().toPoint() - self._pan_from
            self._pan_from = event.position().toPoint()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            return
        pointer = self._pointer(event, button="none")
        self.last_cursor = (pointer.x, pointer.y)
        self.cursorMoved.emit(pointer.x, pointer.y)
        if self.tool is None or self._image_size is None:
            return
        self.tool.move(
            replace(pointer, button="left")
            if event.buttons() & Qt.MouseButton.LeftButton
            else pointer
        )
        self.show_preview(self.tool.preview)
        if not event.buttons() & Qt.MouseButton.LeftButton:
            self.viewport().setCursor(QCursor(_CURSORS.get(self.tool.cursor(pointer))))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None and event.button() in (
            Qt.MouseButton.MiddleButton,
            Qt.MouseButton.LeftButton,
        ):
            self._pan_from = None
            self.viewport().unsetCursor()
            return
        if self.tool is not None and self._image_size is not None:
            self.tool.release(self._pointer(event))
            self.show_preview(self.tool.preview)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.tool is not None and self._image_size is not None:
            if event.button() == Qt.MouseButton.LeftButton:
                self.tool.double_click(self._pointer(event))
                self.show_preview(self.tool.preview)
                return
        super().mouseDoubleClickEvent(event)

    def event(self, event: QEvent) -> bool:
        # Keys a tool uses while active (Enter, Backspace, [ ], X...) must reach it before
        # the window's shortcuts; the tool says whether it took the key.
        if event.type() == QEvent.Type.ShortcutOverride and self.tool is not None:
            name = key_name(event)  # type: ignore[arg-type]
            if name and self.tool.key(name):
                self._consumed_key = event.key()  # type: ignore[attr-defined]
                self.show_preview(self.tool.preview)
                event.accept()
                return True
        return super().event(event)

    def leaveEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().leaveEvent(event)
        self.cursorLeft.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._consumed_key is not None and event.key() == self._consumed_key:
            self._consumed_key = None
            return
        name = key_name(event)
        if name and self.tool is not None and self.tool.key(name):
            self.show_preview(self.tool.preview)
            return
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            self.viewport().setCursor(QCursor(Qt.CursorShape.OpenHandCursor))
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = False
            self._pan_from = None
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def cancel_gesture(self) -> bool:
        """Esc: abort the tool's gesture; False when there was none to abort."""
        if self.tool is not None and self.tool.busy:
            self.tool.cancel()
            self.show_preview(self.tool.preview)
            return True
        return False
