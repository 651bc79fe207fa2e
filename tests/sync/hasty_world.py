"""The Hasty world the engine-level Hasty tests share: a seeded fake, a project linked to it.

``seeded_world`` and ``linked_to`` are the bodies of the ``world`` and ``linked`` fixtures
each Hasty test module declares; the helpers read the local project and the server back
in comparable form. Not a test module: it holds no test.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box, Keypoints, Mask, Polygon, PolygonPart
from limner.models.editing.commands import AddAnnotations, SetImageStatus
from limner.models.editing.history import History
from limner.models.store import queries, sync_store
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.sync.adapters.base import Region
from limner.sync.adapters.hasty import HastyAdapter
from limner.sync.adapters.hasty_format import rle_encode
from limner.sync.engine import SyncEngine
from limner.sync.factory import make_adapter
from limner.sync.retry import RetryPolicy
from tests.fakes.hasty_server import HastyFake

KEY_ENV = "LIMNER_TEST_HASTY_KEY"
MASK_CROP = np.array([[0, 1, 1, 0], [1, 1, 1, 1], [0, 0, 1, 0]], dtype=bool)


@dataclass
class World:
    fake: HastyFake
    pid: str
    dataset: str
    classes: dict[str, str]
    images: dict[str, str]
    points: list[str]  # keypoint class ids of the "person" schema, in order
    rejected: str  # id of the custom status "Rejected"


def seeded_world() -> Iterator[World]:
    """A started fake holding one project: three classes (one with a keypoint schema), two
    label attributes, a custom "Rejected" status, three images and four labels."""
    fake = HastyFake().start()
    pid = fake.add_project("limner street scenes")
    dataset = fake.add_dataset(pid, "train")
    classes = {
        "car": fake.add_label_class(pid, "car", "#ff0000aa"),
        "person": fake.add_label_class(pid, "person", "#00ff00"),
        "blob": fake.add_label_class(pid, "blob", "#0000ffcc"),
    }
    schema = fake.add_keypoint_schema(
        pid, "pose", ["head", "hip", "foot"], [(0, 1), (1, 2)], [classes["person"]]
    )
    fake.add_attribute(pid, "color", "SELECTION", ["red", "blue"], [classes["car"]])
    fake.add_attribute(pid, "occluded", "BOOL", (), [classes["car"]])
    rejected = fake.add_custom_status(pid, "Rejected")
    images = {
        "img0.png": fake.add_image(pid, dataset, "img0.png", size=(64, 48), queue_ids=["q-a"]),
        "img1.png": fake.add_image(
            pid, dataset, "img1.png", size=(80, 60), status="TO REVIEW", queue_ids=["q-a", "q-b"]
        ),
        "img2.png": fake.add_image(pid, dataset, "img2.png", size=(32, 32), status="DONE"),
    }
    points = [k["id"] for k in schema["keypoint_classes"]]
    fake.add_label(pid, images["img0.png"], {"class_id": classes["car"], "bbox": [4, 5, 20, 30]})
    fake.add_label(
        pid,
        images["img0.png"],
        {
            "class_id": classes["blob"],
            "bbox": [2, 2, 9, 9],
            "polygon": [[2, 2], [9, 2], [5, 9], [2, 2]],  # a closed ring, as the API writes it
        },
    )
    fake.add_label(
        pid,
        images["img1.png"],
        {"class_id": classes["blob"], "bbox": [10, 20, 14, 23], "mask": rle_encode(MASK_CROP)},
    )
    fake.add_label(
        pid,
        images["img1.png"],
        {
            "class_id": classes["person"],
            "bbox": [30, 10, 41, 41],
            "keypoints": [
                {"keypoint_class_id": points[0], "x": 35, "y": 10, "visible": True},
                {"keypoint_class_id": points[2], "x": 40, "y": 40, "visible": False},
            ],
        },
    )
    try:
        yield World(fake, pid, dataset, classes, images, points, rejected)
    finally:
        fake.stop()


@dataclass
class Linked:
    store: ProjectStore
    engine: SyncEngine
    adapter: HastyAdapter
    waits: list[float]


def link(
    tmp_path: Path,
    world: World,
    *,
    timeout: float = 10.0,
    settings: dict | None = None,
    key: str | None = None,
    attempts: int = 5,
) -> Linked:
    store = ProjectStore.create(tmp_path / f"p{len(list(tmp_path.iterdir()))}")
    with store.transaction() as (conn, _):
        remote_id = sync_store.add_remote(conn, "hasty", world.fake.url, world.pid)
    waits: list[float] = []
    policy = RetryPolicy(attempts=attempts, sleeper=waits.append, rng=random.Random(7))
    adapter = make_adapter(
        "hasty",
        world.fake.url,
        world.pid,
        key or world.fake.api_key,
        policy=policy,
        timeout=timeout,
        settings=settings,
    )
    assert isinstance(adapter, HastyAdapter)
    return Linked(store, SyncEngine(store, remote_id, adapter, workers=2), adapter, waits)


def linked_to(tmp_path: Path, world: World) -> Iterator[Linked]:
    result = link(tmp_path, world)
    try:
        yield result
    finally:
        result.store.close()


def image_named(store: ProjectStore, name: str):
    with store.read() as conn:
        return queries.image_by_name(conn, name)


def local_annotations(store: ProjectStore, name: str) -> dict:
    with store.read() as conn:
        image = queries.image_by_name(conn, name)
        return {a.uuid: a for a in queries.annotations_for_image(conn, image.id)}


def class_ids(store: ProjectStore) -> dict[str, int]:
    with store.read() as conn:
        return {c.name: c.id for c in queries.label_classes(conn)}


def remote_regions(world: World, adapter: HastyAdapter, name: str) -> dict[str, Region]:
    """The server's labels of one image, read back into limner's model."""
    image = adapter.fetch_image(world.images[name])
    meta = world.fake.images[world.images[name]]
    decoded = adapter.decode(image, meta["width"], meta["height"])
    assert not decoded.problems, decoded.problems
    assert all(r.region is not None for r in decoded.regions), decoded.regions
    return {r.uuid: r.region for r in decoded.regions if r.region is not None}


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def same_geometry(local, remote) -> bool:
    if type(local) is not type(remote):
        return False
    if isinstance(local, Box):
        return all(
            close(p, q)
            for p, q in zip(
                (local.x0, local.y0, local.x1, local.y1),
                (remote.x0, remote.y0, remote.x1, remote.y1),
                strict=True,
            )
        )
    if isinstance(local, Polygon):
        a, b = local.parts[0].outer, remote.parts[0].outer
        return len(a) == len(b) and all(
            close(p[0], q[0]) and close(p[1], q[1]) for p, q in zip(a, b, strict=True)
        )
    if isinstance(local, Mask):
        return np.array_equal(local.to_array(), remote.to_array())
    return len(local.points) == len(remote.points) and all(
        pv == qv and (pv == 0 or (close(px, qx) and close(py, qy)))
        for (px, py, pv), (qx, qy, qv) in zip(local.points, remote.points, strict=True)
    )


def assert_server_equals_project(world: World, linked: Linked, refused: set[str]) -> None:
    """Every image: the server's labels are the project's annotations (bar refusals)."""
    with linked.store.read() as conn:
        names = [r.name for r in queries.image_page(conn, 0, 100)]
    for name in names:
        local = {u: a for u, a in local_annotations(linked.store, name).items() if u not in refused}
        remote = remote_regions(world, linked.adapter, name)
        assert set(local) == set(remote), name
        for uuid, ann in local.items():
            region = remote[uuid]
            assert same_geometry(ann.geometry, region.geometry), (name, ann.geometry, region)
            with linked.store.read() as conn:
                cls = next(c for c in queries.label_classes(conn) if c.id == ann.class_id)
            assert region.class_name == cls.name
            assert dict(region.attributes) == dict(ann.attributes)


def label_offline(linked: Linked, world: World) -> dict[str, NewAnnotation]:
    history = History(linked.store)
    ids = class_ids(linked.store)
    img0, img2 = image_named(linked.store, "img0.png"), image_named(linked.store, "img2.png")
    full = np.zeros((48, 64), bool)
    full[10:30, 20:40] = True
    full[15:18, 25:28] = False  # a hole: masks hold any shape
    items = {
        "box": NewAnnotation(
            new_uuid(), img0.id, ids["car"], Box(1.5, 2.25, 30.7, 20.0), {"color": "blue"}
        ),
        "box_whole": NewAnnotation(
            new_uuid(), img2.id, ids["car"], Box(3, 4, 10, 12), {"occluded": True}
        ),
        "polygon": NewAnnotation(
            new_uuid(), img0.id, ids["blob"], Polygon.from_points([(3, 3), (40, 5), (20, 40)])
        ),
        "mask": NewAnnotation(new_uuid(), img0.id, ids["blob"], Mask.from_array(full)),
        "keypoints": NewAnnotation(
            new_uuid(), img2.id, ids["person"], Keypoints(((5, 5, 2), (8, 9, 1), (0, 0, 0)))
        ),
        "hole": NewAnnotation(
            new_uuid(),
            img2.id,
            ids["blob"],
            Polygon(
                (PolygonPart(((1, 1), (30, 1), (30, 30), (1, 30)), (((5, 5), (9, 5), (9, 9)),)),)
            ),
        ),
        "two_parts": NewAnnotation(
            new_uuid(),
            img2.id,
            ids["blob"],
            Polygon(
                (
                    PolygonPart(((1, 1), (5, 1), (5, 5))),
                    PolygonPart(((10, 10), (15, 10), (15, 15))),
                )
            ),
        ),
        "no_class": NewAnnotation(new_uuid(), img2.id, None, Box(1, 1, 5, 5)),
    }
    history.execute(AddAnnotations(tuple(items.values())))
    history.execute(SetImageStatus({img0.id: "new"}, "submitted"))
    history.execute(SetImageStatus({img2.id: "approved"}, "rejected"))
    return items
