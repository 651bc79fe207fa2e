"""CloudFactory under the faults a real network gives: 429 with Retry-After, 5xx before
and after a write landed, timeouts, broken answers, a long outage, auth and validation
errors. Nothing is written twice and nothing queued is lost.
"""

from __future__ import annotations

from limner.models.domain.geometry import Box
from limner.models.workflow.review_commands import Submit
from tests.fakes.cloudfactory_world import (
    World,
    add_box,
    server_regions,
    signals_of,
)


# -- faults -------------------------------------------------------------------------------
def test_429_with_retry_after_is_honoured(world: World, link) -> None:
    linked = link()
    linked.engine.run_once()
    uuid = add_box(linked, "img3.png", Box(1, 1, 9, 9))
    world.fake.fault(2, status=429, headers={"Retry-After": "7"}, method="PUT")
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    assert linked.waits == [7.0, 7.0]
    assert list(server_regions(world, "img3.png")) == [uuid]
    assert world.fake.label_writes == 1


def test_throttling_503_on_reads_is_waited_out(world: World, link) -> None:
    linked = link()
    world.fake.fault(
        3, status=503, headers={"Retry-After": "2"}, method="GET", path_contains="/workItems"
    )
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    assert linked.waits == [2.0, 2.0, 2.0]
    assert report.pulled_images == 7


def test_5xx_after_the_write_landed_is_not_written_twice(world: World, link) -> None:
    linked = link()
    linked.engine.run_once()
    uuid = add_box(linked, "img3.png", Box(1, 1, 9, 9))
    linked.history.execute(Submit([linked.image("img4.png").id]))
    world.fake.fault(1, status=502, after=True, method="PUT")
    world.fake.fault(1, status=500, after=True, method="POST", path_contains="/signals")
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    assert world.fake.label_writes == 1
    assert signals_of(world, "img4.png") == [
        ("start", "labeling", "OK"),
        ("complete", "labeling", "OK"),
    ]
    assert list(server_regions(world, "img3.png")) == [uuid]
    assert len(linked.waits) == 2


def test_5xx_before_the_write_is_retried(world: World, link) -> None:
    linked = link()
    linked.engine.run_once()
    linked.history.execute(Submit([linked.image("img4.png").id]))
    world.fake.fault(2, status=500, method="POST", path_contains="/signals")
    assert linked.engine.run_once().state == "up_to_date"
    assert world.item("img4.png")["status"] == "COMPLETED"
    assert len(signals_of(world, "img4.png")) == 2


def test_timeouts_after_the_server_applied_leave_no_duplicates(world: World, link) -> None:
    linked = link(timeout=0.4)
    linked.engine.run_once()
    uuid = add_box(linked, "img3.png", Box(1, 1, 9, 9))
    linked.history.execute(Submit([linked.image("img5.png").id]))
    world.fake.fault(1, after=True, delay=1.5, method="PUT")
    world.fake.fault(1, after=True, delay=1.5, method="POST", path_contains="/signals")
    report = linked.engine.run_once()
    assert report.state == "up_to_date", report.message
    assert world.fake.label_writes == 1
    assert list(server_regions(world, "img3.png")) == [uuid]
    assert signals_of(world, "img5.png") == [
        ("start", "labeling", "OK"),
        ("complete", "labeling", "OK"),
    ]


def test_malformed_answers_stop_the_run_and_nothing_is_duplicated(world: World, link) -> None:
    linked = link()
    world.fake.fault(1, malformed=True, after=True, method="GET", path_contains="/workItems")
    report = linked.engine.run_once()
    assert report.state == "error" and "/workItems" in report.message, report.message
    assert linked.waits == []  # the same request would get the same answer: not retried
    again = linked.engine.run_once()  # nothing was half-written: the next run goes through
    assert again.state == "up_to_date" and again.pulled_images == 7, again.message
    uuid = add_box(linked, "img3.png", Box(1, 1, 9, 9))
    # the write is applied, its answer broken: the state is read back, nothing sent twice
    world.fake.fault(1, malformed=True, after=True, method="PUT")
    assert linked.engine.run_once().state == "up_to_date"
    assert world.fake.label_writes == 1
    assert list(server_regions(world, "img3.png")) == [uuid]


def test_long_outage_keeps_everything_queued(world: World, link) -> None:
    linked = link()
    linked.engine.run_once()
    add_box(linked, "img3.png", Box(1, 1, 9, 9))
    world.fake.fault(50, status=503)
    report = linked.engine.run_once()
    assert report.state == "offline" and report.pending == 1
    assert "503" in report.message
    world.fake.clear_faults()
    report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0


def test_bad_key_and_forbidden_stop_for_credentials(world: World, link) -> None:
    report = link(key="wrong-key").engine.run_once()
    assert report.state == "auth" and "401" in report.message
    assert "invalid or expired" in report.message
    linked = link(name="ok")
    linked.engine.run_once()
    add_box(linked, "img3.png", Box(1, 1, 9, 9))
    world.fake.fault(1, status=403, body={"statusCode": 403, "message": "project access revoked"})
    report = linked.engine.run_once()
    assert report.state == "auth" and "project access revoked" in report.message
    assert report.pending == 1


def test_400_parks_the_image_with_the_servers_message(world: World, link) -> None:
    linked = link()
    linked.engine.run_once()
    add_box(linked, "img3.png", Box(1, 1, 9, 9))
    other = add_box(linked, "img4.png", Box(2, 2, 9, 9))
    message = "labels[0].bbox must lie inside the asset"
    world.fake.fault(
        1,
        status=400,
        method="PUT",
        path_contains=world.ids["img3.png"],
        body={"statusCode": 400, "message": message, "error": "Bad Request"},
    )
    report = linked.engine.run_once()
    assert report.state == "up_to_date"
    assert any("img3.png" in i and message in i for i in report.issues), report.issues
    assert report.pending == 1
    assert list(server_regions(world, "img4.png")) == [other]
    report = linked.engine.run_once()
    assert report.pending == 0 and not any("img3.png" in i for i in report.issues)
