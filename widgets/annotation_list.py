"""The annotations of the current image, kept in step with the canvas selection."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from models.entities import Annotation, LabelClass
from widgets.class_panel import color_icon

KIND_NAMES = {"box": "box", "polygon": "polygon", "mask": "mask", "keypoints": "skeleton"}


class AnnotationList(QListWidget):
    selectionEdited = Signal(object)  # frozenset[str]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationList")
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.itemSelectionChanged.connect(self._selection_changed)
        self._updating = False

    def set_annotations(
        self, annotations: Sequence[Annotation], classes: Mapping[int, LabelClass]
    ) -> None:
        self._updating = True
        try:
            self.clear()
            for number, ann in enumerate(annotations, start=1):
                cls = classes.get(ann.class_id) if ann.class_id is not None else None
                name = cls.name if cls else "(no class)"
                text = f"{number}. {name} · {KIND_NAMES.get(ann.kind, ann.kind)}"
                if ann.hidden:
                    text += " (hidden)"
                item = QListWidgetItem(text)
                if cls:
                    item.setIcon(color_icon(cls.color))
                item.setData(Qt.ItemDataRole.UserRole, ann.uuid)
                self.addItem(item)
        finally:
            self._updating = False

    def uuids(self) -> list[str]:
        return [self.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.count())]

    def selected_uuids(self) -> frozenset[str]:
        return frozenset(i.data(Qt.ItemDataRole.UserRole) for i in self.selectedItems())

    def set_selection(self, uuids: Iterable[str]) -> None:
        wanted = set(uuids)
        self._updating = True
        try:
            for row in range(self.count()):
                item = self.item(row)
                item.setSelected(item.data(Qt.ItemDataRole.UserRole) in wanted)
                if item.isSelected():
                    self.scrollToItem(item)
        finally:
            self._updating = False

    def _selection_changed(self) -> None:
        if not self._updating:
            self.selectionEdited.emit(self.selected_uuids())
