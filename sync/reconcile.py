"""The one reconciler: what to write where, from local, last-synced and remote state.

Every adapter pushes and every pull merges through these two pure functions, so the rules
hold the same for every server:

- a region is *dirty* when its local revision is above the one last synced, and *changed
  remotely* when the server's fingerprint differs from the one last agreed;
- only dirty regions are written; everything else on the server is kept exactly as it is;
- a region changed on both sides is a conflict: neither side is written;
- a local edit the server cannot hold is a refusal: the server's copy stays as it was and
  the local edit stays dirty (it is reported, never marked as synced);
- a remote region limner cannot represent is kept, never dropped or rewritten;
- a remote change reaches a local region only when that region is clean.

Nothing here touches the network or the database: inputs are plain values, the result is a
plan that the engine stores and the adapter carries out.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from limner.sync.adapters.base import Refused, Region, RemoteRegion, region_digest


@dataclass(frozen=True, slots=True)
class LocalRegion:
    """A local annotation as it is now (``region`` None when it is deleted)."""

    uuid: str
    rev: int
    region: Region | None

    @property
    def deleted(self) -> bool:
        return self.region is None


@dataclass(frozen=True, slots=True)
class Base:
    """What both sides last agreed on for one region: the local revision and the fingerprint
    of its content (None when the agreement was that it does not exist)."""

    synced_rev: int
    digest: str | None


@dataclass(frozen=True, slots=True)
class Write:
    """Create (``target`` None) or replace ``target`` with ``raw``, the encoded ``region``."""

    uuid: str
    rev: int
    region: Region
    raw: Any
    target: RemoteRegion | None = None

    @property
    def digest(self) -> str:
        return region_digest(self.region)


@dataclass(frozen=True, slots=True)
class Delete:
    uuid: str
    rev: int
    target: RemoteRegion


@dataclass(frozen=True, slots=True)
class Agreed:
    """Both sides already hold the same thing: record it as synced, send nothing."""

    uuid: str
    rev: int
    digest: str | None


@dataclass(frozen=True, slots=True)
class Refusal:
    uuid: str
    rev: int
    reason: str
    target: RemoteRegion | None = None


@dataclass(frozen=True, slots=True)
class Clash:
    """Changed on both sides; ``remote`` is the server's version (None: deleted there)."""

    uuid: str
    remote: RemoteRegion | None
    detail: str


