"""CVAT's label list (``<meta>``) and limner's classes, both ways.

A CVAT label has a name, a colour, a type (``rectangle``, ``polygon``, ``skeleton``,
``tag``...) and typed attributes; a skeleton label has sub-labels, one per point, and an
SVG drawing whose circles name the points and whose lines are its edges. limner's class
has the same parts, so the mapping is direct:

============== ==================== =====================================================
CVAT           limner               note
============== ==================== =====================================================
``checkbox``   ``bool``
``select``     ``choice``           its values are the options
``radio``      ``choice``           written back as ``select`` (named)
``number``     ``number``           CVAT's range is not kept (named); one that covers
                                    the values is written
``text``       ``text``
(none)         ``multi``            written as ``text``, the choices joined by commas
============== ==================== =====================================================

Attribute values are text in the file and are typed by the label's attribute: ``true`` is
a yes for a checkbox and the word "true" for a text attribute.
"""

from __future__ import annotations

import dataclasses
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from limner.models.domain.attributes import AttributeSpec
from limner.models.domain.geometry import Skeleton
from limner.models.errors import GeometryError
from limner.models.formats._cvat_tags import answer_attribute, read_question
from limner.models.formats._xml import number_text, parse_text
from limner.models.formats.base import ClassSpec, FormatError, Loss

KIND_OF_TYPE = {
    "rectangle": "box",
    "bbox": "box",
    "polygon": "polygon",
    "polyline": "polyline",
    "points": "point",
    "ellipse": "ellipse",
    "mask": "mask",
    "skeleton": "keypoints",
    "tag": "tag",
    "any": "any",
    "": "any",
}
TYPE_OF_KIND = {
    "box": "rectangle",
    "polygon": "polygon",
    "polyline": "polyline",
    "point": "points",
    "ellipse": "ellipse",
    "mask": "mask",
    "keypoints": "skeleton",
    "tag": "tag",
}
_INPUT_OF_TYPE = {"bool": "checkbox", "choice": "select", "text": "text", "number": "number"}
_TYPE_OF_INPUT = {
    "checkbox": "bool",
    "select": "choice",
    "radio": "choice",
    "number": "number",
    "text": "text",
}


@dataclass
class LabelInfo:
    """What reading shapes needs to know of a label: its attributes' input types and,
    for a skeleton, its point names in order."""

    name: str
    kind: str
    inputs: dict[str, str] = field(default_factory=dict)
    points: tuple[str, ...] = ()


def typed_value(text: str | None, input_type: str | None) -> Any:
    """An attribute's text as the value its input type says it is."""
    value = text or ""
    if input_type == "checkbox":
        return value.strip().lower() == "true"
    if input_type == "number":
        stripped = value.strip()
        try:
            number = float(stripped)
        except ValueError:
            return value
        if not math.isfinite(number):
            return value
        return int(number) if number.is_integer() and "." not in stripped else number
    return value


