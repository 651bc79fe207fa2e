"""COCO annotations and categories to limner's shapes and classes, and back.

One COCO annotation can hold a box, a segmentation (polygons or an RLE mask) and
keypoints at once; a limner annotation holds one shape. Reading therefore yields the
segmentation (or the box when there is none) plus the keypoints, tied by a ``group``
named after the annotation's id; writing merges a group of one keypoints shape and one
box, polygon or mask of the same class back into one annotation. The box COCO requires
beside a segmentation or keypoints is derived from them when writing, and is only read as
a shape of its own when it says more than they do.

Coordinates are used as they are: COCO's frame is limner's (the origin at the top-left
corner of the top-left pixel), and ``bbox`` is ``[x, y, width, height]``. Polygons are
written as polygons; a polygon with holes, which COCO's polygons cannot hold (several
rings are a union there), is written as an RLE mask and named as a loss.

limner classes carry a colour, a shape kind, an attribute schema and skeleton flip pairs
that COCO has no field for; they go into a ``limner`` object on the category, which other
COCO readers ignore, so a limner -> COCO -> limner round trip keeps the classes whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from limner.models.domain.attributes import SchemaError, parse_schema
from limner.models.domain.geometry import (
    Box,
    Geometry,
    Keypoints,
    Mask,
    Polygon,
    PolygonPart,
    Skeleton,
    bounds,
    rle_from_coco_string,
)
from limner.models.domain.palette import is_color
from limner.models.errors import GeometryError
from limner.models.formats.base import ClassSpec, Loss, Provenance, Shape
from limner.models.formats.common import finite_number, mask_from_full_counts, whole_number

# Keys of an annotation that this module reads; any other key is kept as an attribute.
ANNOTATION_KEYS = frozenset(
    {
        "id",
        "image_id",
        "category_id",
        "segmentation",
        "area",
        "bbox",
        "iscrowd",
        "attributes",
        "keypoints",
        "num_keypoints",
    }
)

# How far (in pixels) a stored bbox may be from its shape's bounds and still count as
# derived from it: COCO files round coordinates to two decimals.
BBOX_TOLERANCE = 0.01

EXTENSION_KEY = "limner"
CROWD_ATTRIBUTE = "iscrowd"


@dataclass(slots=True)
class Category:
    """A category as read: its class, and the point count its keypoints must have."""

    spec: ClassSpec
    points: int = 0


@dataclass(slots=True)
class Reader:
    """Converts one file's annotations, collecting losses and counting recomputed areas."""

    source: str
    categories: Mapping[int, Category]
    losses: list[Loss] = field(default_factory=list)
    areas_differ: int = 0

    def annotation(
        self, ann: Mapping[str, Any], image: str, size: tuple[int, int] | None
    ) -> list[Shape]:
        """The shapes of one annotation (none when nothing usable is in it)."""
        ann_id = ann.get("id")
        label: int | str | None = ann_id if isinstance(ann_id, int | str) else None

        def lose(what: str, why: str) -> None:
            self.losses.append(Loss(image, label, what, why))

        category = self.categories.get(ann.get("category_id"))  # type: ignore[arg-type]
        class_name = category.spec.name if category is not None else None
        if category is None:
            lose("category", f"category id {ann.get('category_id')!r} is not declared")
        attributes = self._attributes(ann, lose)
        geometries = self._geometries(ann, size, category, lose)
        if not geometries:
            lose("annotation", "it has no usable bbox, segmentation or keypoints")
            return []
        self._check_area(ann, geometries[0])
        group = str(label) if len(geometries) > 1 and label is not None else None
        provenance = Provenance(self.source, "coco", f"annotation id {label}")
        return [
            Shape(g, class_name, attributes, provenance, id=label, group=group) for g in geometries
        ]

    def _attributes(self, ann: Mapping[str, Any], lose: Any) -> dict[str, Any]:
        raw = ann.get("attributes")
        attributes: dict[str, Any] = {}
        if isinstance(raw, Mapping):
            attributes.update(raw)
        elif raw is not None:
            lose("attributes", f"'attributes' is {type(raw).__name__}, not an object")
        if ann.get("iscrowd") in (1, True):
            attributes[CROWD_ATTRIBUTE] = True
        for key in ann:
            if key not in ANNOTATION_KEYS:
                attributes[key] = ann[key]
                lose(key, f"'{key}' kept as an attribute")
        return attributes

    def _geometries(
        self,
        ann: Mapping[str, Any],
        size: tuple[int, int] | None,
        category: Category | None,
        lose: Any,
    ) -> list[Geometry]:
        segmentation = _segmentation(ann.get("segmentation"), size, lose)
        keypoints = _keypoints(ann.get("keypoints"), category, lose)
        box = _bbox(ann.get("bbox"), lose)
        shapes: list[Geometry] = [g for g in (segmentation, keypoints) if g is not None]
        if box is None:
            return shapes
        if segmentation is not None:
            if not _near(box, bounds(segmentation)):
                lose("bbox", "it differs from the segmentation's bounds, which are kept")
            return shapes
        if keypoints is not None and _near(box, bounds(keypoints)):
            return shapes
        x0, y0, x1, y1 = box
        if x1 <= x0 or y1 <= y0:
            lose("bbox", f"[{x0}, {y0}, {x1 - x0}, {y1 - y0}] has no area")
            return shapes
        return [Box(x0, y0, x1, y1), *shapes]

    def _check_area(self, ann: Mapping[str, Any], shape: Geometry) -> None:
        stored = finite_number(ann.get("area"))
        if stored is not None and abs(stored - shape_area(shape)) > 1e-6 * max(1.0, stored):
            self.areas_differ += 1


