"""Writing Pascal VOC: one ``<annotation>`` file per image and the ``labelmap.txt`` beside.

Apart from the format class so that each stays readable; the format module documents the
conventions. What the writer cannot put into a VOC file exactly, it names: shapes other
than boxes (written as the box around them, or not at all when they have no area), a
rotation, a stacking order, a prediction mark, attribute values that would read back as
something else (the text ``"3"`` reads back as the number 3), a part's attributes.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from limner.models.domain.geometry import Box, bounds
from limner.models.errors import GeometryError
from limner.models.formats._xml import (
    element_text,
    guess_value,
    is_xml_name,
    number_text,
    same_value,
    value_text,
)
from limner.models.formats.base import ClassSpec, FormatError, ImageLabels, Loss, Shape, shape_loss

FLAGS = ("truncated", "difficult", "occluded")
"""Object elements that hold 0 or 1 and are read as booleans."""
DIRECT = ("pose", *FLAGS, "actions", "point")
"""Attributes written as elements of the object itself rather than inside ``<attributes>``."""
LABELMAP = "labelmap.txt"

Extent = tuple[float, float, float, float]


def flag_value(text: str | None) -> Any:
    """A flag element's value: ``0``/``1`` as a boolean, anything else guessed."""
    stripped = (text or "").strip()
    if stripped in ("0", "1"):
        return stripped == "1"
    return guess_value(text)


def rgb_text(colour: str | None) -> str:
    """``#rrggbb`` as labelmap's ``r,g,b`` (empty when there is no usable colour)."""
    if colour and len(colour) == 7 and colour.startswith("#"):
        try:
            return ",".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
        except ValueError:
            return ""
    return ""


