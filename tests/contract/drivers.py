"""One vocabulary for the four servers limner syncs with, for the contract suite.

A driver plays everybody on the server side except limner: the admin who makes a project
with classes of each shape kind (box ``car``, polygon ``road``, mask ``sky``, keypoints
``pose`` with points ``nose`` and ``tail``, as far as the server has them), the colleague
who adds, edits and deletes regions in the server's NATIVE form, the reviewer who sets a
status, and the operator whose server goes away or answers garbage. It reads back the raw
stored JSON of an image's regions so a test can compare them byte for byte.

Drivers never use limner's code: Label Studio is driven through its own REST API with
httpx, the fakes through their helper methods and their HTTP API. Region ids returned by
``add_shape`` are the server's ids (for keypoints on Label Studio, the instance id the
points share); ``raw`` is keyed by the server's own item ids.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from tests.contract.codecs import Shape

KINDS = ("labelstudio", "clarifai", "hasty", "cloudfactory")
STATUSES = ("new", "in_progress", "submitted", "approved", "rejected", "skipped")


class NotExpressible(AssertionError):
    """The server's API cannot hold what a test asked the driver to put there."""


@dataclass(frozen=True)
class ImageRef:
    key: str  # the server's id of the image
    name: str  # the file name limner is expected to show
    width: int
    height: int


@dataclass(frozen=True)
class Malformed:
    """A region the server holds that limner must report, not import, not rewrite."""

    rid: str
    what: str


class Driver(ABC):
    kind: ClassVar[str]
    shape_kinds: ClassVar[frozenset[str]]
    token_env: ClassVar[str]
    keeps_comments: ClassVar[bool] = False
    """The server itself stores a reviewer's comment (not only limner's own notes)."""
    listing_fragment: ClassVar[str]
    """Part of the path of the image listing route, as an error message should name it."""
    region_ids: ClassVar[bool] = True
    """Regions have ids of their own on the server (``remote_key`` of a problem row)."""
    odd_names_download: ClassVar[bool] = True
    """An image whose name has control characters can still be fetched from its URL."""

    @property
    @abstractmethod
    def token(self) -> str: ...

    @abstractmethod
    def clone_args(self) -> list[str]:
        """``--kind ... --url ... --project ...`` (and settings) for ``limner clone``."""

    @abstractmethod
    def add_image(self, name: str, width: int = 64, height: int = 48, seed: int = 0) -> ImageRef:
        """A new image; a name with control characters is used exactly as given."""

    @abstractmethod
    def add_shape(self, image: ImageRef, shape: Shape, *, author: str = "me") -> str:
        """A region drawn on the server (``author="other"``: by a colleague)."""

    @abstractmethod
    def add_raw(self, image: ImageRef, raw: Any) -> str:
        """A region in exactly the stored form ``raw`` (whatever the API accepts)."""

    @abstractmethod
    def edit_shape(self, image: ImageRef, rid: str, shape: Shape) -> None: ...

    @abstractmethod
    def delete_region(self, image: ImageRef, rid: str) -> None: ...

    @abstractmethod
    def raw(self, image: ImageRef) -> dict[str, Any]:
        """Server item id -> the raw JSON it stores for that item."""

    @abstractmethod
    def shapes(self, image: ImageRef) -> dict[str, Shape]:
        """Region id -> shape, for the regions that are plain boxes, polygons, masks, points."""

    @abstractmethod
    def set_status(self, image: ImageRef, status: str, comment: str = "") -> None:
        """A reviewer or annotator changed the image's status on the server."""

    @abstractmethod
    def status(self, image: ImageRef) -> tuple[str, str | None]:
        """(canonical status, the server's review comment or None)."""

    @abstractmethod
    def delete_image(self, image: ImageRef) -> None: ...

    @abstractmethod
    def garble(self) -> None:
        """From now on the image listing route answers ``[1,2,3]`` with status 200."""

    @abstractmethod
    def recover(self) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...

    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def writes(self) -> int:
        """How many write requests limner has sent so far (reads excluded)."""

    @abstractmethod
    def close(self) -> None: ...

    # -- what only some servers can express (NotExpressible elsewhere) -------------------
    def reuse_key(self, image: ImageRef, name: str, seed: int) -> ImageRef:
        """Delete ``image`` and make a new one that the server gives the same id."""
        raise NotExpressible(f"{self.kind} never gives a new image a deleted one's id")

    def add_tricky(self, image: ImageRef) -> list[str]:
        """Regions whose JSON a careless round trip would change; returns their ids."""
        raise NotExpressible(f"{self.kind}: no tricky regions")

    def add_whole_image_answer(self, image: ImageRef) -> str:
        raise NotExpressible(f"{self.kind} has no whole-image answers")

    def add_unrepresentable(self, image: ImageRef) -> str:
        """A region of a kind the server has and limner cannot represent."""
        raise NotExpressible(f"{self.kind} has no region kind limner lacks")

    def add_malformed(self, image: ImageRef, limit: int | None = None) -> list[Malformed]:
        """Every malformed region this API will store, on ``image``."""
        raise NotExpressible(f"{self.kind}: no malformed regions")

    def authors(self, image: ImageRef) -> Mapping[str, str]:
        """Region id -> the server's user who holds it (its annotation's owner)."""
        raise NotExpressible(f"{self.kind} keeps no per-annotator containers")

    def other_user(self) -> str:
        """How the colleague appears in limner's author field (a substring of it)."""
        raise NotExpressible(f"{self.kind} has no second annotator")


def make_driver(kind: str, title: str, labelstudio: Any = None) -> Driver:
    if kind == "labelstudio":
        from tests.contract.driver_labelstudio import LabelStudioDriver

        return LabelStudioDriver(labelstudio, title)
    if kind == "hasty":
        from tests.contract.driver_hasty import HastyDriver

        return HastyDriver(title)
    if kind == "clarifai":
        from tests.contract.driver_clarifai import ClarifaiDriver

        return ClarifaiDriver(title)
    if kind == "cloudfactory":
        from tests.contract.driver_cloudfactory import CloudFactoryDriver

        return CloudFactoryDriver(title)
    raise ValueError(f"unknown server kind {kind!r}")
