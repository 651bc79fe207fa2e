"""Groups: several annotations that are one object, and the commands that make and undo them.

A group is the annotations that share a ``group_id``. Its id is the uuid of one of its
members, the anchor (the lowest in drawing order that is not a keypoint instance, when
there is one): a server that links regions one to another, as Label Studio's relations
do, can then write every member as "linked to the anchor" and be read back into the same
group id, with no id of its own to keep anywhere.

A group moves, copies and deletes together: :func:`expand_groups` turns the shapes the
user picked into the whole groups they belong to, and the commands here start from it.
Grouping shapes of several groups merges them; grouping and ungrouping are one undoable
edit each, of the ``group_id`` field alone. Image tags have no place and join no group.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from limner.models.domain.entities import Annotation
from limner.models.domain.geometry import Keypoints, has_extent, translate
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.commands import DeleteAnnotations, EditAnnotations

__all__ = [
    "delete_command",
    "expand_groups",
    "group_command",
    "move_command",
    "ungroup_command",
]


def _order(annotations: Iterable[Annotation]) -> list[Annotation]:
    return sorted(annotations, key=lambda a: (a.z, a.id))


def expand_groups(targets: Iterable[Annotation], shapes: Iterable[Annotation]) -> list[Annotation]:
    """``targets`` with every annotation of ``shapes`` that shares a group with one of them,
    in drawing order and each once."""
    chosen = {a.uuid: a for a in targets}
    groups = {a.group_id for a in chosen.values() if a.group_id is not None}
    if groups:
        for shape in shapes:
            if shape.group_id in groups:
                chosen.setdefault(shape.uuid, shape)
    return _order(chosen.values())


def group_command(
    targets: Sequence[Annotation], shapes: Iterable[Annotation]
) -> EditAnnotations | None:
    """Make ``targets`` (with the groups they are in) one group; None when that changes
    nothing or leaves fewer than two shapes."""
    members = [a for a in expand_groups(targets, shapes) if has_extent(a.geometry)]
    if len(members) < 2:
        return None
    anchor = next((a for a in members if not isinstance(a.geometry, Keypoints)), members[0])
    command = EditAnnotations.from_records(
        QT_TRANSLATE_NOOP("Commands", "Group"),
        [(a, {"group_id": anchor.uuid}) for a in members],
        select=[a.uuid for a in members],
    )
    return command if command.edits else None


def ungroup_command(
    targets: Sequence[Annotation], shapes: Iterable[Annotation]
) -> EditAnnotations | None:
    """Dissolve every group ``targets`` touch; None when none of them is grouped."""
    members = [a for a in expand_groups(targets, shapes) if a.group_id is not None]
    if not members:
        return None
    return EditAnnotations.from_records(
        QT_TRANSLATE_NOOP("Commands", "Ungroup"),
        [(a, {"group_id": None}) for a in members],
        select=[a.uuid for a in members],
    )


def move_command(
    targets: Sequence[Annotation], shapes: Iterable[Annotation], dx: float, dy: float
) -> EditAnnotations | None:
    """Move ``targets`` and the rest of their groups by ``(dx, dy)``; locked ones stay."""
    members = [a for a in expand_groups(targets, shapes) if not a.locked]
    changes = [(a, {"geometry": translate(a.geometry, dx, dy)}) for a in members]
    command = EditAnnotations.from_records(QT_TRANSLATE_NOOP("Commands", "Move"), changes)
    return command if command.edits else None


def delete_command(
    targets: Sequence[Annotation], shapes: Iterable[Annotation], image_id: int
) -> DeleteAnnotations | None:
    """Delete ``targets`` and the rest of their groups, as one step."""
    members = expand_groups(targets, shapes)
    if not members:
        return None
    uuids = tuple(a.uuid for a in members)
    text = (
        QT_TRANSLATE_NOOP("Commands", "Delete annotation")
        if len(uuids) == 1
        else QT_TRANSLATE_NOOP("Commands", "Delete {count} annotations").format(count=len(uuids))
    )
    return DeleteAnnotations(uuids, on_image=image_id, text=text)
