"""What a CVAT tag label asks, as limner's :class:`TagSpec`, and back.

A CVAT tag says "this image has label L", with attributes. limner's image tag is an
answer to a question, so the two meet like this: a tag label with an attribute named
like the label asks that attribute's question (``weather`` with the select attribute
``weather`` = sun | rain is the single-choice question "weather: sun or rain"; a text
attribute asks for text, a number attribute for a number within its range), and a tag
label without one asks "is it L?", answered with ``L`` itself.

CVAT has no multiple-choice attribute, so a multiple-choice question is written as a
select, each chosen answer as a tag of its own; it reads back as a single-choice question
whose answers, when an image has several, come back together. That is named.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from limner.models.domain.geometry import TagSpec
from limner.models.errors import GeometryError
from limner.models.formats._xml import number_text
from limner.models.formats.base import ClassSpec, Loss


def read_question(element: ET.Element, label: str) -> TagSpec:
    """The question a tag label asks (see the module's description)."""
    for attribute in element.iterfind("attributes/attribute"):
        if (attribute.findtext("name") or "").strip() != label:
            continue
        input_type = (attribute.findtext("input_type") or "text").strip().lower()
        values = [v for v in (attribute.findtext("values") or "").split("\n") if v.strip()]
        try:
            if input_type in ("select", "radio") and values:
                return TagSpec("single", tuple(dict.fromkeys(values)))
            if input_type == "checkbox":
                return TagSpec("single", ("true", "false"))
            if input_type == "number":
                low, high = (_number(v) for v in ([*values, "", ""])[:2])
                if low is not None and high is not None and low > high:
                    low, high = high, low
                return TagSpec("number", (), low, high)
        except GeometryError:
            break
        return TagSpec("text")
    return TagSpec("single", (label,))


def _number(text: str) -> float | int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def answer_attribute(
    spec: ClassSpec, answers: list[object], losses: list[Loss]
) -> ET.Element | None:
    """The attribute that holds the answers of a tag class, or None for an "is it L?"."""
    question = spec.tag or _guessed(spec.name, answers)
    if question.mode in ("single", "multiple") and question.options == (spec.name,):
        return None
    values: list[str]
    if question.mode in ("single", "multiple"):
        input_type, values = "select", list(question.options)
        if question.mode == "multiple":
            why = "CVAT tags take one answer; each is a tag of its own, read back as one choice"
            losses.append(Loss(None, None, f"tag {spec.name!r}", why))
    elif question.mode == "number":
        numbers = [float(a) for a in answers if isinstance(a, int | float)]
        low = question.minimum if question.minimum is not None else min(numbers, default=0)
        high = question.maximum if question.maximum is not None else max(numbers, default=1)
        whole = float(low).is_integer() and float(high).is_integer()
        input_type = "number"
        values = [number_text(low), number_text(high), "1" if whole else "0.000001"]
    else:
        input_type, values = "text", []
    element = ET.Element("attribute")
    ET.SubElement(element, "name").text = spec.name
    ET.SubElement(element, "mutable").text = "False"
    ET.SubElement(element, "input_type").text = input_type
    ET.SubElement(element, "default_value").text = values[0] if values else ""
    ET.SubElement(element, "values").text = "\n".join(values)
    return element


def _guessed(name: str, answers: list[object]) -> TagSpec:
    """A question for a tag class the writer was not told about, from its answers."""
    if not answers:
        return TagSpec("single", (name,))
    if all(isinstance(a, int | float) and not isinstance(a, bool) for a in answers):
        return TagSpec("number")
    texts = [a for a in answers if isinstance(a, str)]
    if len(texts) == len(answers):
        return TagSpec("single", tuple(dict.fromkeys(texts)))
    return TagSpec("text")
