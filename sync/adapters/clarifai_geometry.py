"""limner geometry in Clarifai's region model: normalized coordinates, PNG masks, keypoints.

Clarifai keeps regions in normalized ``row``/``col`` coordinates (row = y / height,
col = x / width, both in [0, 1]), stored by the server as 32-bit floats. A round trip
through float32 moves a coordinate by up to ~6e-8 of the image size, which would make
every pushed shape come back "changed"; so the exact pixel geometry also travels in the
annotation's ``annotation_info`` (see ``clarifai_format``) and is believed only while it
still agrees with the region at float32 precision (:func:`exact_geometry`): an edit made
in Clarifai's own tools wins.

Masks are image-sized 8-bit grayscale PNGs (0 / 255) in ``mask.image.base64``;
keypoints are ``keypoint_locations`` in the order of the concept's ``keypoint_names``
(the skeleton lives on the concept), with a bounding box around the labeled points; a
single landmark is a ``point``. Clarifai boxes are axis-aligned and it has no polylines
or ellipses: those are refused, never written as something else.

Reading is strict about sense: a coordinate that is not a finite number, lies far outside
the image, or a shape without area is :class:`MalformedError` (broken on the server), told
apart from a region of a kind limner does not have (:class:`ClarifaiFormatError`).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from PIL import Image

from limner.models.domain.geometry import (
    Box,
    Geometry,
    Keypoints,
    Mask,
    Point,
    Polygon,
    Skeleton,
    geometry_from_json,
)
from limner.models.errors import GeometryError


class ClarifaiFormatError(ValueError):
    """A region Clarifai cannot hold, or an annotation limner cannot read."""


# -- writing ----------------------------------------------------------------------------
def _f32(value: float) -> float:
    return float(np.float32(value))


def _norm(value: float, size: int) -> float:
    return value / size


def _inside(value: float, what: str) -> None:
    if not 0.0 <= value <= 1.0:
        raise ClarifaiFormatError(
            f"{what} lies outside the image; Clarifai keeps coordinates within the image"
        )


def _box_info(box: Box, width: int, height: int) -> dict[str, float]:
    info = {
        "top_row": _norm(box.y0, height),
        "left_col": _norm(box.x0, width),
        "bottom_row": _norm(box.y1, height),
        "right_col": _norm(box.x1, width),
    }
    for key, value in info.items():
        _inside(value, f"the box's {key.replace('_', ' ')}")
    return info


def _point(x: float, y: float, width: int, height: int, what: str) -> dict[str, float]:
    row, col = _norm(y, height), _norm(x, width)
    _inside(row, what)
    _inside(col, what)
    return {"row": row, "col": col}


VISIBILITY_TO_CLARIFAI = {2: "VISIBLE", 1: "NOT_VISIBLE", 0: "NOT_PRESENT"}
# Point.Visibility numbers in responses: NOT_SET 0, VISIBLE 1, NOT_VISIBLE 2, NOT_PRESENT 3.
VISIBILITY_FROM_CLARIFAI = {
    0: 2,
    1: 2,
    2: 1,
    3: 0,
    "NOT_SET": 2,
    "VISIBLE": 2,
    "NOT_VISIBLE": 1,
    "NOT_PRESENT": 0,
}


def mask_png(mask: Mask) -> bytes:
    """The whole-image mask as an 8-bit grayscale PNG, 255 where set."""
    array = mask.to_array().astype(np.uint8) * 255
    buf = io.BytesIO()
    Image.fromarray(array, mode="L").save(buf, "PNG", optimize=False)
    return buf.getvalue()


def mask_from_png(data: bytes, width: int, height: int) -> Mask:
    """A mask from Clarifai's PNG (any mode; non-zero luminance/alpha counts as set)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            if img.mode in ("RGBA", "LA"):
                band = img.getchannel("A")
                if not np.asarray(band).any() or np.asarray(band).all():
                    band = img.convert("L")
            else:
                band = img.convert("L")
            if band.size != (width, height):
                band = band.resize((width, height), Image.NEAREST)
            array = np.asarray(band) > 127
    except (OSError, ValueError) as exc:
        raise ClarifaiFormatError(f"the mask is not a readable PNG: {exc}") from exc
    try:
        return Mask.from_array(array)
    except GeometryError as exc:
        raise ClarifaiFormatError(f"the mask is empty: {exc}") from exc


