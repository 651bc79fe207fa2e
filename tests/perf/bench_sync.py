"""Sync throughput against a real Label Studio server, limner vs. a plain SDK loop.

The same server, in the same run: limner pushes 2,000 box annotations over 500 tasks
(one request per image, a few in parallel); the baseline creates the same 2,000 regions
with label-studio-sdk, one request per annotation, sequentially — the loop a script
would write.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

TASKS = 500
PER_TASK = 4


SDK_LOOP = """
import json, sys, time, uuid
from label_studio_sdk import LabelStudio
url, token, tasks = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
client = LabelStudio(base_url=url, api_key=token)
started = time.perf_counter()
for task_id in tasks:
    for k in range(4):
        x0, y0, x1, y1 = 1.0 + k * 3, 2.0 + k, 32 + k, 24 + k * 2
        value = {"x": x0 / 64 * 100, "y": y0 / 48 * 100, "width": (x1 - x0) / 64 * 100,
                 "height": (y1 - y0) / 48 * 100, "rotation": 0, "rectanglelabels": ["Car"]}
        client.annotations.create(id=task_id, result=[{
            "id": uuid.uuid4().hex[:10], "from_name": "bbox", "to_name": "image",
            "type": "rectanglelabels", "original_width": 64, "original_height": 48,
            "value": value}])
print(time.perf_counter() - started)
"""


def _boxes(width: int, height: int) -> list[tuple[float, float, float, float]]:
    return [(1.0 + k * 3, 2.0 + k, width / 2 + k, height / 2 + k * 2) for k in range(PER_TASK)]


def bench_push_2000_annotations() -> dict[str, dict[str, Any]]:
    from models import queries, sync_store
    from models.commands import AddAnnotations
    from models.entities import NewAnnotation
    from models.geometry import Box
    from models.history import History
    from models.store import ProjectStore
    from models.tx import new_uuid
    from sync.engine import SyncEngine
    from sync.factory import make_adapter
    from tests.integration.conftest import INSTALL_SCRIPT
    from tests.integration.labelstudio_server import (
        DEFAULT_LABEL_CONFIG,
        DEFAULT_TEMPLATE_DIR,
        DEFAULT_VENV,
        LabelStudioServer,
        make_png,
    )

    subprocess.run(["bash", str(INSTALL_SCRIPT)], check=True, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as tmp:
        server = LabelStudioServer(Path(tmp) / "ls", template_dir=DEFAULT_TEMPLATE_DIR)
        server.start()
        try:
            images = {f"t{i:03d}.png": make_png(64, 48, (i % 255, 80, 120)) for i in range(TASKS)}
            ours = server.create_project("limner bench", DEFAULT_LABEL_CONFIG)
            names = list(images)
            for start in range(0, TASKS, 50):  # the server caps files per request
                server.upload_images(ours, {n: images[n] for n in names[start : start + 50]})
            theirs = server.create_project("sdk bench", DEFAULT_LABEL_CONFIG)
            sdk_tasks = server.import_tasks(
                theirs, [{"image": f"/data/upload/{ours}/x-{n}"} for n in images]
            )

            store = ProjectStore.create(Path(tmp) / "p")
            with store.transaction() as (conn, _changes):
                remote_id = sync_store.add_remote(conn, "labelstudio", server.url, str(ours))
            adapter = make_adapter("labelstudio", server.url, str(ours), server.legacy_token)
            engine = SyncEngine(store, remote_id, adapter, workers=4)
            engine.run_once()  # the clone: download, not measured
            history = History(store)
            with store.read() as conn:
                car = next(c.id for c in queries.label_classes(conn) if c.name == "Car")
                records = queries.image_page(conn, 0, TASKS)
            for record in records:
                items = tuple(
                    NewAnnotation(new_uuid(), record.id, car, Box(*b))
                    for b in _boxes(record.width or 64, record.height or 48)
                )
                history.execute(AddAnnotations(items))
            started = time.perf_counter()
            report = engine.run_once()
            limner_s = time.perf_counter() - started
            assert report.pushed_images == TASKS and report.pending == 0, report.to_json()
            adapter.close()
            store.close()

            # label-studio-sdk pins numpy and OpenCV versions of its own, so the loop runs in
            # the server's environment, which ships the SDK, and times itself.
            loop = subprocess.run(
                [
                    str(DEFAULT_VENV / "bin" / "python"),
                    "-c",
                    SDK_LOOP,
                    server.url,
                    server.legacy_token,
                    json.dumps(sdk_tasks),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            sdk_s = float(loop.stdout.strip().splitlines()[-1])
        finally:
            server.stop()
    return {
        "push_2000_limner_s": {"median": limner_s, "unit": "s"},
        "push_2000_sdk_loop_s": {"median": sdk_s, "unit": "s"},
        "push_2000_speedup_x": {"median": sdk_s / limner_s, "unit": "x", "target": ">= 3"},
    }


if __name__ == "__main__":
    print(bench_push_2000_annotations())
