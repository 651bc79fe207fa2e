"""The shapes of the open image, by uuid and in drawing order, patched row by row.

A ``ShapeSet`` is never changed in place: :meth:`ShapeSet.patched` returns a new one with
some rows replaced, so a reader on one thread can keep using the set it took while another
thread builds the next. Patching costs the number of changed rows (plus one copy of the
uuid table), never a re-read or a re-sort of the whole image, which is what keeps an edit
cheap on an image with ten thousand shapes.

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
    """The live annotations of one image (``image_id`` None: no image open)."""

    __slots__ = ("_by_uuid", "_keys", "_ordered", "image_id")

    def __init__(self, image_id: int | None = None, annotations: Iterable[Annotation] = ()):
        self.image_id = image_id
        self._by_uuid: dict[str, Annotation] = {a.uuid: a for a in annotations}
        self._keys: list[_Key] = sorted(_key(a) for a in self._by_uuid.values())
        self._ordered: tuple[Annotation, ...] | None = None

    # -- reading ---------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._by_uuid)

    def __contains__(self, uuid: object) -> bool:
        return uuid in self._by_uuid

    def __iter__(self) -> Iterator[Annotation]:
        return iter(self.ordered())

    def get(self, uuid: str) -> Annotation | None:
        return self._by_uuid.get(uuid)

    def uuids(self) -> frozenset[str]:
        return frozenset(self._by_uuid)

    def ordered(self) -> tuple[Annotation, ...]:
        """Every shape, bottom first (computed once per set)."""
        if self._ordered is None:
            by_uuid = self._by_uuid
            self._ordered = tuple(by_uuid[k[2]] for k in self._keys)
        return self._ordered

    def position(self, uuid: str) -> int | None:
        """Index of ``uuid`` in drawing order, or None when it is not here."""
        record = self._by_uuid.get(uuid)
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
        by_uuid = dict(self._by_uuid)
        keys = list(self._keys)
        added: list[str] = []
        updated: list[str] = []
        removed: list[str] = []
        reordered = False
        for uuid in named:
            old = by_uuid.get(uuid)
            new = rows.get(uuid)
            if new is not None and new.image_id != self.image_id:
                new = None
            if old is not None and new == old:
                continue
            if old is not None:
                del keys[bisect.bisect_left(keys, _key(old))]
            if new is None:
                if old is not None:
                    del by_uuid[uuid]
                    removed.append(uuid)
                continue
            bisect.insort(keys, _key(new))
            reordered = reordered or (old is not None and _key(old) != _key(new))
            by_uuid[uuid] = new
            (updated if old is not None else added).append(uuid)
        if not (added or updated or removed):
            return self, ShapeDelta()
        result = ShapeSet.__new__(ShapeSet)
        result.image_id = self.image_id
        result._by_uuid = by_uuid
        result._keys = keys
        in_place = not (added or removed or reordered)
        result._ordered = self._reordered(updated, by_uuid) if in_place else None
        delta = ShapeDelta(tuple(added), tuple(updated), tuple(removed), reordered)
        return result, delta

    def _reordered(
        self, updated: list[str], by_uuid: dict[str, Annotation]
    ) -> tuple[Annotation, ...] | None:
        """The drawing order after rows changed in place, keeping their order keys (the
        usual edit: a move, a new class), as a copy of this set's order with those rows
        swapped, which is a C-speed copy instead of a Python pass over every shape."""
        if self._ordered is None:
            return None
        order = list(self._ordered)
        for uuid in updated:
            order[bisect.bisect_left(self._keys, _key(self._by_uuid[uuid]))] = by_uuid[uuid]
        return tuple(order)
