"""The annotations of the open image, kept in step with the session's selection.

A list view over :class:`~widgets.panels.annotation_rows.AnnotationListModel`. It follows
the editing session: every shape event patches the model from the session's current
shapes, and every selection event selects the same rows here. Selecting rows in the list
asks for that selection (``selectionEdited``); it never changes the session itself.

Right-clicking a row offers to list only that person's shapes, or to select them all so the
canvas highlights them. The filter stays across images until it is cleared, and while it is
on, a first row says so (and clears it when clicked), so a filtered list is never mistaken
for an image with few shapes. Shapes the filter hides keep their selection state: selecting
in a filtered list changes only what it lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListView, QMenu, QWidget

from limner.models.domain.entities import Annotation, LabelClass
from limner.models.editing.events import (
    SHAPE_EVENTS,
    ClassesChanged,
    ImageChanged,
    SelectionChanged,
)
from limner.widgets.i18n import translate
from limner.widgets.panels.annotation_rows import (
    AUTHOR_ROLE,
    BANNER_ROLE,
    UUID_ROLE,
    AnnotationListModel,
    author_line,
    plain_tooltip,
)
from limner.widgets.plain import menu_text

__all__ = ["AUTHOR_ROLE", "UUID_ROLE", "AnnotationList", "author_line", "plain_tooltip"]


class ListSource(Protocol):
    """What the list reads: the editing session's current state."""

    @property
    def image_id(self) -> int | None: ...

    @property
    def drawing_order(self) -> Sequence[Annotation]: ...

    def selection(self) -> frozenset[str]: ...


