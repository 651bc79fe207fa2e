"""The commands behind the Edit menu and the panels, built from the shapes they act on.

Each function takes the records the user acted on (usually the selection) and returns the
one command that does it, or None when it would change nothing, so an empty action never
lands in the undo history. None of them commits: the editing session does, and selects
what the command names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from limner.models.domain.attributes import coerce_attributes, parse_schema
from limner.models.domain.entities import Annotation, LabelClass
from limner.models.domain.geometry import Polygon
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.commands import DeleteAnnotations, EditAnnotations
from limner.models.imaging.mask_ops import simplify_polygon

__all__ = [
    "attributes_command",
    "change_class_command",
    "delete_command",
    "flag_command",
    "show_all_command",
    "simplify_command",
    "z_order_command",
]


def _edit(
    text: str,
    changes: Iterable[tuple[Annotation, Mapping[str, Any]]],
    select: Iterable[str] | None = None,
) -> EditAnnotations | None:
    command = EditAnnotations.from_records(text, changes, select=select)
    return command if command.edits else None


def change_class_command(targets: Sequence[Annotation], class_id: int) -> EditAnnotations | None:
    return _edit("Change class", [(a, {"class_id": class_id}) for a in targets])


def delete_command(targets: Sequence[Annotation], image_id: int) -> DeleteAnnotations | None:
    if not targets:
        return None
    uuids = tuple(a.uuid for a in targets)
    text = (
        QT_TRANSLATE_NOOP("Commands", "Delete annotation")
        if len(uuids) == 1
        else QT_TRANSLATE_NOOP("Commands", "Delete {count} annotations").format(count=len(uuids))
    )
    return DeleteAnnotations(uuids, on_image=image_id, text=text)


def z_order_command(
    chosen: Sequence[Annotation], others: Iterable[int], to_front: bool
) -> EditAnnotations | None:
    """Move ``chosen`` above (or below) every other shape, keeping their own order.

    ``others`` are the z values of the shapes not chosen.
    """
    if not chosen:
        return None
    rest = list(others)
    if to_front:
        start = max(rest, default=-1) + 1
    else:
        start = min(rest, default=len(chosen)) - len(chosen)
    ordered = sorted(chosen, key=lambda a: a.z)
    changes = [(a, {"z": start + i}) for i, a in enumerate(ordered)]
    return _edit("Bring to front" if to_front else "Send to back", changes)


def flag_command(chosen: Sequence[Annotation], flag: str) -> EditAnnotations | None:
    """Hide or lock ``chosen`` (``flag`` "hidden" or "locked"); or show/unlock them when
    all have it already. Hidden shapes cannot stay selected, so hiding clears the selection.
    """
    if not chosen:
        return None
    value = not all(getattr(a, flag) for a in chosen)
    names = {
        "hidden": (QT_TRANSLATE_NOOP("Commands", "Hide"), QT_TRANSLATE_NOOP("Commands", "Show")),
        "locked": (QT_TRANSLATE_NOOP("Commands", "Lock"), QT_TRANSLATE_NOOP("Commands", "Unlock")),
    }[flag]
    text = names[0] if value else names[1]
    select = () if value and flag == "hidden" else None
    return _edit(text, [(a, {flag: value}) for a in chosen], select=select)


def attributes_command(
    annotation: Annotation, label_class: LabelClass | None, values: Mapping[str, Any]
) -> EditAnnotations | None:
    """New attribute values for one shape, checked against its class's schema.

    Raises ``SchemaError`` when a value does not fit the schema.
    """
    schema = parse_schema(label_class.attribute_schema) if label_class else ()
    clean = coerce_attributes(schema, dict(values))
    return _edit("Edit attributes", [(annotation, {"attributes": clean})])


def simplify_command(chosen: Sequence[Annotation], tolerance: float) -> EditAnnotations | None:
    """Douglas–Peucker on the polygons among ``chosen``; one undo step."""
    polygons = [a for a in chosen if isinstance(a.geometry, Polygon)]
    changes = [(a, {"geometry": simplify_polygon(a.geometry, tolerance)}) for a in polygons]
    return _edit("Simplify polygon", changes)


def show_all_command(shapes: Iterable[Annotation]) -> EditAnnotations | None:
    return _edit("Show all", [(a, {"hidden": False}) for a in shapes if a.hidden])
