"""Each server's own region JSON, written and read without limner's adapters.

The contract suite must judge limner's sync by what the servers hold, so the encodings
here are written from the vendors' API descriptions (Label Studio percentages and its
brush RLE, Hasty integer pixels with a 1-based row-major mask RLE of the bbox crop,
Clarifai 0-1 row/col coordinates with PNG masks, CloudFactory ``[x, y, w, h]`` boxes),
never imported from ``sync/``. Label Studio's brush RLE is computed by Label Studio's own
package in its virtualenv, so the bit format cannot be misread twice in the same way.

A shape is limner's geometry value plus its class name; reading gives ``None`` for a
region that is not one of the four shapes (the caller compares raw JSON for those).
"""

from __future__ import annotations

import base64
import io
import json
import math
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from limner.models.domain.geometry import Box, Geometry, Keypoints, Mask, Polygon
from limner.models.errors import GeometryError
from tests.integration.labelstudio_server import DEFAULT_VENV

POINT_NAMES = ("nose", "tail")
"""The skeleton of the keypoints class on every server, in order."""

CLASS_FOR_KIND = {"box": "car", "polygon": "road", "mask": "sky", "keypoints": "pose"}
"""One class per shape kind, named the same on every server."""


@dataclass(frozen=True)
class Shape:
    cls: str | None
    geometry: Geometry

    @property
    def kind(self) -> str:
        return self.geometry.kind


def readable(decode: Callable[..., Shape | None], *args: Any) -> Shape | None:
    """``decode(*args)``, or None for a region too broken to be any shape."""
    try:
        return decode(*args)
    except (GeometryError, ValueError, TypeError, KeyError, IndexError, OSError):
        return None


def png(width: int, height: int, seed: int) -> bytes:
    """A small real PNG whose pixels differ per seed."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return out.getvalue()


def ring_of(polygon: Polygon) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in polygon.parts[0].outer]


def open_ring(points: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
    """A ring without the repeated closing point some servers store."""
    ring = [(float(p[0]), float(p[1])) for p in points]
    if len(ring) > 3 and ring[0] == ring[-1]:
        ring.pop()
    return ring


def box_bounds(geometry: Geometry) -> tuple[int, int, int, int]:
    """Integer pixel bounds ``[x0, y0, x1, y1)`` around any shape."""
    if isinstance(geometry, Box):
        return (
            math.floor(geometry.x0),
            math.floor(geometry.y0),
            math.ceil(geometry.x1),
            math.ceil(geometry.y1),
        )
    if isinstance(geometry, Polygon):
        xs = [p[0] for p in ring_of(geometry)]
        ys = [p[1] for p in ring_of(geometry)]
    elif isinstance(geometry, Mask):
        rows, cols = np.nonzero(geometry.to_array())
        return int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1
    else:
        assert isinstance(geometry, Keypoints)
        xs = [p[0] for p in geometry.points if p[2]]
        ys = [p[1] for p in geometry.points if p[2]]
    return math.floor(min(xs)), math.floor(min(ys)), math.ceil(max(xs)) + 1, math.ceil(max(ys)) + 1


# -- Label Studio ---------------------------------------------------------------------------
_LS_BRUSH = """
import json, sys
import numpy as np
from label_studio_sdk.converter import brush
job = json.load(sys.stdin)
if job["op"] == "encode":
    out = [brush.mask2rle(np.array(m, dtype=np.uint8) * 255) for m in job["masks"]]
else:
    out = []
    for rle in job["rles"]:
        flat = brush.decode_rle(rle).reshape(job["height"], job["width"], 4)
        out.append((flat[:, :, 3] > 127).astype(int).tolist())
