"""File -> Import annotations… and File -> Export…: what to read or write, and how.

The import dialog takes a file or a folder and, unless the user picks a format, says which
format limner recognises there and why (the controller passes the function that asks).
The export dialog picks a format, where to write, and the filters: images of one status,
of one queue, and the classes whose shapes are written. Both only gather choices: the
controller runs the conversion, with a progress dialog and the loss report at the end.
Dataset names, class names and queue names are shown as plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from limner.widgets.i18n import translate
from limner.widgets.plain import plain_label
from limner.widgets.words import status_name

C = "LabelTransfer"

FormatRow = tuple[str, str, str]
"""(name, title, layout): a format as the pickers list it; layout is "file" or "folder"."""


def _path_row(edit: QLineEdit, *buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    for button in buttons:
        row.addWidget(button)
    return row


def _ok_cancel(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class ImportLabelsDialog(QDialog):
    """Where to import from and as which format; ``detect(path)`` says what is recognised."""

    def __init__(
        self,
        formats: Sequence[FormatRow],
        detect: Callable[[Path], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importLabelsDialog")
        self.setWindowTitle(translate("LabelTransfer", "Import annotations"))
        self.resize(620, 220)
        self._detect = detect
        self.path = QLineEdit()
        self.path.setObjectName("importPath")
        self.path.setPlaceholderText(
            translate("LabelTransfer", "an annotation file, or a dataset folder")
        )
        file_button = QPushButton(translate("LabelTransfer", "File…"))
        folder_button = QPushButton(translate("LabelTransfer", "Folder…"))
        file_button.clicked.connect(self._pick_file)
        folder_button.clicked.connect(self._pick_folder)
        self.format = QComboBox()
        self.format.setObjectName("importFormat")
        self.format.addItem(translate("LabelTransfer", "Recognise it"), None)
        for name, title, _layout in formats:
            self.format.addItem(title, name)
        self.detected = plain_label(name="detectedFormat")
        self.detected.setWordWrap(True)
        self.add_images = QCheckBox(
            translate("LabelTransfer", "Add the dataset's images the project does not have")
        )
        self.add_images.setChecked(True)
        self.buttons = _ok_cancel(self)
        form = QFormLayout(self)
        form.addRow(
            translate("LabelTransfer", "From"), _path_row(self.path, file_button, folder_button)
        )
        form.addRow(translate("LabelTransfer", "Format"), self.format)
        form.addRow("", self.detected)
        form.addRow("", self.add_images)
        form.addRow(self.buttons)
        self.path.textChanged.connect(self._changed)
        self.format.currentIndexChanged.connect(self._changed)
        self._changed()

    def _pick_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, translate("LabelTransfer", "Annotation file"), self.path.text()
        )
        if name:
            self.path.setText(name)

    def _pick_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(
            self, translate("LabelTransfer", "Dataset folder"), self.path.text()
        )
        if name:
            self.path.setText(name)

    def _changed(self) -> None:
        text = self.path.text().strip()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(text))
        if not text:
            self.detected.setText("")
        elif self.format.currentData() is None:
            self.detected.setText(self._detect(Path(text)))
        else:
            self.detected.setText(translate("LabelTransfer", "Read as the format chosen above."))

    def values(self) -> tuple[Path, str | None, bool]:
        """(path, format name or None to recognise it, add missing images)."""
        path = Path(self.path.text().strip())
        return path, self.format.currentData(), self.add_images.isChecked()


class ExportLabelsDialog(QDialog):
    """Format, destination and filters of an export."""

    ALL = QT_TRANSLATE_NOOP("LabelTransfer", "All images")

    def __init__(
        self,
        formats: Sequence[FormatRow],
        statuses: Sequence[str],
        queues: Sequence[str],
        classes: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportLabelsDialog")
        self.setWindowTitle(translate("LabelTransfer", "Export annotations"))
        self.resize(620, 420)
        self.format = QComboBox()
        self.format.setObjectName("exportFormat")
        for name, title, layout in formats:
            self.format.addItem(title, (name, layout))
        self.out = QLineEdit()
        self.out.setObjectName("exportOut")
        browse = QPushButton(translate("LabelTransfer", "Browse…"))
        browse.clicked.connect(self._pick_out)
        self.status = QComboBox()
        self.status.setObjectName("exportStatus")
        self.queue = QComboBox()
        self.queue.setObjectName("exportQueue")
        for combo, values, shown in (
            (self.status, statuses, status_name),
            (self.queue, queues, str),
        ):
            combo.addItem(translate(C, self.ALL), None)
            for value in values:
                combo.addItem(shown(value), value)
        self.classes = QListWidget()
        self.classes.setObjectName("exportClasses")
        for name in classes:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.classes.addItem(item)
        self.buttons = _ok_cancel(self)
        form = QFormLayout(self)
        form.addRow(translate("LabelTransfer", "Format"), self.format)
        form.addRow(translate("LabelTransfer", "To"), _path_row(self.out, browse))
        form.addRow(translate("LabelTransfer", "Status"), self.status)
        form.addRow(translate("LabelTransfer", "Queue"), self.queue)
        form.addRow(translate("LabelTransfer", "Classes"), self.classes)
        form.addRow(self.buttons)
        self.out.textChanged.connect(self._changed)
        self.classes.itemChanged.connect(self._changed)
        self._changed()

    def _pick_out(self) -> None:
        _name, layout = self.format.currentData()
        if layout == "folder":
            chosen = QFileDialog.getExistingDirectory(
                self, translate("LabelTransfer", "Export into folder"), self.out.text()
            )
        else:
            chosen, _ = QFileDialog.getSaveFileName(
                self, translate("LabelTransfer", "Export to file"), self.out.text()
            )
        if chosen:
            self.out.setText(chosen)

    def _changed(self) -> None:
        """OK needs a destination and, when the project has classes, one of them checked."""
        items = [self.classes.item(i) for i in range(self.classes.count())]
        some = not items or any(i.checkState() == Qt.CheckState.Checked for i in items)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.out.text().strip()) and some)

    def chosen_classes(self) -> tuple[str, ...]:
        """The checked classes; empty when all are checked (no class filter)."""
        items = [self.classes.item(i) for i in range(self.classes.count())]
        checked = tuple(i.text() for i in items if i.checkState() == Qt.CheckState.Checked)
        return () if len(checked) == len(items) else checked

    def values(self) -> tuple[str, Path, str | None, str | None, tuple[str, ...]]:
        """(format name, output path, status or None, queue or None, classes or ())."""
        name, _layout = self.format.currentData()
        out = Path(self.out.text().strip())
        status, queue = self.status.currentData(), self.queue.currentData()
        return name, out, status, queue, self.chosen_classes()
