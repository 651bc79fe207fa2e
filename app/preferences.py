"""The user's preferences: what they are, their defaults, and how they reach the app.

They live in the user's settings file (one per user, not per project) under
``preferences/``. :class:`Preferences` is the value read from and written to it; the
dialog edits a copy and the application applies the result: the theme and the author name
to the whole application, the language from the next start, the rest to the open project's
window (the wheel, sync, prefetch, the toolbar) and to its disk tile cache when the project
closes.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields, replace

from limner.app.settings import app_settings

GROUP = "preferences"
THEMES = ("system", "light", "dark")
LANGUAGES = ("system", "en", "de", "zh_CN")
""""system" follows the desktop's UI languages; the others name a catalogue."""
WHEEL = ("scroll", "zoom")
_AUTHOR_SET_BY_US = "_LIMNER_USER_FROM_PREFERENCES"


@dataclass(frozen=True, slots=True)
class Preferences:
    language: str = "system"
    """The language of the window, from the next start; "system" follows the desktop."""
    theme: str = "system"
    """"system" follows the desktop's light or dark scheme; "light" and "dark" insist."""
    wheel: str = "scroll"
    """"scroll": the wheel scrolls and Ctrl+wheel zooms; "zoom": the other way round."""
    sync_interval_s: int = 60
    prefetch: int = 3
    """How many images ahead are read while you work on one."""
    tile_cache_mb: int = 2048
    """Ceiling of each project's disk tile cache; the least recently used images go first."""
    author: str = ""
    """Name recorded with your edits; empty: ``LIMNER_USER`` or the login name."""
    toolbar_text: bool = False
    """Toolbar buttons show their names beside the icons."""

    @classmethod
    def load(cls) -> Preferences:
        settings = app_settings()
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = settings.value(f"{GROUP}/{f.name}")
            if raw is None:
                continue
            default = getattr(cls(), f.name)
            try:
                if isinstance(default, bool):
                    values[f.name] = str(raw).lower() in ("1", "true", "yes")
                elif isinstance(default, int):
                    values[f.name] = int(str(raw))
                else:
                    values[f.name] = str(raw)
            except ValueError:
                continue  # a hand-edited value that is not a number: keep the default
        return cls.checked(cls(**values))  # type: ignore[arg-type]

    @classmethod
    def checked(cls, prefs: Preferences) -> Preferences:
        """Out-of-range values fall back to their defaults or the nearest allowed value."""
        base = cls()
        return replace(
            prefs,
            language=prefs.language if prefs.language in LANGUAGES else base.language,
            theme=prefs.theme if prefs.theme in THEMES else base.theme,
            wheel=prefs.wheel if prefs.wheel in WHEEL else base.wheel,
            sync_interval_s=min(max(prefs.sync_interval_s, 5), 24 * 3600),
            prefetch=min(max(prefs.prefetch, 0), 20),
            tile_cache_mb=min(max(prefs.tile_cache_mb, 0), 1024 * 1024),
        )

    def save(self) -> None:
        settings = app_settings()
        for name, value in asdict(self).items():
            settings.setValue(f"{GROUP}/{name}", value)
        settings.sync()

    @property
    def tile_cache_bytes(self) -> int:
        return self.tile_cache_mb * 1024 * 1024


def apply_author(prefs: Preferences) -> None:
    """The author name goes where every edit looks for it (``LIMNER_USER``), unless the
    environment set that variable itself: an explicit variable wins over a preference."""
    ours = os.environ.get(_AUTHOR_SET_BY_US) == "1"
    if "LIMNER_USER" in os.environ and not ours:
        return
    if prefs.author.strip():
        os.environ["LIMNER_USER"] = prefs.author.strip()
        os.environ[_AUTHOR_SET_BY_US] = "1"
    elif ours:
        os.environ.pop("LIMNER_USER", None)
        os.environ.pop(_AUTHOR_SET_BY_US, None)


__all__ = ["LANGUAGES", "THEMES", "WHEEL", "Preferences", "apply_author"]
