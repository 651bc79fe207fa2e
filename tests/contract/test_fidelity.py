"""Sync contract, fidelity: what limner did not change stays exactly as the server had it.

Untouched regions keep their raw JSON byte for byte, regions limner cannot represent or
cannot send stay on the server and are reported per region until resolved, another
annotator's work stays theirs, and a reused server id never merges two images.
"""

from __future__ import annotations

import hashlib
from typing import Any

from tests.contract.codecs import png
from tests.contract.drivers import Driver
from tests.contract.harness import Case, canonical, match, same
from tests.contract.scenarios import box, contract, holed, sample


def _changed(before: dict[str, str], after: dict[str, str], keys: list[str]) -> list[str]:
    return [k for k in keys if after.get(k) != before.get(k)]


@contract("untouched_byte_identical")
def test_untouched_regions_are_never_rewritten(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    tricky = driver.add_tricky(a)
    x = driver.add_shape(a, box(2))
    assert case.clone().crash is None
    before = canonical(driver.raw(a))
    case.edit(a, case.find(a, box(2)), box(3).geometry)

    run = case.sync().ok()
    assert run.code in (0, 3), str(run)
    assert same(driver.shapes(a)[x], box(3)), "the edit of the other region was not pushed"
    after = canonical(driver.raw(a))
    changed = _changed(before, after, tricky)
    assert not changed, "rewritten: " + "; ".join(f"{before[k]} -> {after.get(k)}" for k in changed)
    sent = getattr(driver, "sent_ids", None)
    if sent is not None:
        assert not set(tricky) & sent(), "limner sent an edit or a deletion of untouched labels"
    if driver.kind == "labelstudio":
        raw: dict[str, Any] = driver.raw(a)
        assert raw["rot30"]["value"]["rotation"] == 30 and raw["plain"]["value"]["x"] == 5.123
        assert "parentID" not in raw["k1"] and "parentID" not in raw["k2"]
        assert raw["poly5"]["value"]["points"][0] == [5.123, 6.5]


@contract("unrepresentable_kept")
def test_a_region_limner_cannot_represent_stays_untouched(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    driver.add_shape(a, box(0))
    odd = driver.add_unrepresentable(a)
    clone = case.clone().ok()
    assert clone.code == 3, str(clone)
    assert clone.problems_of("kept", a.name), str(clone)
    before = canonical(driver.raw(a))
    assert odd in before
    case.add(a, box(3))

    run = case.sync().ok()
    assert run.code == 3, str(run)
    assert any(same(s, box(3)) for s in driver.shapes(a).values()), "the new box was not pushed"
    after = canonical(driver.raw(a))
    assert not _changed(before, after, list(before)), "an item the push did not concern changed"
    assert run.problems_of("kept", a.name), "the kept region is no longer reported"


@contract("whole_image_answer_kept")
def test_a_whole_image_answer_is_kept_and_reported(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    driver.add_shape(a, box(0))
    answer = driver.add_whole_image_answer(a)
    clone = case.clone().ok()
    assert clone.code == 3, str(clone)
    rows = clone.problems_of("kept", a.name)
    assert [r for r in rows if r.get("remote_key") == answer], str(clone)
    before = canonical(driver.raw(a))
    case.add(a, box(3))

    run = case.sync().ok()
    assert run.code == 3, str(run)
    assert any(same(s, box(3)) for s in driver.shapes(a).values()), "the new box was not pushed"
    assert canonical(driver.raw(a))[answer] == before[answer], "the whole-image answer changed"


@contract("refused_hole")
def test_a_refused_edit_leaves_the_server_and_stays_dirty(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    rid = driver.add_shape(a, sample("polygon"))
    case.clone().ok()
    uuid = case.find(a, sample("polygon"))
    before = canonical(driver.raw(a))[rid]
    case.edit(a, uuid, holed(sample("polygon")).geometry)

    def refused(run: Any) -> list[dict[str, Any]]:
        return [r for r in run.problems_of("refused", a.name) if r.get("local_key") == uuid]

    run = case.sync().ok()
    assert run.code == 1, str(run)
    (row,) = refused(run)
    assert row.get("remote_key") == rid and row.get("message"), row
    assert canonical(driver.raw(a))[rid] == before, "the server's polygon was rewritten"

    driver.add_shape(a, box(1))  # the server moves on: the next pull reads this image again
    later = case.sync().ok()
    assert later.code == 1 and later.report["pending"] >= 1, str(later)
    assert same(case.shapes(a)[uuid], holed(sample("polygon"))), "the local polygon was lost"
    assert refused(later), "the refusal is no longer reported"
    assert canonical(driver.raw(a))[rid] == before, "the server's polygon was rewritten"
    assert match(case.shapes(a), [holed(sample("polygon")), box(1)]), case.dump(a)


@contract("problems_persist")
def test_problems_are_one_row_each_and_persist(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    (bad,) = driver.add_malformed(a, limit=1)
    case.clone().ok()
    hole = case.add(a, holed(sample("polygon")))  # no server here can hold a hole

    def rows(run: Any) -> set[tuple[str, str | None, str | None]]:
        mine = [p for p in run.problems if p.get("image") == a.name]
        return {(p["kind"], p.get("local_key"), p.get("remote_key")) for p in mine}

    first = case.sync().ok()
    found = rows(first)
    assert any(k == "refused" and local == hole for k, local, _ in found), str(first)
    assert any(k == "malformed" for k, _, _ in found), str(first)
    if driver.region_ids:
        assert ("malformed", None, bad.rid) in found or any(
            k == "malformed" and remote == bad.rid for k, _, remote in found
        ), str(first)
    assert len(first.problems_of("refused", a.name)) == 1
    assert len(first.problems_of("malformed", a.name)) == 1

    case.add(a, box(3))
    second = case.sync().ok()
    assert any(same(s, box(3)) for s in driver.shapes(a).values()), "the new box was not pushed"
    assert rows(second) == found, f"problems changed: {found} -> {rows(second)}"


@contract("reused_image_id")
def test_a_reused_server_id_is_a_new_image(case: Case, driver: Driver) -> None:
    other = driver.add_image("first.png", seed=1)
    old = driver.add_image("old.png", seed=2)  # the newest image on the server
    case.clone().ok()
    mine = case.add(old, box(0))
    assert case.sync().ok().code == 0
    old_hash = case.record(old).content_hash
    fresh = driver.reuse_key(old, "new.png", seed=9)
    assert fresh.key == old.key and fresh.name != old.name

    run = case.sync().ok()
    assert run.crash is None, str(run)
    assert sorted(case.names()) == sorted([other.name, old.name, fresh.name]), case.names()
    assert list(case.shapes(old)) == [mine], "the old image lost its box"
    assert case.deleted_remotely() == {old.name}
    new = case.record(fresh)
    served = hashlib.sha256(png(fresh.width, fresh.height, 9)).hexdigest()
    assert new.error is None and new.content_hash == served != old_hash, "not the new file"
    assert case.shapes(fresh) == {}

    case.add(old, box(1))
    later = case.sync().ok()
    assert later.crash is None, str(later)
    assert driver.raw(fresh) == {}, "a box drawn on the old image went into the new one"


@contract("two_annotators")
def test_two_annotators_keep_their_own_annotations(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    o1 = driver.add_shape(a, box(0), author="other")
    o2 = driver.add_shape(a, sample("polygon", 1), author="other")
    m1 = driver.add_shape(a, box(1))
    case.clone().ok()
    colleague = driver.other_user()
    local = case.annotations(a)
    theirs = {case.find(a, box(0)), case.find(a, sample("polygon", 1))}
    for uuid in theirs:
        assert colleague in local[uuid].author, f"author {local[uuid].author!r}"
    assert colleague not in local[case.find(a, box(1))].author
    before = canonical(driver.raw(a))
    case.edit(a, case.find(a, box(0)), box(2).geometry)
    case.add(a, box(3))

    run = case.sync().ok()
    assert run.code == 0, str(run)
    held, owners = driver.shapes(a), driver.authors(a)
    assert same(held[o1], box(2)) and owners[o1] == colleague, "the edit left its annotation"
    new = [rid for rid, s in held.items() if same(s, box(3))]
    assert len(new) == 1 and owners[new[0]] != colleague, "the new region went to the colleague"
    after = canonical(driver.raw(a))
    assert after[o2] == before[o2] and after[m1] == before[m1]
    assert sorted(r for r, who in owners.items() if who == colleague) == sorted([o1, o2])
