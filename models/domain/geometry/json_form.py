"""The JSON form of a geometry, as the project file stores it.

Writing gives plain dicts that ``json.dumps`` takes as they are; masks travel as their
compressed COCO string. A box writes its ``angle`` only when it is turned, so the form of
an axis-aligned box is the one every earlier limner wrote (and fingerprints the same).
Reading accepts input from hand-edited files and remote servers, so anything malformed
ends in a :class:`GeometryError` with a readable message (never a ``KeyError`` or
``TypeError``), and keys it does not know are ignored so that files written by a newer
limner stay readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from limner.models.domain.geometry.box import Box
from limner.models.domain.geometry.ellipse import Ellipse
from limner.models.domain.geometry.keypoints import Keypoints
from limner.models.domain.geometry.kinds import Geometry
from limner.models.domain.geometry.mask import Mask
from limner.models.domain.geometry.point import Point
from limner.models.domain.geometry.polygon import Polygon, PolygonPart
from limner.models.domain.geometry.polyline import Polyline
from limner.models.domain.geometry.rle import rle_from_coco_string, rle_to_coco_string
from limner.models.domain.geometry.tag import Tag
from limner.models.errors import GeometryError


def geometry_to_json(g: Geometry) -> dict[str, Any]:
    """A plain dict (only str, int, float, list) that ``json.dumps`` accepts as is."""
    if isinstance(g, Box):
        data: dict[str, Any] = {"kind": "box", "x0": g.x0, "y0": g.y0, "x1": g.x1, "y1": g.y1}
        if g.rotated:
            data["angle"] = g.angle
        return data
    if isinstance(g, Polygon):
        return {
            "kind": "polygon",
            "parts": [
                {
                    "outer": [[x, y] for x, y in part.outer],
                    "holes": [[[x, y] for x, y in hole] for hole in part.holes],
                }
                for part in g.parts
            ],
        }
    if isinstance(g, Mask):
        return {
            "kind": "mask",
            "left": g.left,
            "top": g.top,
            "width": g.width,
            "height": g.height,
            "image_width": g.image_width,
            "image_height": g.image_height,
            "rle": rle_to_coco_string(g.counts),
        }
    if isinstance(g, Keypoints):
        return {"kind": "keypoints", "points": [[x, y, v] for x, y, v in g.points]}
    return _new_kind_to_json(g)


def _new_kind_to_json(g: Geometry) -> dict[str, Any]:
    if isinstance(g, Polyline):
        return {"kind": "polyline", "points": [[x, y] for x, y in g.points]}
    if isinstance(g, Point):
        return {"kind": "point", "x": g.x, "y": g.y}
    if isinstance(g, Ellipse):
        return {"kind": "ellipse", "cx": g.cx, "cy": g.cy, "rx": g.rx, "ry": g.ry, "angle": g.angle}
    if isinstance(g, Tag):
        value = g.value
        return {"kind": "tag", "value": list(value) if isinstance(value, tuple) else value}
    raise GeometryError(f"not a geometry: {type(g).__name__}")


def _require(data: Mapping[str, Any], key: str, kind: str) -> Any:
    if key not in data:
        raise GeometryError(f"{kind} JSON is missing {key!r}")
    return data[key]


def _json_list(value: object, what: str) -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise GeometryError(f"{what} must be a list, got {value!r}")
    return value


def _box_from_json(data: Mapping[str, Any]) -> Box:
    corners = (_require(data, key, "box") for key in ("x0", "y0", "x1", "y1"))
    return Box(*corners, data.get("angle", 0.0))


def _polygon_from_json(data: Mapping[str, Any]) -> Polygon:
    parts_json = _json_list(_require(data, "parts", "polygon"), "polygon 'parts'")
    parts: list[PolygonPart] = []
    for index, part in enumerate(parts_json):
        if not isinstance(part, Mapping):
            raise GeometryError(f"polygon part {index} must be an object, got {part!r}")
        if "outer" not in part:
            raise GeometryError(f"polygon part {index} JSON is missing 'outer'")
        outer = _json_list(part["outer"], f"polygon part {index} 'outer'")
        holes = _json_list(part.get("holes", []), f"polygon part {index} 'holes'")
        for hole_index, hole in enumerate(holes):
            _json_list(hole, f"polygon part {index} hole {hole_index}")
        try:
            parts.append(PolygonPart(tuple(outer), tuple(holes)))
        except GeometryError as error:
            raise GeometryError(f"polygon part {index}: {error}") from None
    return Polygon(tuple(parts))


def _mask_from_json(data: Mapping[str, Any]) -> Mask:
    fields = {
        key: _require(data, key, "mask")
        for key in ("left", "top", "width", "height", "image_width", "image_height", "rle")
    }
    rle = fields.pop("rle")
    if not isinstance(rle, str):
        raise GeometryError(f"mask 'rle' must be a string, got {rle!r}")
    return Mask(counts=tuple(rle_from_coco_string(rle)), **fields)


def _keypoints_from_json(data: Mapping[str, Any]) -> Keypoints:
    points = _json_list(_require(data, "points", "keypoints"), "keypoints 'points'")
    for index, point in enumerate(points):
        if not isinstance(point, list | tuple) or len(point) != 3:
            raise GeometryError(f"keypoint {index} must be a list [x, y, v], got {point!r}")
    return Keypoints(tuple(tuple(point) for point in points))


def _polyline_from_json(data: Mapping[str, Any]) -> Polyline:
    points = _json_list(_require(data, "points", "polyline"), "polyline 'points'")
    return Polyline(tuple(points))


def _point_from_json(data: Mapping[str, Any]) -> Point:
    return Point(_require(data, "x", "point"), _require(data, "y", "point"))


def _ellipse_from_json(data: Mapping[str, Any]) -> Ellipse:
    fields = (_require(data, key, "ellipse") for key in ("cx", "cy", "rx", "ry"))
    return Ellipse(*fields, data.get("angle", 0.0))


def _tag_from_json(data: Mapping[str, Any]) -> Tag:
    return Tag(_require(data, "value", "tag"))


_PARSERS = {
    "box": _box_from_json,
    "polygon": _polygon_from_json,
    "mask": _mask_from_json,
    "keypoints": _keypoints_from_json,
    "polyline": _polyline_from_json,
    "point": _point_from_json,
    "ellipse": _ellipse_from_json,
    "tag": _tag_from_json,
}


def geometry_from_json(d: object) -> Geometry:
    """Parse and validate :func:`geometry_to_json` output.

    The input may come from a hand-edited file or a remote server, so every malformed
    input ends in a :class:`GeometryError` with a readable message, never a ``KeyError``
    or ``TypeError``. Unknown extra keys are ignored so that files written by a newer
    version stay readable.
    """
    if not isinstance(d, Mapping):
        raise GeometryError(f"geometry JSON must be an object, got {type(d).__name__}")
    if "kind" not in d:
        raise GeometryError("geometry JSON is missing 'kind'")
    kind = d["kind"]
    parser = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parser is None:
        raise GeometryError(
            f"unknown geometry kind {kind!r} (expected one of {', '.join(_PARSERS)})"
        )
    return parser(d)
