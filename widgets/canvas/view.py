"""The canvas: a QGraphicsView showing the image, its annotations and the tool's preview.

It renders and forwards; it decides nothing. Pointer events become ``Pointer`` values in
image coordinates (the scene's unit is one image pixel) and go to the active tool, a
Qt-free state machine from ``models.editing.tools``; the tool's preview is drawn by the
preview layer. The annotation items belong to one owner, :class:`AnnotationScene`
(``canvas.annotation_scene``), which follows the editing session's events; the view only
tells it the zoom and the image size, which decide how its items are drawn.
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
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

from limner.models.domain.entities import Annotation
from limner.models.editing.tools.base import Pointer, Preview, Tool
from limner.models.imaging.tiles import TileSource
from limner.widgets.canvas.annotation_item import AnnotationItem, ItemStyle
from limner.widgets.canvas.annotation_scene import (
    DENSE_THRESHOLD,
    DETAIL_ZOOM,
    FILL_LIMIT,
    AnnotationScene,
)
from limner.widgets.canvas.minimap import Minimap
from limner.widgets.canvas.preview_layer import PREVIEW_Z, PreviewLayer
from limner.widgets.canvas.tile_layer import TileLayerItem
from limner.widgets.i18n import said
from limner.widgets.keys import key_name

__all__ = ["DENSE_THRESHOLD", "DETAIL_ZOOM", "FILL_LIMIT", "PREVIEW_Z", "CanvasView"]

ZOOM_STEP = 1.25
MIN_ZOOM = 1.0 / 64
MAX_ZOOM = 64.0

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
    """The tool's hint for the status bar, in the user's language ("" when none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._configure_view()
        self._image_item = QGraphicsPixmapItem()
        self._image_item.setZValue(-1e6)
        self._image_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._image_item)
        self._tile_item = TileLayerItem()
        self._tile_item.setZValue(-1e6)
        self._scene.addItem(self._tile_item)
        self._image_size: tuple[int, int] | None = None
        self._shapes = AnnotationScene(self._scene)
        self._preview = PreviewLayer(self._scene, self._shapes.render)
        self._active_class_hint: int | None = None
        self._hint = ""
        self._consumed_key: int | None = None
        self.minimap = Minimap(self)
        self.horizontalScrollBar().valueChanged.connect(self._scrolled)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self._tile_item.overview_ready.connect(self.minimap.refresh)
        self.tool: Tool | None = None
        self.last_cursor: tuple[float, float] | None = None
        self._pan_from: QPoint | None = None
        self._space_down = False
        self._fit_pending = False
        self._fitted = False

    def _configure_view(self) -> None:
        self.setBackgroundBrush(QBrush(QColor(48, 48, 52)))
        self.setRenderHints(QPainter.RenderHint.Antialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)

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
        self._view_changed()
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
    @property
    def annotation_scene(self) -> AnnotationScene:
        """The owner of the annotation items; the window feeds it the session's events."""
        return self._shapes

    @property
    def overlays(self) -> AnnotationScene:
        """Where other views put items on the canvas (``set_overlay(name, items)``)."""
        return self._shapes

    def set_styles(self, styles: Mapping[int | None, ItemStyle]) -> None:
        self._shapes.set_styles(styles)

    def set_annotations(
        self, annotations: Iterable[Annotation], hidden_classes: frozenset[int] | None = None
    ) -> None:
        """Show exactly these annotations (reusing the items whose uuid stays)."""
        if hidden_classes is not None:
            self._shapes.set_hidden_classes(hidden_classes)
        self._shapes.reset(annotations)

    def items_by_uuid(self) -> Mapping[str, AnnotationItem]:
        return self._shapes.items_by_uuid()

    def set_selection(self, uuids: Iterable[str]) -> None:
        self._shapes.set_selection(uuids)

    @property
    def dense_mode(self) -> bool:
        return self._shapes.dense_mode

    def _view_changed(self) -> None:
        area = self.mapToScene(self.viewport().rect()).boundingRect()
        visible = (area.left(), area.top(), area.right(), area.bottom())
        self._shapes.set_view(self.zoom, self._image_size, visible)

    def _scrolled(self, _value: int) -> None:
        if self._zooming:
            return
        self._view_changed()  # in a big scene, items coming into view are shown
        self.minimap.refresh()

    # -- tool preview ----------------------------------------------------------------
    def show_preview(self, preview: Preview) -> None:
        self._shapes.show_overrides(preview.overrides)
        self._preview.show(preview, self._shapes.style(self._active_class_hint), self.zoom)
        if preview.hint != self._hint:
            self._hint = preview.hint
            self.hintChanged.emit(said(preview.hint))  # a Qt signal carries a plain str

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
        # The scale and the two scroll corrections each move the view; the shapes are
        # told only where it ends up, not about the views in between.
        self._zooming = True
        try:
            self.scale(factor, factor)
            drift = self.mapFromScene(target) - anchor.toPoint()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + drift.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() + drift.y())
        finally:
            self._zooming = False
        self._update_smoothing()
        self._view_changed()
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
        self._view_changed()
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
        else:
            self._view_changed()
        self.minimap.refresh()

    _zooming = False
    """Set while a zoom step moves the view in several steps (scale, then scroll)."""

    wheel_zooms = False
    """The plain wheel zooms and Ctrl+wheel scrolls (a preference); by default, as in
    labelme and most viewers, the wheel and a trackpad scroll and Ctrl+wheel zooms."""

    def wheelEvent(self, event: QWheelEvent) -> None:
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if ctrl == self.wheel_zooms:
            super().wheelEvent(event)  # scroll: pixel deltas (trackpads) and Shift handled
            return
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
