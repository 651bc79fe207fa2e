"""The one place where errors reach the user in the GUI, and the words they are given.

limner's own errors (``LimnerError``) carry a message written for users. Anything else
that reaches the user is a fault, in limner or in what a server sent; :func:`user_message`
names it by its kind on one short line, with anything that looks like a credential
redacted, so a background failure can be shown without a traceback or a leaked key.

A full disk is the one error whose words are not the store's: the user is told that the
project could not be saved and how much room is left where it lives and, when an edit
failed (:func:`show_failure`), that the edit just made is not there: the store kept
nothing of it, and the views show the store. Message boxes show their text as plain
text, since server messages and names are untrusted.

The frame of a message (its title, the sentence around a full disk) is said in the user's
language; an error's own words are shown as they are: they come from the core, a server or
the operating system, and often name files, values and lines that a translation would have
to leave in place anyway.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from limner.models.errors import DiskFullError, LimnerError
from limner.sync.redact import clean_message
from limner.widgets.i18n import counted, translate
from limner.widgets.plain import plain_message_box

log = logging.getLogger("limner")


class AppError(LimnerError):
    """An error of the application layer (bad command line, missing display...)."""


def byte_count(size: int) -> str:
    """``size`` bytes in the unit a person reads: "512 bytes", "4.0 KB", "1.2 GB"."""
    if size < 1024:
        return counted(
            size, translate("Errors", "{count} byte"), translate("Errors", "{count} bytes")
        )
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            break
    return f"{value:.1f} {unit}"


def free_space(folder: Path) -> str:
    """How much room is left on the disk holding ``folder`` ("12.0 KB free"), or, when the
    disk cannot say, "no room left"."""
    try:
        free = byte_count(shutil.disk_usage(folder).free)
    except OSError:
        return translate("Errors", "no room left")
    return translate("Errors", "{size} free").format(size=free)


def user_message(exc: BaseException) -> str:
    """The text a user reads about ``exc``: its own message for limner's errors, else its
    kind and a short, redacted message."""
    if isinstance(exc, DiskFullError):
        return translate(
            "Errors", "The project could not be saved: the disk is full ({free})."
        ).format(free=free_space(exc.folder))
    if isinstance(exc, LimnerError):
        return str(exc)
    detail = clean_message(str(exc), 200)
    kind = type(exc).__name__
    if detail:
        problem = translate("Errors", "unexpected problem ({kind}: {detail})")
        return problem.format(kind=kind, detail=detail)
    return translate("Errors", "unexpected problem ({kind})").format(kind=kind)


def show_error(parent: QWidget | None, title: str, exc: BaseException | str) -> QMessageBox:
    """Show a non-blocking message box (window-modal) and log the error."""
    text = user_message(exc) if isinstance(exc, DiskFullError) else str(exc)
    log.error("%s: %s", title, text)
    box = plain_message_box(parent, title, text, icon=QMessageBox.Icon.Warning, name="errorBox")
    box.open()
    return box


def show_failure(
    parent: QWidget | None, title: str, message: str, error: BaseException | None
) -> QMessageBox:
    """Show why an edit (or a read) of the editing session was not done.

    The session's own ``message`` is shown, except for a full disk: then the user reads
    how much room is left and that the edit is not there.
    """
    if isinstance(error, DiskFullError):
        message = translate("Errors", "{problem} Your last edit was not made.").format(
            problem=user_message(error)
        )
    return show_error(parent, title, message)
