"""limner's own icons: SVG files in ``resources/icons`` drawn in ``currentColor``.

Each icon is drawn once per size and colour from its SVG text, with ``currentColor`` set
to the palette's text colour (and its disabled text colour for the disabled state), so the
same file serves the light and the dark theme and stays sharp at 1x and 2x. Call
:func:`icon` again after the palette changes to get the icon in the new colours.
"""

from __future__ import annotations

import functools
from importlib.resources import files

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

SIZES = (16, 20, 24, 32, 40, 48, 64)
"""Pixel sizes drawn: toolbar and menu sizes at device pixel ratios 1 and 2."""


@functools.cache
def svg_text(name: str) -> str | None:
    """The SVG of icon ``name``, or None when limner has no icon of that name."""
    resource = files("limner.resources") / "icons" / f"{name}.svg"
    if not resource.is_file():
        return None
    return resource.read_text(encoding="utf-8")


def has_icon(name: str) -> bool:
    return svg_text(name) is not None


@functools.lru_cache(maxsize=2048)
def _pixmap(name: str, color: str, opacity: float, size: int) -> QPixmap:
    text = svg_text(name) or ""
    renderer = QSvgRenderer(QByteArray(text.replace("currentColor", color).encode("utf-8")))
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setOpacity(opacity)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


def icon(name: str, palette: QPalette | None = None) -> QIcon:
    """Icon ``name`` in the colours of ``palette`` (the application's by default); an
    empty icon when there is no such file."""
    if svg_text(name) is None:
        return QIcon()
    palette = palette or QApplication.palette()
    normal = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    if disabled == normal:
        disabled = QColor(normal)
        disabled.setAlphaF(0.4)
    made = QIcon()
    for size in SIZES:
        made.addPixmap(_pixmap(name, normal.name(), normal.alphaF(), size))
        made.addPixmap(
            _pixmap(name, disabled.name(), disabled.alphaF(), size), QIcon.Mode.Disabled
        )
    return made


__all__ = ["SIZES", "has_icon", "icon", "svg_text"]
