"""What every interchange format reads into and writes from, and how losses are named.

A format module (COCO, YOLO, Pascal VOC, ...) converts between files and the small,
format-neutral records below; it never touches a project. The importer and exporter sit
on top and are the only code that knows about the store. Keeping the formats that narrow
is what lets one round-trip test cover every format: a reader and a writer only have to
agree with each other and with the format's public description.

Three promises hold for every format:

* **Streaming.** ``read`` returns a :class:`Reading` whose ``images`` is a lazy iterator,
  and ``write`` consumes any iterable of :class:`ImageLabels`, so neither side ever needs
  the whole dataset as limner objects at once (a 100k-image export runs page by page).
* **No silent loss.** Anything a reader cannot turn into a limner shape, and anything a
  writer cannot put into the file exactly, becomes a :class:`Loss` that names the image,
  the annotation, what was lost and why. Approximations count as losses too ("polygon with
  a hole written as RLE").
* **Limner's geometry.** Shapes are the validated types of
  ``limner.models.domain.geometry`` in limner's continuous pixel coordinates, so a format
  module converts its own conventions (normalised YOLO values, COCO's ``[x, y, w, h]``)
  exactly once, at its edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Protocol, runtime_checkable

from limner.models.domain.attributes import AttributeSpec
from limner.models.domain.geometry import Geometry, Skeleton, TagSpec
from limner.models.errors import LimnerError

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class FormatError(LimnerError):
    """A file or folder that cannot be read as the format at all (not JSON, no labels...).

    Problems with single annotations are never raised: they become :class:`Loss` records
    and reading goes on with the next annotation.
    """


@dataclass(frozen=True, slots=True)
class Loss:
    """One thing that did not survive a conversion exactly, and why.

    ``image`` is the image's name as the dataset spells it (``None`` for losses about the
    dataset itself, such as a category that no annotation uses and that cannot be kept);
    ``annotation`` is the format's own id for the annotation (COCO's ``id``) or its index
    in the image or file (YOLO's line number), whichever the format has. ``what`` is short
    and stable enough to count ("polygon hole", "category supercategory"); ``why`` is the
    sentence a user reads.
    """

    image: str | None
    annotation: int | str | None
    what: str
    why: str

    def __str__(self) -> str:
        where = self.image if self.image is not None else "dataset"
        if self.annotation is not None:
            where = f"{where}, annotation {self.annotation}"
        return f"{where}: {self.what}: {self.why}"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an imported shape came from, for the annotation's history.

    ``source`` is the file the shape was read from (as a string, so the record stays
    JSON-friendly), ``format`` the registry name of the format, and ``where`` the place
    inside the file a person would look (``"annotation id 17"``, ``"line 3"``).
    """

    source: str
    format: str
    where: str = ""

    def to_json(self) -> dict[str, str]:
        return {"source": self.source, "format": self.format, "where": self.where}


@dataclass(frozen=True, slots=True)
class Shape:
    """One annotation of an image, as a format holds it, in limner's terms.

    ``class_name`` is the class's name (``None`` for a shape without a class); the class
    itself is described once in :attr:`Reading.classes`. ``attributes`` holds per-shape
    values, JSON-compatible (a COCO ``attributes`` object, VOC's ``difficult``...).
    ``id`` is the format's own identifier, used to name losses and kept in provenance;
    ``group`` ties shapes that the format says form one object (labelme ``group_id``).
    ``source`` is what the annotation's ``source`` column should say: ``"import"`` for
    labels, ``"prediction"`` for model output a format marks as such (kept as suggestions).
    ``source_id`` is, on export, the id the annotation had in a file of this format it was
    imported from (a COCO annotation id), which a writer keeps when it can; ``id`` then
    stays limner's own, so losses still name the annotation as the project knows it.
    """

    geometry: Geometry
    class_name: str | None
    attributes: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    provenance: Provenance | None = None
    id: int | str | None = None
    z: int = 0
    group: str | None = None
    source: str = "import"
    source_id: int | str | None = None

    @property
    def kind(self) -> str:
        return self.geometry.kind


@dataclass(frozen=True, slots=True)
class Prediction:
    """What a model proposed for an image, as a file carries it: kept as a suggestion.

    A prediction is never an annotation: the importer stores it as a suggestion the
    annotator accepts or rejects, and an export writes the suggestions still open back
    as predictions. ``source`` names the model (``"model:<version>"``) and ``score`` is
    its confidence. ``key`` is the file's own identity of the prediction, the same each
    time the file is read (so importing it twice adds nothing twice); ``raw`` is the
    format's own form of it, kept so a writer of that format can give back what came
    instead of an approximation.
    """

    geometry: Geometry
    class_name: str | None
    score: float | None
    source: str
    key: str | None = None
    raw: Mapping[str, Any] | None = None

    @property
    def kind(self) -> str:
        return self.geometry.kind


@dataclass(frozen=True, slots=True)
class ImageLabels:
    """What a reader yields per image and a writer consumes: the image and its shapes.

    ``name`` is the file name as the dataset names it (COCO ``file_name``, a path relative
    to YOLO's ``images/``), with ``/`` as separator; it is how an importer matches labels
    to the project's images. ``path`` is the image file on disk when the reader found it.
    ``width`` and ``height`` are the image's size in pixels when known; formats with
    normalised coordinates cannot be read or written without them. ``id`` is the format's
    own id for the image (COCO's image id), which a writer keeps when it can. ``url`` is,
    on export, where a server the project syncs with keeps the image (a Label Studio
    task's ``data.image``), for formats that name images by URL. ``predictions`` are the
    model proposals of the image: read from a format that carries them, and on export the
    project's open suggestions, which formats without predictions leave out.
    """

    name: str
    shapes: tuple[Shape, ...] = ()
    width: int | None = None
    height: int | None = None
    path: Path | None = None
    losses: tuple[Loss, ...] = ()
    id: int | str | None = None
    url: str | None = None
    predictions: tuple[Prediction, ...] = ()

    @property
    def size(self) -> tuple[int, int] | None:
        if self.width is None or self.height is None:
            return None
        return self.width, self.height


@dataclass(frozen=True, slots=True)
class ClassSpec:
    """A label class as a format declares it: the parts of a limner class a file can carry.

    ``kind`` is a shape kind (``"box"``, ``"polygon"``...), ``"tag"`` or ``"any"``;
    ``color`` is ``#rrggbb`` or ``None`` when the format has no colours (the importer
    picks one from the palette). ``source_id`` is the format's own id for the class
    (COCO's category id, YOLO's index), so a writer can keep the numbering a dataset
    already uses. ``tag`` is what a class of kind ``"tag"`` asks (its answers' mode and
    options), ``None`` for shape classes.
    """

    name: str
    kind: str = "any"
    color: str | None = None
    skeleton: Skeleton | None = None
    attribute_schema: tuple[AttributeSpec, ...] = ()
    source_id: int | str | None = None
    tag: TagSpec | None = None


class Reading:
    """The result of reading a dataset: its classes, its images (lazily) and its losses.

    ``classes`` are the classes the dataset declares, known before the first image. A
    shape may still name a class that is not declared (labelme has no class list); the
    importer then creates it as a plain class. ``images`` is a one-shot iterator. Losses
    about one image travel with that image (:attr:`ImageLabels.losses`); losses about the
    dataset itself (an annotation pointing at no image, an unusable category) are appended
    to ``losses`` while the images are iterated, so the list is complete once ``images``
    is exhausted.
    """

    __slots__ = ("classes", "images", "losses", "source")

    def __init__(
        self,
        source: Path,
        classes: Sequence[ClassSpec],
        images: Iterator[ImageLabels],
        losses: list[Loss] | None = None,
    ) -> None:
        self.source = source
        self.classes = tuple(classes)
        self.images = images
        self.losses: list[Loss] = losses if losses is not None else []


@dataclass(frozen=True, slots=True)
class Detection:
    """How sure a format is that a path holds its files, and why.

    ``confidence`` is 0 (certainly not) to 1 (certainly); the registry picks the highest.
    ``reason`` is shown to the user either way ("instances.json has images, annotations
    and categories"), so it says what was looked at.
    """

    confidence: float
    reason: str

    def __bool__(self) -> bool:
        return self.confidence > 0


@runtime_checkable
class Format(Protocol):
    """A reader and a writer for one interchange format.

    ``name`` is the registry key and the ``--format`` value; ``title`` the label shown in
    the window's format picker. ``layout`` says what ``write``'s ``out`` is: one file
    (COCO's JSON) or a folder (YOLO's ``labels/`` and ``data.yaml``). ``kinds`` are the
    shape kinds the format can hold exactly; anything else is a loss when written.
    """

    name: str
    title: str
    layout: Literal["file", "folder"]
    kinds: frozenset[str]

    def detect(self, path: Path) -> Detection:
        """Look at ``path`` (a file or folder) cheaply, never reading a whole dataset."""
        ...

    def read(self, path: Path) -> Reading:
        """Open ``path`` for reading; raise :class:`FormatError` if it is not this format."""
        ...

    def write(
        self, images: Iterable[ImageLabels], classes: Sequence[ClassSpec], out: Path
    ) -> list[Loss]:
        """Write every image's shapes to ``out``, consuming ``images`` once, in order.

        ``classes`` must name every class the shapes use; a shape whose class is missing
        is a loss. Returns every loss, in the order they happened.
        """
        ...


def shape_loss(image: ImageLabels, index: int, shape: Shape, what: str, why: str) -> Loss:
    """A loss about one shape, named by the format's id when it has one, else its index."""
    return Loss(image.name, shape.id if shape.id is not None else index, what, why)
