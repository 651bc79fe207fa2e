"""labelme JSON: one sidecar file per image, beside the image, holding its shapes.

**Reading** takes a folder (every ``.json`` under it that is a labelme file, in name
order) or one file. Each file names its image by ``imagePath``, relative to the file; the
image's name in the dataset is that path relative to the folder read. Every shape type
labelme and X-AnyLabeling write is read (see ``_labelme_shapes`` for what the points of
each mean): rectangles and oriented rectangles as boxes, polygons, circles as ellipses,
lines and linestrips as polylines, points, and masks from their base64 PNG.

* ``group_id``: polygons of one class that share a group are one object in several
  parts, and become one polygon with those parts; any other shapes that share a group
  are kept as a group.
* A shape's ``flags`` become yes/no attributes, a non-empty ``description`` the attribute
  ``description``, and every key labelme does not define (``difficult``, ``score``,
  X-AnyLabeling's ``attributes``...) an attribute of that name.
* The image's ``flags`` that are on become image tags: a flag ``weather=rain`` is the
  answer ``rain`` of the tag class ``weather``, a plain flag ``blurry`` one of the answers
  of the tag class ``flags``. A flag that is off says nothing more than a missing one.
* ``imageData`` is never needed: the image is found through ``imagePath``. A file whose
  image exists only inside it is read, and its loss named.

**Writing** puts one file per image under the output folder, at the image's name with
``.json`` in place of its suffix (so writing into the image folder gives sidecars), with
``imagePath`` relative to it and no ``imageData``. What labelme cannot hold is named: an
ellipse that is not a circle is written as a polygon of its outline, a polygon with
holes as a mask of its pixels, keypoints as points; labelme has no stacking order and no
mark for predictions. labelme has no class list, so a class's colour is not kept either.
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from limner.models.domain.geometry import Tag
from limner.models.formats._groups import Piece, merge_polygons
from limner.models.formats._labelme_shapes import ShapeError, read_geometry
from limner.models.formats._labelme_write import (
    FLAGS_CLASS,
    SHAPE_KEYS,
    LabelmeWriter,
    number_or_text,
)
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

NAME = "labelme"
_FILE_KEYS = frozenset(
    {"version", "flags", "shapes", "imagePath", "imageData", "imageHeight", "imageWidth"}
)
_LEGACY_COLOURS = frozenset({"line_color", "fill_color"})
_HEAD = 1 << 16
_SAMPLE = 8
_MAX_FILE = 1 << 30


@dataclass(frozen=True, slots=True)
class LabelmeFormat:
    """labelme's JSON sidecars (and X-AnyLabeling's, which extend them)."""

    name: str = NAME
    title: str = "labelme JSON"
    layout: Literal["file", "folder"] = "folder"
    kinds: frozenset[str] = field(
        default_factory=lambda: frozenset(
            {"box", "polygon", "mask", "polyline", "point", "ellipse", "tag"}
        )
    )

    def detect(self, path: Path) -> Detection:
        if path.is_file():
            if path.suffix.lower() == ".json" and _looks_like_labelme(path):
                return Detection(0.9, f"{path.name} has labelme's shapes and imagePath")
            return Detection(0.0, f"{path.name} is not a labelme JSON file")
        for count, candidate in enumerate(_json_files(path), start=1):
            if _looks_like_labelme(candidate):
                return Detection(0.9, f"{candidate.name} in the folder is a labelme file")
            if count >= _SAMPLE:
                break
        return Detection(0.0, "no .json file with labelme's shapes and imagePath")

    def read(self, path: Path) -> Reading:
        if not path.exists():
            raise FormatError(f"{path} does not exist")
        if path.is_file():
            if not _looks_like_labelme(path):
                raise FormatError(f"{path} is not a labelme file (no shapes or imagePath)")
            root, files = path.parent, iter([path])
        else:
            root, files = path, _json_files(path)
        losses: list[Loss] = []
        return Reading(path, [], _Reader(root, losses).images(files), losses)

    def write(
        self, images: Iterable[ImageLabels], classes: Sequence[ClassSpec], out: Path
    ) -> list[Loss]:
        writer = LabelmeWriter(out, classes)
        for image in images:
            writer.write_image(image)
        return writer.losses


FORMAT = LabelmeFormat()


def _json_files(folder: Path) -> Iterator[Path]:
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return
    subfolders = []
    for entry in entries:
        if entry.is_dir():
            subfolders.append(entry)
        elif entry.suffix.lower() == ".json":
            yield entry
    for sub in subfolders:
        yield from _json_files(sub)


def _looks_like_labelme(path: Path) -> bool:
    """``shapes`` near the top, with ``imagePath`` or a shape's ``shape_type`` or
    ``label``: cheap, and true of nothing else limner reads."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD).decode("utf-8", errors="replace")
    except OSError:
        return False
    if not head.lstrip().startswith("{") or '"shapes"' not in head:
        return False
    return any(key in head for key in ('"imagePath"', '"shape_type"', '"label"'))


