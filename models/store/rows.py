"""Conversion between database rows and the frozen records of ``models.entities``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy import Row

from limner.models.domain.entities import Annotation, ImageRecord, LabelClass
from limner.models.domain.geometry import Skeleton, TagSpec, geometry_from_json


def freeze_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


def image_from_row(row: Row[Any]) -> ImageRecord:
    m = row._mapping
    return ImageRecord(
        id=m["id"],
        uuid=m["uuid"],
        name=m["name"],
        path=m["path"],
        content_hash=m["content_hash"],
        width=m["width"],
        height=m["height"],
        format=m["format"],
        status=m["status"],
        error=m["error"],
        annotation_count=m["annotation_count"],
        position=m["position"],
        rev=m["rev"],
    )


def class_from_row(row: Row[Any]) -> LabelClass:
    m = row._mapping
    skeleton = Skeleton.from_json(json.loads(m["skeleton"])) if m["skeleton"] else None
    tag = TagSpec.from_json(json.loads(m["tag_spec"])) if m["tag_spec"] else None
    return LabelClass(
        id=m["id"],
        name=m["name"],
        color=m["color"],
        kind=m["kind"],
        hotkey=m["hotkey"],
        order=m["sort_order"],
        attribute_schema=tuple(freeze_mapping(a) for a in json.loads(m["attribute_schema"])),
        skeleton=skeleton,
        hidden=bool(m["hidden"]),
        locked=bool(m["locked"]),
        rev=m["rev"],
        tag=tag,
    )


def annotation_from_row(row: Row[Any]) -> Annotation:
    m = row._mapping
    return Annotation(
        id=m["id"],
        uuid=m["uuid"],
        image_id=m["image_id"],
        class_id=m["class_id"],
        geometry=geometry_from_json(json.loads(m["geometry"])),
        attributes=freeze_mapping(json.loads(m["attributes"])),
        z=m["z"],
        hidden=bool(m["hidden"]),
        locked=bool(m["locked"]),
        author=m["author"],
        source=m["source"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        rev=m["rev"],
        group_id=m["group_id"],
    )
