"""CloudFactory statuses and reviews: signals from the server's status, never replayed
clicks; the mapping rules (signal plans, bbox formats, what the labels can hold, route
overrides) on their own.
"""

from __future__ import annotations

import pytest

from limner.models.domain.geometry import Box, Polygon
from limner.models.editing.commands import SetImageStatus
from limner.models.workflow.review_commands import Review, Skip, Submit
from limner.sync.adapters.base import Refused, Region
from limner.sync.adapters.cloudfactory import CloudFactoryAdapter
from limner.sync.adapters.cloudfactory_format import canonical_status, merge_routes, plan_signals
from limner.sync.adapters.cloudfactory_labels import LabelStyle, bbox_of, box_of
from limner.sync.errors import ConfigError
from limner.sync.transport import HeaderAuth, Transport
from tests.fakes.cloudfactory_world import (
    KEY,
    SIZES,
    World,
    same_box,
    signals_of,
)


# -- statuses and reviews -------------------------------------------------------------------
def test_statuses_and_reviews_become_signals_and_stay_put(world: World, link) -> None:
    linked = link()
    linked.engine.run_once()
    ids = {n: linked.image(n).id for n in SIZES}
    h = linked.history
    h.execute(Submit([ids["img0.png"]]))
    h.execute(Review(ids["img2.png"], "approve", "tidy"))
    h.execute(Review(ids["img6.png"], "reject", "missed the cyclist"))
    h.execute(Skip([ids["img5.png"]], "blurry"))
    h.execute(Submit([ids["img3.png"]]))
    h.execute(SetImageStatus({ids["img1.png"]: "in_progress"}, "new"))
    report = linked.engine.run_once()
    assert report.state == "up_to_date" and report.pending == 0, report.message
    status = {n: world.item(n)["status"] for n in SIZES}
    assert status["img0.png"] == "COMPLETED" and status["img2.png"] == "COMPLETED"
    assert status["img6.png"] == "NEW" and status["img5.png"] == "FAILED"
    assert status["img3.png"] == "COMPLETED" and status["img1.png"] == "NEW"
    assert signals_of(world, "img0.png") == [
        ("start", "labeling", "OK"),
        ("complete", "labeling", "OK"),
    ]
    assert signals_of(world, "img2.png") == [("complete", "review", "OK")]
    assert signals_of(world, "img6.png") == [("complete", "review", "NOT_OK")]
    assert signals_of(world, "img5.png") == [("cancel", "labeling", "OK")]
    assert [s[0] for s in signals_of(world, "img3.png")] == ["reopen", "start", "complete"]
    assert signals_of(world, "img1.png") == [("release", "labeling", "OK")]
    marker = world.item("img2.png")["labels"][0]["metadata"]["limner_review"]
    assert marker["decision"] == "approve" and marker["comment"] == "tidy"
    # nothing is sent twice and nothing flips back locally
    sent = len(world.fake.signals)
    assert linked.engine.run_once().state == "up_to_date"
    assert len(world.fake.signals) == sent
    local = {n: linked.image(n).status for n in SIZES}
    assert local["img2.png"] == "approved"
    # img6 has no label to carry the rejection: the server reads "back in labeling" and the
    # project follows it (the review itself stays in the image's history)
    assert local["img6.png"] == "new"
    assert local["img5.png"] == "skipped" and local["img0.png"] == "submitted"
    # a second limner sees limner's approval (it is on the labels)
    other = link(name="other")
    other.engine.run_once()
    assert other.image("img2.png").status == "approved"
    assert other.image("img6.png").status == "new"  # no label to carry the rejection


def test_skip_can_release_instead_of_cancel(world: World, link) -> None:
    linked = link(settings={"skip_signal": "release", "assignee": "ann@example.com"})
    linked.engine.run_once()
    linked.history.execute(Skip([linked.image("img1.png").id], "not mine"))
    assert linked.engine.run_once().state == "up_to_date"
    assert signals_of(world, "img1.png") == [("release", "labeling", "OK")]
    assert world.item("img1.png")["status"] == "NEW"
    assert linked.image("img1.png").status == "skipped"


