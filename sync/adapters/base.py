"""What the engine needs from a remote, whatever its API.

An adapter translates one server's API into these plain values; the engine owns the local
side (rows, revisions, conflicts). Regions carry limner's uuid both ways: the adapter
stores it remotely (result ids, external ids) so that the same object is recognised after
a crash or a retried request.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from models.geometry import Geometry

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def chunked(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """``items`` in slices of at most ``size`` (API batch limits)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True, slots=True)
class Capabilities:
    kinds: frozenset[str]
    review: bool = False
    queues: bool = False
    notes: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    def refuses(self, kind: str) -> str | None:
        """Why this remote cannot hold an annotation of ``kind`` (None when it can)."""
        if kind in self.kinds:
            return None
        return self.notes.get(kind, f"this server cannot hold {kind} annotations")


@dataclass(frozen=True, slots=True)
class RemoteInfo:
    server: str
    edition: str
    user: str
    project_title: str


@dataclass(frozen=True, slots=True)
class ClassSpec:
    name: str
    kind: str
    color: str | None = None
    attribute_schema: tuple[Mapping[str, Any], ...] = ()
    skeleton: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Region:
    uuid: str
    class_name: str | None
    geometry: Geometry
    attributes: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class RemoteImage:
    """One remote image (a Label Studio task) as last seen on the server."""

    key: str
    name: str
    url: str
    version: str
    status: str | None = None
    container_key: str | None = None
    container_version: str | None = None
    raw_regions: Any = None
    review: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class RemoteQueue:
    """Work the server hands out: a named, ordered list of image keys for a role."""

    key: str
    name: str
    role: str
    assignee: str | None
    image_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RemotePage:
    images: Sequence[RemoteImage]
    cursor: str | None


@dataclass(frozen=True, slots=True)
class ImagePush:
    """The current local state of one image, to be made the remote state."""

    key: str
    image_uuid: str
    width: int
    height: int
    regions: Sequence[Region]
    status: str
    container_key: str | None
    container_version: str | None
    review: Mapping[str, Any] | None = None
    remote_status: str | None = None
    skeleton_edges: Mapping[str, tuple[tuple[int, int], ...]] = field(
        default_factory=lambda: _EMPTY
    )


@dataclass(frozen=True, slots=True)
class PushResult:
    container_key: str | None
    container_version: str | None
    image_version: str | None = None
    status: str | None = None


class Adapter(ABC):
    """One remote project. Methods raise ``sync.errors`` classes, never raw HTTP errors."""

    kind: str = ""
    capabilities: Capabilities = Capabilities(frozenset())

    @abstractmethod
    def connect(self) -> RemoteInfo: ...

    @abstractmethod
    def classes(self) -> list[ClassSpec]: ...

    @abstractmethod
    def changed_images(self, cursor: str | None) -> Iterator[RemotePage]:
        """Pages of images changed since ``cursor`` (all of them when None), oldest first."""

    @abstractmethod
    def image_keys(self) -> set[str]:
        """Every image key on the remote (the sweep that finds remote deletions)."""

    @abstractmethod
    def regions(
        self, image: RemoteImage, width: int, height: int
    ) -> tuple[list[Region], list[str]]:
        """The image's regions in limner geometry, and warnings for what cannot be held."""

    @abstractmethod
    def fetch_image(self, key: str) -> RemoteImage:
        """The current state of one image (used when a push finds the remote changed)."""

    @abstractmethod
    def push_image(self, push: ImagePush) -> PushResult:
        """Make the remote state of one image equal ``push``.

        Raise ``RemoteConflictError`` when the remote changed since ``container_version``.
        Creates must be idempotent (a retried or repeated push creates nothing twice).
        """

    @abstractmethod
    def download(self, image: RemoteImage, target: Path) -> None:
        """Write the image file to ``target`` (credentials only to the server's own host)."""

    def queues(self) -> list[RemoteQueue]:
        """The remote's queues (none by default)."""
        return []

    def close(self) -> None:
        """Release connections."""
        return None
