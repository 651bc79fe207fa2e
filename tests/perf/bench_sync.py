"""Push throughput against a real Label Studio server: limner against a like-for-like SDK loop.

A speed-up only means something if both sides leave the server in the same state. Each
repetition therefore gives limner and a label-studio-sdk loop a fresh project each, with
the same tasks (the same image URLs), and both write, per task, ONE annotation holding the
same four rectangles, and set the task's status in its ``meta``, the SDK loop with one
task PATCH per task: in the first scenario ``in_progress`` (drawing on a new image starts
it, and limner pushes that status), in the second ``submitted`` (the images are also
submitted; limner sends only the status the image ends with). Afterwards the bench
reads both projects back through Label Studio's REST API (plain httpx, not limner code)
and stops with an error unless every task ends with the same annotations, regions and
meta on both sides.

Every HTTP request either side sends while it is being timed is counted at httpx's
transport (``tests/perf/http_count.py``), in this process for limner and inside the SDK
loop's own interpreter for the loop, so the figures also say how many requests each
needs per task; the least possible is one per task plus one per status change.

How much of the gap the server itself leaves open is measured beside the two: the same
POSTs (and PATCHes) as the SDK loop, sent with plain httpx (no SDK, no limner), once in
sequence and over 2, 4 and 8 parallel connections. The fastest of those stands for the
server's floor: a client sending these requests can hardly do better through this
server, so "SDK loop s / floor s" is about the most any client could gain over the
loop, and "limner s / floor s" is what limner itself still adds. Label Studio runs as
Django's development server (``runserver``: threaded, one process) on SQLite, so its
own CPU time, one core's worth at most under Python's global lock, and its database
lock cap how much parallel requests help.

Sides take turns in an order rotated at each repetition, so a server that slows down as
its database grows favours none of them. The defaults (3 repetitions of 150 tasks per
scenario, six sides each) keep the whole bench near twelve minutes on a 2-core machine,
where the server shares the cores with the clients; ``LIMNER_BENCH_SYNC_TASKS``,
``LIMNER_BENCH_SYNC_REPS`` and ``LIMNER_BENCH_SYNC_FLOORS`` (connection counts, e.g.
``1,2,4,8``) change them, and the figure names carry the task count.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.perf import http_count

if TYPE_CHECKING:
    from tests.integration.labelstudio_server import LabelStudioServer

TASKS = int(os.environ.get("LIMNER_BENCH_SYNC_TASKS", "150"))
STARTED = "in_progress"
REPS = int(os.environ.get("LIMNER_BENCH_SYNC_REPS", "3"))
FLOORS = tuple(
    int(n) for n in os.environ.get("LIMNER_BENCH_SYNC_FLOORS", "1,2,4,8").split(",") if n.strip()
)
PER_TASK = 4
WIDTH, HEIGHT = 64, 48
STATUS = "submitted"
WORKERS = int(os.environ.get("LIMNER_BENCH_SYNC_WORKERS", "4"))
MACHINE = (
    f"Label Studio 1.23 (Django runserver: threaded, one process; SQLite) on the same "
    f"{os.cpu_count()}-core machine"
)

# Runs in Label Studio's environment (label-studio-sdk pins numpy and OpenCV versions of
# its own). It is the loop a script would write: one create per task, holding all of the
# task's regions, and one task update per status. The job comes on stdin; the timing and
# the request count go to the last line of stdout.
SDK_LOOP = """
import json, sys, time, uuid
sys.path.insert(0, sys.argv[1])
from http_count import counting
from label_studio_sdk import LabelStudio
url, token = sys.argv[2], sys.argv[3]
job = json.loads(sys.stdin.read())
with counting() as count:
    client = LabelStudio(base_url=url, api_key=token)
    started = time.perf_counter()
    for task_id in job["tasks"]:
        result = [{"id": uuid.uuid4().hex[:10], **region} for region in job["regions"]]
        client.annotations.create(id=task_id, result=result)
        if job["meta"] is not None:
            client.tasks.update(id=str(task_id), meta=job["meta"])
    seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "requests": count.to_json()}))
"""


class NotLikeForLike(AssertionError):
    """The two projects do not hold the same annotations: the timing would compare nothing."""


@dataclass
class Side:
    """One side's repetitions: wall seconds, request counts and the server's CPU seconds
    while that side was timed, in run order."""

    seconds: list[float] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Push:
    """One timed push: its project, wall seconds, requests, the server's CPU seconds."""

    project: int
    seconds: float
    requests: dict[str, Any]
    server_cpu: float


