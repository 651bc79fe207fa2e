"""Exporting a project's annotations to an interchange format, page by page.

The format writers consume an iterable of images (``models.formats``); this module feeds
them one page of :data:`PAGE_IMAGES` images at a time, in project order, read in a short
read transaction each, so a 100,000-image project is never in memory at once and no read
lock is held while the writer works.

Filters choose what is written: images of one status, the images of one queue, and the
shapes of some classes. With a class filter every chosen image is still written, with
the shapes of those classes only (an image left without shapes is a background image,
which is what a training set of those classes needs), and only those classes are declared.
Images limner could not read when they were added have no size and no pixels and are not
written; each one with shapes is named as a loss. Everything a writer could not put into
the file exactly comes back as its losses, per annotation, named by the annotation's uuid.
Each image also carries its open suggestions as predictions (with their model, score and
the form they came in), which formats that hold predictions write and the others leave
out, as they are not labels.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from limner.models.domain.attributes import SchemaError, parse_schema
from limner.models.domain.entities import ImageRecord, ImageStatus, LabelClass
from limner.models.domain.phrases import QT_TRANSLATE_NOOP, joined
from limner.models.errors import LimnerError
from limner.models.formats.base import ClassSpec, Format, ImageLabels, Loss, Prediction, Shape
from limner.models.store import queries, schema, suggestions
from limner.models.store.queries import ImageFilter
from limner.models.store.rows import annotation_from_row, image_from_row
from limner.models.store.store import ProjectStore
from limner.models.workflow.import_command import SourceIds, source_ids
from limner.models.workflow.label_import import loss_json
from limner.models.workflow.project import ProgressFn, resolve_image_path
from limner.models.workflow.report_words import images_count, losses_count, shapes_count

PAGE_IMAGES = 500
"""Images read per page (one read transaction each)."""

# The file a format of one file is written to when the output given is a folder.
_FILE_NAMES = {"coco": "annotations.json", "cvat": "annotations.xml"}

img = schema.image
ann = schema.annotation


class ExportCancelled(LimnerError):
    """The user stopped the export; raised inside the writer's loop so it stops too."""


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """What to export: images of ``status``, of the queue named ``queue``, and only the
    shapes of the classes named in ``classes`` (all of them when empty)."""

    status: str | None = None
    queue: str | None = None
    classes: tuple[str, ...] = ()


@dataclass(slots=True)
class ExportResult:
    format: str
    out: Path
    images: int = 0
    shapes: int = 0
    losses: list[Loss] = field(default_factory=list)
    cancelled: bool = False

    def summary(self) -> str:
        exported = QT_TRANSLATE_NOOP("Reports", "exported {images}, {shapes} to {out}; {losses}")
        text = exported.format(
            images=images_count(self.images),
            shapes=shapes_count(self.shapes),
            out=str(self.out),
            losses=losses_count(len(self.losses)),
        )
        cancelled = QT_TRANSLATE_NOOP("Reports", "(cancelled)") if self.cancelled else ""
        return joined(" ", text, cancelled)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "out": str(self.out),
            "images": self.images,
            "shapes": self.shapes,
            "cancelled": self.cancelled,
            "losses": [loss_json(loss) for loss in self.losses],
        }


def output_path(fmt: Format, out: Path) -> Path:
    """Where ``fmt`` writes for ``out``: a folder given to a one-file format gets a file."""
    out = Path(out)
    if fmt.layout == "file" and out.is_dir():
        return out / _FILE_NAMES.get(fmt.name, f"{fmt.name}.json")
    return out


def class_spec(label_class: LabelClass, source_id: int | str | None = None) -> ClassSpec:
    """A project class as a format declares it, with its id in that format if it had one."""
    try:
        attributes = parse_schema(label_class.attribute_schema)
    except SchemaError:
        attributes = ()
    return ClassSpec(
        label_class.name,
        label_class.kind,
        label_class.color,
        label_class.skeleton,
        attributes,
        source_id,
        label_class.tag,
    )


def _chosen_classes(conn: Connection, names: Sequence[str]) -> list[LabelClass]:
    classes = queries.label_classes(conn)
    if not names:
        return classes
    by_name = {c.name: c for c in classes}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        known = ", ".join(c.name for c in classes) or "none"
        raise LimnerError(f"no class named {', '.join(map(repr, unknown))} (classes: {known})")
    return [by_name[n] for n in dict.fromkeys(names)]


def image_filter(conn: Connection, flt: ExportFilter) -> ImageFilter:
    """The image list's filter for ``flt``; an unknown status or queue is an error."""
    if flt.status is not None and flt.status not in {s.value for s in ImageStatus}:
        known = ", ".join(s.value for s in ImageStatus)
        raise LimnerError(f"unknown status {flt.status!r} (statuses: {known})")
    queue_id = None
    if flt.queue is not None:
        row = conn.execute(
            select(schema.queue.c.id).where(schema.queue.c.name == flt.queue)
        ).first()
        if row is None:
            names = conn.execute(select(schema.queue.c.name).order_by(schema.queue.c.name))
            known = ", ".join(names.scalars()) or "none"
            raise LimnerError(f"no queue named {flt.queue!r} (queues: {known})")
        queue_id = row.id
    return ImageFilter(status=flt.status, queue_id=queue_id)


