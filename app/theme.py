"""Light and dark: the application palette, following the desktop or the user's choice.

limner draws with the Fusion style and sets the palette itself, so light and dark look the
same on every desktop and under the offscreen platform of the screenshots. "Follow the
system" asks Qt for the desktop's colour scheme and follows when it changes. Widgets take
every colour of text, charts and banners from the palette, so they change with it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from limner.app.preferences import Preferences, apply_author

_DARK = {
    QPalette.ColorRole.Window: "#2b2d30",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1f2023",
    QPalette.ColorRole.AlternateBase: "#2b2d30",
    QPalette.ColorRole.ToolTipBase: "#3a3c40",
    QPalette.ColorRole.ToolTipText: "#f0f0f0",
    QPalette.ColorRole.PlaceholderText: "#8c8c8c",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#36383c",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Light: "#4a4c50",
    QPalette.ColorRole.Midlight: "#404246",
    QPalette.ColorRole.Mid: "#2f3134",
    QPalette.ColorRole.Dark: "#1a1b1d",
    QPalette.ColorRole.Shadow: "#000000",
    QPalette.ColorRole.Highlight: "#3d7dd8",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#78aef5",
    QPalette.ColorRole.LinkVisited: "#b08ef0",
}
_DARK_DISABLED = "#7a7a7a"


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in _DARK.items():
        palette.setColor(role, QColor(color))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DARK_DISABLED))
    return palette


def system_is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def is_dark(theme: str) -> bool:
    return theme == "dark" or (theme == "system" and system_is_dark())


def apply_theme(app: QApplication, theme: str) -> None:
    """Fusion with a light or a dark palette, as ``theme`` (system, light, dark) says."""
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None and app.style().name().lower() != "fusion":
        app.setStyle(fusion)
    dark = is_dark(theme)
    app.setPalette(dark_palette() if dark else app.style().standardPalette())
    app.setProperty("limnerTheme", theme)


def apply_preferences(app: QApplication, prefs: Preferences | None = None) -> Preferences:
    """The application-wide preferences: the theme and the author name."""
    prefs = prefs or Preferences.load()
    apply_theme(app, prefs.theme)
    apply_author(prefs)
    if not app.property("limnerFollowsScheme"):
        app.setProperty("limnerFollowsScheme", True)
        QGuiApplication.styleHints().colorSchemeChanged.connect(
            lambda _scheme: _scheme_changed(app)
        )
    return prefs


def _scheme_changed(app: QApplication) -> None:
    if app.property("limnerTheme") == "system":
        apply_theme(app, "system")


__all__ = ["apply_preferences", "apply_theme", "dark_palette", "is_dark", "system_is_dark"]
