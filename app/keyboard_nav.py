"""Getting around the window with the keyboard alone.

Tab and Shift+Tab visit the panels in the order the eye reads them: the image, the image
list (search, filters, the list), the classes, the annotations, their attributes, the
status history and the conflicts, then the image again. The lists take the focus from Tab
(not only from a click), move with the arrows, and Enter in any of them hands the keys
back to the image, so choosing an image, a class or a shape ends where drawing starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QToolButton, QWidget

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class KeyboardNavigation(QObject):
    def __init__(
        self,
        canvas: QWidget,
        chain: Sequence[QWidget],
        lists: Sequence[QAbstractItemView],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._canvas = canvas
        self._lists = tuple(lists)
        for view in self._lists:
            view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            view.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
            view.installEventFilter(self)
        order = [canvas, *chain]
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)

    @classmethod
    def for_window(cls, window: Any) -> KeyboardNavigation:
        """The main window's order: the image list's search and filters, the images, the
        classes, the annotations, the history, the image tags, the suggestions, and the
        conflicts, then back to the canvas."""
        im = window.images
        lists = [im.table, window.classes.list, window.annotation_list,
                 window.workflow.history_panel, window.conflicts.list]  # fmt: skip
        chain = [im.search, im.queue_filter, im.status_filter, im.table, window.classes.list,
                 *window.classes.findChildren(QToolButton), window.annotation_list,
                 window.workflow.history_panel, *_focusable(window.tag_panel),
                 *_focusable(window.suggestion_panel), window.conflicts.list]  # fmt: skip
        return cls(window.canvas, chain, lists, window)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched in self._lists
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in ENTER_KEYS
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            self._canvas.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return False


def _focusable(panel: QWidget) -> list[QWidget]:
    """The widgets of ``panel`` that take the focus by Tab, in the order they were made."""
    return [w for w in panel.findChildren(QWidget) if w.focusPolicy() & Qt.FocusPolicy.TabFocus]


__all__ = ["KeyboardNavigation"]
