"""Hasty v1 label JSON <-> limner geometry, statuses and label identities.

Pure functions, no HTTP, so every conversion is testable on its own.

Coordinates. Hasty stores integer pixels in the original image frame. A ``bbox``
``[x_min, y_min, x_max, y_max]`` has exclusive right and bottom edges (a mask crop is
``x_max - x_min`` pixels wide), so its four integers are pixel *edges*: they are exactly
limner's continuous box ``Box(x_min, y_min, x_max, y_max)``, with no half-pixel shift.
Polygon vertices and keypoints use the same frame (a polygon's bbox is the min/max of its
vertices), so an integer vertex ``(x, y)`` is limner's point ``(x, y)``.
A polygon is written as a closed ring, ``[[x0, y0], [x1, y1], ..., [x0, y0]]``: the API
describes its polygons that way. An open ring from the server is read too.

Pulling is therefore exact. Pushing rounds each coordinate to the nearest integer, halves
up (``floor(v + 0.5)``), then clamps it into the image (``0..width``, ``0..height``): a
shape moves by at most half a pixel, and the next pull brings the rounded shape back into
the local project (the server's copy is the truth). A box or polygon that rounding makes
empty is refused with a reason rather than sent.

Reading tells two failures apart: a label that is broken (``HastyFormatError``: a bbox
that is not four whole numbers or is inverted, coordinates far outside the image, a mask
run past its crop) and a sound label limner has no faithful reading of
(``Unrepresentable``: keypoints of a schema limner does not know, two points of one
keypoint class, a polygon and a mask in one label). Both are kept on the server
untouched; only the message differs.

Masks are Hasty's run-length encoding of the bbox crop: ``[start, length, ...]`` with
1-based ``start`` into the row-major ("right then down") flattening of the
``(y_max - y_min) x (x_max - x_min)`` crop, runs of set pixels only. They convert to and
from limner's COCO crop without loss.
"""

from __future__ import annotations

import math
import uuid as uuidlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from limner.models.domain.geometry import Box, Geometry, Keypoints, Mask, Polygon, PolygonPart
from limner.models.errors import GeometryError

# Local uuids of labels that limner did not create (no ``limner:`` external id) are derived
# from the Hasty label id, so the same remote label maps to the same local annotation on
# every pull, on every machine.
NAMESPACE = uuidlib.UUID("0c2b6f4e-4a11-4d3a-9a57-6b0d1f2e8c41")
EXTERNAL_PREFIX = "limner:"
BATCH_LIMIT = 100  # labels per create, edit or delete request (the vendor client's limit)

# Hasty's default statuses, read side (DefaultStatus) and write side (DefaultStatusWrite).
READ_STATUSES = {
    "NEW": "new",
    "IN PROGRESS": "in_progress",
    "TO REVIEW": "submitted",
    "DONE": "approved",
    "COMPLETED": "approved",
    "SKIPPED": "skipped",
    # machine-made labels nobody has looked at yet: work still to do
    "AUTO-LABELLED": "in_progress",
}
# Custom status names that say what they mean (compared upper-case, '_'/'-' as spaces).
CUSTOM_STATUS_HINTS = {
    "REJECTED": "rejected",
    "REWORK": "rejected",
    "TO REWORK": "rejected",
    "NEEDS REWORK": "rejected",
    "APPROVED": "approved",
    "ACCEPTED": "approved",
    "SUBMITTED": "submitted",
    "IN REVIEW": "submitted",
    "REVIEW": "submitted",
}
WRITE_STATUSES = {
    "new": "NEW",
    "in_progress": "IN PROGRESS",
    "submitted": "TO REVIEW",
    "approved": "DONE",
    "skipped": "SKIPPED",
    # Hasty has no default "rejected": a reviewer sends the image back to the labeller.
    # A custom status mapped to "rejected" (in the remote's settings or seen on an image)
    # is used instead when there is one.
    "rejected": "IN PROGRESS",
}
TOOL_USED = {"box": "bbox", "polygon": "polygon", "mask": "brush", "keypoints": "keypoints"}
# Fields the server computes on each answer; they say nothing about the label's content.
VOLATILE_LABEL_FIELDS = ("border_mask", "error")
# How far outside the image a coordinate may lie, in image sizes, before it is absurd.
FAR_OUTSIDE = 1.0


class HastyFormatError(ValueError):
    """A shape Hasty cannot hold, or a broken Hasty label; says why."""


