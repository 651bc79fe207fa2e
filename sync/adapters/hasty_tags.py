"""Hasty image tags as limner image tags.

Hasty asks its tag questions as tag groups ("weather": SELECTION, "defects":
MULTIPLE-SELECTION) whose options are tag classes, and keeps an image's answers as a list
of tags, each naming one tag class. limner asks them as tag classes of kind ``tag``: one
per Hasty tag group (single choice for SELECTION, several for MULTIPLE-SELECTION, the
group's tag classes in their order as the options), and one multiple-choice class "Tags"
for tag classes in no group. A name a label class or an earlier group has already gets
" (tag)" appended.

One limner tag is the tags of one group on one image: a region whose raw form is those
tags as the server listed them, keyed ``tags:<group id>``, with a uuid derived from the
image and the group (Hasty keeps no id of limner's on a tag, so a tag made in limner is
known by that uuid once it has been read back). Pushing a tag takes off the group's tags
it no longer names and puts on the ones it adds; a tag the server holds is never sent
again, and one changed there since the last pull stops the push as a conflict. Projects
without tag classes cost no request at all.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from limner.models.domain.geometry import Tag
from limner.sync.adapters.base import ClassSpec, Refused, Region, RemoteRegion
from limner.sync.errors import NotFoundError, RemoteConflictError
from limner.sync.reconcile import Delete, PushPlan, Write

__all__ = ["TagGroup", "TagSchema", "is_tags", "load_tags", "split_plan", "tags_after"]

NAMESPACE = uuidlib.UUID("0d8f3b52-6a1e-4c3b-9a0e-2f6d5c4b7a19")
UNGROUPED = "Tags"


@dataclass(frozen=True, slots=True)
class TagGroup:
    """One tag question: the Hasty group id ("" for tag classes in no group), the limner
    class name, whether it takes one answer, and its options as (tag class id, name)."""

    key: str
    name: str
    single: bool
    options: tuple[tuple[str, str], ...]

    def names(self, class_ids: Iterable[str]) -> list[str]:
        """The option names of ``class_ids``, in option order."""
        chosen = set(class_ids)
        return [name for cid, name in self.options if cid in chosen]


@dataclass(frozen=True, slots=True)
class TagSchema:
    groups: Mapping[str, TagGroup] = field(default_factory=dict)  # group key -> group
    group_of: Mapping[str, str] = field(default_factory=dict)  # tag class id -> group key

    @property
    def empty(self) -> bool:
        return not self.group_of

    def by_name(self, name: str | None) -> TagGroup | None:
        return next((g for g in self.groups.values() if g.name == name), None)

    def class_specs(self) -> list[ClassSpec]:
        return [
            ClassSpec(
                g.name,
                "tag",
                tag={
                    "mode": "single" if g.single else "multiple",
                    "options": [n for _, n in g.options],
                },
            )
            for g in self.groups.values()
        ]

    def regions(self, image_key: str, tags: Sequence[Any]) -> list[RemoteRegion]:
        """One region per group the image has tags of; a tag of an unknown class alone."""
        found: dict[str, list[Mapping[str, Any]]] = {}
        out: list[RemoteRegion] = []
        for tag in tags:
            key = (
                self.group_of.get(str(tag.get("tag_class_id")))
                if isinstance(tag, Mapping)
                else None
            )
            if key is None:
                out.append(_unknown(image_key, tag))
            else:
                found.setdefault(key, []).append(tag)
        for key, items in found.items():
            out.append(self._region(image_key, self.groups[key], items))
        return out

    def _region(
        self, image_key: str, group: TagGroup, items: list[Mapping[str, Any]]
    ) -> RemoteRegion:
        uuid = str(uuidlib.uuid5(NAMESPACE, f"{image_key}/tags/{group.key}"))
        key = f"tags:{group.key}"
        names = group.names(str(t.get("tag_class_id")) for t in items)
        raw = {"tags": list(items)}
        if group.single and len(names) > 1:
            why = f"tag group {group.name!r} takes one tag, but the image has {names}"
            return RemoteRegion(key, uuid, raw, None, problem=why, problem_kind="malformed")
        value: Any = names[0] if group.single else tuple(names)
        return RemoteRegion(key, uuid, raw, Region(uuid, group.name, Tag(value)))

    def encode(self, region: Region) -> dict[str, Any]:
        """``{"tags": [{"tag_class_id", "tag_class_name"}, ...]}`` for one image tag."""
        group = self.by_name(region.class_name)
        if group is None:
            raise Refused(f"class {region.class_name!r} is not a tag group of the Hasty project")
        value = region.geometry.value  # type: ignore[union-attr]
        chosen = (value,) if isinstance(value, str) else value
        if not isinstance(chosen, tuple) or (group.single and len(chosen) != 1):
            takes = "one tag" if group.single else "tags"
            raise Refused(f"tag group {group.name!r} takes {takes}, not {value!r}")
        ids = {name: cid for cid, name in group.options}
        missing = [str(n) for n in chosen if n not in ids]
        if missing:
            raise Refused(f"{', '.join(missing)} are not tags of group {group.name!r} on Hasty")
        return {"tags": [{"tag_class_id": ids[str(n)], "tag_class_name": str(n)} for n in chosen]}


def _unknown(image_key: str, tag: Any) -> RemoteRegion:
    tag_id = str(tag.get("id")) if isinstance(tag, Mapping) else repr(tag)[:40]
    uuid = str(uuidlib.uuid5(NAMESPACE, f"{image_key}/tag/{tag_id}"))
    why = f"tag {tag_id} names a tag class the project does not have"
    return RemoteRegion(tag_id, uuid, {"tags": [tag]}, None, problem=why, problem_kind="malformed")


def load_tags(paged: Any, taken: set[str]) -> TagSchema:
    """The project's tag questions (``paged`` lists an operation); none when the server
    has no tag routes. ``taken`` are the label class names."""
    try:
        classes = sorted(paged("tag_classes"), key=lambda c: float(c.get("norder") or 0))
    except NotFoundError:
        return TagSchema()
    if not classes:
        return TagSchema()
    try:
        groups = {str(g["id"]): g for g in paged("tag_groups")}
    except NotFoundError:
        groups = {}
    options: dict[str, list[tuple[str, str]]] = {}
    titles: dict[str, str] = {}
    for cls in classes:
        key = str(cls.get("tag_group_id") or "")
        options.setdefault(key, []).append((str(cls["id"]), str(cls.get("name"))))
        titles.setdefault(
            key, str(cls.get("tag_group_name") or groups.get(key, {}).get("name") or UNGROUPED)
        )
    out: dict[str, TagGroup] = {}
    order = sorted(options, key=lambda k: (k == "", float(groups.get(k, {}).get("norder") or 0)))
    for key in order:
        name = titles[key] if key else UNGROUPED
        if name in taken:
            name = f"{name} (tag)"
        taken.add(name)
        single = key != "" and groups.get(key, {}).get("type") == "SELECTION"
        out[key] = TagGroup(key, name, single, tuple(options[key]))
    return TagSchema(out, {cid: key for key, opts in options.items() for cid, _ in opts})


def is_tags(raw: Any) -> bool:
    return isinstance(raw, Mapping) and "tags" in raw and "label" not in raw


def split_plan(plan: PushPlan) -> tuple[PushPlan, tuple[Write, ...], tuple[Delete, ...]]:
    """The plan without its image tags, and the tag writes and deletes taken out of it."""
    writes = tuple(w for w in (*plan.creates, *plan.updates) if is_tags(w.raw))
    deletes = tuple(d for d in plan.deletes if is_tags(d.target.raw))
    rest = replace(
        plan,
        creates=tuple(w for w in plan.creates if not is_tags(w.raw)),
        updates=tuple(w for w in plan.updates if not is_tags(w.raw)),
        deletes=tuple(d for d in plan.deletes if not is_tags(d.target.raw)),
    )
    return rest, writes, deletes


def _class_ids(raw: Any) -> set[str]:
    return {str(t.get("tag_class_id")) for t in raw.get("tags") or [] if isinstance(t, Mapping)}


def _check_unchanged(
    image_key: str, schema: TagSchema, targets: Sequence[RemoteRegion], held: Sequence[Any]
) -> None:
    """Stop with a conflict when a group's tags are not what the plan saw."""
    for target in targets:
        key = target.key.removeprefix("tags:")
        now = {
            str(t.get("tag_class_id"))
            for t in held
            if schema.group_of.get(str(t.get("tag_class_id"))) == key
        }
        if now != _class_ids(target.raw):
            raise RemoteConflictError(
                f"the tags of image {image_key} changed on Hasty since the last pull"
            )


