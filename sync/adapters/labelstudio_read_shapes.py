"""One Label Studio geometry item read as a limner shape, with the checks every item passes.

The pieces :mod:`limner.sync.adapters.labelstudio_read` walks a result with: which control
an item belongs to and whether its type agrees, its labels, a box (rotated about its
top-left corner, as Label Studio turns it), polygon, brush, ellipse, vector path or
lone point read in pixels and checked to lie near the image, and keypoint items gathered
into instances (grouped by ``parentID``, as Label Studio has no keypoint instance) with
the relations between their points read as skeleton edges. Points without
``meta.limner.v = 1`` read back as visible. Each refusal is a :class:`SkipItem` whose
message becomes a warning; one bad item never stops the rest of the result from being
read.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Geometry,
    Mask,
    Point,
    Polygon,
    Polyline,
    bounds,
)
from limner.models.domain.geometry.box import turn_point
from limner.sync.adapters.labelstudio_config import LSClassSpec, LSConfig, LSControl
from limner.sync.adapters.labelstudio_rle import decode_mask

__all__ = [
    "EXTENT_LIMIT",
    "PointInstance",
    "SkipItem",
    "add_point",
    "check_extent",
    "describe_item",
    "item_control",
    "item_labels",
    "read_geometry",
    "read_relation",
]

# Relation labels read as skeleton edges (unlabeled relations between points always are).
_EDGE_LABELS = frozenset({"bone", "bones", "edge", "edges", "limb", "link", "skeleton"})


class SkipItem(Exception):
    """An item that cannot become (part of) a region; the message becomes a warning."""


#: How far outside the image a shape may reach (in image sizes) before it is refused as
#: broken: a slightly overhanging box is normal, one spanning a billion pixels is not.
EXTENT_LIMIT = 1.0


def check_extent(geometry: Geometry, width: int, height: int) -> None:
    x0, y0, x1, y1 = bounds(geometry)
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        raise SkipItem("its coordinates are not finite numbers")
    mx, my = EXTENT_LIMIT * width, EXTENT_LIMIT * height
    if x0 < -mx or y0 < -my or x1 > width + mx or y1 > height + my:
        raise SkipItem(
            f"it spans {x0:.6g}..{x1:.6g} x {y0:.6g}..{y1:.6g} px, far outside the "
            f"{width}x{height} image"
        )


def _number(value: Mapping[str, Any], key: str) -> float:
    raw = value.get(key)
    if isinstance(raw, bool) or not isinstance(raw, numbers.Real) or not math.isfinite(raw):
        raise SkipItem(f"its {key!r} is {raw!r}, not a finite number")
    return float(raw)


def item_labels(value: Mapping[str, Any], type_: str) -> list[str]:
    """The label list of a value, also where the API spec's examples nest it.

    Label Studio writes ``value.<type>``; the OpenAPI document's examples show
    ``value.values.<type>``. Both are read; only the first is written.
    """
    labels = value.get(type_)
    if labels is None and isinstance(value.get("values"), Mapping):
        labels = value["values"].get(type_)
    if isinstance(labels, str):
        labels = [labels]
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise SkipItem(f"its {type_!r} is {labels!r}, not a list of labels")
    return labels


def describe_item(item: Mapping[str, Any]) -> str:
    item_id = item.get("id")
    type_ = item.get("type")
    from_name = item.get("from_name")
    where = f" from {from_name!r}" if from_name else ""
    return f"result item {item_id!r} ({type_}{where})" if item_id else f"a {type_} item{where}"


def item_control(
    item: Mapping[str, Any], type_: str, config: LSConfig
) -> tuple[LSControl, Mapping[str, Any]]:
    """The control an item belongs to, checked against the item's type, and its value."""
    from_name = item.get("from_name")
    control = config.control(from_name) if isinstance(from_name, str) else None
    if control is None:
        raise SkipItem(f"the config has no control named {from_name!r}")
    if control.type != type_:
        raise SkipItem(f"{from_name!r} is a {control.type} control, not {type_}")
    to_name = item.get("to_name")
    if to_name is not None and to_name != config.image_tag:
        raise SkipItem(f"it is drawn on {to_name!r}, not on the image {config.image_tag!r}")
    value = item.get("value")
    if not isinstance(value, Mapping):
        raise SkipItem("it has no value object")
    return control, value


