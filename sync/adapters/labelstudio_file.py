"""Label Studio's JSON export as an interchange format, read and written by the sync codec.

A Label Studio export is a list of tasks, each with ``data`` (the image's URL or path)
and ``annotations`` whose ``result`` lists the regions. Reading and writing go through
the same functions the Label Studio adapter pulls and pushes with
(:func:`read_containers`, :func:`group_results`, :func:`region_to_results`), so a region
means the same thing in a file as on a server, and a change to the codec changes both.
No network is used: this module only converts files.

* **Reading** takes the ``.json`` file and the label config beside it (the same name
  with ``.xml``, as writing leaves it); an export straight from Label Studio has no
  config, and its controls are then worked out from its results. Every annotation of a
  task is read. Items the codec keeps opaque (a labeled relation, a control limner has
  no form for) are losses. The task's ``predictions`` are read by the code the sync
  pulls them with (:func:`read_predictions`) and come as the image's predictions, which
  the importer keeps as suggestions with their model version and score.
* **Writing** gives one task per image (``data.image`` is the image's URL on the server
  the project syncs with, else its name), one annotation holding its labels as the
  codec writes them, and the image's open suggestions (and shapes marked as predictions)
  in the task's ``predictions``, those that came from Label Studio as they came; the
  config is written beside the file so the JSON can be imported into a Label Studio
  project created with it.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

from limner.models.domain.attributes import AttributeSpec
from limner.models.domain.geometry import Skeleton, TagSpec
from limner.models.formats.base import (
    ClassSpec,
    Detection,
    FormatError,
    ImageLabels,
    Loss,
    Provenance,
    Reading,
    Shape,
)
from limner.models.formats.common import image_size
from limner.sync.adapters.labelstudio_config import LabelStudioFormatError, LSConfig
from limner.sync.adapters.labelstudio_file_config import config_from_tasks
from limner.sync.adapters.labelstudio_file_write import LabelStudioWriter
from limner.sync.adapters.labelstudio_predictions import read_predictions
from limner.sync.adapters.labelstudio_read import LSRegion
from limner.sync.adapters.labelstudio_state import read_containers

__all__ = ["FORMAT", "NAME", "LabelStudioFileFormat"]

NAME = "labelstudio"
_HEAD = 1 << 16
_MAX_FILE = 1 << 31


@dataclass(frozen=True, slots=True)
class LabelStudioFileFormat:
    """Label Studio's JSON export (a list of tasks) with its label config beside it."""

    name: str = NAME
    title: str = "Label Studio JSON"
    layout: Literal["file", "folder"] = "file"
    kinds: frozenset[str] = field(
        default_factory=lambda: frozenset(
            {"box", "polygon", "mask", "polyline", "point", "ellipse", "keypoints", "tag"}
        )
    )

    def detect(self, path: Path) -> Detection:
        if path.is_dir():
            for candidate in sorted(path.glob("*.json"))[:8]:
                if _looks_like_tasks(candidate):
                    return Detection(0.85, f"{candidate.name} in the folder is a list of tasks")
            return Detection(0.0, "no .json file holding Label Studio tasks")
        if path.suffix.lower() == ".json" and _looks_like_tasks(path):
            return Detection(0.85, f"{path.name} holds Label Studio tasks (data and annotations)")
        return Detection(0.0, f"{path.name} is not a list of Label Studio tasks")

    def read(self, path: Path) -> Reading:
        if path.is_dir():
            found = [p for p in sorted(path.glob("*.json")) if _looks_like_tasks(p)]
            if not found:
                raise FormatError(f"{path} has no .json file holding Label Studio tasks")
            path = found[0]
        tasks = _load(path)
        losses: list[Loss] = []
        config = _config(path, tasks, losses)
        reader = _Reader(path, config, losses)
        classes = reader.classes(tasks)
        return Reading(path, classes, reader.images(tasks), losses)

    def write(
        self, images: Iterable[ImageLabels], classes: Sequence[ClassSpec], out: Path
    ) -> list[Loss]:
        # The whole file is one JSON list, so the images are held anyway; holding them
        # first lets the config give a class of any kind a control per kind it is used as.
        held = list(images)
        flexible = {cls.name for cls in classes if cls.kind == "any"}
        any_kinds: dict[str, set[str]] = {}
        for image in held:
            for shape in image.shapes:
                if shape.class_name in flexible:
                    any_kinds.setdefault(shape.class_name, set()).add(shape.kind)
        writer = LabelStudioWriter(classes, any_kinds)
        tasks = [writer.task(image) for image in held]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_suffix(".xml").write_text(writer.config_xml, encoding="utf-8")
        partial = out.with_name(out.name + ".partial")
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(tasks, handle, ensure_ascii=False, indent=1)
        partial.replace(out)
        return writer.finish()


