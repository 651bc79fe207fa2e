"""Writing COCO: limner shapes to annotation entries, streamed into one JSON file.

Each image's shapes become annotations as the image arrives; nothing but the ids already
used is remembered between images, so an export of any size needs the memory of one
image. Ids the shapes already carry (from an earlier COCO import, or limner's own) are
kept when they are positive whole numbers not yet used, so a COCO -> limner -> COCO round
trip gives the same ids; the others get the next free ones.

What COCO cannot hold is named: a polygon with holes becomes an RLE mask (COCO's polygon
rings are a union, so a hole cannot be a ring), a rotated box the polygon of its corners,
an ellipse a polygon on its outline; shapes without a class, and points, polylines and
image tags, which COCO has no place for, are left out; and a group that is not one
keypoints shape plus one outline of the same class is written as separate annotations.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Geometry,
    Keypoints,
    Mask,
    Polygon,
    bounds,
    box_to_polygon,
    ellipse_to_polygon,
    rle_to_coco_string,
)
from limner.models.formats.base import ClassSpec, ImageLabels, Loss, Shape, shape_loss
from limner.models.formats.coco_shapes import (
    CROWD_ATTRIBUTE,
    polygon_rings,
    shape_area,
    write_category,
)
from limner.models.formats.common import (
    ELLIPSE_VERTICES,
    image_size,
    mask_full_counts,
    shape_units,
)
from limner.models.imaging.mask_ops.rasterize import polygon_to_mask_geometry

_OUTLINES = (Box, Polygon, Mask, Ellipse)


class _Ids:
    """Hands out ids: a wanted one when it is a free positive int, else the next free."""

    def __init__(self) -> None:
        self.used: set[int] = set()
        self.next = 1

    def take(self, wanted: object) -> int:
        if isinstance(wanted, int) and not isinstance(wanted, bool) and wanted > 0:
            if wanted not in self.used:
                self.used.add(wanted)
                return wanted
        while self.next in self.used:
            self.next += 1
        self.used.add(self.next)
        return self.next


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


@dataclass(slots=True)
class _Writer:
    classes: dict[str, tuple[int, ClassSpec]]
    ann_file: IO[str]
    losses: list[Loss] = field(default_factory=list)
    image_ids: _Ids = field(default_factory=_Ids)
    ann_ids: _Ids = field(default_factory=_Ids)
    annotations: int = 0

    def image(self, image: ImageLabels) -> dict[str, Any]:
        """The image's entry; its annotations go to the annotation file."""
        entry: dict[str, Any] = {"id": self.image_ids.take(image.id), "file_name": image.name}
        size = _size(image)
        if size is None:
            self.losses.append(
                Loss(image.name, None, "image size", "unknown, written without width and height")
            )
        else:
            entry["width"], entry["height"] = size
        for unit in shape_units(image, self.losses, _mergeable, "COCO"):
            ann = self._annotation(image, size, unit, entry["id"])
            if ann is not None:
                self.ann_file.write(("," if self.annotations else "") + "\n" + _dump(ann))
                self.annotations += 1
        return entry

    def _annotation(
        self,
        image: ImageLabels,
        size: tuple[int, int] | None,
        unit: list[tuple[int, Shape]],
        image_id: int,
    ) -> dict[str, Any] | None:
        first = unit[0][1]
        if first.class_name is None or first.class_name not in self.classes:
            why = (
                "it has no class, and COCO annotations need a category"
                if first.class_name is None
                else f"its class {first.class_name!r} is not among the classes written"
            )
            for i, shape in unit:
                self.losses.append(shape_loss(image, i, shape, "annotation", why))
            return None
        cat_id, spec = self.classes[first.class_name]
        ann: dict[str, Any] = {"id": 0, "image_id": image_id, "category_id": cat_id}
        outline = next(((i, s) for i, s in unit if isinstance(s.geometry, _OUTLINES)), None)
        points = next(((i, s) for i, s in unit if isinstance(s.geometry, Keypoints)), None)
        for i, shape in unit:
            if not isinstance(shape.geometry, (*_OUTLINES, Keypoints)):
                kind = "image tags" if shape.kind == "tag" else f"{shape.kind} shapes"
                self.losses.append(shape_loss(image, i, shape, shape.kind, f"COCO has no {kind}"))
        main = self._outline(image, size, outline, ann) if outline is not None else None
        kps = self._keypoints(image, spec, points, ann) if points is not None else None
        if main is None and kps is None:
            return None
        if kps is None and spec.skeleton is not None:
            ann["keypoints"] = [0] * (3 * len(spec.skeleton.names))
            ann["num_keypoints"] = 0
        if main is None:
            assert kps is not None
            x0, y0, x1, y1 = bounds(kps)
            ann["segmentation"] = []
            ann["bbox"] = [x0, y0, x1 - x0, y1 - y0]
            ann["area"] = shape_area(kps)
        owner = outline if outline is not None else points
        assert owner is not None
        kept = owner[1].source_id
        ann["id"] = self.ann_ids.take(kept if kept is not None else owner[1].id)
        self._attributes(image, owner, ann)
        return ann

    def _outline(
        self,
        image: ImageLabels,
        size: tuple[int, int] | None,
        item: tuple[int, Shape],
        ann: dict[str, Any],
    ) -> Geometry | None:
        index, shape = item
        geometry = shape.geometry
        if isinstance(geometry, Box) and geometry.rotated:
            geometry = box_to_polygon(geometry)
            why = "COCO boxes cannot turn; written as the polygon of its corners"
            self.losses.append(shape_loss(image, index, shape, "rotated box", why))
        elif isinstance(geometry, Ellipse):
            geometry = ellipse_to_polygon(geometry, ELLIPSE_VERTICES)
            why = f"COCO has no ellipses; written as a polygon of {ELLIPSE_VERTICES} vertices"
            self.losses.append(shape_loss(image, index, shape, "ellipse", why))
        if isinstance(geometry, Polygon) and any(p.holes for p in geometry.parts):
            geometry = self._holed(image, size, item)
            if geometry is None:
                return None
        if isinstance(geometry, Mask):
            if size is not None and size != (geometry.image_width, geometry.image_height):
                why = (
                    f"the mask is for a {geometry.image_width}x{geometry.image_height} image, "
                    f"this one is {size[0]}x{size[1]}"
                )
                self.losses.append(shape_loss(image, index, shape, "mask", why))
                return None
            counts = mask_full_counts(geometry)
            rle = {"size": [geometry.image_height, geometry.image_width]}
            rle["counts"] = rle_to_coco_string(counts)  # type: ignore[assignment]
            ann["segmentation"] = rle
        elif isinstance(geometry, Polygon):
            ann["segmentation"] = polygon_rings(geometry)
        else:
            ann["segmentation"] = []
        x0, y0, x1, y1 = bounds(geometry)
        ann["bbox"] = [x0, y0, x1 - x0, y1 - y0]
        ann["area"] = shape_area(geometry)
        return geometry

    def _holed(
        self, image: ImageLabels, size: tuple[int, int] | None, item: tuple[int, Shape]
    ) -> Geometry | None:
        """A polygon with holes as the RLE mask of its pixels, or its outer rings alone."""
        index, shape = item
        polygon = shape.geometry
        assert isinstance(polygon, Polygon)
        if size is None:
            why = "COCO polygons cannot have holes and the image size needed for RLE is unknown"
            self.losses.append(shape_loss(image, index, shape, "polygon hole", why))
            return polygon
        mask = polygon_to_mask_geometry(polygon, size[0], size[1])
        if mask is None:
            why = "it has holes, and as RLE it covers no pixel centre"
            self.losses.append(shape_loss(image, index, shape, "polygon", why))
            return None
        why = "COCO polygons cannot have holes; written as RLE"
        self.losses.append(shape_loss(image, index, shape, "polygon with a hole", why))
        return mask

    def _keypoints(
        self, image: ImageLabels, spec: ClassSpec, item: tuple[int, Shape], ann: dict[str, Any]
    ) -> Keypoints | None:
        index, shape = item
        keypoints = shape.geometry
        assert isinstance(keypoints, Keypoints)
        if spec.skeleton is None or len(spec.skeleton.names) != len(keypoints.points):
            why = (
                f"class {spec.name!r} has no skeleton"
                if spec.skeleton is None
                else f"{len(keypoints.points)} points, the skeleton of {spec.name!r} has "
                f"{len(spec.skeleton.names)}"
            )
            self.losses.append(shape_loss(image, index, shape, "keypoints", why))
            return None
        ann["keypoints"] = [value for point in keypoints.points for value in point]
        ann["num_keypoints"] = len(keypoints.labeled)
        return keypoints

    def _attributes(self, image: ImageLabels, item: tuple[int, Shape], ann: dict[str, Any]) -> None:
        index, shape = item
        attributes = dict(shape.attributes)
        crowd = attributes.pop(CROWD_ATTRIBUTE, False)
        ann["iscrowd"] = 1 if crowd is True or crowd == 1 else 0
        if not attributes:
            return
        try:
            _dump(attributes)
        except (TypeError, ValueError) as exc:
            why = f"they cannot be written as JSON ({exc})"
            self.losses.append(shape_loss(image, index, shape, "attributes", why))
            return
        ann["attributes"] = attributes


