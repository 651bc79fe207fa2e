"""A CloudFactory project as its own workers left it, and a limner project linked to it.

Shared by the CloudFactory tests: ``seed`` fills a fake with seven work items (statuses,
labels a worker made, one label that is not a box, two batches), ``Linker`` makes limner
projects synced with it through the real engine, and the helpers read the fake's labels
back as boxes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations
from limner.models.editing.history import History
from limner.models.store import queries, sync_store
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.sync.engine import SyncEngine
from limner.sync.factory import make_adapter
from limner.sync.retry import RetryPolicy
from tests.fakes.cloudfactory_server import CloudFactoryFake, png_bytes

KEY = "cf-test-key-0123"
KEY_ENV = "LIMNER_TEST_CF_KEY"
SIZES = {
    "img0.png": (64, 48),
    "img1.png": (80, 60),
    "img2.png": (72, 40),
    "img3.png": (50, 50),
    "img4.png": (66, 44),
    "img5.png": (40, 30),
    "img6.png": (56, 42),
}


@dataclass
class World:
    fake: CloudFactoryFake
    space: str
    project: str
    ids: dict[str, str]
    night: int

    @property
    def ref(self) -> str:
        return f"{self.space}/{self.project}"

    def item(self, name: str) -> dict:
        return self.fake.items[self.ids[name]]


@dataclass
class Linked:
    store: ProjectStore
    engine: SyncEngine
    waits: list[float]
    history: History = field(init=False)

    def __post_init__(self) -> None:
        self.history = History(self.store)

    def image(self, name: str):
        with self.store.read() as conn:
            return queries.image_by_name(conn, name)

    def annotations(self, name: str) -> dict:
        with self.store.read() as conn:
            image = queries.image_by_name(conn, name)
            return {a.uuid: a for a in queries.annotations_for_image(conn, image.id)}

    def class_id(self, name: str) -> int:
        with self.store.read() as conn:
            return next(c.id for c in queries.label_classes(conn) if c.name == name)


def seed(fake: CloudFactoryFake) -> World:
    """A project as CloudFactory's own workers left it: statuses, labels, two batches."""
    space, project = fake.add_project("Street scenes")
    night = fake.add_batch(project, "Night shift")
    ids: dict[str, str] = {}

    def add(name: str, seed_: int, **kwargs) -> None:
        width, height = SIZES[name]
        ids[name] = fake.add_work_item(project, name, png_bytes(width, height, seed_), **kwargs)

    worker = {"category": "car", "worker": "w-17", "confidence": 0.93}
    add("img0.png", 0, labels=[{"metadata": worker, "bbox": [2.5, 3.25, 20.0, 10.5]}])
    add(
        "img1.png",
        1,
        status="IN_PROGRESS",
        labels=[
            {"metadata": {"category": "person"}, "bbox": [1, 1, 5, 9]},
            {"metadata": {"category": "car"}, "bbox": [5, 5, 0, 4]},  # no area: not a box
        ],
    )
    add(
        "img2.png",
        2,
        status="COMPLETED",
        labels=[{"metadata": {"category": "car"}, "bbox": [4, 4, 8, 8]}],
    )
    add("img3.png", 3, status="FAILED")
    add("img4.png", 4, external=True, batch_id=night, due_in_seconds=3600)
    add("img5.png", 5, batch_id=night, due_in_seconds=60)
    add("img6.png", 6, status="COMPLETED")
    return World(fake, space, project, ids, night)


class Linker:
    """``linker(settings=..., timeout=..., key=...)`` -> a project linked to the fake."""

    def __init__(self, tmp_path: Path, world: World) -> None:
        self.tmp_path, self.world = tmp_path, world
        self.opened: list[ProjectStore] = []

    def __call__(
        self,
        *,
        settings: dict | None = None,
        timeout: float = 5.0,
        key: str = KEY,
        name: str = "clone",
        target: World | None = None,
    ) -> Linked:
        where = target or self.world
        waits: list[float] = []
        policy = RetryPolicy(attempts=5, sleeper=waits.append, rng=random.Random(11))
        store = ProjectStore.create(self.tmp_path / name)
        self.opened.append(store)
        with store.transaction() as (conn, _):
            remote_id = sync_store.add_remote(
                conn, "cloudfactory", where.fake.base_url, where.ref, settings=settings
            )
        adapter = make_adapter(
            "cloudfactory",
            where.fake.base_url,
            where.ref,
            key,
            policy=policy,
            timeout=timeout,
            settings=settings,
        )
        return Linked(store, SyncEngine(store, remote_id, adapter, workers=2), waits)

    def close(self) -> None:
        for store in self.opened:
            store.close()


def server_regions(world: World, name: str) -> dict[str, tuple[Box, str | None]]:
    """uuid -> (box, class) of a work item's labels that are boxes (``[x, y, w, h]``)."""
    out = {}
    for label in world.item(name)["labels"]:
        meta = label["metadata"]
        x, y, w, h = label["bbox"]
        if w <= 0 or h <= 0:
            continue  # not a box: left as the server had it
        out[meta.get("limner_uuid")] = (Box(x, y, x + w, y + h), meta.get("category"))
    return out


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def same_box(a: Box, b: Box) -> bool:
    return all(
        close(p, q) for p, q in zip((a.x0, a.y0, a.x1, a.y1), (b.x0, b.y0, b.x1, b.y1), strict=True)
    )


def signals_of(world: World, name: str) -> list[tuple[str, str, str]]:
    return [
        (s["signal"], s["taskType"], s["signalOutcome"])
        for s in world.fake.signals
        if s["workItemID"] == world.ids[name]
    ]


def add_box(linked: Linked, name: str, box: Box, cls: str = "car") -> str:
    image = linked.image(name)
    item = NewAnnotation(new_uuid(), image.id, linked.class_id(cls), box, {"occluded": True})
    linked.history.execute(AddAnnotations((item,)))
    return item.uuid