def region_info_for(
    geometry: Geometry, width: int, height: int, keypoint_count: int | None = None
) -> dict[str, Any]:
    """``region_info`` for one limner geometry; raises for what Clarifai cannot hold."""
    if isinstance(geometry, Box):
        if geometry.rotated:
            raise ClarifaiFormatError(
                f"Clarifai boxes are not rotated, and this one is turned by {geometry.angle:g} "
                "degrees (convert it to a polygon to send it)"
            )
        return {"bounding_box": _box_info(geometry, width, height)}
    if isinstance(geometry, Point):
        return {"point": _point(geometry.x, geometry.y, width, height, "the point")}
    if isinstance(geometry, Polygon):
        if len(geometry.parts) > 1:
            raise ClarifaiFormatError(
                "Clarifai polygons are one outline: this polygon has "
                f"{len(geometry.parts)} separate parts (split it into one per part)"
            )
        part = geometry.parts[0]
        if part.holes:
            raise ClarifaiFormatError(
                "Clarifai polygons cannot hold holes: this polygon has "
                f"{len(part.holes)} (use a mask for shapes with holes)"
            )
        points = [
            _point(x, y, width, height, f"polygon point {i}") for i, (x, y) in enumerate(part.outer)
        ]
        return {"polygon": {"points": points}}
    if isinstance(geometry, Mask):
        if (geometry.image_width, geometry.image_height) != (width, height):
            raise ClarifaiFormatError(
                f"the mask is {geometry.image_width}x{geometry.image_height} but the image is "
                f"{width}x{height}"
            )
        data = base64.b64encode(mask_png(geometry)).decode("ascii")
        return {"mask": {"image": {"base64": data}}}
    if isinstance(geometry, Keypoints):
        if keypoint_count is not None and keypoint_count != len(geometry.points):
            raise ClarifaiFormatError(
                f"the concept's skeleton has {keypoint_count} keypoints but this instance "
                f"has {len(geometry.points)}"
            )
        locations: list[dict[str, Any]] = []
        for i, (x, y, v) in enumerate(geometry.points):
            if v == 0:
                locations.append({"row": 0.0, "col": 0.0, "visibility": "NOT_PRESENT"})
                continue
            point = _point(x, y, width, height, f"keypoint {i}")
            point["visibility"] = VISIBILITY_TO_CLARIFAI[v]
            locations.append(point)
        info: dict[str, Any] = {"keypoint_locations": locations}
        labeled = geometry.labeled
        xs = [p[0] for p in labeled]
        ys = [p[1] for p in labeled]
        if labeled and max(xs) > min(xs) and max(ys) > min(ys):
            info["bounding_box"] = _box_info(Box(min(xs), min(ys), max(xs), max(ys)), width, height)
        return info
    raise ClarifaiFormatError(f"Clarifai cannot hold {type(geometry).__name__} annotations")


def _floats(value: Any) -> list[float]:
    """Every float in a region_info (for the float32 agreement check), in a fixed order."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, Mapping):
        out: list[float] = []
        for key in sorted(value):
            if key in ("visibility", "base64", "url"):
                continue
            out.extend(_floats(value[key]))
        return out
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            out.extend(_floats(item))
        return out
    return []


def _same_at_float32(sent: Mapping[str, Any], stored: Mapping[str, Any]) -> bool:
    """True when ``stored`` is what ``sent`` becomes after the server's float32 storage."""
    a, b = _floats(_with_defaults(sent)), _floats(_with_defaults(stored))
    return len(a) == len(b) and all(_f32(x) == _f32(y) for x, y in zip(a, b, strict=True))


def _with_defaults(info: Mapping[str, Any]) -> dict[str, Any]:
    """proto3 drops zero values from answers; put them back so both sides line up."""
    out: dict[str, Any] = {}
    if "bounding_box" in info:
        bb = info["bounding_box"] or {}
        out["bounding_box"] = {
            k: float(bb.get(k, 0.0)) for k in ("top_row", "left_col", "bottom_row", "right_col")
        }
    for key in ("polygon",):
        if key in info:
            points = (info[key] or {}).get("points") or []
            out[key] = {
                "points": [{"row": p.get("row", 0.0), "col": p.get("col", 0.0)} for p in points]
            }
    if "keypoint_locations" in info:
        out["keypoint_locations"] = [
            {"row": p.get("row", 0.0), "col": p.get("col", 0.0)}
            for p in info["keypoint_locations"] or []
        ]
    return out


class MalformedError(ClarifaiFormatError):
    """The server's annotation is broken (not a number, far outside the image, no area)."""


FAR = 0.5  # a coordinate this far (in image sizes) beyond an edge is broken, not a slip


