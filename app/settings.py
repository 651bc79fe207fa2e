"""Where limner keeps what belongs to the user rather than to a project.

Preferences, the recent projects and the window layout live in one QSettings file per user
(``~/.config/limner/limner.conf`` on Linux); the demo project and thumbnails in the user's
data and cache folders. Every reader and writer goes through :func:`app_settings`, so tests
can point the whole application at a temporary folder with ``QSettings.setPath``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

ORGANIZATION = "limner"
APPLICATION = "limner"


def app_settings() -> QSettings:
    """The user's settings file (native format: an INI file on Linux)."""
    return QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope,
                     ORGANIZATION, APPLICATION)  # fmt: skip


def data_folder() -> Path:
    """Projects limner makes for the user itself (the demo) live here."""
    from platformdirs import user_data_path

    return user_data_path("limner", appauthor=False)


def cache_folder() -> Path:
    """Decoded tiles and project thumbnails: anything here can be made again."""
    from platformdirs import user_cache_path

    return user_cache_path("limner", appauthor=False)


def default_demo_path() -> Path:
    return data_folder() / "demo"


__all__ = ["app_settings", "cache_folder", "data_folder", "default_demo_path"]
