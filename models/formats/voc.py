"""Pascal VOC: one XML file per image, holding axis-aligned boxes and their flags.

**Reading** takes a VOC folder (``Annotations/`` beside ``JPEGImages/``), a folder of XML
files next to their images (as labelImg saves them), or one XML file. Each ``<object>``
becomes a box of its ``<name>`` class, with ``pose`` (text), ``truncated``, ``difficult``
and ``occluded`` (booleans) as attributes, present exactly when the file has them. The
``<attributes>`` block that CVAT and Datumaro write becomes attributes as well, and so do
VOC 2012's ``<actions>`` and action ``<point>`` (as objects). A person's ``<part>`` boxes
(head, hands, feet) become boxes of their own, grouped with their person. Anything else
inside an object is kept as an attribute and named as a loss, because it is written back
inside ``<attributes>``. ``labelmap.txt`` (Datumaro's class list), when present, declares
the classes and their colours.

**Coordinates.** The VOC devkit counts pixels from 1 and includes both ends: a box over the
whole of a 500-pixel-wide image has ``xmin`` 1 and ``xmax`` 500. In limner's continuous
coordinates that box spans ``[0, 500]``, so ``x0 = xmin - 1`` and ``x1 = xmax``. Some
tools write 0-based values instead; :class:`VocFormat` with ``one_based=False`` reads and
writes those. Coordinates are written exactly (``48.25`` stays ``48.25``); with
``integer_coordinates`` the writer rounds outwards and names every box it moved.

**Writing** puts ``Annotations/<name>.xml`` under the output folder (sub-folders of the
image name are kept) and ``labelmap.txt`` beside it. VOC holds nothing but boxes: any other
shape with an area is written as its bounding box, and named as a loss; a rotated box is
written as the axis-aligned box around it; points and tags are not written. A group of
shapes is written as one object whose parts are the group's other members.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from limner.models.domain.geometry import Box
from limner.models.errors import GeometryError
from limner.models.formats._voc_write import FLAGS, LABELMAP, VocWriter, flag_value
from limner.models.formats._xml import guess_value, parse_document, parse_number, sniff_root
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

NAME = "voc"
_STRUCTURE = frozenset({"name", "bndbox", "part", "attributes"})
_IMAGE_ELEMENTS_KEPT = frozenset({"filename", "path", "size", "object"})
_SAMPLE = 8


@dataclass(frozen=True, slots=True)
class VocFormat:
    """Pascal VOC XML; ``one_based`` selects the devkit's 1-based pixel indices."""

    one_based: bool = True
    integer_coordinates: bool = False
    name: str = NAME
    title: str = "Pascal VOC XML"
    layout: Literal["file", "folder"] = "folder"
    kinds: frozenset[str] = field(default_factory=lambda: frozenset({"box"}))

    @property
    def _offset(self) -> float:
        return 1.0 if self.one_based else 0.0

    # -- detection ---------------------------------------------------------------------
    def detect(self, path: Path) -> Detection:
        if path.is_file():
            if path.suffix.lower() == ".xml" and sniff_root(path) == "annotation":
                return Detection(0.95, f"{path.name} is an XML file whose root is <annotation>")
            return Detection(0.0, f"{path.name} is not an XML file with an <annotation> root")
        folder = path / "Annotations" if (path / "Annotations").is_dir() else path
        seen = 0
        for candidate in _xml_files(folder, recursive=True):
            seen += 1
            if sniff_root(candidate) == "annotation":
                where = "Annotations/" if folder != path else "the folder"
                confidence = 0.95 if folder != path else 0.85
                return Detection(confidence, f"{where} holds XML files with an <annotation> root")
            if seen >= _SAMPLE:
                break
        return Detection(0.0, "no XML file with an <annotation> root")

    # -- reading -----------------------------------------------------------------------
    def read(self, path: Path) -> Reading:
        if not path.exists():
            raise FormatError(f"{path} does not exist")
        if path.is_file():
            if sniff_root(path) != "annotation":
                raise FormatError(f"{path} is not a Pascal VOC annotation (no <annotation>)")
            xml_root, files, base = path.parent, iter([path]), path.parent
        else:
            annotations = path / "Annotations"
            xml_root = annotations if annotations.is_dir() else path
            files, base = _xml_files(xml_root, recursive=True), path
        labelmap = _find_labelmap(base, xml_root)
        classes = _read_labelmap(labelmap) if labelmap is not None else []
        losses: list[Loss] = []
        reader = _Reader(self._offset, xml_root, _image_dirs(base, xml_root), losses)
        return Reading(path, classes, reader.images(files), losses)

    # -- writing -----------------------------------------------------------------------
    def write(
        self, images: Iterable[ImageLabels], classes: Sequence[ClassSpec], out: Path
    ) -> list[Loss]:
        by_name = {spec.name: spec for spec in classes}
        writer = VocWriter(out, by_name, self._offset, self.integer_coordinates)
        for image in images:
            writer.write_image(image)
        writer.finish()
        return writer.losses


