"""Writing CVAT for images 1.1: images as they come, the label list once they are all in.

The ``<meta>`` block comes first in the file but depends on every image (the number of
images, the attributes the shapes use and the values they take), so the images go to a
temporary file beside the output as they are written, and the whole file is put together
and renamed into place at the end: memory holds one image at a time, and a failed export
leaves no half-written file under the real name.

What CVAT cannot hold exactly is named: a polygon with holes (written as a mask of its
pixels), attributes of image tags answered with several choices (each choice is a tag of
its own, and comes back as one tag), keypoints whose class has no skeleton, a prediction
(written with ``source="auto"``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import numpy as np

from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Geometry,
    Keypoints,
    Mask,
    Point,
    Polygon,
    Polyline,
    Tag,
)
from limner.models.formats._cvat_meta import (
    SeenAttribute,
    input_type_of,
    label_elements,
    typed_value,
    undeclared,
    value_text,
)
from limner.models.formats._groups import GroupNumbers
from limner.models.formats._xml import element_text, number_text, same_value
from limner.models.formats.base import ClassSpec, FormatError, ImageLabels, Loss, Shape, shape_loss
from limner.models.imaging.mask_ops import polygon_to_mask_geometry

_HEADER = '<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n  <version>1.1</version>\n'


def mask_rle(mask: Mask) -> str:
    """CVAT's ``rle``: runs over the crop row by row, starting with unset pixels."""
    flat = mask.crop_array().ravel()
    edges = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate(([0], edges, [flat.size]))
    runs = np.diff(bounds).tolist()
    if flat[0]:
        runs.insert(0, 0)
    return ", ".join(str(r) for r in runs)


def _xy(points: Sequence[tuple[float, float]]) -> str:
    return ";".join(f"{number_text(x)},{number_text(y)}" for x, y in points)


