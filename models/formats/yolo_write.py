"""Writing YOLO: a ``labels/`` file per image, the images beside, and ``data.yaml``.

An export is a dataset a training tool can open: ``images/<name>`` (hard-linked to the
original when the file system allows, copied otherwise), ``labels/<name>.txt`` (empty for
an image without labels, which tells a trainer it is background) and a ``data.yaml``
naming the classes, the splits (``train``, ``val`` and ``test`` when the image names start
with those folders, else ``images`` for both training and validation) and, for pose, the
keypoint shape and flip order. The YAML has no ``path``, so training tools take the
folder it is in. YOLO's class indices must run from 0 without gaps, so a class keeps its
index only when the given indices already do.

One task is written per dataset, because training tools read a file as all boxes or all
polygons. What the task cannot hold becomes the nearest thing it can, or is left out, and
either way is named: a polygon in a detect dataset is written as its bounding box, a box
in a segment dataset as its four corners, a mask as its traced outline.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from limner.models.domain.geometry import (
    Box,
    Ellipse,
    Keypoints,
    Mask,
    Polygon,
    Skeleton,
    bounds,
    ellipse_to_polygon,
    polygon_to_box,
)
from limner.models.formats.base import ClassSpec, ImageLabels, Loss, Shape, shape_loss
from limner.models.formats.common import ELLIPSE_VERTICES, image_size, shape_units
from limner.models.formats.yolo_dataset import EXTENSION_KEY, SPLITS
from limner.models.formats.yolo_lines import (
    box_values,
    decimals_for,
    format_line,
    keypoint_values,
    point_values,
)
from limner.models.imaging.mask_ops.trace import mask_to_polygons

Item = tuple[int, Shape]
_OUTLINES = (Box, Polygon, Mask, Ellipse)


def choose_task(classes: Sequence[ClassSpec]) -> str:
    """The task ``yolo`` writes: pose with a skeleton, segment for outlines, else detect."""
    if any(c.skeleton is not None for c in classes):
        return "pose"
    if any(c.kind in ("polygon", "mask") for c in classes):
        return "segment"
    return "detect"


def unique_classes(classes: Sequence[ClassSpec], losses: list[Loss]) -> list[ClassSpec]:
    unique: list[ClassSpec] = []
    for spec in classes:
        if any(u.name == spec.name for u in unique):
            losses.append(Loss(None, None, "class", f"{spec.name!r} is given twice; kept once"))
        else:
            unique.append(spec)
    return unique


def class_indices(classes: Sequence[ClassSpec]) -> dict[str, int]:
    """Class name to index, 0 to n-1; the given indices are kept when they are that."""
    given = sorted(c.source_id for c in classes if isinstance(c.source_id, int))
    if given == list(range(len(classes))):
        return {c.name: int(c.source_id) for c in classes}  # type: ignore[arg-type]
    return {c.name: i for i, c in enumerate(classes)}


@dataclass(slots=True)
class _Lines:
    """One image's label lines, built object by object, with the losses named."""

    image: ImageLabels
    size: tuple[int, int]
    task: str
    indices: dict[str, int]
    skeleton: Skeleton | None
    skeletal: frozenset[str]
    losses: list[Loss]
    lines: list[str] = field(default_factory=list)

    def lose(self, item: Item, what: str, why: str) -> None:
        self.losses.append(shape_loss(self.image, item[0], item[1], what, why))

    def add(self, item: Item, values: list[float], points_from: int | None = None) -> None:
        """One line; ``points_from`` is where ``x y v`` triples start (``v`` is no place)."""
        coordinate = [
            points_from is None or i < points_from or (i - points_from) % 3 != 2
            for i in range(len(values))
        ]
        if any(c and (v < 0 or v > 1) for c, v in zip(coordinate, values, strict=True)):
            values = [
                min(max(v, 0.0), 1.0) if c else v for c, v in zip(coordinate, values, strict=True)
            ]
            self.lose(item, "clipped", "YOLO values must lie in [0, 1]; clipped to the image")
        index = self.indices[item[1].class_name]  # type: ignore[index]
        self.lines.append(format_line(index, values, decimals_for(self.size)))

    def unit(self, unit: list[Item]) -> None:
        """One object: a shape, or in pose a group of a box and keypoints."""
        kept = [item for item in unit if self._usable(item)]
        points = next((i for i in kept if isinstance(i[1].geometry, Keypoints)), None)
        outline = next((i for i in kept if isinstance(i[1].geometry, _OUTLINES)), None)
        if self.task == "pose" and points is not None:
            self.pose(outline, points)
            return
        for item in kept:
            kind = item[1].kind
            if isinstance(item[1].geometry, _OUTLINES):
                self.outline(item)
            elif kind == "tag":
                self.lose(item, kind, "YOLO has no image tags")
            else:
                self.lose(item, kind, f"YOLO {self.task} has no {kind} shapes")

    def _usable(self, item: Item) -> bool:
        shape = item[1]
        if shape.class_name is None or shape.class_name not in self.indices:
            why = (
                "it has no class, and YOLO labels need one"
                if shape.class_name is None
                else f"its class {shape.class_name!r} is not among the classes written"
            )
            self.lose(item, "class", why)
            return False
        if shape.attributes:
            keys = ", ".join(sorted(shape.attributes))
            self.lose(item, "attributes", f"YOLO has no attributes; {keys} not written")
        return True

    def outline(self, item: Item) -> None:
        """A box, polygon or mask, in the form the task holds."""
        if self.task == "segment":
            for ring in self._rings(item):
                self.add(item, point_values(ring, self.size))
            return
        box = self._box(item)
        if self.task == "obb":
            self.add(item, point_values(box.corners(), self.size))
            return
        values = box_values(box.x0, box.y0, box.x1, box.y1, self.size)
        if self.task == "pose":
            count = len(self.skeleton.names) if self.skeleton is not None else 0
            values += keypoint_values(None, count, self.size)
        self.add(item, values, points_from=4)

    def _box(self, item: Item) -> Box:
        """The box the task writes for an outline: itself, or the box that holds it."""
        geometry = item[1].geometry
        if self.task == "obb":
            return self._turned(item)
        if isinstance(geometry, Box) and not geometry.rotated:
            return self._clipped(item, geometry)
        x0, y0, x1, y1 = bounds(geometry)
        kind = "rotated box" if isinstance(geometry, Box) else geometry.kind
        self.lose(item, kind, f"YOLO {self.task} holds boxes; written as its bounding box")
        return self._clipped(item, Box(x0, y0, x1, y1))

    def _turned(self, item: Item) -> Box:
        """For OBB: a box as it is, else the smallest turned box around the outline."""
        geometry = item[1].geometry
        if isinstance(geometry, Box):
            return geometry
        if isinstance(geometry, Ellipse):
            why = "YOLO OBB holds boxes; written as the turned box around it"
            self.lose(item, "ellipse", why)
            return Box.from_centre(
                geometry.cx, geometry.cy, 2 * geometry.rx, 2 * geometry.ry, geometry.angle
            )
        polygon = mask_to_polygons(geometry) if isinstance(geometry, Mask) else geometry
        assert isinstance(polygon, Polygon)
        why = "YOLO OBB holds boxes; written as the smallest turned box around it"
        self.lose(item, geometry.kind, why)
        return polygon_to_box(polygon)

    def _clipped(self, item: Item, box: Box) -> Box:
        """An axis-aligned box cut to the image (the values must stay in [0, 1])."""
        w, h = self.size
        x0, y0 = max(box.x0, 0.0), max(box.y0, 0.0)
        x1, y1 = min(box.x1, float(w)), min(box.y1, float(h))
        if (x0, y0, x1, y1) == (box.x0, box.y0, box.x1, box.y1) or x0 >= x1 or y0 >= y1:
            return box
        self.lose(item, "clipped", "YOLO values must lie in [0, 1]; the box is cut to the image")
        return Box(x0, y0, x1, y1)

    def _rings(self, item: Item) -> list[tuple[tuple[float, float], ...]]:
        geometry = item[1].geometry
        if isinstance(geometry, Box):
            self.lose(item, "box", "YOLO segment holds polygons; written as its corners")
            return [geometry.corners()]
        if isinstance(geometry, Ellipse):
            why = f"YOLO segment holds polygons; written as {ELLIPSE_VERTICES} points on it"
            self.lose(item, "ellipse", why)
            return [ellipse_to_polygon(geometry, ELLIPSE_VERTICES).parts[0].outer]
        if isinstance(geometry, Mask):
            traced = mask_to_polygons(geometry)
            self.lose(item, "mask", "YOLO segment holds polygons; written as its outline")
            if traced is None:
                return []
            geometry = traced
        assert isinstance(geometry, Polygon)
        if any(part.holes for part in geometry.parts):
            self.lose(item, "polygon hole", "YOLO polygons cannot have holes; left out")
        if len(geometry.parts) > 1:
            why = f"YOLO polygons have one part; written as {len(geometry.parts)} objects"
            self.lose(item, "polygon parts", why)
        return [part.outer for part in geometry.parts]

    def pose(self, outline: Item | None, points: Item) -> None:
        """Keypoints, with the box of their group or else the extent of their points."""
        keypoints = points[1].geometry
        assert isinstance(keypoints, Keypoints)
        if points[1].class_name not in self.skeletal:
            why = f"class {points[1].class_name!r} does not have the dataset's skeleton"
            self.lose(points, "keypoints", why)
            if outline is not None:
                self.outline(outline)
            return
        if outline is not None:
            box = self._box(outline)
            values = box_values(box.x0, box.y0, box.x1, box.y1, self.size)
        else:
            values = box_values(*bounds(keypoints), self.size)
        values += keypoint_values(keypoints, len(keypoints.points), self.size)
        self.add(points, values, points_from=4)


