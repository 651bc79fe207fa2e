"""The shapes of the open image, by uuid and in drawing order, patched row by row.

A ``ShapeSet`` is never changed in place: :meth:`ShapeSet.patched` returns a new one with
some rows replaced, so a reader on one thread can keep using the set it took while another
thread builds the next. Patching costs the number of changed rows (plus, now and then,
one copy of the uuid table), never a re-read or a re-sort of the whole image, which is
what keeps an edit cheap on an image with a hundred thousand shapes.

Drawing order is ``(z, id)``, the order the store lists an image's annotations in.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from limner.models.domain.entities import Annotation

__all__ = ["ShapeDelta", "ShapeSet"]

_Key = tuple[int, int, str]


def _key(annotation: Annotation) -> _Key:
    return (annotation.z, annotation.id, annotation.uuid)


@dataclass(frozen=True, slots=True)
class ShapeDelta:
    """What one patch did: the uuids it added, changed and took away, and whether a changed
    row moved in drawing order (its z changed)."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reordered: bool = False

    @property
    def empty(self) -> bool:
        return not (self.added or self.updated or self.removed)


class ShapeSet:
    """The live annotations of one image (``image_id`` None: no image open).

    The uuid table is a shared base plus a small overlay of the rows patched since it was
    last flattened (None: gone), so a patch copies the overlay, not 100,000 entries; the
    overlay is folded into a new base once it holds :data:`FLATTEN` rows.
    """

    __slots__ = ("_base", "_count", "_keys", "_ordered", "_over", "image_id")

    FLATTEN = 512

    def __init__(self, image_id: int | None = None, annotations: Iterable[Annotation] = ()):
        self.image_id = image_id
        self._base: dict[str, Annotation] = {a.uuid: a for a in annotations}
        self._over: dict[str, Annotation | None] = {}
        self._count = len(self._base)
        self._keys: list[_Key] = sorted(_key(a) for a in self._base.values())
        self._ordered: tuple[Annotation, ...] | None = None

    # -- reading ---------------------------------------------------------------------
    def __len__(self) -> int:
        return self._count

    def __contains__(self, uuid: object) -> bool:
        return isinstance(uuid, str) and self.get(uuid) is not None

    def __iter__(self) -> Iterator[Annotation]:
        return iter(self.ordered())

    def get(self, uuid: str) -> Annotation | None:
        over = self._over
        if uuid in over:
            return over[uuid]
        return self._base.get(uuid)

    def uuids(self) -> frozenset[str]:
        return frozenset(k[2] for k in self._keys)

    def ordered(self) -> tuple[Annotation, ...]:
        """Every shape, bottom first (computed once per set)."""
        if self._ordered is None:
            get = self.get
            self._ordered = tuple(get(k[2]) for k in self._keys)  # type: ignore[misc]
        return self._ordered

    def position(self, uuid: str) -> int | None:
        """Index of ``uuid`` in drawing order, or None when it is not here."""
        record = self.get(uuid)
        if record is None:
            return None
        return bisect.bisect_left(self._keys, _key(record))

    # -- patching --------------------------------------------------------------------
    def patched(
        self, named: Iterable[str], rows: Mapping[str, Annotation]
    ) -> tuple[ShapeSet, ShapeDelta]:
        """A new set where every uuid in ``named`` has its row from ``rows`` or is gone.

        ``rows`` holds the live rows the store returned for ``named``; a named uuid with no
        row was deleted (or never belonged to this image). Rows equal to what the set
        holds already count as unchanged.
        """
        changes: dict[str, Annotation | None] = {}
        for uuid in named:
            new = rows.get(uuid)
            if new is not None and new.image_id != self.image_id:
                new = None
            if new != self.get(uuid):
                changes[uuid] = new
        if not changes:
            return self, ShapeDelta()
        old = {u: self.get(u) for u in changes}
        added = [u for u, new in changes.items() if new is not None and old[u] is None]
        removed = [u for u, new in changes.items() if new is None]
        updated = [u for u, new in changes.items() if new is not None and old[u] is not None]
        reordered = any(_key(old[u]) != _key(changes[u]) for u in updated)  # type: ignore[arg-type]
        in_place = not (added or removed or reordered)
        keys = self._keys  # an edit in place keeps every order key: the list is shared
        if not in_place:
            keys = list(keys)
            for uuid in updated + removed:
                del keys[bisect.bisect_left(keys, _key(old[uuid]))]  # type: ignore[arg-type]
            for uuid in updated + added:
                bisect.insort(keys, _key(changes[uuid]))  # type: ignore[arg-type]
        result = ShapeSet.__new__(ShapeSet)
        result.image_id = self.image_id
        result._base, result._over = self._base, {**self._over, **changes}
        result._count = self._count + len(added) - len(removed)
        if len(result._over) >= self.FLATTEN:
            result._flatten()
        result._keys = keys
        result._ordered = self._reordered(updated, changes) if in_place else None
        delta = ShapeDelta(tuple(added), tuple(updated), tuple(removed), reordered)
        return result, delta

    def _flatten(self) -> None:
        base = dict(self._base)
        for uuid, row in self._over.items():
            if row is None:
                base.pop(uuid, None)
            else:
                base[uuid] = row
        self._base, self._over = base, {}

    def _reordered(
        self, updated: list[str], rows: Mapping[str, Annotation | None]
    ) -> tuple[Annotation, ...] | None:
        """The drawing order after rows changed in place, keeping their order keys (the
        usual edit: a move, a new class), as a copy of this set's order with those rows
        swapped, which is a C-speed copy instead of a Python pass over every shape."""
        if self._ordered is None:
            return None
        order = list(self._ordered)
        for uuid in updated:
            row = rows[uuid]
            assert row is not None
            order[bisect.bisect_left(self._keys, _key(row))] = row  # its key did not change
        return tuple(order)
