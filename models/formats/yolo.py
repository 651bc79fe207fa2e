"""YOLO: one text file of normalised labels per image, classes in a YAML file.

Four tasks share the layout (see ``yolo_lines``): detect (boxes), segment (polygons),
pose (boxes with keypoints) and OBB (turned boxes). Reading finds the task from the YAML
(``kpt_shape`` means pose; limner's own files say their task) or, for detect and segment,
from each line's length. Eight values are ambiguous (a four-point polygon or an oriented
box), so a dataset of oriented boxes from another tool is read with ``yolo-obb``; the
other task names (``yolo-detect``, ``yolo-segment``, ``yolo-pose``) choose what an export
writes, where ``yolo`` writes pose when a class has a skeleton, segment when a class is
for polygons or masks, and detect otherwise.

Coordinates are fractions of the image's size, so reading needs every image's size, read
from the image file's header (as the image is displayed, EXIF orientation applied, which
is what training tools measure), and writing needs it from the caller or the file.
Images are read lazily, one label file at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Literal

from limner.models.domain.phrases import QT_TRANSLATE_NOOP
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
from limner.models.formats.yolo_dataset import (
    Dataset,
    class_file,
    dataset_classes,
    find_yaml,
    image_files,
    image_name,
    label_path,
    load_yaml,
    open_dataset,
    orphan_labels,
)
from limner.models.formats.yolo_lines import TASKS, LineError, Parsed, parse_line
from limner.models.formats.yolo_write import write_yolo

# How many label files detection looks at in a folder without a YAML.
_SNIFF_FILES = 5


def _looks_like_labels(path: Path) -> bool:
    """A text file whose first line is a class index followed by numbers."""
    try:
        with path.open("r", encoding="utf-8") as fh:
            first = fh.readline().split()
    except (OSError, UnicodeDecodeError):
        return False
    if len(first) < 5:
        return False
    try:
        values = [float(t) for t in first]
    except ValueError:
        return False
    return values[0].is_integer() and values[0] >= 0


def detect_yolo(path: Path) -> Detection:
    """A YAML with names, or a folder of label files beside images or under labels/."""
    yaml_path = find_yaml(path)
    if yaml_path is not None:
        data = load_yaml(yaml_path, quiet=True)
        if isinstance(data, dict) and ("names" in data or "nc" in data):
            task = "pose " if "kpt_shape" in data else ""
            return Detection(0.9, f"{yaml_path.name} lists {task}class names")
        return Detection(0.0, f"{yaml_path.name} has no names")
    if not path.is_dir():
        return Detection(0.0, f"{path.name} is not a folder or a dataset YAML")
    labels = path / "labels"
    place = labels if labels.is_dir() else path
    sample = sorted(p for p in place.rglob("*.txt") if p.name != "classes.txt")[:_SNIFF_FILES]
    if sample and all(_looks_like_labels(p) for p in sample):
        names = class_file(path)
        reason = f"{place.name}/ holds YOLO label files"
        if names is not None:
            return Detection(0.8, f"{reason} and {names.name}")
        return Detection(0.6, f"{reason}, without class names")
    return Detection(0.0, f"{path.name}/ has no dataset YAML and no YOLO label files")


_TITLES = {
    None: QT_TRANSLATE_NOOP("Formats", "YOLO (data.yaml and labels)"),
    "detect": QT_TRANSLATE_NOOP("Formats", "YOLO detect"),
    "segment": QT_TRANSLATE_NOOP("Formats", "YOLO segment"),
    "pose": QT_TRANSLATE_NOOP("Formats", "YOLO pose"),
    "obb": QT_TRANSLATE_NOOP("Formats", "YOLO obb"),
}
"""The title of each YOLO layout as the format pickers list it (task None: every task)."""


class YoloFormat:
    """YOLO detect, segment, pose and OBB labels with a ``data.yaml``."""

    layout: Literal["file", "folder"] = "folder"
    kinds = frozenset({"box", "polygon", "keypoints"})

    def __init__(self, task: str | None = None) -> None:
        if task is not None and task not in TASKS:
            raise ValueError(f"unknown YOLO task {task!r}")
        self.task = task
        self.name = "yolo" if task is None else f"yolo-{task}"
        self.title = _TITLES[task]

    def detect(self, path: Path) -> Detection:
        found = detect_yolo(Path(path))
        if self.task is None or not found:
            return found
        return Detection(0.0, f"read as 'yolo' ({found.reason})")

    def read(self, path: Path) -> Reading:
        dataset = open_dataset(Path(path))
        task = self.task or dataset.task
        if task is not None and task not in TASKS:
            dataset.lose("task", f"unknown task {task!r}; lines are read by their length")
            task = None
        if task == "pose" and dataset.kpt_shape is None:
            raise FormatError("a pose dataset needs kpt_shape in its YAML")
        classes = dataset_classes(dataset)
        images = _iter_images(dataset, task)
        return Reading(dataset.yaml_path or dataset.root, classes, images, dataset.losses)

    def write(
        self, images: Iterable[ImageLabels], classes: Sequence[ClassSpec], out: Path
    ) -> list[Loss]:
        return write_yolo(images, classes, Path(out), self.task)


def _iter_images(dataset: Dataset, task: str | None) -> Iterator[ImageLabels]:
    used: set[Path] = set()
    files = image_files(dataset)
    if not files:
        dataset.lose("images", f"no image files were found under {dataset.root}")
    for image in files:
        label = label_path(image)
        used.add(label)
        yield _image(dataset, task, image, label)
    for orphan in orphan_labels(dataset, used):
        where = orphan.relative_to(dataset.root).as_posix()
        dataset.lose("labels", f"{where} belongs to no image that was found")


def _image(dataset: Dataset, task: str | None, image: Path, label: Path) -> ImageLabels:
    name = image_name(image, dataset)
    size = image_size(image)
    width, height = size if size is not None else (None, None)
    if not label.is_file():
        return ImageLabels(name, (), width, height, image)
    try:
        lines = label.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        loss = Loss(name, None, "labels", f"{label.name} cannot be read: {exc}")
        return ImageLabels(name, (), width, height, image, (loss,))
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if size is None:
        why = f"the image's size cannot be read, so its {len(numbered)} labels cannot be placed"
        losses = (Loss(name, None, "image size", why),) if numbered else ()
        return ImageLabels(name, (), None, None, image, losses)
    shapes: list[Shape] = []
    losses_list: list[Loss] = []
    for number, line in numbered:
        try:
            parsed = parse_line(line, task, size, dataset.kpt_shape)
        except (LineError, ValueError) as exc:
            losses_list.append(Loss(name, number, "label", str(exc)))
            continue
        shapes.extend(_shapes(dataset, parsed, str(label), number, name, losses_list))
    return ImageLabels(name, tuple(shapes), width, height, image, tuple(losses_list))


def _shapes(
    dataset: Dataset, parsed: Parsed, source: str, number: int, image: str, losses: list[Loss]
) -> list[Shape]:
    index = parsed.class_index
    class_name = dataset.names[index] if index < len(dataset.names) else None
    if class_name is None:
        why = f"class {index} is not among the {len(dataset.names)} names"
        losses.append(Loss(image, number, "class", why))
    if parsed.note is not None:
        losses.append(Loss(image, number, parsed.note_what, parsed.note))
    attributes: dict[str, float] = {}
    source_kind = "import"
    if parsed.confidence is not None:
        attributes["score"] = parsed.confidence
        source_kind = "prediction"
        losses.append(Loss(image, number, "confidence", "kept as the attribute 'score'"))
    geometries = [g for g in (parsed.box, parsed.polygon, parsed.keypoints) if g is not None]
    group = f"line {number}" if len(geometries) > 1 else None
    provenance = Provenance(source, "yolo", f"line {number}")
    return [
        Shape(g, class_name, attributes, provenance, id=number, group=group, source=source_kind)
        for g in geometries
    ]


FORMAT = YoloFormat()
DETECT = YoloFormat("detect")
SEGMENT = YoloFormat("segment")
POSE = YoloFormat("pose")
OBB = YoloFormat("obb")
FORMATS = (FORMAT, DETECT, SEGMENT, POSE, OBB)
