"""CVAT for images 1.1: one XML file with the label list and every image's shapes.

**Reading** takes ``annotations.xml`` itself, a folder holding it (a CVAT export, with
its images in ``images/``), or the export's ZIP file. The ``<meta>`` labels become the
classes (with colours, typed attributes, skeletons and what a tag label asks, see
``_cvat_meta`` and ``_cvat_tags``); each ``<image>`` becomes the image of that name, with
its boxes (rotated ones too), polygons, polylines, points, ellipses, masks (CVAT's
row-by-row RLE), skeletons and tags, their attributes, ``occluded`` and ``z_order`` (see
``_cvat_read`` for the rules). The file is read as a stream, one image at a time, so its
size does not matter. ``<track>`` elements
belong to CVAT for video and are named as losses; so is what ``<meta>`` says about the
task itself (its id, owner, segments, dates), which a limner project does not keep.

**Writing** gives one XML file (``annotations.xml`` when the output is a folder) that
CVAT's "CVAT 1.1" import reads: the classes as labels, with every attribute the shapes
use declared with its input type, and each image's shapes. Coordinates are written
exactly, not to CVAT's two decimals. See ``_cvat_write`` for what is named as a loss.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.formats._cvat_meta import read_labels
from limner.models.formats._cvat_read import NAME, ImageReader
from limner.models.formats._cvat_write import CvatWriter
from limner.models.formats._xml import XmlStream, root_of, sniff_root
from limner.models.formats.base import (
    ClassSpec,
    Detection,
    FormatError,
    ImageLabels,
    Loss,
    Reading,
)

FILE_NAME = "annotations.xml"
_HEAD = 1 << 16
_TASK_DETAILS = frozenset({"labels"})


@dataclass(frozen=True, slots=True)
class CvatFormat:
    """CVAT for images 1.1 XML."""

    name: str = NAME
    title: str = QT_TRANSLATE_NOOP("Formats", "CVAT for images 1.1 XML")
    layout: Literal["file", "folder"] = "file"
    kinds: frozenset[str] = field(
        default_factory=lambda: frozenset(
            {"box", "polygon", "polyline", "point", "ellipse", "mask", "keypoints", "tag"}
        )
    )

    def detect(self, path: Path) -> Detection:
        file, why = _annotation_file(path)
        if file is None:
            return Detection(0.0, why)
        head = _head(path, file)
        if head is None or root_of(head) != "annotations":
            return Detection(0.0, f"{file} has no <annotations> root")
        if "<image " in head or "<image>" in head:
            return Detection(0.95, f"{file} is CVAT XML (<annotations> with <image> elements)")
        if "<track " in head:
            return Detection(0.3, f"{file} is CVAT for video XML (tracks), not for images")
        if "<meta>" in head and "<version>" in head:
            return Detection(0.8, f"{file} is CVAT XML (<annotations>, <version>, <meta>)")
        return Detection(0.0, f"{file} has no CVAT <version>, <meta> or <image>")

    def read(self, path: Path) -> Reading:
        if not path.exists():
            raise FormatError(f"{path} does not exist")
        file, why = _annotation_file(path)
        if file is None:
            raise FormatError(f"{path}: {why}")
        stream, images_dir, source = _open(path, file)
        if stream.root_tag != "annotations":
            stream.close()
            raise FormatError(f"{source} is not CVAT XML (its root is <{stream.root_tag}>)")
        children = iter(stream)
        losses: list[Loss] = []
        meta, first = _meta(children)
        classes, labels = read_labels(meta, losses)
        _task_losses(meta, losses)
        reader = ImageReader(labels, source, images_dir, losses)
        rest = itertools.chain([first] if first is not None else [], children)
        return Reading(path, classes, _images(rest, reader, losses, source), losses)

    def write(
        self, images: Iterable[ImageLabels], classes: Sequence[ClassSpec], out: Path
    ) -> list[Loss]:
        target = out / FILE_NAME if out.is_dir() else out
        writer = CvatWriter(target, classes)
        try:
            for image in images:
                writer.write_image(image)
        except BaseException:
            writer.abandon()
            raise
        writer.finish()
        return writer.losses


FORMAT = CvatFormat()


def _annotation_file(path: Path) -> tuple[str | None, str]:
    """The name of the annotations inside ``path`` (a file, a folder, a ZIP), and why not."""
    if path.is_dir():
        if (path / FILE_NAME).is_file():
            return FILE_NAME, ""
        return None, f"the folder has no {FILE_NAME}"
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                if FILE_NAME in archive.namelist():
                    return FILE_NAME, ""
        except (OSError, zipfile.BadZipFile):
            return None, f"{path.name} is not a readable ZIP file"
        return None, f"{path.name} holds no {FILE_NAME}"
    if path.suffix.lower() == ".xml":
        return path.name, ""
    return None, f"{path.name} is not an XML file, a ZIP file or a folder"


def _head(path: Path, file: str) -> str | None:
    try:
        if path.is_dir():
            with (path / file).open("rb") as handle:
                data = handle.read(_HEAD)
        elif path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive, archive.open(file) as handle:
                data = handle.read(_HEAD)
        else:
            with path.open("rb") as handle:
                data = handle.read(_HEAD)
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    return data.decode("utf-8", errors="replace")


def _open(path: Path, file: str) -> tuple[XmlStream, Path | None, str]:
    """The stream of the annotations, the images folder beside them, and a name for both."""
    if path.is_dir():
        xml_path = path / file
        images = path / "images"
        return XmlStream.open(xml_path), images if images.is_dir() else path, str(xml_path)
    if path.suffix.lower() == ".zip":
        try:
            archive = zipfile.ZipFile(path)
            handle = archive.open(file)
        except (OSError, zipfile.BadZipFile, KeyError) as error:
            raise FormatError(f"cannot read {file} in {path}: {error}") from None
        return XmlStream.from_handle(path / file, handle), None, f"{path}!{file}"
    if sniff_root(path) is None:
        raise FormatError(f"{path} is not XML")
    images = path.parent / "images"
    return XmlStream.open(path), images if images.is_dir() else path.parent, str(path)


def _meta(children: Iterator[ET.Element]) -> tuple[ET.Element | None, ET.Element | None]:
    """The ``<meta>`` element (read before any image), and the first element after it."""
    for child in children:
        if child.tag == "meta":
            return child, None
        if child.tag not in ("version",):
            return None, child
    return None, None


def _task_losses(meta: ET.Element | None, losses: list[Loss]) -> None:
    if meta is None:
        return
    for holder in meta:
        details = [child.tag for child in holder if child.tag not in _TASK_DETAILS]
        if details:
            what = f"<meta> {holder.tag} details"
            why = f"limner keeps no {', '.join(dict.fromkeys(details))} of the {holder.tag}"
            losses.append(Loss(None, None, what, why))


def _images(
    children: Iterable[ET.Element], reader: ImageReader, losses: list[Loss], source: str
) -> Iterator[ImageLabels]:
    tracks = 0
    try:
        for child in children:
            if child.tag == "image":
                yield reader.image(child)
            elif child.tag == "track":
                tracks += 1
            elif child.tag not in ("version", "meta"):
                losses.append(Loss(None, None, f"<{child.tag}>", "not part of CVAT for images"))
    except FormatError as error:
        losses.append(Loss(source, None, "file", f"reading stopped: {error}"))
    if tracks:
        why = f"{tracks} tracks (CVAT for video) are not read; export as CVAT for images"
        losses.append(Loss(None, None, "tracks", why))