json.dump(out, sys.stdout)
"""


def _ls_brush(job: Mapping[str, Any]) -> Any:
    proc = subprocess.run(
        [str(DEFAULT_VENV / "bin" / "python"), "-c", _LS_BRUSH],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Label Studio's brush codec failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def ls_rle_encode(mask: np.ndarray) -> list[int]:
    (rle,) = _ls_brush({"op": "encode", "masks": [mask.astype(int).tolist()]})
    return [int(v) for v in rle]


def ls_rle_decode(rle: Sequence[int], width: int, height: int) -> np.ndarray:
    (array,) = _ls_brush({"op": "decode", "rles": [list(rle)], "width": width, "height": height})
    return np.array(array, dtype=bool)


LS_CONTROLS = {"box": "bbox", "polygon": "poly", "mask": "brush", "keypoints": "pose"}
LS_TYPES = {
    "box": "rectanglelabels",
    "polygon": "polygonlabels",
    "mask": "brushlabels",
    "keypoints": "keypointlabels",
}


def _ls_item(rid: str, kind: str, w: int, h: int, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rid,
        "type": LS_TYPES[kind],
        "from_name": LS_CONTROLS[kind],
        "to_name": "image",
        "original_width": w,
        "original_height": h,
        "image_rotation": 0,
        "value": value,
    }


def ls_encode(rid: str, shape: Shape, w: int, h: int) -> list[dict[str, Any]]:
    """Result items for one shape (keypoints: one item per labeled point)."""
    g = shape.geometry
    labels = [shape.cls] if shape.cls else []
    if isinstance(g, Box):
        value = {
            "x": g.x0 / w * 100,
            "y": g.y0 / h * 100,
            "width": (g.x1 - g.x0) / w * 100,
            "height": (g.y1 - g.y0) / h * 100,
            "rotation": 0,
            "rectanglelabels": labels,
        }
        return [_ls_item(rid, "box", w, h, value)]
    if isinstance(g, Polygon):
        points = [[x / w * 100, y / h * 100] for x, y in ring_of(g)]
        value = {"points": points, "closed": True, "polygonlabels": labels}
        return [_ls_item(rid, "polygon", w, h, value)]
    if isinstance(g, Mask):
        value = {"format": "rle", "rle": ls_rle_encode(g.to_array()), "brushlabels": labels}
        return [_ls_item(rid, "mask", w, h, value)]
    assert isinstance(g, Keypoints)
    items = []
    for index, (x, y, v) in enumerate(g.points):
        if not v:
            continue
        value = {"x": x / w * 100, "y": y / h * 100, "width": 0.5}
        value["keypointlabels"] = [POINT_NAMES[index]]
        item = _ls_item(f"{rid}-{POINT_NAMES[index]}", "keypoints", w, h, value)
        item["parentID"] = rid
        items.append(item)
    return items


def _ls_labels(item: Mapping[str, Any]) -> list[str]:
    value = item.get("value") or {}
    return list(value.get(str(item.get("type")), []) or [])


def ls_decode(result: Sequence[Mapping[str, Any]], w: int, h: int) -> dict[str, Shape]:
    """Region id -> shape for the items of one annotation that are plain limner shapes.

    Keypoint items are grouped by ``parentID``; an occluded point is the
    ``meta.limner.v = 1`` note Label Studio keeps on the item for limner. Items too broken
    to be a shape are left out.
    """
    out: dict[str, Shape] = {}
    points: dict[str, list[tuple[float, float, int]]] = {}
    for item in result:
        try:
            _ls_item_shape(item, w, h, out, points)
        except (GeometryError, ValueError, TypeError, KeyError, IndexError):
            continue
    for parent, slots in points.items():
        shape = readable(lambda s: Shape("pose", Keypoints(tuple(s))), slots)
        if shape is not None:
            out[parent] = shape
    return out


def _ls_item_shape(
    item: Mapping[str, Any],
    w: int,
    h: int,
    out: dict[str, Shape],
    points: dict[str, list[tuple[float, float, int]]],
) -> None:
    kind = next((k for k, t in LS_TYPES.items() if t == item.get("type")), None)
    labels = _ls_labels(item)
    value = item.get("value") or {}
    cls = labels[0] if labels else None
    if kind == "box" and not value.get("rotation"):
        x0, y0 = value["x"] / 100 * w, value["y"] / 100 * h
        x1 = x0 + value["width"] / 100 * w
        y1 = y0 + value["height"] / 100 * h
        out[item["id"]] = Shape(cls, Box(x0, y0, x1, y1))
    elif kind == "polygon":
        ring = [(p[0] / 100 * w, p[1] / 100 * h) for p in value["points"]]
        out[item["id"]] = Shape(cls, Polygon.from_points(ring))
    elif kind == "mask":
        out[item["id"]] = Shape(cls, Mask.from_array(ls_rle_decode(value["rle"], w, h)))
    elif kind == "keypoints" and cls in POINT_NAMES:
        parent = str(item.get("parentID") or item["id"])
        slots = points.setdefault(parent, [(0.0, 0.0, 0)] * len(POINT_NAMES))
        meta = (item.get("meta") or {}).get("limner") or {}
        v = 1 if meta.get("v") == 1 else 2
        slots[POINT_NAMES.index(cls)] = (value["x"] / 100 * w, value["y"] / 100 * h, v)


# -- Hasty ----------------------------------------------------------------------------------
def hasty_rle(crop: np.ndarray) -> list[int]:
    """1-based (start, length) runs of the row-major flattening of a bbox crop."""
    flat = crop.astype(bool).ravel()
    runs: list[int] = []
    index = 0
    while index < flat.size:
        if flat[index]:
            start = index
            while index < flat.size and flat[index]:
                index += 1
            runs += [start + 1, index - start]
        else:
            index += 1
    return runs


def hasty_encode(shape: Shape, class_id: str, point_ids: Sequence[str]) -> dict[str, Any]:
    g = shape.geometry
    x0, y0, x1, y1 = box_bounds(g)
    body: dict[str, Any] = {"class_id": class_id, "bbox": [x0, y0, x1, y1]}
    if isinstance(g, Polygon):
        ring = [[round(x), round(y)] for x, y in ring_of(g)]
        body["polygon"] = [*ring, ring[0]]  # Hasty stores closed rings
    elif isinstance(g, Mask):
        body["mask"] = hasty_rle(g.to_array()[y0:y1, x0:x1])
    elif isinstance(g, Keypoints):
        body["keypoints"] = [
            {"keypoint_class_id": point_ids[i], "x": round(x), "y": round(y), "visible": v == 2}
            for i, (x, y, v) in enumerate(g.points)
            if v
        ]
    return body


def hasty_decode(
    label: Mapping[str, Any],
    w: int,
    h: int,
    class_names: Mapping[str, str],
    point_ids: Sequence[str],
) -> Shape | None:
    cls = class_names.get(str(label.get("class_id")))
    bbox = label.get("bbox")
    if label.get("keypoints"):
        slots = [(0.0, 0.0, 0)] * len(point_ids)
        for p in label["keypoints"]:
            slots[point_ids.index(p["keypoint_class_id"])] = (
                float(p["x"]),
                float(p["y"]),
                2 if p.get("visible", True) else 1,
            )
        return Shape(cls, Keypoints(tuple(slots)))
    if label.get("mask") and label.get("polygon"):
        return None
    if label.get("mask"):
        x0, y0, x1, y1 = bbox
        crop = np.zeros((y1 - y0) * (x1 - x0), bool)
        runs = label["mask"]
        for start, length in zip(runs[0::2], runs[1::2], strict=True):
            crop[start - 1 : start - 1 + length] = True
        full = np.zeros((h, w), bool)
        full[y0:y1, x0:x1] = crop.reshape(y1 - y0, x1 - x0)
        return Shape(cls, Mask.from_array(full))
    if label.get("polygon"):
        return Shape(cls, Polygon.from_points(open_ring(label["polygon"])))
    if bbox:
        return Shape(cls, Box(*(float(v) for v in bbox)))
    return None


# -- Clarifai -------------------------------------------------------------------------------
VISIBILITY_OUT = {2: "VISIBLE", 1: "NOT_VISIBLE", 0: "NOT_PRESENT"}
VISIBILITY_IN = {"VISIBLE": 2, "NOT_VISIBLE": 1, "NOT_PRESENT": 0, 1: 2, 2: 1, 3: 0}


def mask_png_b64(array: np.ndarray) -> str:
    out = io.BytesIO()
    Image.fromarray(array.astype(np.uint8) * 255, mode="L").save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def clarifai_region_info(g: Geometry, w: int, h: int) -> dict[str, Any]:
    if isinstance(g, Box):
        return {
            "bounding_box": {
                "top_row": g.y0 / h,
                "left_col": g.x0 / w,
                "bottom_row": g.y1 / h,
                "right_col": g.x1 / w,
            }
        }
    if isinstance(g, Polygon):
        return {"polygon": {"points": [{"row": y / h, "col": x / w} for x, y in ring_of(g)]}}
    if isinstance(g, Mask):
        return {"mask": {"image": {"base64": mask_png_b64(g.to_array())}}}
    assert isinstance(g, Keypoints)
    x0, y0, x1, y1 = box_bounds(g)
    locations = []
    for x, y, v in g.points:
        location: dict[str, Any] = {"visibility": VISIBILITY_OUT[v]}
        if v:
            location.update(row=y / h, col=x / w)
        locations.append(location)
    info = clarifai_region_info(Box(x0, y0, min(x1, w), min(y1, h)), w, h)
    info["keypoint_locations"] = locations
    return info


def clarifai_encode(input_id: str, shape: Shape, w: int, h: int) -> dict[str, Any]:
    region = {
        "region_info": clarifai_region_info(shape.geometry, w, h),
        "data": {"concepts": [{"id": shape.cls, "value": 1}]},
    }
    return {"input_id": input_id, "data": {"regions": [region]}}


def clarifai_decode(annotation: Mapping[str, Any], w: int, h: int) -> Shape | None:
    regions = (annotation.get("data") or {}).get("regions") or []
    if len(regions) != 1:
        return None
    info = regions[0].get("region_info") or {}
    concepts = (regions[0].get("data") or {}).get("concepts") or []
    cls = str(concepts[0]["id"]) if concepts else None
    if info.get("keypoint_locations"):
        slots = []
        for p in info["keypoint_locations"]:
            v = VISIBILITY_IN[p.get("visibility", 1)]
            x, y = (p.get("col", 0.0) * w, p.get("row", 0.0) * h) if v else (0.0, 0.0)
            slots.append((x, y, v))
        return Shape(cls, Keypoints(tuple(slots)))
    if "mask" in info:
        raw = base64.b64decode(info["mask"]["image"]["base64"])
        with Image.open(io.BytesIO(raw)) as image:
            return Shape(cls, Mask.from_array(np.asarray(image.convert("L")) > 127))
    if "polygon" in info:
        ring = [(p.get("col", 0.0) * w, p.get("row", 0.0) * h) for p in info["polygon"]["points"]]
        return Shape(cls, Polygon.from_points(ring))
    if "bounding_box" in info:
        bb = info["bounding_box"]
        return Shape(
            cls,
            Box(
                bb.get("left_col", 0.0) * w,
                bb.get("top_row", 0.0) * h,
                bb.get("right_col", 0.0) * w,
                bb.get("bottom_row", 0.0) * h,
            ),
        )
    return None


# -- CloudFactory ---------------------------------------------------------------------------
def cloudfactory_encode(shape: Shape) -> dict[str, Any]:
    g = shape.geometry
    assert isinstance(g, Box), "CloudFactory labels are boxes"
    return {"metadata": {"category": shape.cls}, "bbox": [g.x0, g.y0, g.x1 - g.x0, g.y1 - g.y0]}


def cloudfactory_decode(label: Any) -> Shape | None:
    if not isinstance(label, Mapping):
        return None
    bbox = label.get("bbox")
    if not isinstance(bbox, list) or len(bbox) != 4:
        return None
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in bbox):
        return None
    x, y, bw, bh = bbox
    if bw <= 0 or bh <= 0:
        return None
    category = (label.get("metadata") or {}).get("category")
    return Shape(str(category) if category else None, Box(x, y, x + bw, y + bh))
