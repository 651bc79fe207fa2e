"""The editing session's image tags and groups: answering the open image's questions, and
tying its shapes into groups.

They are a part of :class:`~limner.models.editing.session.EditingSession` of their own
because neither draws anything: they read the open image, its tags and its shapes from the
session and hand it one command per gesture, which the session commits and undoes like
any other edit.
"""

from __future__ import annotations

from collections.abc import Sequence

from limner.models.domain.entities import Annotation, ImageRecord, LabelClass
from limner.models.domain.geometry import TagValue
from limner.models.domain.phrases import QT_TRANSLATE_NOOP
from limner.models.editing import groups
from limner.models.editing import tags as tag_edits
from limner.models.editing.commands import Command
from limner.models.editing.shapes import ShapeSet
from limner.models.errors import GeometryError

__all__ = ["TagAndGroupEdits"]


class TagAndGroupEdits:
    """Mixed into the editing session, which provides what is declared here."""

    image: ImageRecord | None
    _shapes: ShapeSet
    _tags: tuple[Annotation, ...]

    def class_by_id(self, class_id: int | None) -> LabelClass | None:
        raise NotImplementedError

    def selected_annotations(self) -> list[Annotation]:
        raise NotImplementedError

    def fail(self, title: str, message: str, error: BaseException | None = None) -> None:
        raise NotImplementedError

    def _commit_if(self, command: Command | None) -> bool:
        raise NotImplementedError

    # -- image tags ------------------------------------------------------------------------
    @property
    def tags(self) -> tuple[Annotation, ...]:
        """The open image's tags (at most one per tag class), in class order."""
        return self._tags

    def tag_of(self, class_id: int) -> Annotation | None:
        return next((t for t in self._tags if t.class_id == class_id), None)

    def toggle_tag(self, class_id: int, option: str) -> bool:
        """Press an option of a choice tag class on the open image (one undo step)."""
        return self._tag_edit(class_id, option, toggle=True)

    def set_tag(self, class_id: int, value: TagValue | None) -> bool:
        """Make ``value`` the open image's answer to a tag class (empty: no answer)."""
        return self._tag_edit(class_id, value, toggle=False)

    def _tag_edit(self, class_id: int, value: TagValue | None, toggle: bool) -> bool:
        label_class, image = self.class_by_id(class_id), self.image
        if image is None or label_class is None:
            return False
        current = self.tag_of(class_id)
        try:
            if toggle:
                command = tag_edits.toggle_command(image.id, label_class, current, str(value))
            else:
                command = tag_edits.tag_command(image.id, label_class, current, value)
        except GeometryError as exc:
            self.fail(QT_TRANSLATE_NOOP("Commands", "Could not tag the image"), str(exc))
            return False
        return self._commit_if(command)

    # -- groups ------------------------------------------------------------------------------
    def _with_groups(self, targets: Sequence[Annotation]) -> list[Annotation]:
        return groups.expand_groups(targets, self._shapes.ordered())

    def group_selection(self) -> bool:
        """Make the selected shapes (and the groups they are in) one group."""
        return self._commit_if(
            groups.group_command(self.selected_annotations(), self._shapes.ordered())
        )

    def ungroup_selection(self) -> bool:
        """Dissolve every group the selection touches."""
        return self._commit_if(
            groups.ungroup_command(self.selected_annotations(), self._shapes.ordered())
        )

    def group_of(self, uuid: str) -> list[Annotation]:
        """The members of the group ``uuid`` is in (empty when it is in none)."""
        shape = self._shapes.get(uuid)
        if shape is None or shape.group_id is None:
            return []
        return self._with_groups([shape])
