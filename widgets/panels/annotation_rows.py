"""The rows of the annotation list as a Qt item model, patched from the session's events.

One row per shape of the open image, in drawing order, numbered by that order. Each row
names the shape's class and kind and, when someone other than the local user made it, that
person's short name; the tooltip gives the full name, escaped, because author names come
from servers and Qt would otherwise guess a tooltip to be rich text.

While a filter by author is on, only that person's rows are listed, under a first row that
says so (``BANNER_ROLE`` marks it). When shapes change, the model works out which rows
appeared, went or moved and tells its views exactly that, so an edit on an image with
thousands of shapes repaints a few rows instead of rebuilding the list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QIcon

from limner.models.domain.entities import Annotation, LabelClass
from limner.models.domain.geometry import Box
from limner.widgets.authors import clean_name, is_local, local_authors, short_author
from limner.widgets.i18n import translate
from limner.widgets.panels.kind_icons import kind_icon
from limner.widgets.plain import plain_tooltip
from limner.widgets.words import kind_name

__all__ = [
    "AUTHOR_ROLE",
    "BANNER_ROLE",
    "KIND_NAMES",
    "UUID_ROLE",
    "AnnotationListModel",
    "author_line",
    "plain_tooltip",
]

KIND_NAMES = {  # English keys of the icons; kind_name() says them in the user's language
    "box": "box",
    "polygon": "polygon",
    "mask": "mask",
    "keypoints": "skeleton",
    "polyline": "polyline",
    "point": "point",
    "ellipse": "ellipse",
}
UUID_ROLE = Qt.ItemDataRole.UserRole
AUTHOR_ROLE = Qt.ItemDataRole.UserRole + 1
BANNER_ROLE = Qt.ItemDataRole.UserRole + 2
_BANNER = ""
"""The key of the banner row (no shape has an empty uuid)."""

Index = QModelIndex | QPersistentModelIndex


def author_line(author: str, local: frozenset[str]) -> str:
    name = clean_name(author)
    if is_local(author, local):
        if not name:
            return translate("AnnotationList", "Author: you")
        return translate("AnnotationList", "Author: {name} (you)").format(name=name)
    return translate("AnnotationList", "Author: {name}").format(name=name)


class AnnotationListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._local = local_authors()
        self._records: dict[str, Annotation] = {}
        self._order: list[str] = []  # every shape, drawing order
        self._number: dict[str, int] = {}
        self._keys: list[str] = []  # what the model lists: banner key first, if any
        self._classes: dict[int, LabelClass] = {}
        self._icons: dict[str, QIcon] = {}
        self._filter: str | None = None
        self._banner_font = QFont()
        self._banner_font.setItalic(True)

    # -- feeding -----------------------------------------------------------------------
    def reset(
        self, annotations: Iterable[Annotation], classes: Mapping[int, LabelClass] | None = None
    ) -> None:
        """List exactly ``annotations`` (in that order)."""
        self.beginResetModel()
        if classes is not None:
            self._classes = dict(classes)
        self._take(annotations)
        self._keys = self._listed()
        self.endResetModel()

    def set_classes(self, classes: Iterable[LabelClass]) -> None:
        self._classes = {c.id: c for c in classes}
        self._changed_from(0)

    def sync(self, annotations: Sequence[Annotation], changed: Iterable[str] = ()) -> None:
        """The shapes are now ``annotations``; ``changed`` names rows whose content changed.

        Rows that appeared, went or moved are inserted, removed or moved as such; when the
        order changed, every row's number may have, so all rows are repainted.
        """
        changed = list(changed)
        if self._patch_in_place(annotations, changed):
            return
        before = self._order
        self._take(annotations)
        self._move_to(self._listed())
        if self._order != before:
            self._changed_from(0)
            return
        rows = self.rows_of(changed)
        if self._filter is not None:
            rows.insert(0, 0)
        for row in rows:
            self.dataChanged.emit(self.index(row), self.index(row))

    def _patch_in_place(self, annotations: Sequence[Annotation], changed: list[str]) -> bool:
        """The usual edit: the same shapes in the same order, some of them changed. Then
        only those rows are read and repainted (a pass over every row would cost what the
        image holds on each edit); False when anything else happened."""
        if self._filter is not None or len(annotations) != len(self._order):
            return False
        rows: list[int] = []
        for uuid in changed:
            number = self._number.get(uuid)
            if number is None or annotations[number - 1].uuid != uuid:
                return False
            rows.append(number - 1)
        for uuid, row in zip(changed, rows, strict=True):
            self._records[uuid] = annotations[row]
        for row in rows:
            self.dataChanged.emit(self.index(row), self.index(row))
        return True

    def _take(self, annotations: Iterable[Annotation]) -> None:
        self._records = {a.uuid: a for a in annotations}
        self._order = list(self._records)
        self._number = {u: n for n, u in enumerate(self._order, start=1)}

    # -- the author filter ---------------------------------------------------------------
    @property
    def author_filter(self) -> str | None:
        return self._filter

    def set_author_filter(self, author: str | None) -> None:
        self.beginResetModel()
        self._filter = author
        self._keys = self._listed()
        self.endResetModel()

    def by(self, author_of_row: str, author: str) -> bool:
        """A row by ``author_of_row`` counts as ``author``'s (all local names are one)."""
        if is_local(author, self._local):
            return is_local(author_of_row, self._local)
        return author_of_row == author

    def whose(self, author: str, mine: str, theirs: str, **values: object) -> str:
        """``mine`` when ``author`` is the local user, else ``theirs`` with ``{name}``
        (both already in the user's language: "my shapes", "{name}'s shapes"), with
        ``values`` filled in."""
        if is_local(author, self._local):
            return mine.format(**values)
        return theirs.format(name=short_author(author), **values)

    def _listed(self) -> list[str]:
        wanted = self._filter
        if wanted is None:
            return list(self._order)
        rows = [u for u in self._order if self.by(self._records[u].author, wanted)]
        return [_BANNER, *rows]

    @property
    def banner_text(self) -> str:
        wanted = self._filter
        if wanted is None:
            return ""
        shown = len(self._keys) - 1
        total = len(self._order)
        return self.whose(
            wanted,
            translate("AnnotationList", "Only my shapes: {shown} of {total} (click to list all)"),
            translate(
                "AnnotationList", "Only {name}'s shapes: {shown} of {total} (click to list all)"
            ),
            shown=shown,
            total=total,
        )

    # -- reading -----------------------------------------------------------------------
    def uuids(self) -> list[str]:
        """Every shape, listed or not, in order."""
        return list(self._order)

    def shown_uuids(self) -> list[str]:
        return [k for k in self._keys if k != _BANNER]

    def uuids_by(self, author: str) -> list[str]:
        """Every shape by ``author``, listed or not, in order."""
        return [u for u in self._order if self.by(self._records[u].author, author)]

    def authors(self) -> list[str]:
        return list(dict.fromkeys(self._records[u].author for u in self._order))

    def row_of(self, uuid: str) -> int | None:
        try:
            return self._keys.index(uuid)
        except ValueError:
            return None

    def rows_of(self, uuids: Iterable[str]) -> list[int]:
        wanted = set(uuids)
        if self._filter is None and len(self._keys) == len(self._order):
            # Unfiltered, a shape's row is its number less one: no pass over every row.
            number = self._number
            return sorted(number[u] - 1 for u in wanted if u in number)
        return [row for row, key in enumerate(self._keys) if key in wanted]

    # -- QAbstractListModel ----------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._keys)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._keys[index.row()] == _BANNER:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._keys):
            return None
        key = self._keys[index.row()]
        if key == _BANNER:
            return self._banner_data(role)
        ann = self._records[key]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(ann)
        if role == Qt.ItemDataRole.ToolTipRole:
            kind = kind_name(self._kind(ann))
            return plain_tooltip(f"{self._class_name(ann)} · {kind}\n{self._who(ann)}")
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(ann)
        if role == UUID_ROLE:
            return ann.uuid
        if role == AUTHOR_ROLE:
            return ann.author
        if role == BANNER_ROLE:
            return False
        return None

    def _banner_data(self, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.banner_text
        if role == Qt.ItemDataRole.FontRole:
            return self._banner_font
        if role == Qt.ItemDataRole.ToolTipRole and self._filter is not None:
            return plain_tooltip(author_line(self._filter, self._local))
        if role == BANNER_ROLE:
            return True
        return None

    def _class_name(self, ann: Annotation) -> str:
        cls = self._classes.get(ann.class_id) if ann.class_id is not None else None
        return cls.name if cls else translate("AnnotationList", "(no class)")

    def _kind(self, ann: Annotation) -> str:
        if isinstance(ann.geometry, Box) and ann.geometry.rotated:
            return "rotated box"
        return KIND_NAMES.get(ann.kind, ann.kind)

    def _who(self, ann: Annotation) -> str:
        return author_line(ann.author, self._local)

    def _text(self, ann: Annotation) -> str:
        kind = kind_name(self._kind(ann))
        text = f"{self._number[ann.uuid]}. {self._class_name(ann)} · {kind}"
        if not is_local(ann.author, self._local):
            text += f" · {short_author(ann.author)}"
        if ann.source.startswith("model:"):  # accepted from a model's suggestion
            model = ann.source.removeprefix("model:")
            text += " · " + translate("AnnotationList", "proposed by {model}").format(model=model)
        if ann.hidden:
            text += " " + translate("AnnotationList", "(hidden)")
        return text

    def _icon(self, ann: Annotation) -> QIcon | None:
        cls = self._classes.get(ann.class_id) if ann.class_id is not None else None
        if cls is None:
            return None
        kind = self._kind(ann)
        key = f"{cls.color} {kind}"
        icon = self._icons.get(key)
        if icon is None:
            icon = self._icons[key] = kind_icon(cls.color, kind)
        return icon

    # -- telling the views ---------------------------------------------------------------
    def _changed_from(self, row: int) -> None:
        if row < len(self._keys):
            self.dataChanged.emit(self.index(row), self.index(len(self._keys) - 1))

    def _move_to(self, keys: list[str]) -> None:
        """Go from the listed keys to ``keys`` with the fewest structural signals."""
        old = self._keys
        if keys == old:
            return
        kept = set(old) & set(keys)
        if [k for k in old if k in kept] != [k for k in keys if k in kept]:
            self._relayout(keys)
            return
        self._remove_rows([r for r, k in enumerate(old) if k not in kept])
        self._insert_rows(keys, [r for r, k in enumerate(keys) if k not in kept])

    def _remove_rows(self, rows: list[int]) -> None:
        for start, end in reversed(_runs(rows)):
            self.beginRemoveRows(QModelIndex(), start, end)
            del self._keys[start : end + 1]
            self.endRemoveRows()

    def _insert_rows(self, keys: list[str], rows: list[int]) -> None:
        for start, end in _runs(rows):
            self.beginInsertRows(QModelIndex(), start, end)
            self._keys[start:start] = keys[start : end + 1]
            self.endInsertRows()

    def _relayout(self, keys: list[str]) -> None:
        """Rows changed places (a z-order edit): move the views' indexes with their rows."""
        self.layoutAboutToBeChanged.emit()
        moved = self.persistentIndexList()
        old = self._keys
        self._keys = keys
        where = {k: r for r, k in enumerate(keys)}
        targets = []
        for index in moved:
            row = where.get(old[index.row()]) if index.row() < len(old) else None
            targets.append(self.index(row) if row is not None else QModelIndex())
        self.changePersistentIndexList(moved, targets)
        self.layoutChanged.emit()


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for row in sorted(rows):
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
