"""The class dialog: name, color, kind, hotkey, attribute schema and skeleton."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from limner.models.domain.attributes import (
    SchemaError,
    parse_schema,
    schema_from_text,
    schema_to_text,
    skeleton_from_text,
    skeleton_to_text,
)
from limner.models.domain.entities import CLASS_KINDS, LabelClass
from limner.models.domain.palette import is_color
from limner.widgets.plain import plain_label


class ClassDialog(QDialog):
    """Collects the fields of a class; ``fields()`` returns them ready for a command."""

    def __init__(self, cls: LabelClass | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit class" if cls else "New class")
        self.setObjectName("classDialog")
        self.name = QLineEdit(cls.name if cls else "")
        self.color = QLineEdit(cls.color if cls else "#3cb44b")
        pick = QPushButton("Pick…")
        pick.clicked.connect(self._pick_color)
        self.kind = QComboBox()
        for kind in CLASS_KINDS:
            self.kind.addItem(kind, kind)
        self.kind.setCurrentIndex(self.kind.findData(cls.kind if cls else "any"))
        self.hotkey = QLineEdit((cls.hotkey or "") if cls else "")
        self.hotkey.setMaxLength(1)
        self.hotkey.setPlaceholderText("position 1–9 if empty")
        self.attributes = QPlainTextEdit(
            schema_to_text(parse_schema(cls.attribute_schema)) if cls else ""
        )
        self.attributes.setPlaceholderText(
            "occluded: bool\ncolor: choice = red | green\ntags: multi = a | b\nnote: text\n"
            "count: number"
        )
        points, edges, flips = skeleton_to_text(cls.skeleton) if cls and cls.skeleton else ("",) * 3
        self.points = QLineEdit(points)
        self.points.setPlaceholderText("head, neck, l_shoulder, r_shoulder")
        self.edges = QLineEdit(edges)
        self.edges.setPlaceholderText("head-neck, neck-l_shoulder")
        self.flips = QLineEdit(flips)
        self.flips.setPlaceholderText("l_shoulder/r_shoulder")
        self.error = plain_label()  # echoes what was typed
        self.error.setStyleSheet("color: #c03030")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Name", self.name)
        form.addRow("Color", self.color)
        form.addRow("", pick)
        form.addRow("Kind", self.kind)
        form.addRow("Hotkey", self.hotkey)
        form.addRow("Attributes", self.attributes)
        form.addRow("Skeleton points", self.points)
        form.addRow("Skeleton edges", self.edges)
        form.addRow("Left/right pairs", self.flips)
        form.addRow(self.error)
        form.addRow(buttons)
        self._fields: dict[str, Any] = {}

    def _pick_color(self) -> None:
        color = QColorDialog.getColor(QColor(self.color.text()), self, "Class color")
        if color.isValid():
            self.color.setText(color.name())

    def collect(self) -> dict[str, Any]:
        """The fields as the store takes them; SchemaError says what to fix."""
        name = self.name.text().strip()
        if not name:
            raise SchemaError("a class needs a name")
        color = self.color.text().strip()
        if not is_color(color):
            raise SchemaError(f"color {color!r}: write it as #rrggbb")
        kind = self.kind.currentData()
        skeleton = None
        if self.points.text().strip():
            skeleton = skeleton_from_text(self.points.text(), self.edges.text(), self.flips.text())
        elif kind == "keypoints":
            raise SchemaError("a keypoints class needs skeleton points")
        specs = schema_from_text(self.attributes.toPlainText())
        return {
            "name": name,
            "color": color,
            "kind": kind,
            "hotkey": self.hotkey.text().strip() or None,
            "attribute_schema": [s.to_json() for s in specs],
            "skeleton": skeleton,
        }

    def accept(self) -> None:
        try:
            self._fields = self.collect()
        except SchemaError as exc:
            self.error.setText(str(exc))
            return
        super().accept()

    def fields(self) -> dict[str, Any]:
        return dict(self._fields)
