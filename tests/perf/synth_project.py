"""A deterministic big project: N images and M box annotations written in bulk.

Rows are inserted with plain executemany in large transactions (what an import of that
size would commit), pointing at a small set of real image files so the window can open
any of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from limner.models.store.store import ProjectStore
from limner.models.store.tx import now_iso

FILES = 50


def make_big_project(folder: Path, images: int = 100_000, annotations: int = 1_000_000) -> Path:
    store = ProjectStore.create(folder / "big")
    pics = folder / "pics"
    pics.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    for i in range(FILES):
        arr = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
        Image.fromarray(arr).resize((640, 480)).save(pics / f"f{i:02d}.jpg", quality=80)
    stamp = now_iso()
    per_image = annotations // max(images, 1)
    with store.engine.begin() as conn:
        raw = conn.connection.driver_connection
        raw.execute(
            "INSERT INTO label_class(uuid, name, color, kind, sort_order) VALUES "
            "('00000000-0000-4000-8000-00000000c001', 'thing', '#3cb44b', 'box', 0)"
        )
        statuses = ("new", "in_progress", "submitted", "approved", "rejected", "skipped")
        raw.executemany(
            "INSERT INTO image(id, uuid, name, path, content_hash, width, height, format,"
            " size_bytes, status, position, added_at, annotation_count)"
            " VALUES (?, ?, ?, ?, ?, 640, 480, 'JPEG', 1000, ?, ?, ?, ?)",
            (
                (
                    i + 1,
                    f"00000000-0000-4000-9000-{i:012d}",
                    f"img{i:06d}.jpg",
                    str(pics / f"f{i % FILES:02d}.jpg"),
                    f"{i:064x}",
                    statuses[i % len(statuses)],
                    i,
                    stamp,
                    per_image,
                )
                for i in range(images)
            ),
        )
        geometry = json.dumps({"kind": "box", "x0": 10, "y0": 10, "x1": 60, "y1": 50})
        raw.executemany(
            "INSERT INTO annotation(uuid, image_id, class_id, kind, geometry, x0, y0, x1, y1,"
            " author, source, created_at, updated_at) VALUES"
            " (?, ?, 1, 'box', ?, 10, 10, 60, 50, 'synth', 'import', ?, ?)",
            (
                (f"00000000-0000-4000-a000-{j:012d}", j // per_image + 1, geometry, stamp, stamp)
                for j in range(per_image * images)
            ),
        )
    store.close()
    return folder / "big"
