"""limner shapes to Label Studio ``result`` items, for one annotation on one image.

Pure data conversion with the image size as the only context, so the adapter can hand any
annotation to it without I/O; what Label Studio cannot hold is refused with a message for
that annotation alone.

Result ids are limner annotation uuids. Coordinates are percentages of the image size,
computed as ``px / size * 100`` with no rounding, so reading back gives the same floats to
within a few ulps. A rotated box is written as Label Studio turns rectangles: about its
top-left corner, which is therefore where limner's box (turned about its centre) puts that
corner. Ellipses are ``ellipselabels`` (centre, radii, rotation), polylines open
``vectorlabels`` paths, points ``keypointlabels`` items with no ``parentID``, and image
tags whole-image items of their control (choices, text, rating or number).

Keypoints have no instance in Label Studio: each labeled point is one ``keypointlabels``
item with id ``"<uuid>:<point index>"`` and ``parentID`` set to the instance uuid. Label
Studio has no visibility flag, so occluded points (COCO ``v = 1``) carry
``meta.limner.v = 1``. Skeleton edges are written as unlabeled ``relation`` items between
point items, and a group member that is not its group's anchor carries one unlabeled
relation from the anchor to itself. Per-region attributes are extra items with the
region's id (for keypoints, the id of the instance's first labeled point) whose value
repeats the geometry, as Label Studio writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from limner.models.domain.attributes import AttributeSpec, SchemaError
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
from limner.models.domain.geometry.box import turn_point
from limner.sync.adapters.labelstudio_config import (
    ATTRIBUTE_TYPE_TO_CONTROL,
    KIND_TO_TYPE,
    LabelStudioFormatError,
    LSClassSpec,
    check_image_size,
)
from limner.sync.adapters.labelstudio_groups import group_relation
from limner.sync.adapters.labelstudio_rle import encode_mask

__all__ = ["KEYPOINT_WIDTH", "region_to_results"]

# Display radius of a written keypoint, in percent of the image width. Label Studio draws
# points with 0.2-0.7; limner keeps no size, so one middle value is written.
KEYPOINT_WIDTH = 0.5


def _envelope(
    item_id: str, cls: LSClassSpec, type_: str, from_name: str, width: int, height: int
) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": type_,
        "from_name": from_name,
        "to_name": cls.to_name,
        "original_width": width,
        "original_height": height,
        "image_rotation": 0,
    }


def region_to_results(
    uuid: str,
    geometry: Geometry,
    cls: LSClassSpec,
    attributes: Mapping[str, Any],
    width: int,
    height: int,
    *,
    skeleton_edges: Iterable[Sequence[int]] = (),
    parent_id: str | None = None,
    group: str | None = None,
) -> list[dict[str, Any]]:
    """The ``result`` items of one limner annotation on a ``width`` x ``height`` image.

    Raises :class:`LabelStudioFormatError` for an annotation Label Studio cannot hold (a
    polygon with holes or several parts, keypoints without a labeled point, an attribute
    with no per-region control), so the caller can report it for this annotation alone.
    ``skeleton_edges`` (point index pairs) are written as relations between labeled
    points; ``parent_id`` replaces the instance uuid as the points' ``parentID`` (see
    :class:`LSRegion`); ``group`` is the anchor of the group the annotation is in, when
    it is not the anchor itself.
    """
    width, height = check_image_size(width, height)
    if not isinstance(cls, LSClassSpec):
        raise LabelStudioFormatError(
            f"class {getattr(cls, 'name', cls)!r} does not come from a Label Studio config"
        )
    kind = getattr(geometry, "kind", None)
    if kind != cls.kind:
        raise LabelStudioFormatError(
            f"annotation {uuid} is a {kind} but class {cls.name!r} holds {cls.kind} annotations"
        )
    if isinstance(geometry, Tag):
        return [_tag_item(uuid, geometry, cls, attributes, group)]
    type_ = KIND_TO_TYPE[cls.kind]

    if isinstance(geometry, Keypoints):
        items, attribute_target = _keypoint_items(
            uuid, geometry, cls, width, height, parent_id, skeleton_edges
        )
    else:
        value = _geometry_value(uuid, geometry, width, height)
        item = _envelope(uuid, cls, type_, cls.control_name, width, height)
        item["value"] = {**value, type_: [cls.label]}
        items = [item]
        attribute_target = (uuid, value)

    target_id, target_value = attribute_target
    items.extend(_attribute_items(uuid, cls, attributes, target_id, target_value, width, height))
    if group is not None:
        items.append(group_relation(group, target_id))
    return items


def _attribute_items(
    uuid: str,
    cls: LSClassSpec,
    attributes: Mapping[str, Any],
    target_id: str,
    target_value: Mapping[str, Any],
    width: int,
    height: int,
) -> list[dict[str, Any]]:
    """One item per set attribute, with the region's id and its geometry repeated."""
    schema = {spec["name"]: spec for spec in cls.attribute_schema}
    items: list[dict[str, Any]] = []
    for name, raw in attributes.items():
        spec = schema.get(name)
        if spec is None:
            raise LabelStudioFormatError(
                f"attribute {name!r} of annotation {uuid} has no per-region control in the "
                f"Label Studio config for class {cls.name!r}"
            )
        entry = _attribute_value(uuid, spec, raw)
        if entry is None:
            continue
        control_type = ATTRIBUTE_TYPE_TO_CONTROL[spec["type"]]
        item = _envelope(target_id, cls, control_type, name, width, height)
        item["value"] = {**target_value, **entry}
        items.append(item)
    return items


