"""Clarifai sync under faults, through the real engine: crashes and a real SIGKILL mid-push,
lost answers, throttling, timeouts, malformed answers, bad keys, refused batches.

Nothing may be created twice, dropped or silently marked as synced: each test ends with
the server and the project in agreement, or with the failure reported and the work kept.
"""

from __future__ import annotations

import json
import signal

import pytest

from limner.app.cli import main as cli
from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations, EditAnnotations
from limner.models.editing.history import History
from limner.models.store import sync_store
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.sync.adapters.clarifai_format import remote_id_for
from limner.sync.adapters.clarifai_http import THROTTLE_WAIT
from limner.sync.engine import SyncEngine
from limner.sync.push import Pusher
from tests.fakes.sigkill import sync_killed_mid_push
from tests.sync.clarifai_world import (
    PAT_ENV,
    adapter_for,
    class_id,
    image,
    local,
    same_as_server,
)


# -- crashes and faults --------------------------------------------------------------------
def test_crash_after_remote_write_creates_no_duplicate(linked, fake, monkeypatch) -> None:
    store, engine = linked
    engine.run_once()
    img2 = image(store, "img2.png")
    item = NewAnnotation(new_uuid(), img2.id, class_id(store, "Car"), Box(2, 3, 14, 15))
    History(store).execute(AddAnnotations((item,)))
    calls = {"n": 0}
    original = Pusher.record

    def die_once(self, snap, result):
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt("killed between the server's answer and the commit")
        return original(self, snap, result)

    monkeypatch.setattr(Pusher, "record", die_once)
    with pytest.raises(KeyboardInterrupt):
        engine.run_once()
    assert remote_id_for(item.uuid) in fake.regions_of("img2")
    report = engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0, report.to_json()
    assert list(fake.regions_of("img2")) == [remote_id_for(item.uuid)]
    assert all(len(c.body["annotations"]) == 1 for c in fake.rpc_calls("PostAnnotations"))
    assert len(fake.rpc_calls("PostAnnotations")) == 1  # looked first, never re-created


def two_boxes_each(store: ProjectStore, keys: list[str]) -> dict[str, dict[str, Box]]:
    """Two new car boxes on each image (offline work): uuid -> box, by image key."""
    history = History(store)
    car = class_id(store, "Car")
    wanted: dict[str, dict[str, Box]] = {}
    for index, key in enumerate(keys):
        record = image(store, f"{key}.png")
        shift = index % 10
        items = (
            NewAnnotation(new_uuid(), record.id, car, Box(1, 2, 11, 12)),
            NewAnnotation(new_uuid(), record.id, car, Box(5 + shift, 3, 20 + shift, 18)),
        )
        history.execute(AddAnnotations(items))
        wanted[key] = {item.uuid: item.geometry for item in items}
    return wanted


