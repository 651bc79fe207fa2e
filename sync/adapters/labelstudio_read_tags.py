"""Whole-image Label Studio answers read as limner image tags.

A whole-image ``Choices``, ``TextArea``, ``Rating`` or ``Number`` item is one tag of the
control's tag class: the choice (or, for ``choice="multiple"``, the choices in option
order), the text (Label Studio keeps one entry per submission; limner joins them with
line breaks), the rating or the number. An answer the class does not take (an option the
config does not list, two choices of a single-choice control) is refused as broken.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from limner.models.domain.geometry import Tag, TagSpec
from limner.models.errors import GeometryError
from limner.sync.adapters.labelstudio_read_shapes import SkipItem

__all__ = ["read_tag"]


def _value(type_: str, value: Mapping[str, Any]) -> Any:
    if type_ == "choices":
        choices = value.get("choices")
        if isinstance(choices, str):
            choices = [choices]
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise SkipItem(f"its choices are {choices!r}, not a list of strings")
        if not choices:
            raise SkipItem("it has no choice")
        return tuple(choices)
    if type_ == "textarea":
        text = value.get("text")
        if isinstance(text, str):
            return text
        if not isinstance(text, list) or not all(isinstance(t, str) for t in text):
            raise SkipItem(f"its text is {text!r}, not a list of strings")
        return "\n".join(text)
    number = value.get(type_)  # "rating" or "number"
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise SkipItem(f"its {type_} is {number!r}, not a number")
    if not math.isfinite(number):
        raise SkipItem(f"its {type_} is {number!r}, not a finite number")
    return number


def read_tag(type_: str, value: Mapping[str, Any], spec: Mapping[str, Any] | None) -> Tag:
    """The tag a whole-image item of control type ``type_`` holds, checked against the
    class's tag spec (its JSON form)."""
    answer = _value(type_, value)
    try:
        question = TagSpec.from_json(spec or {"mode": "text"})
        if question.mode == "single" and isinstance(answer, tuple):
            if len(answer) > 1:
                raise SkipItem(f"it has {list(answer)} but takes one choice")
            answer = answer[0]
        return question.check(Tag(answer))
    except GeometryError as error:
        raise SkipItem(str(error)) from None
