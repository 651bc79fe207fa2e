"""A Label Studio task as limner keeps it, and the regions read from it.

The task is stored exactly as the server sent it. Each of its annotations (one per
annotator) is a container of regions; a region is the group of ``result`` items that make
it up (a shape, its per-region answers, a keypoint instance's points and relations).
Items limner cannot represent (labeled relations between regions, closed or curved vector
paths, unknown tools) are kept opaque, in place, and never rewritten.

Reading and rebuilding use the same grouping, so a push can replace exactly the items of
the regions it changes and leave every other item as it came, in its place.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from limner.sync.adapters.base import Problem, RemoteRegion
from limner.sync.adapters.labelstudio_config import LSConfig
from limner.sync.adapters.labelstudio_read import group_results

NAMESPACE = uuidlib.UUID("5f0a7c64-3d8e-4a55-9a53-5c3f3f8f0b9e")


def annotations_of(task: Any) -> list[Mapping[str, Any]]:
    """The task's annotations that are objects (anything else is reported by ``read``)."""
    if not isinstance(task, Mapping):
        return []
    found = task.get("annotations")
    if not isinstance(found, list):
        return []
    return [a for a in found if isinstance(a, Mapping) and a.get("id") is not None]


def author_of(annotation: Mapping[str, Any]) -> str | None:
    name = annotation.get("created_username")
    if isinstance(name, str) and name.strip():
        return name.split(",")[0].strip()
    user = annotation.get("completed_by")
    if isinstance(user, Mapping):
        user = user.get("email") or user.get("id")
    return f"user {user}" if user is not None else None


@dataclass(frozen=True, slots=True)
class Container:
    """One annotation of a task, with its items' owners in local uuids."""

    key: str
    annotation: Mapping[str, Any]
    result: list[Any]
    owners: Mapping[int, str]  # item index -> local uuid
    regions: tuple[RemoteRegion, ...]
    problems: tuple[Problem, ...]


def _local_uuid(container: str, region_id: str, taken: set[str]) -> str:
    """The region's own id, unless another annotation of the task already uses it."""
    if region_id not in taken:
        return region_id
    return str(uuidlib.uuid5(NAMESPACE, f"{container}/{region_id}"))


#: Reasons that describe a valid item limner has no form for (everything else is broken).
_FOREIGN = (
    "kept as it is",
    "relations between regions",
    "not something limner keeps",
    "not a skeleton edge",
    "has no control named",
)


def _problem_for(item: Any, warnings: Sequence[str]) -> tuple[str, str]:
    """(kind, message) for an item limner did not read."""
    if not isinstance(item, Mapping):
        return "malformed", f"a result item that is {type(item).__name__}, not an object"
    item_id = item.get("id")
    for warning in warnings:
        if item_id is not None and repr(item_id) in warning:
            kind = "kept" if any(word in warning for word in _FOREIGN) else "malformed"
            return kind, warning
    return "kept", f"a {item.get('type')} item limner cannot represent; kept as it is"


def read_containers(
    task: Any, config: LSConfig, width: int, height: int
) -> list[Container]:
    """Every annotation of ``task``, grouped into regions (uuids unique across the task)."""
    taken: set[str] = set()
    out: list[Container] = []
    for annotation in annotations_of(task):
        key = str(annotation["id"])
        result = annotation.get("result")
        if not isinstance(result, list):
            problem = Problem("malformed", f"annotation {key} has no result list", key)
            out.append(Container(key, annotation, [], {}, (), (problem,)))
            continue
        groups = group_results(result, config, width, height)
        local = {r.uuid: _local_uuid(key, r.uuid, taken) for r in groups.regions}
        taken.update(local.values())
        author = author_of(annotation)
        regions: list[RemoteRegion] = []
        for region in groups.regions:
            indices = [i for i, owner in groups.owners.items() if owner == region.uuid]
            if region.group is not None:  # the anchor's local uuid names the group here
                region = replace(region, group=local.get(region.group, region.group))
            regions.append(
                RemoteRegion(
                    key=region.uuid,
                    uuid=local[region.uuid],
                    raw=[result[i] for i in sorted(indices)],
                    region=region,
                    container=key,
                    author=author,
                )
            )
        for index in groups.opaque:
            item = result[index]
            item_id = item.get("id") if isinstance(item, Mapping) else None
            kind, why = _problem_for(item, groups.warnings)
            regions.append(
                RemoteRegion(
                    key=str(item_id) if item_id is not None else f"{key}#{index}",
                    uuid=str(uuidlib.uuid5(NAMESPACE, f"{key}#{index}")),
                    raw=[item],
                    region=None,
                    container=key,
                    author=author,
                    problem=why,
                    problem_kind=kind,
                )
            )
        owners = {i: local[o] for i, o in groups.owners.items()}
        out.append(Container(key, annotation, result, owners, tuple(regions), ()))
    return out


def rebuild(
    container: Container,
    replace: Mapping[str, list[Any]],
    drop: set[str],
    append: Sequence[Any] = (),
) -> list[Any]:
    """The container's new ``result``: replaced regions' items in the place of their first
    item, dropped regions left out, every other item exactly as it was, ``append`` last."""
    out: list[Any] = []
    placed: set[str] = set()
    for index, item in enumerate(container.result):
        owner = container.owners.get(index)
        if owner is None:
            out.append(item)
        elif owner in drop:
            continue
        elif owner in replace:
            if owner not in placed:
                out.extend(replace[owner])
                placed.add(owner)
        else:
            out.append(item)
    for owner, items in replace.items():
        if owner not in placed:
            out.extend(items)
    out.extend(append)
    return out
