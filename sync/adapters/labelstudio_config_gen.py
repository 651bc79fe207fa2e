"""A Label Studio label config written from limner's classes, for publishing a project.

The config is the inverse of what :func:`~limner.sync.adapters.labelstudio_config.
parse_label_config` reads: reading the generated XML back gives a class of the same name
and kind for every class written, so after publishing the engine maps each local class
onto its control by name, as it does for a cloned project. One control per geometry kind
holds the labels of that kind (a class of kind ``any`` goes to the kind its annotations
use most); keypoint classes get a ``KeyPointLabels`` control of their own named after the
class, whose labels are the skeleton's points; tag classes become whole-image
``Choices``/``TextArea``/``Number`` controls named after the class; attributes become
per-region controls shown only for the labels that have them. What cannot be written is
listed in ``GeneratedConfig.skipped`` with the reason, never dropped silently.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from limner.models.domain.entities import LabelClass

IMAGE_NAME = "image"

# limner kind -> (control tag, control name) for the controls shared by many classes.
_SHARED = {
    "box": ("RectangleLabels", "box"),
    "polygon": ("PolygonLabels", "polygon"),
    "mask": ("BrushLabels", "mask"),
    "ellipse": ("EllipseLabels", "ellipse"),
    "polyline": ("VectorLabels", "polyline"),
    "point": ("KeyPointLabels", "point"),
}
_ATTRIBUTE_TAGS = {"choice": "Choices", "multi": "Choices", "text": "TextArea", "number": "Number"}


@dataclass(slots=True)
class GeneratedConfig:
    xml: str
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (class, why)


def _kind_of(cls: LabelClass, used: Mapping[str, Mapping[str, int]]) -> str | None:
    if cls.kind != "any":
        return cls.kind
    counts = used.get(cls.name) or {}
    if not counts:
        return "box"  # a class with no annotation yet: boxes are the common case
    return max(sorted(counts), key=lambda kind: counts[kind])


def _label(parent: ET.Element, value: str, color: str | None) -> None:
    attrs = {"value": value}
    if color:
        attrs["background"] = color
    ET.SubElement(parent, "Label", attrs)


def _tag_control(view: ET.Element, cls: LabelClass) -> str | None:
    spec = cls.tag
    if spec is None:
        return "a tag class without its question"
    base = {"name": cls.name, "toName": IMAGE_NAME}
    if spec.mode in ("single", "multiple"):
        if not spec.options:
            return "a choice tag with no options"
        el = ET.SubElement(view, "Choices", {**base, "choice": spec.mode})
        for option in spec.options:
            ET.SubElement(el, "Choice", {"value": option})
    elif spec.mode == "text":
        ET.SubElement(view, "TextArea", base)
    else:
        attrs = dict(base)
        if spec.minimum is not None:
            attrs["min"] = _number(spec.minimum)
        if spec.maximum is not None:
            attrs["max"] = _number(spec.maximum)
        ET.SubElement(view, "Number", attrs)
    return None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _attribute_controls(
    view: ET.Element, owners: Sequence[tuple[str, str, LabelClass]], skipped: list
) -> None:
    """One per-region control per attribute name, shown for the labels that have it."""
    by_name: dict[str, tuple[Mapping, list[tuple[str, str]]]] = {}
    for control, label, cls in owners:
        for attr in cls.attribute_schema:
            name = str(attr.get("name") or "")
            if not name:
                continue
            first, who = by_name.setdefault(name, (attr, []))
            if (first.get("type"), list(first.get("options") or [])) != (
                attr.get("type"),
                list(attr.get("options") or []),
            ):
                skipped.append((cls.name, f"attribute {name!r} differs from another class's"))
                continue
            who.append((control, label))
    for name, (attr, who) in by_name.items():
        tag = _ATTRIBUTE_TAGS.get(str(attr.get("type")))
        if tag is None or not who:
            continue
        attrs = {"name": name, "toName": IMAGE_NAME, "perRegion": "true"}
        if len({control for control, _ in who}) == 1:
            attrs["whenTagName"] = who[0][0]
            attrs["whenLabelValue"] = ",".join(label for _, label in who)
        if tag == "Choices":
            attrs["choice"] = "multiple" if attr.get("type") == "multi" else "single"
        el = ET.SubElement(view, tag, attrs)
        for option in attr.get("options") or []:
            ET.SubElement(el, "Choice", {"value": str(option)})


def generate_label_config(
    classes: Sequence[LabelClass], used: Mapping[str, Mapping[str, int]] | None = None
) -> GeneratedConfig:
    """The label config for ``classes``; ``used`` counts each class's annotations by kind."""
    used = used or {}
    view = ET.Element("View")
    ET.SubElement(view, "Image", {"name": IMAGE_NAME, "value": "$" + IMAGE_NAME})
    skipped: list[tuple[str, str]] = []
    shared: dict[str, ET.Element] = {}
    owners: list[tuple[str, str, LabelClass]] = []
    for cls in sorted(classes, key=lambda c: (c.order, c.id)):
        kind = _kind_of(cls, used)
        if kind == "tag":
            why = _tag_control(view, cls)
            if why:
                skipped.append((cls.name, why))
        elif kind == "keypoints":
            if cls.skeleton is None or not cls.skeleton.names:
                skipped.append((cls.name, "a keypoint class without a skeleton"))
                continue
            el = ET.SubElement(view, "KeyPointLabels", {"name": cls.name, "toName": IMAGE_NAME})
            for index, point in enumerate(cls.skeleton.names):
                attrs = {"value": point, "model_index": str(index)}
                if cls.color:
                    attrs["background"] = cls.color
                ET.SubElement(el, "Label", attrs)
            owners.extend((cls.name, point, cls) for point in cls.skeleton.names)
        elif kind in _SHARED:
            tag, name = _SHARED[kind]
            if kind not in shared:
                attrs = {"name": name, "toName": IMAGE_NAME}
                if kind == "box":
                    attrs["canRotate"] = "true"
                shared[kind] = ET.SubElement(view, tag, attrs)
            _label(shared[kind], cls.name, cls.color)
            owners.append((name, cls.name, cls))
        else:
            skipped.append((cls.name, f"Label Studio has no tool for {kind} annotations"))
    _attribute_controls(view, owners, skipped)
    ET.indent(view)
    return GeneratedConfig(ET.tostring(view, encoding="unicode") + "\n", skipped)