class VocWriter:
    """Writes images one at a time under ``out``; :meth:`finish` writes the class list."""

    def __init__(
        self, out: Path, classes: Mapping[str, ClassSpec], offset: float, integers: bool
    ) -> None:
        self.out = out
        self.classes = dict(classes)
        self.offset = offset
        self.integers = integers
        self.used: dict[str, ClassSpec | None] = {}
        self.parts: dict[str, dict[str, None]] = {}
        self.actions: dict[str, dict[str, None]] = {}
        self.losses: list[Loss] = []
        self.written: set[str] = set()
        self.annotations = out / "Annotations"
        try:
            self.annotations.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise FormatError(f"cannot create {self.annotations}: {error.strerror}") from None

    def _lose(self, image: ImageLabels, index: int, shape: Shape, what: str, why: str) -> None:
        self.losses.append(shape_loss(image, index, shape, what, why))

    def write_image(self, image: ImageLabels) -> None:
        root = ET.Element("annotation")
        directory, _, filename = image.name.rpartition("/")
        ET.SubElement(root, "folder").text = directory.rpartition("/")[2] or "JPEGImages"
        ET.SubElement(root, "filename").text = filename
        if image.path is not None:
            ET.SubElement(root, "path").text = str(image.path)
        if image.width is not None and image.height is not None:
            size = ET.SubElement(root, "size")
            ET.SubElement(size, "width").text = str(image.width)
            ET.SubElement(size, "height").text = str(image.height)
        else:
            why = "the image's size is unknown, so <size> is left out"
            self.losses.append(Loss(image.name, None, "image size", why))
        ET.SubElement(root, "segmented").text = "0"
        for obj in self._objects(image):
            root.append(obj)
        self._save(image.name, root)

    def _objects(self, image: ImageLabels) -> Iterator[ET.Element]:
        """The objects in shape order; a group's later members become its first's parts.

        A part is appended to an object that has already been handed out, which is fine:
        the caller adds each object to the document before asking for the next.
        """
        by_group: dict[str, tuple[ET.Element, str]] = {}
        for index, shape in enumerate(image.shapes):
            extent = self._extent(image, index, shape)
            if extent is None:
                continue
            if shape.class_name is None:
                why = "a VOC object needs a class name; the shape is not written"
                self._lose(image, index, shape, "class", why)
                continue
            self._note_class(shape.class_name)
            self._note_extras(image, index, shape)
            parent = by_group.get(shape.group) if shape.group is not None else None
            if parent is not None:
                self.parts.setdefault(parent[1], {})[shape.class_name] = None
                part = ET.SubElement(parent[0], "part")
                ET.SubElement(part, "name").text = shape.class_name
                part.append(self._bndbox(image, index, shape, extent))
                if shape.attributes:
                    why = "a VOC part has no attributes; they are not written"
                    self._lose(image, index, shape, "attributes", why)
                continue
            obj = ET.Element("object")
            ET.SubElement(obj, "name").text = shape.class_name
            self._attributes(image, index, shape, obj)
            obj.append(self._bndbox(image, index, shape, extent))
            if shape.group is not None:
                by_group[shape.group] = (obj, shape.class_name)
            actions = shape.attributes.get("actions")
            if isinstance(actions, Mapping):
                self.actions.setdefault(shape.class_name, {}).update(
                    (str(key), None) for key in actions
                )
            yield obj

    def _note_class(self, name: str) -> None:
        if name in self.used:
            return
        spec = self.classes.get(name)
        self.used[name] = spec
        if spec is None:
            why = f"class {name!r} is not among the classes given; labelmap.txt has no colour"
            self.losses.append(Loss(None, None, "class", why))

    def _note_extras(self, image: ImageLabels, index: int, shape: Shape) -> None:
        if shape.z:
            why = f"VOC keeps no stacking order (z = {shape.z}); objects are written in order"
            self._lose(image, index, shape, "z order", why)
        if shape.source == "prediction":
            why = "VOC cannot mark a prediction; it is written as a label"
            self._lose(image, index, shape, "prediction", why)

    def _extent(self, image: ImageLabels, index: int, shape: Shape) -> Extent | None:
        geometry = shape.geometry
        if isinstance(geometry, Box) and not geometry.rotated:
            return geometry.x0, geometry.y0, geometry.x1, geometry.y1
        what = "rotated box" if isinstance(geometry, Box) else geometry.kind
        extent: Extent | None
        try:
            if isinstance(geometry, Box):
                xs, ys = zip(*geometry.corners(), strict=True)
                extent = (min(xs), min(ys), max(xs), max(ys))
            else:
                extent = bounds(geometry)
        except GeometryError:
            extent = None
        if extent is None or extent[0] >= extent[2] or extent[1] >= extent[3]:
            why = f"VOC holds only boxes and a {what} has no area to box; it is not written"
            self._lose(image, index, shape, what, why)
            return None
        why = f"VOC holds only boxes; the {what} is written as the box around it"
        self._lose(image, index, shape, what, why)
        return extent

    def _bndbox(self, image: ImageLabels, index: int, shape: Shape, extent: Extent) -> ET.Element:
        x0, y0, x1, y1 = extent
        if self.integers:
            rounded = (math.floor(x0), math.floor(y0), math.ceil(x1), math.ceil(y1))
            if rounded != extent:
                why = "rounded outwards to whole pixels"
                self._lose(image, index, shape, "box coordinates", why)
            x0, y0, x1, y1 = rounded
        element = ET.Element("bndbox")
        corners = (x0 + self.offset, y0 + self.offset, x1, y1)
        for key, value in zip(("xmin", "ymin", "xmax", "ymax"), corners, strict=True):
            ET.SubElement(element, key).text = number_text(value)
        return element

    def _attributes(self, image: ImageLabels, index: int, shape: Shape, obj: ET.Element) -> None:
        extra: list[tuple[str, Any]] = []
        for key, value in shape.attributes.items():
            if key in DIRECT and _direct_ok(key, value):
                _direct(obj, key, value)
                read = _read_back(key, value)
            else:
                extra.append((key, value))
                read = guess_value(value_text(value)[0])
            if not same_value(read, value):
                why = f"VOC keeps values as text, and {value!r} reads back as {read!r}"
                self._lose(image, index, shape, f"attribute {key!r}", why)
        if extra:
            block = ET.SubElement(obj, "attributes")
            for key, value in extra:
                item = ET.SubElement(block, "attribute")
                ET.SubElement(item, "name").text = key
                ET.SubElement(item, "value").text = value_text(value)[0]

    def _save(self, name: str, root: ET.Element) -> None:
        stem = name.rpartition(".")[0] if "." in name.rpartition("/")[2] else name
        relative = f"{stem}.xml"
        if relative in self.written:  # a.jpg and a.png side by side
            relative = f"{name}.xml"
        self.written.add(relative)
        target = self.annotations / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(element_text(root, 0) + "\n", encoding="utf-8")
        except OSError as error:
            raise FormatError(f"cannot write {target}: {error.strerror}") from None

    def finish(self) -> None:
        lines = ["# label:color_rgb:parts:actions", "background:0,0,0::"]
        declared = {name: self.classes[name] for name in self.classes}
        for name, spec in {**declared, **self.used}.items():
            parts = ",".join(self.parts.get(name, ()))
            actions = ",".join(self.actions.get(name, ()))
            lines.append(f"{name}:{rgb_text(spec.color if spec else None)}:{parts}:{actions}")
        target = self.out / LABELMAP
        try:
            target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        except OSError as error:
            raise FormatError(f"cannot write {target}: {error.strerror}") from None


def _direct_ok(key: str, value: Any) -> bool:
    """Whether ``value`` can be an element of the object (a tree needs XML-name keys)."""
    if isinstance(value, Mapping):
        return all(is_xml_name(k) and _direct_ok(k, v) for k, v in value.items())
    return True


def _direct(obj: ET.Element, key: str, value: Any) -> None:
    element = ET.SubElement(obj, key)
    if isinstance(value, Mapping):
        _tree(element, value)
    elif key in FLAGS and isinstance(value, bool):
        element.text = "1" if value else "0"
    elif key == "pose" and isinstance(value, str):
        element.text = value
    else:
        element.text = value_text(value)[0]


def _tree(element: ET.Element, value: Mapping[str, Any]) -> None:
    for key, item in value.items():
        child = ET.SubElement(element, str(key))
        if isinstance(item, Mapping):
            _tree(child, item)
        else:
            child.text = value_text(item)[0]


def _read_back(key: str, value: Any) -> Any:
    """What the reader makes of ``value`` written as the object's element ``key``."""
    if isinstance(value, Mapping):
        return {str(k): _read_back("", v) for k, v in value.items()} or ""
    if key in FLAGS and isinstance(value, bool):
        return value
    text = value_text(value)[0]
    if key == "pose":
        return text
    return flag_value(text) if key in FLAGS else guess_value(text)
