"""Label classes: pick the active one, add, rename, recolor, delete.

The panel only asks; the window turns each request into an undoable command.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from limner.models.domain.entities import LabelClass
from limner.widgets.i18n import translate
from limner.widgets.plain import ask_plain
from limner.widgets.words import kind_name


def color_icon(color: str, size: int = 14) -> QIcon:
    """A swatch of the class colour with a mid-grey rim, so a near-black class shows on a
    dark list and a near-white one on a light list."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    painter = QPainter(pixmap)
    painter.setPen(QColor(128, 128, 128))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)


class ClassPanel(QWidget):
    activeClassChanged = Signal(object)  # int | None
    addRequested = Signal(str)
    renameRequested = Signal(int, str)
    recolorRequested = Signal(int, str)
    deleteRequested = Signal(int)
    editRequested = Signal(int)
    flagRequested = Signal(int, str, bool)  # class id, "hidden" | "locked", value

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setObjectName("classList")
        self.list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        buttons = QHBoxLayout()
        self.add_button = self._button("+", translate("ClassPanel", "Add a class"), self._ask_add)
        self.rename_button = self._button(
            translate("ClassPanel", "Rename"),
            translate("ClassPanel", "Rename the class"),
            self._ask_rename,
        )
        self.color_button = self._button(
            translate("ClassPanel", "Color"),
            translate("ClassPanel", "Change the class color"),
            self._ask_color,
        )
        self.delete_button = self._button(
            "−", translate("ClassPanel", "Delete the class"), self._ask_delete
        )
        self.edit_button = self._button(
            translate("ClassPanel", "Edit…"),
            translate("ClassPanel", "Kind, hotkey, attributes and skeleton of the class"),
            self._ask_edit,
        )
        self.hide_button = self._button(
            translate("ClassPanel", "Hide"),
            translate("ClassPanel", "Hide the class's shapes"),
            self._toggle_hidden,
        )
        self.lock_button = self._button(
            translate("ClassPanel", "Lock"),
            translate("ClassPanel", "Lock the class's shapes"),
            self._toggle_locked,
        )
        for b in (self.hide_button, self.lock_button):
            b.setCheckable(True)
        for b in (
            self.add_button,
            self.edit_button,
            self.rename_button,
            self.color_button,
            self.hide_button,
            self.lock_button,
            self.delete_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self._classes: list[LabelClass] = []
        self._offered: frozenset[int] | None = None
        self._active: int | None = None
        self.list.currentRowChanged.connect(self._row_changed)
        self.list.itemDoubleClicked.connect(lambda _item: self._ask_edit())

    def _button(self, text: str, tip: str, slot) -> QToolButton:  # type: ignore[no-untyped-def]
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    # -- contents --------------------------------------------------------------------
    def set_classes(self, classes: Sequence[LabelClass]) -> None:
        self._classes = list(classes)
        self.list.blockSignals(True)
        self.list.clear()
        for index, cls in enumerate(self._classes):
            hotkey = hotkey_for(cls, index)
            text = f"{hotkey}  {cls.name}" if hotkey else f"    {cls.name}"
            if cls.kind != "any":
                text += f"   ({kind_name(cls.kind)})"
            if cls.hidden:
                text += "  · " + translate("ClassPanel", "hidden")
            if cls.locked:
                text += "  · " + translate("ClassPanel", "locked")
            item = QListWidgetItem(color_icon(cls.color), text)
            item.setData(Qt.ItemDataRole.UserRole, cls.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._show_offered()
        ids = [c.id for c in self._classes]
        if self._active not in ids:
            self._active = ids[0] if ids else None
            self.activeClassChanged.emit(self._active)
        self._show_active()

    def set_offered(self, class_ids: frozenset[int] | None) -> None:
        """Grey out the classes the current tool cannot draw (None: every class fits)."""
        self._offered = class_ids
        self._show_offered()

    def is_offered(self, class_id: int) -> bool:
        return self._offered is None or class_id in self._offered

    def _show_offered(self) -> None:
        muted = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        for row in range(self.list.count()):
            item = self.list.item(row)
            offered = self.is_offered(item.data(Qt.ItemDataRole.UserRole))
            item.setForeground(QBrush() if offered else QBrush(muted))
            refused = translate("ClassPanel", "the current tool cannot draw this class")
            item.setToolTip("" if offered else refused)

    @property
    def classes(self) -> list[LabelClass]:
        return list(self._classes)

    @property
    def active_class_id(self) -> int | None:
        return self._active

    def set_active(self, class_id: int | None) -> None:
        if class_id == self._active:
            return
        self._active = class_id
        self._show_active()
        self.activeClassChanged.emit(class_id)

    def class_for_hotkey(self, key: str) -> LabelClass | None:
        for index, cls in enumerate(self._classes):
            if hotkey_for(cls, index) == key:
                return cls
        return None

    def _show_flags(self) -> None:
        cls = self._current()
        for button, on in (
            (self.hide_button, bool(cls and cls.hidden)),
            (self.lock_button, bool(cls and cls.locked)),
        ):
            button.blockSignals(True)
            button.setChecked(on)
            button.blockSignals(False)

    def _toggle_hidden(self) -> None:
        cls = self._current()
        if cls is not None:
            self.flagRequested.emit(cls.id, "hidden", not cls.hidden)

    def _toggle_locked(self) -> None:
        cls = self._current()
        if cls is not None:
            self.flagRequested.emit(cls.id, "locked", not cls.locked)

    def _ask_edit(self) -> None:
        cls = self._current()
        if cls is not None:
            self.editRequested.emit(cls.id)

    def _show_active(self) -> None:
        self.list.blockSignals(True)
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == self._active:
                self.list.setCurrentRow(row)
                break
        else:
            self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        self._show_flags()

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(self._classes):
            self.set_active(self._classes[row].id)

    def _current(self) -> LabelClass | None:
        for cls in self._classes:
            if cls.id == self._active:
                return cls
        return None

    # -- dialogs ---------------------------------------------------------------------
    def _ask_add(self) -> None:
        name, ok = QInputDialog.getText(
            self,
            translate("ClassPanel", "Add class"),
            translate("ClassPanel", "Name of the new class:"),
        )
        if ok and name.strip():
            self.addRequested.emit(name.strip())

    def _ask_rename(self) -> None:
        cls = self._current()
        if cls is None:
            return
        name, ok = QInputDialog.getText(
            self,
            translate("ClassPanel", "Rename class"),
            translate("ClassPanel", "New name:"),
            text=cls.name,
        )
        if ok and name.strip() and name.strip() != cls.name:
            self.renameRequested.emit(cls.id, name.strip())

    def _ask_color(self) -> None:
        cls = self._current()
        if cls is None:
            return
        title = translate("ClassPanel", "Color of {name}").format(name=cls.name)
        color = QColorDialog.getColor(QColor(cls.color), self, title)
        if color.isValid():
            self.recolorRequested.emit(cls.id, color.name())

    def _ask_delete(self) -> None:
        cls = self._current()
        if cls is None:
            return
        if ask_plain(
            self,
            translate("ClassPanel", "Delete class"),
            translate(
                "ClassPanel",
                "Delete the class “{name}”? Its annotations stay, without a class "
                "(Undo brings the class back).",
            ).format(name=cls.name),
            name="deleteClassBox",
        ):
            self.deleteRequested.emit(cls.id)


def hotkey_for(cls: LabelClass, index: int) -> str | None:
    """The class's own hotkey, else its position 1–9 in the list."""
    if cls.hotkey:
        return cls.hotkey
    return str(index + 1) if index < 9 else None
