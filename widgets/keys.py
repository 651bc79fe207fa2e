"""Names of keys as the Qt-free tools know them ("Enter", "Backspace", "[", "X"...)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent

_NAMED = {
    Qt.Key.Key_Return: "Enter",
    Qt.Key.Key_Enter: "Enter",
    Qt.Key.Key_Backspace: "Backspace",
    Qt.Key.Key_Delete: "Delete",
    Qt.Key.Key_Escape: "Escape",
    Qt.Key.Key_Tab: "Tab",
    Qt.Key.Key_BracketLeft: "[",
    Qt.Key.Key_BracketRight: "]",
}


def key_name(event: QKeyEvent) -> str | None:
    """The tool-facing name of a key press without Ctrl/Alt/Meta, or None."""
    mods = event.modifiers() & ~(
        Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
    )
    if mods:
        return None
    key = Qt.Key(event.key())
    if key in _NAMED:
        return _NAMED[key]
    if Qt.Key.Key_A <= key <= Qt.Key.Key_Z:
        return chr(int(key)).upper()
    return None
