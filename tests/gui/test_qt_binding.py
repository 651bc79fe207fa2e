"""Guards against a Qt binding that corrupts Python's reference counts.

PySide6 6.12.0 decremented the count of ``None`` each time a method returned a null
pointer; a few thousand calls later the interpreter aborted. limner calls such methods
on every repaint, so the pinned binding must not do that.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QGraphicsRectItem, QListWidget


def test_null_pointer_results_keep_none_alive(qtbot) -> None:
    item = QGraphicsRectItem()
    lst = QListWidget()
    qtbot.addWidget(lst)
    before = sys.getrefcount(None)
    for _ in range(2000):
        assert item.scene() is None
        assert item.parentItem() is None
        assert lst.currentItem() is None
    assert sys.getrefcount(None) >= before - 50
