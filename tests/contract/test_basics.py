"""Sync contract, the basics: clone, push, pull, conflicts, quiet re-syncs, deleted images.

Each scenario sets the server up in its native form, drives limner through its command
line and user commands, and judges the result by what the server stores and what the
local project holds. See ``scenarios.py`` for which servers each scenario runs against.
"""

from __future__ import annotations

import hashlib

from tests.contract.codecs import png
from tests.contract.drivers import Driver, ImageRef
from tests.contract.harness import Case, canonical, describe, match, same
from tests.contract.scenarios import box, contract, sample


def _second(driver: Driver) -> str:
    """The kind of the region kept beside the one a scenario changes."""
    return "polygon" if "polygon" in driver.shape_kinds else "box"


@contract("clone_every_kind")
def test_clone_brings_every_image_and_region(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", 64, 48, seed=1)
    b = driver.add_image("beta.png", 80, 60, seed=2)
    for kind in sorted(driver.shape_kinds):
        driver.add_shape(a, sample(kind))
    driver.add_shape(b, box(1))
    held = driver.shapes(a)
    assert len(held) == len(driver.shape_kinds), "the server did not store the seeded regions"

    run = case.clone().ok()
    assert run.code == 0, str(run)
    assert sorted(case.names()) == sorted([a.name, b.name])
    for image, seed in ((a, 1), (b, 2)):
        record = case.record(image)
        assert record.error is None and (record.width, record.height) == (image.width, image.height)
        served = hashlib.sha256(png(image.width, image.height, seed)).hexdigest()
        assert record.content_hash == served, f"{image.name}: the local file is not the server's"
    assert match(case.shapes(a), list(held.values())), case.dump(a)
    assert match(case.shapes(b), list(driver.shapes(b).values())), case.dump(b)


@contract("push_create")
def test_local_creates_reach_the_server_exactly(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    case.clone().ok()
    made = [sample(kind) for kind in sorted(driver.shape_kinds)]
    for shape in made:
        case.add(a, shape)

    run = case.sync().ok()
    assert run.code == 0 and run.report["pending"] == 0, str(run)
    assert match(driver.shapes(a), made), [describe(s) for s in driver.shapes(a).values()]
    assert match(case.shapes(a), made), case.dump(a)


@contract("push_edit")
def test_a_local_edit_changes_that_region_only(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    x = driver.add_shape(a, box(0))
    y = driver.add_shape(a, sample(_second(driver), 1))
    case.clone().ok()
    before = canonical(driver.raw(a))
    case.edit(a, case.find(a, box(0)), box(2).geometry)

    run = case.sync().ok()
    assert run.code == 0, str(run)
    held = driver.shapes(a)
    assert x in held and same(held[x], box(2)), f"server region {x}: {held.get(x)}"
    assert canonical(driver.raw(a))[y] == before[y], "the region next to the edit was rewritten"
    assert len(held) == 2


@contract("push_delete")
def test_a_local_delete_removes_that_region_only(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    y = driver.add_shape(a, sample(_second(driver), 1))
    x = driver.add_shape(a, box(0))
    case.clone().ok()
    before = canonical(driver.raw(a))
    case.delete(a, case.find(a, box(0)))

    run = case.sync().ok()
    assert run.code == 0, str(run)
    after = canonical(driver.raw(a))
    assert x not in driver.shapes(a), "the deleted region is still on the server"
    assert after == {y: before[y]}, "the server holds more or less than the remaining region"


@contract("pull_create")
def test_a_region_made_on_the_server_is_pulled(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    case.clone().ok()
    made = [sample(kind) for kind in sorted(driver.shape_kinds)]
    for shape in made:
        driver.add_shape(a, shape)

    run = case.sync().ok()
    assert run.code == 0, str(run)
    assert match(case.shapes(a), list(driver.shapes(a).values())), case.dump(a)
    assert len(case.shapes(a)) == len(made)


@contract("pull_edit")
def test_a_region_edited_on_the_server_is_pulled(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    x = driver.add_shape(a, box(0))
    case.clone().ok()
    theirs = case.find(a, box(0))
    mine = case.add(a, box(3))
    assert case.sync().ok().code == 0
    y = next(rid for rid, s in driver.shapes(a).items() if same(s, box(3)))
    driver.edit_shape(a, x, box(1))
    driver.edit_shape(a, y, box(2))

    run = case.sync().ok()
    assert run.code == 0, str(run)
    local = case.shapes(a)
    assert match(local, [box(1), box(2)]), case.dump(a)
    assert same(local[mine], box(2)), "the region limner made lost its identity"
    if driver.region_ids:
        assert same(local[theirs], box(1)), "the server's region lost its identity"


@contract("pull_delete")
def test_a_region_deleted_on_the_server_is_deleted_here(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    x = driver.add_shape(a, box(0))
    driver.add_shape(a, sample(_second(driver), 1))
    case.clone().ok()
    kept = case.find(a, sample(_second(driver), 1))
    driver.delete_region(a, x)

    run = case.sync().ok()
    assert run.code == 0, str(run)
    assert list(case.shapes(a)) == [kept], case.dump(a)


def _conflict(case: Case, driver: Driver) -> tuple[ImageRef, str, str, dict[str, str], int]:
    """Both sides move the same box: (image, server id, uuid, server JSON, conflict id)."""
    a = driver.add_image("alpha.png", seed=1)
    if driver.region_ids:
        rid = driver.add_shape(a, box(0))
        case.clone().ok()
        uuid = case.find(a, box(0))
    else:  # a label without an id of its own: limner made it, so it carries limner's uuid
        case.clone().ok()
        uuid = case.add(a, box(0))
        assert case.sync().ok().code == 0
        (rid,) = driver.shapes(a)
    case.edit(a, uuid, box(1).geometry)
    driver.edit_shape(a, rid, box(2))
    theirs = canonical(driver.raw(a))

    run = case.sync().ok()
    assert run.code == 1 and run.report["conflicts"] == 1, str(run)
    assert same(case.shapes(a)[uuid], box(1)), "the local edit was overwritten"
    assert canonical(driver.raw(a)) == theirs, "the server's edit was overwritten"
    again = case.sync().ok()
    assert canonical(driver.raw(a)) == theirs and same(case.shapes(a)[uuid], box(1)), str(again)
    (conflict,) = case.conflict_ids()
    return a, rid, uuid, theirs, conflict


@contract("conflict_mine")
def test_both_sides_edit_then_keep_mine(case: Case, driver: Driver) -> None:
    a, rid, uuid, _theirs, conflict = _conflict(case, driver)
    assert case.resolve(conflict, "mine").code == 0
    run = case.sync().ok()
    assert run.code == 0, str(run)
    assert same(case.shapes(a)[uuid], box(1))
    held = driver.shapes(a)
    assert rid in held and same(held[rid], box(1)) and len(held) == 1, held


@contract("conflict_theirs")
def test_both_sides_edit_then_take_theirs(case: Case, driver: Driver) -> None:
    a, _rid, uuid, theirs, conflict = _conflict(case, driver)
    assert case.resolve(conflict, "theirs").code == 0
    run = case.sync().ok()
    assert run.code == 0, str(run)
    assert list(case.shapes(a)) == [uuid] and same(case.shapes(a)[uuid], box(2))
    assert canonical(driver.raw(a)) == theirs, "taking theirs rewrote the server"


@contract("conflict_both")
def test_both_sides_edit_then_keep_both(case: Case, driver: Driver) -> None:
    a, rid, _uuid, theirs, conflict = _conflict(case, driver)
    assert case.resolve(conflict, "both").code == 0
    run = case.sync().ok()
    assert run.code == 0, str(run)
    assert match(case.shapes(a), [box(1), box(2)]), case.dump(a)
    assert match(driver.shapes(a), [box(1), box(2)]), driver.shapes(a)
    assert canonical(driver.raw(a))[rid] == theirs[rid], "the server's version was rewritten"


@contract("idle_sync_writes_nothing")
def test_a_sync_with_nothing_changed_sends_no_writes(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    driver.add_shape(a, box(0))
    driver.add_shape(a, sample(_second(driver), 1))
    case.clone().ok()
    stamps = getattr(driver, "annotation_stamps", None)
    after_clone = driver.writes()
    assert case.sync().ok().code == 0
    assert driver.writes() == after_clone, "a sync right after the clone wrote to the server"

    case.edit(a, case.find(a, box(0)), box(2).geometry)
    assert case.sync().ok().code == 0
    written = driver.writes()
    assert written > after_clone, "the push of the edit was not counted as a write"
    seen = stamps(a) if stamps else None
    run = case.sync().ok()
    assert run.code == 0 and run.report["pushed_images"] == 0, str(run)
    assert driver.writes() == written, "a sync with nothing changed wrote to the server"
    if stamps:
        assert stamps(a) == seen, "annotations were saved again"


@contract("remote_image_deleted")
def test_an_image_deleted_on_the_server_is_flagged_and_kept(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    b = driver.add_image("beta.png", seed=2)
    driver.add_shape(b, box(0))
    case.clone().ok()
    mine = case.add(b, box(1))
    assert case.sync().ok().code == 0
    driver.delete_image(b)

    run = case.sync().ok()
    assert run.code in (0, 1, 3), str(run)
    assert sorted(case.names()) == sorted([a.name, b.name]), "local work was deleted"
    assert match(case.shapes(b), [box(0), box(1)]), case.dump(b)
    assert case.deleted_remotely() == {b.name}
    written = driver.writes()
    case.edit(b, mine, box(3).geometry)
    later = case.sync().ok()
    assert later.crash is None and driver.writes() == written, str(later)
    assert same(case.shapes(b)[mine], box(3))