@dataclass(frozen=True, slots=True)
class PushPlan:
    creates: tuple[Write, ...] = ()
    updates: tuple[Write, ...] = ()
    deletes: tuple[Delete, ...] = ()
    keeps: tuple[RemoteRegion, ...] = ()
    agreed: tuple[Agreed, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    conflicts: tuple[Clash, ...] = ()
    status: StatusWrite | None = None

    @property
    def writes_regions(self) -> bool:
        return bool(self.creates or self.updates or self.deletes)

    @property
    def empty(self) -> bool:
        return not self.writes_regions and self.status is None


@dataclass(frozen=True, slots=True)
class StatusWrite:
    """The image status (and review) to make the server's."""

    status: str
    review: Mapping[str, Any] | None


Encoder = Callable[[Region, RemoteRegion | None], Any]
# What the push does with one dirty local region.
_PushStep = Write | Delete | Agreed | Refusal | Clash


def _changed_remotely(base: Base | None, remote: RemoteRegion | None) -> bool:
    if base is None:
        return remote is not None
    return (remote.digest if remote is not None else None) != base.digest


def plan_push(
    local: Mapping[str, LocalRegion],
    base: Mapping[str, Base],
    remote: Sequence[RemoteRegion],
    encode: Encoder,
    *,
    in_conflict: Collection[str] = (),
    status: StatusWrite | None = None,
) -> PushPlan:
    """The writes that make the server hold every dirty local region, and nothing else.

    ``remote`` is the server's state (as last pulled, or fetched just now); ``in_conflict``
    names regions with an open conflict, which are left alone on both sides.
    """
    by_uuid = {r.uuid: r for r in remote}
    steps: list[_PushStep] = []
    for uuid, here in local.items():
        known = base.get(uuid)
        if known is not None and here.rev <= known.synced_rev:
            continue  # clean: whatever the server has stays
        if uuid in in_conflict:
            continue
        steps.append(_push_step(uuid, here, known, by_uuid.get(uuid), encode))
    return _push_plan(steps, remote, status)


def _push_step(
    uuid: str,
    here: LocalRegion,
    known: Base | None,
    there: RemoteRegion | None,
    encode: Encoder,
) -> _PushStep:
    """What to do with one dirty local region, given what was agreed and what the server has.

    A ``Write`` whose target is None is a create, otherwise an update.
    """
    here_digest = region_digest(here.region) if here.region is not None else None
    if there is not None and there.region is None:
        return Refusal(uuid, here.rev, there.problem or "the server's version is kept", there)
    if _changed_remotely(known, there):
        return _changed_on_both_sides(uuid, here, here_digest, known, there)
    if here.region is None:
        if there is not None:
            return Delete(uuid, here.rev, there)
        return Agreed(uuid, here.rev, None)
    if there is not None and there.digest == here_digest:
        return Agreed(uuid, here.rev, here_digest)
    try:
        raw = encode(here.region, there)
    except Refused as why:
        return Refusal(uuid, here.rev, str(why), there)
    return Write(uuid, here.rev, here.region, raw, there)


def _changed_on_both_sides(
    uuid: str,
    here: LocalRegion,
    here_digest: str | None,
    known: Base | None,
    there: RemoteRegion | None,
) -> Agreed | Clash:
    """A region dirty here and changed on the server: agreed if both now match, else a clash."""
    if (there.digest if there else None) == here_digest:
        return Agreed(uuid, here.rev, here_digest)
    if known is None and there is not None:
        return Clash(uuid, there, "made here and on the server")
    detail = "deleted on the server, changed here" if there is None else (
        "deleted here, changed on the server"
        if here.region is None
        else "changed here and on the server"
    )
    return Clash(uuid, there, detail)


def _push_plan(
    steps: Sequence[_PushStep], remote: Sequence[RemoteRegion], status: StatusWrite | None
) -> PushPlan:
    """The steps sorted by what they do, each kind in local order; untouched remote is kept."""
    writes = [step for step in steps if isinstance(step, Write)]
    creates = tuple(write for write in writes if write.target is None)
    updates = tuple(write for write in writes if write.target is not None)
    deletes = tuple(step for step in steps if isinstance(step, Delete))
    touched = {w.uuid for w in updates} | {d.uuid for d in deletes}
    keeps = tuple(r for r in remote if r.uuid not in touched)
    return PushPlan(
        creates,
        updates,
        deletes,
        keeps,
        tuple(step for step in steps if isinstance(step, Agreed)),
        tuple(step for step in steps if isinstance(step, Refusal)),
        tuple(step for step in steps if isinstance(step, Clash)),
        status,
    )


@dataclass(frozen=True, slots=True)
class PullPlan:
    """What a pulled image changes locally."""

    creates: tuple[RemoteRegion, ...] = ()
    updates: tuple[RemoteRegion, ...] = ()
    deletes: tuple[str, ...] = ()  # uuids deleted on the server, clean here
    agreed: tuple[Agreed, ...] = ()
    conflicts: tuple[Clash, ...] = ()


def plan_pull(
    local: Mapping[str, LocalRegion],
    base: Mapping[str, Base],
    remote: Sequence[RemoteRegion],
) -> PullPlan:
    """The local changes that bring the server's changes in without touching dirty work.

    Opaque remote regions (``region`` None) never become local shapes; they are reported by
    the caller and kept on the server.
    """
    creates: list[RemoteRegion] = []
    updates: list[RemoteRegion] = []
    deletes: list[str] = []
    agreed: list[Agreed] = []
    conflicts: list[Clash] = []
    seen: set[str] = set()
    for there in remote:
        if there.region is None:
            continue
        seen.add(there.uuid)
        known = base.get(there.uuid)
        here = local.get(there.uuid)
        if not _changed_remotely(known, there):
            continue
        if here is None:
            creates.append(there)
            continue
        dirty = known is None or here.rev > known.synced_rev
        if not dirty:
            updates.append(there)
            continue
        here_digest = region_digest(here.region) if here.region is not None else None
        if here_digest == there.digest:
            agreed.append(Agreed(there.uuid, here.rev, there.digest))
        else:
            detail = (
                "deleted here, changed on the server"
                if here.region is None
                else "changed here and on the server"
            )
            conflicts.append(Clash(there.uuid, there, detail))
    opaque = {r.uuid for r in remote if r.region is None}
    for uuid, known in base.items():
        if uuid in seen or uuid in opaque or known.digest is None:
            continue
        here = local.get(uuid)
        if here is None:
            continue
        if here.rev <= known.synced_rev:
            deletes.append(uuid)
        elif here.region is not None:
            conflicts.append(Clash(uuid, None, "deleted on the server, changed here"))
        else:
            agreed.append(Agreed(uuid, here.rev, None))
    return PullPlan(
        tuple(creates), tuple(updates), tuple(deletes), tuple(agreed), tuple(conflicts)
    )