def _tag_item(
    uuid: str, tag: Tag, cls: LSClassSpec, attributes: Mapping[str, Any], group: str | None
) -> dict[str, Any]:
    """The whole-image item of one image tag, in the form of its control's answers."""
    if attributes:
        raise LabelStudioFormatError(
            f"image tag {uuid} has attributes, which Label Studio's whole-image answers "
            "cannot hold"
        )
    if group is not None:
        raise LabelStudioFormatError(f"image tag {uuid} is in a group; a tag joins no group")
    value = tag.value
    control = cls.control_type
    if control == "choices":
        answer: dict[str, Any] = {"choices": list(value) if isinstance(value, tuple) else [value]}
    elif control == "textarea" and isinstance(value, str):
        answer = {"text": [value]}
    elif control in ("rating", "number") and isinstance(value, int | float):
        answer = {control: value}
    else:
        raise LabelStudioFormatError(
            f"image tag {uuid} holds {value!r}, which a {control or 'missing'} control "
            "cannot answer"
        )
    return {
        "id": uuid,
        "type": control,
        "from_name": cls.control_name,
        "to_name": cls.to_name,
        "value": answer,
    }


def _percent_x(value: float, width: int) -> float:
    return value / width * 100


def _percent_y(value: float, height: int) -> float:
    return value / height * 100


def _geometry_value(uuid: str, geometry: Geometry, width: int, height: int) -> dict[str, Any]:
    """The ``value`` of a box, polygon or mask, without its label list."""
    if isinstance(geometry, Box):
        return _box_value(geometry, width, height)
    if isinstance(geometry, Ellipse):
        return {
            "x": _percent_x(geometry.cx, width),
            "y": _percent_y(geometry.cy, height),
            "radiusX": _percent_x(geometry.rx, width),
            "radiusY": _percent_y(geometry.ry, height),
            "rotation": geometry.angle,
        }
    if isinstance(geometry, Point):
        return {
            "x": _percent_x(geometry.x, width),
            "y": _percent_y(geometry.y, height),
            "width": KEYPOINT_WIDTH,
        }
    if isinstance(geometry, Polyline):
        return {"vertices": _vertices(geometry, width, height), "closed": False}
    if isinstance(geometry, Polygon):
        if len(geometry.parts) > 1:
            raise LabelStudioFormatError(
                f"polygon {uuid} has {len(geometry.parts)} separate parts, which Label Studio "
                "polygons cannot hold; split it or draw it as a mask"
            )
        part = geometry.parts[0]
        if part.holes:
            raise LabelStudioFormatError(
                f"polygon {uuid} has holes, which Label Studio polygons cannot hold; "
                "draw it as a mask instead"
            )
        return {
            "points": [[_percent_x(x, width), _percent_y(y, height)] for x, y in part.outer],
            "closed": True,
        }
    if isinstance(geometry, Mask):
        if (geometry.image_width, geometry.image_height) != (width, height):
            raise LabelStudioFormatError(
                f"mask {uuid} belongs to a {geometry.image_width}x{geometry.image_height} image, "
                f"not to this {width}x{height} one"
            )
        return {"format": "rle", "rle": encode_mask(geometry.to_array())}
    raise LabelStudioFormatError(f"annotation {uuid} has no geometry limner can upload")