class Unrepresentable(HastyFormatError):
    """A sound Hasty label that limner has no faithful reading of; kept as it is."""


def normalize_status_name(name: str) -> str:
    return " ".join(str(name).upper().replace("_", " ").replace("-", " ").split())


def canonical_status(
    name: str | None,
    status_id: str | None = None,
    overrides: Mapping[str, str] | None = None,
) -> str | None:
    """limner's status for a Hasty status name or id; None when it is unknown.

    ``overrides`` (from the remote's settings) maps a custom status name or id to a
    canonical status and wins over everything else.
    """
    overrides = overrides or {}
    if status_id and status_id in overrides:
        return overrides[status_id]
    if name is None:
        return None
    for key, value in overrides.items():
        if normalize_status_name(key) == normalize_status_name(name):
            return value
    if name in READ_STATUSES:
        return READ_STATUSES[name]
    normal = normalize_status_name(name)
    if normal == "AUTO LABELLED":
        return READ_STATUSES["AUTO-LABELLED"]
    return READ_STATUSES.get(normal) or CUSTOM_STATUS_HINTS.get(normal)


def status_body(
    status: str,
    status_ids: Mapping[str, str],
    seen: Mapping[str, str],
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str] | None:
    """The ``PUT .../status`` body for a limner status, None when Hasty has none.

    ``status_ids`` (from the remote's settings) names a custom status per limner status;
    otherwise "rejected" uses a custom status seen on an image (``seen``: id -> name) that
    reads as rejected, else it goes back to the labeller as IN PROGRESS.
    """
    if status in status_ids:
        return {"status_id": status_ids[status]}
    if status == "rejected":
        for status_id, name in seen.items():
            if normalize_status_name(name) in {"NEW", "IN PROGRESS", "TO REVIEW", "DONE"}:
                continue
            if canonical_status(name, status_id, overrides) == "rejected":
                return {"status_id": status_id}
    if status not in WRITE_STATUSES:
        return None
    return {"status": WRITE_STATUSES[status]}