FORMAT = LabelStudioFileFormat()


def _looks_like_tasks(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD).decode("utf-8", errors="replace")
    except OSError:
        return False
    return (
        head.lstrip()[:1] in ("[", "{")
        and '"data"' in head
        and ('"annotations"' in head or '"predictions"' in head)
    )


def _load(path: Path) -> list[Mapping[str, Any]]:
    try:
        if path.stat().st_size > _MAX_FILE:
            raise FormatError(f"{path} is larger than 2 GiB")
        with path.open("rb") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as error:
        raise FormatError(f"{path} cannot be read as JSON: {error}") from None
    if isinstance(data, Mapping) and isinstance(data.get("data"), Mapping):
        data = [data]  # one task on its own, as Label Studio also imports and exports it
    if not isinstance(data, list):
        raise FormatError(f"{path} is not a Label Studio export (not a list of tasks)")
    return [task for task in data if isinstance(task, Mapping)]


def _config(path: Path, tasks: list[Mapping[str, Any]], losses: list[Loss]) -> LSConfig:
    """The config beside the file, else the one its results imply."""
    from limner.sync.adapters.labelstudio_config import parse_label_config

    beside = path.with_suffix(".xml")
    try:
        if beside.is_file():
            config = parse_label_config(beside.read_text(encoding="utf-8"))
        else:
            config = config_from_tasks(tasks)
            why = (
                f"no label config beside the file ({beside.name}); its controls are worked "
                "out from the results, and keypoints take the order their points appear in"
            )
            losses.append(Loss(None, None, "label config", why))
    except (OSError, LabelStudioFormatError) as error:
        raise FormatError(f"the label config of {path} cannot be used: {error}") from None
    for warning in config.warnings:
        losses.append(Loss(None, None, "label config", warning))
    return config


def image_name(url: str) -> str:
    """The image's name from ``data.image``: an upload, a local-files URL, a URL or a path."""
    parts = urlsplit(url)
    if parts.path.startswith("/data/local-files/"):
        stated = parse_qs(parts.query).get("d", [""])[0]
        return posixpath.basename(stated) or url
    if parts.scheme or parts.path.startswith("/data/"):
        name = unquote(posixpath.basename(parts.path)) or url
        if parts.path.startswith("/data/upload/") and "-" in name:
            name = name.split("-", 1)[1]  # uploads are stored as <8 hex>-<original name>
        return name
    return posixpath.normpath(url.replace("\\", "/"))


