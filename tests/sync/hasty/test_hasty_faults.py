"""Hasty sync under crashes and server faults, through the real engine, against the fake.

A crash between the server's answer and the local commit (in process, and a real sync
process killed with SIGKILL mid-push), creates whose answer is lost (looked up by their
``external_id``, never sent twice), throttling, 5xx, timeouts, answers that are not JSON,
wrong keys and roles, an empty workspace balance, a label the server refuses, file URLs
holding control characters or no valid host, paging and the route table.
"""

from __future__ import annotations

import json
import signal

import pytest

from limner.app.cli import main as cli
from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations, EditAnnotations, SetImageStatus
from limner.models.editing.history import History
from limner.models.store import queries, sync_store
from limner.models.store.tx import new_uuid
from limner.sync.adapters.hasty import as_a_browser_sends
from limner.sync.adapters.hasty_format import (
    derived_uuid,
    uuid_from_external,
)
from limner.sync.push import Pusher
from tests.fakes.hasty_server import HastyFake
from tests.fakes.sigkill import sync_killed_mid_push
from tests.sync.hasty_world import (
    KEY_ENV,
    class_ids,
    image_named,
    link,
    local_annotations,
)


# -- crashes and faults --------------------------------------------------------------------
def test_crash_after_the_server_applied_a_push_creates_no_duplicate(
    world, linked, monkeypatch
) -> None:
    linked.engine.run_once()
    img2 = image_named(linked.store, "img2.png")
    car = class_ids(linked.store)["car"]
    items = tuple(
        NewAnnotation(new_uuid(), img2.id, car, Box(i, i, i + 5, i + 5)) for i in range(3)
    )
    History(linked.store).execute(AddAnnotations(items))
    calls = {"n": 0}
    original = Pusher.record

    def die_once(self, snap, result):
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt("killed between the server's answer and the commit")
        return original(self, snap, result)

    monkeypatch.setattr(Pusher, "record", die_once)
    with pytest.raises(KeyboardInterrupt):
        linked.engine.run_once()
    assert len(world.fake.image_labels(world.images["img2.png"])) == 3
    report = linked.engine.run_once()
    assert report.pending == 0 and report.conflicts == 0, report.to_json()
    labels = world.fake.image_labels(world.images["img2.png"])
    assert sorted(uuid_from_external(x["external_id"]) for x in labels) == sorted(
        i.uuid for i in items
    )
    assert world.fake.count("POST", r"/labels$") == 1