@dataclass(slots=True)
class _Pages:
    """The filtered images and their shapes, one page at a time."""

    store: ProjectStore
    images: ImageFilter
    classes: dict[int, str]
    only_classes: bool
    result: ExportResult
    progress: ProgressFn | None
    total: int
    kept: SourceIds = field(default_factory=SourceIds)
    urls: dict[int, str] = field(default_factory=dict)
    proposed: dict[int, tuple[Prediction, ...]] = field(default_factory=dict)

    def __iter__(self) -> Iterator[ImageLabels]:
        last, done = -1, 0
        while True:
            page = self._page(last)
            if not page:
                return
            for record, shapes in page:
                if self.progress is not None and not self.progress(done, self.total, record.name):
                    raise ExportCancelled("the export was stopped")
                done += 1
                image = self._image(record, shapes)
                if image is not None:
                    yield image
            last = page[-1][0].position

    def _page(self, after: int) -> list[tuple[ImageRecord, list[Shape]]]:
        with self.store.read() as conn:
            query = self.images.apply(select(img)).where(img.c.position > after)
            query = query.order_by(img.c.position).limit(PAGE_IMAGES)
            records = [image_from_row(r) for r in conn.execute(query)]
            shapes: dict[int, list[Shape]] = {r.id: [] for r in records}
            if records:
                rows = select(ann).where(ann.c.image_id.in_(list(shapes)), ann.c.deleted == 0)
                if self.only_classes:
                    rows = rows.where(ann.c.class_id.in_(list(self.classes)))
                self.urls.update(_source_urls(conn, list(shapes)))
                self.proposed.update(self._predictions(conn, list(shapes)))
                for row in conn.execute(rows.order_by(ann.c.image_id, ann.c.z, ann.c.id)):
                    a = annotation_from_row(row)
                    shapes[a.image_id].append(
                        Shape(
                            a.geometry,
                            self.classes.get(a.class_id) if a.class_id is not None else None,
                            a.attributes,
                            id=a.uuid,
                            z=a.z,
                            group=a.group_id,
                            source=a.source,
                            source_id=self.kept.annotations.get(a.uuid),
                        )
                    )
        return [(r, shapes[r.id]) for r in records]

    def _predictions(
        self, conn: Connection, image_ids: list[int]
    ) -> dict[int, tuple[Prediction, ...]]:
        """The open suggestions of these images (of the chosen classes only, with a class
        filter), as the predictions a format may write."""
        found = suggestions.open_for_images(conn, image_ids)
        out: dict[int, tuple[Prediction, ...]] = {}
        for image_id, items in found.items():
            chosen = [s for s in items if not self.only_classes or s.class_id in self.classes]
            out[image_id] = tuple(
                Prediction(
                    s.geometry,
                    self.classes.get(s.class_id) if s.class_id is not None else s.label or None,
                    s.score,
                    s.source,
                    s.remote_key,
                    s.raw,
                )
                for s in chosen
            )
        return out

    def _image(self, record: ImageRecord, shapes: list[Shape]) -> ImageLabels | None:
        if record.error is not None:
            if shapes:
                why = (
                    f"the image could not be read ({record.error}); "
                    f"its {len(shapes)} shapes are not written"
                )
                self.result.losses.append(Loss(record.name, None, "image", why))
            return None
        self.result.images += 1
        self.result.shapes += len(shapes)
        path = resolve_image_path(self.store, record.path)
        image_id = self.kept.images.get(record.id, record.id)
        url = self.urls.pop(record.id, None)
        predictions = self.proposed.pop(record.id, ())
        return ImageLabels(
            record.name,
            tuple(shapes),
            record.width,
            record.height,
            path,
            (),
            image_id,
            url,
            predictions,
        )


def _source_urls(conn: Connection, image_ids: list[int]) -> dict[int, str]:
    """Where the servers the project syncs with keep these images (first remote wins)."""
    link = schema.remote_image
    query = (
        select(link.c.image_id, link.c.source_url)
        .where(link.c.image_id.in_(image_ids), link.c.source_url.is_not(None))
        .where(link.c.deleted_remotely == 0)
        .order_by(link.c.remote_id.desc())
    )
    return {row.image_id: row.source_url for row in conn.execute(query) if row.source_url}


def export_labels(
    store: ProjectStore,
    fmt: Format,
    out: Path,
    flt: ExportFilter = ExportFilter(),
    *,
    progress: ProgressFn | None = None,
) -> ExportResult:
    """Write the project's annotations chosen by ``flt`` to ``out`` as ``fmt``.

    ``progress(done, total, name)`` is called before each image; returning False stops
    the export (a one-file format then leaves no file; a folder keeps what was written).
    """
    with store.read() as conn:
        images = image_filter(conn, flt)
        chosen = _chosen_classes(conn, flt.classes)
        total = queries.image_count(conn, images)
        kept = source_ids(conn, fmt.name)
    target = output_path(fmt, out)
    result = ExportResult(fmt.name, target)
    pages = _Pages(
        store,
        images,
        {c.id: c.name for c in chosen},
        bool(flt.classes),
        result,
        progress,
        total,
        kept,
    )
    specs = [class_spec(c, kept.classes.get(c.name)) for c in chosen]
    try:
        written = fmt.write(pages, specs, target)
    except ExportCancelled:
        result.cancelled = True
        return result
    result.losses.extend(written)
    if progress is not None:
        progress(total, total, "")
    return result
