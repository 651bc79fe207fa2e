"""The Clarifai world the engine-level Clarifai tests share: a seeded fake, a linked project.

``seeded_fake``, ``outside_host`` and ``linked_to`` are the bodies of the ``fake``,
``outside`` and ``linked`` fixtures each Clarifai test module declares: an app with
concepts (one with a skeleton), five inputs (one added by URL from another host), a
colleague's box, polygon, mask with a hole, pose and whole-image tag, and a labeling task.
The helpers read the local project and compare a local shape with the server's region
(not limner's exact copy of it). Not a test module: it holds no test.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from limner.models.domain.geometry import Box, Keypoints, Mask, Polygon
from limner.models.store import queries, sync_store
from limner.models.store.store import ProjectStore
from limner.sync.adapters.clarifai import ClarifaiAdapter, build_adapter
from limner.sync.adapters.clarifai_http import Pacer
from limner.sync.engine import SyncEngine
from limner.sync.retry import RetryPolicy
from tests.fakes.clarifai_server import ClarifaiFake, Recorder, png

POSE = {
    "keypoint_names": ["nose", "left eye", "right eye"],
    "skeleton": [{"k1": 0, "k2": 1}, {"k1": 0, "k2": 2}],
}
PAT_ENV = "LIMNER_TEST_CLARIFAI_PAT"
SIZES = {"img0": (64, 48), "img1": (80, 60), "img2": (72, 40), "img3": (50, 50)}


def box_region(top: float, left: float, bottom: float, right: float, concept: str) -> dict:
    return {
        "region_info": {
            "bounding_box": {
                "top_row": top,
                "left_col": left,
                "bottom_row": bottom,
                "right_col": right,
            }
        },
        "data": {"concepts": [{"id": concept, "value": 1}]},
    }


def mask_b64(array: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(array.astype(np.uint8) * 255, mode="L").save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


def outside_host() -> Iterator[Recorder]:
    """A plain web server elsewhere: the host of an input added by URL."""
    server = Recorder(png(30, 20, 7))
    yield server
    server.stop()


def seed_colleague(server: ClarifaiFake) -> None:
    """What a colleague labeled: on img0 a box, a polygon and a mask with a hole."""
    car_box = box_region(0.1, 0.2, 0.5, 0.6, "car")
    server.add_annotation({"id": "a" * 32, "input_id": "img0", "data": {"regions": [car_box]}})
    server.add_annotation(
        {
            "id": "b" * 32,
            "input_id": "img0",
            "data": {
                "regions": [
                    {
                        "region_info": {
                            "polygon": {
                                "points": [
                                    {"row": 0.1, "col": 0.1},
                                    {"row": 0.2, "col": 0.8},
                                    {"row": 0.9, "col": 0.5},
                                ]
                            }
                        },
                        "data": {"concepts": [{"id": "person", "value": 1}]},
                    }
                ]
            },
        }
    )
    full = np.zeros((48, 64), bool)
    full[10:20, 5:30] = True
    full[12:14, 8:10] = False
    server.add_annotation(
        {
            "id": "c" * 32,
            "input_id": "img0",
            "data": {
                "regions": [
                    {
                        "region_info": {"mask": {"image": {"base64": mask_b64(full)}}},
                        "data": {"concepts": [{"id": "car", "value": 1}]},
                    }
                ]
            },
        }
    )


def seed_pose_and_tag(server: ClarifaiFake) -> None:
    """On img1: a pose awaiting review, and a tag of the whole image."""
    server.add_annotation(
        {
            "id": "d" * 32,
            "input_id": "img1",
            "status": {"code": 24157},
            "data": {
                "regions": [
                    {
                        "region_info": {
                            "bounding_box": {
                                "top_row": 0.1,
                                "left_col": 0.1,
                                "bottom_row": 0.6,
                                "right_col": 0.5,
                            },
                            "keypoint_locations": [
                                {"row": 0.2, "col": 0.3, "visibility": "VISIBLE"},
                                {"row": 0.25, "col": 0.2, "visibility": "NOT_VISIBLE"},
                                {"visibility": "NOT_PRESENT"},
                            ],
                        },
                        "data": {"concepts": [{"id": "pose", "value": 1}]},
                    }
                ]
            },
        }
    )
    server.add_annotation(
        {"id": "e" * 32, "input_id": "img1", "data": {"concepts": [{"id": "car", "value": 1}]}}
    )


def seeded_fake(outside: Recorder) -> Iterator[ClarifaiFake]:
    """A Clarifai app with concepts, inputs, annotations by a colleague, and a task."""
    server = ClarifaiFake().start()
    server.add_concept("car", "Car")
    server.add_concept("person", "Person")
    server.add_concept("pose", "Pose", POSE)
    for index, (key, (w, h)) in enumerate(SIZES.items()):
        server.add_input(key, w, h, seed=index)
    server.add_input("street", 30, 20, url=outside.url("street.png"))
    seed_colleague(server)
    seed_pose_and_tag(server)
    server.add_task(
        "cars-task",
        name="Label cars",
        workers=[server.user_id],
        reviewers=[server.user_id],
        concepts=["car"],
        input_ids=["img2", "img3"],
    )
    yield server
    server.stop()
    assert server.violations == [], "requests or answers Clarifai's protos refuse"


def adapter_for(
    fake: ClarifaiFake,
    *,
    waits: list[float] | None = None,
    attempts: int = 4,
    timeout: float = 5.0,
    settings: dict | None = None,
    token: str | None = None,
) -> ClarifaiAdapter:
    policy = RetryPolicy(attempts=attempts, sleeper=(waits if waits is not None else []).append)
    return build_adapter(
        fake.url,
        f"{fake.user_id}/{fake.app_id}",
        token or fake.token,
        policy=policy,
        timeout=timeout,
        settings=settings,
        pacer=Pacer(0),
    )


def linked_to(tmp_path: Path, fake: ClarifaiFake) -> Iterator[tuple[ProjectStore, SyncEngine]]:
    """A new project with the fake as its remote, and the engine that syncs them."""
    store = ProjectStore.create(tmp_path / "p")
    with store.transaction() as (conn, _):
        remote_id = sync_store.add_remote(
            conn, "clarifai", fake.url, f"{fake.user_id}/{fake.app_id}"
        )
    engine = SyncEngine(store, remote_id, adapter_for(fake), workers=2)
    yield store, engine
    engine.adapter.close()
    store.close()


def image(store: ProjectStore, name: str):
    with store.read() as conn:
        return queries.image_by_name(conn, name)


def local(store: ProjectStore, name: str) -> dict[str, Any]:
    with store.read() as conn:
        record = queries.image_by_name(conn, name)
        return {a.uuid: a for a in queries.annotations_for_image(conn, record.id)}


def class_id(store: ProjectStore, name: str) -> int:
    with store.read() as conn:
        return next(c.id for c in queries.label_classes(conn) if c.name == name)


def near(a: float, b: float, size: float) -> bool:
    return abs(a - b) <= 1e-6 * size


def same_as_server(geometry: Any, annotation: dict, width: int, height: int) -> bool:
    """Compare a local shape with the server's region (not limner's exact copy)."""
    region = annotation["data"]["regions"][0]
    info = region["region_info"]
    if isinstance(geometry, Keypoints):
        points = info["keypoint_locations"]
        for (x, y, v), p in zip(geometry.points, points, strict=True):
            vis = {1: 2, 2: 1, 3: 0}[p.get("visibility", 0)]
            if vis != v:
                return False
            if v and not (
                near(x, p.get("col", 0) * width, width)
                and near(y, p.get("row", 0) * height, height)
            ):
                return False
        return True
    if isinstance(geometry, Box):
        bb = info["bounding_box"]
        values = [bb.get(k, 0.0) for k in ("left_col", "top_row", "right_col", "bottom_row")]
        return all(
            near(mine, theirs * size, size)
            for mine, theirs, size in zip(
                (geometry.x0, geometry.y0, geometry.x1, geometry.y1),
                values,
                (width, height, width, height),
                strict=True,
            )
        )
    if isinstance(geometry, Polygon):
        ring = geometry.parts[0].outer
        points = info["polygon"]["points"]
        return len(ring) == len(points) and all(
            near(x, p.get("col", 0) * width, width) and near(y, p.get("row", 0) * height, height)
            for (x, y), p in zip(ring, points, strict=True)
        )
    if isinstance(geometry, Mask):
        data = base64.b64decode(info["mask"]["image"]["base64"])
        with Image.open(io.BytesIO(data)) as img:
            array = np.asarray(img.convert("L")) > 127
        return np.array_equal(array, geometry.to_array())
    return False