def test_sigkill_mid_push_then_a_second_sync_leaves_no_duplicates(
    world, linked, monkeypatch, capsys
) -> None:
    """A real ``limner sync`` process killed mid-push; the next sync finishes the job."""
    fake = world.fake
    names = [f"batch{i:02d}.png" for i in range(30)]
    ids = {name: fake.add_image(world.pid, world.dataset, name, size=(40, 30)) for name in names}
    clone = linked.engine.run_once()
    assert clone.ok, clone.to_json()
    history = History(linked.store)
    car = class_ids(linked.store)["car"]
    wanted: dict[str, dict[str, Box]] = {}
    for index, name in enumerate(names):
        record = image_named(linked.store, name)
        shift = index % 10
        items = (
            NewAnnotation(new_uuid(), record.id, car, Box(1, 2, 11, 12)),
            NewAnnotation(new_uuid(), record.id, car, Box(5 + shift, 3, 20 + shift, 18)),
        )
        history.execute(AddAnnotations(items))
        wanted[name] = {item.uuid: item.geometry for item in items}
    seeded = len(fake.labels)
    # each label batch waits 50 ms before it is applied, so the kill lands mid-push (and a
    # batch the child sent just before it died is applied after it is gone)
    fake.delay_next(0.05, times=10**6, method="POST", path=r"/labels$")

    def landed() -> int:
        with fake.lock:
            held = {label["image_id"] for label in fake.labels.values()}
        return len(held.intersection(ids.values()))

    def connections() -> set[object]:
        with fake.lock:
            return set(fake._connections)

    killed = sync_killed_mid_push(
        linked.store.folder,
        token_env=KEY_ENV,
        token=fake.api_key,
        landed=landed,
        connections=connections,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert 3 <= killed.landed < len(names)  # some images pushed, not all: killed mid-push
    with fake.lock:
        fake.faults.clear()

    monkeypatch.setenv(KEY_ENV, fake.api_key)
    code = cli(["sync", str(linked.store.folder), "--once", "--json", "--token-env", KEY_ENV])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert report["state"] == "up_to_date" and report["pending"] == 0, report
    # every shape is on Hasty exactly once, found by the uuid in its external_id
    for name, shapes in wanted.items():
        labels = fake.image_labels(ids[name])
        found = sorted(uuid_from_external(label["external_id"]) for label in labels)
        assert found == sorted(shapes), name
        for label in labels:
            box = shapes[uuid_from_external(label["external_id"])]
            assert label["bbox"] == [box.x0, box.y0, box.x1, box.y1], name
            assert label["class_id"] == world.classes["car"]
    assert len(fake.labels) == seeded + 2 * len(names)
    # nothing came back as a second local copy and nothing is left to push
    for name, shapes in wanted.items():
        assert set(local_annotations(linked.store, name)) == set(shapes), name
    with linked.store.read() as conn:
        assert sync_store.pending_count(conn, linked.engine.remote_id) == 0


FAULTS = {
    "500 after applying": lambda fake: fake.fail_after_apply(500, method="POST", path=r"/labels$"),
    "connection dropped after applying": lambda fake: fake.drop_after_apply(
        method="POST", path=r"/labels$"
    ),
    "malformed answer after applying": lambda fake: fake.malformed_next(
        apply=True, method="POST", path=r"/labels$"
    ),
    "answer slower than the client timeout": lambda fake: fake.delay_next(
        1.5, method="POST", path=r"/labels$"
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_an_ambiguous_create_is_looked_up_not_repeated(world, tmp_path, fault) -> None:
    linked = link(tmp_path, world, timeout=0.5)
    linked.engine.run_once()
    img2 = image_named(linked.store, "img2.png")
    car = class_ids(linked.store)["car"]
    items = tuple(
        NewAnnotation(new_uuid(), img2.id, car, Box(i, i, i + 4, i + 4)) for i in range(4)
    )
    History(linked.store).execute(AddAnnotations(items))
    FAULTS[fault](world.fake)
    report = linked.engine.run_once()
    if fault == "answer slower than the client timeout":
        # the server may still be saving: nothing is sent again until the next sync
        assert report.state == "offline" and report.pending == 1, report.to_json()
        assert world.fake.wait_idle()
        report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0, report.to_json()
    labels = world.fake.image_labels(world.images["img2.png"])
    assert sorted(uuid_from_external(x["external_id"]) for x in labels) == sorted(
        i.uuid for i in items
    )
    assert world.fake.count("POST", r"/labels$") == 1  # looked up, not sent again
    assert len(linked.waits) >= 1
    linked.store.close()


def test_429_with_retry_after_is_honoured(world, linked) -> None:
    world.fake.fail_next(429, times=2, retry_after="7", method="GET", path=r"/images$")
    report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.pulled_images == 3
    assert linked.waits == [7.0, 7.0]


def test_throttling_without_retry_after_backs_off_exponentially(world, linked) -> None:
    world.fake.fail_next(429, times=3, path=r"/label_classes$")
    assert linked.engine.run_once().state == "up_to_date"
    assert len(linked.waits) == 3
    for attempt, wait in enumerate(linked.waits):
        assert 0.0 <= wait <= 0.5 * 2**attempt  # full jitter under a doubling ceiling


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_and_nothing_is_lost(world, linked, status) -> None:
    linked.engine.run_once()
    img2 = image_named(linked.store, "img2.png")
    item = NewAnnotation(new_uuid(), img2.id, class_ids(linked.store)["car"], Box(1, 1, 9, 9))
    History(linked.store).execute(AddAnnotations((item,)))
    world.fake.fail_next(status, times=2, method="PUT")
    world.fake.fail_next(status, times=1, method="POST")
    History(linked.store).execute(SetImageStatus({img2.id: "approved"}, "submitted"))
    report = linked.engine.run_once()
    assert report.ok, report.to_json()
    assert world.fake.images[world.images["img2.png"]]["status"] == "TO REVIEW"
    assert [
        uuid_from_external(x["external_id"])
        for x in world.fake.image_labels(world.images["img2.png"])
    ] == [item.uuid]
    assert len(linked.waits) == 3


def test_a_read_timeout_is_retried(world, tmp_path) -> None:
    linked = link(tmp_path, world, timeout=0.5)
    world.fake.delay_next(1.5, method="GET", path=r"/images$")
    report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.pulled_images == 3
    assert len(linked.waits) == 1
    linked.store.close()


def test_control_characters_in_a_file_url_are_sent_percent_encoded(world, linked) -> None:
    """The fake pastes an image's name into its file URL unquoted, as a careless server
    might: the file is fetched as a browser would fetch it, not given up on."""
    odd = world.fake.add_image(world.pid, world.dataset, "bad\x00na\x07me.png", size=(40, 30))
    report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.pulled_images == 4, report.message
    record = image_named(linked.store, "badname.png")
    assert record.error is None and (record.width, record.height) == (40, 30)
    files = {p for m, p, _ in world.fake.requests if m == "GET" and p.startswith(f"/files/{odd}")}
    assert files == {f"/files/{odd}/bad%00na%07me.png"}


def test_a_file_url_that_cannot_be_requested_marks_that_image_only(world, linked) -> None:
    odd = world.fake.add_image(world.pid, world.dataset, "odd.png", size=(40, 30))
    world.fake.images[odd]["public_url"] = "http://[::1/odd.png"  # a broken host: no request
    report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.pulled_images == 4, report.message
    record = image_named(linked.store, "odd.png")
    assert record.error and odd in record.error and "cannot be requested" in record.error
    assert image_named(linked.store, "img0.png").error is None


def test_a_file_url_is_cleaned_by_the_browser_rules_and_nothing_else() -> None:
    messy = " \thttp://h.example/a\nb\x00c\x7f d%41?sig=x\x1fy\r\n"
    assert as_a_browser_sends(messy) == "http://h.example/ab%00c%7F d%41?sig=x%1Fy"
    plain = "https://cdn.example/p/i%20j.png?X-Amz-Signature=ab%2Fc"
    assert as_a_browser_sends(plain) == plain


def test_a_read_answer_that_is_not_json_stops_the_run_naming_the_route(world, linked) -> None:
    world.fake.malformed_next(times=1, method="GET", path=r"/labels$")
    report = linked.engine.run_once()
    assert report.state == "error" and "/labels" in report.message, report.message
    assert linked.waits == []  # the same request would get the same answer: not retried
    again = linked.engine.run_once()  # nothing was half-written: the next run goes through
    assert again.state == "up_to_date" and again.pulled_images == 3, again.message


def test_an_outage_longer_than_the_retries_is_offline_and_resumes(world, tmp_path) -> None:
    linked = link(tmp_path, world, attempts=2)
    linked.engine.run_once()
    img2 = image_named(linked.store, "img2.png")
    item = NewAnnotation(new_uuid(), img2.id, class_ids(linked.store)["car"], Box(1, 1, 9, 9))
    History(linked.store).execute(AddAnnotations((item,)))
    world.fake.fail_next(503, times=2)
    report = linked.engine.run_once()
    assert report.state == "offline" and report.pending == 1
    assert "503" in report.message
    report = linked.engine.run_once()
    assert report.ok and report.pending == 0
    assert len(world.fake.image_labels(world.images["img2.png"])) == 1
    linked.store.close()


def test_a_wrong_key_stops_with_an_auth_state(world, tmp_path) -> None:
    linked = link(tmp_path, world, key="not-the-key")
    report = linked.engine.run_once()
    assert report.state == "auth"
    assert "401" in report.message and "check your API key" in report.message
    assert linked.waits == []  # never retried
    linked.store.close()


def test_a_role_without_write_permission_stops_with_an_auth_state(world, linked) -> None:
    linked.engine.run_once()
    img2 = image_named(linked.store, "img2.png")
    item = NewAnnotation(new_uuid(), img2.id, class_ids(linked.store)["car"], Box(1, 1, 9, 9))
    History(linked.store).execute(AddAnnotations((item,)))
    world.fake.fail_next(
        403, message="Looks like service account doesn't have a permission", method="POST"
    )
    report = linked.engine.run_once()
    assert report.state == "auth" and "permission" in report.message
    assert report.pending == 1 and linked.waits == []


def test_out_of_credits_stops_the_run_with_the_reason(world, linked) -> None:
    world.fake.fail_next(402, message="please top up your account", path=r"/images$")
    report = linked.engine.run_once()
    assert report.state == "error"
    assert "402" in report.message and "top up" in report.message and "credits" in report.message


def test_a_refused_label_parks_the_image_with_the_servers_message(world, linked) -> None:
    linked.engine.run_once()
    img0, img2 = image_named(linked.store, "img0.png"), image_named(linked.store, "img2.png")
    car = class_ids(linked.store)["car"]
    good = NewAnnotation(new_uuid(), img0.id, car, Box(1, 1, 9, 9))
    bad = NewAnnotation(new_uuid(), img2.id, car, Box(2, 2, 9, 9))
    History(linked.store).execute(AddAnnotations((good, bad)))
    world.fake.fail_next(
        400,
        message="class_id: label class is archived",
        method="POST",
        path=world.images["img2.png"],
    )
    report = linked.engine.run_once()
    assert any("img2.png" in i and "label class is archived" in i for i in report.issues)
    assert good.uuid in {
        uuid_from_external(x["external_id"])
        for x in world.fake.image_labels(world.images["img0.png"])
    }
    assert world.fake.image_labels(world.images["img2.png"]) == []
    assert linked.waits == []
    assert linked.engine.run_once().ok  # next time it goes through; nothing was lost


def test_an_edit_names_the_label_by_id_with_every_field_the_document_lists(
    world, linked, monkeypatch
) -> None:
    linked.engine.run_once()
    car, _ = world.fake.image_labels(world.images["img0.png"])
    record = local_annotations(linked.store, "img0.png")[derived_uuid(car["id"])]
    History(linked.store).execute(
        EditAnnotations.from_records("Move", [(record, {"geometry": Box(5, 5, 9, 9)})])
    )
    sent: list = []
    original = HastyFake.handle

    def spy(self, method, path, query, body, headers):
        if method == "PUT" and path.endswith("/labels"):
            sent.extend(body)
        return original(self, method, path, query, body, headers)

    monkeypatch.setattr(HastyFake, "handle", spy)
    assert linked.engine.run_once().ok
    (item,) = sent
    assert item["id"] == car["id"] and "label_id" not in item
    assert set(item) == {
        "id", "class_id", "bbox", "polygon", "mask", "keypoints", "tool_used",
        "z_index", "external_id", "external_event_id",
    }  # fmt: skip
    # a label made elsewhere keeps its own fields through limner's edit
    assert (item["external_id"], item["z_index"]) == (car["external_id"], car["z_index"])
    assert world.fake.labels[car["id"]]["bbox"] == [5, 5, 9, 9]


def test_paging_of_images_and_labels(world, tmp_path) -> None:
    for i in range(5):
        iid = world.fake.add_image(world.pid, world.dataset, f"extra{i}.png")
        for j in range(3):
            world.fake.add_label(
                world.pid, iid, {"class_id": world.classes["car"], "bbox": [j, j, j + 4, j + 4]}
            )
    linked = link(tmp_path, world, settings={"page_size": 2})
    report = linked.engine.run_once()
    assert report.pulled_images == 8 and report.ok
    assert len(local_annotations(linked.store, "extra4.png")) == 3
    assert all(int(q.get("limit", 0)) <= 2 for m, p, q in world.fake.requests if "limit" in q)
    linked.store.close()


def test_route_table_can_be_overridden(world, tmp_path) -> None:
    linked = link(
        tmp_path,
        world,
        settings={"routes": {"keypoint_schemas": "/v1/projects/{project_id}/no_such_path"}},
    )
    report = linked.engine.run_once()
    assert report.state == "up_to_date"
    with linked.store.read() as conn:
        person = next(c for c in queries.label_classes(conn) if c.name == "person")
    assert person.skeleton is None  # no schema found there: keypoint labels are not shown
    assert any("keypoint schema" in issue for issue in report.issues)
    linked.store.close()
