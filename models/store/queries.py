"""Read queries over a project. Every function takes a connection and returns frozen records.

The image list pages through these with LIMIT/OFFSET in SQL, so no caller ever holds all
rows of a 100,000-image project in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, and_, func, select

from limner.models.domain.entities import TAG_KIND, Annotation, ImageRecord, LabelClass
from limner.models.store import schema
from limner.models.store.rows import annotation_from_row, class_from_row, image_from_row

img = schema.image
ann = schema.annotation
cls = schema.label_class

ERROR_FILTER = "error"
"""Pseudo-status of the image filter: images that could not be read."""


@dataclass(frozen=True, slots=True)
class ImageFilter:
    status: str | None = None
    search: str | None = None
    queue_id: int | None = None
    """Only images in this queue (in project order; ``models.queues`` pages queue order)."""

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.queue_id is not None:
            members = select(schema.queue_item.c.image_id).where(
                schema.queue_item.c.queue_id == self.queue_id
            )
            query = query.where(img.c.id.in_(members))
        if self.status == ERROR_FILTER:
            query = query.where(img.c.error.is_not(None))
        elif self.status:
            query = query.where(img.c.status == self.status)
        if self.search:
            escaped = self.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(img.c.name.ilike(f"%{escaped}%", escape="\\"))
        return query


ALL_IMAGES = ImageFilter()


# -- images --------------------------------------------------------------------------------
def image_count(conn: Connection, flt: ImageFilter = ALL_IMAGES) -> int:
    return conn.execute(flt.apply(select(func.count()).select_from(img))).scalar_one()


def image_page(
    conn: Connection, offset: int, limit: int, flt: ImageFilter = ALL_IMAGES
) -> list[ImageRecord]:
    query = flt.apply(select(img)).order_by(img.c.position).offset(offset).limit(limit)
    return [image_from_row(r) for r in conn.execute(query)]


def image_by_id(conn: Connection, image_id: int) -> ImageRecord | None:
    row = conn.execute(select(img).where(img.c.id == image_id)).first()
    return image_from_row(row) if row else None


def image_by_name(conn: Connection, name: str) -> ImageRecord | None:
    row = conn.execute(select(img).where(img.c.name == name).order_by(img.c.position)).first()
    return image_from_row(row) if row else None


def image_row_index(conn: Connection, image_id: int, flt: ImageFilter = ALL_IMAGES) -> int | None:
    """Row of ``image_id`` in the filtered list, or None when the filter hides it."""
    pos = conn.execute(
        flt.apply(select(img.c.position)).where(img.c.id == image_id)
    ).scalar_one_or_none()
    if pos is None:
        return None
    query = flt.apply(select(func.count()).select_from(img)).where(img.c.position < pos)
    return conn.execute(query).scalar_one()


def neighbor_image(
    conn: Connection, image_id: int, step: int, flt: ImageFilter = ALL_IMAGES
) -> ImageRecord | None:
    """The next (step=+1) or previous (step=-1) image in list order under ``flt``."""
    pos = conn.execute(select(img.c.position).where(img.c.id == image_id)).scalar_one_or_none()
    if pos is None:
        return None
    query = flt.apply(select(img))
    if step > 0:
        query = query.where(img.c.position > pos).order_by(img.c.position)
    else:
        query = query.where(img.c.position < pos).order_by(img.c.position.desc())
    row = conn.execute(query.limit(1)).first()
    return image_from_row(row) if row else None


def first_image(conn: Connection, flt: ImageFilter = ALL_IMAGES) -> ImageRecord | None:
    rows = image_page(conn, 0, 1, flt)
    return rows[0] if rows else None


def content_hashes(conn: Connection, hashes: list[str]) -> set[str]:
    """Which of ``hashes`` are in the project already (for de-duplicating an import)."""
    found: set[str] = set()
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        found.update(
            conn.execute(select(img.c.content_hash).where(img.c.content_hash.in_(chunk))).scalars()
        )
    return found


# -- classes -------------------------------------------------------------------------------
def label_classes(conn: Connection) -> list[LabelClass]:
    query = select(cls).where(cls.c.deleted == 0).order_by(cls.c.sort_order, cls.c.id)
    return [class_from_row(r) for r in conn.execute(query)]


def label_class_by_id(conn: Connection, class_id: int) -> LabelClass | None:
    row = conn.execute(select(cls).where(cls.c.id == class_id)).first()
    return class_from_row(row) if row else None


# -- annotations ---------------------------------------------------------------------------
def annotations_for_image(conn: Connection, image_id: int) -> list[Annotation]:
    """The image's live shapes in drawing order: what the canvas shows.

    Image tags are annotations too but have no place on the canvas; :func:`image_tags`
    reads them.
    """
    query = (
        select(ann)
        .where(and_(ann.c.image_id == image_id, ann.c.deleted == 0, ann.c.kind != TAG_KIND))
        .order_by(ann.c.z, ann.c.id)
    )
    return [annotation_from_row(r) for r in conn.execute(query)]


def image_tags(conn: Connection, image_id: int) -> list[Annotation]:
    """The image's live tags (one per tag class at most), in class order."""
    query = (
        select(ann)
        .join(cls, cls.c.id == ann.c.class_id, isouter=True)
        .where(and_(ann.c.image_id == image_id, ann.c.deleted == 0, ann.c.kind == TAG_KIND))
        .order_by(cls.c.sort_order, ann.c.id)
    )
    return [annotation_from_row(r) for r in conn.execute(query)]


def group_members(conn: Connection, image_id: int, group_ids: Iterable[str]) -> list[Annotation]:
    """The live annotations of ``image_id`` in any of ``group_ids``, in drawing order."""
    wanted = sorted(set(group_ids))
    if not wanted:
        return []
    query = (
        select(ann)
        .where(and_(ann.c.image_id == image_id, ann.c.deleted == 0, ann.c.group_id.in_(wanted)))
        .order_by(ann.c.z, ann.c.id)
    )
    return [annotation_from_row(r) for r in conn.execute(query)]


def annotation_by_uuid(
    conn: Connection, uuid: str, *, include_deleted: bool = False
) -> Annotation | None:
    query = select(ann).where(ann.c.uuid == uuid)
    if not include_deleted:
        query = query.where(ann.c.deleted == 0)
    row = conn.execute(query).first()
    return annotation_from_row(row) if row else None


def annotations_by_uuids(conn: Connection, image_id: int, uuids: Iterable[str]) -> list[Annotation]:
    """The live annotations of ``image_id`` among ``uuids`` (deleted ones are left out).

    What a view needs after an edit: the rows a change notice named, not the whole image.
    Like :func:`annotations_for_image`, it names shapes only, never image tags.
    """
    wanted = sorted(set(uuids))
    found: list[Annotation] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(ann).where(
            and_(
                ann.c.image_id == image_id,
                ann.c.deleted == 0,
                ann.c.kind != TAG_KIND,
                ann.c.uuid.in_(chunk),
            )
        )
        found.extend(annotation_from_row(r) for r in conn.execute(query))
    return found