def tags_after(
    api: Any,
    image_key: str,
    schema: TagSchema,
    writes: Sequence[Write],
    deletes: Sequence[Delete],
    held: list[Mapping[str, Any]],
) -> list[Mapping[str, Any]]:
    """Carry out the tag writes and deletes; the image's tags afterwards. ``held`` are
    the tags as last pulled, read again first when the plan changes or removes some."""
    targets = [w.target for w in writes if w.target is not None] + [d.target for d in deletes]
    if targets:
        held = api.tags(image_key)
        _check_unchanged(image_key, schema, targets, held)
    add: list[str] = []
    drop: list[str] = []
    for write in writes:
        wanted = _class_ids(write.raw)
        groups = {schema.group_of.get(cid) for cid in wanted}
        if write.target is not None:
            groups.add(write.target.key.removeprefix("tags:"))
        have = [t for t in held if schema.group_of.get(str(t.get("tag_class_id"))) in groups]
        drop += [str(t.get("id")) for t in have if str(t.get("tag_class_id")) not in wanted]
        add += sorted(wanted - {str(t.get("tag_class_id")) for t in have})
    for delete in deletes:
        drop += [
            str(t.get("id"))
            for t in held
            if str(t.get("tag_class_id")) in _class_ids(delete.target.raw)
        ]
    if not add and not drop:
        return list(held)
    return api.change_tags(image_key, add, drop)
