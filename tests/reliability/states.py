"""One short fingerprint of an annotation's state, computed alike on both sides of a kill.

The editing child announces, for every annotation a command touches, the state that
annotation must have once the command has committed; after the kill the parent reads the
rows back and computes the same fingerprint from them. Both sides reduce the shape to its
JSON form first, so a difference means a different shape, class or liveness, never a
different spelling of the same one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

DELETED = "deleted"


def live_state(class_id: int | None, geometry_json: Mapping[str, Any]) -> str:
    """The fingerprint of a live annotation of ``class_id`` with this shape."""
    text = json.dumps(
        {"class": class_id, "shape": geometry_json}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def row_state(deleted: int, class_id: int | None, geometry_text: str) -> str:
    """The fingerprint of an ``annotation`` row as SQLite holds it."""
    if deleted:
        return DELETED
    return live_state(class_id, json.loads(geometry_text))
