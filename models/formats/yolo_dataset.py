"""Where a YOLO dataset keeps what: its YAML, class names, keypoint shape and image lists.

The layout is the one training tools expect: a YAML file (usually ``data.yaml``) with a
root ``path``, splits (``train``, ``val``, ``test``: folders of images, text files listing
images, or lists of either), ``names`` (a list, or a mapping from index to name), and for
pose datasets ``kpt_shape: [points, 2 or 3]`` and ``flip_idx``. Each image's labels are in
the text file found by replacing the last ``images`` folder of its path with ``labels``
and its suffix with ``.txt``; without an ``images`` folder the labels lie beside the image
(the older darknet layout, whose class names are in ``classes.txt``).

YOLO has no place for a class's colour, kind, attribute schema or point names and edges;
limner writes them under a ``limner`` key of the YAML, which training tools ignore, and
reads them back from there. Point names also come from a ``kpt_names`` key when present.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from limner.models.domain.attributes import SchemaError, parse_schema
from limner.models.domain.geometry import Skeleton
from limner.models.domain.palette import is_color
from limner.models.errors import GeometryError
from limner.models.formats.base import ClassSpec, FormatError, Loss
from limner.models.formats.common import whole_number
from limner.models.imaging.imageio import SUPPORTED_SUFFIXES, scan_images

SPLITS = ("train", "val", "test")
YAML_NAMES = ("data.yaml", "data.yml", "dataset.yaml", "dataset.yml")
CLASS_FILES = ("classes.txt", "obj.names", "classes.names")
EXTENSION_KEY = "limner"


@dataclass(slots=True)
class Dataset:
    """A YOLO dataset as found on disk, before any label file is read."""

    root: Path
    yaml_path: Path | None
    names: list[str]
    kpt_shape: tuple[int, int] | None = None
    flip_idx: list[int] | None = None
    task: str | None = None
    extension: Mapping[str, Any] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict)
    losses: list[Loss] = field(default_factory=list)

    def lose(self, what: str, why: str) -> None:
        self.losses.append(Loss(None, None, what, why))


def find_yaml(path: Path) -> Path | None:
    """The dataset YAML meant by ``path``: the file itself, or the one in the folder."""
    if path.is_file():
        return path if path.suffix.lower() in (".yaml", ".yml") else None
    if not path.is_dir():
        return None
    for name in YAML_NAMES:
        if (path / name).is_file():
            return path / name
    for candidate in sorted([*path.glob("*.yaml"), *path.glob("*.yml")]):
        data = load_yaml(candidate, quiet=True)
        if isinstance(data, Mapping) and "names" in data:
            return candidate
    return None


def load_yaml(path: Path, quiet: bool = False) -> Any:
    try:
        with path.open("rb") as fh:
            return yaml.safe_load(fh)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        if quiet:
            return None
        raise FormatError(f"{path} cannot be read as YAML: {exc}") from None


def class_file(folder: Path) -> Path | None:
    for place in (folder, folder / "labels"):
        for name in CLASS_FILES:
            if (place / name).is_file():
                return place / name
    return None


def open_dataset(path: Path) -> Dataset:
    """The dataset at ``path`` (a folder or its YAML); FormatError when it is none."""
    yaml_path = find_yaml(path)
    if yaml_path is None:
        if path.is_file():
            raise FormatError(f"{path.name} is not a YOLO dataset YAML")
        names_file = class_file(path)
        names = _names_from_file(names_file) if names_file is not None else []
        return Dataset(path, None, names)
    data = load_yaml(yaml_path)
    if not isinstance(data, Mapping):
        raise FormatError(f"{yaml_path} holds no YAML mapping")
    dataset = Dataset(_root(yaml_path, data), yaml_path, [], raw=data)
    dataset.names = _names(data, dataset)
    dataset.kpt_shape = _kpt_shape(data.get("kpt_shape"), dataset)
    flip = data.get("flip_idx")
    dataset.flip_idx = list(flip) if isinstance(flip, list) else None
    extension = data.get(EXTENSION_KEY)
    dataset.extension = extension if isinstance(extension, Mapping) else {}
    task = dataset.extension.get("task")
    dataset.task = task if isinstance(task, str) else None
    return dataset


def _root(yaml_path: Path, data: Mapping[str, Any]) -> Path:
    base = data.get("path")
    if isinstance(base, str) and base:
        candidate = Path(base) if os.path.isabs(base) else yaml_path.parent / base
        if candidate.is_dir():
            return candidate
    return yaml_path.parent


def _names_from_file(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path} cannot be read: {exc}") from None
    return [line.strip() for line in text.splitlines() if line.strip()]


def _names(data: Mapping[str, Any], dataset: Dataset) -> list[str]:
    raw = data.get("names")
    count = whole_number(data.get("nc"))
    if isinstance(raw, list):
        names = [str(n) for n in raw]
    elif isinstance(raw, Mapping):
        names = _numbered(raw)
    elif count is not None:
        names = [str(i) for i in range(count)]
        dataset.lose("names", "the YAML has no names: classes are named by their index")
    else:
        raise FormatError("the YAML has neither names nor nc")
    if count is not None and count != len(names):
        dataset.lose("nc", f"nc is {count} but {len(names)} names are listed; the names count")
    return names


def _numbered(raw: Mapping[Any, Any]) -> list[str]:
    """Names given as ``{0: a, 1: b}``; the indices must run from 0 without gaps."""
    indexed: dict[int, str] = {}
    for key, value in raw.items():
        if isinstance(key, str):
            index = int(key) if key.strip().isdigit() else None
        else:
            index = whole_number(key)
        if index is None:
            raise FormatError(f"names: {key!r} is not a class index")
        indexed[index] = str(value)
    if sorted(indexed) != list(range(len(indexed))):
        raise FormatError(f"names are not numbered 0 to {len(indexed) - 1}")
    return [indexed[i] for i in range(len(indexed))]


def _kpt_shape(raw: object, dataset: Dataset) -> tuple[int, int] | None:
    if raw is None:
        return None
    values = [whole_number(v) for v in raw] if isinstance(raw, list) else []
    if len(values) != 2 or values[0] is None or values[0] < 1 or values[1] not in (2, 3):
        dataset.lose("kpt_shape", f"{raw!r} is not [points, 2 or 3]; keypoints are not read")
        return None
    return int(values[0]), int(values[1])  # type: ignore[arg-type]


# -- images and their labels ---------------------------------------------------------------
def image_files(dataset: Dataset) -> list[Path]:
    """Every image of every split, each once, in split order then natural order."""
    targets: list[Path] = []
    splits = [dataset.raw.get(s) for s in SPLITS if dataset.raw.get(s)]
    for split in splits:
        for entry in split if isinstance(split, list) else [split]:
            if not isinstance(entry, str):
                dataset.lose("split", f"{entry!r} is not a path")
                continue
            target = _split_target(entry, dataset.root)
            if target.is_dir():
                targets.append(target)
            elif target.is_file() and target.suffix.lower() == ".txt":
                targets.extend(_listed(target, dataset))
            else:
                dataset.lose("split", f"{entry} does not exist under {dataset.root}")
    if not splits:
        images = dataset.root / "images"
        targets.append(images if images.is_dir() else dataset.root)
    found = scan_images(targets)
    return [p for p in found if p.suffix.lower() in SUPPORTED_SUFFIXES and p.is_file()]


def _split_target(entry: str, root: Path) -> Path:
    """Where a split's entry points. Some exporters write ``../train/images`` for the
    ``train/images`` beside the YAML; when the first does not exist, the second is used."""
    if os.path.isabs(entry):
        return Path(entry)
    target = root / entry
    if not target.exists() and entry.startswith("../"):
        inside = root / entry.lstrip("./")
        if inside.exists():
            return inside
    return target


def _listed(listing: Path, dataset: Dataset) -> list[Path]:
    """The images a split's text file lists, relative to the dataset root."""
    try:
        lines = listing.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        dataset.lose("split", f"{listing.name} cannot be read: {exc}")
        return []
    paths = []
    for line in lines:
        line = line.strip()
        if line:
            path = Path(line) if os.path.isabs(line) else dataset.root / line
            paths.append(path)
    return paths


