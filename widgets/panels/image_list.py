"""The image list: a table model that pages rows from SQLite on demand.

Only the pages the view asks for are fetched (and a few are cached), so a project with
100,000 images costs a handful of small queries, never a list of all rows in Python.
"""

from __future__ import annotations

from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from limner.models.domain.entities import ImageRecord, ImageStatus
from limner.models.imaging.thumbnails import make_thumbnail, thumbnail_path
from limner.models.store import queries
from limner.models.store.queries import ERROR_FILTER, ImageFilter
from limner.models.store.store import ProjectStore
from limner.models.workflow.project import resolve_image_path
from limner.widgets.i18n import translate
from limner.widgets.palette_colors import STATUS_HUES, error_color, status_color
from limner.widgets.plain import plain_tooltip
from limner.widgets.words import role_name, status_name

PAGE_SIZE = 200
CACHED_PAGES = 8
THUMBS_IN_MEMORY = 400

STATUSES = tuple(s.value for s in ImageStatus)
STATUS_COLORS = {s: STATUS_HUES[s] for s in ("in_progress", "submitted", "approved", "rejected",
                                              "skipped")}  # fmt: skip
"""The statuses shown in colour (new ones in plain text); see ``palette_colors``."""

ValidIndex = QModelIndex | QPersistentModelIndex


class _ThumbSignals(QObject):
    ready = Signal(int)  # image id


