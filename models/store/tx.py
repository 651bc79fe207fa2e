"""Write primitives used inside one transaction of :meth:`ProjectStore.transaction`.

Each primitive writes rows, bumps the entity's ``rev`` (what sync compares with the
revision it last sent) and records the change in the transaction's ``ChangeSet``. Commands
compose them; nothing else writes annotation or class rows.
"""

from __future__ import annotations

import getpass
import json
import os
import uuid as uuidlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from limner.models.domain.entities import CLASS_KINDS, ImageStatus, NewAnnotation
from limner.models.domain.geometry import (
    Geometry,
    Skeleton,
    TagSpec,
    bounds,
    geometry_to_json,
    has_extent,
)
from limner.models.errors import StoreError
from limner.models.imaging.imageio import ImageProbe
from limner.models.store import schema
from limner.models.store.store import ChangeSet

img = schema.image
ann = schema.annotation
cls = schema.label_class

ANNOTATION_FIELDS = ("geometry", "class_id", "attributes", "z", "hidden", "locked", "group_id")
CLASS_FIELDS = (
    "name",
    "color",
    "kind",
    "hotkey",
    "order",
    "attribute_schema",
    "skeleton",
    "hidden",
    "locked",
    "tag",
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def current_user() -> str:
    """Who is editing: ``LIMNER_USER`` if set, else the login name."""
    env = os.environ.get("LIMNER_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def stored_form(geometry: Geometry) -> str:
    """The geometry as its column holds it (so equal shapes compare equal as text)."""
    return json.dumps(geometry_to_json(geometry), separators=(",", ":"))


def _geometry_columns(geometry: Geometry) -> dict[str, Any]:
    """The geometry's JSON and bounds columns (NULL bounds for a tag, which has none)."""
    x0, y0, x1, y1 = bounds(geometry) if has_extent(geometry) else (None, None, None, None)
    return {
        "kind": geometry.kind,
        "geometry": stored_form(geometry),
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
    }


def _bump_count(conn: Connection, image_id: int, delta: int) -> None:
    conn.execute(
        img.update()
        .where(img.c.id == image_id)
        .values(annotation_count=img.c.annotation_count + delta)
    )


def log_event(conn: Connection, action: str, detail: Mapping[str, Any], actor: str = "") -> None:
    conn.execute(
        schema.event.insert().values(
            time=now_iso(),
            actor=actor or current_user(),
            action=action,
            detail=json.dumps(dict(detail), separators=(",", ":"), default=str),
        )
    )


# -- annotations ---------------------------------------------------------------------------
def insert_annotation(
    conn: Connection, changes: ChangeSet, new: NewAnnotation, *, author: str = ""
) -> None:
    """Insert ``new``, or bring it back if a row with its uuid exists (redo of an add)."""
    existing = conn.execute(
        select(ann.c.id, ann.c.deleted, ann.c.image_id).where(ann.c.uuid == new.uuid)
    ).first()
    stamp = now_iso()
    values = {
        **_geometry_columns(new.geometry),
        "class_id": new.class_id,
        "attributes": json.dumps(dict(new.attributes)),
        "z": new.z,
        "group_id": new.group_id,
        "updated_at": stamp,
    }
    if existing is None:
        conn.execute(
            ann.insert().values(
                uuid=new.uuid,
                image_id=new.image_id,
                author=author or current_user(),
                source=new.source,
                created_at=stamp,
                deleted=0,
                rev=1,
                **values,
            )
        )
        _bump_count(conn, new.image_id, +1)
    else:
        conn.execute(
            ann.update()
            .where(ann.c.uuid == new.uuid)
            .values(deleted=0, rev=ann.c.rev + 1, **values)
        )
        if existing.deleted:
            _bump_count(conn, existing.image_id, +1)
    changes.touch_annotation(new.image_id, new.uuid)
    changes.images.add(new.image_id)


def set_annotation_deleted(conn: Connection, changes: ChangeSet, uuid: str, deleted: bool) -> None:
    """Tombstone (or revive) an annotation; the row stays so sync can push the delete."""
    row = conn.execute(select(ann.c.image_id, ann.c.deleted).where(ann.c.uuid == uuid)).first()
    if row is None:
        raise StoreError(f"annotation {uuid} does not exist")
    if bool(row.deleted) == deleted:
        return
    conn.execute(
        ann.update()
        .where(ann.c.uuid == uuid)
        .values(deleted=int(deleted), rev=ann.c.rev + 1, updated_at=now_iso())
    )
    _bump_count(conn, row.image_id, -1 if deleted else +1)
    changes.touch_annotation(row.image_id, uuid)
    changes.images.add(row.image_id)


def update_annotation(
    conn: Connection, changes: ChangeSet, uuid: str, fields: Mapping[str, Any]
) -> None:
    """Write the given fields (a subset of ``ANNOTATION_FIELDS``) of one annotation."""
    unknown = set(fields) - set(ANNOTATION_FIELDS)
    if unknown:
        raise StoreError(f"cannot change annotation fields {sorted(unknown)}")
    values: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "geometry":
            values.update(_geometry_columns(value))
        elif key == "attributes":
            values["attributes"] = json.dumps(dict(value))
        elif key in ("hidden", "locked"):
            values[key] = int(bool(value))
        else:
            values[key] = value
    image_id = conn.execute(select(ann.c.image_id).where(ann.c.uuid == uuid)).scalar_one_or_none()
    if image_id is None:
        raise StoreError(f"annotation {uuid} does not exist")
    conn.execute(
        ann.update()
        .where(ann.c.uuid == uuid)
        .values(rev=ann.c.rev + 1, updated_at=now_iso(), **values)
    )
    changes.touch_annotation(image_id, uuid)


def insert_new_annotations(
    conn: Connection, changes: ChangeSet, items: Sequence[NewAnnotation], *, author: str = ""
) -> None:
    """Insert many annotations whose uuids are new, in one statement per image count.

    What an import of thousands of shapes needs: the rows go in with one ``executemany``
    instead of three statements each. The uuids must not exist yet (a redo of the same
    rows revives them with :func:`set_annotations_deleted` instead).
    """
    if not items:
        return
    stamp = now_iso()
    who = author or current_user()
    rows = [
        {
            **_geometry_columns(new.geometry),
            "uuid": new.uuid,
            "image_id": new.image_id,
            "class_id": new.class_id,
            "attributes": json.dumps(dict(new.attributes)),
            "z": new.z,
            "group_id": new.group_id,
            "author": who,
            "source": new.source,
            "created_at": stamp,
            "updated_at": stamp,
            "deleted": 0,
            "rev": 1,
        }
        for new in items
    ]
    conn.execute(ann.insert(), rows)
    _bump_counts(conn, changes, Counter(new.image_id for new in items))
    for new in items:
        changes.touch_annotation(new.image_id, new.uuid)


def _bump_counts(conn: Connection, changes: ChangeSet, deltas: Mapping[int, int]) -> None:
    """Add ``deltas[image id]`` to each image's annotation count, in one statement."""
    if not deltas:
        return
    conn.execute(
        img.update()
        .where(img.c.id == bindparam("image"))
        .values(annotation_count=img.c.annotation_count + bindparam("delta")),
        [{"image": image_id, "delta": delta} for image_id, delta in deltas.items()],
    )
    changes.images.update(deltas)


def set_annotations_deleted(
    conn: Connection, changes: ChangeSet, uuids: Sequence[str], deleted: bool
) -> None:
    """Tombstone (or revive) many annotations at once; those already so are left alone."""
    for start in range(0, len(uuids), 500):
        chunk = list(uuids[start : start + 500])
        found = conn.execute(
            select(ann.c.uuid, ann.c.image_id).where(
                ann.c.uuid.in_(chunk), ann.c.deleted == int(not deleted)
            )
        ).all()
        if not found:
            continue
        conn.execute(
            ann.update()
            .where(ann.c.uuid.in_([row.uuid for row in found]))
            .values(deleted=int(deleted), rev=ann.c.rev + 1, updated_at=now_iso())
        )
        sign = -1 if deleted else 1
        per_image = Counter(row.image_id for row in found)
        _bump_counts(conn, changes, {i: sign * n for i, n in per_image.items()})
        for row in found:
            changes.touch_annotation(row.image_id, row.uuid)


def annotation_fields(conn: Connection, uuid: str, keys: Iterable[str]) -> dict[str, Any]:
    """Current values of ``keys`` for one annotation, in the form ``update_annotation`` takes."""
    from limner.models.domain.geometry import geometry_from_json

    row = conn.execute(select(ann).where(ann.c.uuid == uuid)).first()
    if row is None:
        raise StoreError(f"annotation {uuid} does not exist")
    m = row._mapping
    out: dict[str, Any] = {}
    for key in keys:
        if key == "geometry":
            out[key] = geometry_from_json(json.loads(m["geometry"]))
        elif key == "attributes":
            out[key] = json.loads(m["attributes"])
        elif key in ("hidden", "locked"):
            out[key] = bool(m[key])
        else:
            out[key] = m[key]
    return out


# -- classes -------------------------------------------------------------------------------
def _spec_text(value: Any) -> str | None:
    """A class's tag spec as stored: JSON text (None and stored text pass as they are)."""
    return json.dumps(value.to_json()) if isinstance(value, TagSpec) else value


def _class_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in CLASS_FIELDS:
            raise StoreError(f"cannot change class field {key!r}")
        if key == "order":
            values["sort_order"] = int(value)
        elif key == "attribute_schema":
            values[key] = json.dumps([dict(a) for a in value])
        elif key == "skeleton":
            values[key] = json.dumps(value.to_json()) if isinstance(value, Skeleton) else value
        elif key == "tag":
            values["tag_spec"] = _spec_text(value)
        elif key == "kind":
            if value not in CLASS_KINDS:
                raise StoreError(f"unknown class kind {value!r}; use one of {CLASS_KINDS}")
            values[key] = value
        elif key == "name":
            name = str(value).strip()
            if not name:
                raise StoreError("a class needs a name")
            values[key] = name
        elif key in ("hidden", "locked"):
            values[key] = int(bool(value))
        else:
            values[key] = value
    return values


def _check_name_free(conn: Connection, name: str, except_id: int | None = None) -> None:
    query = select(cls.c.id).where(cls.c.deleted == 0, cls.c.name == name)
    if except_id is not None:
        query = query.where(cls.c.id != except_id)
    if conn.execute(query).first() is not None:
        raise StoreError(f"a class named {name!r} exists already")


def insert_class(
    conn: Connection, changes: ChangeSet, fields: Mapping[str, Any], class_uuid: str | None = None
) -> int:
    values = _class_values(fields)
    if "name" not in values or "color" not in values:
        raise StoreError("a class needs a name and a color")
    _check_name_free(conn, values["name"])
    if "sort_order" not in values:
        top = conn.execute(select(func.max(cls.c.sort_order))).scalar_one_or_none()
        values["sort_order"] = (top if top is not None else -1) + 1
    result = conn.execute(cls.insert().values(uuid=class_uuid or new_uuid(), **values))
    changes.classes = True
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def update_class(
    conn: Connection, changes: ChangeSet, class_id: int, fields: Mapping[str, Any]
) -> None:
    values = _class_values(fields)
    if "name" in values:
        _check_name_free(conn, values["name"], except_id=class_id)
    conn.execute(cls.update().where(cls.c.id == class_id).values(rev=cls.c.rev + 1, **values))
    changes.classes = True


def set_class_deleted(conn: Connection, changes: ChangeSet, class_id: int, deleted: bool) -> None:
    if not deleted:
        name = conn.execute(select(cls.c.name).where(cls.c.id == class_id)).scalar_one()
        _check_name_free(conn, name, except_id=class_id)
    conn.execute(
        cls.update().where(cls.c.id == class_id).values(deleted=int(deleted), rev=cls.c.rev + 1)
    )
    changes.classes = True


def class_fields(conn: Connection, class_id: int) -> dict[str, Any]:
    row = conn.execute(select(cls).where(cls.c.id == class_id)).first()
    if row is None:
        raise StoreError(f"class {class_id} does not exist")
    m = row._mapping
    return {
        "name": m["name"],
        "color": m["color"],
        "kind": m["kind"],
        "hotkey": m["hotkey"],
        "order": m["sort_order"],
        "attribute_schema": json.loads(m["attribute_schema"]),
        "skeleton": m["skeleton"],
        "hidden": bool(m["hidden"]),
        "locked": bool(m["locked"]),
        "tag": m["tag_spec"],
    }


def live_annotations_of_class(conn: Connection, class_id: int) -> list[str]:
    return list(
        conn.execute(
            select(ann.c.uuid).where(ann.c.class_id == class_id, ann.c.deleted == 0)
        ).scalars()
    )


# -- images --------------------------------------------------------------------------------
def set_image_status(conn: Connection, changes: ChangeSet, image_id: int, status: str) -> None:
    ImageStatus(status)  # raises ValueError on an unknown status
    conn.execute(img.update().where(img.c.id == image_id).values(status=status, rev=img.c.rev + 1))
    changes.images.add(image_id)


def insert_images(
    conn: Connection, changes: ChangeSet, probes: Iterable[ImageProbe], *, stored_path: Any = None
) -> list[int]:
    """Add one row per probe (unreadable files too, with their reason); returns the new ids."""
    top = conn.execute(select(func.max(img.c.position))).scalar_one_or_none()
    position = (top if top is not None else -1) + 1
    stamp = now_iso()
    ids: list[int] = []
    for probe in probes:
        path = stored_path(probe.path) if stored_path else str(probe.path)
        result = conn.execute(
            img.insert().values(
                uuid=new_uuid(),
                name=probe.name,
                path=path,
                content_hash=probe.content_hash,
                width=probe.width,
                height=probe.height,
                format=probe.format,
                size_bytes=probe.size_bytes,
                status=ImageStatus.NEW.value,
                error=probe.error,
                position=position,
                added_at=stamp,
                rev=1,
                annotation_count=0,
            )
        )
        ids.append(int(result.inserted_primary_key[0]))  # type: ignore[index]
        position += 1
    changes.images_added += len(ids)
    return ids