@dataclass
class Bench:
    """What every repetition shares: the server, its image URLs, a scratch directory."""

    server: LabelStudioServer
    image_urls: list[str]
    tmp: Path
    runs: int = 0


def _server_cpu(bench: Bench) -> float:
    """CPU seconds the Label Studio process has used so far (user + system, every thread).

    The process the helper started is the server itself (runserver without its reloader).
    The count is immune to other load on the machine, which wall seconds are not. Linux
    only (``/proc``); elsewhere NaN.
    """
    proc = bench.server._proc  # the child the helper runs; it has no public handle
    stat = Path(f"/proc/{proc.pid if proc else 0}/stat")
    if not stat.exists():
        return float("nan")
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _boxes() -> list[tuple[float, float, float, float]]:
    """The four boxes of every task, in pixels (x0, y0, x1, y1)."""
    return [(1.0 + k * 3, 2.0 + k, WIDTH / 2 + k, HEIGHT / 2 + k * 2) for k in range(PER_TASK)]


def _sdk_regions() -> list[dict[str, Any]]:
    """The same boxes as Label Studio rectangle results (percent of the image)."""
    regions = []
    for x0, y0, x1, y1 in _boxes():
        value = {
            "x": x0 / WIDTH * 100,
            "y": y0 / HEIGHT * 100,
            "width": (x1 - x0) / WIDTH * 100,
            "height": (y1 - y0) / HEIGHT * 100,
            "rotation": 0,
            "rectanglelabels": ["Car"],
        }
        regions.append(
            {
                "from_name": "bbox",
                "to_name": "image",
                "type": "rectanglelabels",
                "original_width": WIDTH,
                "original_height": HEIGHT,
                "value": value,
            }
        )
    return regions


# -- reading the server back (its own REST API, not limner's code) -----------------------
def _tasks(server: LabelStudioServer, project: int) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = []
    with server.client() as client:
        page = 1
        while True:
            response = client.get(
                "/api/tasks/",
                params={"project": project, "page": page, "page_size": 100, "fields": "all"},
            )
            if response.status_code == 404:
                break  # past the last page
            response.raise_for_status()
            body = response.json()
            tasks.extend(body["tasks"])
            if not body["tasks"] or len(tasks) >= int(body["total"]):
                break
            page += 1
    return tasks


def _region_key(item: dict[str, Any]) -> tuple[Any, ...]:
    value = item.get("value") or {}
    geometry = tuple(round(float(value.get(k, 0)), 4) for k in ("x", "y", "width", "height"))
    labels = tuple(value.get("rectanglelabels") or ())
    return (item.get("type"), item.get("from_name"), labels, geometry)


def _task_state(task: dict[str, Any]) -> tuple[Any, ...]:
    """What a push leaves on a task: its annotations' regions and the limner meta."""
    annotations = sorted(
        (
            bool(a.get("was_cancelled")),
            tuple(sorted(_region_key(item) for item in a.get("result") or [])),
        )
        for a in task.get("annotations") or []
    )
    meta = json.dumps((task.get("meta") or {}).get("limner"), sort_keys=True)
    return (tuple(annotations), meta)


def _check_like_for_like(
    server: LabelStudioServer, ours: int, theirs: int, status: str | None
) -> None:
    """Raise ``NotLikeForLike`` unless both projects hold the same per-task state."""
    mine, sdk = _tasks(server, ours), _tasks(server, theirs)
    problems = []
    for name, tasks in (("limner", mine), ("other side", sdk)):
        if len(tasks) != TASKS:
            problems.append(f"{name} project {ours if name == 'limner' else theirs}: "
                            f"{len(tasks)} tasks, expected {TASKS}")
        for task in tasks:
            annotations = task.get("annotations") or []
            regions = [len(a.get("result") or []) for a in annotations]
            status_now = ((task.get("meta") or {}).get("limner") or {}).get("status")
            if regions != [PER_TASK] or status_now != _meta_status(status):
                problems.append(
                    f"{name} task {task['id']}: regions per annotation {regions}, meta status "
                    f"{status_now!r} (expected [{PER_TASK}], {_meta_status(status)!r})"
                )
                break
    states_mine = Counter(_task_state(t) for t in mine)
    states_sdk = Counter(_task_state(t) for t in sdk)
    if states_mine != states_sdk:
        only_mine = list((states_mine - states_sdk).items())[:2]
        only_sdk = list((states_sdk - states_mine).items())[:2]
        problems.append(f"task states differ: limner only {only_mine}; other only {only_sdk}")
    if problems:
        raise NotLikeForLike("the two pushes did not leave the same server state:\n"
                             + "\n".join(problems))