def test_sigkill_mid_push_then_a_second_sync_leaves_no_duplicates(
    linked, fake, monkeypatch, capsys
) -> None:
    """A real ``limner sync`` process killed mid-push; the next sync finishes the job."""
    store, engine = linked
    keys = [f"batch{i:02d}" for i in range(30)]
    for index, key in enumerate(keys):
        fake.add_input(key, 40, 30, seed=100 + index)
    clone = engine.run_once()
    assert clone.state == "up_to_date", clone.message
    # Paced at Clarifai's 15 requests a second the second sync would crawl: the fake's
    # delay hook sets the pace instead. Each create is stored, then answered 50 ms later,
    # so the kill finds creates on the server that the project has not recorded yet.
    with store.transaction() as (conn, _):
        sync_store.update_remote_settings(conn, engine.remote_id, {"requests_per_second": 1000})
    slow = fake.fail(times=10**6, rpc="PostAnnotations", apply_first=True, delay=0.05)
    wanted = two_boxes_each(store, keys)
    with fake.lock:
        seeded = sum(1 for a in fake.annotations.values() if not a.get("input_level"))

    def landed() -> int:
        with fake.lock:
            held = {a["input_id"] for a in fake.annotations.values() if not a.get("input_level")}
        return len(held.intersection(keys))

    def connections() -> set[object]:
        with fake.lock:
            return set(fake.connections)

    killed = sync_killed_mid_push(
        store.folder, token_env=PAT_ENV, token=fake.token, landed=landed, connections=connections
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert 3 <= killed.landed < len(keys)  # some images pushed, not all: killed mid-push
    with fake.lock:
        fake.faults.remove(slow)

    monkeypatch.setenv(PAT_ENV, fake.token)
    code = cli(["sync", str(store.folder), "--once", "--json", "--token-env", PAT_ENV])
    report = json.loads(capsys.readouterr().out)
    assert report["state"] == "up_to_date" and report["pending"] == 0, report
    assert report["conflicts"] == 0 and set(report["issues"]) == set(clone.issues), report
    # in sync; the colleague's whole-image concept is an image tag, so nothing is kept
    assert report["kept"] == 0 and code == report["exit_code"] == 0
    # every shape is on Clarifai exactly once, under the id made from its uuid
    for key, shapes in wanted.items():
        held = fake.regions_of(key)
        assert sorted(held) == sorted(remote_id_for(uuid) for uuid in shapes), key
        for uuid, box in shapes.items():
            assert same_as_server(box, held[remote_id_for(uuid)], 40, 30), (key, uuid)
    with fake.lock:
        total = sum(1 for a in fake.annotations.values() if not a.get("input_level"))
    assert total == seeded + 2 * len(keys)
    # nothing came back as a second local copy and nothing is left to push
    for key, shapes in wanted.items():
        assert set(local(store, f"{key}.png")) == set(shapes), key
    with store.read() as conn:
        assert sync_store.pending_count(conn, engine.remote_id) == 0


def test_lost_answer_to_a_create_is_not_created_twice(tmp_path, fake) -> None:
    store = ProjectStore.create(tmp_path / "p")
    with store.transaction() as (conn, _):
        remote_id = sync_store.add_remote(conn, "clarifai", fake.url, "tester/limner-app")
    waits: list[float] = []
    engine = SyncEngine(store, remote_id, adapter_for(fake, waits=waits, timeout=0.3), workers=1)
    engine.run_once()
    img2 = image(store, "img2.png")
    item = NewAnnotation(new_uuid(), img2.id, class_id(store, "Car"), Box(2, 3, 14, 15))
    History(store).execute(AddAnnotations((item,)))
    # the server stores the annotation but its answer comes too late: the client retries
    fake.fail(rpc="PostAnnotations", apply_first=True, delay=0.6)
    report = engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0, report.to_json()
    posts = fake.rpc_calls("PostAnnotations")
    assert len(posts) == 1  # the input was looked at before sending again ...
    assert list(fake.regions_of("img2")) == [remote_id_for(item.uuid)]  # ... and nothing doubled
    assert len(waits) == 1
    engine.adapter.close()
    store.close()


def edit_something(store: ProjectStore) -> NewAnnotation:
    img2 = image(store, "img2.png")
    item = NewAnnotation(new_uuid(), img2.id, class_id(store, "Car"), Box(2, 3, 14, 15))
    History(store).execute(AddAnnotations((item,)))
    return item


def test_429_with_retry_after_is_honoured(linked, fake) -> None:
    store, engine = linked
    waits: list[float] = []
    engine.adapter = adapter_for(fake, waits=waits)
    engine.run_once()
    item = edit_something(store)
    fake.fail(times=2, rpc="PostAnnotations", http=429, code=11005, headers={"Retry-After": "3"})
    report = engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0
    assert waits == [3.0, 3.0]
    assert list(fake.regions_of("img2")) == [remote_id_for(item.uuid)]


@pytest.mark.parametrize(
    ("http", "code", "expected"),
    [
        (429, 11005, [THROTTLE_WAIT]),  # throttled without Retry-After: the documented pause
        (200, 11005, [THROTTLE_WAIT]),  # the body says it even when HTTP does not
        (200, 10030, None),  # TRY_AGAIN: backoff
        (200, 98004, None),  # an internal issue: backoff
        (503, None, None),
    ],
)
def test_throttling_codes_and_5xx_are_retried(linked, fake, http, code, expected) -> None:
    store, engine = linked
    waits: list[float] = []
    engine.adapter = adapter_for(fake, waits=waits)
    engine.run_once()
    item = edit_something(store)
    fake.fail(rpc="ListAnnotations", http=http, code=code)
    report = engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0, report.to_json()
    assert len(waits) == 1
    if expected is not None:
        assert waits == expected
    assert list(fake.regions_of("img2")) == [remote_id_for(item.uuid)]


def test_timeouts_are_retried(tmp_path, fake) -> None:
    store = ProjectStore.create(tmp_path / "p")
    with store.transaction() as (conn, _):
        remote_id = sync_store.add_remote(conn, "clarifai", fake.url, "tester/limner-app")
    waits: list[float] = []
    engine = SyncEngine(store, remote_id, adapter_for(fake, waits=waits, timeout=0.3), workers=1)
    fake.fail(rpc="StreamInputs", delay=0.6)
    report = engine.run_once()
    assert report.state == "up_to_date", report.message
    assert len(waits) == 1 and report.pulled_images == 5
    engine.adapter.close()
    store.close()


@pytest.mark.parametrize("garbage", ["truncated", "list", "no status"])
def test_a_malformed_answer_is_one_clear_error_and_nothing_is_lost(linked, fake, garbage) -> None:
    store, engine = linked
    waits: list[float] = []
    engine.adapter = adapter_for(fake, waits=waits, attempts=3)
    engine.run_once()
    item = edit_something(store)
    if garbage == "truncated":
        fake.fail(rpc="StreamInputs", malformed=True)
    else:
        body = {"list": [1, 2, 3], "no status": {"inputs": []}}[garbage]
        fake.fail(rpc="StreamInputs", content=json.dumps(body).encode())
    report = engine.run_once()
    assert report.state == "error" and waits == []  # the same answer again would not help
    assert "/inputs/stream" in report.message and "\n" not in report.message, report.message
    assert report.pending == 1  # kept for the next run, nothing lost
    assert engine.run_once().pending == 0
    assert remote_id_for(item.uuid) in fake.regions_of("img2")


def test_bad_key_and_missing_scopes_stop_with_auth(linked, fake) -> None:
    _store, engine = linked
    engine.adapter = adapter_for(fake, token="pat-wrong")
    report = engine.run_once()
    assert report.state == "auth" and "11008" in report.message
    engine.adapter = adapter_for(fake)
    fake.scoped_out = True
    report = engine.run_once()
    assert report.state == "auth" and "Insufficient scopes" in report.message
    fake.scoped_out = False
    assert engine.run_once().state == "up_to_date"


def test_400_parks_the_image_with_the_servers_message(linked, fake) -> None:
    store, engine = linked
    engine.run_once()
    item = edit_something(store)
    img3 = image(store, "img3.png")
    other = NewAnnotation(new_uuid(), img3.id, class_id(store, "Car"), Box(1, 1, 5, 5))
    History(store).execute(AddAnnotations((other,)))
    fake.fail(rpc="PostAnnotations", http=400, code=11102, details="input_ids has a bad value")
    report = engine.run_once()
    assert report.state == "up_to_date"
    assert any("input_ids has a bad value" in issue for issue in report.issues), report.issues
    assert report.pending == 1  # the parked image stays queued, the other went through
    assert len(fake.regions_of("img2")) + len(fake.regions_of("img3")) == 1
    assert engine.run_once().pending == 0
    assert remote_id_for(item.uuid) in fake.regions_of("img2")


def test_mixed_status_commits_the_stored_and_parks_the_refused(linked, fake) -> None:
    store, engine = linked
    engine.run_once()
    img2 = image(store, "img2.png")
    car = class_id(store, "Car")
    good = NewAnnotation(new_uuid(), img2.id, car, Box(1, 1, 6, 6))
    bad = NewAnnotation(new_uuid(), img2.id, car, Box(10, 10, 16, 16))
    History(store).execute(AddAnnotations((good, bad)))
    fake.refused[remote_id_for(bad.uuid)] = (24156, "not yours to change")
    report = engine.run_once()
    assert list(fake.regions_of("img2")) == [remote_id_for(good.uuid)]
    assert any("not yours to change" in issue and bad.uuid in issue for issue in report.issues)
    assert report.pending == 1  # the stored one committed, the refused one stays dirty
    with store.read() as conn:
        refs = sync_store.refs_for_image(conn, engine.remote_id, img2.id)
    assert refs[good.uuid].synced_hash is not None
    # a later edit of the refused annotation is tried again
    del fake.refused[remote_id_for(bad.uuid)]
    History(store).execute(
        EditAnnotations.from_records(
            "Move", [(local(store, "img2.png")[bad.uuid], {"geometry": Box(9, 9, 15, 15)})]
        )
    )
    assert engine.run_once().pending == 0
    assert len(fake.regions_of("img2")) == 2
