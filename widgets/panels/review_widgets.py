"""Review workflow views: status history, the reviewer's feedback banner,
remark pins and the "changes since last review" overlay on the canvas.

The two canvas overlays never add items to the scene themselves: they hand them, under a
name, to the canvas's overlay host (the owner of the canvas items), which shows them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QLabel,
    QListWidget,
    QWidget,
)

from limner.models.workflow.review import Remark, StatusChange
from limner.widgets.i18n import translate
from limner.widgets.palette_colors import STATUS_HUES, banner_colors
from limner.widgets.plain import make_plain, set_plain_tip
from limner.widgets.words import status_name

STATUS_COLORS = STATUS_HUES


class HistoryPanel(QListWidget):
    """Every status step of the current image: when, who, from → to, comment."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")

    def set_history(self, steps: Sequence[StatusChange]) -> None:
        self.clear()
        for step in steps:
            when = step.time[:16].replace("T", " ")
            moved = f"{status_name(step.from_status)} → {status_name(step.to_status)}"
            text = f"{when} · {step.actor} · {moved}"
            if step.comment:
                text += f" · “{step.comment}”"
            self.addItem(text)
        if not steps:
            self.addItem(translate("HistoryPanel", "No status changes yet."))


class FeedbackBanner(QLabel):
    """The reviewer's comment on a rejected image, above the image until resubmitted.

    It sits in a strip of its own at the top of the canvas (the canvas's viewport moves
    down by its height), so it never covers the image or the shapes being corrected.
    """

    def __init__(self, canvas: QAbstractScrollArea) -> None:
        super().__init__(canvas)
        self._canvas = canvas
        self.setObjectName("feedbackBanner")
        make_plain(self)  # a reviewer's words, never markup
        self.setWordWrap(True)
        self.setAutoFillBackground(True)
        self.setContentsMargins(8, 6, 8, 6)
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        canvas.installEventFilter(self)
        self.hide()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._colour()
        super().changeEvent(event)

    def _colour(self) -> None:
        background, text = banner_colors(QApplication.palette())
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, background)
        palette.setColor(QPalette.ColorRole.WindowText, text)
        self.setPalette(palette)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._canvas and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

    def show_feedback(self, text: str | None) -> None:
        was = self.isVisible()
        if not text:
            self.hide()
            if was:
                self._set_margin(0)
            return
        self._colour()
        self.setText(text)
        self.show()
        self._place()

    def _place(self) -> None:
        self.setFixedWidth(self._canvas.width())
        height = self.heightForWidth(self._canvas.width())
        self.setFixedHeight(max(height, self.sizeHint().height()))
        self.move(0, 0)
        self.raise_()
        self._set_margin(self.height())

    def _set_margin(self, top: int) -> None:
        if self._canvas.viewportMargins().top() != top:
            self._canvas.setViewportMargins(0, top, 0, 0)
            # The canvas keeps a fitted image fitted when it is resized: tell it so.
            size = self._canvas.size()
            QApplication.sendEvent(self._canvas, QResizeEvent(size, size))


class OverlayHost(Protocol):
    """Where an overlay's items go on the canvas."""

    def set_overlay(self, name: str, items: Iterable[QGraphicsItem]) -> None: ...

    def clear_overlay(self, name: str) -> None: ...


class RemarkPins:
    """Numbered pins on the canvas for the open remarks of the image."""

    NAME = "remarks"

    def __init__(self, host: OverlayHost) -> None:
        self._host = host
        self._items: list[QGraphicsItem] = []

    def clear(self) -> None:
        self._host.clear_overlay(self.NAME)
        self._items = []

    def show(
        self, remarks: Iterable[Remark], anchors: Mapping[str, tuple[float, float]], zoom: float
    ) -> None:
        radius = 9.0 / max(zoom, 1e-3)
        pins: list[QGraphicsItem] = []
        for number, remark in enumerate(remarks, start=1):
            if remark.x is not None and remark.y is not None:
                x, y = remark.x, remark.y
            elif remark.annotation_uuid and remark.annotation_uuid in anchors:
                x, y = anchors[remark.annotation_uuid]
            else:
                continue
            pin = QGraphicsEllipseItem(x - radius, y - radius, 2 * radius, 2 * radius)
            pen = QPen(QColor("white"), 2)
            pen.setCosmetic(True)
            pin.setPen(pen)
            pin.setBrush(QBrush(QColor(200, 40, 40)))
            pin.setZValue(2e6)
            set_plain_tip(pin, remark.text)
            label = QGraphicsSimpleTextItem(str(number), pin)
            label.setBrush(QBrush(QColor("white")))
            label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            label.setPos(QPointF(x - radius * 0.4, y - radius * 0.8))
            pins.append(pin)
        self._host.set_overlay(self.NAME, pins)
        self._items = pins

    @property
    def count(self) -> int:
        return len(self._items)


class ChangesOverlay:
    """Frames around what changed since the last review: added, changed, removed."""

    COLORS = {"added": "#3cd070", "changed": "#f0a030", "removed": "#f04040"}
    WORDS = {
        "added": QT_TRANSLATE_NOOP("ChangesOverlay", "added"),
        "changed": QT_TRANSLATE_NOOP("ChangesOverlay", "changed"),
        "removed": QT_TRANSLATE_NOOP("ChangesOverlay", "removed"),
    }
    NAME = "changes"

    def __init__(self, host: OverlayHost) -> None:
        self._host = host
        self._items: list[QGraphicsItem] = []
        self.counts: dict[str, int] = {}

    def clear(self) -> None:
        self._host.clear_overlay(self.NAME)
        self._items = []
        self.counts = {}

    def show(self, frames: Iterable[tuple[str, tuple[float, float, float, float]]]) -> None:
        self.counts = {}
        shown: list[QGraphicsItem] = []
        for kind, (x0, y0, x1, y1) in frames:
            rect = QGraphicsRectItem(QRectF(x0, y0, x1 - x0, y1 - y0))
            pen = QPen(QColor(self.COLORS[kind]), 2, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            rect.setPen(pen)
            rect.setZValue(1.5e6)
            said_kind = translate("ChangesOverlay", self.WORDS[kind])
            set_plain_tip(rect, said_kind)
            tag = QGraphicsSimpleTextItem(said_kind, rect)
            tag.setBrush(QBrush(QColor(self.COLORS[kind])))
            tag.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            tag.setPos(QPointF(x0, y1))
            shown.append(rect)
            self.counts[kind] = self.counts.get(kind, 0) + 1
        self._host.set_overlay(self.NAME, shown)
        self._items = shown
