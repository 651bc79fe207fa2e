"""The class dialog: name, color, kind, hotkey, attribute schema, skeleton and tag question.

The kind follows from what the class holds: skeleton points make it a keypoints class
(whatever kind was picked), and a tag class asks a question instead (one choice, several
choices, free text or a number) and has no skeleton.
"""

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
from limner.models.domain.entities import CLASS_KINDS, TAG_KIND, LabelClass
from limner.models.domain.geometry import TAG_MODES, TagSpec
from limner.models.domain.palette import is_color
from limner.models.errors import GeometryError
from limner.widgets.i18n import translate
from limner.widgets.plain import plain_label
from limner.widgets.words import kind_name, tag_mode_name


class ClassDialog(QDialog):
    """Collects the fields of a class; ``fields()`` returns them ready for a command."""

    def __init__(
        self, cls: LabelClass | None, parent: QWidget | None = None, kind: str = "any"
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            translate("ClassDialog", "Edit class") if cls else translate("ClassDialog", "New class")
        )
        self.setObjectName("classDialog")
        self.name = QLineEdit(cls.name if cls else "")
        self.color = QLineEdit(cls.color if cls else "#3cb44b")
        pick = QPushButton(translate("ClassDialog", "Pick…"))
        pick.clicked.connect(self._pick_color)
        self.kind = QComboBox()
        for kind in CLASS_KINDS:
            self.kind.addItem(kind_name(kind), kind)
        self.kind.setCurrentIndex(self.kind.findData(cls.kind if cls else kind))
        self._build_tag_fields(cls.tag if cls is not None else None)
        self.hotkey = QLineEdit((cls.hotkey or "") if cls else "")
        self.hotkey.setMaxLength(1)
        self.hotkey.setPlaceholderText(translate("ClassDialog", "position 1–9 if empty"))
        self.attributes = QPlainTextEdit(
            schema_to_text(parse_schema(cls.attribute_schema)) if cls else ""
        )
        self.attributes.setPlaceholderText(
            translate(  # example names; the words after the colon are the schema's own
                "ClassDialog",
                "occluded: bool\ncolor: choice = red | green\ntags: multi = a | b\nnote: text\n"
                "count: number",
            )
        )
        self._build_skeleton_fields(cls)
        self.error = plain_label()  # echoes what was typed
        self.error.setStyleSheet("color: #c03030")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(translate("ClassDialog", "Name"), self.name)
        form.addRow(translate("ClassDialog", "Color"), self.color)
        form.addRow("", pick)
        form.addRow(translate("ClassDialog", "Kind"), self.kind)
        form.addRow(translate("ClassDialog", "Hotkey"), self.hotkey)
        form.addRow(translate("ClassDialog", "Tag answers"), self.tag_mode)
        form.addRow(translate("ClassDialog", "Tag options"), self.tag_options)
        form.addRow(translate("ClassDialog", "Attributes"), self.attributes)
        form.addRow(translate("ClassDialog", "Skeleton points"), self.points)
        form.addRow(translate("ClassDialog", "Skeleton edges"), self.edges)
        form.addRow(translate("ClassDialog", "Left/right pairs"), self.flips)
        form.addRow(self.error)
        form.addRow(buttons)
        self._fields: dict[str, Any] = {}

    def _build_skeleton_fields(self, cls: LabelClass | None) -> None:
        """The skeleton's points, edges and left/right pairs, as text."""
        points, edges, flips = skeleton_to_text(cls.skeleton) if cls and cls.skeleton else ("",) * 3
        self.points = QLineEdit(points)
        self.points.setPlaceholderText(
            translate("ClassDialog", "head, neck, l_shoulder, r_shoulder")
        )
        self.edges = QLineEdit(edges)
        self.edges.setPlaceholderText(translate("ClassDialog", "head-neck, neck-l_shoulder"))
        self.flips = QLineEdit(flips)
        self.flips.setPlaceholderText(translate("ClassDialog", "l_shoulder/r_shoulder"))

    def _build_tag_fields(self, spec: TagSpec | None) -> None:
        """What a tag class asks: its answer mode and, for choices, its options."""
        self.tag_mode = QComboBox()
        self.tag_mode.setObjectName("tagMode")
        for mode in TAG_MODES:
            self.tag_mode.addItem(tag_mode_name(mode), mode)
        self.tag_mode.setCurrentIndex(self.tag_mode.findData(spec.mode if spec else "single"))
        self.tag_options = QLineEdit(" | ".join(spec.options) if spec else "")
        self.tag_options.setObjectName("tagOptions")
        self.tag_options.setPlaceholderText(translate("ClassDialog", "sunny | cloudy | rainy"))

    def _pick_color(self) -> None:
        color = QColorDialog.getColor(
            QColor(self.color.text()), self, translate("ClassDialog", "Class color")
        )
        if color.isValid():
            self.color.setText(color.name())

    def collect(self) -> dict[str, Any]:
        """The fields as the store takes them; SchemaError says what to fix."""
        name = self.name.text().strip()
        if not name:
            raise SchemaError(translate("ClassDialog", "a class needs a name"))
        color = self.color.text().strip()
        if not is_color(color):
            wrong = translate("ClassDialog", "color {color}: write it as #rrggbb")
            raise SchemaError(wrong.format(color=repr(color)))
        kind = self.kind.currentData()
        skeleton = None
        if self.points.text().strip():
            if kind == TAG_KIND:
                raise SchemaError(
                    translate("ClassDialog", "a tag class has no skeleton; clear its points")
                )
            skeleton = skeleton_from_text(self.points.text(), self.edges.text(), self.flips.text())
            kind = "keypoints"  # what the class holds says what it is
        elif kind == "keypoints":
            raise SchemaError(translate("ClassDialog", "a keypoints class needs skeleton points"))
        specs = schema_from_text(self.attributes.toPlainText())
        return {
            "kind": kind,
            "tag": self._tag_spec() if kind == TAG_KIND else None,
            "name": name,
            "color": color,
            "hotkey": self.hotkey.text().strip() or None,
            "attribute_schema": [s.to_json() for s in specs],
            "skeleton": skeleton,
        }

    def _tag_spec(self) -> TagSpec:
        mode = self.tag_mode.currentData()
        options: tuple[str, ...] = ()
        if mode in ("single", "multiple"):
            options = tuple(o.strip() for o in self.tag_options.text().split("|") if o.strip())
        try:
            return TagSpec(mode, options)
        except GeometryError as exc:
            raise SchemaError(str(exc)) from exc

    def accept(self) -> None:
        try:
            self._fields = self.collect()
        except SchemaError as exc:
            self.error.setText(str(exc))
            return
        super().accept()

    def fields(self) -> dict[str, Any]:
        return dict(self._fields)
