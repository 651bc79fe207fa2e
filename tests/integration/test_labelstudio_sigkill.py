"""SIGKILL ``limner sync`` at random moments of its push and of its pull, on a real Label Studio.

The promise: whatever moment the process dies, the next sync finishes the job with no
duplicate on either side, nothing lost, and the server's JSON byte for byte as it was for
every region the user did not touch. A single kill proves little; the moments that break
sync code are narrow (the server applied a create but the answer never arrived, the kill
lands inside a commit), so each kind of trial is repeated with kill points drawn from a
seeded RNG and the seed is printed, so a failing run can be repeated exactly.

A relay between limner and the server (``tests.fakes.sigkill.RelayProxy``) counts what
reaches the server and kills the child at the k-th request: before it is forwarded, after
the server answered but before limner hears it, or a random few milliseconds later.

Server data is made through Label Studio's REST API only (masks are encoded by Label
Studio's own SDK), and every server-side check reads the REST API, never limner's codec.
Each kind of trial reuses one server project: push trials get fresh tasks each time, pull
trials never change the server. Each check is its own test, so a run shows exactly which
promise holds and which does not.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import signal
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from limner.app.cli import main as cli
from limner.models.domain.entities import Annotation, NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations, EditAnnotations, SetImageStatus
from limner.models.editing.history import History
from limner.models.store import queries
from limner.models.store.store import PROJECT_FILE, ProjectStore
from limner.models.store.tx import new_uuid
from tests.fakes.sigkill import (
    READS,
    WRITES,
    Book,
    KilledRun,
    RelayProxy,
    Trial,
    draw_plan,
    run_killed,
)
from tests.integration.conftest import TOKEN_ENV
from tests.integration.labelstudio_seed import (
    CONFIG,
    EDITABLE,
    OPAQUE,
    ShelfImage,
    import_tasks,
    item_key,
    items_of,
    json_diff,
    make_shelf,
    raw_items,
    region_of,
    server_tasks,
    versions,
)
from tests.integration.labelstudio_server import LabelStudioServer

TRIALS = 20  # per kind of trial; LIMNER_SIGKILL_TRIALS may ask for more (soak runs)
PUSH_TASKS = 10  # tasks per push trial; the first PUSH_SEEDED already hold regions
PUSH_SEEDED = 5
PULL_TASKS = 60
STATUS_TASK = PUSH_TASKS - 1  # its only local change is its status
EDITED_TASK = 1  # its "box2" region is moved locally


def trial_count() -> int:
    return max(TRIALS, int(os.environ.get("LIMNER_SIGKILL_TRIALS") or TRIALS))


def trial_seed() -> int:
    given = os.environ.get("LIMNER_SIGKILL_SEED")
    return int(given) if given else random.SystemRandom().randrange(2**32)


# -- limner: in process for the runs that are not killed ----------------------------------


def run_cli(argv: list[str]) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli(argv)
    text = out.getvalue().strip()
    return code, (json.loads(text) if text.startswith("{") else {"output": text})


def sync(path: Path) -> tuple[int, dict[str, Any]]:
    return run_cli(["sync", str(path), "--once", "--json", "--token-env", TOKEN_ENV])


def clone_argv(url: str, project_id: int, path: Path) -> list[str]:
    return [
        "clone",
        "--kind",
        "labelstudio",
        "--url",
        url,
        "--project",
        str(project_id),
        "--token-env",
        TOKEN_ENV,
        "--json",
        str(path),
    ]


def integrity(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(path / PROJECT_FILE)) as conn:
        return ", ".join(str(row[0]) for row in conn.execute("PRAGMA integrity_check"))


@dataclass(frozen=True)
class LocalImage:
    id: int
    status: str
    size: tuple[int, int]
    annotations: tuple[Annotation, ...]


def local_images(path: Path) -> dict[str, LocalImage]:
    with ProjectStore.open(path) as store, store.read() as conn:
        return {
            r.name: LocalImage(
                r.id,
                r.status,
                (r.width or 0, r.height or 0),
                tuple(queries.annotations_for_image(conn, r.id)),
            )
            for r in queries.image_page(conn, 0, 100000)
        }


def box_of(item: dict[str, Any], size: tuple[int, int]) -> Box:
    v, (w, h) = item["value"], size
    x0, y0 = v["x"] * w / 100, v["y"] * h / 100
    return Box(x0, y0, x0 + v["width"] * w / 100, y0 + v["height"] * h / 100)


def near(a: Box, b: Box, size: tuple[int, int]) -> bool:
    tol = 1e-4 * max(size)
    return all(
        abs(p - q) <= tol
        for p, q in zip((a.x0, a.y0, a.x1, a.y1), (b.x0, b.y0, b.x1, b.y1), strict=True)
    )


@dataclass(frozen=True)
class Stage:
    """Where one kind of trial runs: the server, the relay in front of it, one project."""

    server: LabelStudioServer
    relay: RelayProxy
    project_id: int
    images: list[ShelfImage]
    rng: random.Random
    root: Path


def kill(stage: Stage, trial: Trial, argv: list[str], path: Path) -> KilledRun:
    """Run ``python -m limner ARGV`` and kill it by the trial's plan; check the kill and the db."""
    run = run_killed(
        argv,
        env={TOKEN_ENV: stage.server.legacy_token},
        relay=stage.relay,
        plan=trial.plan,
        log=stage.root / f"{path.name}-killed.stderr",
    )
    problems = []
    if not run.killed or run.returncode != -signal.SIGKILL:
        problems.append(f"{argv[0]} ended by itself with {run.returncode}: {run.stderr[-300:]}")
    state = integrity(path) if (path / PROJECT_FILE).exists() else "no project file"
    if state != "ok":
        problems.append(f"integrity_check right after the kill: {state}")
    trial.check("killed", problems)
    return run


