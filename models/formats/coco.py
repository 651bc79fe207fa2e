"""COCO instances and keypoints: one JSON file of images, annotations and categories.

Reading accepts the file itself or a folder holding exactly one COCO file (directly or in
``annotations/``); with several (``instances_*`` beside ``person_keypoints_*`` of the same
images) the user has to say which one, because importing both would import every person
twice. The JSON is parsed whole (the standard library has no streaming parser), but the
annotations are turned into limner shapes one image at a time, as the images are iterated.

Image files are looked for next to the JSON, in an ``images/`` folder beside it, in the
folder above it, and in the split folder COCO's own layout uses (``val2017/`` for
``annotations/instances_val2017.json``); the first of these that holds the first images
is used for all of them.

Writing streams: image entries go to the output as they come, annotation entries to a
temporary file beside it that is appended at the end, and the result is renamed into
place, so a failed export never leaves half a file under the real name. The shape
conversions live in ``coco_shapes`` (reading) and ``coco_write`` (writing).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.formats.base import (
    ClassSpec,
    Detection,
    FormatError,
    ImageLabels,
    Loss,
    Reading,
)
from limner.models.formats.coco_shapes import Category, Reader, read_category
from limner.models.formats.coco_write import write_coco
from limner.models.formats.common import whole_number

_HEAD_BYTES = 1 << 20
# When looking through a folder: how much of each JSON file is read, how many files make
# a folder of sidecars, and the words in COCO file names that are still looked at there.
_FOLDER_HEAD_BYTES = 1 << 16
_MANY_FILES = 32
_COCO_WORDS = ("instances", "keypoints", "coco", "annotations", "train", "val", "test")
_IMAGE_KEYS = frozenset({"id", "file_name", "width", "height"})
# How many images are looked up on disk to decide where the image files are.
_ROOT_PROBES = 20


def _head(path: Path, size: int) -> str:
    with path.open("rb") as fh:
        return fh.read(size).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")


def detect_file(path: Path, head_bytes: int = _HEAD_BYTES) -> Detection:
    """How COCO-like a JSON file's beginning looks (the whole file is not read)."""
    if path.suffix.lower() != ".json":
        return Detection(0.0, f"{path.name} is not a .json file")
    try:
        head = _head(path, head_bytes)
    except OSError as exc:
        return Detection(0.0, f"{path.name} cannot be read ({exc.strerror or exc})")
    if not head.startswith("{") or '"images"' not in head:
        return Detection(0.0, f"{path.name} is not a JSON object with 'images'")
    if '"annotations"' in head and '"categories"' in head:
        return Detection(0.95, f"{path.name} has images, annotations and categories")
    if '"file_name"' in head:
        return Detection(0.85, f"{path.name} has images with a file_name")
    return Detection(0.4, f"{path.name} has 'images' but no COCO image entry was seen")


def _candidates(folder: Path) -> list[tuple[Path, Detection]]:
    """The COCO files directly in ``folder`` or in its ``annotations/``.

    A folder of many JSON files is a folder of per-image sidecars (labelme), not COCO's
    few annotation files; there only files named like COCO's are opened, and only their
    beginning, so detecting never reads thousands of files.
    """
    found = []
    for place in (folder, folder / "annotations"):
        if not place.is_dir():
            continue
        children = sorted(place.glob("*.json"))
        if len(children) > _MANY_FILES:
            children = [c for c in children if any(w in c.name.lower() for w in _COCO_WORDS)]
        for child in children:
            detection = detect_file(child, _FOLDER_HEAD_BYTES)
            if detection.confidence >= 0.5:
                found.append((child, detection))
    return found


def _annotation_file(path: Path) -> tuple[Path | None, str]:
    """The one COCO file meant by ``path``, or None and the reason why there is none."""
    if path.is_file():
        detection = detect_file(path)
        return (path, detection.reason) if detection else (None, detection.reason)
    if not path.is_dir():
        return None, f"{path} is neither a file nor a folder"
    found = _candidates(path)
    if not found:
        return None, f"{path.name}/ holds no COCO JSON file (nor does its annotations/)"
    if len(found) > 1:
        names = ", ".join(str(p.relative_to(path)) for p, _ in found)
        return None, f"{path.name}/ holds several COCO files ({names}): give one of them"
    file, detection = found[0]
    return file, f"{file.relative_to(path)}: {detection.reason}"


class CocoFormat:
    """COCO instances and keypoints: boxes, polygons, RLE masks, crowds and skeletons."""

    name = "coco"
    title = QT_TRANSLATE_NOOP("Formats", "COCO instances and keypoints (JSON)")
    layout: Literal["file", "folder"] = "file"
    kinds = frozenset({"box", "polygon", "mask", "keypoints"})

    def detect(self, path: Path) -> Detection:
        path = Path(path)
        file, reason = _annotation_file(path)
        if file is None:
            return Detection(0.0, reason)
        confidence = detect_file(file).confidence
        return Detection(confidence if file == path else confidence * 0.9, reason)

    def read(self, path: Path) -> Reading:
        path = Path(path)
        file, reason = _annotation_file(path)
        if file is None:
            raise FormatError(f"not a COCO file: {reason}")
        data = _load(file)
        losses: list[Loss] = []
        categories = _categories(data.get("categories", []), losses)
        classes = _unique_specs(categories)
        images = data.get("images")
        if not isinstance(images, list):
            raise FormatError(f"{file}: 'images' is not a list")
        reader = Reader(str(file), categories, losses)
        return Reading(file, classes, _iter_images(file, data, reader), losses)

    def write(
        self, images: Iterable[ImageLabels], classes: Sequence[ClassSpec], out: Path
    ) -> list[Loss]:
        return write_coco(images, classes, Path(out))


