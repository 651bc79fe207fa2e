"""limner geometry, ids and statuses in Clarifai's annotation model (v2 REST, snake_case).

Clarifai keeps one region per annotation here, in normalized ``row``/``col`` coordinates
(row = y / height, col = x / width, both in [0, 1]), stored by the server as 32-bit
floats. A round trip through float32 moves a coordinate by up to ~6e-8 of the image
size, which would make every pushed shape come back "changed"; so the exact pixel
geometry (and the attributes Clarifai has no place for) also travel in the annotation's
free-form ``annotation_info`` under ``limner``, as JSON text. On the way back that copy
is used only while it still agrees with the region at float32 precision: an edit made
in Clarifai's own tools wins.

Masks are image-sized 8-bit grayscale PNGs (0 / 255) in ``mask.image.base64``;
keypoints are ``keypoint_locations`` in the order of the concept's ``keypoint_names``
(the skeleton lives on the concept), with a bounding box around the labeled points.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import uuid as uuidlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from models.errors import GeometryError
from models.geometry import (
    Box,
    Geometry,
    Keypoints,
    Mask,
    Polygon,
    Skeleton,
    geometry_from_json,
    geometry_to_json,
)

# -- status codes (clarifai.api.status.StatusCode) -----------------------------------------
SUCCESS = 10000
MIXED_STATUS = 10010
FAILURE = 10020
TRY_AGAIN = 10030
NOT_IMPLEMENTED = 10040

ANNOTATION_SUCCESS = 24150
ANNOTATION_PENDING = 24151
ANNOTATION_FAILED = 24152
ANNOTATION_UNKNOWN_STATUS = 24154
ANNOTATION_AWAITING_REVIEW = 24157
ANNOTATION_REVIEW_DENIED = 24158
ANNOTATION_AWAITING_CONSENSUS_REVIEW = 24159
ANNOTATION_MODIFY_SUCCESS = 24250
ANNOTATION_MODIFY_PENDING = 24251

AUTH_CODES = frozenset({11001, 11002, 11007, 11008, 11009})
QUOTA_CODES = frozenset({11003, 11004, 11006})
THROTTLED = 11005
NOT_FOUND_CODES = frozenset({11101, 30102, 54102, 21200})
RETRY_CODES = frozenset(
    {TRY_AGAIN, THROTTLED, 40011, 40013, 40015, 40016, 40030, 40031, 40032, 40034, 90500}
    | set(range(98000, 98100))
    | {99009}
)

# Status names a response might carry instead of numbers (requests may use either).
_CODE_NAMES = {
    "SUCCESS": SUCCESS,
    "MIXED_STATUS": MIXED_STATUS,
    "FAILURE": FAILURE,
    "TRY_AGAIN": TRY_AGAIN,
    "CONN_THROTTLED": THROTTLED,
    "ANNOTATION_SUCCESS": ANNOTATION_SUCCESS,
    "ANNOTATION_PENDING": ANNOTATION_PENDING,
    "ANNOTATION_FAILED": ANNOTATION_FAILED,
    "ANNOTATION_UNKNOWN_STATUS": ANNOTATION_UNKNOWN_STATUS,
    "ANNOTATION_AWAITING_REVIEW": ANNOTATION_AWAITING_REVIEW,
    "ANNOTATION_REVIEW_DENIED": ANNOTATION_REVIEW_DENIED,
    "ANNOTATION_AWAITING_CONSENSUS_REVIEW": ANNOTATION_AWAITING_CONSENSUS_REVIEW,
    "ANNOTATION_MODIFY_SUCCESS": ANNOTATION_MODIFY_SUCCESS,
    "ANNOTATION_MODIFY_PENDING": ANNOTATION_MODIFY_PENDING,
}

# An item of a batch answer whose status is one of these was stored; anything else
# (24152 failed, 24155 invalid argument, 24156 permission denied, 40010 duplicate...) not.
STORED_ITEM_CODES = frozenset(
    {
        SUCCESS,
        ANNOTATION_SUCCESS,
        ANNOTATION_PENDING,
        ANNOTATION_AWAITING_REVIEW,
        ANNOTATION_REVIEW_DENIED,
        ANNOTATION_AWAITING_CONSENSUS_REVIEW,
        ANNOTATION_MODIFY_SUCCESS,
        ANNOTATION_MODIFY_PENDING,
    }
)

# limner's canonical status -> the annotation status that says it.
STATUS_TO_CODE: Mapping[str, int] = {
    "new": ANNOTATION_PENDING,
    "in_progress": ANNOTATION_PENDING,
    "submitted": ANNOTATION_AWAITING_REVIEW,
    "approved": ANNOTATION_SUCCESS,
    "rejected": ANNOTATION_REVIEW_DENIED,
    "skipped": ANNOTATION_PENDING,
}

META_KEY = "limner"


class ClarifaiFormatError(ValueError):
    """A region Clarifai cannot hold, or an annotation limner cannot read."""


def status_code(value: Any) -> int | None:
    """A status code from a response (numbers) or a request (names); None if absent."""
    if isinstance(value, Mapping):
        value = value.get("code")
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        if value.isdigit():
            return int(value)
        return _CODE_NAMES.get(value)
    return None


def derive_status(codes: Iterable[int | None]) -> str:
    """The image status Clarifai's annotation statuses say, most urgent first."""
    found = [c for c in codes]
    if not found:
        return "new"
    if ANNOTATION_REVIEW_DENIED in found:
        return "rejected"
    if ANNOTATION_PENDING in found or ANNOTATION_MODIFY_PENDING in found:
        return "in_progress"
    if ANNOTATION_AWAITING_REVIEW in found or ANNOTATION_AWAITING_CONSENSUS_REVIEW in found:
        return "submitted"
    if all(c in (ANNOTATION_SUCCESS, ANNOTATION_MODIFY_SUCCESS, None) for c in found):
        return "approved"
    return "in_progress"


