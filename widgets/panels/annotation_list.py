"""The annotations of the current image, kept in step with the canvas selection.

Each row names the shape's class and kind, and, when someone other than the local user made
it (a region pulled from a server, say), that person's short name; the tooltip gives the
full name. Author names come from servers, so they are only ever shown as plain text: row
text is plain by nature, and tooltips, which Qt would otherwise guess to be rich text, are
escaped. Right-clicking a row offers to list only that person's shapes, or to select them
all so the canvas highlights them. The filter stays across images until it is cleared, and
while it is on, a first row says so (and clears it when clicked), so a filtered list is
never mistaken for an image with few shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtGui import Qt as QtText
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QMenu, QWidget

from limner.models.domain.entities import Annotation, LabelClass
from limner.widgets.authors import clean_name, is_local, local_authors, short_author
from limner.widgets.panels.class_panel import color_icon

KIND_NAMES = {"box": "box", "polygon": "polygon", "mask": "mask", "keypoints": "skeleton"}
UUID_ROLE = Qt.ItemDataRole.UserRole
AUTHOR_ROLE = Qt.ItemDataRole.UserRole + 1


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip that shows exactly these characters, markup and all."""
    return QtText.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


def author_line(author: str, local: frozenset[str]) -> str:
    name = clean_name(author)
    if is_local(author, local):
        return f"Author: {name} (you)" if name else "Author: you"
    return f"Author: {name}"


class AnnotationList(QListWidget):
    selectionEdited = Signal(object)  # frozenset[str]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationList")
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.itemSelectionChanged.connect(self._selection_changed)
        self.itemClicked.connect(self._clicked)
        self._updating = False
        self._local = local_authors()
        self._author_filter: str | None = None
        self._banner: QListWidgetItem | None = None

    def set_annotations(
        self, annotations: Sequence[Annotation], classes: Mapping[int, LabelClass]
    ) -> None:
        self._updating = True
        try:
            self.clear()
            self._banner = None
            for number, ann in enumerate(annotations, start=1):
                self.addItem(self._row(number, ann, classes))
        finally:
            self._updating = False
        self._apply_filter()

    def _row(
        self, number: int, ann: Annotation, classes: Mapping[int, LabelClass]
    ) -> QListWidgetItem:
        cls = classes.get(ann.class_id) if ann.class_id is not None else None
        name = cls.name if cls else "(no class)"
        kind = KIND_NAMES.get(ann.kind, ann.kind)
        text = f"{number}. {name} · {kind}"
        if not is_local(ann.author, self._local):
            text += f" · {short_author(ann.author)}"
        if ann.hidden:
            text += " (hidden)"
        item = QListWidgetItem(text)
        if cls:
            item.setIcon(color_icon(cls.color))
        item.setToolTip(plain_tooltip(f"{name} · {kind}\n{author_line(ann.author, self._local)}"))
        item.setData(UUID_ROLE, ann.uuid)
        item.setData(AUTHOR_ROLE, ann.author)
        return item

    # -- reading -----------------------------------------------------------------------
    def _rows(self) -> list[QListWidgetItem]:
        """The annotation rows (not the filter's banner)."""
        rows = (self.item(r) for r in range(self.count()))
        return [item for item in rows if item is not self._banner]

    def uuids(self) -> list[str]:
        return [item.data(UUID_ROLE) for item in self._rows()]

    def selected_uuids(self) -> frozenset[str]:
        return frozenset(i.data(UUID_ROLE) for i in self.selectedItems())

    def shown_uuids(self) -> list[str]:
        """The annotation rows the filter leaves visible, in order."""
        return [item.data(UUID_ROLE) for item in self._rows() if not item.isHidden()]

    def authors(self) -> list[str]:
        """The distinct authors of the listed annotations, in order of first appearance."""
        return list(dict.fromkeys(item.data(AUTHOR_ROLE) for item in self._rows()))

    @property
    def banner_text(self) -> str:
        """What the filter's first row says ("" when no filter is on)."""
        return self._banner.text() if self._banner is not None else ""

    # -- selection ---------------------------------------------------------------------
    def set_selection(self, uuids: Iterable[str]) -> None:
        wanted = set(uuids)
        self._updating = True
        try:
            for item in self._rows():
                item.setSelected(item.data(UUID_ROLE) in wanted)
                if item.isSelected() and not item.isHidden():
                    self.scrollToItem(item)
        finally:
            self._updating = False

    def selectAll(self) -> None:
        """Select what the list shows: rows the filter hides stay as they were."""
        self.blockSignals(True)
        try:
            for item in self._rows():
                if not item.isHidden():
                    item.setSelected(True)
        finally:
            self.blockSignals(False)
        self._selection_changed()

    def select_author(self, author: str) -> None:
        """Select every listed shape by ``author`` (and nothing else)."""
        wanted = {item.data(UUID_ROLE) for item in self._rows() if self._by(item, author)}
        self.set_selection(wanted)
        self._selection_changed()

    def _selection_changed(self) -> None:
        if not self._updating:
            self.selectionEdited.emit(self.selected_uuids())

    # -- filter by author --------------------------------------------------------------
    @property
    def author_filter(self) -> str | None:
        return self._author_filter

    def set_author_filter(self, author: str | None) -> None:
        """List only ``author``'s shapes (None: everyone's)."""
        self._author_filter = author
        self._apply_filter()

    def _apply_filter(self) -> None:
        wanted = self._author_filter
        rows = self._rows()
        for item in rows:
            item.setHidden(wanted is not None and not self._by(item, wanted))
        if self._banner is not None:
            self.takeItem(self.row(self._banner))
            self._banner = None
        if wanted is None:
            return
        shown = sum(not item.isHidden() for item in rows)
        banner = QListWidgetItem(
            f"Only {self._whose(wanted)} shapes: {shown} of {len(rows)} (click to list all)"
        )
        banner.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = QFont(self.font())
        font.setItalic(True)
        banner.setFont(font)
        banner.setToolTip(plain_tooltip(author_line(wanted, self._local)))
        self._updating = True
        try:
            self.insertItem(0, banner)
        finally:
            self._updating = False
        self._banner = banner

    def _by(self, item: QListWidgetItem, author: str) -> bool:
        """``item`` was made by ``author``; all the local user's names count as one."""
        theirs = item.data(AUTHOR_ROLE)
        if is_local(author, self._local):
            return is_local(theirs, self._local)
        return theirs == author

    def _whose(self, author: str) -> str:
        return "my" if is_local(author, self._local) else f"{short_author(author)}'s"

    def _clicked(self, item: QListWidgetItem) -> None:
        if item is self._banner:
            self.set_author_filter(None)

    def _context_menu(self, pos: QPoint) -> None:
        menu = self.author_menu(self.itemAt(pos))
        if not menu.isEmpty():
            menu.exec(self.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def author_menu(self, item: QListWidgetItem | None) -> QMenu:
        """The right-click menu for ``item``: filter to, or select, its author's shapes."""
        menu = QMenu(self)
        if item is not None and item is not self._banner:
            author = item.data(AUTHOR_ROLE)
            who = self._whose(author).replace("&", "&&")  # no mnemonic from a name
            if self._author_filter is None or not self._by(item, self._author_filter):
                only = menu.addAction(f"List only {who} shapes")
                only.triggered.connect(lambda: self.set_author_filter(author))
            pick = menu.addAction(f"Select {who} shapes")
            pick.triggered.connect(lambda: self.select_author(author))
        if self._author_filter is not None:
            everyone = menu.addAction("List everyone's shapes")
            everyone.triggered.connect(lambda: self.set_author_filter(None))
        return menu
