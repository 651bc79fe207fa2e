"""What the Hasty fake accepts: the API document's enums, request fields and value rules.

Each check answers like the server does, with an :class:`ApiError` carrying the status
and a message; the fake turns it into a 400 (or 404) with a ``{"code", "message"}`` body.
The request field tables are those of the API document; a body holding any other field
is refused, so a misspelt or invented field cannot pass unnoticed.
"""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

DEFAULT_STATUSES = (
    "NEW",
    "IN PROGRESS",
    "TO REVIEW",
    "DONE",
    "SKIPPED",
    "AUTO-LABELLED",
    "COMPLETED",
)
WRITABLE_STATUSES = ("NEW", "IN PROGRESS", "TO REVIEW", "DONE", "SKIPPED", "COMPLETED")
TOOLS = (
    "bbox polygon contour magic_wand brush grabcut dextr object_detection "
    "instance_segmentation semantic_segmentation import copy atom error_finder finish_him api "
    "duplicated box2mask keypoints text_to_mask keypoint_detection inference_monitor merge"
).split()
ATTRIBUTE_TYPES = ("SELECTION", "MULTIPLE-SELECTION", "TEXT", "INT", "FLOAT", "BOOL")
MAX_BATCH = 100
API_USER = "5d0c1f36-2f0e-4a57-8b87-0a6a1a0f7d11"  # the service account behind the key
OTHER_USER = "a3f9b0e2-7c41-4e8e-9a55-3c1d2b7e6f90"  # a colleague editing in Hasty's UI


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or {
            400: "validation_error",
            401: "unauthorized",
            402: "payment_required",
            403: "forbidden",
            404: "not_found",
            429: "too_many_requests",
        }.get(status, "error")


def new_id() -> str:
    return str(uuidlib.uuid4())


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# Request fields, as the API document's request tables list them. Anything else in a body
# is refused with 400 (a field limner misspells must not pass silently).
LABEL_FIELDS = frozenset(
    "bbox class_id external_event_id mask polygon tool_used z_index border_mask "
    "external_id keypoints".split()
)
LABEL_EDIT_FIELDS = LABEL_FIELDS | {"id"}  # the document's edit sample names the label "id"
KEYPOINT_FIELDS = frozenset({"id", "keypoint_class_id", "x", "y", "visible", "norder"})
DELETE_FIELDS = frozenset({"id"})
STATUS_FIELDS = frozenset({"status", "status_id"})
VALUE_FIELDS = frozenset({"value", "predicted_values"})
PROJECT_FIELDS = frozenset({"name", "workspace_id", "description", "content_type"})
DATASET_FIELDS = frozenset({"name", "norder"})
CLASS_FIELDS = frozenset(
    "name description type color icon_url norder parent_id external_id "
    "use_description_as_prompt".split()
)
IMAGE_FIELDS = frozenset(
    {"dataset_id", "upload_id", "filename", "external_id", "url", "copy_original", "bucket_id"}
)
IMAGE_PATCH_FIELDS = frozenset({"filename", "dataset_id"})


def check_fields(body: Any, allowed: frozenset[str], where: str = "body") -> dict[str, Any]:
    """``body`` as an object holding only ``allowed`` fields, else a 400 naming the rest."""
    if not isinstance(body, dict):
        raise ApiError(400, f"{where}: must be an object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(400, f"{where}: unknown field(s): {', '.join(unknown)}")
    return body


def check_bbox(bbox: Any, where: str) -> list[int] | None:
    """``[left, top, right, bottom]``: four non-negative integers, right > left, bottom > top."""
    if bbox is None:
        return None
    if not isinstance(bbox, list) or len(bbox) != 4 or not all(_is_int(v) for v in bbox):
        raise ApiError(400, f"{where}: bbox must be 4 integers")
    if any(v < 0 for v in bbox):
        raise ApiError(400, f"{where}: bbox coordinates must not be negative")
    if bbox[2] <= bbox[0] or bbox[3] <= bbox[1]:
        raise ApiError(400, f"{where}: bbox must have x_max > x_min and y_max > y_min")
    return bbox


def check_polygon(polygon: Any, where: str) -> None:
    """A closed ring of integer points: ``[[x0, y0], [x1, y1], ..., [x0, y0]]``."""
    if polygon is None:
        return
    if (
        not isinstance(polygon, list)
        or not polygon
        or not all(
            isinstance(p, list) and len(p) == 2 and all(_is_int(v) for v in p) for p in polygon
        )
    ):
        raise ApiError(400, f"{where}: polygon must be a non-empty list of [x, y] integers")
    if any(v < 0 for p in polygon for v in p):
        raise ApiError(400, f"{where}: polygon coordinates must not be negative")
    if polygon[0] != polygon[-1]:
        raise ApiError(
            400, f"{where}: polygon must be a closed ring ending with its first point [x0, y0]"
        )
    if len({tuple(p) for p in polygon}) < 3:
        raise ApiError(400, f"{where}: polygon needs at least 3 distinct points")


def check_mask(mask: Any, bbox: list[int] | None, where: str) -> None:
    """RLE ``[start, length, ...]`` of the bbox crop, 1-based, runs increasing, inside it."""
    if mask is None:
        return
    if bbox is None:
        raise ApiError(400, f"{where}: a mask needs a bbox")
    if (
        not isinstance(mask, list)
        or len(mask) < 2
        or len(mask) % 2
        or not all(_is_int(v) and v >= 1 for v in mask)
    ):
        raise ApiError(400, f"{where}: mask must be [start, length, ...] positive integers")
    area = (bbox[2] - bbox[0]) * (bbox[3] - bbox[1])
    previous_end = 0
    for start, length in zip(mask[0::2], mask[1::2], strict=True):
        if start <= previous_end:
            raise ApiError(400, f"{where}: mask runs must be increasing and apart")
        previous_end = start + length - 1
    if previous_end > area:
        raise ApiError(400, f"{where}: mask is larger than its bbox")


def check_keypoints(keypoints: Any, allowed: set[str], where: str) -> None:
    """Keypoints of the class's schema, at non-negative integer positions."""
    if not isinstance(keypoints, list):
        raise ApiError(400, f"{where}: keypoints must be a list")
    for point in keypoints:
        check_fields(point, KEYPOINT_FIELDS, f"{where}: keypoint")
        if (
            point.get("keypoint_class_id") not in allowed
            or not _is_int(point.get("x"))
            or not _is_int(point.get("y"))
            or point["x"] < 0
            or point["y"] < 0
            or not isinstance(point.get("visible", True), bool)
        ):
            raise ApiError(400, f"{where}: invalid keypoint {point!r}")