def read_geometry(
    item: Mapping[str, Any],
    value: Mapping[str, Any],
    type_: str,
    width: int,
    height: int,
    warnings: list[str],
) -> Geometry:
    rotation_view = item.get("image_rotation")
    if isinstance(rotation_view, numbers.Real) and rotation_view % 360 != 0:
        warnings.append(
            f"{describe_item(item)} was drawn with the image turned by {rotation_view} degrees; "
            "its coordinates were read as if it was not turned"
        )
    if type_ == "rectanglelabels":
        return _read_box(value, width, height)
    if type_ == "polygonlabels":
        return _read_polygon(item, value, width, height, warnings)
    if type_ == "ellipselabels":
        return _read_ellipse(value, width, height)
    if type_ == "vectorlabels":
        return _read_vector(value, width, height)
    if type_ == "keypointlabels":
        return Point(_number(value, "x") / 100 * width, _number(value, "y") / 100 * height)
    # brushlabels
    if value.get("format", "rle") != "rle":
        raise SkipItem(f"its brush format is {value.get('format')!r}; only 'rle' exists")
    drawn = (item.get("original_width"), item.get("original_height"))
    if drawn != (None, None) and drawn != (width, height):
        raise SkipItem(
            f"it was drawn on a {drawn[0]}x{drawn[1]} image, but the image is {width}x{height}"
        )
    return Mask.from_array(decode_mask(value.get("rle"), width, height))


def _read_polygon(
    item: Mapping[str, Any],
    value: Mapping[str, Any],
    width: int,
    height: int,
    warnings: list[str],
) -> Polygon:
    points = value.get("points")
    if not isinstance(points, list):
        raise SkipItem(f"its points are {points!r}, not a list")
    ring: list[tuple[float, float]] = []
    for point in points:
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise SkipItem(f"it has a point {point!r} that is not an [x, y] pair")
        pair = {"x": point[0], "y": point[1]}
        ring.append((_number(pair, "x") / 100 * width, _number(pair, "y") / 100 * height))
    if value.get("closed") is False:
        warnings.append(f"{describe_item(item)} was an open polygon in Label Studio; closed it")
    return Polygon.from_points(ring)


def _angle(value: Mapping[str, Any]) -> float:
    rotation = value.get("rotation", 0) or 0
    if isinstance(rotation, bool) or not isinstance(rotation, numbers.Real):
        raise SkipItem(f"its rotation is {rotation!r}, not a number")
    if not math.isfinite(rotation):
        raise SkipItem(f"its rotation is {rotation!r}, not a finite number")
    return float(rotation)


def _read_box(value: Mapping[str, Any], width: int, height: int) -> Box:
    """A rectangle: ``x``/``y`` is its top-left corner, which Label Studio also turns it
    about; limner turns boxes about their centre, so the centre is where it moved to."""
    x0 = _number(value, "x") / 100 * width
    y0 = _number(value, "y") / 100 * height
    w = _number(value, "width") / 100 * width
    h = _number(value, "height") / 100 * height
    angle = _angle(value)
    if angle % 360 == 0:
        return Box(x0, y0, x0 + w, y0 + h)
    if w <= 0 or h <= 0:
        raise SkipItem(f"it is {w:.6g} x {h:.6g} px, not a box")
    cx, cy = turn_point(x0 + w / 2, y0 + h / 2, x0, y0, angle)
    return Box.from_centre(cx, cy, w, h, angle)


def _read_ellipse(value: Mapping[str, Any], width: int, height: int) -> Ellipse:
    return Ellipse(
        _number(value, "x") / 100 * width,
        _number(value, "y") / 100 * height,
        _number(value, "radiusX") / 100 * width,
        _number(value, "radiusY") / 100 * height,
        _angle(value),
    )


def _read_vector(value: Mapping[str, Any], width: int, height: int) -> Polyline:
    """An open path of straight segments, each vertex following the one before it.

    Closed paths, Bezier curves and branching (skeleton) paths are valid Label Studio
    vectors that a limner polyline does not hold; they are kept as they are.
    """
    if value.get("closed"):
        raise SkipItem("it is a closed vector path and limner polylines are open; kept as it is")
    vertices = value.get("vertices")
    if not isinstance(vertices, list):
        raise SkipItem(f"its vertices are {vertices!r}, not a list")
    points: list[tuple[float, float]] = []
    previous: Any = None
    for index, vertex in enumerate(vertices):
        if not isinstance(vertex, Mapping):
            raise SkipItem(f"its vertex {index} is {vertex!r}, not an object")
        if vertex.get("isBezier") or vertex.get("controlPoint1") or vertex.get("controlPoint2"):
            raise SkipItem("it has Bezier curves and limner polylines are straight; kept as it is")
        before = vertex.get("prevPointId")
        if index > 0 and before is not None and before != previous:
            raise SkipItem("it is a branching vector path, not one line; kept as it is")
        previous = vertex.get("id")
        points.append((_number(vertex, "x") / 100 * width, _number(vertex, "y") / 100 * height))
    return Polyline(tuple(points))