def _pose_mergeable(members: list[Item]) -> bool:
    if len(members) != 2 or members[0][1].class_name != members[1][1].class_name:
        return False
    kinds = sorted(isinstance(s.geometry, Keypoints) for _, s in members)
    return kinds == [False, True] and all(
        isinstance(s.geometry, (*_OUTLINES, Keypoints)) for _, s in members
    )


def _never(members: list[Item]) -> bool:
    return False


def _dataset_skeleton(
    classes: Sequence[ClassSpec], task: str, losses: list[Loss]
) -> tuple[Skeleton | None, frozenset[str]]:
    """The one skeleton of a pose dataset, and the classes whose keypoints fit it."""
    with_skeleton = [c for c in classes if c.skeleton is not None]
    if task != "pose" or not with_skeleton:
        return None, frozenset()
    skeleton = with_skeleton[0].skeleton
    for spec in with_skeleton[1:]:
        if spec.skeleton != skeleton:
            first = with_skeleton[0].name
            why = f"YOLO has one skeleton per dataset, {first!r}'s; its keypoints are not written"
            losses.append(Loss(None, None, f"skeleton of {spec.name!r}", why))
    return skeleton, frozenset(c.name for c in with_skeleton if c.skeleton == skeleton)


def _relative(name: str) -> PurePosixPath:
    """The image name as a safe relative path (no root, no ``..``)."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("/", "..", ".")]
    return PurePosixPath(*parts) if parts else PurePosixPath("image")


def _place_image(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        if os.path.samefile(source, target):
            return
        target.unlink()
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


@dataclass(slots=True)
class _Export:
    out: Path
    task: str
    indices: dict[str, int]
    skeleton: Skeleton | None
    skeletal: frozenset[str]
    losses: list[Loss]
    labels: set[PurePosixPath] = field(default_factory=set)
    tops: set[str] = field(default_factory=set)
    nested: bool = True

    def image(self, image: ImageLabels) -> None:
        relative = _relative(image.name)
        label = relative.with_suffix(".txt")
        if label in self.labels:
            why = f"another image already has labels/{label}; these are not written"
            self.losses.append(Loss(image.name, None, "labels", why))
            return
        self.labels.add(label)
        self.nested = self.nested and len(relative.parts) > 1 and relative.parts[0] in SPLITS
        self.tops.add(relative.parts[0])
        size = image.size or (image_size(image.path) if image.path is not None else None)
        if size is None:
            if image.shapes:
                why = "the image's size is unknown, so its labels cannot be normalised"
                self.losses.append(Loss(image.name, None, "image size", why))
            return
        lines = _Lines(
            image, size, self.task, self.indices, self.skeleton, self.skeletal, self.losses
        )
        mergeable = _pose_mergeable if self.task == "pose" else _never
        for unit in shape_units(image, self.losses, mergeable, f"YOLO {self.task}"):
            lines.unit(unit)
        target = self.out / "labels" / label
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(line + "\n" for line in lines.lines), encoding="utf-8")
        if image.path is not None and image.path.is_file():
            _place_image(image.path, self.out / "images" / relative)

    def yaml(self, classes: Sequence[ClassSpec]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.nested and self.tops:
            for split in SPLITS:
                if split in self.tops:
                    data[split] = f"images/{split}"
        else:
            data["train"] = data["val"] = "images"
        by_index = sorted(classes, key=lambda c: self.indices[c.name])
        data["names"] = {self.indices[c.name]: c.name for c in by_index}
        if self.skeleton is not None:
            data["kpt_shape"] = [len(self.skeleton.names), 3]
            flip = list(range(len(self.skeleton.names)))
            for a, b in self.skeleton.flip_pairs:
                flip[a], flip[b] = b, a
            data["flip_idx"] = flip
        data[EXTENSION_KEY] = {"task": self.task, "classes": _class_extras(by_index)}
        return data


def _class_extras(classes: Sequence[ClassSpec]) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    for spec in classes:
        extra: dict[str, Any] = {"kind": spec.kind}
        if spec.color is not None:
            extra["color"] = spec.color
        if spec.attribute_schema:
            extra["attributes"] = [a.to_json() for a in spec.attribute_schema]
        if spec.skeleton is not None:
            extra["skeleton"] = spec.skeleton.to_json()
        extras[spec.name] = extra
    return extras


def write_yolo(
    images: Iterable[ImageLabels], classes: Sequence[ClassSpec], out: Path, task: str | None
) -> list[Loss]:
    """Write a YOLO dataset of ``task`` (chosen from the classes when None) into ``out``."""
    losses: list[Loss] = []
    unique = unique_classes(classes, losses)
    task = task or choose_task(unique)
    skeleton, skeletal = _dataset_skeleton(unique, task, losses)
    export = _Export(out, task, class_indices(unique), skeleton, skeletal, losses)
    out.mkdir(parents=True, exist_ok=True)
    for image in images:
        export.image(image)
    text = yaml.safe_dump(export.yaml(unique), sort_keys=False, allow_unicode=True)
    part = out / "data.yaml.part"
    part.write_text(text, encoding="utf-8")
    os.replace(part, out / "data.yaml")
    return losses
