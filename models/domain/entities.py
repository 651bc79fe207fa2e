"""Frozen records that leave the store.

No ORM object or database session ever leaves ``models``: readers get these immutable
values, so the GUI and the sync thread can hold them without sharing a connection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from limner.models.domain.geometry import Geometry, Skeleton, TagSpec


class ImageStatus(StrEnum):
    """Canonical image statuses; each sync adapter maps them to its server's own words."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    SKIPPED = "skipped"


SHAPE_KINDS: tuple[str, ...] = (
    "box",
    "polygon",
    "mask",
    "keypoints",
    "polyline",
    "point",
    "ellipse",
)
TAG_KIND = "tag"
"""The kind of a class whose annotations are image tags (its ``tag`` says what it asks)."""
CLASS_KINDS: tuple[str, ...] = ("any", *SHAPE_KINDS, TAG_KIND)

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class LabelClass:
    id: int
    name: str
    color: str
    kind: str = "any"
    hotkey: str | None = None
    order: int = 0
    attribute_schema: tuple[Mapping[str, Any], ...] = ()
    skeleton: Skeleton | None = None
    hidden: bool = False
    locked: bool = False
    rev: int = 1
    tag: TagSpec | None = None
    """What a class of kind ``tag`` asks (None for shape classes)."""


@dataclass(frozen=True, slots=True)
class ImageRecord:
    id: int
    uuid: str
    name: str
    path: str
    content_hash: str | None
    width: int | None
    height: int | None
    format: str | None
    status: str
    error: str | None
    annotation_count: int
    position: int
    rev: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class Annotation:
    id: int
    uuid: str
    image_id: int
    class_id: int | None
    geometry: Geometry
    attributes: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    z: int = 0
    hidden: bool = False
    locked: bool = False
    author: str = ""
    source: str = "manual"
    created_at: str = ""
    updated_at: str = ""
    rev: int = 1
    group_id: str | None = None
    """Annotations with the same group id are one object: they move, copy and delete
    together. None for an annotation in no group."""

    @property
    def kind(self) -> str:
        return self.geometry.kind


@dataclass(frozen=True, slots=True)
class NewAnnotation:
    """What a tool or an importer hands to ``AddAnnotations``: an annotation before it has rows."""

    uuid: str
    image_id: int
    class_id: int | None
    geometry: Geometry
    attributes: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    z: int = 0
    source: str = "manual"
    group_id: str | None = None