FORMAT = VocFormat()


def _xml_files(folder: Path, recursive: bool) -> Iterator[Path]:
    """XML files under ``folder`` in name order (sub-folders after the files beside them)."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return
    subfolders = []
    for entry in entries:
        if entry.is_dir():
            subfolders.append(entry)
        elif entry.suffix.lower() == ".xml":
            yield entry
    if recursive:
        for sub in subfolders:
            yield from _xml_files(sub, recursive=True)


def _image_dirs(base: Path, xml_root: Path) -> tuple[Path, ...]:
    dirs = [base / "JPEGImages", xml_root.parent / "JPEGImages", xml_root]
    unique: list[Path] = []
    for d in dirs:
        if d not in unique:
            unique.append(d)
    return tuple(unique)


# -- the class list --------------------------------------------------------------------
def _find_labelmap(base: Path, xml_root: Path) -> Path | None:
    for folder in (base, xml_root.parent, xml_root):
        candidate = folder / LABELMAP
        if candidate.is_file():
            return candidate
    return None


def _read_labelmap(path: Path) -> list[ClassSpec]:
    """Datumaro's ``name:r,g,b:parts:actions`` lines; ``background`` is not a class."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FormatError(f"cannot read {path}: {error}") from None
    classes: list[ClassSpec] = []
    parts: dict[str, None] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, colour, part_names = [*line.split(":"), "", ""][:3]
        parts.update((p.strip(), None) for p in part_names.split(",") if p.strip())
        if not name or name == "background":
            continue
        classes.append(ClassSpec(name=name, color=_colour(colour), source_id=len(classes)))
    # A person's parts (head, hand...) are listed on its line, not as classes of their own.
    declared = {spec.name for spec in classes}
    for part in parts:
        if part not in declared:
            classes.append(ClassSpec(name=part, source_id=len(classes)))
    return classes


def _colour(text: str) -> str | None:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 3 or not all(p.isdigit() and int(p) < 256 for p in parts):
        return None
    return "#" + "".join(f"{int(p):02x}" for p in parts)


