"""Asking whether a project may open very large images (above the decoder's safety limit).

Such an image opens only after the user agrees, once per project: the answer is stored
with the project, and the window re-opens the image tile by tile.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from limner.widgets.i18n import said, translate
from limner.widgets.plain import plain_message_box


def ask_allow_huge(
    parent: QWidget, name: str, reason: str, allow: Callable[[], None]
) -> QMessageBox:
    """A window-modal question about the image ``name`` (too large for ``reason``); Open
    calls ``allow``. The box is returned open, for the caller to keep."""
    box = plain_message_box(
        parent,
        translate("MainWindow", "Very large image"),
        translate(
            "MainWindow",
            "{name}: {reason}.\n\nOpen images this large in this project? limner "
            "shows them tile by tile; the choice is remembered for the project.",
        ).format(name=name, reason=said(reason)),
        icon=QMessageBox.Icon.Question,
        buttons=QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
        name="allowHugeBox",
    )
    box.accepted.connect(allow)
    box.open()
    return box


__all__ = ["ask_allow_huge"]