Extent = tuple[float, float, float, float]


def _near(a: Extent, b: Extent) -> bool:
    return all(abs(p - q) <= BBOX_TOLERANCE for p, q in zip(a, b, strict=True))


def _bbox(raw: object, lose: Any) -> Extent | None:
    """``bbox`` as ``(x0, y0, x1, y1)``; it may be flat (one keypoint has no extent)."""
    if raw is None or raw == []:
        return None
    values = [finite_number(v) for v in raw] if isinstance(raw, list) else []
    if len(values) != 4 or any(v is None for v in values):
        lose("bbox", f"{raw!r} is not [x, y, width, height]")
        return None
    x, y, w, h = (float(v) for v in values)  # type: ignore[arg-type]
    if w < 0 or h < 0:
        lose("bbox", f"{raw!r} has a negative size")
        return None
    return (x, y, x + w, y + h)


def _segmentation(raw: object, size: tuple[int, int] | None, lose: Any) -> Geometry | None:
    if raw is None or raw == []:
        return None
    if isinstance(raw, list):
        return _polygon(raw, lose)
    if isinstance(raw, Mapping):
        return _rle(raw, size, lose)
    lose("segmentation", f"a {type(raw).__name__} is neither polygons nor RLE")
    return None


def _polygon(rings: list[Any], lose: Any) -> Polygon | None:
    parts: list[PolygonPart] = []
    for index, ring in enumerate(rings):
        values = [finite_number(v) for v in ring] if isinstance(ring, list) else []
        if not values or len(values) % 2 or any(v is None for v in values):
            lose("polygon", f"ring {index} is not a flat list of x, y numbers")
            continue
        try:
            parts.append(PolygonPart(tuple(zip(values[0::2], values[1::2], strict=True))))  # type: ignore[arg-type]
        except GeometryError as exc:
            lose("polygon", f"ring {index} was left out: {exc}")
    return Polygon(tuple(parts)) if parts else None


def _rle(raw: Mapping[str, Any], size: tuple[int, int] | None, lose: Any) -> Mask | None:
    dims = raw.get("size")
    hw = [whole_number(v) for v in dims] if isinstance(dims, list) else []
    if len(hw) != 2 or any(v is None or v < 1 for v in hw):
        lose("mask", f"RLE size {dims!r} is not [height, width]")
        return None
    height, width = int(hw[0]), int(hw[1])  # type: ignore[arg-type]
    if size is not None and size != (width, height):
        lose("mask", f"RLE is {width}x{height} but the image is {size[0]}x{size[1]}")
        return None
    counts = raw.get("counts")
    try:
        runs = rle_from_coco_string(counts) if isinstance(counts, str | bytes) else counts
        return mask_from_full_counts(runs, height, width)
    except GeometryError as exc:
        lose("mask", str(exc))
        return None


def _keypoints(raw: object, category: Category | None, lose: Any) -> Keypoints | None:
    if raw is None or raw == []:
        return None
    if not isinstance(raw, list) or len(raw) % 3:
        lose("keypoints", "they are not a flat list of x, y, v triples")
        return None
    if category is not None and category.points and len(raw) != 3 * category.points:
        lose("keypoints", f"{len(raw) // 3} points but the category has {category.points}")
        return None
    triples = list(zip(raw[0::3], raw[1::3], raw[2::3], strict=True))
    placed = sum(1 for x, y, v in triples if v == 0 and (x, y) != (0, 0))
    if placed:
        why = (
            f"{placed} point{'s' if placed > 1 else ''} marked not labeled (v = 0) had a "
            "position; limner keeps no position for a point that is not labeled"
        )
        lose("keypoints", why)
    if all(v == 0 for _, _, v in triples):
        return None  # nothing labeled: the instance is its segmentation or box alone
    try:
        return Keypoints(tuple(triples))
    except GeometryError as exc:
        lose("keypoints", str(exc))
        return None


