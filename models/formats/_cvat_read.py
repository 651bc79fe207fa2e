"""Reading the shapes of one CVAT ``<image>`` into limner's.

CVAT's coordinates are limner's (continuous pixels, ``(0, 0)`` at the image's top-left
corner) and its rotation is limner's too (degrees, clockwise on screen, about the centre),
so numbers go across unchanged. The parts that need a rule:

* ``points`` holding several points become that many points in one group (and a group of
  points of one class is written back as one ``points`` shape);
* polygons of one label with one ``group_id`` become one polygon in several parts;
* a ``mask``'s ``rle`` counts its crop's pixels row by row, starting with a run of unset
  pixels;
* a ``skeleton``'s points are matched to the label's points by name; one that is
  ``outside`` is not labeled, one that is ``occluded`` is labeled but hidden;
* a ``tag`` with an attribute named like its label holds that attribute's value as its
  answer (several such tags of one label are one answer of several choices); a tag
  without one answers with its label's name;
* ``occluded`` is the attribute ``occluded`` when set, a ``source`` other than
  ``manual`` the attribute ``source``, and ``z_order`` the stacking order.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
from limner.models.errors import GeometryError
from limner.models.formats._cvat_meta import LabelInfo, typed_value
from limner.models.formats._groups import Piece, merge_polygons
from limner.models.formats._xml import parse_flag, parse_number
from limner.models.formats.base import ImageLabels, Loss, Provenance, Shape

NAME = "cvat"
_KNOWN = frozenset(
    {
        "label", "source", "occluded", "z_order", "group_id", "rotation", "points",
        "xtl", "ytl", "xbr", "ybr", "cx", "cy", "rx", "ry",
        "rle", "left", "top", "width", "height", "outside",
    }
)  # fmt: skip


class _Skip(Exception):
    """An element that cannot be read; ``what`` and ``why`` name the loss."""

    def __init__(self, what: str, why: str) -> None:
        super().__init__(why)
        self.what = what
        self.why = why


def _points(text: str | None, what: str) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for index, pair in enumerate((text or "").split(";")):
        if not pair.strip():
            continue
        x, sep, y = pair.partition(",")
        if not sep:
            raise ValueError(f"point {index} of {what} is not 'x,y' ({pair.strip()!r})")
        out.append((parse_number(x, f"{what} point {index} x"), parse_number(y, f"{what} y")))
    return out


class ImageReader:
    """Reads ``<image>`` elements; dataset-level losses go to ``losses``."""

    def __init__(
        self, labels: dict[str, LabelInfo], source: str, images: Path | None, losses: list[Loss]
    ) -> None:
        self.labels = labels
        self.source = source
        self.images = images
        self.losses = losses
        self._named: set[str] = set()

    def _dataset_loss(self, what: str, why: str) -> None:
        if what not in self._named:
            self._named.add(what)
            self.losses.append(Loss(None, None, what, why))

    def image(self, element: ET.Element) -> ImageLabels:
        name = element.get("name", "")
        image_id = element.get("id", "")
        for key in element.attrib:
            if key not in ("id", "name", "width", "height"):
                self._dataset_loss(f"image field {key!r}", f"limner keeps no {key!r} of an image")
        width = _whole(element.get("width"))
        height = _whole(element.get("height"))
        size = (width, height) if width is not None and height is not None else None
        losses: list[Loss] = []
        pieces: list[Piece] = []
        tags: dict[str, list[tuple[Any, dict[str, Any], int]]] = {}
        for number, child in enumerate(element, start=1):
            try:
                if child.tag == "tag":
                    self._tag(child, number, tags)
                else:
                    pieces.extend(self._pieces(child, number, size, losses, name))
            except _Skip as skip:
                losses.append(Loss(name, number, skip.what, skip.why))
            except (ValueError, GeometryError) as error:
                why = f"the {child.tag} cannot be read: {error}"
                losses.append(Loss(name, number, child.tag, why))
        shapes = [*merge_polygons(pieces), *self._tag_shapes(tags)]
        path = self.images / name if self.images is not None and name else None
        return ImageLabels(
            name,
            tuple(shapes),
            width,
            height,
            path if path is not None and path.is_file() else None,
            tuple(losses),
            int(image_id) if image_id.isdigit() else (image_id or None),
        )

    def _common(self, child: ET.Element, label: str) -> dict[str, Any]:
        for key in child.attrib:
            if key not in _KNOWN:
                self._dataset_loss(f"shape field {key!r}", f"limner keeps no {key!r} of a shape")
        info = self.labels.get(label)
        inputs = info.inputs if info is not None else {}
        attributes: dict[str, Any] = {}
        for attribute in child.iterfind("attribute"):
            key = attribute.get("name", "")
            attributes[key] = typed_value(attribute.text, inputs.get(key))
        if parse_flag(child.get("occluded")):
            attributes["occluded"] = True
        source = child.get("source", "manual")
        if source != "manual":
            attributes["source"] = source
        return attributes

    def _pieces(
        self,
        child: ET.Element,
        number: int,
        size: tuple[int, int] | None,
        losses: list[Loss],
        image: str,
    ) -> list[Piece]:
        # An empty label (as datumaro writes unlabeled shapes) is a shape without a class.
        label = child.get("label", "").strip()
        notes: list[tuple[str, str]] = []
        geometries = self._geometries(child, label, size, notes)
        losses.extend(Loss(image, number, what, why) for what, why in notes)
        rotation = float(child.get("rotation", "0") or 0)
        if rotation and child.tag not in ("box", "ellipse"):
            why = f"limner cannot turn a {child.tag}; its rotation of {rotation} is not read"
            losses.append(Loss(image, number, "rotation", why))
        attributes = self._common(child, label)
        z = int(parse_number(child.get("z_order", "0"), "z_order"))
        group_id = child.get("group_id", "0") or "0"
        group = group_id if group_id not in ("0", "") else None
        if group is None and len(geometries) > 1:
            group = f"points {number}"
        where = Provenance(self.source, NAME, f"image {image}, {child.tag} {number}")
        return [
            Piece(
                Shape(g, label or None, attributes, where, number, z=z, group=group),
                group,
                [number],
            )
            for g in geometries
        ]

    def _geometries(
        self,
        child: ET.Element,
        label: str,
        size: tuple[int, int] | None,
        notes: list[tuple[str, str]],
    ) -> list[Geometry]:
        tag = child.tag
        if tag == "box":
            corners = [parse_number(child.get(k), k) for k in ("xtl", "ytl", "xbr", "ybr")]
            angle = parse_number(child.get("rotation", "0"), "rotation")
            x0, y0, x1, y1 = corners
            box = Box.from_corners(x0, y0, x1, y1)
            return [Box(box.x0, box.y0, box.x1, box.y1, angle)]
        if tag == "polygon":
            return [Polygon.from_points(_points(child.get("points"), tag))]
        if tag == "polyline":
            return [Polyline.from_points(_points(child.get("points"), tag))]
        if tag == "points":
            return [Point(x, y) for x, y in _points(child.get("points"), tag)]
        if tag == "ellipse":
            values = [parse_number(child.get(k), k) for k in ("cx", "cy", "rx", "ry")]
            return [Ellipse(*values, parse_number(child.get("rotation", "0"), "rotation"))]
        if tag == "mask":
            return [_mask(child, size, notes)]
        if tag == "skeleton":
            return [self._skeleton(child, label)]
        raise _Skip(tag, f"limner has no {tag} shapes")

    def _skeleton(self, child: ET.Element, label: str) -> Keypoints:
        info = self.labels.get(label)
        if info is None or not info.points:
            raise _Skip("skeleton", f"the label {label!r} has no skeleton in the file's <meta>")
        found: dict[str, tuple[float, float, int]] = {}
        for point in child.iterfind("points"):
            name = point.get("label", "")
            if name not in info.points:
                raise _Skip("skeleton", f"{label!r} has no point named {name!r}")
            if point.find("attribute") is not None:
                why = "limner keeps no attributes per point"
                self._dataset_loss(f"attributes of {label!r} points", why)
            if parse_flag(point.get("outside")):
                found[name] = (0.0, 0.0, 0)
                if (point.get("points") or "").strip() not in ("", "0,0", "0.0,0.0"):
                    why = (
                        "limner keeps no position for a point that is not labeled, so the "
                        "positions CVAT gives points marked outside are not kept"
                    )
                    self._dataset_loss(f"outside points of {label!r}", why)
                continue
            ((x, y),) = _points(point.get("points"), f"point {name!r}")
            found[name] = (x, y, 1 if parse_flag(point.get("occluded")) else 2)
        return Keypoints(tuple(found.get(name, (0.0, 0.0, 0)) for name in info.points))

    def _tag(
        self, child: ET.Element, number: int, tags: dict[str, list[tuple[Any, dict, int]]]
    ) -> None:
        label = child.get("label", "").strip()
        if not label:
            raise _Skip("tag", "the tag has no label")
        attributes = self._common(child, label)
        answer = attributes.pop(label, label)
        if isinstance(answer, bool):
            answer = "true" if answer else "false"
        tags.setdefault(label, []).append((answer, attributes, number))

    def _tag_shapes(self, tags: dict[str, list[tuple[Any, dict, int]]]) -> Iterator[Shape]:
        for label, answers in tags.items():
            values = list(dict.fromkeys(a for a, _, _ in answers))
            value: Any = values[0] if len(values) == 1 else tuple(str(v) for v in values)
            _, attributes, number = answers[0]
            where = Provenance(self.source, NAME, f"tag {number}")
            yield Shape(Tag(value), label, attributes, where, number)


def _whole(text: str | None) -> int | None:
    try:
        number = float(text or "")
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and number.is_integer() and number > 0 else None


def _mask(child: ET.Element, size: tuple[int, int] | None, notes: list[tuple[str, str]]) -> Mask:
    if size is None:
        raise ValueError("the image's width and height are missing, and a mask needs them")
    left, top, width, height = (
        int(parse_number(child.get(k), k)) for k in ("left", "top", "width", "height")
    )
    try:
        counts = np.array([int(v) for v in (child.get("rle") or "").split(",")], dtype=np.int64)
    except ValueError:
        raise ValueError("its rle is not a list of whole numbers") from None
    if width < 1 or height < 1 or (counts < 0).any() or int(counts.sum()) != width * height:
        raise ValueError(f"its rle counts {int(counts.sum())} pixels for a {width}x{height} crop")
    values = (np.arange(counts.size) % 2).astype(bool)
    crop = np.repeat(values, counts).reshape(height, width)
    image_width, image_height = size
    x0, y0 = max(left, 0), max(top, 0)
    x1, y1 = min(left + width, image_width), min(top + height, image_height)
    if x0 >= x1 or y0 >= y1:
        raise ValueError("its crop lies outside the image")
    inside = crop[y0 - top : y1 - top, x0 - left : x1 - left]
    if int(inside.sum()) != int(crop.sum()):
        notes.append(("mask", "the pixels of the mask outside the image are dropped"))
    return Mask.from_crop(inside, x0, y0, *size)