def _coord(point: Mapping[str, Any], key: str) -> float:
    """One normalized coordinate of the server's region, checked for sense."""
    value = point.get(key, 0.0)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise MalformedError(f"{key} is not a number ({value!r})")
    try:
        number = float(value)
    except ValueError:
        raise MalformedError(f"{key} is not a number ({value!r})") from None
    if not math.isfinite(number):
        raise MalformedError(f"{key} is not a finite number ({value!r})")
    if not -FAR <= number <= 1.0 + FAR:
        raise MalformedError(f"{key} = {number:g} lies far outside the image")
    return number


def _points(points: Any, what: str) -> list[Mapping[str, Any]]:
    if not isinstance(points, list) or not all(isinstance(p, Mapping) for p in points):
        raise MalformedError(f"the {what} is not a list of points")
    return points


def geometry_from_region_info(
    info: Mapping[str, Any], width: int, height: int, mask: str | None
) -> Geometry:
    """The geometry a region_info holds; raises MalformedError for a broken one and
    ClarifaiFormatError for one limner does not have."""
    if info.get("point") and info.get("bounding_box"):
        raise ClarifaiFormatError("a point and a box in one region")
    try:
        if info.get("keypoint_locations"):
            points = []
            for p in _points(info["keypoint_locations"], "keypoint list"):
                v = VISIBILITY_FROM_CLARIFAI.get(p.get("visibility", 0), 2)
                if v == 0:
                    points.append((0.0, 0.0, 0))
                else:
                    points.append((_coord(p, "col") * width, _coord(p, "row") * height, v))
            return Keypoints(tuple(points))
        if "mask" in info:
            image = (info.get("mask") or {}).get("image") or {}
            data = image.get("base64") or mask
            if not data:
                raise MalformedError("a mask without image data")
            return mask_from_png(base64.b64decode(data), width, height)
        if "polygon" in info:
            points = _points((info.get("polygon") or {}).get("points") or [], "polygon")
            if len(points) < 3:
                raise MalformedError(f"a polygon of {len(points)} points")
            ring = [(_coord(p, "col") * width, _coord(p, "row") * height) for p in points]
            return Polygon.from_points(ring)
        if info.get("point"):
            point = info["point"]
            if not isinstance(point, Mapping):
                raise MalformedError(f"a point that is {point!r}")
            return Point(_coord(point, "col") * width, _coord(point, "row") * height)
        if "bounding_box" in info:
            bb = info.get("bounding_box") or {}
            return Box(
                _coord(bb, "left_col") * width,
                _coord(bb, "top_row") * height,
                _coord(bb, "right_col") * width,
                _coord(bb, "bottom_row") * height,
            )
    except (GeometryError, binascii.Error, ValueError, TypeError, AttributeError) as exc:
        if isinstance(exc, MalformedError):
            raise
        raise MalformedError(str(exc)) from exc
    kinds = ", ".join(sorted(k for k in info if info.get(k) not in (None, {}, []))) or "none"
    raise ClarifaiFormatError(f"a region of a kind limner does not have ({kinds})")


def exact_geometry(
    meta: Mapping[str, Any], info: Mapping[str, Any], width: int, height: int
) -> Geometry | None:
    """limner's exact copy, if the region still says the same thing at float32."""
    text = meta.get("geometry")
    if not isinstance(text, str):
        return None
    try:
        exact = geometry_from_json(json.loads(text))
        expected = region_info_for(exact, width, height)
    except (json.JSONDecodeError, GeometryError, ClarifaiFormatError, TypeError, KeyError):
        return None
    if set(_with_defaults(expected)) != set(_with_defaults(info)):
        return None
    return exact if _same_at_float32(expected, info) else None


def skeleton_from_keypoint_info(info: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A limner skeleton (``Skeleton.to_json`` form) from a concept's ``keypoint_info``."""
    if not info:
        return None
    names = [str(n) for n in info.get("keypoint_names") or []]
    edges = [[int(e.get("k1", 0)), int(e.get("k2", 0))] for e in info.get("skeleton") or []]
    try:
        return Skeleton(tuple(names), tuple(tuple(e) for e in edges)).to_json()  # type: ignore[arg-type]
    except GeometryError:
        return None


def keypoint_info_for(names: Sequence[str], edges: Sequence[tuple[int, int]]) -> dict[str, Any]:
    return {
        "keypoint_names": list(names),
        "skeleton": [{"k1": int(a), "k2": int(b)} for a, b in edges],
    }