# -- ids ---------------------------------------------------------------------------------
_HEX32 = re.compile(r"[0-9a-f]{32}")
_DASHED = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def remote_id_for(local_uuid: str) -> str:
    """The annotation id limner chooses on create: its uuid as 32 hex digits."""
    if _DASHED.fullmatch(local_uuid):
        return uuidlib.UUID(local_uuid).hex
    return local_uuid


def local_uuid_for(remote_id: str) -> str:
    """The limner uuid of a remote annotation (the inverse of :func:`remote_id_for`)."""
    if _HEX32.fullmatch(remote_id):
        return str(uuidlib.UUID(remote_id))
    return remote_id


def concept_id_for(name: str, taken: Iterable[str]) -> str:
    """A concept id for a class created in limner: a slug, made unique if need be."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "class"
    if slug in set(taken):
        slug = f"{slug}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"
    return slug


# -- fingerprints ------------------------------------------------------------------------
def fingerprint(annotations: Iterable[Mapping[str, Any]]) -> str:
    """The version of an input's annotation set: edits move ``modified_at``, deletions the
    count and digest. Clarifai has no ETag, so this is what conflict checks compare."""
    items = sorted(
        (str(a.get("id", "")), str(a.get("modified_at", "")))
        for a in annotations
        if not a.get("input_level")
    )
    newest = max((m for _, m in items), default="") or "-"
    digest = hashlib.sha1(json.dumps(items).encode()).hexdigest()[:16]
    return f"{newest}#{len(items)}#{digest}"


# -- geometry ----------------------------------------------------------------------------
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
        return {"bounding_box": _box_info(geometry, width, height)}
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


def _geometry_from_region_info(
    info: Mapping[str, Any], width: int, height: int
) -> tuple[Geometry | None, str | None]:
    """The geometry a region_info holds, or a reason it cannot be read."""
    try:
        if info.get("keypoint_locations"):
            points = []
            for p in info["keypoint_locations"]:
                v = VISIBILITY_FROM_CLARIFAI.get(p.get("visibility", 0), 2)
                if v == 0:
                    points.append((0.0, 0.0, 0))
                else:
                    points.append(
                        (float(p.get("col", 0.0)) * width, float(p.get("row", 0.0)) * height, v)
                    )
            return Keypoints(tuple(points)), None
        if "mask" in info:
            image = (info.get("mask") or {}).get("image") or {}
            raw = image.get("base64")
            if not raw:
                return None, "a mask without image data"
            return mask_from_png(base64.b64decode(raw), width, height), None
        if "polygon" in info:
            points = (info.get("polygon") or {}).get("points") or []
            ring = [
                (float(p.get("col", 0.0)) * width, float(p.get("row", 0.0)) * height)
                for p in points
            ]
            return Polygon.from_points(ring), None
        if "bounding_box" in info:
            bb = info.get("bounding_box") or {}
            return (
                Box(
                    float(bb.get("left_col", 0.0)) * width,
                    float(bb.get("top_row", 0.0)) * height,
                    float(bb.get("right_col", 0.0)) * width,
                    float(bb.get("bottom_row", 0.0)) * height,
                ),
                None,
            )
    except (GeometryError, ClarifaiFormatError, ValueError, TypeError) as exc:
        return None, f"an unreadable region ({exc})"
    kinds = ", ".join(sorted(k for k in info if info.get(k) not in (None, {}, []))) or "none"
    return None, f"a region of a kind limner does not have ({kinds})"


@dataclass(frozen=True, slots=True)
class Decoded:
    """One remote annotation read back: its limner uuid, class (concept id), shape."""

    uuid: str
    remote_id: str
    concept_id: str | None
    geometry: Geometry
    attributes: Mapping[str, Any]


def annotation_info_for(geometry: Geometry, attributes: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"v": 1}
    if not isinstance(geometry, Mask):
        entry["geometry"] = json.dumps(geometry_to_json(geometry), separators=(",", ":"))
    if attributes:
        entry["attributes"] = json.dumps(dict(attributes), sort_keys=True, default=str)
    return {META_KEY: entry}


def decode_annotation(
    annotation: Mapping[str, Any], width: int, height: int
) -> tuple[Decoded | None, str | None]:
    """A remote annotation as one limner region, or (None, why) when it cannot be one.

    Input-level annotations (the concepts an input was added with) are (None, None):
    they describe the input, not a shape, and are left alone.
    """
    if annotation.get("input_level"):
        return None, None
    remote_id = str(annotation.get("id", ""))
    data = annotation.get("data") or {}
    regions = data.get("regions") or []
    if not regions:
        if data.get("concepts"):
            names = ", ".join(str(c.get("id")) for c in data["concepts"])
            return None, f"annotation {remote_id} tags the whole image ({names}); limner skips it"
        return None, None
    if len(regions) > 1:
        return None, (
            f"annotation {remote_id} has {len(regions)} regions; limner reads annotations "
            "with one region each and leaves this one as it is"
        )
    region = regions[0]
    info = region.get("region_info") or {}
    geometry, why = _geometry_from_region_info(info, width, height)
    if geometry is None:
        return None, f"annotation {remote_id} has {why}"
    concepts = (region.get("data") or {}).get("concepts") or data.get("concepts") or []
    concept_id = None
    for concept in concepts:
        if concept.get("value", 1) != 0:
            concept_id = str(concept.get("id"))
            break
    attributes: dict[str, Any] = {}
    meta = (annotation.get("annotation_info") or {}).get(META_KEY)
    if isinstance(meta, Mapping):
        exact = _exact_geometry(meta, info, width, height)
        if exact is not None:
            geometry = exact
        raw_attrs = meta.get("attributes")
        if isinstance(raw_attrs, str):
            try:
                loaded = json.loads(raw_attrs)
            except json.JSONDecodeError:
                loaded = {}
            if isinstance(loaded, dict):
                attributes = loaded
    return (
        Decoded(local_uuid_for(remote_id), remote_id, concept_id, geometry, attributes),
        None,
    )


def _exact_geometry(
    meta: Mapping[str, Any], info: Mapping[str, Any], width: int, height: int
) -> Geometry | None:
    """limner's exact copy, if the region still says the same thing at float32."""
    text = meta.get("geometry")
    if not isinstance(text, str):
        return None
    try:
        exact = geometry_from_json(json.loads(text))
        expected = region_info_for(exact, width, height)
    except (json.JSONDecodeError, GeometryError, ClarifaiFormatError):
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
