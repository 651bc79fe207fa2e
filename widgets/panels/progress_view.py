"""The Progress view: counts by status and annotator for the project and each queue, the
class distribution, statuses per day and each annotator's pace, exportable as a PNG.

Every colour comes from the palette (text, grid) or from what it stands for (a status, a
class), made readable on the current theme, so the charts read in light and dark alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from limner.models.workflow.progress_charts import ClassCount, Throughput
from limner.widgets.i18n import counted, translate
from limner.widgets.palette_colors import STATUS_HUES, readable, status_color
from limner.widgets.plain import escaped, plain_label
from limner.widgets.words import status_name

Section = tuple[str, Mapping[str, int], Mapping[str, int]]
"""(title, images by status, images by annotator)."""


class BarChart(QWidget):
    """Horizontal bars, one per label: coloured per status when the label is one, or by
    the colour given for the row (a class)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, int]] = []
        self._colors: Mapping[str, str] = {}
        self._shown: Callable[[str], str] = str
        self.setMinimumHeight(60)

    def set_rows(
        self,
        rows: Sequence[tuple[str, int]],
        colors: Mapping[str, str] | None = None,
        shown: Callable[[str], str] = str,
    ) -> None:
        """``rows`` of (label, count); ``shown`` says a label as the chart writes it (a
        status key in the user's language), the label itself picks the colour."""
        self._rows = list(rows)
        self._colors = dict(colors or {})
        self._shown = shown
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
            painter.drawText(
                QRectF(0, y, label_w - 6, 18), Qt.AlignmentFlag.AlignRight, self._shown(label)
            )
            painter.setPen(Qt.PenStyle.NoPen)
            own = self._colors.get(label)
            painter.setBrush(readable(own, palette) if own else status_color(label, palette))
            painter.drawRect(QRectF(label_w, y + 2, bar_w * count / top, 14))
            painter.setPen(text)
            painter.drawText(QRectF(label_w + bar_w * count / top + 4, y, 50, 18), str(count))
        painter.end()


class DayChart(QWidget):
    """One stacked column per day: the status moves of that day, by the status reached."""

    HEIGHT = 150

    def __init__(self, days: Mapping[str, Mapping[str, int]], parent: QWidget | None = None):
        super().__init__(parent)
        self.days = {day: dict(counts) for day, counts in days.items()}
        self.setMinimumHeight(self.HEIGHT + 40)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setFont(QFont(self.font().family(), 8))
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        statuses = [s for s in STATUS_HUES if any(s in c for c in self.days.values())]
        top = max((sum(c.values()) for c in self.days.values()), default=0) or 1
        column = max(8.0, min(40.0, (self.width() - 40) / max(1, len(self.days)) - 4))
        base = 10 + self.HEIGHT
        for i, (day, counts) in enumerate(self.days.items()):
            x, y = 30 + i * (column + 4), float(base)
            for status in statuses:
                h = self.HEIGHT * counts.get(status, 0) / top
                painter.fillRect(QRectF(x, y - h, column, h), status_color(status, palette))
                y -= h
            painter.setPen(text)
            painter.drawText(QRectF(x - 6, base + 2, column + 12, 14),
                             Qt.AlignmentFlag.AlignHCenter, day[5:])  # fmt: skip
        painter.setPen(text)
        painter.drawText(QRectF(0, 4, 28, 14), Qt.AlignmentFlag.AlignRight, str(top))
        x = 30.0
        for status in statuses:  # the legend
            painter.fillRect(QRectF(x, base + 20, 10, 10), status_color(status, palette))
            painter.drawText(QRectF(x + 14, base + 18, 90, 14), status_name(status))
            x += 100
        painter.end()


class ProgressDialog(QDialog):
    """Counts by status and annotator per section, then the project's charts."""

    def __init__(
        self,
        sections: Sequence[Section],
        parent: QWidget | None = None,
        *,
        classes: Sequence[ClassCount] = (),
        days: Mapping[str, Mapping[str, int]] | None = None,
        pace: Sequence[Throughput] = (),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("progressDialog")
        self.setWindowTitle(translate("Progress", "Progress"))
        self.content = QWidget()
        self.content.setObjectName("progressContent")
        self.content.setAutoFillBackground(True)
        layout = QVBoxLayout(self.content)
        self.charts: dict[str, tuple[BarChart, BarChart]] = {}
        for title, by_status, by_annotator in sections:
            self._section(layout, title, by_status, by_annotator)
        self.class_shapes, self.class_images = BarChart(), BarChart()
        colors = {c.name: c.color for c in classes}
        self.class_shapes.set_rows([(c.name, c.shapes) for c in classes], colors)
        self.class_images.set_rows([(c.name, c.images) for c in classes], colors)
        self.days = DayChart(days or {})
        self.pace = BarChart()
        self.pace.set_rows(
            [(t.actor or translate("Progress", "(nobody)"), t.submitted) for t in pace]
        )
        pace_text = "; ".join(
            translate("Progress", "{who}: {rate} a day over {days}").format(
                who=t.actor, rate=f"{t.per_day:.1f}", days=t.days
            )
            for t in pace
        )
        for heading, widget in (
            (translate("Progress", "Shapes per class"), self.class_shapes),
            (translate("Progress", "Images per class"), self.class_images),
            (translate("Progress", "Status moves per day"), self.days),
            (translate("Progress", "Images submitted per annotator"), self.pace),
        ):
            layout.addWidget(self._heading(heading))
            layout.addWidget(widget)
        nothing = translate("Progress", "Nothing submitted yet.")
        layout.addWidget(plain_label(pace_text or nothing, name="paceText"))
        scroll = QScrollArea()
        scroll.setWidget(self.content)
        scroll.setWidgetResizable(True)
        self.export_button = QPushButton(translate("Progress", "Export PNG…"))
        self.export_button.clicked.connect(self.ask_export)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll)
        outer.addWidget(buttons)
        self.resize(560, 760)

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(f"<b>{escaped(text)}</b>")
        label.setTextFormat(Qt.TextFormat.RichText)
        return label

    def _section(
        self,
        layout: QVBoxLayout,
        title: str,
        by_status: Mapping[str, int],
        by_annotator: Mapping[str, int],
    ) -> None:
        total, done = sum(by_status.values()), by_status.get("approved", 0)
        counts = translate("Progress", "{images}, {approved} approved").format(
            images=counted(
                total,
                translate("Progress", "{count} image"),
                translate("Progress", "{count} images"),
            ),
            approved=done,
        )
        heading = QLabel(f"<b>{escaped(title)}</b> — {escaped(counts)}")
        heading.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(heading)
        order = list(STATUS_HUES)
        status_chart = BarChart()
        status_chart.set_rows(
            sorted(by_status.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99),
            shown=status_name,
        )
        layout.addWidget(status_chart)
        people = BarChart()
        nobody = translate("Progress", "(nobody)")
        people.set_rows([(name or nobody, n) for name, n in sorted(by_annotator.items())])
        layout.addWidget(plain_label(translate("Progress", "by annotator")))
        layout.addWidget(people)
        self.charts[title] = (status_chart, people)

    def export_png(self, path: Path) -> bool:
        """Every chart in one picture, in the colours on screen."""
        image = self.content.grab()
        return image.save(str(path), "PNG")

    def ask_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            translate("Progress", "Export the charts"),
            "progress.png",
            translate("Progress", "PNG images (*.png)"),
        )
        if name:
            self.export_png(Path(name))


__all__ = ["BarChart", "DayChart", "ProgressDialog"]