def shape_area(shape: Geometry) -> float:
    """COCO's ``area`` as limner writes it: pixels for masks, shoelace area for polygons,
    and the extent of the labeled points for keypoints alone."""
    if isinstance(shape, Keypoints):
        x0, y0, x1, y1 = bounds(shape)
        return (x1 - x0) * (y1 - y0)
    return float(shape.area)


# -- categories ----------------------------------------------------------------------------
def read_category(raw: object, losses: list[Loss]) -> tuple[int, Category] | None:
    """One entry of ``categories`` as ``(id, Category)``, or None (with a loss)."""

    def lose(what: str, why: str) -> None:
        losses.append(Loss(None, None, what, why))

    if not isinstance(raw, Mapping):
        lose("category", f"a {type(raw).__name__} is not a category object")
        return None
    cat_id = whole_number(raw.get("id"))
    name = raw.get("name")
    if cat_id is None or not isinstance(name, str) or not name.strip():
        lose("category", f"{dict(raw)!r} has no whole-number id and name")
        return None
    skeleton, points = _category_skeleton(raw, name, lose)
    extension = raw.get(EXTENSION_KEY)
    extension = extension if isinstance(extension, Mapping) else {}
    kind = extension.get("kind")
    if kind is None:
        kind = "keypoints" if points else "any"
    color = extension.get("color")
    if color is not None and not (isinstance(color, str) and is_color(color)):
        lose("category colour", f"{name!r}: {color!r} is not #rrggbb")
        color = None
    try:
        schema = parse_schema(extension.get("attributes", ()))
    except (SchemaError, AttributeError, TypeError) as exc:
        lose("attribute schema", f"{name!r}: {exc}")
        schema = ()
    supercategory = raw.get("supercategory")
    if supercategory not in (None, "", name):
        lose("supercategory", f"{name!r}: supercategory {supercategory!r} is not kept")
    spec = ClassSpec(name, str(kind), color, skeleton, schema, cat_id)
    return cat_id, Category(spec, points)


def _category_skeleton(raw: Mapping[str, Any], name: str, lose: Any) -> tuple[Skeleton | None, int]:
    names = raw.get("keypoints")
    if not names:
        return None, 0
    edges = raw.get("skeleton") or []
    extension = raw.get(EXTENSION_KEY)
    flips = extension.get("flip_pairs", []) if isinstance(extension, Mapping) else []
    try:
        one_based = [tuple(edge) for edge in edges]
        skeleton = Skeleton(
            tuple(names),
            tuple((a - 1, b - 1) for a, b in one_based),
            tuple(tuple(pair) for pair in flips),
        )
    except (GeometryError, TypeError, ValueError) as exc:
        lose("skeleton", f"{name!r}: {exc}")
        return None, len(names) if isinstance(names, list) else 0
    return skeleton, len(skeleton.names)


def write_category(spec: ClassSpec, cat_id: int) -> dict[str, Any]:
    """A ``categories`` entry for ``spec``; what COCO cannot hold goes under ``limner``."""
    entry: dict[str, Any] = {"id": cat_id, "name": spec.name, "supercategory": ""}
    extension: dict[str, Any] = {}
    if spec.skeleton is not None:
        entry["keypoints"] = list(spec.skeleton.names)
        entry["skeleton"] = [[a + 1, b + 1] for a, b in spec.skeleton.edges]
        if spec.skeleton.flip_pairs:
            extension["flip_pairs"] = [list(pair) for pair in spec.skeleton.flip_pairs]
    if spec.kind != ("keypoints" if spec.skeleton is not None else "any"):
        extension["kind"] = spec.kind
    if spec.color is not None:
        extension["color"] = spec.color
    if spec.attribute_schema:
        extension["attributes"] = [a.to_json() for a in spec.attribute_schema]
    if extension:
        entry[EXTENSION_KEY] = extension
    return entry


def polygon_rings(polygon: Polygon) -> list[list[float]]:
    """The outer rings of ``polygon`` as COCO's flat ``[x1, y1, x2, y2, ...]`` lists."""
    return [[c for point in part.outer for c in point] for part in polygon.parts]


def skeleton_points(classes: Sequence[ClassSpec]) -> dict[str, int]:
    """Point count of every class that has a skeleton, by name."""
    return {c.name: len(c.skeleton.names) for c in classes if c.skeleton is not None}
