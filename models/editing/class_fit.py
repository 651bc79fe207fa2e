"""Which classes a tool can draw with: a class's kind follows from what it holds.

A class's stored ``kind`` is what the user chose, but what the class holds says more: a
class with a skeleton can only be drawn as keypoints (whatever its kind says), and a class
with a tag question is an image tag, never a shape. :func:`holds` is that kind, and
:func:`fits` says whether a tool's shapes can be of the class, so a box is never given a
skeleton class and no shape tool is ever handed a tag class.

A tool is known here by the kind of shape it makes (:data:`TOOL_MAKES`); a tool that is
not listed (the select tool, a tool added later) takes any shape class.
"""

from __future__ import annotations

from collections.abc import Iterable

from limner.models.domain.entities import TAG_KIND, Annotation, LabelClass

__all__ = ["TOOL_MAKES", "class_for_tool", "fits", "fitting", "holds", "is_tag_class"]

TOOL_MAKES: dict[str, str] = {
    "box": "box",
    "polygon": "polygon",
    "brush": "mask",
    "eraser": "mask",
    "wand": "mask",
    "grabcut": "mask",
    "keypoints": "keypoints",
    "polyline": "polyline",
    "point": "point",
    "ellipse": "ellipse",
}
"""Tool name -> the kind of shape the tool makes."""

TOOL_FOR_KIND: dict[str, str] = {
    "box": "box",
    "polygon": "polygon",
    "mask": "brush",
    "keypoints": "keypoints",
    "polyline": "polyline",
    "point": "point",
    "ellipse": "ellipse",
}
"""The tool to draw a class of that kind with, when the current one cannot."""


def is_tag_class(label_class: LabelClass) -> bool:
    return label_class.kind == TAG_KIND or label_class.tag is not None


def holds(label_class: LabelClass) -> str:
    """The kind of the class as its contents say: ``tag`` for a class with a tag question,
    ``keypoints`` for one with a skeleton, else its stored kind (``any`` for any shape)."""
    if is_tag_class(label_class):
        return TAG_KIND
    if label_class.skeleton is not None:
        return "keypoints"
    return label_class.kind


def fits(label_class: LabelClass, shape_kind: str | None) -> bool:
    """Whether a shape of ``shape_kind`` (None: any shape) can be of ``label_class``.

    Keypoints need a skeleton, so only a class with one fits them; a tag class fits no
    shape at all.
    """
    kind = holds(label_class)
    if kind == TAG_KIND:
        return False
    if shape_kind is None:
        return True
    if shape_kind == "keypoints":
        return kind == "keypoints"
    return kind in ("any", shape_kind)


def fitting(classes: Iterable[LabelClass], tool: str) -> list[LabelClass]:
    """The classes the tool called ``tool`` offers, in their order."""
    makes = TOOL_MAKES.get(tool)
    return [c for c in classes if fits(c, makes)]


def class_for_tool(
    classes: Iterable[LabelClass], tool: str, current: int | None, last: int | None = None
) -> int | None:
    """The class to draw with after switching to ``tool``: ``current`` when it fits, else
    ``last`` (the one last used with that tool) when it still fits, else the first that
    fits; ``current`` when none does (the tool then says what it needs)."""
    offered = [c.id for c in fitting(classes, tool)]
    for candidate in (current, last):
        if candidate is not None and candidate in offered:
            return candidate
    return offered[0] if offered else current


def shape_fits(annotation: Annotation, label_class: LabelClass) -> bool:
    """Whether ``annotation`` may be given ``label_class`` (a tag only a tag class)."""
    if annotation.kind == TAG_KIND:
        return is_tag_class(label_class)
    return fits(label_class, annotation.kind)
