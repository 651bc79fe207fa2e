"""The reconciler alone: which writes a push plans and what a pull changes, for every case
of clean, dirty, changed remotely, refused, opaque and conflicting regions."""

from __future__ import annotations

from limner.models.domain.geometry import Box, Polygon, PolygonPart, bounds
from limner.sync.adapters.base import Refused, Region, RemoteRegion, region_digest
from limner.sync.reconcile import Base, LocalRegion, StatusWrite, plan_pull, plan_push


def region(uuid: str, x: float = 1.0, cls: str = "car") -> Region:
    return Region(uuid, cls, Box(x, 1.0, x + 5.0, 6.0))


def remote(r: Region | None, uuid: str = "", raw: object = None) -> RemoteRegion:
    key = r.uuid if r is not None else uuid
    return RemoteRegion(key, key, raw if raw is not None else {"id": key}, r)


def encode(r: Region, target: RemoteRegion | None) -> object:
    if isinstance(r.geometry, Polygon) and any(p.holes for p in r.geometry.parts):
        raise Refused("this server cannot hold holes")
    return {"id": target.key if target else r.uuid, "x": bounds(r.geometry)[0]}


def agreed(r: Region, rev: int = 1) -> Base:
    return Base(rev, region_digest(r))


def test_clean_regions_are_kept_untouched() -> None:
    a, b = region("a"), region("b", 10)
    plan = plan_push(
        {"a": LocalRegion("a", 1, a), "b": LocalRegion("b", 1, b)},
        {"a": agreed(a), "b": agreed(b)},
        [remote(a), remote(b)],
        encode,
    )
    assert plan.empty and [k.uuid for k in plan.keeps] == ["a", "b"]


def test_one_edit_updates_only_that_region() -> None:
    a, b = region("a"), region("b", 10)
    moved = region("a", 3)
    plan = plan_push(
        {"a": LocalRegion("a", 2, moved), "b": LocalRegion("b", 1, b)},
        {"a": agreed(a), "b": agreed(b)},
        [remote(a), remote(b)],
        encode,
    )
    assert [w.uuid for w in plan.updates] == ["a"] and plan.updates[0].raw == {"id": "a", "x": 3}
    assert [k.uuid for k in plan.keeps] == ["b"]
    assert not plan.creates and not plan.deletes


def test_new_and_deleted_regions() -> None:
    a = region("a")
    plan = plan_push(
        {"a": LocalRegion("a", 2, None), "n": LocalRegion("n", 1, region("n"))},
        {"a": agreed(a)},
        [remote(a)],
        encode,
    )
    assert [d.uuid for d in plan.deletes] == ["a"] and [c.uuid for c in plan.creates] == ["n"]


def test_a_refused_edit_keeps_the_server_copy_and_is_reported() -> None:
    a = region("a")
    ring = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))
    hole = ((2.0, 2.0), (4.0, 2.0), (4.0, 4.0))
    holed = Region("a", "car", Polygon((PolygonPart(ring, (hole,)),)))
    plan = plan_push({"a": LocalRegion("a", 2, holed)}, {"a": agreed(a)}, [remote(a)], encode)
    assert not plan.writes_regions
    assert [r.uuid for r in plan.refusals] == ["a"] and "holes" in plan.refusals[0].reason
    assert [k.uuid for k in plan.keeps] == ["a"]
    # and the pull that follows changes nothing locally: the server did not change it
    pulled = plan_pull({"a": LocalRegion("a", 2, holed)}, {"a": agreed(a)}, [remote(a)])
    assert not (pulled.creates or pulled.updates or pulled.deletes or pulled.conflicts)


def test_changed_on_both_sides_is_a_conflict_that_writes_neither() -> None:
    a = region("a")
    theirs, mine = region("a", 7), region("a", 3)
    plan = plan_push({"a": LocalRegion("a", 2, mine)}, {"a": agreed(a)}, [remote(theirs)], encode)
    assert not plan.writes_regions and [c.uuid for c in plan.conflicts] == ["a"]
    pulled = plan_pull({"a": LocalRegion("a", 2, mine)}, {"a": agreed(a)}, [remote(theirs)])
    assert [c.uuid for c in pulled.conflicts] == ["a"] and not pulled.updates


def test_open_conflicts_are_left_alone() -> None:
    a = region("a")
    plan = plan_push(
        {"a": LocalRegion("a", 2, region("a", 3))},
        {"a": agreed(a)},
        [remote(a)],
        encode,
        in_conflict={"a"},
    )
    assert plan.empty and not plan.conflicts and not plan.refusals


def test_opaque_remote_regions_are_always_kept() -> None:
    opaque = RemoteRegion("rot", "rot", {"rotation": 30}, None, problem="rotated")
    a = region("a")
    plan = plan_push(
        {"a": LocalRegion("a", 2, region("a", 4))}, {"a": agreed(a)}, [remote(a), opaque], encode
    )
    assert [k.key for k in plan.keeps] == ["rot"]
    pulled = plan_pull({}, {}, [opaque])
    assert not pulled.creates


def test_pull_applies_remote_changes_to_clean_regions_only() -> None:
    a, b = region("a"), region("b", 10)
    plan = plan_pull(
        {"a": LocalRegion("a", 1, a), "b": LocalRegion("b", 1, b)},
        {"a": agreed(a), "b": agreed(b)},
        [remote(region("a", 5)), remote(region("c", 20))],
    )
    assert [u.uuid for u in plan.updates] == ["a"]
    assert [c.uuid for c in plan.creates] == ["c"]
    assert plan.deletes == ("b",)


def test_deleted_on_the_server_while_changed_here_is_a_conflict() -> None:
    a = region("a")
    plan = plan_pull({"a": LocalRegion("a", 2, region("a", 3))}, {"a": agreed(a)}, [])
    assert [c.detail for c in plan.conflicts] == ["deleted on the server, changed here"]
    assert not plan.deletes


def test_same_change_on_both_sides_is_agreed_without_a_write() -> None:
    a, same = region("a"), region("a", 9)
    plan = plan_push({"a": LocalRegion("a", 2, same)}, {"a": agreed(a)}, [remote(same)], encode)
    assert plan.empty and [g.uuid for g in plan.agreed] == ["a"]


def test_status_travels_with_the_plan() -> None:
    plan = plan_push({}, {}, [], encode, status=StatusWrite("approved", {"comment": "ok"}))
    assert not plan.writes_regions and not plan.empty
