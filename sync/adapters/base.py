"""What the engine needs from a remote, whatever its API.

An adapter is a codec plus routes: it reads the server's objects into plain values, encodes
one limner region into the server's form, and carries out a push plan that the engine (not
the adapter) computed. Everything the server sent is kept in the exact form it came in
(``RemoteImage.state``, ``RemoteRegion.raw``), so that what limner did not change can be
sent back as it was, byte for byte, and what limner cannot represent stays untouched.

Regions carry limner's uuid both ways: the adapter stores it remotely (result ids,
external ids) so that the same object is recognised after a crash or a retried request.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from limner.models.domain.geometry import Geometry

if TYPE_CHECKING:
    from limner.sync.reconcile import PushPlan

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def chunked(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """``items`` in slices of at most ``size`` (API batch limits)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def raw_digest(raw: Any) -> str:
    """A fingerprint of a raw server value, independent of key order."""
    text = json.dumps(raw, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Capabilities:
    kinds: frozenset[str]
    review: bool = False
    queues: bool = False
    notes: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    opaque: Sequence[str] = ()  # what this server holds that limner keeps untouched (README)

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
    """A class as a remote defines it; ``tag`` is what a class of kind ``tag`` asks (the
    JSON form of a ``TagSpec``), None for shape classes."""

    name: str
    kind: str
    color: str | None = None
    attribute_schema: tuple[Mapping[str, Any], ...] = ()
    skeleton: Mapping[str, Any] | None = None
    tag: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Region:
    """One annotation as sync sees it. ``group`` is the id of the group it is in (the
    uuid of the group's anchor member), None when it is in none; an image tag is a region
    whose geometry is a ``Tag``."""

    uuid: str
    class_name: str | None
    geometry: Geometry
    attributes: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    group: str | None = None


def region_digest(region: Region) -> str:
    """What a region says (class, geometry to 1e-6 px, attributes, group), as a
    fingerprint. A region in no group has the fingerprint it had before groups existed,
    so agreements recorded then still hold."""
    from limner.models.store.sync_store import content_hash

    digest = content_hash(region.geometry, region.class_name, region.attributes)
    if region.group is None:
        return digest
    return hashlib.sha256(f"{digest}|group:{region.group}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class RemoteRegion:
    """One region as the server holds it.

    ``raw`` is exactly what the server sent for it (for Label Studio the result items that
    make it up, in their order); ``region`` is limner's reading of it, or None when limner
    cannot represent it faithfully, in which case it is kept opaque and ``problem`` says why
    (``problem_kind`` tells a foreign but valid region from a broken one).
    ``key`` is the server's id; ``uuid`` the local annotation it is (derived from the key when
    the server made it). ``container`` names the object holding it where the API has one (a
    Label Studio annotation), ``author`` who made it there.
    """

    key: str
    uuid: str
    raw: Any
    region: Region | None
    container: str | None = None
    author: str | None = None
    problem: str | None = None
    problem_kind: str = "kept"  # or "malformed": broken on the server, not just foreign

    @property
    def digest(self) -> str:
        if self.region is not None:
            return region_digest(self.region)
        return raw_digest(self.raw)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something about one server object that the user must hear of.

    ``kind``: ``kept`` (limner cannot represent it; left untouched on the server),
    ``malformed`` (the server's object is broken; left untouched, not imported),
    ``refused`` (a local edit the server cannot hold; the server's copy stays), ``error``.
    """

    kind: str
    message: str
    remote_key: str | None = None
    local_key: str | None = None


@dataclass(frozen=True, slots=True)
class Decoded:
    regions: tuple[RemoteRegion, ...]
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class RemoteImage:
    """One remote image (a Label Studio task) as last seen on the server.

    ``state`` is the adapter's exact record of it (JSON-able, stored as it came), from which
    ``Adapter.decode`` reads the regions; ``identity`` tells this object apart from another
    that the server later gives the same key (ids can be reused after a deletion).
    """

    key: str
    name: str
    url: str
    version: str
    status: str | None = None
    container_key: str | None = None
    container_version: str | None = None
    state: Any = None
    review: Mapping[str, Any] | None = None
    identity: str | None = None


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
    """What the engine knows of one image when it pushes: sizes, status, skeletons."""

    key: str
    image_uuid: str
    width: int
    height: int
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
    """What the server holds after a push.

    ``state`` is the image's new remote state when the adapter knows it (so the next plan
    starts from what the server really has); None leaves the stored state to the next pull.
    ``keys`` maps uuids of created regions to the server's ids where the server assigns them.
    """

    container_key: str | None
    container_version: str | None
    image_version: str | None = None
    status: str | None = None
    state: Any = None
    keys: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


class Refused(Exception):
    """``Adapter.encode`` cannot put this region on this server; the message says why."""


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
    def fetch_image(self, key: str) -> RemoteImage:
        """The current state of one image."""

    @abstractmethod
    def decode(self, image: RemoteImage, width: int, height: int) -> Decoded:
        """Every region of ``image.state``, read or kept opaque, and the problems found.

        Never raises for one bad region: a region limner cannot read is returned with
        ``region=None`` and a ``problem`` (or reported in ``Decoded.problems`` when it is not
        even a region), so that nothing vanishes without a word.
        """

    @abstractmethod
    def encode(
        self,
        region: Region,
        width: int,
        height: int,
        *,
        target: RemoteRegion | None,
        skeleton_edges: tuple[tuple[int, int], ...] = (),
    ) -> Any:
        """The server's raw form of ``region`` (replacing ``target`` when it is an update).

        Raise ``Refused`` when the server cannot hold it. Pure: no request is sent.
        """

    @abstractmethod
    def apply(self, image: RemoteImage, plan: PushPlan, push: ImagePush) -> PushResult:
        """Carry out ``plan`` on the server: its creates, updates, deletes and status.

        Regions in ``plan.keeps`` must stay exactly as they are. Creates must be idempotent
        (a retried or repeated push creates nothing twice); raise ``RemoteConflictError``
        when the server shows that the image changed under the plan.
        """

    @abstractmethod
    def download(self, image: RemoteImage, target: Path) -> None:
        """Write the image file to ``target`` (credentials only to the server's own host)."""

    def queues(self) -> list[RemoteQueue]:
        """The remote's queues (none by default)."""
        return []

    def image_count(self) -> int | None:
        """How many images the remote holds, if the last ``connect`` learned it without a
        request of its own; None when unknown. While it equals the number of images linked
        after a pull, nothing was deleted remotely and the engine can skip its sweep."""
        return None

    def push_parallelism(self) -> int | None:
        """How many images the server, as the last ``connect`` found it, takes well at
        once; None leaves it to the engine. A server that runs every request in one
        process under one lock gains nothing from a second request in flight: it only
        makes both slower."""
        return None

    def close(self) -> None:
        """Release connections."""
        return None
