"""Label Studio relations read as limner groups, and written back.

Label Studio links two regions with a ``relation`` item (``from_id``, ``to_id``, a
direction and optional labels); limner ties annotations into a group whose id is the
uuid of one member, the anchor. Unlabeled relations between regions limner read join
those regions into one group (labeled relations say more than "these are one object"
and stay as they are). A group limner writes is a star: one relation from the anchor to
each other member, carried by that member, so that a member leaving the group takes
exactly its own relation away and nobody else's items change.

Reading finds the anchor again: the member every relation of the group starts from (a
star, as limner writes it), else the first member in result order that is not a keypoint
instance, else the first. Each relation belongs to its end farther from the anchor (by
the number of relations between), so that every member carries the relation that ties it
toward the anchor and a push replacing a member's items replaces that relation too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["GroupReading", "Link", "group_relation", "resolve_groups"]


@dataclass(frozen=True, slots=True)
class Link:
    """One relation item (its index in the result) between two regions, by region uuid."""

    index: int
    source: str
    target: str


@dataclass(frozen=True, slots=True)
class GroupReading:
    """``groups`` maps a region uuid to its group's anchor; ``owners`` a relation item's
    index to the region it belongs to."""

    groups: dict[str, str]
    owners: dict[int, str]


def _find(parent: dict[str, str], uuid: str) -> str:
    while parent[uuid] != uuid:
        parent[uuid] = parent[parent[uuid]]
        uuid = parent[uuid]
    return uuid


def resolve_groups(
    links: Sequence[Link], order: Sequence[str], instances: set[str]
) -> GroupReading:
    """The groups ``links`` make; ``order`` is the regions' result order, ``instances``
    the uuids of keypoint instances (which are an anchor only when nothing else is)."""
    parent: dict[str, str] = {}
    for link in links:
        for uuid in (link.source, link.target):
            parent.setdefault(uuid, uuid)
        a, b = _find(parent, link.source), _find(parent, link.target)
        if a != b:
            parent[b] = a
    members: dict[str, list[str]] = {}
    for uuid in order:
        if uuid in parent:
            members.setdefault(_find(parent, uuid), []).append(uuid)
    groups: dict[str, str] = {}
    for root, found in members.items():
        own = [link for link in links if _find(parent, link.source) == root]
        sources = {link.source for link in own}
        if len(sources) == 1 and next(iter(sources)) in found:
            anchor = next(iter(sources))
        else:
            anchor = next((u for u in found if u not in instances), found[0])
        groups.update((uuid, anchor) for uuid in found)
    depth = _depths(links, set(groups.values()))
    owners = {
        link.index: link.source if depth[link.source] > depth[link.target] else link.target
        for link in links
    }
    return GroupReading(groups, owners)


def _depths(links: Sequence[Link], anchors: set[str]) -> dict[str, int]:
    """How many relations each linked region is from its group's anchor."""
    neighbours: dict[str, list[str]] = {}
    for link in links:
        neighbours.setdefault(link.source, []).append(link.target)
        neighbours.setdefault(link.target, []).append(link.source)
    depth = {anchor: 0 for anchor in anchors}
    frontier = list(anchors)
    while frontier:
        following: list[str] = []
        for uuid in frontier:
            for other in neighbours.get(uuid, ()):
                if other not in depth:
                    depth[other] = depth[uuid] + 1
                    following.append(other)
        frontier = following
    return depth


def group_relation(anchor_id: str, member_id: str) -> dict[str, Any]:
    """The relation item that puts ``member_id`` in the group anchored at ``anchor_id``."""
    return {"type": "relation", "from_id": anchor_id, "to_id": member_id, "direction": "right"}