@dataclass
class PointInstance:
    """Keypoints of one instance being gathered from point items."""

    uuid: str
    cls: LSClassSpec
    parent_id: str | None
    points: list[tuple[float, float, int]]
    edges: list[tuple[int, int]] = field(default_factory=list)


def add_point(
    item: Mapping[str, Any],
    value: Mapping[str, Any],
    labels: list[str],
    cls: LSClassSpec,
    width: int,
    height: int,
    geometry_ids: set[Any],
    instances: dict[tuple[str, str | None, str | None], PointInstance],
    point_owner: dict[str, tuple[PointInstance, int]],
    used_uuids: set[str],
    warnings: list[str],
) -> PointInstance:
    """Put one keypoint item into its instance (grouped by ``parentID``) and return it."""
    names = list((cls.skeleton or {}).get("names", ()))
    label = labels[0]
    if label not in names:
        raise SkipItem(f"its label {label!r} is not a point of {cls.control_name!r}")
    if len(labels) > 1:
        warnings.append(f"{describe_item(item)} has labels {labels}; limner keeps only {label!r}")
    x = _number(value, "x") / 100 * width
    y = _number(value, "y") / 100 * height
    meta = item.get("meta")
    limner_meta = meta.get("limner") if isinstance(meta, Mapping) else None
    occluded = isinstance(limner_meta, Mapping) and limner_meta.get("v") == 1
    point_id = item.get("id")

    parent = item.get("parentID")
    if isinstance(parent, str) and parent:
        key: tuple[str, str | None, str | None] = (cls.control_name, parent, None)
        instance = instances.get(key)
        if instance is None:
            linked = parent in geometry_ids
            uuid = f"{parent}:{cls.control_name}" if linked else parent
            if uuid in used_uuids:
                uuid = f"{parent}:{cls.control_name}"
            instance = PointInstance(
                uuid, cls, parent if linked else None, [(0.0, 0.0, 0)] * len(names)
            )
            instances[key] = instance
            used_uuids.add(uuid)
    else:
        if not isinstance(point_id, str) or not point_id:
            raise SkipItem("it has neither an id nor a parentID")
        warnings.append(
            f"{describe_item(item)} has no parentID, so nothing says which instance it belongs "
            "to; it became an instance of its own"
        )
        instance = PointInstance(point_id, cls, None, [(0.0, 0.0, 0)] * len(names))
        instances[(cls.control_name, None, point_id)] = instance
        used_uuids.add(point_id)

    index = names.index(label)
    if instance.points[index][2] != 0:
        raise SkipItem(f"instance {instance.uuid} already has a {label!r} point")
    instance.points[index] = (x, y, 1 if occluded else 2)
    if isinstance(point_id, str) and point_id:
        point_owner[point_id] = (instance, index)
    return instance


def read_relation(
    item: Mapping[str, Any],
    point_owner: dict[str, tuple[PointInstance, int]],
    warnings: list[str],
) -> bool | None:
    """Record a skeleton edge: True when the relation was used (an edge, or a point
    linked to its parent), False when it was refused (with a warning), None when it is
    no relation inside one instance (it may link regions into a group)."""
    source, target = item.get("from_id"), item.get("to_id")
    a = point_owner.get(source) if isinstance(source, str) else None
    b = point_owner.get(target) if isinstance(target, str) else None
    raw_labels = item.get("labels") or []
    labels = [str(label).lower() for label in raw_labels] if isinstance(raw_labels, list) else []
    if a is not None and b is not None and a[0] is b[0]:
        if labels and not set(labels) & _EDGE_LABELS:
            warnings.append(
                f"relation {raw_labels} between points {source!r} and {target!r} is not a "
                "skeleton edge; ignored"
            )
            return False
        instance, i, j = a[0], a[1], b[1]
        if i != j and not any({i, j} == set(edge) for edge in instance.edges):
            instance.edges.append((i, j))
        return True
    # A point related to its own parent region repeats what parentID already says.
    for point, other in ((a, target), (b, source)):
        if point is not None and other == point[0].parent_id:
            return True
    return None
