"""Annotations that came with a folder of images: found, so they are never ignored silently.

A labelme user's folder holds a ``.json`` sidecar beside each image; a COCO, YOLO or VOC
dataset keeps its annotation files beside its image folder. When such a folder is added to
a project, limner looks for them and offers to import them (the window asks, ``limner
new --images`` imports them unless told not to), and says so when they were not imported.

The folder itself is asked first. A folder named the way datasets name their image folder
(``images``, ``JPEGImages``, a split such as ``train``) is a part of a dataset, so its
parent is asked too: that is where COCO's ``annotations/``, YOLO's ``data.yaml`` and VOC's
``Annotations/`` are. No other folder above is looked at, so adding a folder never makes
limner search the user's home.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.formats import registry
from limner.models.formats.base import FormatError
from limner.models.formats.registry import Choice

MIN_CONFIDENCE = 0.5
"""Below this, a format's guess about a folder is not worth a question."""

DATASET_FOLDERS = frozenset(
    {"images", "image", "imgs", "img", "jpegimages", "train", "val", "valid", "test"}
)


@dataclass(frozen=True, slots=True)
class FoundLabels:
    """Annotations found for the image folder ``folder``: import ``path`` as ``choice``."""

    folder: Path
    path: Path
    choice: Choice

    @property
    def summary(self) -> str:
        """``"labelme annotations in /data/pets (a folder of labelme files ...)"``."""
        return QT_TRANSLATE_NOOP("Reports", "{format} annotations in {path} ({reason})").format(
            format=self.choice.format.name, path=str(self.path), reason=self.choice.detection.reason
        )


def _detect(path: Path) -> Choice | None:
    try:
        choice = registry.detect(path)
    except (FormatError, OSError):
        return None
    return choice if choice.detection.confidence >= MIN_CONFIDENCE else None


def labels_beside(folder: Path) -> FoundLabels | None:
    """The annotations of the image folder ``folder``, if it has any."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    choice = _detect(folder)
    if choice is not None:
        return FoundLabels(folder, folder, choice)
    if folder.name.lower() in DATASET_FOLDERS and folder.parent != folder:
        choice = _detect(folder.parent)
        if choice is not None:
            return FoundLabels(folder, folder.parent, choice)
    return None


def find_labels(paths: Iterable[Path]) -> list[FoundLabels]:
    """The annotations found for each folder among ``paths`` (files are not looked at)."""
    found: list[FoundLabels] = []
    for path in paths:
        hit = labels_beside(Path(path))
        if hit is not None and all(f.path != hit.path for f in found):
            found.append(hit)
    return found
