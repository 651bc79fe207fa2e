"""Sync contract, statuses and reviews: pushed, pulled, and never overwritten in a conflict.

The server's view of a status is read the way that server keeps it (task meta on Label
Studio Community, image statuses on Hasty, annotation statuses on Clarifai, work item
statuses and review signals on CloudFactory); a reviewer's comment is compared only where
the server itself stores one.
"""

from __future__ import annotations

from tests.contract.drivers import Driver, ImageRef, NotExpressible
from tests.contract.harness import Case, canonical
from tests.contract.scenarios import box, contract


def _image(driver: Driver, name: str, seed: int, status: str) -> ImageRef:
    """An image with one region (Clarifai keeps statuses on regions) in ``status``."""
    image = driver.add_image(name, seed=seed)
    driver.add_shape(image, box(seed % 4))
    driver.set_status(image, status)
    return image


def _meta(driver: Driver, image: ImageRef) -> dict[str, str] | None:
    task_meta = getattr(driver, "task_meta", None)
    return canonical({"meta": task_meta(image)}) if task_meta else None


@contract("status_push")
def test_a_local_submit_reaches_the_server(case: Case, driver: Driver) -> None:
    a = _image(driver, "alpha.png", 1, "in_progress")
    case.clone().ok()
    assert case.record(a).status == "in_progress"
    case.submit(a)

    run = case.sync().ok()
    assert run.code == 0, str(run)
    assert driver.status(a)[0] == "submitted"
    again = case.sync().ok()
    assert again.code == 0 and case.record(a).status == "submitted", str(again)
    assert driver.status(a)[0] == "submitted"


@contract("review_push")
def test_local_approve_and_reject_reach_the_server(case: Case, driver: Driver) -> None:
    a = _image(driver, "alpha.png", 1, "submitted")
    b = _image(driver, "beta.png", 2, "submitted")
    c = driver.add_image("gamma.png", seed=3)
    driver.add_shape(c, box(3))
    try:  # a rejection seen on the server tells limner how this server spells it
        driver.set_status(c, "rejected")
    except NotExpressible:
        driver.set_status(c, "submitted")
    case.clone().ok()
    case.review(a, "approve", "looks right")
    case.review(b, "reject", "box too loose")

    run = case.sync().ok()
    assert run.code == 0, str(run)
    approved, rejected = driver.status(a), driver.status(b)
    assert approved[0] == "approved" and rejected[0] == "rejected", (approved, rejected)
    if driver.keeps_comments:
        assert (approved[1], rejected[1]) == ("looks right", "box too loose")
    again = case.sync().ok()
    assert again.code == 0 and driver.status(b)[0] == "rejected", str(again)
    assert (case.record(a).status, case.record(b).status) == ("approved", "rejected")


@contract("review_pull")
def test_a_review_on_the_server_is_pulled(case: Case, driver: Driver) -> None:
    a = _image(driver, "alpha.png", 1, "submitted")
    b = _image(driver, "beta.png", 2, "submitted")
    case.clone().ok()
    assert case.record(a).status == "submitted"
    driver.set_status(a, "approved", "fine work")
    driver.set_status(b, "rejected", "redo the box")

    run = case.sync().ok()
    assert run.code == 0, str(run)
    assert (case.record(a).status, case.record(b).status) == ("approved", "rejected")
    if driver.keeps_comments:
        assert case.review_comment(a) == "fine work"
        assert case.review_comment(b) == "redo the box"


@contract("status_conflict")
def test_a_status_changed_on_both_sides_is_a_conflict(case: Case, driver: Driver) -> None:
    a = _image(driver, "alpha.png", 1, "in_progress")
    case.clone().ok()
    case.submit(a)
    driver.set_status(a, "approved", "approved upstream")
    server, meta = driver.status(a), _meta(driver, a)

    run = case.sync().ok()
    assert run.code == 1 and run.report["conflicts"] >= 1, str(run)
    assert case.record(a).status == "submitted", "the local status was overwritten"
    assert driver.status(a) == server and _meta(driver, a) == meta, "the server was written"
    again = case.sync().ok()
    assert again.code == 1 and driver.status(a) == server, str(again)
    assert case.record(a).status == "submitted"

    (conflict,) = case.conflict_ids()
    assert case.resolve(conflict, "theirs").code == 0
    assert case.record(a).status == "approved"
    if driver.keeps_comments:
        assert case.review_comment(a) == "approved upstream"
    after = case.sync().ok()
    assert after.code == 0, str(after)
    assert driver.status(a) == server and _meta(driver, a) == meta, "the server was written"
    assert case.record(a).status == "approved"
