"""Importing a dataset's annotations into a project, batch by batch, every loss named.

A format module reads files into format-neutral records (``models.formats``); this module
puts those records into a project. It matches each image of the dataset to an image of
the project (``label_images``, adding the files the project lacks), finds or creates each
class by name, checks every shape against its class (a tag needs a tag class, keypoints
the class's skeleton, a mask the image's size), and writes :data:`BATCH_IMAGES` images at
a time as one :class:`ImportLabels` step: one transaction, one undo.

Predictions a file carries as such (``ImageLabels.predictions``) become suggestions in
the same step, with their model and score: they are never annotations, and a prediction
already in the project (the same key on the same image) is not added twice.

Nothing is dropped without a word. What the reader could not read comes with the reading;
what the import cannot place (an image the project does not have, a second tag of one
class, a mask of another size) is added as a :class:`Loss` naming the image and the
annotation, and the result lists them all, in the order they happened.

The caller decides how a step is applied: the command line commits and logs each and
keeps none (its process ends with the import, and 100,000 shapes need not stay in
memory for an undo nobody can ask for); the window applies them on a worker thread and
records each in the window's history when it hears of it, so Ctrl+Z undoes the last batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from limner.models.domain.entities import TAG_KIND, NewAnnotation
from limner.models.domain.geometry import Keypoints, Mask, Tag
from limner.models.domain.phrases import QT_TRANSLATE_NOOP, counted, joined
from limner.models.editing.commands import Command
from limner.models.editing.history import apply_logged
from limner.models.errors import GeometryError
from limner.models.formats.base import ImageLabels, Loss, Prediction, Reading, Shape, shape_loss
from limner.models.store import suggestions
from limner.models.store.store import ProjectStore
from limner.models.store.suggestions import Suggestion
from limner.models.store.tx import new_uuid, stored_form
from limner.models.workflow.import_command import ImportLabels
from limner.models.workflow.label_classes import ClassTable
from limner.models.workflow.label_images import ImageMatcher, Miss, Target, existing_shapes
from limner.models.workflow.project import ProgressFn
from limner.models.workflow.report_words import images_count, losses_count, shapes_count

BATCH_IMAGES = 500
"""Images per step: one transaction and one undo each."""

Execute = Callable[[Command], object]


@dataclass(slots=True)
class ImportResult:
    """What an import did, for the summary line, the ``--json`` output and the window."""

    format: str
    source: Path
    images: int = 0
    images_added: int = 0
    shapes: int = 0
    already: int = 0
    """Shapes the project had already (same image, class and geometry): not added twice."""
    suggestions: int = 0
    """Predictions stored as suggestions (those the project had already are not)."""
    classes_created: list[str] = field(default_factory=list)
    losses: list[Loss] = field(default_factory=list)
    steps: int = 0
    cancelled: bool = False

    def summary(self) -> str:
        parts = [
            QT_TRANSLATE_NOOP("Reports", "{shapes} on {images}").format(
                shapes=shapes_count(self.shapes), images=images_count(self.images)
            )
        ]
        if self.suggestions:
            parts.append(
                counted(
                    self.suggestions,
                    QT_TRANSLATE_NOOP("Reports", "{count} suggestion"),
                    QT_TRANSLATE_NOOP("Reports", "{count} suggestions"),
                )
            )
        if self.images_added:
            parts.append(
                counted(
                    self.images_added,
                    QT_TRANSLATE_NOOP("Reports", "{count} image added"),
                    QT_TRANSLATE_NOOP("Reports", "{count} images added"),
                )
            )
        if self.classes_created:
            parts.append(
                counted(
                    len(self.classes_created),
                    QT_TRANSLATE_NOOP("Reports", "{count} class created"),
                    QT_TRANSLATE_NOOP("Reports", "{count} classes created"),
                )
            )
        if self.already:
            parts.append(
                QT_TRANSLATE_NOOP("Reports", "{count} already in the project").format(
                    count=self.already
                )
            )
        text = QT_TRANSLATE_NOOP("Reports", "imported {parts}; {losses}").format(
            parts=joined(", ", *parts), losses=losses_count(len(self.losses))
        )
        cancelled = QT_TRANSLATE_NOOP("Reports", "(cancelled)") if self.cancelled else ""
        return joined(" ", text, cancelled)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "source": str(self.source),
            "images": self.images,
            "images_added": self.images_added,
            "shapes": self.shapes,
            "already": self.already,
            "suggestions": self.suggestions,
            "classes_created": list(self.classes_created),
            "steps": self.steps,
            "cancelled": self.cancelled,
            "losses": [loss_json(loss) for loss in self.losses],
        }


def loss_json(loss: Loss) -> dict[str, Any]:
    return {"image": loss.image, "annotation": loss.annotation, "what": loss.what, "why": loss.why}


@dataclass(slots=True)
class _Step:
    """The annotations of one batch as they are gathered."""

    annotations: list[NewAnnotation] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    new_class_of: dict[str, str] = field(default_factory=dict)
    origins: dict[str, tuple[int, str]] = field(default_factory=dict)
    images: set[int] = field(default_factory=set)
    image_ids: dict[str, int | str] = field(default_factory=dict)
    annotation_ids: dict[str, int | str] = field(default_factory=dict)

    def ids(self, classes: Mapping[str, int | str]) -> dict[str, Any]:
        """The format's ids of this batch, as the import event records them."""
        return {
            "images": self.image_ids,
            "classes": dict(classes),
            "annotations": self.annotation_ids,
        }