class AnnotationList(QListView):
    selectionEdited = Signal(object)  # frozenset[str]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationList")
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setUniformItemSizes(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._model = AnnotationListModel(self)
        self.setModel(self._model)
        self.customContextMenuRequested.connect(self._context_menu)
        self.selectionModel().selectionChanged.connect(self._selection_changed)
        self.clicked.connect(self._clicked)
        self._updating = False
        self._selection: frozenset[str] = frozenset()
        self._source: ListSource | None = None
        self._image_id: int | None = None

    def model(self) -> AnnotationListModel:
        return self._model

    # -- following the session -----------------------------------------------------------
    def follow(self, source: ListSource) -> None:
        self._source = source

    def handle(self, event: object) -> None:
        """Bring the rows and their selection in step with one session event."""
        source = self._source
        if source is None:
            return
        if isinstance(event, ImageChanged):
            self._image_id = event.image.id if event.image is not None else None
            self._model.reset(source.drawing_order)
            self.set_selection(source.selection())
        elif isinstance(event, SHAPE_EVENTS):
            if event.image_id == self._image_id:
                self._model.sync(source.drawing_order, event.ids)
                self._select_rows()
        elif isinstance(event, SelectionChanged):
            self.set_selection(source.selection())
        elif isinstance(event, ClassesChanged):
            self._model.set_classes(event.classes)

    def set_annotations(
        self, annotations: Sequence[Annotation], classes: Mapping[int, LabelClass]
    ) -> None:
        """List exactly ``annotations``, named after ``classes``."""
        self._model.reset(annotations, classes)
        self._select_rows()

    def set_classes(self, classes: Iterable[LabelClass]) -> None:
        self._model.set_classes(classes)

    # -- reading -----------------------------------------------------------------------
    def count(self) -> int:
        """Rows listed, the filter's first row included."""
        return self._model.rowCount()

    def uuids(self) -> list[str]:
        return self._model.uuids()

    def selected_uuids(self) -> frozenset[str]:
        return self._selection

    def shown_uuids(self) -> list[str]:
        """The annotation rows the filter leaves visible, in order."""
        return self._model.shown_uuids()

    def authors(self) -> list[str]:
        """The distinct authors of the listed annotations, in order of first appearance."""
        return self._model.authors()

    @property
    def banner_text(self) -> str:
        """What the filter's first row says ("" when no filter is on)."""
        return self._model.banner_text

    # -- selection ---------------------------------------------------------------------
    def set_selection(self, uuids: Iterable[str]) -> None:
        """Select the rows of ``uuids`` and scroll the first of them into view."""
        self._selection = frozenset(uuids)
        self._select_rows(scroll=True)

    def _select_rows(self, scroll: bool = False) -> None:
        """Select the listed rows of ``self._selection`` and nothing else."""
        rows = self._model.rows_of(self._selection)
        current = sorted(i.row() for i in self.selectionModel().selectedIndexes())
        if rows == current:
            if scroll and rows:
                self.scrollTo(self._model.index(rows[0]))
            return
        chosen = QItemSelection()
        for row in rows:
            index = self._model.index(row)
            chosen.select(index, index)
        self._updating = True
        try:
            self.selectionModel().select(
                chosen, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        finally:
            self._updating = False
        if scroll and not chosen.isEmpty():
            self.scrollTo(chosen.indexes()[0])

    def dataChanged(self, top_left: QModelIndex, bottom_right: QModelIndex, roles=()) -> None:  # type: ignore[no-untyped-def,override]
        """Rows changed what they say, never their height (the rows are uniform): repaint
        them. QListView would lay out every row again, a cost that grows with the image's
        shapes on every edit of one of them."""
        if not (top_left.isValid() and bottom_right.isValid()):
            super().dataChanged(top_left, bottom_right, roles)
            return
        area = self.visualRect(top_left).united(self.visualRect(bottom_right))
        area.setLeft(0)
        area.setRight(self.viewport().width())
        self.viewport().update(area)

    def selectAll(self) -> None:
        """Select what the list shows: shapes the filter hides stay as they were."""
        self.set_selection(self._selection | set(self._model.shown_uuids()))
        self.selectionEdited.emit(self._selection)

    def select_author(self, author: str) -> None:
        """Select every shape of the image by ``author`` (and nothing else)."""
        self.set_selection(self._model.uuids_by(author))
        self.selectionEdited.emit(self._selection)

    def _selection_changed(self, *_args: object) -> None:
        if self._updating:
            return
        shown = set(self._model.shown_uuids())
        picked = {i.data(UUID_ROLE) for i in self.selectionModel().selectedIndexes()}
        self._selection = frozenset(picked | (self._selection - shown))
        self.selectionEdited.emit(self._selection)

    # -- filter by author --------------------------------------------------------------
    @property
    def author_filter(self) -> str | None:
        return self._model.author_filter

    def set_author_filter(self, author: str | None) -> None:
        """List only ``author``'s shapes (None: everyone's)."""
        self._model.set_author_filter(author)
        self._select_rows()

    def _clicked(self, index: QModelIndex) -> None:
        if index.data(BANNER_ROLE):
            self.set_author_filter(None)

    def _context_menu(self, pos: QPoint) -> None:
        menu = self.author_menu(self.indexAt(pos))
        if not menu.isEmpty():
            menu.exec(self.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def author_menu(self, index: QModelIndex | None) -> QMenu:
        """The right-click menu for a row: filter to, or select, its author's shapes."""
        menu = QMenu(self)
        model = self._model
        if index is not None and index.isValid() and not index.data(BANNER_ROLE):
            author = index.data(AUTHOR_ROLE)
            current = model.author_filter
            if current is None or not model.by(author, current):
                only = menu.addAction(menu_text(model.whose(
                    author, translate("AnnotationList", "List only my shapes"),
                    translate("AnnotationList", "List only {name}'s shapes"),
                )))  # fmt: skip
                only.triggered.connect(lambda: self.set_author_filter(author))
            pick = menu.addAction(menu_text(model.whose(
                author, translate("AnnotationList", "Select my shapes"),
                translate("AnnotationList", "Select {name}'s shapes"),
            )))  # fmt: skip
            pick.triggered.connect(lambda: self.select_author(author))
        if model.author_filter is not None:
            everyone = menu.addAction(translate("AnnotationList", "List everyone's shapes"))
            everyone.triggered.connect(lambda: self.set_author_filter(None))
        return menu
