"""The classes of an import: the project's, found by name, and the ones it has to create.

A dataset's class and a project's class are the same class when their names are the same
(after trimming spaces, as the project stores names). The project's definition wins: an
import never changes a class the user already has, and where the two disagree in a way
that matters for the shapes (a skeleton of other points, a tag class against a shape
class) the difference is named as a loss once, for the dataset.

Classes the project lacks are created: every class the dataset declares, with its colour,
kind, skeleton, attribute schema and tag question, and every undeclared name a shape uses
(labelme keeps no class list), as a plain class of the next palette colour. They are
created by the first step that runs after they became known, so undoing that step takes
them away again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from limner.models.domain.entities import CLASS_KINDS, TAG_KIND
from limner.models.domain.geometry import Geometry, Skeleton, Tag, TagSpec
from limner.models.domain.palette import color_for_index, is_color
from limner.models.formats.base import ClassSpec, Loss
from limner.models.store import queries, schema
from limner.models.store.store import ProjectStore

ann = schema.annotation


@dataclass(frozen=True, slots=True)
class KnownClass:
    """A class shapes can be given: ``key`` is its id, or its name until it is created."""

    key: int | str
    name: str
    kind: str
    skeleton: Skeleton | None = None
    tag: TagSpec | None = None


def class_fields(spec: ClassSpec, color: str) -> dict[str, Any]:
    """The fields of a new project class for the dataset's class ``spec``."""
    fields: dict[str, Any] = {
        "name": spec.name.strip(),
        "color": spec.color if spec.color and is_color(spec.color) else color,
        "kind": spec.kind if spec.kind in CLASS_KINDS else "any",
    }
    if spec.attribute_schema:
        fields["attribute_schema"] = [a.to_json() for a in spec.attribute_schema]
    if spec.skeleton is not None:
        fields["skeleton"] = spec.skeleton
    if spec.tag is not None:
        fields["tag"] = spec.tag
    return fields


class ClassTable:
    """Finds classes by name; collects the ones to create in the next step."""

    def __init__(self, store: ProjectStore, declared: Sequence[ClassSpec]) -> None:
        with store.read() as conn:
            project = queries.label_classes(conn)
        self.known: dict[str, KnownClass] = {
            c.name: KnownClass(c.id, c.name, c.kind, c.skeleton, c.tag) for c in project
        }
        self.count = len(project)
        self.pending: list[dict[str, Any]] = []
        self.losses: list[Loss] = []
        self.store = store
        for spec in declared:
            self._declare(spec)

    def _declare(self, spec: ClassSpec) -> None:
        name = spec.name.strip()
        if not name:
            self.losses.append(Loss(None, None, "class", "a class without a name is not kept"))
            return
        known = self.known.get(name)
        if known is None:
            self._add(class_fields(spec, color_for_index(self.count)))
            return
        if (spec.kind == TAG_KIND) != (known.kind == TAG_KIND):
            what = "an image tag class" if spec.kind == TAG_KIND else "a shape class"
            why = f"{name!r} is {what} in the file but not in the project; the project's is kept"
            self.losses.append(Loss(None, None, "class", why))
        elif spec.skeleton is not None and known.skeleton is not None:
            if spec.skeleton.names != known.skeleton.names:
                why = f"{name!r} has other skeleton points in the project; the project's are kept"
                self.losses.append(Loss(None, None, "class skeleton", why))

    def _add(self, fields: dict[str, Any]) -> KnownClass:
        self.pending.append(fields)
        self.count += 1
        name = fields["name"]
        known = KnownClass(name, name, fields["kind"], fields.get("skeleton"), fields.get("tag"))
        self.known[known.name] = known
        return known

    def find(self, name: str, geometry: Geometry) -> KnownClass:
        """The class called ``name``, made (as a plain or tag class) if there is none."""
        known = self.known.get(name.strip())
        if known is not None:
            return known
        kind = TAG_KIND if isinstance(geometry, Tag) else "any"
        return self._add({"name": name.strip(), "color": color_for_index(self.count), "kind": kind})

    def take_pending(self) -> list[dict[str, Any]]:
        """The classes the next step creates (and forgets them here)."""
        pending, self.pending = self.pending, []
        return pending

    def created(self, ids: dict[str, int]) -> None:
        """A step created these classes: shapes of later steps use their ids."""
        for name, class_id in ids.items():
            known = self.known[name]
            self.known[name] = KnownClass(class_id, name, known.kind, known.skeleton, known.tag)

    def existing_tags(self, image_ids: Iterable[int]) -> set[tuple[int, int | str]]:
        """``(image id, class id)`` of the image tags these images already have."""
        wanted = sorted(set(image_ids))
        found: set[tuple[int, int | str]] = set()
        with self.store.read() as conn:
            for start in range(0, len(wanted), 500):
                query = select(ann.c.image_id, ann.c.class_id).where(
                    ann.c.image_id.in_(wanted[start : start + 500]),
                    ann.c.kind == TAG_KIND,
                    ann.c.deleted == 0,
                )
                found.update((row.image_id, row.class_id) for row in conn.execute(query))
        return found