def _load(file: Path) -> dict[str, Any]:
    try:
        with file.open("rb") as fh:
            data = json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{file} cannot be read as JSON: {exc}") from None
    if not isinstance(data, dict):
        raise FormatError(f"{file} holds a JSON {type(data).__name__}, not a COCO object")
    return data


def _categories(raw: object, losses: list[Loss]) -> dict[int, Category]:
    """Categories by id; a repeated id or name is a loss and maps to the first one."""
    if not isinstance(raw, list):
        losses.append(Loss(None, None, "categories", "'categories' is not a list"))
        return {}
    by_id: dict[int, Category] = {}
    by_name: dict[str, Category] = {}
    for entry in raw:
        read = read_category(entry, losses)
        if read is None:
            continue
        cat_id, category = read
        name = category.spec.name
        if cat_id in by_id:
            losses.append(Loss(None, None, "category", f"id {cat_id} ({name!r}) is declared twice"))
            continue
        if name in by_name:
            losses.append(
                Loss(None, None, "category", f"{name!r} is declared twice; id {cat_id} joins it")
            )
            by_id[cat_id] = by_name[name]
            continue
        by_id[cat_id] = by_name[name] = category
    return by_id


def _unique_specs(categories: Mapping[int, Category]) -> list[ClassSpec]:
    seen: set[str] = set()
    specs = []
    for category in categories.values():
        if category.spec.name not in seen:
            seen.add(category.spec.name)
            specs.append(category.spec)
    return specs


def _index_annotations(
    data: dict[str, Any], known: set[object], losses: list[Loss]
) -> dict[object, list[Mapping[str, Any]]]:
    raw = data.pop("annotations", [])
    if not isinstance(raw, list):
        losses.append(Loss(None, None, "annotations", "'annotations' is not a list"))
        return {}
    by_image: dict[object, list[Mapping[str, Any]]] = defaultdict(list)
    for index, ann in enumerate(raw):
        if not isinstance(ann, Mapping):
            losses.append(Loss(None, index, "annotation", "it is not a JSON object"))
        elif ann.get("image_id") not in known:
            label = ann.get("id", index)
            why = f"its image id {ann.get('image_id')!r} is not among the images"
            losses.append(Loss(None, label, "annotation", why))
        else:
            by_image[ann["image_id"]].append(ann)
    return by_image


def _image_root(file: Path, entries: list[Any]) -> Path | None:
    """The folder the image files are in, judged by the first few file names."""
    names = [e["file_name"] for e in entries[:_ROOT_PROBES] if _file_name(e) is not None]
    split = file.stem.split("_")[-1]
    roots = [file.parent, file.parent / "images", file.parent.parent]
    roots += [file.parent.parent / "images", file.parent.parent / split]
    for root in roots:
        if any((root / name).is_file() for name in names):
            return root
    return None


def _file_name(entry: object) -> str | None:
    if not isinstance(entry, Mapping):
        return None
    name = entry.get("file_name")
    return name if isinstance(name, str) and name else None


def _iter_images(file: Path, data: dict[str, Any], reader: Reader) -> Iterator[ImageLabels]:
    losses = reader.losses
    entries: list[Any] = data["images"]
    known = {e.get("id") for e in entries if isinstance(e, Mapping)}
    by_image = _index_annotations(data, known, losses)
    root = _image_root(file, entries)
    seen: set[object] = set()
    extra_keys: set[str] = set()
    for index, entry in enumerate(entries):
        name = _file_name(entry)
        if name is None:
            losses.append(Loss(None, None, "image", f"image entry {index} has no file_name"))
            continue
        image_id = entry.get("id")
        if image_id in seen:
            losses.append(Loss(name, None, "image", f"image id {image_id!r} is used twice"))
            continue
        seen.add(image_id)
        extra_keys.update(k for k in entry if k not in _IMAGE_KEYS)
        yield _image(entry, name, by_image.pop(image_id, []), root, reader)
    _finish(data, extra_keys, reader)


def _image(
    entry: Mapping[str, Any],
    name: str,
    anns: list[Mapping[str, Any]],
    root: Path | None,
    reader: Reader,
) -> ImageLabels:
    width, height = whole_number(entry.get("width")), whole_number(entry.get("height"))
    size = (width, height) if width and height and width > 0 and height > 0 else None
    before = len(reader.losses)
    shapes = [shape for ann in anns for shape in reader.annotation(ann, name, size)]
    if size is None:
        reader.losses.append(Loss(name, None, "image size", "no valid width and height"))
    # Losses about this image travel with it; the reader's list keeps the dataset's.
    own = tuple(reader.losses[before:])
    del reader.losses[before:]
    path = root / name if root is not None else None
    return ImageLabels(
        name,
        tuple(shapes),
        size[0] if size else None,
        size[1] if size else None,
        path if path is not None and path.is_file() else None,
        own,
        entry.get("id"),
    )


def _finish(data: Mapping[str, Any], extra_keys: set[str], reader: Reader) -> None:
    """Dataset-wide losses, stated once each instead of once per image or annotation."""
    losses = reader.losses
    if reader.areas_differ:
        losses.append(
            Loss(
                None,
                None,
                "area",
                f"{reader.areas_differ} annotations store an area that differs from their "
                "shape's; limner recomputes it when writing",
            )
        )
    if extra_keys:
        keys = ", ".join(sorted(extra_keys))
        losses.append(Loss(None, None, "image fields", f"{keys} not kept"))
    for key in ("info", "licenses"):
        if data.get(key):
            losses.append(Loss(None, None, key, f"the dataset's '{key}' is not kept"))


FORMAT = CocoFormat()
