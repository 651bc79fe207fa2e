"""The label config that goes with a Label Studio JSON file: written from limner's classes,
or worked out from the file's own results when no config came with it.

A Label Studio export holds tasks but not the project's label config, and the result
codec cannot read an item without knowing its control. Writing therefore puts a config
beside the JSON (so the file can be imported into a new Label Studio project), and
reading uses that config when it is there. A file exported by Label Studio itself comes
without one; its controls are then rebuilt from what its items say (``from_name``,
``to_name``, ``type`` and labels), which is enough for the codec to read every region.

Either way the XML goes through :func:`parse_label_config`, the parser sync uses, so a
file is read by exactly the rules a project on a server is.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from limner.models.formats.base import ClassSpec, Loss
from limner.sync.adapters.labelstudio_config import LSConfig, parse_label_config

__all__ = ["IMAGE_KEY", "IMAGE_TAG", "config_for_classes", "config_from_tasks", "draft_xml"]

IMAGE_TAG = "image"
IMAGE_KEY = "image"

# limner kind -> the Label Studio control that draws it, and the control's name.
_GEOMETRY_TAGS = {
    "box": ("RectangleLabels", "rectangles"),
    "polygon": ("PolygonLabels", "polygons"),
    "mask": ("BrushLabels", "brushes"),
    "ellipse": ("EllipseLabels", "ellipses"),
    "polyline": ("VectorLabels", "vectors"),
    "point": ("KeyPointLabels", "points"),
}
_RESULT_TAGS = {
    "rectanglelabels": "RectangleLabels",
    "polygonlabels": "PolygonLabels",
    "brushlabels": "BrushLabels",
    "ellipselabels": "EllipseLabels",
    "vectorlabels": "VectorLabels",
    "keypointlabels": "KeyPointLabels",
    "choices": "Choices",
    "textarea": "TextArea",
    "number": "Number",
    "rating": "Rating",
}
_ATTRIBUTE_TAGS = {"choice": "Choices", "multi": "Choices", "text": "TextArea", "number": "Number"}


@dataclass
class Draft:
    """One control of a config being built: its tag, name and what it offers."""

    tag: str
    name: str
    labels: list[tuple[str, str | None]] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)


def draft_xml(drafts: Sequence[Draft], image_key: str = IMAGE_KEY, to_name: str = IMAGE_TAG) -> str:
    """The label config XML of ``drafts``, one ``<Image>`` first, controls in order."""
    root = ET.Element("View")
    ET.SubElement(root, "Image", {"name": to_name, "value": f"${image_key}"})
    for draft in drafts:
        element = ET.SubElement(root, draft.tag, {"name": draft.name, "toName": to_name})
        element.attrib.update(draft.attrs)
        for value, color in draft.labels:
            label = ET.SubElement(element, "Label", {"value": value})
            if color:
                label.set("background", color)
        for option in draft.options:
            ET.SubElement(element, "Choice", {"value": option})
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def config_for_classes(
    classes: Sequence[ClassSpec],
    losses: list[Loss],
    any_kinds: Mapping[str, Iterable[str]] | None = None,
) -> tuple[str, LSConfig]:
    """A config with a control for every class Label Studio can hold, and it parsed.

    Shape classes of one kind share one control (one label each); a keypoints class gets
    a ``KeyPointLabels`` control of its own, named after it, whose labels are its points;
    a tag class a whole-image control named after it. A class of any kind gets its label
    in the control of every kind ``any_kinds`` says its shapes have. Attributes become
    per-region controls shown for the classes that have them. What has no control is a
    loss.
    """
    taken = {cls.name for cls in classes if cls.kind in ("tag", "keypoints")}
    shared: dict[str, Draft] = {}
    own: list[Draft] = []
    for cls in classes:
        kinds = [cls.kind] if cls.kind != "any" else _any_kinds(cls, any_kinds, losses)
        for kind in kinds:
            if kind in _GEOMETRY_TAGS:
                tag, base = _GEOMETRY_TAGS[kind]
                draft = shared.get(kind)
                if draft is None:
                    draft = shared[kind] = Draft(tag, _free(base, taken))
                draft.labels.append((cls.name, cls.color))
        if cls.kind in _GEOMETRY_TAGS or cls.kind == "any":
            continue
        if cls.kind == "keypoints" and cls.skeleton is not None:
            labels = [(name, cls.color) for name in cls.skeleton.names]
            own.append(Draft("KeyPointLabels", cls.name, labels))
        elif cls.kind == "tag" and cls.tag is not None:
            own.append(_tag_draft(cls))
        else:
            why = f"Label Studio has no control for a class of kind {cls.kind!r}; not written"
            losses.append(Loss(None, None, f"class {cls.name!r}", why))
    # Kinds in a fixed order: the first control of a label keeps its plain name on reading.
    drafts = [*(shared[kind] for kind in _GEOMETRY_TAGS if kind in shared), *own]
    drafts.extend(_attribute_drafts(classes, taken, losses))
    xml = draft_xml(drafts)
    return xml, parse_label_config(xml)


def _any_kinds(
    cls: ClassSpec, any_kinds: Mapping[str, Iterable[str]] | None, losses: list[Loss]
) -> list[str]:
    """The kinds a class of any kind is written as: those its shapes have, in a fixed order."""
    used = set((any_kinds or {}).get(cls.name, ()))
    kinds = [kind for kind in _GEOMETRY_TAGS if kind in used]
    if not kinds:
        why = "it has no shapes Label Studio can hold, and a control needs a kind; not written"
        losses.append(Loss(None, None, f"class {cls.name!r}", why))
    if len(kinds) > 1:
        why = (
            f"it holds {', '.join(kinds)} shapes; Label Studio has a class per kind, so only "
            f"its {kinds[0]} shapes come back as {cls.name!r}, the others with their kind "
            f"added ({cls.name!r} becomes '{cls.name} ({kinds[1]})')"
        )
        losses.append(Loss(None, None, f"class {cls.name!r}", why))
    return kinds


def _free(base: str, taken: set[str]) -> str:
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}_{number}"
    taken.add(name)
    return name


def _tag_draft(cls: ClassSpec) -> Draft:
    assert cls.tag is not None
    spec = cls.tag
    if spec.mode in ("single", "multiple"):
        return Draft("Choices", cls.name, options=list(spec.options), attrs={"choice": spec.mode})
    if spec.mode == "text":
        return Draft("TextArea", cls.name)
    attrs = {}
    if spec.minimum is not None:
        attrs["min"] = _number_text(spec.minimum)
    if spec.maximum is not None:
        attrs["max"] = _number_text(spec.maximum)
    return Draft("Number", cls.name, attrs=attrs)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _attribute_drafts(
    classes: Sequence[ClassSpec], taken: set[str], losses: list[Loss]
) -> list[Draft]:
    """One per-region control per attribute name, shown for the labels that have it."""
    found: dict[str, tuple[Any, list[str]]] = {}
    for cls in classes:
        labels = list(cls.skeleton.names) if cls.kind == "keypoints" and cls.skeleton else []
        labels = labels or [cls.name]
        for spec in cls.attribute_schema:
            if spec.type not in _ATTRIBUTE_TAGS:
                why = f"a {spec.type} attribute has no Label Studio per-region control; not written"
                losses.append(Loss(None, None, f"attribute {spec.name!r} of {cls.name!r}", why))
                continue
            first = found.setdefault(spec.name, (spec, []))
            if (first[0].type, first[0].options) != (spec.type, spec.options):
                why = "another class has an attribute of that name with other answers; not written"
                losses.append(Loss(None, None, f"attribute {spec.name!r} of {cls.name!r}", why))
                continue
            first[1].extend(labels)
    drafts = []
    every = {cls.name for cls in classes if cls.kind not in ("tag", "keypoints")}
    for name, (spec, labels) in found.items():
        if name in taken:
            why = "a class of that name is a control too; the attribute is not written"
            losses.append(Loss(None, None, f"attribute {name!r}", why))
            continue
        taken.add(name)
        attrs = {"perRegion": "true"}
        if spec.type in ("choice", "multi"):
            attrs["choice"] = "multiple" if spec.type == "multi" else "single"
        if set(labels) != every or any(c.kind == "keypoints" for c in classes):
            attrs["whenLabelValue"] = ",".join(dict.fromkeys(labels))
        options = list(spec.options) if spec.type in ("choice", "multi") else []
        drafts.append(Draft(_ATTRIBUTE_TAGS[spec.type], name, options=options, attrs=attrs))
    return drafts


def config_from_tasks(tasks: Iterable[Mapping[str, Any]]) -> LSConfig:
    """The controls the tasks' results use, as a config, for a file that came without one."""
    drafts: dict[str, Draft] = {}
    sequences: dict[str, dict[str, list[str]]] = {}  # control -> instance -> point labels
    image_key, to_name = None, None
    for task in tasks:
        data = task.get("data")
        if image_key is None and isinstance(data, Mapping):
            image_key = _image_key(data)
        for result in _results(task):
            region_ids = {
                item.get("id")
                for item in result
                if isinstance(item, Mapping) and str(item.get("type", "")).endswith("labels")
            }
            for item in result:
                if isinstance(item, Mapping):
                    to_name = to_name or _text(item.get("to_name"))
                    _add_item(drafts, item, region_ids)
                    _add_point(sequences, item)
    for name, instances in sequences.items():
        _order_points(drafts[name], instances.values())
    return parse_label_config(
        draft_xml(list(drafts.values()), image_key or IMAGE_KEY, to_name or IMAGE_TAG)
    )