class _Importer:
    def __init__(
        self,
        store: ProjectStore,
        reading: Reading,
        format_name: str,
        execute: Execute,
        add_images: bool,
    ) -> None:
        self.reading = reading
        self.format = format_name
        self.execute = execute
        self.matcher = ImageMatcher(store, add_images)
        self.classes = ClassTable(store, reading.classes)
        self.result = ImportResult(format_name, reading.source)
        self.result.losses.extend(self.classes.losses)
        self.store = store
        self.files: dict[str, int] = {}
        self.tags: set[tuple[int, int | str]] = set()
        self.present: set[tuple[int, int, str]] = set()
        self.proposed: set[tuple[int, str]] = set()
        self.class_source_ids = {
            spec.name: spec.source_id for spec in reading.classes if _an_id(spec.source_id)
        }

    def flush(self, batch: list[ImageLabels]) -> None:
        """Match, check and write one batch as one step."""
        if not batch and not self.classes.pending:
            return
        step = _Step()
        targets = self.matcher.match(batch)
        matched = [t.id for t in targets if isinstance(t, Target)]
        self.tags |= self.classes.existing_tags(matched)
        self.present = existing_shapes(self.store, matched)
        with self.store.read() as conn:
            self.proposed = suggestions.known_keys(conn, matched)
        for image, target in zip(batch, targets, strict=True):
            self.result.losses.extend(image.losses)
            self._image(image, target, step)
        fields = self.classes.take_pending()
        if not step.annotations and not step.suggestions and not fields:
            return
        command = ImportLabels(
            tuple(step.annotations),
            tuple(fields),
            step.new_class_of,
            self.format,
            str(self.reading.source),
            tuple(self.files),
            step.origins,
            len(step.images),
            step.ids(self.class_source_ids),
            text=QT_TRANSLATE_NOOP(
                "Commands", "Import {format} annotations ({count} images)"
            ).format(format=self.format, count=len(step.images)),
            suggestions=tuple(step.suggestions),
        )
        self.execute(command)
        self.classes.created(command.class_ids)
        ids = command.class_ids
        self.tags = {(i, ids.get(k, k) if isinstance(k, str) else k) for i, k in self.tags}
        self.result.classes_created.extend(f["name"] for f in fields)
        self.result.shapes += len(step.annotations)
        self.result.suggestions += len(step.suggestions)
        self.result.steps += 1

    def _image(self, image: ImageLabels, target: Target | Miss, step: _Step) -> None:
        if isinstance(target, Miss):
            if image.shapes:
                self.result.losses.append(Loss(image.name, None, "image", target.why))
            return
        self.result.images += 1
        self.result.images_added += target.added
        if _an_id(image.id):
            step.image_ids[str(target.id)] = image.id  # type: ignore[assignment]
        size = (target.width, target.height)
        if image.size is not None and target.width is not None and image.size != size:
            why = (
                f"the file says {image.width}x{image.height} but the project's image is "
                f"{target.width}x{target.height}; its {len(image.shapes)} shapes are not placed"
            )
            self.result.losses.append(Loss(image.name, None, "image size", why))
            return
        uuids: dict[str, str] = {}
        members: dict[str, int] = {}
        for shape in image.shapes:
            if shape.group is not None:
                members[shape.group] = members.get(shape.group, 0) + 1
        for index, shape in enumerate(image.shapes):
            self._shape(image, target, index, shape, step, uuids, members)
        for prediction in image.predictions:
            self._prediction(image, target, prediction, step)

    def _prediction(
        self, image: ImageLabels, target: Target, prediction: Prediction, step: _Step
    ) -> None:
        """One prediction as a suggestion of its class (made if the project lacks it)."""
        if prediction.key is not None:
            if (target.id, prediction.key) in self.proposed:
                return
            self.proposed.add((target.id, prediction.key))
        key: int | str | None = None
        if prediction.class_name is not None:
            cls = self.classes.find(prediction.class_name, prediction.geometry)
            why = _unfit(cls.kind, cls.name, prediction, target)
            if why is not None:
                label = prediction.key or prediction.class_name
                self.result.losses.append(Loss(image.name, label, "prediction", why))
                return
            key = cls.key
        item = suggestions.proposed(target.id, key if isinstance(key, int) else None, prediction)
        if isinstance(key, str):
            step.new_class_of[item.uuid] = key
        step.suggestions.append(item)
        step.images.add(target.id)

    def _shape(
        self,
        image: ImageLabels,
        target: Target,
        index: int,
        shape: Shape,
        step: _Step,
        uuids: dict[str, str],
        members: Mapping[str, int],
    ) -> None:
        key, why = self._class_key(target, shape)
        if why is not None:
            self.result.losses.append(shape_loss(image, index, shape, shape.kind, why))
            return
        if isinstance(key, int) and self._already(target.id, key, shape):
            self.result.already += 1
            return
        uuid = new_uuid()
        group_id = None
        if shape.group is not None and members[shape.group] > 1:
            group_id = uuids.setdefault(shape.group, uuid)
        step.annotations.append(
            NewAnnotation(
                uuid,
                target.id,
                key if isinstance(key, int) else None,
                shape.geometry,
                dict(shape.attributes),
                shape.z,
                shape.source,
                group_id,
            )
        )
        if _an_id(shape.id):
            step.annotation_ids[uuid] = shape.id  # type: ignore[assignment]
        if isinstance(key, str):
            step.new_class_of[uuid] = key
        step.origins[uuid] = self._origin(shape, index)
        step.images.add(target.id)

    def _already(self, image_id: int, class_id: int, shape: Shape) -> bool:
        """The image has this very shape of this class (never for images without shapes)."""
        if not self.present:
            return False
        return (image_id, class_id, stored_form(shape.geometry)) in self.present

    def _class_key(self, target: Target, shape: Shape) -> tuple[int | str | None, str | None]:
        """The class id (or the name of a class this step creates), or why none fits."""
        geometry = shape.geometry
        if shape.class_name is None:
            if isinstance(geometry, Tag):
                return None, "an image tag needs a class, and this one has none"
            return None, None
        cls = self.classes.find(shape.class_name, geometry)
        kind = cls.kind
        if isinstance(geometry, Tag) != (kind == TAG_KIND):
            return None, (
                f"the class {cls.name!r} is for image tags, this is a {geometry.kind}"
                if kind == TAG_KIND
                else f"the class {cls.name!r} is not a tag class, so it holds no image tags"
            )
        try:
            if isinstance(geometry, Tag):
                if cls.tag is not None:
                    cls.tag.check(geometry)
                tag_key = (target.id, cls.key)
                if tag_key in self.tags:
                    return None, f"the image already has a {cls.name!r} tag; the first is kept"
                self.tags.add(tag_key)
            if isinstance(geometry, Keypoints) and cls.skeleton is not None:
                geometry.check_against(cls.skeleton)
        except GeometryError as exc:
            return None, f"the class {cls.name!r} does not take it: {exc}"
        if isinstance(geometry, Mask) and target.width is not None:
            mask_size = (geometry.image_width, geometry.image_height)
            if mask_size != (target.width, target.height):
                return None, (
                    f"the mask covers a {mask_size[0]}x{mask_size[1]} image, the project's "
                    f"image is {target.width}x{target.height}"
                )
        return cls.key, None

    def _origin(self, shape: Shape, index: int) -> tuple[int, str]:
        provenance = shape.provenance
        source = provenance.source if provenance is not None else str(self.reading.source)
        where = provenance.where if provenance is not None else ""
        if not where:
            where = f"annotation {shape.id}" if shape.id is not None else f"shape {index + 1}"
        return self.files.setdefault(source, len(self.files)), where