def label_path(image: Path) -> Path:
    """Where an image's labels are: ``.../images/...`` becomes ``.../labels/...``."""
    parts = list(image.parts)
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "images":
            parts[i] = "labels"
            return Path(*parts).with_suffix(".txt")
    return image.with_suffix(".txt")


def image_name(image: Path, dataset: Dataset) -> str:
    """The image's name: its path under the root's ``images/``, else under the root."""
    for base in (dataset.root / "images", dataset.root):
        try:
            return image.relative_to(base).as_posix()
        except ValueError:
            continue
    return image.name


def orphan_labels(dataset: Dataset, used: set[Path]) -> Iterable[Path]:
    """Label files of the dataset that belong to no image that was read."""
    labels = dataset.root / "labels"
    candidates = labels.rglob("*.txt") if labels.is_dir() else ()
    for path in sorted(candidates):
        if path not in used and path.name not in CLASS_FILES:
            yield path


# -- classes -------------------------------------------------------------------------------
def dataset_classes(dataset: Dataset) -> list[ClassSpec]:
    """Every class, by index; what YOLO cannot say comes from the ``limner`` key."""
    by_name = dataset.extension.get("classes")
    by_name = by_name if isinstance(by_name, Mapping) else {}
    shared = _shared_skeleton(dataset)
    specs = []
    for index, name in enumerate(dataset.names):
        extra = by_name.get(name)
        if isinstance(extra, Mapping):
            specs.append(_class_from_extension(name, index, extra, dataset))
        elif shared is not None:
            specs.append(ClassSpec(name, "keypoints", None, shared, (), index))
        else:
            specs.append(ClassSpec(name, source_id=index))
    return specs


