"""An in-memory remote for engine tests: versions, containers, idempotent creates, faults.

It behaves like a server that keeps one container of regions per image (as Label Studio
keeps one annotation per task): a push replaces the regions, a stale base version is a
conflict, and a create carrying an id seen before does not create twice.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from limner.models.domain.geometry import geometry_from_json, geometry_to_json
from limner.sync.adapters.base import (
    Adapter,
    Capabilities,
    ClassSpec,
    Decoded,
    ImagePush,
    PushResult,
    Refused,
    Region,
    RemoteImage,
    RemoteInfo,
    RemotePage,
    RemoteRegion,
)
from limner.sync.errors import OfflineError, RemoteConflictError, ValidationError


def png_bytes(width: int, height: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


@dataclass
class FakeContainer:
    key: str
    version: int
    create_id: str
    regions: dict[str, Region]


@dataclass
class FakeTask:
    key: str
    name: str
    version: int
    status: str = "new"
    container: FakeContainer | None = None
    file: bytes = b""


@dataclass
class FakeServer:
    tasks: dict[str, FakeTask] = field(default_factory=dict)
    clock: int = 0
    offline: bool = False
    calls: Counter = field(default_factory=Counter)
    containers_created: int = 0
    fail_push: list[Exception] = field(default_factory=list)
    page_size: int = 2

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def add_task(self, key: str, width: int = 60, height: int = 40, regions=()) -> FakeTask:
        task = FakeTask(
            key, f"{key}.png", self.tick(), file=png_bytes(width, height, hash(key) % 1000)
        )
        if regions:
            self.containers_created += 1
            task.container = FakeContainer(
                f"c{key}", self.tick(), f"seed-{key}", {r.uuid: r for r in regions}
            )
            task.version = self.clock
            task.status = "submitted"
        self.tasks[key] = task
        return task

    def edit(self, key: str, region: Region | None, uuid: str = "") -> None:
        """A change made on the server (by another user)."""
        task = self.tasks[key]
        assert task.container is not None
        if region is None:
            del task.container.regions[uuid]
        else:
            task.container.regions[region.uuid] = region
        task.container.version = self.tick()
        task.version = self.clock

    def image(self, task: FakeTask) -> RemoteImage:
        c = task.container
        return RemoteImage(
            key=task.key,
            name=task.name,
            url=f"fake://{task.key}",
            version=f"{task.version:08d}",
            status=task.status,
            container_key=c.key if c else None,
            container_version=f"{c.version:08d}" if c else None,
            state={
                "container": c.key if c else None,
                "regions": [_raw(r) for r in c.regions.values()] if c else [],
            },
        )


def _raw(region: Region) -> dict:
    return {
        "id": region.uuid,
        "class": region.class_name,
        "geometry": geometry_to_json(region.geometry),
        "attributes": dict(region.attributes),
    }


def _region(raw: dict) -> Region:
    return Region(raw["id"], raw["class"], geometry_from_json(raw["geometry"]), raw["attributes"])


class FakeAdapter(Adapter):
    kind = "fake"
    capabilities = Capabilities(frozenset({"box", "polygon", "mask", "keypoints"}), review=True)

    def __init__(self, server: FakeServer, classes: list[ClassSpec] | None = None) -> None:
        self.server = server
        self._classes = classes or [ClassSpec("cat", "box"), ClassSpec("dog", "any")]

    def _online(self, what: str) -> None:
        self.server.calls[what] += 1
        if self.server.offline:
            raise OfflineError("cannot reach fake server")

    def connect(self) -> RemoteInfo:
        self._online("connect")
        return RemoteInfo("fake", "test", "tester", "fake project")

    def classes(self) -> list[ClassSpec]:
        self._online("classes")
        return list(self._classes)

    def changed_images(self, cursor: str | None) -> Iterator[RemotePage]:
        self._online("changed")
        since = int(cursor) if cursor else 0
        changed = sorted(
            (t for t in self.server.tasks.values() if t.version > since), key=lambda t: t.version
        )
        for start in range(0, len(changed), self.server.page_size):
            page = changed[start : start + self.server.page_size]
            self._online("page")
            yield RemotePage([self.server.image(t) for t in page], f"{page[-1].version:08d}")

    def image_keys(self) -> set[str]:
        self._online("keys")
        return set(self.server.tasks)

    def fetch_image(self, key: str) -> RemoteImage:
        self._online("fetch")
        return self.server.image(self.server.tasks[key])

    def decode(self, image: RemoteImage, width: int, height: int) -> Decoded:
        state = image.state or {}
        return Decoded(
            tuple(
                RemoteRegion(raw["id"], raw["id"], raw, _region(raw), state.get("container"))
                for raw in state.get("regions", [])
            )
        )

    def encode(self, region, width, height, *, target, skeleton_edges=()):
        if region.class_name == "refused":
            raise Refused("class 'refused' cannot be held by this server")
        return _raw(region)

    def apply(self, image: RemoteImage, plan, push: ImagePush) -> PushResult:
        self._online("push")
        if self.server.fail_push:
            raise self.server.fail_push.pop(0)
        task = self.server.tasks[push.key]
        for write in (*plan.creates, *plan.updates):
            if write.region.class_name == "forbidden":
                raise ValidationError("class 'forbidden' is not allowed here")
        c = task.container
        if c is None:
            self.server.containers_created += 1
            c = task.container = FakeContainer(
                f"c{push.key}-{self.server.containers_created}", 0, push.image_uuid, {}
            )
        elif push.container_key is None:
            if c.create_id != push.image_uuid:
                raise RemoteConflictError("someone else's container")
        elif push.container_version is not None and f"{c.version:08d}" != push.container_version:
            raise RemoteConflictError("changed on the server")
        if plan.writes_regions:
            for write in (*plan.creates, *plan.updates):
                c.regions[write.uuid] = _region(write.raw)
            for delete in plan.deletes:
                c.regions.pop(delete.uuid, None)
            c.version = self.server.tick()
        if plan.status is not None:
            task.status = plan.status.status
        task.version = self.server.tick()
        image = self.server.image(task)
        return PushResult(
            c.key, f"{c.version:08d}", f"{task.version:08d}", task.status, state=image.state
        )

    def download(self, image: RemoteImage, target: Path) -> None:
        self._online("download")
        target.write_bytes(self.server.tasks[image.key].file)
