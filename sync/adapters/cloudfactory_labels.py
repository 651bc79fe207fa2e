"""CloudFactory labels <-> limner regions: the box codec, label identities, the review marker.

Pure functions, no HTTP:

- a label is ``{"metadata": {...}, "bbox": [4 numbers]}``, so limner can only hold boxes
  there; the class, limner's uuid and the attributes go into the label's ``metadata``, and
  every other key found in a label (or in its metadata) is carried over when limner
  rewrites that label;
- a label has no server id: one limner wrote carries limner's uuid in its metadata, one
  made elsewhere gets a uuid derived from its content (not its position, so deleting
  another label does not change who it is);
- the bbox order is not documented: COCO ``[x, y, width, height]`` in pixels by default
  (the results are exported as COCO), the other readings are a setting;
- a push writes the whole array: the labels it does not change go back exactly as the
  server sent them, in their places (``labels_after``);
- limner's last review decision rides in the labels' metadata (``limner_review``), the only
  place the API lets it be read back.
"""

from __future__ import annotations

import json
import math
import uuid as uuidlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from limner.models.domain.geometry import Box
from limner.models.errors import GeometryError
from limner.sync.adapters.base import Refused, Region
from limner.sync.errors import ConfigError, RemoteConflictError

if TYPE_CHECKING:
    from limner.sync.reconcile import PushPlan

NAMESPACE = uuidlib.UUID("0c1f3a52-8a4e-4c65-b2a9-6f0e3d7c9a11")
UUID_KEY = "limner_uuid"
ATTRIBUTES_KEY = "attributes"
REVIEW_KEY = "limner_review"
BBOX_FORMATS = ("xywh", "xyxy", "xywh_normalized", "xyxy_normalized")

_ONLY_A_BBOX = "CloudFactory work item labels hold only a bbox; {} cannot be stored there"
REFUSED: Mapping[str, str] = {
    "polygon": _ONLY_A_BBOX.format("polygons"),
    "mask": _ONLY_A_BBOX.format("masks"),
    "keypoints": _ONLY_A_BBOX.format("keypoints"),
    "polyline": _ONLY_A_BBOX.format("polylines"),
    "point": _ONLY_A_BBOX.format("points"),
    "ellipse": _ONLY_A_BBOX.format("ellipses"),
    "tag": "CloudFactory work items have no image-level answers; the tag stays in limner",
}


# -- labels -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LabelStyle:
    """How this remote spells a box and its class (per-connection settings)."""

    bbox_format: str = "xywh"
    class_key: str = "category"

    def __post_init__(self) -> None:
        if self.bbox_format not in BBOX_FORMATS:
            raise ConfigError(
                f"bbox_format {self.bbox_format!r} is unknown; use one of {', '.join(BBOX_FORMATS)}"
            )
        if not self.class_key:
            raise ConfigError("class_key must name a label metadata key")


class LabelError(ValueError):
    """A label limner cannot read as a box."""


def bbox_of(box: Box, width: int, height: int, fmt: str) -> list[float]:
    if fmt == "xywh":
        return [box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0]
    if fmt == "xyxy":
        return [box.x0, box.y0, box.x1, box.y1]
    if fmt == "xywh_normalized":
        return [box.x0 / width, box.y0 / height, box.width / width, box.height / height]
    return [box.x0 / width, box.y0 / height, box.x1 / width, box.y1 / height]


def box_of(values: object, width: int, height: int, fmt: str) -> Box:
    """The box a bbox stands for; absurd ones (NaN, no area, far off the image) refused."""
    if (
        not isinstance(values, list | tuple)
        or len(values) != 4
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    ):
        raise LabelError(f"bbox is not 4 numbers: {values!r}")
    a, b, c, d = (float(v) for v in values)
    if not all(math.isfinite(v) for v in (a, b, c, d)):
        raise LabelError(f"bbox is not finite: {values!r}")
    if fmt.endswith("_normalized"):
        a, b, c, d = a * width, b * height, c * width, d * height
    x1, y1 = (a + c, b + d) if fmt.startswith("xywh") else (c, d)
    try:
        box = Box(a, b, x1, y1)
    except GeometryError as exc:
        raise LabelError(str(exc)) from exc
    if box.x0 < -width or box.y0 < -height or box.x1 > 2 * width or box.y1 > 2 * height:
        raise LabelError(f"bbox {values!r} lies far outside the {width}x{height} image")
    return box


def _canonical(label: Any) -> str:
    """A label's content as text, without limner's review (which is not the label's)."""
    metadata = label.get("metadata") if isinstance(label, Mapping) else None
    if isinstance(metadata, Mapping) and REVIEW_KEY in metadata:
        label = {**label, "metadata": {k: v for k, v in metadata.items() if k != REVIEW_KEY}}
    return json.dumps(label, sort_keys=True, separators=(",", ":"), default=str)


def own_uuid(label: Any) -> str | None:
    """The uuid limner wrote into a label's metadata, if any."""
    metadata = label.get("metadata") if isinstance(label, Mapping) else None
    value = metadata.get(UUID_KEY) if isinstance(metadata, Mapping) else None
    return value if isinstance(value, str) and value else None