# -- the two sides -----------------------------------------------------------------------
def _new_project(bench: Bench, title: str) -> tuple[int, list[int]]:
    project = bench.server.create_project(title)
    tasks = bench.server.import_tasks(project, [{"image": url} for url in bench.image_urls])
    return project, tasks


def _local_edits(store: Any, status: str | None) -> None:
    """Four new boxes on every image, and optionally every image submitted."""
    from limner.models.domain.entities import NewAnnotation
    from limner.models.domain.geometry import Box
    from limner.models.editing.commands import AddAnnotations
    from limner.models.editing.history import History
    from limner.models.store import queries
    from limner.models.store.tx import new_uuid
    from limner.models.workflow.review_commands import Submit

    history = History(store)
    with store.read() as conn:
        car = next(c.id for c in queries.label_classes(conn) if c.name == "Car")
        records = queries.image_page(conn, 0, TASKS)
    if len(records) != TASKS:
        raise RuntimeError(f"the clone holds {len(records)} images, expected {TASKS}")
    for record in records:
        if (record.width, record.height) != (WIDTH, HEIGHT):
            raise RuntimeError(f"image {record.id} is {record.width}x{record.height}")
        items = tuple(NewAnnotation(new_uuid(), record.id, car, Box(*b)) for b in _boxes())
        history.execute(AddAnnotations(items))
    if status is not None:
        if status != STATUS:
            raise ValueError(f"the bench sets only {STATUS!r}")
        history.execute(Submit([r.id for r in records]))


def _limner_push(bench: Bench, status: str | None) -> Push:
    """Clone a fresh project, edit every image, time and count the push run_once()."""
    from limner.models.store import sync_store
    from limner.models.store.store import ProjectStore
    from limner.sync.engine import SyncEngine
    from limner.sync.factory import make_adapter

    bench.runs += 1
    project, _ = _new_project(bench, f"limner {bench.runs}")
    server = bench.server
    store = ProjectStore.create(bench.tmp / f"limner-{bench.runs}")
    adapter = make_adapter("labelstudio", server.url, str(project), server.legacy_token)
    try:
        with store.transaction() as (conn, _changes):
            remote_id = sync_store.add_remote(conn, "labelstudio", server.url, str(project))
        engine = SyncEngine(store, remote_id, adapter, workers=WORKERS)
        engine.run_once()  # the clone: download, not measured
        _local_edits(store, status)
        with http_count.counting() as count:
            cpu, started = _server_cpu(bench), time.perf_counter()
            report = engine.run_once()
            seconds, cpu = time.perf_counter() - started, _server_cpu(bench) - cpu
        if report.pushed_images != TASKS or report.pending != 0:
            raise RuntimeError(f"limner push incomplete: {report.to_json()}")
    finally:
        adapter.close()
        store.close()
    return Push(project, seconds, count.to_json(), cpu)


def _sdk_push(bench: Bench, status: str | None) -> Push:
    """Run the SDK loop on a fresh project; it times and counts itself (the server's CPU
    is read around the whole child, whose start sends no request)."""
    from tests.integration.labelstudio_server import DEFAULT_VENV

    bench.runs += 1
    project, tasks = _new_project(bench, f"sdk loop {bench.runs}")
    job = {
        "tasks": tasks,
        "regions": _sdk_regions(),
        "meta": {"limner": {"status": _meta_status(status)}},
    }
    server = bench.server
    cpu = _server_cpu(bench)
    loop = subprocess.run(
        [
            str(DEFAULT_VENV / "bin" / "python"),
            "-c",
            SDK_LOOP,
            str(Path(http_count.__file__).parent),
            server.url,
            server.legacy_token,
        ],
        input=json.dumps(job),
        check=True,
        capture_output=True,
        text=True,
    )
    cpu = _server_cpu(bench) - cpu
    answer = json.loads(loop.stdout.strip().splitlines()[-1])
    return Push(project, float(answer["seconds"]), answer["requests"], cpu)


def _plain_push(bench: Bench, status: str | None, connections: int) -> Push:
    """The SDK loop's requests sent with plain httpx, over ``connections`` parallel
    connections (one client each, kept alive): how fast the server itself takes them."""
    import threading
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    bench.runs += 1
    project, tasks = _new_project(bench, f"plain httpx {connections} {bench.runs}")
    regions = _sdk_regions()
    meta = {"limner": {"status": _meta_status(status)}}
    headers = {"Authorization": f"Token {bench.server.legacy_token}"}
    local = threading.local()
    clients: list[httpx.Client] = []

    def send(task_id: int) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=bench.server.url, headers=headers, timeout=120)
            clients.append(local.client)
        result = [{"id": uuid.uuid4().hex[:10], **region} for region in regions]
        posted = local.client.post(f"/api/tasks/{task_id}/annotations/", json={"result": result})
        posted.raise_for_status()
        if meta is not None:
            local.client.patch(f"/api/tasks/{task_id}/", json={"meta": meta}).raise_for_status()

    try:
        with http_count.counting() as count:
            cpu, started = _server_cpu(bench), time.perf_counter()
            if connections == 1:
                for task_id in tasks:
                    send(task_id)
            else:
                with ThreadPoolExecutor(max_workers=connections) as pool:
                    list(pool.map(send, tasks))
            seconds, cpu = time.perf_counter() - started, _server_cpu(bench) - cpu
    finally:
        for client in clients:
            client.close()
    return Push(project, seconds, count.to_json(), cpu)