class CvatWriter:
    """Writes images one at a time; :meth:`finish` puts the file together."""

    def __init__(self, out: Path, classes: Sequence[ClassSpec]) -> None:
        self.out = out
        self.classes = {spec.name: spec for spec in classes}
        self.order = [spec.name for spec in classes]
        self.losses: list[Loss] = []
        self.seen: dict[str, dict[str, SeenAttribute]] = {}
        self.count = 0
        self.ids: set[int] = set()
        self.kinds: dict[str, set[str]] = {}
        self.body_path = out.with_name(out.name + ".images.tmp")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            self.body: IO[str] = self.body_path.open("w", encoding="utf-8")
        except OSError as error:
            raise FormatError(f"cannot write beside {out}: {error.strerror}") from None

    def _lose(self, image: ImageLabels, index: int, shape: Shape, what: str, why: str) -> None:
        self.losses.append(shape_loss(image, index, shape, what, why))

    def write_image(self, image: ImageLabels) -> None:
        number = image.id if isinstance(image.id, int) else self.count
        if number in self.ids:
            number = max(self.ids) + 1
        self.ids.add(number)
        attrib = {"id": str(number), "name": image.name}
        if image.width is not None and image.height is not None:
            attrib.update(width=str(image.width), height=str(image.height))
        else:
            why = "the image's size is unknown, so its <image> has no width and height"
            self.losses.append(Loss(image.name, None, "image size", why))
        element = ET.Element("image", attrib)
        numbers = GroupNumbers(image)
        merged_points = _point_sets(image)
        for index, shape in enumerate(image.shapes):
            if shape.class_name is None:
                why = "a CVAT shape needs a label; the shape is not written"
                self._lose(image, index, shape, "class", why)
                continue
            if shape.class_name not in self.classes and shape.class_name not in self.order:
                self.order.append(shape.class_name)
            self.kinds.setdefault(shape.class_name, set()).add(shape.kind)
            members = merged_points.get(index)
            if members == []:
                continue  # written with the first point of its set
            for child in self._elements(image, index, shape, numbers, members):
                element.append(child)
        self._check_merges(image, numbers)
        self.body.write(element_text(element, 1) + "\n")
        self.count += 1

    def _elements(
        self,
        image: ImageLabels,
        index: int,
        shape: Shape,
        numbers: GroupNumbers,
        members: list[int] | None,
    ) -> list[ET.Element]:
        geometry = shape.geometry
        if isinstance(geometry, Tag):
            return self._tags(image, index, shape)
        if isinstance(geometry, Polygon) and any(p.holes for p in geometry.parts):
            geometry = self._holed(image, index, shape, geometry)
            if geometry is None:
                return []
        pieces = self._pieces(image, index, shape, geometry, members)
        whole_set = members is not None and _only_set(image, shape, members)
        group = None if whole_set else numbers.number(shape.group, len(pieces) > 1)
        if isinstance(geometry, Polygon):
            numbers.polygons.append((group, shape.class_name, index))
        out = []
        for tag, attrib, children in pieces:
            element = ET.Element(tag, self._common(image, index, shape, attrib, group))
            element.extend(children)
            self._attributes(image, index, shape, element)
            out.append(element)
        return out

    def _holed(self, image: ImageLabels, index: int, shape: Shape, polygon: Polygon) -> Mask | None:
        if image.width is None or image.height is None:
            why = "CVAT polygons have no holes, and without the image's size it cannot be a mask"
            self._lose(image, index, shape, "polygon hole", why)
            return None
        mask = polygon_to_mask_geometry(polygon, image.width, image.height)
        if mask is None:
            why = "the polygon with holes covers no pixel of the image; it is not written"
            self._lose(image, index, shape, "polygon hole", why)
            return None
        why = "CVAT polygons have no holes; the polygon is written as a mask of its pixels"
        self._lose(image, index, shape, "polygon hole", why)
        return mask

    def _pieces(
        self,
        image: ImageLabels,
        index: int,
        shape: Shape,
        geometry: Geometry,
        members: list[int] | None,
    ) -> list[tuple[str, dict[str, str], list[ET.Element]]]:
        if isinstance(geometry, Box):
            attrib = {
                "xtl": number_text(geometry.x0),
                "ytl": number_text(geometry.y0),
                "xbr": number_text(geometry.x1),
                "ybr": number_text(geometry.y1),
            }
            if geometry.rotated:
                attrib["rotation"] = number_text(geometry.angle)
            return [("box", attrib, [])]
        if isinstance(geometry, Polygon):
            return [("polygon", {"points": _xy(part.outer)}, []) for part in geometry.parts]
        if isinstance(geometry, Polyline):
            return [("polyline", {"points": _xy(geometry.points)}, [])]
        if isinstance(geometry, Point):
            chosen = [image.shapes[i].geometry for i in members or [index]]
            points = [(p.x, p.y) for p in chosen if isinstance(p, Point)]
            return [("points", {"points": _xy(points)}, [])]
        if isinstance(geometry, Ellipse):
            attrib = {k: number_text(getattr(geometry, k)) for k in ("cx", "cy", "rx", "ry")}
            if geometry.angle:
                attrib["rotation"] = number_text(geometry.angle)
            return [("ellipse", attrib, [])]
        if isinstance(geometry, Mask):
            attrib = {"rle": mask_rle(geometry)}
            for key in ("left", "top", "width", "height"):
                attrib[key] = str(getattr(geometry, key))
            return [("mask", attrib, [])]
        if isinstance(geometry, Keypoints):
            return self._skeleton(image, index, shape, geometry)
        why = f"CVAT has no place for a {geometry.kind}; it is not written"
        self._lose(image, index, shape, geometry.kind, why)
        return []

    def _skeleton(
        self, image: ImageLabels, index: int, shape: Shape, keypoints: Keypoints
    ) -> list[tuple[str, dict[str, str], list[ET.Element]]]:
        spec = self.classes.get(shape.class_name or "")
        skeleton = spec.skeleton if spec is not None else None
        if skeleton is None or len(skeleton.names) != len(keypoints.points):
            why = "the class has no skeleton with as many points; the keypoints are not written"
            self._lose(image, index, shape, "keypoints", why)
            return []
        children = []
        for name, (x, y, v) in zip(skeleton.names, keypoints.points, strict=True):
            attrib = {
                "label": name,
                "source": "manual",
                "outside": "1" if v == 0 else "0",
                "occluded": "1" if v == 1 else "0",
                "points": _xy([(x, y)]),
            }
            children.append(ET.Element("points", attrib))
        return [("skeleton", {}, children)]

    def _common(
        self,
        image: ImageLabels,
        index: int,
        shape: Shape,
        geometry: Mapping[str, str],
        group: int | None,
    ) -> dict[str, str]:
        source = shape.attributes.get("source")
        if not isinstance(source, str):
            source = "manual"
            if shape.source == "prediction":
                source = "auto"
                why = "CVAT marks model output as source 'auto'; it is read back as a label"
                self._lose(image, index, shape, "prediction", why)
        occluded = shape.attributes.get("occluded") is True
        attrib = {"label": shape.class_name or "", "source": source}
        attrib["occluded"] = "1" if occluded else "0"
        attrib.update(geometry)
        attrib["z_order"] = str(shape.z)
        if group is not None:
            attrib["group_id"] = str(group)
        return attrib

    def _attributes(
        self, image: ImageLabels, index: int, shape: Shape, element: ET.Element
    ) -> None:
        label = shape.class_name or ""
        seen = self.seen.setdefault(label, {})
        spec = self.classes.get(label)
        declared = {a.name: a for a in spec.attribute_schema} if spec is not None else {}
        for key, value in shape.attributes.items():
            if (key == "occluded" and isinstance(value, bool)) or (
                key == "source" and isinstance(value, str)
            ):
                continue
            seen.setdefault(key, SeenAttribute()).add(value)
            text = value_text(value)
            ET.SubElement(element, "attribute", {"name": key}).text = text
            attribute = declared.get(key)
            if attribute is not None and attribute.type != "multi":
                back = typed_value(text, input_type_of(attribute))
                if not same_value(back, value):
                    why = f"CVAT keeps {value!r} as the text {text!r}, which reads back as {back!r}"
                    self._lose(image, index, shape, f"attribute {key!r}", why)
            elif isinstance(value, list | tuple | Mapping):
                why = f"{value!r} is written as the text {text!r}"
                self._lose(image, index, shape, f"attribute {key!r}", why)

    def _tags(self, image: ImageLabels, index: int, shape: Shape) -> list[ET.Element]:
        assert isinstance(shape.geometry, Tag)
        label = shape.class_name or ""
        value = shape.geometry.value
        answers = value if isinstance(value, tuple) else (value,)
        out = []
        for answer in answers:
            element = ET.Element("tag", self._common(image, index, shape, {}, None))
            del element.attrib["occluded"], element.attrib["z_order"]
            if answer != label:
                self.seen.setdefault(label, {}).setdefault(label, SeenAttribute()).add(answer)
                ET.SubElement(element, "attribute", {"name": label}).text = value_text(answer)
            self._attributes(image, index, shape, element)
            out.append(element)
        if isinstance(value, tuple) and len(value) == 1:
            why = "a tag of one choice out of several comes back as that choice alone"
            self._lose(image, index, shape, "tag", why)
        if len(answers) > 1 and shape.attributes:
            why = "each choice is a tag of its own, each with the attributes"
            self._lose(image, index, shape, "tag attributes", why)
        return out

    def _check_merges(self, image: ImageLabels, numbers: GroupNumbers) -> None:
        seen: set[tuple[int, str | None]] = set()
        for group, label, index in numbers.polygons:
            if group is None:
                continue
            if (group, label) in seen:
                why = "polygons of one label in one group are read back as one polygon in parts"
                self._lose(image, index, image.shapes[index], "group", why)
            seen.add((group, label))

    def finish(self) -> None:
        """Write the ``<meta>`` and the images into place; on failure leave nothing."""
        self.body.close()
        specs = [self.classes[name] for name in self.order if name in self.classes]
        tags = [name for name, kinds in self.kinds.items() if kinds == {"tag"}]
        specs += undeclared(specs, [n for n in self.order if n not in self.classes], tags)
        meta = ET.Element("meta")
        task = ET.SubElement(meta, "task")
        ET.SubElement(task, "name").text = self.out.stem
        ET.SubElement(task, "size").text = str(self.count)
        ET.SubElement(task, "mode").text = "annotation"
        labels = ET.SubElement(task, "labels")
        for spec in specs:
            labels.extend(label_elements(spec, self.seen.get(spec.name, {}), self.losses))
        self._mixed_kinds()
        final = self.out.with_name(self.out.name + ".tmp")
        try:
            with final.open("w", encoding="utf-8") as handle:
                handle.write(_HEADER)
                handle.write(element_text(meta, 1) + "\n")
                with self.body_path.open("r", encoding="utf-8") as body:
                    shutil.copyfileobj(body, handle)
                handle.write("</annotations>\n")
            os.replace(final, self.out)
        except OSError as error:
            with contextlib.suppress(OSError):
                final.unlink()
            raise FormatError(f"cannot write {self.out}: {error.strerror}") from None
        finally:
            with contextlib.suppress(OSError):
                self.body_path.unlink()

    def abandon(self) -> None:
        """Remove the temporary file after a failure."""
        self.body.close()
        with contextlib.suppress(OSError):
            self.body_path.unlink()

    def _mixed_kinds(self) -> None:
        for label, attributes in self.seen.items():
            declared = self.classes.get(label)
            names = {a.name for a in declared.attribute_schema} if declared else set()
            for key, seen in attributes.items():
                if key not in names and len(seen.kinds) > 1:
                    why = "its values are of several kinds; all are written as text"
                    self.losses.append(Loss(None, None, f"attribute {key!r} of {label!r}", why))


def _point_sets(image: ImageLabels) -> dict[int, list[int]]:
    """Points of one class in one group, written as one ``points`` shape: the first
    index maps to all of them, the others to an empty list."""
    sets: dict[tuple[str, str | None], list[int]] = {}
    for index, shape in enumerate(image.shapes):
        if isinstance(shape.geometry, Point) and shape.group is not None:
            sets.setdefault((shape.group, shape.class_name), []).append(index)
    out: dict[int, list[int]] = {}
    for members in sets.values():
        out[members[0]] = members
        for other in members[1:]:
            out[other] = []
    return out


def _only_set(image: ImageLabels, shape: Shape, members: list[int]) -> bool:
    """True when the points of ``members`` are all of their group (no group_id needed)."""
    return sum(1 for s in image.shapes if s.group == shape.group) == len(members)
