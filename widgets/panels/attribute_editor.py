"""A form for the attributes of the selected annotation, built from its class's schema."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from limner.models.domain.attributes import AttributeSpec
from limner.widgets.i18n import translate
from limner.widgets.plain import plain_label

NUMBER_RANGE = 1e12


class AttributeEditor(QWidget):
    """Emits ``attributesEdited`` with the whole new mapping after each change."""

    attributesEdited = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attributeEditor")
        self._form = QFormLayout(self)
        self._form.setContentsMargins(4, 4, 4, 4)
        self._specs: tuple[AttributeSpec, ...] = ()
        self._values: dict[str, Any] = {}
        self.fields: dict[str, QWidget] = {}
        self._placeholder = plain_label(
            translate("AttributeEditor", "Select one annotation to edit its attributes.")
        )
        self._placeholder.setWordWrap(True)
        self._form.addRow(self._placeholder)

    def _clear(self) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        self.fields = {}

    def show_message(self, text: str) -> None:
        self._clear()
        self._placeholder = plain_label(text)
        self._placeholder.setWordWrap(True)
        self._form.addRow(self._placeholder)

    def set_target(self, specs: Sequence[AttributeSpec], values: Mapping[str, Any]) -> None:
        self._clear()
        self._specs = tuple(specs)
        self._values = dict(values)
        if not specs:
            self.show_message(translate(
                "AttributeEditor", "This class has no attributes (add them in the class dialog)."
            ))  # fmt: skip
            return
        for spec in specs:
            widget = self._field(spec, values.get(spec.name, spec.default))
            widget.setObjectName(f"attr_{spec.name}")
            self.fields[spec.name] = widget
            self._form.addRow(plain_label(spec.name), widget)  # names come from servers too

    def _field(self, spec: AttributeSpec, value: Any) -> QWidget:
        name = spec.name
        if spec.type == "bool":
            box = QCheckBox()
            box.setChecked(bool(value))
            box.toggled.connect(lambda v: self._edited(name, bool(v)))
            return box
        if spec.type == "choice":
            combo = QComboBox()
            combo.addItem("—", None)
            for option in spec.options:
                combo.addItem(option, option)
            combo.setCurrentIndex(max(0, combo.findData(value)) if value is not None else 0)
            combo.currentIndexChanged.connect(lambda _i: self._edited(name, combo.currentData()))
            return combo
        if spec.type == "multi":
            lst = QListWidget()
            lst.setMaximumHeight(18 * max(2, min(len(spec.options), 6)) + 6)
            chosen = set(value or [])
            for option in spec.options:
                item = QListWidgetItem(option)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                checked = Qt.CheckState.Checked if option in chosen else Qt.CheckState.Unchecked
                item.setCheckState(checked)
                lst.addItem(item)

            def changed(_item: QListWidgetItem) -> None:
                picked = [
                    lst.item(r).text()
                    for r in range(lst.count())
                    if lst.item(r).checkState() == Qt.CheckState.Checked
                ]
                self._edited(name, picked)

            lst.itemChanged.connect(changed)
            return lst
        if spec.type == "text":
            edit = QLineEdit(str(value or ""))
            edit.editingFinished.connect(lambda: self._edited(name, edit.text()))
            return edit
        spin = QDoubleSpinBox()
        spin.setRange(-NUMBER_RANGE, NUMBER_RANGE)
        spin.setDecimals(3)
        spin.setSpecialValueText("—")
        spin.setValue(float(value) if value is not None else -NUMBER_RANGE)
        spin.editingFinished.connect(
            lambda: self._edited(name, None if spin.value() <= -NUMBER_RANGE else spin.value())
        )
        return spin

    def _edited(self, name: str, value: Any) -> None:
        if self._values.get(name) == value:
            return
        self._values[name] = value
        self.attributesEdited.emit(dict(self._values))
