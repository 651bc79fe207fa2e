"""Text from people and servers, shown as exactly the characters it holds.

Image names, class names, attribute names and values, reviewer comments, author names,
server messages and remote titles are not limner's to trust. Qt guesses whether a string
is rich text in labels (``Qt.AutoText``), tooltips, message boxes and the labels of input
and progress dialogs, so a name such as ``<img src=x>`` or ``<a href=y>z</a>`` would be
drawn as markup: a picture, a link, a fake button in the status bar. Every view that shows
such a string goes through this module, which either tells the widget its text is plain
or turns the string into rich text that shows those very characters.

Menus are plain by nature but read ``&`` as a shortcut mark; :func:`menu_text` doubles it.
Places that use markup on purpose (a table of shortcuts, a bold heading) keep their own
tags and pass every value through :func:`escaped`.
"""

from __future__ import annotations

import html
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtText
from PySide6.QtWidgets import QInputDialog, QLabel, QMessageBox, QProgressDialog, QWidget

__all__ = [
    "ask_plain",
    "escaped",
    "make_plain",
    "menu_text",
    "plain_input_dialog",
    "plain_label",
    "plain_message_box",
    "plain_progress_dialog",
    "plain_tooltip",
    "set_plain_tip",
]


class HasToolTip(Protocol):
    """Anything with a tooltip: widgets, actions, list items, graphics items."""

    def setToolTip(self, text: str, /) -> None: ...


def escaped(text: str) -> str:
    """``text`` for the inside of markup limner writes itself: every tag character escaped."""
    return html.escape(text, quote=True)


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip that shows exactly these characters, markup and all.

    Qt has no plain-text switch for tooltips, so a text that holds a tag or entity
    character becomes rich text that says it literally (line breaks stay line breaks);
    any other text cannot be read as markup and is returned as it is.
    """
    if "<" not in text and "&" not in text:
        return text
    return QtText.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


def set_plain_tip(target: HasToolTip, text: str) -> None:
    """Give ``target`` the tooltip ``text``, shown as plain text."""
    target.setToolTip(plain_tooltip(text))


def make_plain(label: QLabel) -> QLabel:
    """Make ``label`` show its text as plain text from now on; returns it."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def plain_label(text: str = "", parent: QWidget | None = None, *, name: str = "") -> QLabel:
    """A label that never reads its text as markup."""
    label = make_plain(QLabel(parent))
    label.setText(text)
    if name:
        label.setObjectName(name)
    return label


def plain_message_box(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    icon: QMessageBox.Icon = QMessageBox.Icon.NoIcon,
    buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
    name: str = "",
) -> QMessageBox:
    """A message box (not yet shown) whose text is plain text."""
    box = QMessageBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setStandardButtons(buttons)
    if name:
        box.setObjectName(name)
    return box


def ask_plain(parent: QWidget | None, title: str, text: str, *, name: str = "") -> bool:
    """Ask a yes/no question (modal) in plain text; True when the answer is yes."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    box = plain_message_box(
        parent, title, text, icon=QMessageBox.Icon.Question, buttons=yes | no, name=name
    )
    box.setDefaultButton(no)
    return box.exec() == yes


def plain_input_dialog(parent: QWidget | None, title: str, label: str) -> QInputDialog:
    """A text input dialog (not yet shown) whose label is plain text."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)  # creates the dialog's one label
    for child in dialog.findChildren(QLabel):
        make_plain(child)
    return dialog


def plain_progress_dialog(
    text: str, cancel: str, minimum: int, maximum: int, parent: QWidget | None
) -> QProgressDialog:
    """A progress dialog whose label (``setLabelText``) shows plain text."""
    dialog = QProgressDialog(text, cancel, minimum, maximum, parent)
    dialog.setLabel(plain_label(text))
    return dialog


def menu_text(text: str) -> str:
    """``text`` for a menu entry or an action: a literal ``&`` instead of a shortcut mark."""
    return text.replace("&", "&&")
