"""The one place where errors reach the user in the GUI."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from models.errors import LimnerError

log = logging.getLogger("limner")


class AppError(LimnerError):
    """An error of the application layer (bad command line, missing display...)."""


def show_error(parent: QWidget | None, title: str, exc: BaseException | str) -> QMessageBox:
    """Show a non-blocking message box (window-modal) and log the error."""
    text = str(exc)
    log.error("%s: %s", title, text)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    box.setObjectName("errorBox")
    box.open()
    return box
