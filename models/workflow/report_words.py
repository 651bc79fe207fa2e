"""Counted nouns of the import and export reports ("1 image", "3 shapes", "2 losses"), as
phrases the window says in the user's language and the command line prints in English."""

from __future__ import annotations

from limner.models.domain.phrases import QT_TRANSLATE_NOOP, counted

__all__ = ["images_count", "losses_count", "shapes_count"]


def images_count(count: int) -> str:
    return counted(
        count,
        QT_TRANSLATE_NOOP("Reports", "{count} image"),
        QT_TRANSLATE_NOOP("Reports", "{count} images"),
    )


def shapes_count(count: int) -> str:
    return counted(
        count,
        QT_TRANSLATE_NOOP("Reports", "{count} shape"),
        QT_TRANSLATE_NOOP("Reports", "{count} shapes"),
    )


def losses_count(count: int) -> str:
    return counted(
        count,
        QT_TRANSLATE_NOOP("Reports", "{count} loss"),
        QT_TRANSLATE_NOOP("Reports", "{count} losses"),
    )
