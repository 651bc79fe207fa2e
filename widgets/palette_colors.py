"""Colours that mean something (a status, an error, a rejection) made readable on the
current palette, light or dark.

A status keeps its hue in both themes, so "approved" is green everywhere; only its
lightness moves, towards light on a dark window and towards dark on a light one, far
enough from the background for text drawn in it to read. Plain text and chart labels use
the palette's own roles directly.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

STATUS_HUES = {
    "new": "#9e9e9e",
    "in_progress": "#4a90d9",
    "submitted": "#d9a441",
    "approved": "#4caf50",
    "rejected": "#e05555",
    "skipped": "#888888",
}
ERROR_HUE = "#e05555"


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def readable(color: QColor | str, palette: QPalette) -> QColor:
    """``color`` with its lightness moved well away from the window's."""
    c = QColor(color)
    h, s, lightness, a = c.getHsl()
    if is_dark(palette):
        lightness = max(lightness, 150)
    else:
        lightness = min(lightness, 115)
    return QColor.fromHsl(max(h, 0), s, lightness, a)


def status_color(status: str, palette: QPalette) -> QColor:
    return readable(STATUS_HUES.get(status, palette.color(QPalette.ColorRole.Highlight)), palette)


def error_color(palette: QPalette) -> QColor:
    return readable(ERROR_HUE, palette)


def banner_colors(palette: QPalette) -> tuple[QColor, QColor]:
    """(background, text) of a warning banner: a deep red in both themes, with the text
    that reads on it."""
    background = QColor(150, 32, 32, 235) if not is_dark(palette) else QColor(120, 28, 28, 240)
    return background, QColor("#ffffff")


__all__ = ["STATUS_HUES", "banner_colors", "error_color", "is_dark", "readable", "status_color"]
