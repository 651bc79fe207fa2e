"""The limner classes a Label Studio label config gives, with their names made unique.

One class per (geometry control, label); for ``KeyPointLabels`` one keypoints class
named after the control (its labels are the skeleton's points) and one point class per
label; one tag class per whole-image ``Choices``, ``TextArea``, ``Rating`` or ``Number``,
named after the control. When the same name occurs twice (a "Car" box and a "Car"
polygon) the first, in document order, keeps the plain name and the later ones get the
kind appended, "Car (polygon)"; when that is taken, or when the earlier class has the
same kind (two RectangleLabels with "Car"), the control name too: "Car (box, bbox2)". The
first keeps its name so that adding a control to a project does not rename its classes.
Per-region ``Choices`` (single: ``choice``, multiple: ``multi``), ``TextArea`` (``text``)
and ``Number`` (``number``) become attributes of every class they apply to
(``whenTagName`` / ``whenLabelValue`` restrict them, as in Label Studio).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from limner.sync.adapters.labelstudio_controls import ATTRIBUTE_CONTROLS, LSClassSpec, LSControl

__all__ = ["classes_of"]


def classes_of(controls: Sequence[LSControl]) -> list[LSClassSpec]:
    """Every class of ``controls``, in document order (the same config, the same names)."""
    taken: set[str] = set()
    kinds_of: dict[str, set[str]] = {}  # base name -> kinds already using it
    out: list[LSClassSpec] = []
    for control in controls:
        for base, kind, label, color in _entries(control):
            same_kind = kind in kinds_of.get(base, set())
            name = _unique_name(base, kind, control.name, taken, same_kind)
            taken.add(name)
            kinds_of.setdefault(base, set()).add(kind)
            out.append(
                LSClassSpec(
                    name=name,
                    kind=kind,
                    color=color,
                    attribute_schema=_attribute_schema(controls, control, label)
                    if kind != "tag"
                    else (),
                    skeleton={"names": list(control.labels), "edges": []}
                    if kind == "keypoints"
                    else None,
                    tag=_tag_spec(control) if kind == "tag" else None,
                    control_name=control.name,
                    label=label,
                    to_name=control.to_name,
                    control_type=control.type,
                )
            )
    return out


def _entries(control: LSControl) -> list[tuple[str, str, str | None, str | None]]:
    """(base name, kind, label, color) of each class one control gives."""
    if control.tags_image:
        if control.type == "choices" and not control.options:
            return []
        return [(control.name, "tag", None, None)]
    kind = control.kind
    if kind is None or not control.labels:
        return []
    pairs = list(zip(control.labels, control.label_colors, strict=True))
    if kind != "keypoints":
        return [(label, kind, label, color) for label, color in pairs]
    skeleton = (control.name, kind, None, _first_color(control.label_colors))
    return [skeleton, *[(label, "point", label, color) for label, color in pairs]]


def _tag_spec(control: LSControl) -> dict[str, Any]:
    if control.type == "choices":
        mode = "multiple" if control.choice == "multiple" else "single"
        return {"mode": mode, "options": list(control.options)}
    if control.type == "textarea":
        return {"mode": "text"}
    spec: dict[str, Any] = {"mode": "number"}
    if control.minimum is not None:
        spec["minimum"] = control.minimum
    if control.maximum is not None:
        spec["maximum"] = control.maximum
    return spec


def _attribute_schema(
    controls: Sequence[LSControl], owner: LSControl, label: str | None
) -> tuple[dict[str, Any], ...]:
    """The per-region controls that apply to regions of ``owner`` labeled ``label``."""
    labels = owner.labels if label is None else (label,)
    schema: list[dict[str, Any]] = []
    for control in controls:
        if not control.per_region or control.type not in ATTRIBUTE_CONTROLS:
            continue
        if control.when_tag_name is not None and control.when_tag_name != owner.name:
            continue
        if control.when_label_value and not set(labels) & set(control.when_label_value):
            continue
        if control.type == "choices":
            kind = "multi" if control.choice == "multiple" else "choice"
            schema.append({"name": control.name, "type": kind, "options": list(control.options)})
        elif control.type == "textarea":
            schema.append({"name": control.name, "type": "text", "options": []})
        else:
            schema.append({"name": control.name, "type": "number", "options": []})
    return tuple(schema)


def _first_color(colors: Iterable[str | None]) -> str | None:
    return next((color for color in colors if color), None)


def _unique_name(base: str, kind: str, control: str, taken: set[str], same_kind: bool) -> str:
    """``base``, else ``base (kind)``, else ``base (kind, control)``, else numbered.

    ``base (kind)`` is skipped when a class of the same kind already has the name (two
    RectangleLabels controls both with "Car"): it would not say which one is meant.
    """
    candidates = [base, f"{base} ({kind}, {control})"]
    if not same_kind:
        candidates.insert(1, f"{base} ({kind})")
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{base} ({kind}, {control}) {number}" in taken:
        number += 1
    return f"{base} ({kind}, {control}) {number}"