def parse_time(value: object) -> float | None:
    """Seconds since the epoch of an ISO time as Hasty writes it, None if it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def label_content(label: Mapping[str, Any]) -> dict[str, Any]:
    """A label without the fields the server computes afresh on every answer."""
    return {k: v for k, v in label.items() if k not in VOLATILE_LABEL_FIELDS}


# -- identities -----------------------------------------------------------------------------
def external_id_for(uuid: str) -> str:
    return EXTERNAL_PREFIX + uuid


def uuid_from_external(external_id: object) -> str | None:
    """limner's uuid stored in a label's ``external_id`` (``limner:<uuid>``), else None."""
    if isinstance(external_id, str) and external_id.startswith(EXTERNAL_PREFIX):
        value = external_id[len(EXTERNAL_PREFIX) :]
        return value or None
    return None


def derived_uuid(label_id: str) -> str:
    return str(uuidlib.uuid5(NAMESPACE, str(label_id)))


def assign_uuids(labels: Sequence[Mapping[str, Any]]) -> list[str]:
    """The local uuid of each label, in order, unique within the image.

    A ``limner:`` external id wins; a second label carrying the same one (a copy made in
    Hasty's editor keeps it) falls back to the uuid derived from its own id, so two remote
    labels never collapse into one local annotation.
    """
    seen: set[str] = set()
    out: list[str] = []
    for label in labels:
        uuid = uuid_from_external(label.get("external_id"))
        if uuid is None or uuid in seen:
            uuid = derived_uuid(str(label.get("id")))
        seen.add(uuid)
        out.append(uuid)
    return out


# -- numbers --------------------------------------------------------------------------------
def snap(value: float) -> int:
    """Nearest integer, halves up: the rounding documented in the module docstring."""
    return math.floor(value + 0.5)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise HastyFormatError(f"{what} must be a whole number, got {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise HastyFormatError(f"{what} must be a whole number, got {value!r}")
        return int(value)
    return value


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise HastyFormatError(f"{what} must be a number, got {value!r}")
    return float(value)


# -- masks ----------------------------------------------------------------------------------
def rle_encode(crop: np.ndarray) -> list[int]:
    """Hasty RLE of a ``(height, width)`` crop: 1-based starts, row-major, ones only."""
    flat = np.asarray(crop, dtype=bool).ravel().astype(np.int8)
    edges = np.diff(np.concatenate(([0], flat, [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    out = np.empty(2 * starts.size, dtype=np.int64)
    out[0::2] = starts + 1
    out[1::2] = ends - starts
    return [int(v) for v in out]


def rle_decode(rle: Sequence[object], width: int, height: int) -> np.ndarray:
    """The ``(height, width)`` boolean crop of a Hasty RLE, refusing malformed runs."""
    if not isinstance(rle, list | tuple) or len(rle) < 2 or len(rle) % 2:
        raise HastyFormatError("mask must be a non-empty list of [start, length] pairs")
    total = width * height
    flat = np.zeros(total, dtype=bool)
    for index in range(0, len(rle), 2):
        start = _int(rle[index], "mask start")
        length = _int(rle[index + 1], "mask run length")
        if start < 1 or length < 1:
            raise HastyFormatError(f"mask run ({start}, {length}) is not positive")
        if start - 1 + length > total:
            raise HastyFormatError(
                f"mask run ({start}, {length}) goes past the {width}x{height} bbox crop"
            )
        flat[start - 1 : start - 1 + length] = True
    return flat.reshape(height, width)


# -- limner -> Hasty ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class KeypointSchema:
    """A Hasty keypoint schema as a limner skeleton: point names in order, and ids."""

    schema_id: str
    names: tuple[str, ...]
    class_ids: tuple[str, ...]
    edges: tuple[tuple[int, int], ...]


def box_to_hasty(box: Box, width: int, height: int) -> list[int]:
    x0 = _clamp(snap(box.x0), 0, width)
    y0 = _clamp(snap(box.y0), 0, height)
    x1 = _clamp(snap(box.x1), 0, width)
    y1 = _clamp(snap(box.y1), 0, height)
    if x1 <= x0 or y1 <= y0:
        if box.x1 <= 0 or box.y1 <= 0 or box.x0 >= width or box.y0 >= height:
            raise HastyFormatError("the box lies outside the image")
        raise HastyFormatError(
            "the box is thinner than one pixel once snapped to Hasty's whole-pixel grid"
        )
    return [x0, y0, x1, y1]


def polygon_to_hasty(
    polygon: Polygon, width: int, height: int
) -> tuple[list[list[int]], list[int]]:
    """``(polygon, bbox)`` for Hasty, the ring closed (its first point repeated last);
    refuses what one Hasty polygon cannot hold."""
    if len(polygon.parts) != 1:
        raise HastyFormatError(
            f"a Hasty label holds one polygon ring; this one has {len(polygon.parts)} parts "
            "(split it into one object per part)"
        )
    part = polygon.parts[0]
    if part.holes:
        raise HastyFormatError(
            "Hasty polygons cannot have holes (draw it as a mask to keep the hole)"
        )
    points: list[list[int]] = []
    for x, y in part.outer:
        point = [_clamp(snap(x), 0, width), _clamp(snap(y), 0, height)]
        if not points or points[-1] != point:
            points.append(point)
    while len(points) > 1 and points[0] == points[-1]:
        points.pop()
    try:
        PolygonPart(tuple((float(x), float(y)) for x, y in points))
    except GeometryError as exc:
        raise HastyFormatError(
            f"the polygon collapses once snapped to Hasty's whole-pixel grid ({exc})"
        ) from None
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return [*points, list(points[0])], [min(xs), min(ys), max(xs), max(ys)]


def mask_to_hasty(mask: Mask) -> tuple[list[int], list[int]]:
    """``(mask, bbox)`` for Hasty: the RLE of limner's crop, the crop as the bbox."""
    bbox = [mask.left, mask.top, mask.left + mask.width, mask.top + mask.height]
    return rle_encode(mask.crop_array()), bbox


def keypoints_to_hasty(
    points: Keypoints, schema: KeypointSchema, width: int, height: int
) -> tuple[list[dict[str, Any]], list[int]]:
    """``(keypoints, bbox)``: one entry per labeled point; the bbox encloses them.

    v = 2 is ``visible: true``, v = 1 ``visible: false``; unlabeled points (v = 0) are
    left out, which is how Hasty says a point is missing.
    """
    if len(points.points) != len(schema.names):
        raise HastyFormatError(
            f"the keypoints have {len(points.points)} points but the class's Hasty keypoint "
            f"schema has {len(schema.names)} ({', '.join(schema.names)})"
        )
    out: list[dict[str, Any]] = []
    for index, (x, y, v) in enumerate(points.points):
        if v == 0:
            continue
        out.append(
            {
                "keypoint_class_id": schema.class_ids[index],
                "x": _clamp(snap(x), 0, width),
                "y": _clamp(snap(y), 0, height),
                "visible": v == 2,
                "norder": float(index),
            }
        )
    if not out:
        raise HastyFormatError("the keypoints have no labeled point")
    xs = [p["x"] for p in out]
    ys = [p["y"] for p in out]
    # A point sits on a pixel corner; the bbox is the pixels touching the points, at least
    # one pixel wide (Hasty wants x_max > x_min), kept inside the image.
    x0, y0 = min(xs), min(ys)
    x1, y1 = max(xs) + 1, max(ys) + 1
    if x1 > width:
        x1, x0 = width, min(x0, width - 1)
    if y1 > height:
        y1, y0 = height, min(y0, height - 1)
    return out, [x0, y0, x1, y1]


def geometry_fields(
    geometry: Geometry,
    width: int,
    height: int,
    schema: KeypointSchema | None = None,
) -> dict[str, Any]:
    """The geometry part of a Hasty label body (every geometry key, unused ones null).

    An edit replaces a label's geometry in full, so every field is always sent.
    """
    fields: dict[str, Any] = {"bbox": None, "polygon": None, "mask": None, "keypoints": None}
    if isinstance(geometry, Box):
        if geometry.rotated:
            raise HastyFormatError(
                f"Hasty boxes are not rotated, and this one is turned by {geometry.angle:g} "
                "degrees (convert it to a polygon to send it)"
            )
        fields["bbox"] = box_to_hasty(geometry, width, height)
    elif isinstance(geometry, Polygon):
        fields["polygon"], fields["bbox"] = polygon_to_hasty(geometry, width, height)
    elif isinstance(geometry, Mask):
        if geometry.image_width != width or geometry.image_height != height:
            raise HastyFormatError(
                f"the mask was drawn on a {geometry.image_width}x{geometry.image_height} "
                f"image but the image is {width}x{height}"
            )
        fields["mask"], fields["bbox"] = mask_to_hasty(geometry)
    elif isinstance(geometry, Keypoints):
        if schema is None:
            raise HastyFormatError("the class has no keypoint schema on Hasty")
        fields["keypoints"], fields["bbox"] = keypoints_to_hasty(geometry, schema, width, height)
    else:
        raise HastyFormatError(f"Hasty cannot hold {type(geometry).__name__} shapes")
    fields["tool_used"] = TOOL_USED[geometry.kind]
    return fields


# -- Hasty -> limner ------------------------------------------------------------------------
def _within(x: float, y: float, width: int, height: int, what: str) -> None:
    """Refuse a coordinate far outside the image: such a label cannot be what it claims."""
    mx, my = FAR_OUTSIDE * width, FAR_OUTSIDE * height
    if not (-mx <= x <= width + mx and -my <= y <= height + my):
        raise HastyFormatError(
            f"{what} ({x:g}, {y:g}) lies far outside the {width}x{height} image"
        )


def _bbox(label: Mapping[str, Any], width: int, height: int) -> tuple[int, int, int, int] | None:
    raw = label.get("bbox")
    if raw is None:
        return None
    if not isinstance(raw, list | tuple) or len(raw) != 4:
        raise HastyFormatError(f"bbox must be 4 whole numbers, got {raw!r}")
    x0, y0, x1, y1 = (_int(v, "bbox coordinate") for v in raw)
    if x1 <= x0 or y1 <= y0:
        raise HastyFormatError(f"bbox {list(raw)} is empty or inverted")
    _within(x0, y0, width, height, "bbox corner")
    _within(x1, y1, width, height, "bbox corner")
    return x0, y0, x1, y1


def _mask_from_label(
    rle: Sequence[object], bbox: tuple[int, int, int, int] | None, width: int, height: int
) -> Mask:
    if bbox is None:
        raise HastyFormatError("the label has a mask but no bbox to place it")
    x0, y0, x1, y1 = bbox
    crop = rle_decode(rle, x1 - x0, y1 - y0)
    # keep the part inside the image (a mask cannot hold pixels the image does not have)
    cx0, cy0 = max(x0, 0), max(y0, 0)
    cx1, cy1 = min(x1, width), min(y1, height)
    if cx0 >= cx1 or cy0 >= cy1:
        raise HastyFormatError("the mask lies outside the image")
    sub = crop[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]
    try:
        return Mask.from_crop(sub, cx0, cy0, width, height)
    except GeometryError as exc:
        raise HastyFormatError(f"the mask is unusable: {exc}") from None


def _polygon_from_label(raw: object, width: int, height: int) -> Polygon:
    """A polygon from a closed ring (as the API writes them) or an open one."""
    if not isinstance(raw, list | tuple) or not raw:
        raise HastyFormatError(f"polygon must be a list of [x, y] points, got {raw!r}")
    points = []
    for index, point in enumerate(raw):
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise HastyFormatError(f"polygon point {index} must be [x, y], got {point!r}")
        x, y = _number(point[0], "polygon x"), _number(point[1], "polygon y")
        _within(x, y, width, height, f"polygon point {index}")
        points.append((x, y))
    try:
        return Polygon.from_points(points)  # a repeated closing point is dropped
    except GeometryError as exc:
        raise HastyFormatError(f"the polygon is unusable: {exc}") from None


def _keypoints_from_label(
    raw: Sequence[Mapping[str, Any]], schema: KeypointSchema, width: int, height: int
) -> Keypoints:
    index_of = {cid: i for i, cid in enumerate(schema.class_ids)}
    points: list[tuple[float, float, int]] = [(0.0, 0.0, 0)] * len(schema.names)
    seen: set[int] = set()
    for item in raw:
        if not isinstance(item, Mapping):
            raise HastyFormatError(f"keypoint must be an object, got {item!r}")
        index = index_of.get(str(item.get("keypoint_class_id")))
        if index is None:
            raise Unrepresentable(
                f"keypoint class {item.get('keypoint_class_id')} is not in the class's schema"
            )
        if index in seen:
            raise Unrepresentable(
                f"the label has several {schema.names[index]!r} points; limner keeps one per "
                "skeleton point"
            )
        seen.add(index)
        x = _number(item.get("x"), "keypoint x")
        y = _number(item.get("y"), "keypoint y")
        _within(x, y, width, height, f"keypoint {schema.names[index]!r}")
        points[index] = (x, y, 2 if item.get("visible", True) else 1)
    try:
        return Keypoints(tuple(points))
    except GeometryError as exc:
        raise HastyFormatError(f"the keypoints are unusable: {exc}") from None


def geometry_from_label(
    label: Mapping[str, Any],
    width: int,
    height: int,
    schema: KeypointSchema | None = None,
) -> Geometry:
    """limner's shape for a Hasty label: its keypoints, mask or polygon, else its bbox.

    A Hasty label may carry several geometries at once. A bbox beside one other shape is
    that shape's enclosing box and is read as part of it. Two shapes in one label (a
    polygon and a mask, or points and either) are two independent pieces of the label
    that limner, with one shape per region, could show only by leaving one out: such a
    label is ``Unrepresentable`` and stays as it is.
    """
    bbox = _bbox(label, width, height)
    shapes = [name for name in ("keypoints", "mask", "polygon") if label.get(name)]
    if len(shapes) > 1:
        raise Unrepresentable(
            f"the label holds a {' and a '.join(shapes)} at once; limner keeps one shape "
            "per region"
        )
    keypoints = label.get("keypoints") or []
    if keypoints:
        if not isinstance(keypoints, list):
            raise HastyFormatError(f"keypoints must be a list, got {keypoints!r}")
        if schema is None:
            raise Unrepresentable("the label has keypoints but its class has no keypoint schema")
        return _keypoints_from_label(keypoints, schema, width, height)
    if label.get("mask"):
        return _mask_from_label(label["mask"], bbox, width, height)
    if label.get("polygon"):
        return _polygon_from_label(label["polygon"], width, height)
    if bbox is not None:
        return Box(*(float(v) for v in bbox))
    raise HastyFormatError("the label has no geometry")


def keypoints_as_sent(points: object) -> list[dict[str, Any]] | None:
    """A label's keypoints as a write carries them (the server's audit fields left out)."""
    if not isinstance(points, list):
        return None
    keys = ("id", "keypoint_class_id", "x", "y", "visible", "norder")
    return [{k: p[k] for k in keys if k in p} for p in points if isinstance(p, Mapping)]


def parse_color(value: object) -> str | None:
    """``#RRGGBB`` from Hasty's ``#RRGGBB`` or ``#RRGGBBAA`` (alpha dropped)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) in (7, 9) and text.startswith("#"):
        try:
            int(text[1:], 16)
        except ValueError:
            return None
        return text[:7].lower()
    return None