def _unfit(kind: str, name: str, prediction: Prediction, target: Target) -> str | None:
    """Why a prediction cannot be a suggestion of the class ``name``, if it cannot."""
    geometry = prediction.geometry
    if isinstance(geometry, Tag) != (kind == TAG_KIND):
        return f"the class {name!r} {'is' if kind == TAG_KIND else 'is not'} for image tags"
    if isinstance(geometry, Mask) and target.width is not None:
        if (geometry.image_width, geometry.image_height) != (target.width, target.height):
            return "the mask covers an image of another size"
    return None


def _an_id(value: object) -> bool:
    """A format's id worth keeping: a whole number or a name (never a bool)."""
    return isinstance(value, int | str) and not isinstance(value, bool)


def import_labels(
    store: ProjectStore,
    reading: Reading,
    format_name: str,
    *,
    execute: Execute | None = None,
    progress: ProgressFn | None = None,
    add_images: bool = True,
    batch_images: int = BATCH_IMAGES,
) -> ImportResult:
    """Import every image of ``reading`` into ``store``; see the module's description.

    ``execute`` applies each step (default: each is committed and logged, and kept by no
    history, so a long import from the command line does not hold its shapes; pass a
    :class:`History`'s ``execute`` to make the steps undoable). ``progress(done, 0, name)``
    is called before each image (the total is not known ahead); returning False stops
    after the steps already written.
    """
    if execute is None:
        execute = lambda command: apply_logged(store, command, "import")  # noqa: E731
    importer = _Importer(store, reading, format_name, execute, add_images)
    batch: list[ImageLabels] = []
    for done, image in enumerate(reading.images):
        if progress is not None and not progress(done, 0, image.name):
            importer.result.cancelled = True
            break
        batch.append(image)
        if len(batch) >= batch_images:
            importer.flush(batch)
            batch = []
    if not importer.result.cancelled:
        importer.flush(batch)
        importer.result.losses.extend(reading.losses)
    return importer.result
