"""Label Studio data for sync tests, made and read through Label Studio's REST API only.

A test that checks limner's sync must not build its expectations with limner's own codec,
or a codec bug would agree with itself. So the annotations here are written the way Label
Studio's editor writes them (every region kind, per-region and whole-image choices, a
rotated rectangle, floats with long tails), brush masks are encoded by Label Studio's SDK
in its own virtualenv, and the readers below take the server's JSON as it comes.

Images are uploaded once into a "shelf" project; tasks of other projects point at the
uploaded files, so a test can make fresh tasks in one request without uploading again.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from typing import Any

import httpx

from tests.integration.labelstudio_server import (
    DEFAULT_LABEL_CONFIG,
    DEFAULT_VENV,
    LabelStudioServer,
    make_png,
)

# Every region kind limner maps, plus a whole-image Choices control (an image tag).
CONFIG = DEFAULT_LABEL_CONFIG.replace(
    "</View>",
    '  <Choices name="scene" toName="image">\n'
    '    <Choice value="day"/><Choice value="night"/>\n'
    "  </Choices>\n</View>",
)
GEOMETRY_TYPES = {"rectanglelabels", "polygonlabels", "brushlabels", "keypointlabels"}
# The suffixes of the regions in seeded_result(): the ones limner edits, and the items no
# trial touches, which must stay byte for byte as they are (a rotated rectangle and a
# whole-image choice, which come in as a rotated box and an image tag).
EDITABLE = ("box", "box2", "poly", "mask", "nose", "tail")
OPAQUE = ("rot", "scene")


@dataclass(frozen=True)
class ShelfImage:
    name: str
    url: str  # /data/upload/... on the server, shared by the tasks that show it
    size: tuple[int, int]
    rle: list[int]  # a brush mask for this size, encoded by Label Studio's SDK


_RLE_SCRIPT = """
import json, sys
import numpy as np
from label_studio_sdk.converter.brush import mask2rle
out = []
for w, h in json.load(sys.stdin):
    m = np.zeros((h, w), np.uint8)
    m[h // 4 : h // 2, w // 5 : w // 2] = 255
    m[h // 4 + 1 : h // 4 + 3, w // 5 + 1 : w // 5 + 3] = 0
    out.append(mask2rle(m))
print(json.dumps(out))
"""


def brush_rles(sizes: list[tuple[int, int]]) -> list[list[int]]:
    """Masks encoded the way Label Studio encodes them, by its own SDK in its own venv."""
    done = subprocess.run(
        [str(DEFAULT_VENV / "bin" / "python"), "-c", _RLE_SCRIPT],
        input=json.dumps(sizes),
        capture_output=True,
        text=True,
        check=True,
    )
    return [[int(v) for v in rle] for rle in json.loads(done.stdout)]


def make_shelf(server: LabelStudioServer, count: int, title: str) -> list[ShelfImage]:
    """Upload ``count`` distinct images into a project of their own, for tasks to point at."""
    project_id = server.create_project(title, CONFIG)
    sizes = [(48 + i % 23, 36 + (i * 7) % 29) for i in range(count)]
    names = [f"shelf{i:03d}.png" for i in range(count)]
    payloads = {
        n: make_png(*s, (i * 4 % 256, 255 - i, 80))
        for i, (n, s) in enumerate(zip(names, sizes, strict=True))
    }
    by_name = server.upload_images(project_id, payloads)
    rles = brush_rles(sizes)
    with server.client() as http:
        urls = [http.get(f"/api/tasks/{by_name[n]}/").json()["data"]["image"] for n in names]
    return [ShelfImage(*row) for row in zip(names, urls, sizes, rles, strict=True)]


def _item(item_id: str, type_: str, control: str, size: tuple[int, int], value: dict) -> dict:
    return {
        "id": item_id,
        "type": type_,
        "from_name": control,
        "to_name": "image",
        "original_width": size[0],
        "original_height": size[1],
        "image_rotation": 0,
        "origin": "manual",
        "value": value,
    }


def seeded_result(prefix: str, image: ShelfImage) -> list[dict[str, Any]]:
    """One annotation as Label Studio's editor writes it: every kind, odd floats included."""
    s = image.size
    box = {"x": 10.123456789, "y": 12.5, "width": 30.25, "height": 20.0625, "rotation": 0}
    box2 = {"x": 55.5, "y": 40.0, "width": 20.0, "height": 33.333333333333336, "rotation": 0}
    rot = {"x": 20.0, "y": 50.0, "width": 25.0, "height": 15.0, "rotation": 30}
    points = [[5.5, 6.25], [60.0, 10.0], [33.3, 80.8]]
    return [
        _item(f"{prefix}-box", "rectanglelabels", "bbox", s, {**box, "rectanglelabels": ["Car"]}),
        _item(f"{prefix}-box", "choices", "occluded", s, {**box, "choices": ["Yes"]}),
        _item(
            f"{prefix}-box2", "rectanglelabels", "bbox", s, {**box2, "rectanglelabels": ["Person"]}
        ),
        _item(
            f"{prefix}-poly",
            "polygonlabels",
            "poly",
            s,
            {"points": points, "closed": True, "polygonlabels": ["Person"]},
        ),
        _item(
            f"{prefix}-mask",
            "brushlabels",
            "mask",
            s,
            {"format": "rle", "rle": image.rle, "brushlabels": ["Car"]},
        ),
        _item(
            f"{prefix}-nose",
            "keypointlabels",
            "kp",
            s,
            {"x": 40.0, "y": 30.0, "width": 0.6, "keypointlabels": ["nose"]},
        ),
        _item(
            f"{prefix}-tail",
            "keypointlabels",
            "kp",
            s,
            {"x": 70.0, "y": 60.0, "width": 0.6, "keypointlabels": ["tail"]},
        ),
        _item(f"{prefix}-rot", "rectanglelabels", "bbox", s, {**rot, "rectanglelabels": ["Car"]}),
        {
            "id": f"{prefix}-scene",
            "type": "choices",
            "from_name": "scene",
            "to_name": "image",
            "origin": "manual",
            "value": {"choices": ["day"]},
        },
    ]


def import_tasks(
    server: LabelStudioServer, project_id: int, images: list[ShelfImage], seeded: dict[int, str]
) -> list[int]:
    """One task per image; task ``i`` gets an annotation with prefix ``seeded[i]``."""
    tasks: list[dict[str, Any]] = []
    for i, image in enumerate(images):
        task: dict[str, Any] = {"data": {"image": image.url}}
        if i in seeded:
            task["annotations"] = [{"result": seeded_result(seeded[i], image)}]
        tasks.append(task)
    return server.import_tasks(project_id, tasks)


def server_tasks(http: httpx.Client, project_id: int) -> dict[int, dict[str, Any]]:
    """Every task of a project with its annotations and meta, by id."""
    response = http.get(
        "/api/tasks/", params={"project": project_id, "fields": "all", "page_size": 100000}
    )
    response.raise_for_status()
    body = response.json()
    return {int(t["id"]): t for t in body["tasks"]}


def item_key(item: dict[str, Any]) -> tuple[str, str, str]:
    """What makes a result item itself: its id, type and control (relations: their ends)."""
    if item.get("type") == "relation":
        return ("relation", str(item.get("from_id")), str(item.get("to_id")))
    return (str(item.get("id")), str(item.get("type")), str(item.get("from_name")))


def region_of(item: dict[str, Any]) -> str | None:
    """The region an item draws: its id, or for keypoints the instance they belong to."""
    type_ = item.get("type")
    if type_ not in GEOMETRY_TYPES:
        return None
    if type_ == "keypointlabels" and item.get("parentID"):
        return str(item["parentID"])
    return str(item.get("id"))


def items_of(task: dict[str, Any]) -> list[dict[str, Any]]:
    """The result items of every annotation of a task, in order."""
    return [item for a in task.get("annotations") or [] for item in a.get("result") or []]


def raw_items(tasks: dict[int, dict[str, Any]]) -> dict[tuple[str, str, str], str]:
    """Each item's JSON text (keys sorted), by :func:`item_key`: what byte-identical means."""
    return {item_key(i): json.dumps(i, sort_keys=True) for t in tasks.values() for i in items_of(t)}


def json_diff(old: Any, new: Any, where: str = "") -> list[str]:
    """Where two JSON values differ, as short ``path: old -> new`` lines."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            here = f"{where}.{key}" if where else str(key)
            if key not in new:
                out.append(f"{here} dropped")
            elif key not in old:
                out.append(f"{here} added ({json.dumps(new[key])[:40]})")
            else:
                out.extend(json_diff(old[key], new[key], here))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            d
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for d in json_diff(a, b, f"{where}[{i}]")
        ]
    if old == new and type(old) is type(new):
        return []
    return [f"{where or 'value'}: {json.dumps(old)[:40]} -> {json.dumps(new)[:40]}"]


def versions(tasks: dict[int, dict[str, Any]]) -> dict[int, str]:
    """Annotation id -> ``updated_at``: any write to an annotation changes it."""
    return {int(a["id"]): str(a["updated_at"]) for t in tasks.values() for a in t["annotations"]}