def label_uuids(item_id: str, labels: Sequence[Any]) -> list[str]:
    """One uuid per label, in order: limner's own when the label carries it, else one
    derived from the label's content (identical labels told apart by their rank), so that
    a label keeps its identity when others are added, moved or deleted."""
    out: list[str] = []
    taken: set[str] = set()
    ranks: dict[str, int] = {}
    for label in labels:
        uid = own_uuid(label)
        if uid is None or uid in taken:
            text = _canonical(label)
            rank = ranks.get(text, 0)
            ranks[text] = rank + 1
            uid = str(uuidlib.uuid5(NAMESPACE, f"{item_id}:{rank}:{text}"))
        taken.add(uid)
        out.append(uid)
    return out


def read_label(uid: str, label: Any, width: int, height: int, style: LabelStyle) -> Region:
    """limner's reading of one label; ``LabelError`` says why it cannot be read."""
    if not isinstance(label, Mapping):
        raise LabelError("is not an object")
    metadata = label.get("metadata", {})
    if not isinstance(metadata, Mapping):
        raise LabelError("has a metadata that is not an object")
    try:
        box = box_of(label.get("bbox"), width, height, style.bbox_format)
    except LabelError as exc:
        raise LabelError(f"cannot be read as a box ({exc})") from exc
    name = metadata.get(style.class_key)
    attributes = metadata.get(ATTRIBUTES_KEY)
    return Region(
        uid,
        str(name) if isinstance(name, str | int) and str(name) else None,
        box,
        dict(attributes) if isinstance(attributes, Mapping) else {},
    )


def encode_label(
    region: Region, width: int, height: int, style: LabelStyle, previous: Any = None
) -> dict[str, Any]:
    """The label for ``region``; what ``previous`` held beyond limner's keys is kept."""
    if not isinstance(region.geometry, Box):
        kind = region.geometry.kind
        raise Refused(REFUSED.get(kind, f"CloudFactory labels cannot hold {kind} annotations"))
    box = region.geometry
    if box.rotated:
        raise Refused(
            f"CloudFactory boxes are not rotated, and this one is turned by {box.angle:g} degrees"
        )
    if region.group is not None:
        raise Refused("CloudFactory labels have no groups: ungroup this shape to send it")
    if box.x0 < 0 or box.y0 < 0:
        raise Refused("CloudFactory boxes cannot reach past the image's left or top edge")
    label = dict(previous) if isinstance(previous, Mapping) else {}
    old = label.get("metadata")
    metadata = dict(old) if isinstance(old, Mapping) else {}
    metadata[UUID_KEY] = region.uuid
    if region.class_name:
        metadata[style.class_key] = region.class_name
    else:
        metadata.pop(style.class_key, None)
    if region.attributes:
        metadata[ATTRIBUTES_KEY] = dict(region.attributes)
    else:
        metadata.pop(ATTRIBUTES_KEY, None)
    label["metadata"] = metadata
    label["bbox"] = bbox_of(box, width, height, style.bbox_format)
    return label


def class_names(labels: object, class_key: str) -> set[str]:
    names: set[str] = set()
    for label in labels if isinstance(labels, list) else []:
        metadata = label.get("metadata") if isinstance(label, Mapping) else None
        if isinstance(metadata, Mapping):
            name = metadata.get(class_key)
            if isinstance(name, str | int) and str(name):
                names.add(str(name))
    return names


def review_marker(labels: object) -> dict[str, Any] | None:
    """The review limner last wrote on this item (the first label that carries one)."""
    for label in labels if isinstance(labels, list) else []:
        metadata = label.get("metadata") if isinstance(label, Mapping) else None
        if isinstance(metadata, Mapping) and isinstance(metadata.get(REVIEW_KEY), Mapping):
            return dict(metadata[REVIEW_KEY])
    return None


def with_marker(
    labels: Sequence[Any], marker: Mapping[str, Any] | None, readable: Callable[[Any], bool]
) -> list[Any]:
    """``labels`` with limner's review set (or removed) in each readable label's metadata.

    Only that one key changes; everything else in every label stays as it was, and a label
    limner cannot read (``readable`` says which) is left exactly as it is.
    """
    out: list[Any] = []
    for label in labels:
        metadata = label.get("metadata", {}) if isinstance(label, Mapping) else None
        if not isinstance(metadata, Mapping) or not readable(label):
            out.append(label)
            continue
        changed = dict(metadata)
        if marker:
            changed[REVIEW_KEY] = dict(marker)
        else:
            changed.pop(REVIEW_KEY, None)
        out.append({**label, "metadata": changed})
    return out


def readable(label: Any, width: int, height: int, style: LabelStyle) -> bool:
    """Whether limner can read ``label`` as a box."""
    try:
        read_label("", label, width, height, style)
    except LabelError:
        return False
    return True


def labels_after(item_id: str, labels: Sequence[Any], plan: PushPlan) -> list[Any]:
    """The labels array ``plan`` leaves: its updates in place of their targets, its deletes
    left out, its creates at the end, and every other label exactly as it was."""
    replaced = {w.target.uuid: w.raw for w in plan.updates if w.target is not None}
    dropped = {d.target.uuid for d in plan.deletes}
    kept = {r.uuid: r.raw for r in plan.keeps}
    uuids = label_uuids(item_id, labels)
    if not (set(replaced) | dropped) <= set(uuids):
        raise RemoteConflictError(f"labels of work item {item_id} that the push changes are gone")
    out: list[Any] = []
    for label, uid in zip(labels, uuids, strict=True):
        if uid in dropped:
            continue
        out.append(replaced[uid] if uid in replaced else kept.get(uid, label))
    return out + [w.raw for w in plan.creates]