def _box_value(box: Box, width: int, height: int) -> dict[str, Any]:
    """A rectangle's value: Label Studio turns it about its top-left corner."""
    x0, y0 = box.x0, box.y0
    if box.rotated:
        x0, y0 = turn_point(box.x0, box.y0, *box.centre, box.angle)
    return {
        "x": _percent_x(x0, width),
        "y": _percent_y(y0, height),
        "width": _percent_x(box.width, width),
        "height": _percent_y(box.height, height),
        "rotation": box.angle if box.rotated else 0,
    }


def _vertices(line: Polyline, width: int, height: int) -> list[dict[str, Any]]:
    """A vector path's vertices, each naming the one before it, as Label Studio's own."""
    out: list[dict[str, Any]] = []
    for index, (x, y) in enumerate(line.points):
        vertex: dict[str, Any] = {"id": f"p{index}"}
        if index:
            vertex["prevPointId"] = f"p{index - 1}"
        vertex.update(x=_percent_x(x, width), y=_percent_y(y, height), isBezier=False)
        out.append(vertex)
    return out


def _keypoint_items(
    uuid: str,
    geometry: Keypoints,
    cls: LSClassSpec,
    width: int,
    height: int,
    parent_id: str | None,
    skeleton_edges: Iterable[Sequence[int]],
) -> tuple[list[dict[str, Any]], tuple[str, dict[str, Any]]]:
    """Point items (and edge relations) of one instance, and where attributes attach."""
    names = list((cls.skeleton or {}).get("names", ()))
    if len(geometry.points) != len(names):
        raise LabelStudioFormatError(
            f"keypoints {uuid} have {len(geometry.points)} points but class {cls.name!r} has "
            f"{len(names)} ({', '.join(names)})"
        )
    items: list[dict[str, Any]] = []
    first: tuple[str, dict[str, Any]] | None = None
    for index, (x, y, v) in enumerate(geometry.points):
        if v == 0:
            continue  # not labeled: Label Studio has no item for a missing point
        point_id = f"{uuid}:{index}"
        value = {"x": _percent_x(x, width), "y": _percent_y(y, height), "width": KEYPOINT_WIDTH}
        item = _envelope(point_id, cls, "keypointlabels", cls.control_name, width, height)
        item["parentID"] = parent_id or uuid
        item["value"] = {**value, "keypointlabels": [names[index]]}
        if v == 1:
            item["meta"] = {"limner": {"v": 1}}
        items.append(item)
        if first is None:
            first = (point_id, value)
    if first is None:
        raise LabelStudioFormatError(
            f"keypoints {uuid} have no labeled point; Label Studio cannot hold an empty instance"
        )
    labeled = {i for i, point in enumerate(geometry.points) if point[2] > 0}
    for edge in skeleton_edges:
        a, b = (int(i) for i in edge)
        if not (0 <= a < len(names) and 0 <= b < len(names)):
            raise LabelStudioFormatError(
                f"skeleton edge {a}-{b} of keypoints {uuid} refers to a point the class "
                f"{cls.name!r} does not have"
            )
        if a in labeled and b in labeled:  # an edge to a missing point has nothing to join
            items.append(
                {
                    "type": "relation",
                    "from_id": f"{uuid}:{a}",
                    "to_id": f"{uuid}:{b}",
                    "direction": "right",
                }
            )
    return items, first


def _attribute_value(uuid: str, spec: Mapping[str, Any], raw: Any) -> dict[str, Any] | None:
    """The value key of one attribute item, or None when the attribute is unset."""
    kind = spec["type"]
    if kind not in ATTRIBUTE_TYPE_TO_CONTROL:
        raise LabelStudioFormatError(
            f"attribute {spec['name']!r} of annotation {uuid} is a {kind}, which no Label "
            "Studio per-region control holds"
        )
    try:
        value = AttributeSpec(spec["name"], kind, tuple(spec.get("options", ()))).coerce(raw)
    except SchemaError as error:
        raise LabelStudioFormatError(f"annotation {uuid}: {error}") from None
    if value is None or value == "" or value == []:
        return None
    if kind == "choice":
        return {"choices": [value]}
    if kind == "multi":
        return {"choices": list(value)}
    if kind == "text":
        return {"text": [value]}
    return {"number": value}