def value_text(value: Any) -> str:
    """An attribute value as CVAT writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


# -- reading ---------------------------------------------------------------------------


def _labels(meta: ET.Element | None) -> list[ET.Element]:
    if meta is None:
        return []
    found: list[ET.Element] = []
    for holder in meta:
        for labels in holder.iterfind("labels"):
            found.extend(labels.iterfind("label"))
    return found


def read_labels(
    meta: ET.Element | None, losses: list[Loss]
) -> tuple[list[ClassSpec], dict[str, LabelInfo]]:
    """The classes a CVAT file declares, and what reading its shapes needs of each."""
    elements = _labels(meta)
    children: dict[str, list[ET.Element]] = {}
    for element in elements:
        parent = (element.findtext("parent") or "").strip()
        if parent:
            children.setdefault(parent, []).append(element)
    classes: list[ClassSpec] = []
    infos: dict[str, LabelInfo] = {}
    for element in elements:
        name = (element.findtext("name") or "").strip()
        if not name or (element.findtext("parent") or "").strip():
            continue
        spec, info = _label(element, name, children.get(name, []), losses)
        spec = dataclasses.replace(spec, source_id=len(classes))
        classes.append(spec)
        infos[name] = info
    return classes, infos


def _label(
    element: ET.Element, name: str, parts: list[ET.Element], losses: list[Loss]
) -> tuple[ClassSpec, LabelInfo]:
    label_type = (element.findtext("type") or "").strip()
    kind = KIND_OF_TYPE.get(label_type)
    if kind is None:
        why = f"limner has no {label_type!r} shapes; the class takes any shape"
        losses.append(Loss(None, None, f"label type {label_type!r}", why))
        kind = "any"
    answer = name if kind == "tag" else None
    schema, inputs = _attributes(element, name, losses, answer)
    question = read_question(element, name) if kind == "tag" else None
    colour = (element.findtext("color") or "").strip().lower() or None
    skeleton = None
    points: tuple[str, ...] = ()
    if kind == "keypoints":
        skeleton = _skeleton(element, name, parts, losses)
        points = skeleton.names if skeleton is not None else ()
        for part in parts:
            if part.find("attributes/attribute") is not None:
                what = f"attributes of {name!r} points"
                losses.append(Loss(None, None, what, "limner keeps no attributes per point"))
    colour = colour if _is_colour(colour) else None
    spec = ClassSpec(name, kind, colour, skeleton, schema, tag=question)
    return spec, LabelInfo(name, kind, inputs, points)


def _is_colour(text: str | None) -> bool:
    if text is None or len(text) != 7 or not text.startswith("#"):
        return False
    return all(c in "0123456789abcdef" for c in text[1:])


def _attributes(
    element: ET.Element, label: str, losses: list[Loss], answer: str | None
) -> tuple[tuple[AttributeSpec, ...], dict[str, str]]:
    """The label's attribute schema and each attribute's input type; ``answer`` names the
    attribute that holds a tag's answer, which is the tag's question, not an attribute."""
    specs: list[AttributeSpec] = []
    inputs: dict[str, str] = {}
    for attribute in element.iterfind("attributes/attribute"):
        name = (attribute.findtext("name") or "").strip()
        input_type = (attribute.findtext("input_type") or "text").strip().lower()
        if not name or name in inputs:
            continue
        inputs[name] = input_type
        if name == answer:
            continue
        values = _values(attribute)
        kind = _TYPE_OF_INPUT.get(input_type, "text")
        what = f"attribute {name!r} of {label!r}"
        if kind == "choice" and not values:
            kind = "text"
        if input_type == "radio":
            losses.append(Loss(None, None, what, "a radio attribute is written back as select"))
        if input_type == "number":
            why = f"CVAT's range ({', '.join(values)}) is not kept; one covering the values is"
            losses.append(Loss(None, None, what, why))
        if input_type not in _TYPE_OF_INPUT:
            losses.append(Loss(None, None, what, f"input type {input_type!r} is read as text"))
        if (attribute.findtext("mutable") or "").strip().lower() == "true":
            why = "limner has no tracks, so an attribute's mutability is not kept"
            losses.append(Loss(None, None, what, why))
        _check_default(attribute, kind, values, what, losses)
        specs.append(AttributeSpec(name, kind, tuple(values) if kind == "choice" else ()))
    return tuple(specs), inputs


def _values(attribute: ET.Element) -> list[str]:
    """An attribute's values, one a line as CVAT writes them.

    Some converters put them on one line, separated by spaces (``v1 v2 v3``); the default
    value, which must be one of them, tells the two apart.
    """
    values = [v for v in (attribute.findtext("values") or "").split("\n") if v.strip()]
    default = (attribute.findtext("default_value") or "").strip()
    if len(values) == 1 and default != values[0].strip() and default in values[0].split():
        return values[0].split()
    return values


def _check_default(
    attribute: ET.Element, kind: str, values: list[str], what: str, losses: list[Loss]
) -> None:
    default = (attribute.findtext("default_value") or "").strip()
    usual = {"bool": "false", "choice": values[0] if values else "", "text": ""}.get(kind)
    if usual is not None and default.lower() != usual.lower():
        why = f"its default {default!r} is not kept; limner's default is {usual!r}"
        losses.append(Loss(None, None, what, why))


def _skeleton(
    element: ET.Element, name: str, parts: list[ET.Element], losses: list[Loss]
) -> Skeleton | None:
    sublabels = [(p.findtext("name") or "").strip() for p in parts]
    names: list[str] = []
    edges: list[tuple[int, int]] = []
    svg = element.findtext("svg") or ""
    try:
        drawing = parse_text(svg, f"the skeleton of {name!r}") if svg.strip() else None
    except FormatError as error:
        losses.append(Loss(None, None, f"skeleton {name!r}", str(error)))
        drawing = None
    if drawing is not None:
        nodes = sorted(
            (int(c.get("data-node-id", "0") or 0), c.get("data-label-name", ""))
            for c in drawing.iter("circle")
            if (c.get("data-node-id") or "").isdigit()
        )
        index = {node: i for i, (node, _) in enumerate(nodes)}
        names = [label or f"{i + 1}" for i, (_, label) in enumerate(nodes)]
        for line in drawing.iter("line"):
            a, b = line.get("data-node-from", ""), line.get("data-node-to", "")
            if a.isdigit() and b.isdigit() and int(a) in index and int(b) in index:
                edges.append((index[int(a)], index[int(b)]))
    if not names:
        names = sublabels
    try:
        return Skeleton(tuple(names), tuple(dict.fromkeys(edges)))
    except GeometryError as error:
        losses.append(Loss(None, None, f"skeleton {name!r}", f"cannot be read: {error}"))
        return None


# -- writing ---------------------------------------------------------------------------


@dataclass
class SeenAttribute:
    """What the values written for one attribute of one label were like."""

    kinds: set[str] = field(default_factory=set)
    numbers: list[float] = field(default_factory=list)
    texts: dict[str, None] = field(default_factory=dict)

    def add(self, value: Any) -> None:
        if isinstance(value, bool):
            self.kinds.add("bool")
        elif isinstance(value, int | float):
            self.kinds.add("number")
            self.numbers.append(float(value))
        else:
            self.kinds.add("text")
            self.texts[value_text(value)] = None

    @property
    def answers(self) -> list[object]:
        """The values, as numbers when all were numbers and as texts otherwise."""
        if self.kinds == {"number"}:
            return [int(n) if n.is_integer() else n for n in self.numbers]
        return list(self.texts)

    @property
    def input_type(self) -> str:
        if self.kinds == {"bool"}:
            return "checkbox"
        if self.kinds == {"number"}:
            return "number"
        return "text"


def input_type_of(spec: AttributeSpec) -> str:
    return _INPUT_OF_TYPE.get(spec.type, "text")


def label_elements(
    spec: ClassSpec, seen: Mapping[str, SeenAttribute], losses: list[Loss]
) -> list[ET.Element]:
    """The ``<label>`` of a class (and, for a skeleton, one per point after it)."""
    element = ET.Element("label")
    ET.SubElement(element, "name").text = spec.name
    if spec.color:
        ET.SubElement(element, "color").text = spec.color
    ET.SubElement(element, "type").text = TYPE_OF_KIND.get(spec.kind, "any")
    attributes = ET.SubElement(element, "attributes")
    declared = {a.name: a for a in spec.attribute_schema}
    names = list(dict.fromkeys([*declared, *seen]))
    if spec.kind == "tag":
        answers = seen.get(spec.name, SeenAttribute()).answers
        question = answer_attribute(spec, answers, losses)
        if question is not None:
            attributes.append(question)
        names = [name for name in names if name != spec.name]
    for name in names:
        attribute = declared.get(name)
        found = seen.get(name, SeenAttribute())
        attributes.append(_attribute(spec.name, name, attribute, found, losses))
    out = [element]
    if spec.kind == "keypoints" and spec.skeleton is not None:
        ET.SubElement(element, "svg").text = skeleton_svg(spec.skeleton)
        for point in spec.skeleton.names:
            part = ET.Element("label")
            ET.SubElement(part, "name").text = point
            ET.SubElement(part, "type").text = "points"
            ET.SubElement(part, "attributes")
            ET.SubElement(part, "parent").text = spec.name
            out.append(part)
    return out


def _attribute(
    label: str,
    name: str,
    spec: AttributeSpec | None,
    seen: SeenAttribute,
    losses: list[Loss],
) -> ET.Element:
    input_type = input_type_of(spec) if spec is not None else seen.input_type
    values: list[str] = []
    if spec is not None and spec.type == "choice":
        values = list(spec.options)
    elif spec is not None and spec.type == "multi":
        why = "CVAT has no multiple choice; it is written as text, the choices joined by commas"
        losses.append(Loss(None, None, f"attribute {name!r} of {label!r}", why))
    elif input_type == "number":
        low, high = (min(seen.numbers), max(seen.numbers)) if seen.numbers else (0.0, 1.0)
        whole = all(float(n).is_integer() for n in seen.numbers)
        values = [number_text(low), number_text(high), "1" if whole else "0.000001"]
    default = {"checkbox": "false", "select": values[0] if values else ""}.get(input_type, "")
    if input_type == "number":
        default = values[0]
    element = ET.Element("attribute")
    ET.SubElement(element, "name").text = name
    ET.SubElement(element, "mutable").text = "False"
    ET.SubElement(element, "input_type").text = input_type
    ET.SubElement(element, "default_value").text = default
    ET.SubElement(element, "values").text = "\n".join(values) if values else default
    return element


def skeleton_svg(skeleton: Skeleton) -> str:
    """The SVG CVAT draws a skeleton's template with: its points on a circle, and lines."""
    count = len(skeleton.names)
    spots = [
        (50 + 40 * math.cos(2 * math.pi * i / count), 50 + 40 * math.sin(2 * math.pi * i / count))
        for i in range(count)
    ]
    pieces = []
    for a, b in skeleton.edges:
        (x1, y1), (x2, y2) = spots[a], spots[b]
        line = ET.Element(
            "line",
            {
                "x1": f"{x1:.3f}",
                "y1": f"{y1:.3f}",
                "x2": f"{x2:.3f}",
                "y2": f"{y2:.3f}",
                "data-type": "edge",
                "data-node-from": str(a + 1),
                "data-node-to": str(b + 1),
            },
        )
        pieces.append(ET.tostring(line, encoding="unicode", short_empty_elements=False))
    for i, (name, (x, y)) in enumerate(zip(skeleton.names, spots, strict=True)):
        circle = ET.Element(
            "circle",
            {
                "r": "1.5",
                "cx": f"{x:.3f}",
                "cy": f"{y:.3f}",
                "data-type": "element node",
                "data-element-id": str(i + 1),
                "data-node-id": str(i + 1),
                "data-label-name": name,
            },
        )
        pieces.append(ET.tostring(circle, encoding="unicode", short_empty_elements=False))
    return "".join(pieces)


def undeclared(
    classes: Iterable[ClassSpec], names: Sequence[str], tags: Iterable[str] = ()
) -> list[ClassSpec]:
    """Plain classes for the class names shapes used that ``classes`` did not declare;
    those in ``tags`` (used by image tags alone) are tag classes."""
    known = {spec.name for spec in classes}
    tag_only = set(tags)
    return [
        ClassSpec(name, "tag" if name in tag_only else "any")
        for name in dict.fromkeys(names)
        if name not in known
    ]