def _add_point(sequences: dict[str, dict[str, list[str]]], item: Mapping[str, Any]) -> None:
    value = item.get("value")
    parent = item.get("parentID")
    if item.get("type") != "keypointlabels" or not parent or not isinstance(value, Mapping):
        return
    labels = [label for label in value.get("keypointlabels") or () if isinstance(label, str)]
    instance = sequences.setdefault(str(item.get("from_name")), {}).setdefault(str(parent), [])
    instance.extend(label for label in labels if label not in instance)


def _order_points(draft: Draft, instances: Iterable[list[str]]) -> None:
    """Skeleton order for a keypoints control: the fullest instance's order first.

    An export holds no skeleton; points are written in skeleton order, so the instance
    that labels the most points says the most about it.
    """
    order: list[str] = []
    for labels in sorted(instances, key=len, reverse=True):
        order.extend(label for label in labels if label not in order)
    rest = [label for label, _ in draft.labels if label not in order]
    draft.labels = [(label, None) for label in [*order, *rest]]


def _image_key(data: Mapping[str, Any]) -> str | None:
    if isinstance(data.get(IMAGE_KEY), str):
        return IMAGE_KEY
    return next((key for key, value in data.items() if isinstance(value, str)), None)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _results(task: Mapping[str, Any]) -> Iterable[list[Any]]:
    for key in ("annotations", "predictions"):
        entries = task.get(key)
        if isinstance(entries, list):
            for entry in entries:
                if isinstance(entry, Mapping) and isinstance(entry.get("result"), list):
                    yield entry["result"]


def _add_item(drafts: dict[str, Draft], item: Mapping[str, Any], region_ids: set[Any]) -> None:
    type_ = str(item.get("type", "")).lower()
    name = _text(item.get("from_name"))
    tag = _RESULT_TAGS.get(type_)
    value = item.get("value")
    if tag is None or name is None or not isinstance(value, Mapping):
        return
    draft = drafts.get(name)
    if draft is None:
        draft = drafts[name] = Draft(tag, name)
        if tag in ("Choices", "TextArea", "Number", "Rating") and item.get("id") in region_ids:
            draft.attrs["perRegion"] = "true"
    if type_.endswith("labels"):
        for label in value.get(type_) or ():
            if isinstance(label, str) and (label, None) not in draft.labels:
                draft.labels.append((label, None))
    elif type_ == "choices":
        choices = value.get("choices") or ()
        if len(choices) > 1:
            draft.attrs["choice"] = "multiple"
        for choice in choices:
            if isinstance(choice, str) and choice not in draft.options:
                draft.options.append(choice)
    elif type_ == "rating":
        rating = value.get("rating")
        if isinstance(rating, int) and rating > int(draft.attrs.get("maxRating", "5")):
            draft.attrs["maxRating"] = str(rating)
