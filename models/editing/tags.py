"""Image tags as edits: answering, changing and clearing the tags of one image.

An image holds at most one tag per tag class, an annotation whose geometry is a
:class:`Tag`. Answering a question the image has no tag for adds one, a new answer edits
it, and an empty answer (no choice, no text) deletes it, so the existing add, edit and
delete commands carry every change and undo, review and sync need nothing new. A tag
class with no spec of its own takes free text.
"""

from __future__ import annotations

from limner.models.domain.entities import TAG_KIND, Annotation, LabelClass, NewAnnotation
from limner.models.domain.geometry import Tag, TagSpec, TagValue
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing.commands import (
    AddAnnotations,
    Command,
    DeleteAnnotations,
    EditAnnotations,
)
from limner.models.errors import GeometryError
from limner.models.store.tx import new_uuid

__all__ = ["spec_of", "tag_command", "toggle_command"]

_FREE_TEXT = TagSpec("text")


def spec_of(label_class: LabelClass) -> TagSpec:
    """What a tag class asks; a class of another kind asks nothing and is refused."""
    if label_class.kind != TAG_KIND:
        raise GeometryError(f"class {label_class.name!r} is not a tag class")
    return label_class.tag or _FREE_TEXT


def _empty(value: TagValue | None) -> bool:
    return value is None or value == "" or value == ()


def tag_command(
    image_id: int,
    label_class: LabelClass,
    current: Annotation | None,
    value: TagValue | list[str] | None,
) -> Command | None:
    """The edit that makes ``value`` the image's answer to ``label_class``.

    ``current`` is the image's tag of that class, if it has one. Returns None when the
    answer is already the image's; raises GeometryError when the class does not take it.
    """
    spec = spec_of(label_class)
    if isinstance(value, list):
        value = tuple(value)
    if _empty(value):
        if current is None:
            return None
        return DeleteAnnotations(
            (current.uuid,),
            on_image=image_id,
            text=QT_TRANSLATE_NOOP("Commands", "Clear {name}").format(name=label_class.name),
        )
    tag = spec.check(Tag(value))
    if current is None:
        new = NewAnnotation(new_uuid(), image_id, label_class.id, tag)
        text = QT_TRANSLATE_NOOP("Commands", "Tag {name}").format(name=label_class.name)
        return AddAnnotations((new,), text=text, select=False)
    if current.geometry == tag:
        return None
    command = EditAnnotations.from_records(
        QT_TRANSLATE_NOOP("Commands", "Change {name}").format(name=label_class.name),
        [(current, {"geometry": tag})],
    )
    return command if command.edits else None


def toggle_command(
    image_id: int, label_class: LabelClass, current: Annotation | None, option: str
) -> Command | None:
    """What pressing an option's toggle (or hotkey) does: a single-choice class takes the
    option, or clears it when it is already the answer; a multiple-choice class adds the
    option to the answer or takes it out."""
    spec = spec_of(label_class)
    if spec.mode not in ("single", "multiple"):
        raise GeometryError(f"{label_class.name!r} asks for {spec.mode}, not for a choice")
    if option not in spec.options:
        raise GeometryError(f"{option!r} is not one of {', '.join(spec.options)}")
    answer = (
        current.geometry.value
        if current is not None and isinstance(current.geometry, Tag)
        else None
    )
    if spec.mode == "single":
        return tag_command(image_id, label_class, current, None if answer == option else option)
    chosen = set(answer if isinstance(answer, tuple) else ())
    chosen.symmetric_difference_update({option})
    ordered = tuple(o for o in spec.options if o in chosen)
    return tag_command(image_id, label_class, current, ordered)
