"""The look of the application: the user's theme preference applied to the palette."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication


def apply_preferences(app: QApplication) -> None:
    """Apply what the user chose in Preferences (nothing yet beyond Qt's defaults)."""
    del app


__all__ = ["apply_preferences"]