# -- reading one file ------------------------------------------------------------------
class _Reader:
    def __init__(
        self, offset: float, xml_root: Path, image_dirs: tuple[Path, ...], losses: list[Loss]
    ) -> None:
        self.offset = offset
        self.xml_root = xml_root
        self.image_dirs = image_dirs
        self.losses = losses
        self._named: set[str] = set()

    def images(self, files: Iterator[Path]) -> Iterator[ImageLabels]:
        for xml_path in files:
            try:
                root = parse_document(xml_path)
            except FormatError as error:
                self.losses.append(Loss(str(xml_path), None, "file", str(error)))
                continue
            if root.tag != "annotation":
                self.losses.append(
                    Loss(
                        str(xml_path),
                        None,
                        "file",
                        f"root element is <{root.tag}>, not <annotation>",
                    )
                )
                continue
            yield self._image(xml_path, root)

    def _dataset_loss(self, tag: str, why: str) -> None:
        if tag not in self._named:
            self._named.add(tag)
            self.losses.append(Loss(None, None, f"image element <{tag}>", why))

    def _image(self, xml_path: Path, root: ET.Element) -> ImageLabels:
        losses: list[Loss] = []
        filename = (root.findtext("filename") or "").strip()
        rel_dir = xml_path.parent.relative_to(self.xml_root).as_posix()
        if not filename:
            filename = f"{xml_path.stem}.jpg"
            losses.append(
                Loss(
                    filename,
                    None,
                    "filename",
                    f"the file has no <filename>; the image is taken to be {filename}",
                )
            )
        name = posixpath.normpath(posixpath.join(rel_dir, filename))
        width, height = _size(root)
        self._image_elements(root, name)
        shapes: list[Shape] = []
        for number, obj in enumerate(root.iterfind("object"), start=1):
            shapes.extend(self._object(name, xml_path, number, obj, losses))
        return ImageLabels(
            name=name,
            shapes=tuple(shapes),
            width=width,
            height=height,
            path=self._image_path(root, xml_path, filename),
            losses=tuple(losses),
        )

    def _image_elements(self, root: ET.Element, name: str) -> None:
        """Name, once per dataset, each image element whose value limner does not keep.

        ``<folder>`` and ``<segmented>`` count only when they say more than the writer
        would write anyway (the image's folder, and 0 for no segmentation). An element
        that says nothing at all (``<database/>``, as labelme's VOC export writes them)
        loses nothing.
        """
        folder = name.rpartition("/")[0].rpartition("/")[2] or "JPEGImages"
        for child in root:
            tag = child.tag
            if tag in _IMAGE_ELEMENTS_KEPT:
                continue
            if not (child.text or "").strip() and len(child) == 0 and not child.attrib:
                continue
            if tag == "folder" and (child.text or "") in (folder, ""):
                continue
            if tag == "segmented" and (child.text or "0") == "0":
                continue
            self._dataset_loss(tag, f"limner keeps no <{tag}> for an image")

    def _image_path(self, root: ET.Element, xml_path: Path, filename: str) -> Path | None:
        rel_dir = xml_path.parent.relative_to(self.xml_root)
        candidates = [d / rel_dir / filename for d in self.image_dirs]
        stated = (root.findtext("path") or "").strip()
        if stated:
            candidates.insert(0, Path(stated))
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        return None

    def _object(
        self, image: str, xml_path: Path, number: int, obj: ET.Element, losses: list[Loss]
    ) -> list[Shape]:
        label = (obj.findtext("name") or "").strip() or None
        if label is None:
            losses.append(Loss(image, number, "class", "the object has no <name>"))
        box = self._box(image, number, obj, losses)
        if box is None:
            return []
        attributes = self._attributes(image, number, obj, losses)
        provenance = Provenance(str(xml_path), NAME, f"object {number}")
        parts = list(obj.iterfind("part"))
        group = str(number) if parts else None
        shapes = [Shape(box, label, attributes, provenance, number, group=group)]
        for index, part in enumerate(parts, start=1):
            part_id = f"{number}.{index}"
            part_box = self._box(image, part_id, part, losses)
            if part_box is None:
                continue
            part_label = (part.findtext("name") or "").strip() or None
            where = Provenance(str(xml_path), NAME, f"object {number}, part {index}")
            shapes.append(Shape(part_box, part_label, {}, where, part_id, group=group))
        return shapes

    def _box(
        self, image: str, number: int | str, obj: ET.Element, losses: list[Loss]
    ) -> Box | None:
        found = obj.find("bndbox")
        if found is None:
            losses.append(Loss(image, number, "box", "the object has no <bndbox>"))
            return None
        try:
            xmin, ymin, xmax, ymax = (
                parse_number(found.findtext(key), key) for key in ("xmin", "ymin", "xmax", "ymax")
            )
            return Box.from_corners(xmin - self.offset, ymin - self.offset, xmax, ymax)
        except (ValueError, GeometryError) as error:
            losses.append(Loss(image, number, "box", f"the box cannot be read: {error}"))
            return None

    def _attributes(
        self, image: str, number: int, obj: ET.Element, losses: list[Loss]
    ) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        for child in obj:
            tag = child.tag
            if tag in _STRUCTURE:
                continue
            if tag == "pose":
                attributes["pose"] = child.text or ""
            elif tag in FLAGS:
                attributes[tag] = flag_value(child.text)
            elif tag in ("actions", "point"):
                attributes[tag] = _tree_value(child)
            else:
                attributes[tag] = _tree_value(child)
                losses.append(
                    Loss(
                        image,
                        number,
                        f"element <{tag}>",
                        f"kept as the attribute {tag!r}; limner writes it inside <attributes>",
                    )
                )
        block = obj.find("attributes")
        if block is not None:
            for item in block.iterfind("attribute"):
                key = (item.findtext("name") or "").strip()
                if key:
                    attributes[key] = guess_value(item.findtext("value"))
        return attributes


def _size(root: ET.Element) -> tuple[int | None, int | None]:
    size = root.find("size")
    if size is None:
        return None, None
    values = []
    for key in ("width", "height"):
        try:
            number = parse_number(size.findtext(key), key)
        except ValueError:
            return None, None
        if not number.is_integer() or number < 1:
            return None, None
        values.append(int(number))
    return values[0], values[1]


def _tree_value(element: ET.Element) -> Any:
    """An element as a value: its text guessed, or an object of its children."""
    children = list(element)
    if not children:
        return guess_value(element.text)
    return {child.tag: _tree_value(child) for child in children}