def _size(image: ImageLabels) -> tuple[int, int] | None:
    if image.size is not None:
        return image.size
    for shape in image.shapes:
        if isinstance(shape.geometry, Mask):
            return shape.geometry.image_width, shape.geometry.image_height
    if image.path is not None:
        return image_size(image.path)
    return None


def _mergeable(members: list[tuple[int, Shape]]) -> bool:
    if len(members) != 2 or members[0][1].class_name != members[1][1].class_name:
        return False
    kinds = sorted(isinstance(s.geometry, Keypoints) for _, s in members)
    return kinds == [False, True] and all(
        isinstance(s.geometry, (*_OUTLINES, Keypoints)) for _, s in members
    )


def _category_ids(
    classes: Sequence[ClassSpec], losses: list[Loss]
) -> dict[str, tuple[int, ClassSpec]]:
    ids = _Ids()
    out: dict[str, tuple[int, ClassSpec]] = {}
    unique: list[ClassSpec] = []
    for spec in classes:
        if spec.name in {u.name for u in unique}:
            losses.append(Loss(None, None, "class", f"{spec.name!r} is given twice; kept once"))
            continue
        unique.append(spec)
    # Classes that bring their own id take it first, so that a class without one never
    # takes the number a later class already had in its dataset.
    for spec in unique:
        if spec.source_id is not None:
            out[spec.name] = (ids.take(spec.source_id), spec)
    for spec in unique:
        if spec.name not in out:
            out[spec.name] = (ids.take(None), spec)
    return {spec.name: out[spec.name] for spec in unique}


def write_coco(
    images: Iterable[ImageLabels], classes: Sequence[ClassSpec], out: Path
) -> list[Loss]:
    """Write ``images`` and ``classes`` as one COCO JSON file at ``out``; return the losses."""
    losses: list[Loss] = []
    by_name = _category_ids(classes, losses)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    with tempfile.TemporaryFile("w+", encoding="utf-8", dir=out.parent) as ann_file:
        writer = _Writer(by_name, ann_file, losses)
        try:
            with part.open("w", encoding="utf-8") as fh:
                categories = [write_category(spec, cat_id) for cat_id, spec in by_name.values()]
                fh.write('{"info":{},"licenses":[],\n')
                fh.write('"categories":' + _dump(categories) + ',\n"images":[')
                for count, image in enumerate(images):
                    fh.write(("," if count else "") + "\n" + _dump(writer.image(image)))
                fh.write('\n],\n"annotations":[')
                ann_file.seek(0)
                shutil.copyfileobj(ann_file, fh)
                fh.write("\n]}\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(part, out)
        finally:
            part.unlink(missing_ok=True)
    return losses
