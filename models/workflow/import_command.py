"""One batch of an annotation import as one undoable step, and where each shape came from.

An import of a 10,000-image dataset is a few dozen steps, not 100,000 single adds: each
batch (:class:`ImportLabels`) creates the classes it needs first, then inserts its shapes
with one bulk statement, in one transaction. Undo removes the batch's shapes and the
classes it created; redo brings back the very same rows (same uuids, same class ids), so
sync sees an undone and redone import as the shapes it already knew.

Provenance is recorded once, when the batch is first applied: an ``import labels`` event
naming the format, the files read and, for every new annotation, the file and the place in
it ("annotation id 17", "line 3"). :func:`provenance_of` reads it back for one annotation.
The annotation's own ``source`` column says ``import`` (or ``prediction`` for model output
the file marked as such), like every other origin of shapes in a project. A file's
predictions that come as predictions (Label Studio's) are suggestions of the same step:
undo takes them away with the shapes, redo brings the same rows back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, select

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.commands import Command
from limner.models.formats.base import Provenance
from limner.models.store import schema, tx
from limner.models.store import suggestions as suggestion_rows
from limner.models.store.store import ChangeSet
from limner.models.store.suggestions import Suggestion

IMPORT_EVENT = "import labels"


@dataclass(eq=False)
class ImportLabels(Command):
    """Add one batch of imported shapes and the classes they need.

    ``classes`` are the fields of the classes this step creates; ``new_class_of`` maps the
    uuid of each annotation of such a class to the class's name (its id exists only once
    the class is inserted), and the same for each suggestion's uuid. ``origins`` holds,
    per annotation uuid, the index of its file in ``files`` and its place in that file.
    ``ids`` are the format's own ids of what the batch brought (see :class:`SourceIds`),
    so an export to the same format keeps them. ``suggestions`` are the file's predictions.
    """

    annotations: tuple[NewAnnotation, ...]
    classes: tuple[Mapping[str, Any], ...] = ()
    new_class_of: Mapping[str, str] = field(default_factory=dict)
    format: str = ""
    source: str = ""
    files: tuple[str, ...] = ()
    origins: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    images: int = 0
    ids: Mapping[str, Any] = field(default_factory=dict)
    text: str = QT_TRANSLATE_NOOP("Commands", "Import annotations")
    suggestions: tuple[Suggestion, ...] = ()
    class_ids: dict[str, int] = field(default_factory=dict)
    orphaned: dict[int, tuple[str, ...]] = field(default_factory=dict)
    applied: bool = False

    def apply(self, conn: Connection, changes: ChangeSet) -> None:
        if self.applied:
            self._redo(conn, changes)
            return
        created = {f["name"]: tx.insert_class(conn, changes, f) for f in self.classes}
        resolved = tuple(
            replace(a, class_id=created[self.new_class_of[a.uuid]])
            if a.uuid in self.new_class_of
            else a
            for a in self.annotations
        )
        tx.insert_new_annotations(conn, changes, resolved)
        self.suggestions = tuple(
            replace(s, class_id=created[self.new_class_of[s.uuid]])
            if s.uuid in self.new_class_of
            else s
            for s in self.suggestions
        )
        suggestion_rows.add(conn, changes, self.suggestions)
        tx.log_event(conn, IMPORT_EVENT, self._provenance(resolved))
        self.class_ids, self.annotations, self.applied = created, resolved, True

    def _redo(self, conn: Connection, changes: ChangeSet) -> None:
        for class_id in self.class_ids.values():
            tx.set_class_deleted(conn, changes, class_id, False)
            for uuid in self.orphaned.get(class_id, ()):
                tx.update_annotation(conn, changes, uuid, {"class_id": class_id})
        tx.set_annotations_deleted(conn, changes, [a.uuid for a in self.annotations], False)
        suggestion_rows.add(conn, changes, self.suggestions)

    def revert(self, conn: Connection, changes: ChangeSet) -> None:
        tx.set_annotations_deleted(conn, changes, [a.uuid for a in self.annotations], True)
        suggestion_rows.remove(conn, changes, self.suggestions)
        for class_id in self.class_ids.values():
            # Shapes drawn with the class since the import stay, without a class, and get
            # it back on redo (as deleting a class does).
            orphaned = tuple(tx.live_annotations_of_class(conn, class_id))
            for uuid in orphaned:
                tx.update_annotation(conn, changes, uuid, {"class_id": None})
            self.orphaned[class_id] = orphaned
            tx.set_class_deleted(conn, changes, class_id, True)

    def _provenance(self, annotations: tuple[NewAnnotation, ...]) -> dict[str, Any]:
        return {
            "format": self.format,
            "source": self.source,
            "files": list(self.files),
            "annotations": [[a.uuid, *self.origins.get(a.uuid, (0, ""))] for a in annotations],
            "ids": dict(self.ids),
        }

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "format": self.format,
            "source": self.source,
            "images": self.images,
            "annotations": len(self.annotations),
            "suggestions": len(self.suggestions),
            "classes": [f["name"] for f in self.classes],
        }


def provenance_of(conn: Connection, uuid: str) -> Provenance | None:
    """Where the imported annotation ``uuid`` came from, or None if it was not imported."""
    event = schema.event
    query = (
        select(event.c.detail)
        .where(event.c.action == IMPORT_EVENT, event.c.detail.contains(f'["{uuid}",'))
        .order_by(event.c.id)
    )
    for (detail,) in conn.execute(query):
        data = json.loads(detail)
        files = data.get("files") or [data.get("source", "")]
        for entry in data.get("annotations", []):
            if entry[0] == uuid:
                file_index, where = entry[1], entry[2]
                source = files[file_index] if 0 <= file_index < len(files) else ""
                return Provenance(source, str(data.get("format", "")), where)
    return None


@dataclass(frozen=True, slots=True)
class SourceIds:
    """The ids images, classes and annotations had in the files of one format.

    A COCO dataset brought into limner and written back as COCO should keep its image,
    category and annotation ids, or every tool holding results against those ids breaks.
    limner's own ids are not those, so each import records them in its event (images by
    limner's image id, classes by name, annotations by uuid), and an export to the same
    format looks them up here. An id means something only in its own format, so the
    ids of a YOLO import are never used for a COCO export.
    """

    images: Mapping[int, int | str] = field(default_factory=dict)
    classes: Mapping[str, int | str] = field(default_factory=dict)
    annotations: Mapping[str, int | str] = field(default_factory=dict)


def source_ids(conn: Connection, format_name: str) -> SourceIds:
    """Every id the imports of ``format_name`` recorded; a later import wins."""
    images: dict[int, int | str] = {}
    classes: dict[str, int | str] = {}
    annotations: dict[str, int | str] = {}
    event = schema.event
    query = select(event.c.detail).where(event.c.action == IMPORT_EVENT).order_by(event.c.id)
    for (detail,) in conn.execute(query):
        data = json.loads(detail)
        ids = data.get("ids")
        if data.get("format") != format_name or not isinstance(ids, Mapping):
            continue
        images.update((int(k), v) for k, v in (ids.get("images") or {}).items())
        classes.update(ids.get("classes") or {})
        annotations.update(ids.get("annotations") or {})
    return SourceIds(images, classes, annotations)