class _Reader:
    def __init__(self, root: Path, losses: list[Loss]) -> None:
        self.root = root
        self.losses = losses
        self._named: set[str] = set()

    def images(self, files: Iterator[Path]) -> Iterator[ImageLabels]:
        for json_path in files:
            data = self._load(json_path)
            if data is not None:
                yield self._image(json_path, data)

    def _load(self, json_path: Path) -> dict[str, Any] | None:
        try:
            if json_path.stat().st_size > _MAX_FILE:
                raise ValueError("the file is larger than 1 GiB")
            with json_path.open("rb") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as error:
            self.losses.append(Loss(str(json_path), None, "file", f"cannot be read: {error}"))
            return None
        if not isinstance(data, dict) or not isinstance(data.get("shapes"), list):
            why = "not a labelme file (it has no list of shapes)"
            self.losses.append(Loss(str(json_path), None, "file", why))
            return None
        return data

    def _dataset_loss(self, what: str, why: str) -> None:
        if what not in self._named:
            self._named.add(what)
            self.losses.append(Loss(None, None, what, why))

    def _image(self, json_path: Path, data: dict[str, Any]) -> ImageLabels:
        losses: list[Loss] = []
        name, picture = self._image_name(json_path, data.get("imagePath"))
        width, height = _whole(data.get("imageWidth")), _whole(data.get("imageHeight"))
        if (width is None or height is None) and picture is not None:
            width, height = image_size(picture) or (None, None)
        if picture is None and data.get("imageData"):
            why = "the image is only inside the file (imageData); limner needs the image file"
            losses.append(Loss(name, None, "embedded image", why))
        for key in data:
            if key in ("lineColor", "fillColor"):
                self._dataset_loss("colours", "labelme 3's lineColor and fillColor are not kept")
            elif key not in _FILE_KEYS:
                self._dataset_loss(f"file key {key!r}", f"limner keeps no {key!r} of a file")
        size = (width, height) if width is not None and height is not None else None
        provenance = str(json_path)
        items = [
            item
            for number, raw in enumerate(data["shapes"], start=1)
            for item in self._items(name, provenance, number, raw, size, losses)
        ]
        shapes = [*merge_polygons(items), *self._tags(name, provenance, data.get("flags"), losses)]
        return ImageLabels(name, tuple(shapes), width, height, picture, tuple(losses))

    def _image_name(self, json_path: Path, stated: object) -> tuple[str, Path | None]:
        """The image's name in the dataset and its file, from ``imagePath``.

        A path written on another machine (``C:\\data\\a.jpg``, or a folder that has since
        moved) is taken to mean the file of that name beside the JSON when that exists.
        """
        rel_dir = json_path.parent.relative_to(self.root).as_posix()
        if isinstance(stated, str) and stated.strip():
            relative = stated.strip().replace("\\", "/")
            picture = Path(os.path.normpath(json_path.parent / relative))
            beside = json_path.parent / posixpath.basename(relative)
            if not picture.is_file() and beside.is_file():
                return posixpath.normpath(posixpath.join(rel_dir, beside.name)), beside
            name = posixpath.normpath(posixpath.join(rel_dir, relative))
            return name, picture if picture.is_file() else None
        for candidate in sorted(json_path.parent.glob(json_path.stem + ".*")):
            if candidate.suffix.lower() != ".json" and candidate.is_file():
                return posixpath.normpath(posixpath.join(rel_dir, candidate.name)), candidate
        return posixpath.normpath(posixpath.join(rel_dir, json_path.stem)), None

    def _items(
        self,
        image: str,
        source: str,
        number: int,
        raw: object,
        size: tuple[int, int] | None,
        losses: list[Loss],
    ) -> list[Piece]:
        if not isinstance(raw, Mapping):
            losses.append(Loss(image, number, "shape", f"shape {number} is not an object"))
            return []
        try:
            geometries, notes = read_geometry(raw, size)
        except ShapeError as error:
            losses.append(Loss(image, number, error.what, error.why))
            return []
        for what, why in notes:
            losses.append(Loss(image, number, what, why))
        label = raw.get("label")
        class_name = label if isinstance(label, str) and label else None
        attributes = self._attributes(image, number, raw, losses)
        group_id = raw.get("group_id")
        group = None if group_id is None or isinstance(group_id, bool) else str(group_id)
        if group is None and len(geometries) > 1:
            group = f"shape {number}"
        where = Provenance(source, NAME, f"shape {number}")
        return [
            Piece(Shape(g, class_name, attributes, where, number, group=group), group, [number])
            for g in geometries
        ]

    def _attributes(
        self, image: str, number: int, raw: Mapping[str, Any], losses: list[Loss]
    ) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        flags = raw.get("flags")
        if isinstance(flags, Mapping):
            for key, value in flags.items():
                attributes[str(key)] = value
                if not isinstance(value, bool):
                    why = f"flag {key!r} is {value!r}, not yes or no; written back as a key"
                    losses.append(Loss(image, number, "flag", why))
        description = raw.get("description")
        if isinstance(description, str) and description:
            attributes["description"] = description
        for key, value in raw.items():
            if key in SHAPE_KEYS or (key in _LEGACY_COLOURS and value is None):
                continue
            if key == "direction" and raw.get("shape_type") == "rotation":
                continue  # X-AnyLabeling's angle of a rotated box, read from its corners
            attributes[key] = value
            if isinstance(value, bool):
                why = f"the yes/no key {key!r} is kept as an attribute, written back as a flag"
                losses.append(Loss(image, number, f"key {key!r}", why))
        if raw.get("shape_type") == "rotation":
            why = "X-AnyLabeling's rotation is written back as labelme's oriented_rectangle"
            losses.append(Loss(image, number, "rotation", why))
        return attributes

    def _tags(self, image: str, source: str, flags: object, losses: list[Loss]) -> list[Shape]:
        if not isinstance(flags, Mapping):
            return []
        answers: dict[str, list[str | int | float]] = {}
        for key, value in flags.items():
            if not isinstance(value, bool):
                why = f"image flag {key!r} is {value!r}, not yes or no; it is not read"
                losses.append(Loss(image, None, "image flag", why))
                continue
            if value:
                tag_class, sep, answer = str(key).partition("=")
                if sep:
                    answers.setdefault(tag_class, []).append(number_or_text(answer))
                else:
                    answers.setdefault(FLAGS_CLASS, []).append(str(key))
        shapes = []
        for tag_class, values in answers.items():
            several = tag_class == FLAGS_CLASS or len(values) > 1
            value = tuple(str(v) for v in values) if several else values[0]
            where = Provenance(source, NAME, f"flags of {tag_class}")
            shapes.append(Shape(Tag(value), tag_class, {}, where, f"flags {tag_class}"))
        return shapes


def _whole(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() and value > 0 else None