def test_rejection_can_reopen_with_the_reviewers_comment(world: World, link) -> None:
    linked = link(settings={"reject_signal": "reopen"})
    linked.engine.run_once()
    linked.history.execute(Review(linked.image("img2.png").id, "reject", "box too loose"))
    assert linked.engine.run_once().state == "up_to_date"
    (record,) = [s for s in world.fake.signals if s["workItemID"] == world.ids["img2.png"]]
    assert record["signal"] == "reopen" and record["taskType"] == "bulk"
    assert record["feedback"] == {"comments": ["box too loose"]}
    assert world.item("img2.png")["status"] == "NEW"
    marker = world.item("img2.png")["labels"][0]["metadata"]["limner_review"]
    assert marker["decision"] == "reject" and marker["comment"] == "box too loose"
    other = link(name="other")
    other.engine.run_once()
    assert other.image("img2.png").status == "rejected"


def test_route_overrides_are_checked() -> None:
    assert merge_routes({"signal": "post /x/{workItemID}"})["signal"] == ("POST", "/x/{workItemID}")
    with pytest.raises(ConfigError, match="unknown CloudFactory route"):
        merge_routes({"labels": "PUT /x"})
    with pytest.raises(ConfigError, match="batchID"):
        merge_routes({"put_labels": "PUT /projects/{projectID}/batches/{batchID}"})
    with pytest.raises(ConfigError, match="METHOD /path"):
        merge_routes({"put_labels": "FETCH /x"})


# -- mapping rules ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("current", "status", "signals"),
    [
        ("NEW", "new", []),
        ("NEW", "in_progress", ["start"]),
        ("NEW", "submitted", ["start", "complete"]),
        ("IN_PROGRESS", "submitted", ["complete"]),
        ("IN_PROGRESS", "new", ["release"]),
        ("COMPLETED", "submitted", []),
        ("COMPLETED", "approved", ["complete/review/OK"]),
        ("COMPLETED", "rejected", ["complete/review/NOT_OK"]),
        ("COMPLETED", "new", ["reopen"]),
        ("COMPLETED", "skipped", ["reopen", "cancel"]),
        ("FAILED", "submitted", ["reopen", "start", "complete"]),
        ("FAILED", "skipped", []),
        ("NEW", "approved", ["start", "complete", "complete/review/OK"]),
        ("IN_PROGRESS", "rejected", []),
        ("NEW", "skipped", ["cancel"]),
    ],
)
def test_signal_plans(current: str, status: str, signals: list[str]) -> None:
    plan = plan_signals(current, status, skip_signal="cancel", approval_on_server=False)
    names = [s.signal if s.task == "labeling" else f"{s.signal}/{s.task}/{s.outcome}" for s in plan]
    assert names == signals


def test_an_approval_already_on_the_server_is_not_sent_again() -> None:
    assert (
        plan_signals("COMPLETED", "approved", skip_signal="cancel", approval_on_server=True) == []
    )
    assert canonical_status("COMPLETED", {"decision": "approve"}) == "approved"
    assert canonical_status("NEW", {"decision": "reject"}) == "rejected"
    assert canonical_status("FAILED", None) == "skipped"
    assert canonical_status("ARCHIVED", None) is None


@pytest.mark.parametrize("fmt", ["xywh", "xyxy", "xywh_normalized", "xyxy_normalized"])
def test_bbox_formats_round_trip(fmt: str) -> None:
    box = Box(1.25, 2.5, 31.0 / 3.0, 17.75)
    back = box_of(bbox_of(box, 64, 48, fmt), 64, 48, fmt)
    assert same_box(back, box)
    with pytest.raises(ConfigError):
        LabelStyle(bbox_format="yxhw")


def test_only_boxes_are_accepted_with_a_reason() -> None:
    transport = Transport("http://127.0.0.1:9", HeaderAuth("X-API-Key", KEY))
    adapter = CloudFactoryAdapter(transport, "s/p")
    try:
        label = adapter.encode(Region("a", None, Box(0, 0, 1, 1)), 10, 10, target=None)
        assert label == {"metadata": {"limner_uuid": "a"}, "bbox": [0.0, 0.0, 1.0, 1.0]}
        polygon = Polygon.from_points([(0, 0), (4, 0), (0, 4)])
        with pytest.raises(Refused, match="only a bbox"):
            adapter.encode(Region("b", None, polygon), 10, 10, target=None)
        with pytest.raises(Refused, match="left or top edge"):
            adapter.encode(Region("c", None, Box(-1, 0, 4, 4)), 10, 10, target=None)
        assert adapter.capabilities.refuses("mask") is not None
        assert adapter.capabilities.refuses("box") is None
    finally:
        adapter.close()
    with pytest.raises(ConfigError, match="spaceID"):
        CloudFactoryAdapter(transport, "only-a-project")
    with pytest.raises(ConfigError, match="skip_signal"):
        CloudFactoryAdapter(transport, "s/p", settings={"skip_signal": "drop"})
