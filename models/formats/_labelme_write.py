"""Writing labelme: one JSON file per image, the way labelme saves it beside the image.

The format module documents the mapping; this is its writing half. Each file names its
image by a path relative to itself (``imagePath``) and never embeds the image
(``imageData`` is null), so a folder of sidecars stays small. Shape attributes go where
labelme keeps them: yes/no values among the shape's ``flags``, ``description`` as the
description, anything else as a key of the shape (labelme keeps keys it does not know).
Image tags become the image's ``flags`` (every option of a choice tag class is listed,
off unless chosen, as labelme lists its configured flags). A group or a polygon in
several parts shares one ``group_id``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from limner.models.domain.geometry import Polygon, Tag
from limner.models.formats._groups import GroupNumbers
from limner.models.formats._labelme_shapes import write_geometry
from limner.models.formats.base import (
    ClassSpec,
    FormatError,
    ImageLabels,
    Loss,
    Shape,
    shape_loss,
)

LABELME_VERSION = "5.5.0"
FLAGS_CLASS = "flags"
"""The tag class that holds an image's plain flags (a flag ``a=b`` is class ``a``)."""
SHAPE_KEYS = frozenset(
    {"label", "points", "group_id", "shape_type", "flags", "description", "mask"}
)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def number_or_text(text: str) -> str | int | float:
    """A flag's value: a decimal literal is the number it spells, anything else text."""
    if _NUMBER.fullmatch(text):
        number = float(text)
        return int(number) if re.fullmatch(r"[+-]?\d+", text) else number
    return text


class LabelmeWriter:
    """Writes one image's JSON at a time under ``out``."""

    def __init__(self, out: Path, classes: Sequence[ClassSpec] = ()) -> None:
        self.out = out
        self.flags = _flag_vocabulary(classes)
        self.losses: list[Loss] = []
        self.written: set[str] = set()
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise FormatError(f"cannot create {out}: {error.strerror}") from None

    def _lose(self, image: ImageLabels, index: int, shape: Shape, what: str, why: str) -> None:
        self.losses.append(shape_loss(image, index, shape, what, why))

    def write_image(self, image: ImageLabels) -> None:
        target = self._target(image.name)
        picture = image.path if image.path is not None else self.out / image.name
        relative = Path(os.path.relpath(picture, target.parent)).as_posix()
        flags = dict(self.flags)
        shapes: list[dict[str, Any]] = []
        numbers = GroupNumbers(image)
        for index, shape in enumerate(image.shapes):
            if isinstance(shape.geometry, Tag):
                flags.update(self._tag_flags(image, index, shape))
                continue
            shapes.extend(self._shapes(image, index, shape, numbers))
        self._check_merges(image, numbers)
        data = {
            "version": LABELME_VERSION,
            "flags": flags,
            "shapes": shapes,
            "imagePath": relative,
            "imageData": None,
            "imageHeight": image.height,
            "imageWidth": image.width,
        }
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=2)
                handle.write("\n")
        except OSError as error:
            raise FormatError(f"cannot write {target}: {error.strerror}") from None

    def _target(self, name: str) -> Path:
        base = name.rpartition("/")[2]
        stem = name[: len(name) - len(base)] + (base.rpartition(".")[0] if "." in base else base)
        relative = f"{stem}.json"
        if relative in self.written:  # a.jpg and a.png side by side
            relative = f"{name}.json"
        self.written.add(relative)
        return self.out / relative

    def _shapes(
        self, image: ImageLabels, index: int, shape: Shape, numbers: GroupNumbers
    ) -> list[dict[str, Any]]:
        pieces, notes = write_geometry(shape.geometry, image.size)
        for what, why in notes:
            self._lose(image, index, shape, what, why)
        if not pieces:
            return []
        if shape.z:
            why = f"labelme keeps no stacking order (z = {shape.z}); shapes are in order"
            self._lose(image, index, shape, "z order", why)
        if shape.source == "prediction":
            why = "labelme cannot mark a prediction; it is written as a label"
            self._lose(image, index, shape, "prediction", why)
        group = numbers.number(shape.group, len(pieces) > 1)
        if isinstance(shape.geometry, Polygon) and pieces[0]["shape_type"] == "polygon":
            numbers.polygons.append((group, shape.class_name, index))
        flags, description, extra = self._attributes(image, index, shape)
        out = []
        for piece in pieces:
            item: dict[str, Any] = {
                "label": shape.class_name or "",
                "points": piece["points"],
                "group_id": group,
                "description": description,
                "shape_type": piece["shape_type"],
                "flags": flags,
            }
            if "mask" in piece:
                item["mask"] = piece["mask"]
            item.update(extra)
            out.append(item)
        return out

    def _attributes(
        self, image: ImageLabels, index: int, shape: Shape
    ) -> tuple[dict[str, bool], str, dict[str, Any]]:
        flags: dict[str, bool] = {}
        description = ""
        extra: dict[str, Any] = {}
        for key, value in shape.attributes.items():
            if isinstance(value, bool):
                flags[key] = value
            elif key == "description" and isinstance(value, str):
                description = value
            elif key in SHAPE_KEYS:
                why = f"{key!r} is a key of labelme's own; the attribute is not written"
                self._lose(image, index, shape, f"attribute {key!r}", why)
            elif _json_safe(value):
                extra[key] = value
            else:
                why = f"{value!r} is not a JSON value; it is written as text"
                self._lose(image, index, shape, f"attribute {key!r}", why)
                extra[key] = str(value)
        return flags, description, extra

    def _tag_flags(self, image: ImageLabels, index: int, shape: Shape) -> dict[str, bool]:
        assert isinstance(shape.geometry, Tag)
        value = shape.geometry.value
        values = value if isinstance(value, tuple) else (value,)
        name = shape.class_name or FLAGS_CLASS
        flags: dict[str, bool] = {}
        for item in values:
            text = item if isinstance(item, str) else json.dumps(item)
            if name == FLAGS_CLASS:
                key = text
                back: object = text
                back_class = text.partition("=")[0] if "=" in text else FLAGS_CLASS
            else:
                key = f"{name}={text}"
                back, back_class = number_or_text(text), name.partition("=")[0]
            if back_class != name or back != item:
                why = f"the flag {key!r} reads back as {back_class!r} = {back!r}"
                self._lose(image, index, shape, "tag", why)
            flags[key] = True
        if shape.attributes:
            self._lose(image, index, shape, "tag attributes", "labelme flags have no attributes")
        return flags

    def _check_merges(self, image: ImageLabels, numbers: GroupNumbers) -> None:
        seen: dict[tuple[int, str | None], int] = {}
        for group, label, index in numbers.polygons:
            if group is None:
                continue
            if (group, label) in seen:
                shape = image.shapes[index]
                why = "polygons of one class in one group are read back as one polygon in parts"
                self._lose(image, index, shape, "group", why)
            seen.setdefault((group, label), index)


def _flag_vocabulary(classes: Sequence[ClassSpec]) -> dict[str, bool]:
    """Every answer a choice tag class offers, as an image flag that is off.

    labelme lists all of its configured flags in every file, on or off; writing the
    classes' options the same way keeps the list of flags in a folder of files.
    """
    flags: dict[str, bool] = {}
    for spec in classes:
        question = spec.tag
        if question is None or question.mode not in ("single", "multiple"):
            continue
        for option in question.options:
            flags[option if spec.name == FLAGS_CLASS else f"{spec.name}={option}"] = False
    return flags


def _json_safe(value: Any) -> bool:
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, list | tuple):
        return all(_json_safe(v) for v in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and _json_safe(v) for k, v in value.items())
    return False