class _Reader:
    def __init__(self, source: Path, config: LSConfig, losses: list[Loss]) -> None:
        self.source = source
        self.config = config
        self.losses = losses
        self.edges: dict[str, set[tuple[int, int]]] = {}

    def classes(self, tasks: list[Mapping[str, Any]]) -> list[ClassSpec]:
        specs = self.config.classes()
        if any(spec.kind == "keypoints" for spec in specs):
            for task in tasks:  # skeleton edges live in the results, not in the config
                size = _size(task)
                if size is not None:
                    self._collect_edges(task, *size)
        return [self._class(spec) for spec in specs]

    def _class(self, spec: Any) -> ClassSpec:
        skeleton = None
        if spec.skeleton is not None:
            edges = tuple(sorted(self.edges.get(spec.name, ())))
            skeleton = Skeleton(tuple(spec.skeleton["names"]), edges)
        schema = tuple(
            AttributeSpec(a["name"], a["type"], tuple(a.get("options", ())))
            for a in spec.attribute_schema
        )
        tag = TagSpec.from_json(spec.tag) if spec.tag is not None else None
        return ClassSpec(spec.name, spec.kind, spec.color, skeleton, schema, tag=tag)

    def images(self, tasks: list[Mapping[str, Any]]) -> Iterator[ImageLabels]:
        for task in tasks:
            yield self._image(task)

    def _image(self, task: Mapping[str, Any]) -> ImageLabels:
        data = task.get("data") if isinstance(task.get("data"), Mapping) else {}
        url = data.get(self.config.image_key)
        task_id = task.get("id")
        name = image_name(url) if isinstance(url, str) and url else f"task-{task_id}"
        picture = self.source.parent / name
        picture = picture if picture.is_file() else None
        losses: list[Loss] = []
        size = _size(task) or (image_size(picture) if picture is not None else None)
        if size is None:
            why = "the image's size is unknown (no original_width in its results, no file)"
            if _results_count(task):
                losses.append(Loss(name, None, "image size", why))
            return ImageLabels(name, (), None, None, picture, tuple(losses), task_id)
        width, height = size
        shapes = self._annotations(name, task, width, height, losses)
        predictions, problems = read_predictions(task, self.config, width, height)
        losses.extend(Loss(name, p.item, "prediction", p.why) for p in problems)
        return ImageLabels(
            name,
            tuple(shapes),
            width,
            height,
            picture,
            tuple(losses),
            task_id,
            predictions=tuple(predictions),
        )

    def _annotations(
        self, name: str, task: Mapping[str, Any], width: int, height: int, losses: list[Loss]
    ) -> list[Shape]:
        shapes: list[Shape] = []
        where = f"task {task.get('id')}"
        for container in read_containers(_with_ids(task), self.config, width, height):
            for problem in container.problems:
                losses.append(Loss(name, container.key, problem.kind, problem.message))
            for remote in container.regions:
                region = remote.region
                if region is None:
                    losses.append(Loss(name, remote.key, "region", str(remote.problem)))
                    continue
                provenance = Provenance(
                    str(self.source), NAME, f"{where}, annotation {container.key}, {remote.key}"
                )
                shapes.append(
                    Shape(
                        region.geometry,
                        region.class_name,
                        dict(region.attributes),
                        provenance,
                        remote.uuid,
                        group=region.group,
                    )
                )
        return shapes

    def _collect_edges(self, task: Mapping[str, Any], width: int, height: int) -> None:
        for container in read_containers(_with_ids(task), self.config, width, height):
            for remote in container.regions:
                region = remote.region
                if isinstance(region, LSRegion) and region.skeleton_edges:
                    found = self.edges.setdefault(region.class_name or "", set())
                    found.update(tuple(sorted(edge)) for edge in region.skeleton_edges)


def _with_ids(task: Mapping[str, Any]) -> dict[str, Any]:
    """The task with every annotation given an id (a hand-written file may have none)."""
    annotations = task.get("annotations")
    if not isinstance(annotations, list):
        return dict(task)
    numbered = [
        {**a, "id": index + 1} if isinstance(a, Mapping) and a.get("id") is None else a
        for index, a in enumerate(annotations)
    ]
    return {**task, "annotations": numbered}


def _size(task: Mapping[str, Any]) -> tuple[int, int] | None:
    """The image size the results were drawn on (``original_width``/``original_height``)."""
    for key in ("annotations", "predictions"):
        for entry in task.get(key) or ():
            for item in (entry.get("result") if isinstance(entry, Mapping) else None) or ():
                if not isinstance(item, Mapping):
                    continue
                width, height = item.get("original_width"), item.get("original_height")
                if isinstance(width, int) and isinstance(height, int) and width > 0 < height:
                    return width, height
    return None


def _results_count(task: Mapping[str, Any]) -> int:
    return sum(
        len(entry.get("result") or ())
        for key in ("annotations", "predictions")
        for entry in task.get(key) or ()
        if isinstance(entry, Mapping)
    )