IN_SYNC = (0, 3)  # limner's exit codes for "in sync" and "in sync but for kept items"


def in_sync(code: int, report: dict[str, Any]) -> bool:
    """Up to date, nothing pending, no conflict. Items limner keeps untouched on the server
    (the rotated rectangle, the whole-image choice) give exit code 3, which is in sync."""
    return (
        code in IN_SYNC
        and report.get("state") == "up_to_date"
        and report.get("pending") == 0
        and not report.get("conflicts")
    )


def completes_check(trial: Trial, code: int, report: dict[str, Any]) -> None:
    problems = []
    if not in_sync(code, report):
        problems.append(
            f"exit {code}, state {report.get('state')}, pending {report.get('pending')}, "
            f"conflicts {report.get('conflicts')}: {report.get('message') or report.get('output')}"
        )
    trial.check("completes", problems)


def quiet_check(
    trial: Trial, stage: Stage, http: httpx.Client, path: Path, before: dict[int, dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    """A further sync sends nothing and changes nothing; returns the server's tasks after."""
    mark = stage.relay.mark()
    code, report = sync(path)
    writes = [f"{f.method} {f.path}" for f in stage.relay.since(mark) if f.method in WRITES]
    after = server_tasks(http, stage.project_id)
    problems = [f"a further sync sent {writes[:4]}"] if writes else []
    old, new = versions(before), versions(after)
    changed = sorted(k for k in new if old.get(k) != new[k])
    if changed:
        problems.append(f"a further sync changed annotations {changed}")
    if not in_sync(code, report) or report.get("pushed_images"):
        problems.append(
            f"a further sync: exit {code}, {report.get('state')}, "
            f"pushed {report.get('pushed_images')}, conflicts {report.get('conflicts')}"
        )
    trial.check("further_sync_quiet", problems)
    state = integrity(path)
    trial.check("integrity", [] if state == "ok" else [f"integrity_check: {state}"])
    return after


def seeded_uuids(
    images: list[ShelfImage], prefixes: dict[int, str], kinds: tuple[str, ...]
) -> dict[str, set[str]]:
    """Image name -> the uuids of the seeded items of ``kinds`` on it."""
    return {
        image.name: {f"{prefixes[i]}-{s}" for s in kinds} if i in prefixes else set()
        for i, image in enumerate(images)
    }


def local_checks(
    trial: Trial,
    local: dict[str, LocalImage],
    wanted: dict[str, set[str]],
    optional: dict[str, set[str]],
) -> None:
    """Each image holds exactly the ``wanted`` regions (and may hold the ``optional`` ones),
    each once, and no two regions of an image repeat the same class and shape."""
    once: list[str] = []
    doubles: list[str] = []
    if sorted(local) != sorted(wanted):
        once.append(f"{len(local)} local images for {len(wanted)} tasks")
    for name, mine in sorted(local.items()):
        uuids = [a.uuid for a in mine.annotations]
        missing = wanted.get(name, set()) - set(uuids)
        extra = set(uuids) - wanted.get(name, set()) - optional.get(name, set())
        twice = {u for u in uuids if uuids.count(u) > 1}
        if missing or extra or twice:
            once.append(
                f"{name}: missing {sorted(missing)}, extra {sorted(extra)}, twice {sorted(twice)}"
            )
        shapes = [(a.class_id, a.geometry) for a in mine.annotations]
        same = len(shapes) - len(set(shapes))
        if same:
            doubles.append(f"{name}: {same} regions repeat another one's class and shape")
    trial.check("regions_once_locally", once)
    trial.check("no_local_duplicates", doubles)


# -- push trials --------------------------------------------------------------------------


@dataclass(frozen=True)
class PushEdits:
    new_boxes: dict[str, tuple[str, Box]]  # uuid -> (image name, box drawn)
    moved: tuple[str, str, Box]  # image name, uuid of the pulled box, where it went
    status_image: str  # set to approved


def edit_locally(path: Path, images: list[ShelfImage], prefixes: dict[int, str]) -> PushEdits:
    """New boxes on every task but the last, one pulled box moved, one status changed."""
    with ProjectStore.open(path) as store:
        history = History(store)
        with store.read() as conn:
            car = next(c.id for c in queries.label_classes(conn) if c.name == "Car")
            by_name = {r.name: r for r in queries.image_page(conn, 0, 100000)}
        new: dict[str, tuple[str, Box]] = {}
        for i, image in enumerate(images[:STATUS_TASK]):
            w, h = image.size
            items = []
            for j in range(1 + i % 2):
                box = Box(1.5 + 3 * j, 2.25 + j, w / 2 + j, h / 2 + 0.125 * j)
                items.append(NewAnnotation(new_uuid(), by_name[image.name].id, car, box))
                new[items[-1].uuid] = (image.name, box)
            history.execute(AddAnnotations(tuple(items)))
        uuid = f"{prefixes[EDITED_TASK]}-box2"
        with store.read() as conn:
            record = queries.annotation_by_uuid(conn, uuid)
        assert record is not None, f"the clone has no region {uuid} to edit"
        moved = Box(3.0, 4.0, 20.5, 18.25)
        history.execute(EditAnnotations.from_records("Move", [(record, {"geometry": moved})]))
        status = by_name[images[STATUS_TASK].name]
        history.execute(SetImageStatus({status.id: status.status}, "approved"))
    return PushEdits(new, (images[EDITED_TASK].name, uuid, moved), images[STATUS_TASK].name)


def duplicate_checks(trial: Trial, before: dict[int, dict], after: dict[int, dict]) -> None:
    problems = []
    for task_id, task in after.items():
        seeded = {a["id"] for a in before[task_id]["annotations"]}
        ids = {a["id"] for a in task["annotations"]}
        if seeded - ids:
            problems.append(f"task {task_id} lost annotations {sorted(seeded - ids)}")
        if len(ids - seeded) > 1:
            problems.append(f"task {task_id} has {len(ids - seeded)} new annotations")
        keys = [item_key(i) for i in items_of(task)]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            problems.append(f"task {task_id} holds {twice[:3]} more than once")
    if set(after) != set(before):
        problems.append(f"tasks {sorted(before)} became {sorted(after)}")
    trial.check("no_duplicates", problems)


def region_checks(
    trial: Trial, after: dict[int, dict], local: dict[str, LocalImage], tasks: dict[str, int]
) -> None:
    """Every local region once on the server; nothing there that limner does not know."""
    once: list[str] = []
    extra: list[str] = []
    for name, image in local.items():
        items = items_of(after[tasks[name]])
        drawn = [region_of(i) for i in items]
        for ann in image.annotations:
            want = sum(1 for p in ann.geometry.points if p[2]) if ann.kind == "keypoints" else 1
            if drawn.count(ann.uuid) != want:
                once.append(f"{name}: {ann.kind} {ann.uuid} is there {drawn.count(ann.uuid)} times")
        known = {a.uuid for a in image.annotations}
        unknown = {r for r in drawn if r and r not in known and r.rsplit("-", 1)[-1] not in OPAQUE}
        if unknown:
            extra.append(f"{name}: the server has regions {sorted(unknown)[:3]} limner has not")
    trial.check("local_regions_on_server_once", once)
    trial.check("nothing_extra_on_server", extra)


def byte_checks(trial: Trial, before: dict[int, dict], after: dict[int, dict], edited: str) -> None:
    """Every seeded item but the edited box is byte for byte as it was (one line per kind)."""
    old, new = raw_items(before), raw_items(after)
    for check, kinds in (
        ("untouched_regions_byte_identical", EDITABLE),
        ("opaque_items_byte_identical", OPAQUE),
    ):
        found: dict[str, list[str]] = {}
        for key, text in sorted(old.items()):
            kind = f"{key[0].rsplit('-', 1)[-1]} {key[1]}"
            if key[0] == edited or key[0].rsplit("-", 1)[-1] not in kinds:
                continue
            if key not in new:
                found.setdefault(kind, []).append(f"{key[0]} is gone")
            elif new[key] != text:
                changes = json_diff(json.loads(text), json.loads(new[key]))
                found.setdefault(kind, []).append(f"{key[0]}: {', '.join(changes[:4])}")
        trial.check(
            check, [f"{kind}: {len(v)} changed, e.g. {v[0]}" for kind, v in sorted(found.items())]
        )


def edit_checks(
    trial: Trial,
    after: dict[int, dict],
    local: dict[str, LocalImage],
    edits: PushEdits,
    images: list[ShelfImage],
    tasks: dict[str, int],
) -> None:
    sizes = {i.name: i.size for i in images}
    name, moved_uuid, moved = edits.moved
    wanted = {**edits.new_boxes, moved_uuid: (name, moved)}
    remote: list[str] = []
    kept: list[str] = []
    for uuid, (image, box) in wanted.items():
        found = [
            i
            for i in items_of(after[tasks[image]])
            if i.get("id") == uuid and i.get("type") == "rectanglelabels"
        ]
        if len(found) != 1 or not near(box_of(found[0], sizes[image]), box, sizes[image]):
            remote.append(f"{image}: box {uuid} on the server is {[i['value'] for i in found]}")
        mine = [a for a in local[image].annotations if a.uuid == uuid]
        if len(mine) != 1 or not near(mine[0].geometry, box, sizes[image]):
            kept.append(f"{image}: box {uuid} is {[a.geometry for a in mine]} locally, drawn {box}")
    meta = after[tasks[edits.status_image]].get("meta") or {}
    if (meta.get("limner") or {}).get("status") != "approved":
        remote.append(f"{edits.status_image}: task meta is {meta}, not status approved")
    if local[edits.status_image].status != "approved":
        kept.append(f"{edits.status_image} is {local[edits.status_image].status} locally")
    trial.check("edits_on_server", remote)
    trial.check("edits_kept_locally", kept)


def push_trial(n: int, stage: Stage) -> tuple[Trial, list[int]]:
    started = time.monotonic()
    prefixes = {i: f"t{n}i{i}" for i in range(PUSH_SEEDED)}
    task_ids = import_tasks(stage.server, stage.project_id, stage.images, prefixes)
    tasks = {image.name: task for image, task in zip(stage.images, task_ids, strict=True)}
    path = stage.root / f"trial{n:02d}"
    with stage.server.client() as http:
        before = server_tasks(http, stage.project_id)
        code, report = run_cli(clone_argv(stage.relay.url, stage.project_id, path))
        assert in_sync(code, report), f"push trial {n}: the clone failed ({code}): {report}"
        edits = edit_locally(path, stage.images, prefixes)
        trial = Trial(n, draw_plan(stage.rng, 1, PUSH_TASKS))
        argv = ["sync", str(path), "--once", "--json", "--token-env", TOKEN_ENV]
        run = kill(stage, trial, argv, path)
        completes_check(trial, *sync(path))
        after = server_tasks(http, stage.project_id)
        local = local_images(path)
        duplicate_checks(trial, before, after)
        wanted = seeded_uuids(stage.images, prefixes, EDITABLE)
        for uuid, (name, _box) in edits.new_boxes.items():
            wanted[name].add(uuid)
        local_checks(trial, local, wanted, seeded_uuids(stage.images, prefixes, OPAQUE))
        region_checks(trial, after, local, tasks)
        byte_checks(trial, before, after, f"{prefixes[EDITED_TASK]}-box2")
        edit_checks(trial, after, local, edits, stage.images, tasks)
        quiet_check(trial, stage, http, path, after)
    writes = sum(1 for f in run.forwarded if f.method in WRITES)
    print(
        f"push trial {n}: kill at {trial.plan.describe()}, {writes} writes got through; "
        f"failed: {trial.failed()} ({time.monotonic() - started:.1f} s)"
    )
    return trial, task_ids


# -- pull trials --------------------------------------------------------------------------


def pull_trial(
    n: int, stage: Stage, baseline: dict[int, dict[str, Any]], prefixes: dict[int, str]
) -> Trial:
    """Kill a clone mid-pull, finish with a sync; the server never changes."""
    started = time.monotonic()
    # The 4th request is the first page of tasks: after connecting, before the images.
    trial = Trial(n, draw_plan(stage.rng, 4, 4 + PULL_TASKS, READS))
    path = stage.root / f"trial{n:02d}"
    mark = stage.relay.mark()
    run = kill(stage, trial, clone_argv(stage.relay.url, stage.project_id, path), path)
    completes_check(trial, *sync(path))
    local_checks(
        trial,
        local_images(path),
        seeded_uuids(stage.images, prefixes, EDITABLE),
        seeded_uuids(stage.images, prefixes, OPAQUE),
    )
    with stage.server.client() as http:
        after = quiet_check(trial, stage, http, path, baseline)
    writes = [f"{f.method} {f.path}" for f in stage.relay.since(mark) if f.method in WRITES]
    problems = [f"limner sent {writes[:4]}"] if writes else []
    if raw_items(after) != raw_items(baseline) or versions(after) != versions(baseline):
        problems.append("the server's annotations changed")
    trial.check("server_unchanged", problems)
    print(
        f"pull trial {n}: kill at {trial.plan.describe()}, {len(run.forwarded)} requests got "
        f"through; failed: {trial.failed()} ({time.monotonic() - started:.1f} s)"
    )
    return trial


# -- fixtures and tests -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sigkill_server(labelstudio: LabelStudioServer) -> Iterator[LabelStudioServer]:
    """The session server, with the token where the in-process runs read it."""
    if not labelstudio.running:
        labelstudio.start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(TOKEN_ENV, labelstudio.legacy_token)
        yield labelstudio


@pytest.fixture(scope="module")
def seed() -> int:
    value = trial_seed()
    print(f"SIGKILL trials: seed {value} (LIMNER_SIGKILL_SEED={value} repeats them)")
    return value


@pytest.fixture(scope="module")
def shelf(sigkill_server: LabelStudioServer) -> list[ShelfImage]:
    return make_shelf(sigkill_server, max(PUSH_TASKS, PULL_TASKS), "limner sigkill images")


@pytest.fixture(scope="module")
def push_book(
    sigkill_server: LabelStudioServer,
    shelf: list[ShelfImage],
    seed: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> Book:
    server = sigkill_server
    book = Book("push", seed, trial_count(), f"(LIMNER_SIGKILL_SEED={seed} repeats them)")
    rng = random.Random(f"{seed}-push")
    project_id = server.create_project("limner sigkill push", CONFIG)
    root = tmp_path_factory.mktemp("sigkill-push")
    task_ids: list[int] = []
    with RelayProxy(server.url) as relay:
        stage = Stage(server, relay, project_id, shelf[:PUSH_TASKS], rng, root)
        for n in range(book.wanted):
            with server.client() as http:
                for task_id in task_ids:  # the last trial's tasks, and its annotations with them
                    assert http.delete(f"/api/tasks/{task_id}/").status_code == 204
            trial, task_ids = push_trial(n, stage)
            book.trials.append(trial)
    return book


@pytest.fixture(scope="module")
def pull_book(
    sigkill_server: LabelStudioServer,
    shelf: list[ShelfImage],
    seed: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> Book:
    server = sigkill_server
    book = Book("pull", seed, trial_count(), f"(LIMNER_SIGKILL_SEED={seed} repeats them)")
    rng = random.Random(f"{seed}-pull")
    project_id = server.create_project("limner sigkill pull", CONFIG)
    images = shelf[:PULL_TASKS]
    prefixes = {i: f"p{i}" for i in range(PULL_TASKS) if i % 3 != 2}  # a third stay empty
    import_tasks(server, project_id, images, prefixes)
    root = tmp_path_factory.mktemp("sigkill-pull")
    with RelayProxy(server.url) as relay, server.client() as http:
        baseline = server_tasks(http, project_id)
        stage = Stage(server, relay, project_id, images, rng, root)
        for n in range(book.wanted):
            book.trials.append(pull_trial(n, stage, baseline, prefixes))
    return book


PUSH_CHECKS = (
    "killed",
    "completes",
    "no_duplicates",
    "local_regions_on_server_once",
    "nothing_extra_on_server",
    "untouched_regions_byte_identical",
    "opaque_items_byte_identical",
    "edits_on_server",
    "edits_kept_locally",
    "regions_once_locally",
    "no_local_duplicates",
    "further_sync_quiet",
    "integrity",
)
PULL_CHECKS = (
    "killed",
    "completes",
    "regions_once_locally",
    "no_local_duplicates",
    "server_unchanged",
    "further_sync_quiet",
    "integrity",
)


@pytest.mark.parametrize("check", PUSH_CHECKS)
def test_sigkill_mid_push(push_book: Book, check: str) -> None:
    push_book.assert_check(check)


@pytest.mark.parametrize("check", PULL_CHECKS)
def test_sigkill_mid_pull(pull_book: Book, check: str) -> None:
    pull_book.assert_check(check)
