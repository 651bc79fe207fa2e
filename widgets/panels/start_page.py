"""The page shown when no project is open: start something new, or pick up where you left.

It holds buttons and a list and decides nothing: each choice is a signal the application
answers (it owns the recent list, the dialogs and the windows). The recent projects are
anything with a path, a name, a thumbnail file and a line of counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from limner.widgets.i18n import translate
from limner.widgets.plain import plain_label

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


class RecentEntry(Protocol):
    path: str
    name: str
    thumbnail: str

    @property
    def missing(self) -> bool: ...

    def counts(self) -> str: ...


class StartPage(QWidget):
    newRequested = Signal()
    openRequested = Signal()
    cloneRequested = Signal()
    demoRequested = Signal()
    recentActivated = Signal(str)
    forgetRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startPage")
        title = plain_label("limner", name="startTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        title.setFont(font)
        subtitle = plain_label(
            translate("StartPage", "Label images with boxes, polygons, masks and skeletons.")
        )
        self.buttons: dict[str, QPushButton] = {}
        column = QVBoxLayout()
        for name, text, signal in (
            ("new", translate("StartPage", "New project…"), self.newRequested),
            ("open", translate("StartPage", "Open project…"), self.openRequested),
            ("clone", translate("StartPage", "Clone from server…"), self.cloneRequested),
            ("demo", translate("StartPage", "Open the demo"), self.demoRequested),
        ):
            button = QPushButton(text)
            button.setObjectName(f"start_{name}")
            button.setMinimumWidth(200)
            button.clicked.connect(signal.emit)
            column.addWidget(button)
            self.buttons[name] = button
        column.addStretch(1)
        self.recent = QListWidget()
        self.recent.setObjectName("recentList")
        self.recent.setIconSize(QSize(96, 72))
        self.recent.setSpacing(2)
        self.recent.itemActivated.connect(self._activated)
        self.recent.installEventFilter(self)
        self.empty = plain_label(
            translate("StartPage", "No recent projects yet."), name="recentEmpty"
        )
        right = QVBoxLayout()
        right.addWidget(plain_label(translate("StartPage", "Recent projects")))
        right.addWidget(self.recent, 1)
        right.addWidget(self.empty)
        body = QHBoxLayout()
        body.addLayout(column)
        body.addSpacing(24)
        body.addLayout(right, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 32, 48, 32)
        outer.addWidget(title)
        outer.addWidget(subtitle)
        outer.addSpacing(16)
        outer.addLayout(body, 1)

    def set_recent(self, entries: Sequence[RecentEntry]) -> None:
        self.recent.clear()
        for entry in entries:
            item = QListWidgetItem(f"{entry.name}\n{entry.counts()}   {entry.path}")
            item.setData(PATH_ROLE, entry.path)
            item.setToolTip(entry.path)
            if entry.thumbnail and not entry.missing:
                item.setIcon(QIcon(QPixmap(entry.thumbnail)))
            if entry.missing:
                item.setForeground(self.palette().placeholderText())
            self.recent.addItem(item)
        self.empty.setVisible(not entries)
        self.recent.setVisible(bool(entries))
        if entries:
            self.recent.setCurrentRow(0)

    def recent_paths(self) -> list[str]:
        return [str(self.recent.item(i).data(PATH_ROLE)) for i in range(self.recent.count())]

    def _activated(self, item: QListWidgetItem) -> None:
        self.recentActivated.emit(str(item.data(PATH_ROLE)))

    def eventFilter(self, watched: object, event: object) -> bool:
        """Delete forgets the highlighted recent project (the folder itself stays)."""
        if watched is self.recent and isinstance(event, QKeyEvent):
            item = self.recent.currentItem()
            if event.type() == QKeyEvent.Type.KeyPress and event.key() == Qt.Key.Key_Delete:
                if item is not None:
                    self.forgetRequested.emit(str(item.data(PATH_ROLE)))
                    return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]
