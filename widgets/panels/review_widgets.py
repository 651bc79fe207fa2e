"""Review workflow views: status history, the reviewer's feedback banner, progress chart,
remark pins and the "changes since last review" overlay on the canvas.

The two canvas overlays never add items to the scene themselves: they hand them, under a
name, to the canvas's overlay host (the owner of the canvas items), which shows them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPaintEvent, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QDialog,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from limner.models.workflow.review import Remark, StatusChange
from limner.widgets.palette_colors import STATUS_HUES, banner_colors, status_color
from limner.widgets.plain import escaped, make_plain, plain_label, set_plain_tip

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
            text = f"{when} · {step.actor} · {step.from_status} → {step.to_status}"
            if step.comment:
                text += f" · “{step.comment}”"
            self.addItem(text)
        if not steps:
            self.addItem("No status changes yet.")


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
            set_plain_tip(rect, kind)
            tag = QGraphicsSimpleTextItem(kind, rect)
            tag.setBrush(QBrush(QColor(self.COLORS[kind])))
            tag.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            tag.setPos(QPointF(x0, y1))
            shown.append(rect)
            self.counts[kind] = self.counts.get(kind, 0) + 1
        self._host.set_overlay(self.NAME, shown)
        self._items = shown


class BarChart(QWidget):
    """Horizontal bars, one per label, colored per status when the label is one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, int]] = []
        self.setMinimumHeight(60)

    def set_rows(self, rows: Sequence[tuple[str, int]]) -> None:
        self._rows = list(rows)
        self.setMinimumHeight(22 * max(1, len(self._rows)) + 8)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setFont(QFont(self.font().family(), 9))
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        top = max((n for _, n in self._rows), default=0) or 1
        label_w = 110
        bar_w = max(10, self.width() - label_w - 60)
        for i, (label, count) in enumerate(self._rows):
            y = 4 + i * 22
            painter.setPen(text)
            painter.drawText(QRectF(0, y, label_w - 6, 18), Qt.AlignmentFlag.AlignRight, label)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(status_color(label, palette))
            painter.drawRect(QRectF(label_w, y + 2, bar_w * count / top, 14))
            painter.setPen(text)
            painter.drawText(QRectF(label_w + bar_w * count / top + 4, y, 50, 18), str(count))
        painter.end()


class ProgressDialog(QDialog):
    """Counts by status and by annotator, for the project and each queue."""

    def __init__(
        self,
        sections: Sequence[tuple[str, Mapping[str, int], Mapping[str, int]]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("progressDialog")
        self.setWindowTitle("Progress")
        layout = QVBoxLayout(self)
        self.charts: dict[str, tuple[BarChart, BarChart]] = {}
        for title, by_status, by_annotator in sections:
            total = sum(by_status.values())
            done = by_status.get("approved", 0)
            heading = QLabel(f"<b>{escaped(title)}</b> — {total} images, {done} approved")
            heading.setTextFormat(Qt.TextFormat.RichText)
            layout.addWidget(heading)
            status_chart = BarChart()
            status_chart.set_rows(
                sorted(
                    by_status.items(),
                    key=lambda kv: (
                        list(STATUS_COLORS).index(kv[0]) if kv[0] in STATUS_COLORS else 99
                    ),
                )
            )
            layout.addWidget(status_chart)
            people = BarChart()
            people.set_rows([(name or "(nobody)", n) for name, n in sorted(by_annotator.items())])
            layout.addWidget(plain_label("by annotator"))
            layout.addWidget(people)
            self.charts[title] = (status_chart, people)
        self.resize(520, min(900, 160 + 120 * len(sections)))
