"""Image tags: an answer about the whole image, and the question a tag class asks.

A tag is an annotation without a position: "weather: rainy", "defects: scratch, dent",
"caption: two dogs on a beach", "quality: 4". It is stored like any other annotation (so
undo, review, the labeled count and sync treat it as one), with a :class:`Tag` where
other annotations have a shape, and it is of a class of kind ``tag`` whose
:class:`TagSpec` says what answers it takes: one option, several options, free text or a
number. A tag has no extent, so nothing spatial (bounds, hit tests, the spatial index,
drawing) ever sees one.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias

from limner.models.errors import GeometryError

TagValue: TypeAlias = str | tuple[str, ...] | int | float
TAG_MODES: tuple[str, ...] = ("single", "multiple", "text", "number")


def _tag_value(value: object) -> TagValue:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise GeometryError(f"a tag answer cannot be {value!r}; use a choice instead")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise GeometryError(f"a tag number must be finite, got {number}")
        return number
    if isinstance(value, list | tuple):
        choices = tuple(value)
        if not choices:
            raise GeometryError("a tag with several choices needs at least one")
        for choice in choices:
            if not isinstance(choice, str):
                raise GeometryError(f"tag choices must be strings, got {choice!r}")
        if len(set(choices)) != len(choices):
            raise GeometryError(f"tag choices {list(choices)} name one option twice")
        return choices
    raise GeometryError(f"a tag answer must be text, choices or a number, got {value!r}")


@dataclass(frozen=True, slots=True)
class Tag:
    """One answer about the whole image: a string (one choice or free text), a tuple of
    strings (several choices) or a number. Which it is, and which values are allowed, is
    the class's :class:`TagSpec`'s business; the tag itself only holds a well-formed value.
    """

    kind: ClassVar[str] = "tag"

    value: TagValue

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _tag_value(self.value))


@dataclass(frozen=True, slots=True)
class TagSpec:
    """What a tag class asks: ``mode`` ``single`` or ``multiple`` (one or several of
    ``options``), ``text`` (free text) or ``number`` (between ``minimum`` and ``maximum``
    when they are set, e.g. a 1 to 5 rating)."""

    mode: str
    options: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def __post_init__(self) -> None:
        if self.mode not in TAG_MODES:
            raise GeometryError(f"tag mode {self.mode!r} is not one of {', '.join(TAG_MODES)}")
        options = tuple(self.options)
        if self.mode in ("single", "multiple"):
            if not options:
                raise GeometryError(f"a {self.mode}-choice tag needs at least one option")
            for option in options:
                if not isinstance(option, str) or not option.strip():
                    raise GeometryError(f"tag option {option!r} is not a name")
            if len(set(options)) != len(options):
                raise GeometryError(f"tag options {list(options)} list one option twice")
        elif options:
            raise GeometryError(f"a {self.mode} tag takes no options")
        object.__setattr__(self, "options", options)
        for name in ("minimum", "maximum"):
            bound = getattr(self, name)
            if bound is not None:
                if self.mode != "number":
                    raise GeometryError(f"only a number tag has a {name}")
                if isinstance(bound, bool) or not isinstance(bound, numbers.Real):
                    raise GeometryError(f"tag {name} must be a number, got {bound!r}")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise GeometryError(f"tag minimum {self.minimum} is above its maximum {self.maximum}")

    def check(self, tag: Tag) -> Tag:
        """``tag`` as this class stores it (several choices in option order), or
        GeometryError saying why the class does not take it."""
        value = tag.value
        if self.mode == "single":
            if not isinstance(value, str) or value not in self.options:
                raise GeometryError(f"{value!r} is not one of {', '.join(self.options)}")
            return tag
        if self.mode == "multiple":
            chosen = (value,) if isinstance(value, str) else value
            if not isinstance(chosen, tuple) or any(c not in self.options for c in chosen):
                raise GeometryError(f"{value!r} are not among {', '.join(self.options)}")
            return Tag(tuple(o for o in self.options if o in chosen))
        if self.mode == "text":
            if not isinstance(value, str):
                raise GeometryError(f"a text tag holds text, not {value!r}")
            return tag
        if isinstance(value, str | tuple):
            raise GeometryError(f"a number tag holds a number, not {value!r}")
        if self.minimum is not None and value < self.minimum:
            raise GeometryError(f"{value} is below the least value, {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise GeometryError(f"{value} is above the greatest value, {self.maximum}")
        return tag

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"mode": self.mode}
        if self.options:
            data["options"] = list(self.options)
        if self.minimum is not None:
            data["minimum"] = self.minimum
        if self.maximum is not None:
            data["maximum"] = self.maximum
        return data

    @classmethod
    def from_json(cls, data: object) -> TagSpec:
        if not isinstance(data, Mapping):
            raise GeometryError(f"tag spec JSON must be an object, got {type(data).__name__}")
        if "mode" not in data:
            raise GeometryError("tag spec JSON is missing 'mode'")
        options = data.get("options", [])
        if not isinstance(options, list | tuple):
            raise GeometryError(f"tag spec 'options' must be a list, got {options!r}")
        return cls(str(data["mode"]), tuple(options), data.get("minimum"), data.get("maximum"))