# -- repetitions and figures -------------------------------------------------------------
def _sides() -> list[str]:
    return ["limner", "sdk", *(f"httpx{n}" for n in FLOORS)]


def _push_side(bench: Bench, name: str, status: str | None) -> Push:
    if name == "limner":
        return _limner_push(bench, status)
    if name == "sdk":
        return _sdk_push(bench, status)
    return _plain_push(bench, status, int(name.removeprefix("httpx")))


def _scenario(bench: Bench, status: str | None) -> dict[str, Side]:
    """REPS fresh projects per side, in an order rotated each repetition; every other
    side's project checked like-for-like against limner's."""
    names = _sides()
    sides = {name: Side() for name in names}
    for rep in range(REPS):
        turn = rep % len(names)
        order = names[turn:] + names[:turn]
        projects: dict[str, int] = {}
        for name in order:
            push = _push_side(bench, name, status)
            sides[name].seconds.append(push.seconds)
            sides[name].requests.append(push.requests)
            sides[name].server_cpu.append(push.server_cpu)
            projects[name] = push.project
        for name in names[1:]:
            _check_like_for_like(bench.server, projects["limner"], projects[name], status)
    return sides


def _spread(values: Sequence[float], unit: str, what: str, **extra: Any) -> dict[str, Any]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "unit": unit,
        "runs": len(values),
        "what": what,
        **extra,
    }


def _per_task(requests: Iterable[dict[str, Any]]) -> list[float]:
    return [r["total"] / TASKS for r in requests]


def _methods(requests: Sequence[dict[str, Any]]) -> str:
    """Median requests per task by method, e.g. ``GET 1.02, POST 1.00``."""
    methods = sorted({m for r in requests for m in r["by_method"]})
    parts = [
        f"{m} {statistics.median(r['by_method'].get(m, 0) / TASKS for r in requests):.2f}"
        for m in methods
    ]
    return ", ".join(parts)


def _meta_status(status: str | None) -> str:
    """The status both sides leave in a task's meta: the one set, else in progress (the
    first edit of a new image starts it)."""
    return status or STARTED


def _work(status: str | None) -> tuple[str, str]:
    """What is pushed, in words, and the figure names' stem."""
    work = f"{TASKS} tasks x {PER_TASK} boxes (one annotation per task)"
    work += f" + status {_meta_status(status)!r} in task meta"
    return work, f"ls_push_{TASKS}x{PER_TASK}" + ("_status" if status else "")


def _figures(status: str | None, sides: dict[str, Side]) -> dict[str, dict[str, Any]]:
    limner, sdk = sides["limner"], sides["sdk"]
    work, key = _work(status)
    sdk_calls = "annotations.create + tasks.update(meta)"
    least = 2
    sdk_rpt = statistics.median(_per_task(sdk.requests))
    ratios = [s / m for s, m in zip(sdk.seconds, limner.seconds, strict=True)]
    fresh = f"{REPS} fresh projects, sides taking turns; {MACHINE}"
    return {
        f"{key}_limner_s": _spread(
            limner.seconds,
            "s",
            f"limner push of {work}: wall s from SyncEngine.run_once() start to return "
            f"({WORKERS} workers, capped by the adapter at one image in flight for this "
            f"server; its pull steps included), after an unmeasured clone; {fresh}",
        ),
        f"{key}_sdk_loop_s": _spread(
            sdk.seconds,
            "s",
            f"label-studio-sdk loop leaving the same server state ({sdk_calls} per task, "
            f"sequential): wall s of the loop, after client construction (interpreter start "
            f"and imports excluded); {fresh}",
        ),
        f"{key}_speedup_x": _spread(
            ratios,
            "x",
            f"SDK loop s / limner s of the same repetition, {work}",
            target=">= 3",
        ),
        f"{key}_limner_req": _spread(
            _per_task(limner.requests),
            "req/task",
            f"HTTP requests sent during limner's push run_once() / {TASKS} tasks, "
            f"by method: {_methods(limner.requests)}",
            target=f"<= {sdk_rpt:.2f} (SDK loop); least possible {least}",
            by_route=limner.requests[-1]["by_route"],
        ),
        f"{key}_sdk_loop_req": _spread(
            _per_task(sdk.requests),
            "req/task",
            f"HTTP requests sent by the SDK loop / {TASKS} tasks, "
            f"by method: {_methods(sdk.requests)}",
            target=f"least possible {least}",
            by_route=sdk.requests[-1]["by_route"],
        ),
        **_floor_figures(status, sides),
    }


