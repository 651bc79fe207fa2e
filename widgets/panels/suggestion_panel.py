"""The list of the open image's suggestions: review them one by one, or all above a score.

Enter accepts the current row and Delete rejects it (the next row becomes current, so a
run of Enter and Delete walks the list); "Accept ≥" takes every suggestion scoring at
least the threshold in one undo step. The panel only asks: the window's controller turns
the requests into commands.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from limner.models.domain.geometry import Tag
from limner.models.store.suggestions import Suggestion
from limner.widgets.i18n import counted, translate
from limner.widgets.plain import plain_label

_OWN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Delete, Qt.Key.Key_Backspace)


class _Rows(QListWidget):
    accept_current = Signal()
    reject_current = Signal()

    def event(self, event: QEvent) -> bool:
        # Enter and Delete are the window's shortcuts too (submit, delete the selection);
        # with the list focused they must decide the suggestion, never delete a shape.
        if event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if event.key() in _OWN_KEYS and not event.modifiers():
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept_current.emit()
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.reject_current.emit()
        else:
            super().keyPressEvent(event)


class SuggestionPanel(QWidget):
    acceptRequested = Signal(list)  # uuids
    rejectRequested = Signal(list)  # uuids
    acceptAboveRequested = Signal(float)
    currentChanged = Signal(str)  # "" when none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = _Rows(self)
        self.rows.setObjectName("suggestionRows")
        self.summary = plain_label("", name="suggestionSummary")
        self.threshold = QDoubleSpinBox(self)
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setValue(0.5)
        self.accept_button = QPushButton(translate("SuggestionPanel", "Accept"), self)
        self.reject_button = QPushButton(translate("SuggestionPanel", "Reject"), self)
        self.accept_above = QPushButton(translate("SuggestionPanel", "Accept ≥"), self)
        buttons = QHBoxLayout()
        for widget in (self.accept_button, self.reject_button, self.accept_above, self.threshold):
            buttons.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.rows)
        layout.addLayout(buttons)
        self.rows.accept_current.connect(self._accept)
        self.rows.reject_current.connect(self._reject)
        self.accept_button.clicked.connect(self._accept)
        self.reject_button.clicked.connect(self._reject)
        self.accept_above.clicked.connect(
            lambda: self.acceptAboveRequested.emit(self.threshold.value())
        )
        self.rows.currentRowChanged.connect(lambda _row: self.currentChanged.emit(self.current()))

    def set_suggestions(self, items: Sequence[Suggestion]) -> None:
        keep = self.current()
        self.rows.blockSignals(True)
        self.rows.clear()
        for item in items:
            score = f"{item.score:.2f}" if item.score is not None else "–"
            what = item.label or translate("SuggestionPanel", "unlabeled")
            if isinstance(item.geometry, Tag):  # an answer about the image: say which
                value = item.geometry.value
                what += f" = {', '.join(value) if isinstance(value, tuple) else value}"
            row = QListWidgetItem(f"{what} · {score} · {item.source}")
            row.setData(Qt.ItemDataRole.UserRole, item.uuid)
            self.rows.addItem(row)
        uuids = [i.uuid for i in items]
        self.rows.setCurrentRow(uuids.index(keep) if keep in uuids else (0 if uuids else -1))
        self.rows.blockSignals(False)
        self.summary.setText(
            counted(
                len(items),
                translate("SuggestionPanel", "{count} suggestion open"),
                translate("SuggestionPanel", "{count} suggestions open"),
            )
        )
        self.currentChanged.emit(self.current())

    def current(self) -> str:
        row = self.rows.currentItem()
        return str(row.data(Qt.ItemDataRole.UserRole)) if row is not None else ""

    def _accept(self) -> None:
        if self.current():
            self._advance(self.acceptRequested)

    def _reject(self) -> None:
        if self.current():
            self._advance(self.rejectRequested)

    def _advance(self, signal: Signal) -> None:
        """Make the next row current before asking, so the list walks on."""
        uuid, row = self.current(), self.rows.currentRow()
        nxt = self.rows.item(row + 1)
        if nxt is not None:
            self.rows.setCurrentRow(row + 1)
        signal.emit([uuid])  # type: ignore[attr-defined]
