"""Sync in the window: the status-bar indicator and the conflicts panel.

They show what the app hands them (states, counts, conflict rows, the last sync problem
and when sync tries again) and emit what the user asks for; the app talks to the sync
engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from limner.widgets.i18n import counted, translate
from limner.widgets.plain import plain_label, set_plain_tip

C = "Sync"
STATE_TEXT = {
    "never": QT_TRANSLATE_NOOP("Sync", "not synced yet"),
    "syncing": QT_TRANSLATE_NOOP("Sync", "syncing…"),
    "up_to_date": QT_TRANSLATE_NOOP("Sync", "up to date"),
    "offline": QT_TRANSLATE_NOOP("Sync", "offline"),
    "auth": QT_TRANSLATE_NOOP("Sync", "sign-in needed"),
    "tls": QT_TRANSLATE_NOOP("Sync", "TLS problem"),
    "error": QT_TRANSLATE_NOOP("Sync", "sync error"),
    "cancelled": QT_TRANSLATE_NOOP("Sync", "sync cancelled"),
}
STATE_MARK = {
    "syncing": "⟳",
    "up_to_date": "✓",
    "offline": "○",
    "auth": "⚠",
    "tls": "⚠",
    "error": "⚠",
    "cancelled": "○",
    "never": "○",
}


def state_text(state: str) -> str:
    """A sync state ("up_to_date") as the user reads it ("up to date")."""
    return translate(C, STATE_TEXT[state]) if state in STATE_TEXT else state


class SyncIndicator(QToolButton):
    """ "✓ up to date · 14:03", "○ offline · 3 pending", "⚠ 2 issues"; click for details."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncIndicator")
        self.setAutoRaise(True)
        self.state = "never"
        self.show_state("never")

    def show_state(
        self,
        state: str,
        *,
        pending: int = 0,
        last: str = "",
        issues: int = 0,
        conflicts: int = 0,
        message: str = "",
        retry_in: str = "",
    ) -> None:
        """``retry_in`` (e.g. "10 s") says when sync tries again by itself after a failure."""
        self.state = state
        parts = [f"{STATE_MARK.get(state, '')} {state_text(state)}".strip()]
        if pending:
            parts.append(translate("Sync", "{count} pending").format(count=pending))
        if conflicts:
            parts.append(
                counted(
                    conflicts,
                    translate("Sync", "{count} conflict"),
                    translate("Sync", "{count} conflicts"),
                )
            )
        if issues:
            parts.append(translate("Sync", "{count} not synced").format(count=issues))
        if last and state == "up_to_date":
            parts.append(last)
        if retry_in:
            parts.append(translate("Sync", "retrying in {delay}").format(delay=retry_in))
        self.setText(" · ".join(parts))
        set_plain_tip(self, message or translate("Sync", "Click for sync details"))


@dataclass(frozen=True, slots=True)
class ConflictRow:
    id: int
    image_id: int | None
    image_name: str
    local_key: str
    detail: str


class ConflictsPanel(QWidget):
    """Open conflicts; each can be settled as keep mine, take theirs or keep both.

    Above them, the last sync problem (a failed run and when sync tries again), hidden
    while sync works.
    """

    resolveRequested = Signal(int, str)  # conflict id, "mine" | "theirs" | "both"
    showRequested = Signal(object, str)  # image id, local key
    attentionChanged = Signal(bool)
    """There is (or no longer is) a conflict or a sync problem to show."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictsPanel")
        self.list = QListWidget()
        self.list.setObjectName("conflictList")
        self.list.itemActivated.connect(self._show)
        self.list.currentItemChanged.connect(lambda item, _prev: self._show(item))
        self.mine = QPushButton(translate("Sync", "Keep mine"))
        self.theirs = QPushButton(translate("Sync", "Take theirs"))
        self.both = QPushButton(translate("Sync", "Keep both"))
        self.mine.clicked.connect(lambda: self._resolve("mine"))
        self.theirs.clicked.connect(lambda: self._resolve("theirs"))
        self.both.clicked.connect(lambda: self._resolve("both"))
        self.empty = plain_label(translate("Sync", "No conflicts."))
        self.problem = plain_label(name="syncProblem")  # a server's words, never markup
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.hide()
        buttons = QHBoxLayout()
        for b in (self.mine, self.theirs, self.both):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.problem)
        layout.addWidget(self.empty)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self._rows: list[ConflictRow] = []
        self.set_rows([])

    def set_rows(self, rows: Sequence[ConflictRow]) -> None:
        self._rows = list(rows)
        self.list.blockSignals(True)
        self.list.clear()
        for row in self._rows:
            item = QListWidgetItem(f"{row.image_name}: {row.detail}")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            set_plain_tip(item, row.local_key)
            self.list.addItem(item)
        self.list.blockSignals(False)
        has = bool(self._rows)
        self.empty.setVisible(not has)
        for b in (self.mine, self.theirs, self.both):
            b.setEnabled(has)
        if has:
            self.list.setCurrentRow(0)
        self.attentionChanged.emit(self.needs_attention)

    @property
    def needs_attention(self) -> bool:
        return bool(self._rows) or bool(self.problem.text())

    def show_problem(self, text: str) -> None:
        """Show the last sync problem; an empty text hides it."""
        self.problem.setText(f"⚠ {text}" if text else "")
        self.problem.setVisible(bool(text))
        self.attentionChanged.emit(self.needs_attention)

    def _current(self) -> ConflictRow | None:
        item = self.list.currentItem()
        if item is None:
            return None
        wanted = item.data(Qt.ItemDataRole.UserRole)
        return next((r for r in self._rows if r.id == wanted), None)

    def _resolve(self, choice: str) -> None:
        row = self._current()
        if row is not None:
            self.resolveRequested.emit(row.id, choice)

    def _show(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        row = self._current()
        if row is not None:
            self.showRequested.emit(row.image_id, row.local_key)