def _floor_figures(status: str | None, sides: dict[str, Side]) -> dict[str, dict[str, Any]]:
    """The plain httpx loops, and what they say of the gap between limner and the loop."""
    work, key = _work(status)
    calls = "POST annotation + PATCH task meta"
    fresh = f"{REPS} fresh projects, sides taking turns; {MACHINE}"
    out: dict[str, dict[str, Any]] = {}
    for n in FLOORS:
        side = sides[f"httpx{n}"]
        how = "sequential" if n == 1 else f"{n} parallel connections"
        out[f"{key}_httpx_{'seq' if n == 1 else f'{n}par'}_s"] = _spread(
            side.seconds,
            "s",
            f"plain httpx loop, {how} (one kept-alive client per connection, no SDK, no "
            f"limner): the SDK loop's requests ({calls} per task) for {work}; "
            f"{_methods(side.requests)} req/task; {fresh}",
        )
    floors = [sides[f"httpx{n}"].seconds for n in FLOORS]
    best = [min(column) for column in zip(*floors, strict=True)]
    limner, sdk = sides["limner"].seconds, sides["sdk"].seconds
    out[f"{key}_ceiling_x"] = _spread(
        [s / f for s, f in zip(sdk, best, strict=True)],
        "x",
        "SDK loop s / the fastest plain httpx loop of the same repetition: about the most "
        "any client could gain over the SDK loop through this server",
    )
    for name, side in sides.items():
        label = {"limner": "limner", "sdk": "sdk_loop", "httpx1": "httpx_seq"}.get(
            name, name.replace("httpx", "httpx_") + "par"
        )
        out[f"{key}_server_cpu_{label}_ms"] = _spread(
            [cpu / TASKS * 1000 for cpu in side.server_cpu],
            "ms/task",
            f"CPU the Label Studio process spent per task while the {label} side was timed "
            "(user + system, from /proc): the server's own work, whatever the machine's "
            "other load; one process, so at most about one core's worth per second",
        )
    out[f"{key}_limner_over_floor_x"] = _spread(
        [m / f for m, f in zip(limner, best, strict=True)],
        "x",
        "limner s / the fastest plain httpx loop of the same repetition: what limner "
        "adds to the server's own floor (1 = none)",
    )
    return out


def _image_urls(server: LabelStudioServer) -> list[str]:
    """Upload TASKS small images once; every bench project's tasks point at them."""
    from tests.integration.labelstudio_server import make_png

    images = {f"t{i:03d}.png": make_png(WIDTH, HEIGHT, (i % 255, 80, 120)) for i in range(TASKS)}
    storage = server.create_project("bench images")
    names = list(images)
    for start in range(0, TASKS, 50):  # the server caps files per request
        server.upload_images(storage, {n: images[n] for n in names[start : start + 50]})
    return sorted(str(task["data"]["image"]) for task in _tasks(server, storage))


def bench_sync_push_labelstudio() -> dict[str, dict[str, Any]]:
    from tests.integration.conftest import INSTALL_SCRIPT
    from tests.integration.labelstudio_server import DEFAULT_TEMPLATE_DIR, LabelStudioServer

    subprocess.run(["bash", str(INSTALL_SCRIPT)], check=True, stdout=subprocess.DEVNULL)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        server = LabelStudioServer(Path(tmp) / "ls", template_dir=DEFAULT_TEMPLATE_DIR)
        server.start()
        try:
            bench = Bench(server, _image_urls(server), Path(tmp))
            for status in (None, STATUS):
                results.update(_figures(status, _scenario(bench, status)))
        finally:
            server.stop()
    return results


def _describe(results: dict[str, dict[str, Any]]) -> str:
    return "\n".join(f"{name}: {value['what']}" for name, value in results.items())


if __name__ == "__main__":
    from tests.perf.run_bench import machine, table

    figures = bench_sync_push_labelstudio()
    print(f"\nlimner sync benchmark on {machine()}\n")
    print(table(figures))
    print()
    print(_describe(figures))