class ImageListModel(QAbstractTableModel):
    """Rows from SQL pages; thumbnails made in the background only for rows on screen."""

    COLUMNS = (
        QT_TRANSLATE_NOOP("ImageList", "Name"),
        QT_TRANSLATE_NOOP("ImageList", "Status"),
        QT_TRANSLATE_NOOP("ImageList", "Labels"),
    )
    ImageRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, store: ProjectStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._icons: OrderedDict[int, QIcon] = OrderedDict()
        self._thumb_pending: set[int] = set()
        self._thumb_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="limner-thumbs")
        self._shut = False
        self._thumb_signals = _ThumbSignals()
        self._thumb_signals.ready.connect(self._thumbnail_ready)
        self.thumbnails_made = 0
        self._filter = ImageFilter()
        self._count = self._query_count()
        self._pages: OrderedDict[int, list[ImageRecord]] = OrderedDict()
        self.pages_fetched = 0

    # -- filter and refresh ----------------------------------------------------------
    @property
    def image_filter(self) -> ImageFilter:
        return self._filter

    def set_filter(self, flt: ImageFilter) -> None:
        self.beginResetModel()
        self._filter = flt
        self._pages.clear()
        self._count = self._query_count()
        self.endResetModel()

    def refresh(self) -> None:
        """Re-read after a change: a reset when the row count moved, else a repaint."""
        count = self._query_count()
        if count != self._count:
            self.set_filter(self._filter)
            return
        self._pages.clear()
        if count:
            self.dataChanged.emit(self.index(0, 0), self.index(count - 1, len(self.COLUMNS) - 1))

    def _query_count(self) -> int:
        with self._store.read() as conn:
            return queries.image_count(conn, self._filter)

    # -- rows ------------------------------------------------------------------------
    def record(self, row: int) -> ImageRecord | None:
        if not 0 <= row < self._count:
            return None
        page_no, offset = divmod(row, PAGE_SIZE)
        page = self._pages.get(page_no)
        if page is None:
            with self._store.read() as conn:
                page = queries.image_page(conn, page_no * PAGE_SIZE, PAGE_SIZE, self._filter)
            self.pages_fetched += 1
            self._pages[page_no] = page
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    # -- thumbnails --------------------------------------------------------------------
    def _thumbnail(self, rec: ImageRecord) -> QIcon | None:
        icon = self._icons.get(rec.id)
        if icon is not None:
            self._icons.move_to_end(rec.id)
            return icon
        if rec.error is not None or rec.id in self._thumb_pending:
            return None
        key = rec.content_hash or rec.uuid
        path = thumbnail_path(self._store.folder, key)
        if path.exists():
            return self._remember(rec.id, QIcon(str(path)))
        self._thumb_pending.add(rec.id)
        source = resolve_image_path(self._store, rec.path)
        self._thumb_pool.submit(self._make, rec.id, source, path)
        return None

    def _make(self, image_id: int, source: Path, target: Path) -> None:
        if make_thumbnail(source, target) is not None:
            self._thumb_signals.ready.emit(image_id)

    def _remember(self, image_id: int, icon: QIcon) -> QIcon:
        self._icons[image_id] = icon
        while len(self._icons) > THUMBS_IN_MEMORY:
            self._icons.popitem(last=False)
        return icon

    def _thumbnail_ready(self, image_id: int) -> None:
        if self._shut:
            return  # a thumbnail finished after the window closed its project
        self._thumb_pending.discard(image_id)
        self.thumbnails_made += 1
        row = self.row_of(image_id)
        if row is not None:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def shutdown(self) -> None:
        self._shut = True
        self._thumb_pool.shutdown(wait=False, cancel_futures=True)

    def row_of(self, image_id: int) -> int | None:
        with self._store.read() as conn:
            return queries.image_row_index(conn, image_id, self._filter)

    @property
    def cached_rows(self) -> int:
        return sum(len(p) for p in self._pages.values())

    # -- QAbstractTableModel ---------------------------------------------------------
    def rowCount(self, parent: ValidIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: ValidIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return translate("ImageList", self.COLUMNS[section])
        return None

    def data(self, index: ValidIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        rec = self.record(index.row())
        if rec is None:
            return None
        col = index.column()
        if role == self.ImageRole:
            return rec.id
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return self._thumbnail(rec)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return rec.name
            if col == 1:
                return status_name("unreadable" if rec.error else rec.status)
            return rec.annotation_count
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(f"{rec.name}\n{rec.error}" if rec.error else rec.path)
        if role == Qt.ItemDataRole.ForegroundRole:
            palette = QApplication.palette()
            if rec.error:
                return QBrush(error_color(palette))
            if col == 1 and rec.status in STATUS_COLORS:
                return QBrush(status_color(rec.status, palette))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ImageListPanel(QWidget):
    """Filter by queue and status, search by name, and the paged table of images."""

    imageActivated = Signal(int)
    filterChanged = Signal(object)  # ImageFilter

    def __init__(self, store: ProjectStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ImageListModel(store, self)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItem(translate("ImageList", "All images"), None)
        for status in STATUSES:
            self.status_filter.addItem(_capitalized(status_name(status)), status)
        self.status_filter.addItem(_capitalized(status_name("unreadable")), ERROR_FILTER)
        self.queue_filter = QComboBox()
        self.queue_filter.setObjectName("queueFilter")
        self.queue_filter.addItem(translate("ImageList", "All queues"), None)
        self._store = store
        self.reload_queues()
        self.search = QLineEdit()
        self.search.setObjectName("imageSearch")
        self.search.setPlaceholderText(translate("ImageList", "Search names…"))
        self.search.setClearButtonEnabled(True)
        self.table = QTableView()
        self.table.setObjectName("imageTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setIconSize(QSize(32, 32))
        self.table.setShowGrid(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        top = QHBoxLayout()
        top.addWidget(self.queue_filter)
        top.addWidget(self.status_filter)
        top.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.status_filter.currentIndexChanged.connect(self._filter_changed)
        self.queue_filter.currentIndexChanged.connect(self._filter_changed)
        self.search.textChanged.connect(self._filter_changed)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self._current_id: int | None = None

    def _filter_changed(self) -> None:
        text = self.search.text().strip()
        flt = ImageFilter(
            status=self.status_filter.currentData(),
            search=text or None,
            queue_id=self.queue_filter.currentData(),
        )
        self.model.set_filter(flt)
        self.filterChanged.emit(flt)
        if self._current_id is not None:
            self.show_current(self._current_id)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        image_id = self.model.data(current, ImageListModel.ImageRole)
        if image_id is not None and image_id != self._current_id:
            self._current_id = image_id
            self.imageActivated.emit(image_id)

    def show_current(self, image_id: int) -> None:
        """Select the row of ``image_id`` without emitting ``imageActivated``."""
        self._current_id = image_id
        row = self.model.row_of(image_id)
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        try:
            if row is None:
                selection.clearSelection()
            else:
                index = self.model.index(row, 0)
                selection.setCurrentIndex(
                    index,
                    selection.SelectionFlag.ClearAndSelect | selection.SelectionFlag.Rows,
                )
                self.table.scrollTo(index)
        finally:
            selection.blockSignals(False)
        self.table.viewport().update()

    def reload_queues(self) -> None:
        """The queue choices, with their sizes; keeps the current choice when it still exists."""
        from limner.models.workflow import queues as qs

        with self._store.read() as conn:
            found = qs.queues(conn)
        current = self.queue_filter.currentData()
        self.queue_filter.blockSignals(True)
        while self.queue_filter.count() > 1:
            self.queue_filter.removeItem(1)
        for queue in found:
            who = f" · {queue.assignee}" if queue.assignee else ""
            self.queue_filter.addItem(f"{queue.name} ({role_name(queue.role)}{who})", queue.id)
        index = self.queue_filter.findData(current)
        self.queue_filter.setCurrentIndex(max(index, 0))
        self.queue_filter.blockSignals(False)

    def refresh(self) -> None:
        self.reload_queues()
        self.model.refresh()
        if self._current_id is not None:
            self.show_current(self._current_id)


def _capitalized(text: str) -> str:
    """A status as a filter's choice: with a capital, as a menu entry starts."""
    return text[:1].upper() + text[1:]
