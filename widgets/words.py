"""The words of limner's own vocabulary as the user reads them: statuses, shape kinds, tag
modes.

The store and the formats keep these as fixed English keys (``in_progress``, ``keypoints``);
every view that shows one names it through this module, so an image's status reads the
same in the list, the history, the charts and the export dialog, in every language. A key
limner does not know (a newer project, a server's own status) is shown as it is.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from limner.widgets.i18n import translate

__all__ = ["kind_name", "role_name", "status_name", "tag_mode_name"]

_STATUSES = {
    "new": QT_TRANSLATE_NOOP("Words", "new"),
    "in_progress": QT_TRANSLATE_NOOP("Words", "in progress"),
    "submitted": QT_TRANSLATE_NOOP("Words", "submitted"),
    "approved": QT_TRANSLATE_NOOP("Words", "approved"),
    "rejected": QT_TRANSLATE_NOOP("Words", "rejected"),
    "skipped": QT_TRANSLATE_NOOP("Words", "skipped"),
    "unreadable": QT_TRANSLATE_NOOP("Words", "unreadable"),
}
_KINDS = {
    "any": QT_TRANSLATE_NOOP("Words", "any"),
    "box": QT_TRANSLATE_NOOP("Words", "box"),
    "rotated box": QT_TRANSLATE_NOOP("Words", "rotated box"),
    "polygon": QT_TRANSLATE_NOOP("Words", "polygon"),
    "mask": QT_TRANSLATE_NOOP("Words", "mask"),
    "keypoints": QT_TRANSLATE_NOOP("Words", "keypoints"),
    "skeleton": QT_TRANSLATE_NOOP("Words", "skeleton"),
    "polyline": QT_TRANSLATE_NOOP("Words", "polyline"),
    "point": QT_TRANSLATE_NOOP("Words", "point"),
    "ellipse": QT_TRANSLATE_NOOP("Words", "ellipse"),
    "tag": QT_TRANSLATE_NOOP("Words", "tag"),
}
_ROLES = {
    "annotate": QT_TRANSLATE_NOOP("Words", "annotate"),
    "review": QT_TRANSLATE_NOOP("Words", "review"),
}
_TAG_MODES = {
    "single": QT_TRANSLATE_NOOP("Words", "one choice"),
    "multiple": QT_TRANSLATE_NOOP("Words", "several choices"),
    "text": QT_TRANSLATE_NOOP("Words", "free text"),
    "number": QT_TRANSLATE_NOOP("Words", "a number"),
}


def status_name(status: str) -> str:
    """``in_progress`` as "in progress" in the user's language."""
    return translate("Words", _STATUSES[status]) if status in _STATUSES else status


def kind_name(kind: str) -> str:
    """A class kind or a shape kind as the lists show it ("rotated box", "skeleton")."""
    return translate("Words", _KINDS[kind]) if kind in _KINDS else kind


def role_name(role: str) -> str:
    """A queue's role: "annotate" or "review"."""
    return translate("Words", _ROLES[role]) if role in _ROLES else role


def tag_mode_name(mode: str) -> str:
    """How a tag class is answered ("one choice", "free text"...)."""
    return translate("Words", _TAG_MODES[mode]) if mode in _TAG_MODES else mode
