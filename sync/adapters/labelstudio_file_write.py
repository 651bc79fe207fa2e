"""limner's images and shapes as Label Studio tasks, through the sync codec's writer.

Kept apart from the reader (:mod:`~limner.sync.adapters.labelstudio_file`) because
writing starts from limner's classes: the label config is built from them first
(:func:`config_for_classes`), and each shape is then written by
:func:`region_to_results` against the class that config gives, exactly as a push would
send it. A shape the codec refuses (a polygon with a hole, an attribute with no control,
a tag in a group) is a loss for that shape alone. The image's open suggestions become
the task's ``predictions`` (:func:`prediction_entries`): those read from Label Studio in
the entries and items they came in, the others one entry per model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from limner.models.domain.geometry import Keypoints
from limner.models.formats.base import (
    ClassSpec,
    ImageLabels,
    Loss,
    Prediction,
    Shape,
    shape_loss,
)
from limner.sync.adapters.labelstudio_config import LabelStudioFormatError, LSClassSpec
from limner.sync.adapters.labelstudio_file_config import IMAGE_KEY, config_for_classes
from limner.sync.adapters.labelstudio_predictions import prediction_entries
from limner.sync.adapters.labelstudio_write import region_to_results

__all__ = ["LabelStudioWriter"]


class LabelStudioWriter:
    """Turns one image at a time into a task; ``losses`` grows as it goes."""

    def __init__(
        self, classes: Sequence[ClassSpec], any_kinds: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        self.losses: list[Loss] = []
        self.config_xml, config = config_for_classes(classes, self.losses, any_kinds)
        self.config = config
        # (limner class, kind) -> the config's class: a label is a class per control.
        self.specs: dict[tuple[str, str], LSClassSpec] = {}
        for spec in config.classes():
            self.specs.setdefault((spec.label or spec.name, spec.kind), spec)
        self.edges: dict[str, tuple[tuple[int, int], ...]] = {}
        self.kept_edges: dict[str, set[tuple[int, int]]] = {}
        for cls in classes:
            if cls.skeleton is not None:
                self.edges[cls.name] = tuple(cls.skeleton.edges)
                self.kept_edges[cls.name] = set()

    def finish(self) -> list[Loss]:
        """Every loss, with the skeleton edges no written instance could carry.

        Label Studio's config has no skeleton: an edge lives only as a relation between
        two labeled points of an instance, so an edge whose ends no instance labels is
        gone from the file.
        """
        for name, kept in self.kept_edges.items():
            for a, b in self.edges[name]:
                if (a, b) not in kept:
                    why = (
                        f"skeleton edge {a}-{b} is not in the file: no instance labels both "
                        "its points, and Label Studio keeps edges only as relations between them"
                    )
                    self.losses.append(Loss(None, None, f"skeleton of {name!r}", why))
        return self.losses

    def task(self, image: ImageLabels) -> dict[str, Any]:
        """The task of ``image``: its URL on the server it came from (else its name), its
        labels, and its predictions."""
        task: dict[str, Any] = {"data": {IMAGE_KEY: image.url or image.name}}
        if isinstance(image.id, int) and not isinstance(image.id, bool):
            task["id"] = image.id
        size = image.size
        if size is None:
            why = "the image's size is unknown, and Label Studio stores percentages of it"
            for index, shape in enumerate(image.shapes):
                self.losses.append(shape_loss(image, index, shape, "image size", why))
            task["annotations"] = []
            return task
        ids = _region_ids(image.shapes)
        anchors = _anchors(image.shapes, ids)
        labels: list[dict[str, Any]] = []
        predicted: list[dict[str, Any]] = []
        for index, shape in enumerate(image.shapes):
            items = self._items(image, index, shape, ids[index], anchors, size)
            (predicted if shape.source == "prediction" else labels).extend(items)
        task["annotations"] = [{"result": labels, "was_cancelled": False, "ground_truth": False}]
        entries = [{"result": predicted, "model_version": "limner"}] if predicted else []
        entries += prediction_entries(
            image.predictions, lambda p, region: self._predicted(image, p, region, size), self._fits
        )
        if entries:
            task["predictions"] = entries
        return task

    def _fits(self, item: Mapping[str, Any]) -> bool:
        control = self.config.control(str(item.get("from_name")))
        return (
            control is not None
            and control.to_name == item.get("to_name")
            and control.type == item.get("type")
        )

    def _predicted(
        self, image: ImageLabels, prediction: Prediction, region: str, size: tuple[int, int]
    ) -> list[dict[str, Any]] | None:
        """One suggestion's items, or None (and a loss) when the config cannot hold it."""
        spec = self.specs.get((prediction.class_name or "", prediction.kind))
        why = None
        if spec is None:
            why = f"class {prediction.class_name!r} has no control for {prediction.kind}s"
        else:
            try:
                return region_to_results(region, prediction.geometry, spec, {}, *size)
            except LabelStudioFormatError as error:
                why = str(error)
        self.losses.append(Loss(image.name, prediction.key or region, "suggestion", why))
        return None

    def _items(
        self,
        image: ImageLabels,
        index: int,
        shape: Shape,
        uuid: str,
        anchors: dict[str, str],
        size: tuple[int, int],
    ) -> list[dict[str, Any]]:
        spec = self.specs.get((shape.class_name or "", shape.kind))
        if spec is None:
            why = (
                f"class {shape.class_name!r} has no control for {shape.kind}s in the Label "
                "Studio config"
            )
            self.losses.append(shape_loss(image, index, shape, "class", why))
            return []
        known = {entry["name"] for entry in spec.attribute_schema}
        attributes = {}
        for key, value in shape.attributes.items():
            if key in known:
                attributes[key] = value
            else:
                why = f"attribute {key!r} has no per-region control for {spec.name!r}"
                self.losses.append(shape_loss(image, index, shape, "attribute", why))
        anchor = anchors.get(shape.group or "")
        try:
            items = region_to_results(
                uuid,
                shape.geometry,
                spec,
                attributes,
                *size,
                skeleton_edges=self.edges.get(spec.name, ()),
                group=anchor if anchor is not None and anchor != uuid else None,
            )
        except LabelStudioFormatError as error:
            self.losses.append(shape_loss(image, index, shape, shape.kind, str(error)))
            return []
        if isinstance(shape.geometry, Keypoints) and spec.name in self.kept_edges:
            labeled = {i for i, point in enumerate(shape.geometry.points) if point[2] > 0}
            for a, b in self.edges[spec.name]:
                if a in labeled and b in labeled:
                    self.kept_edges[spec.name].add((a, b))
        return items


def _region_ids(shapes: Sequence[Shape]) -> list[str]:
    """Each shape's result id: the one it had in Label Studio, else its own id, made
    unique within the task."""
    taken: set[str] = set()
    out = []
    for index, shape in enumerate(shapes):
        own = shape.source_id if shape.source_id is not None else shape.id
        base = str(own) if own is not None else f"r{index + 1}"
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}-{number}"
        taken.add(candidate)
        out.append(candidate)
    return out


def _anchors(shapes: Sequence[Shape], ids: list[str]) -> dict[str, str]:
    """Each group's anchor: its first member that is not keypoints, else its first."""
    anchors: dict[str, str] = {}
    for shape, uuid in zip(shapes, ids, strict=True):
        if shape.group is not None and shape.kind != "keypoints":
            anchors.setdefault(shape.group, uuid)
    for shape, uuid in zip(shapes, ids, strict=True):
        if shape.group is not None:
            anchors.setdefault(shape.group, uuid)
    return anchors
