"""The one place where errors reach the user in the GUI, and the words they are given.

limner's own errors (``LimnerError``) carry a message written for users. Anything else
that reaches the user is a fault, in limner or in what a server sent; :func:`user_message`
names it by its kind on one short line, with anything that looks like a credential
redacted, so a background failure can be shown without a traceback or a leaked key.
Message boxes show their text as plain text, since server messages and names are untrusted.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from limner.models.errors import LimnerError
from limner.sync.redact import clean_message
from limner.widgets.plain import plain_message_box

log = logging.getLogger("limner")


class AppError(LimnerError):
    """An error of the application layer (bad command line, missing display...)."""


def user_message(exc: BaseException) -> str:
    """The text a user reads about ``exc``: its own message for limner's errors, else its
    kind and a short, redacted message."""
    if isinstance(exc, LimnerError):
        return str(exc)
    detail = clean_message(str(exc), 200)
    kind = type(exc).__name__
    return f"unexpected problem ({kind}: {detail})" if detail else f"unexpected problem ({kind})"


def show_error(parent: QWidget | None, title: str, exc: BaseException | str) -> QMessageBox:
    """Show a non-blocking message box (window-modal) and log the error."""
    text = str(exc)
    log.error("%s: %s", title, text)
    box = plain_message_box(parent, title, text, icon=QMessageBox.Icon.Warning, name="errorBox")
    box.open()
    return box