def _class_from_extension(
    name: str, index: int, extra: Mapping[str, Any], dataset: Dataset
) -> ClassSpec:
    color = extra.get("color")
    if color is not None and not (isinstance(color, str) and is_color(color)):
        dataset.lose("class colour", f"{name!r}: {color!r} is not #rrggbb")
        color = None
    try:
        schema = parse_schema(extra.get("attributes", ()))
    except (SchemaError, AttributeError, TypeError) as exc:
        dataset.lose("attribute schema", f"{name!r}: {exc}")
        schema = ()
    skeleton = None
    if extra.get("skeleton") is not None:
        try:
            skeleton = Skeleton.from_json(extra["skeleton"])
        except GeometryError as exc:
            dataset.lose("skeleton", f"{name!r}: {exc}")
    kind = extra.get("kind", "any")
    return ClassSpec(name, str(kind), color, skeleton, schema, index)


def _shared_skeleton(dataset: Dataset) -> Skeleton | None:
    """The one skeleton of a pose dataset, from ``kpt_shape``, ``kpt_names``, ``flip_idx``."""
    if dataset.kpt_shape is None:
        return None
    count = dataset.kpt_shape[0]
    names = _point_names(dataset.raw.get("kpt_names"), count)
    flips: list[tuple[int, int]] = []
    flip = dataset.flip_idx
    if flip is not None and sorted(flip) == list(range(count)):
        flips = [(i, j) for i, j in enumerate(flip) if i < j and flip[j] == i]
    elif flip is not None:
        dataset.lose("flip_idx", f"{flip!r} is not a permutation of the {count} points")
    return Skeleton(tuple(names), (), tuple(flips))


def _point_names(raw: object, count: int) -> list[str]:
    if isinstance(raw, Mapping) and raw:
        raw = next(iter(raw.values()))
    if isinstance(raw, list) and len(raw) == count and len({str(n) for n in raw}) == count:
        return [str(n) for n in raw]
    return [str(i + 1) for i in range(count)]
