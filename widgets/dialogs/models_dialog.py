"""Preferences → Models: the models installed in the user's data folder, and adding one.

A model is added from files the user already has, or downloaded from a URL the user types
with the SHA-256 it must have. The widget never touches the network itself: whoever opens
it passes a ``downloader`` (the window passes the resumable, checked download of ``sync``),
and without one the download row is disabled. :class:`ModelsWidget` is a plain widget so
that a Preferences dialog can hold it as a page; :class:`ModelsDialog` shows it alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from limner.models.assist import catalog
from limner.models.assist.errors import AssistError
from limner.models.assist.families import families
from limner.models.errors import LimnerError
from limner.widgets.i18n import translate
from limner.widgets.plain import plain_label

Downloader = Callable[..., Path]
"""``downloader(url, destination, sha256, progress=..., cancel=...)`` -> the file."""

_ROLES = {"segmenter": ("encoder", "decoder"), "detector": ("model",)}
C = "ModelsDialog"
_COLUMNS = (
    QT_TRANSLATE_NOOP("ModelsDialog", "Name"),
    QT_TRANSLATE_NOOP("ModelsDialog", "Kind"),
    QT_TRANSLATE_NOOP("ModelsDialog", "Family"),
    QT_TRANSLATE_NOOP("ModelsDialog", "Version"),
    QT_TRANSLATE_NOOP("ModelsDialog", "Folder"),
)
_KINDS = {
    "segmenter": QT_TRANSLATE_NOOP("ModelsDialog", "segmenter"),
    "detector": QT_TRANSLATE_NOOP("ModelsDialog", "detector"),
}
_ROLE_FILES = {
    "encoder": QT_TRANSLATE_NOOP("ModelsDialog", "Encoder file"),
    "decoder": QT_TRANSLATE_NOOP("ModelsDialog", "Decoder file"),
    "model": QT_TRANSLATE_NOOP("ModelsDialog", "Model file"),
}


class ModelsWidget(QWidget):
    changed = Signal()  # a model was added or removed
    _downloaded = Signal(str, str)  # (file, error)
    _progress = Signal(int, int)

    def __init__(
        self, folder: Path | None = None, downloader: Downloader | None = None, parent=None
    ) -> None:
        super().__init__(parent)
        self.folder = folder or catalog.models_folder()
        self._downloader = downloader
        self.table = QTableWidget(0, len(_COLUMNS), self)
        self.table.setHorizontalHeaderLabels([translate(C, c) for c in _COLUMNS])
        self.message = plain_label("", self, name="modelsMessage")
        self.kind = QComboBox(self)
        for kind in _ROLES:
            self.kind.addItem(translate(C, _KINDS[kind]), kind)
        self.family = QComboBox(self)
        self.name = QLineEdit(self)
        self.version = QLineEdit(self)
        self.files = {role: QLineEdit(self) for role in ("encoder", "decoder", "model")}
        self.url = QLineEdit(self)
        self.sha256 = QLineEdit(self)
        self.add_button = QPushButton(translate("ModelsDialog", "Add from files"), self)
        self.download_button = QPushButton(translate("ModelsDialog", "Download"), self)
        self.remove_button = QPushButton(translate("ModelsDialog", "Remove selected"), self)
        self.progress = QProgressBar(self)
        self.progress.hide()
        self._cancel = threading.Event()
        self._layout()
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed(self.kind_key()))
        self.add_button.clicked.connect(self.add_from_files)
        self.download_button.clicked.connect(self.download)
        self.remove_button.clicked.connect(self.remove_selected)
        self._downloaded.connect(self._after_download)
        self._progress.connect(self._show_progress)
        self.download_button.setEnabled(downloader is not None)
        self._kind_changed(self.kind_key())
        self.reload()

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow(translate("ModelsDialog", "Kind"), self.kind)
        form.addRow(translate("ModelsDialog", "Family"), self.family)
        form.addRow(translate("ModelsDialog", "Name"), self.name)
        form.addRow(translate("ModelsDialog", "Version"), self.version)
        for role, edit in self.files.items():
            row = QHBoxLayout()
            browse = QPushButton(translate("ModelsDialog", "Browse…"), self)
            browse.clicked.connect(lambda _=False, e=edit: self._browse(e))
            row.addWidget(edit)
            row.addWidget(browse)
            form.addRow(translate(C, _ROLE_FILES[role]), row)
        form.addRow(translate("ModelsDialog", "or URL"), self.url)
        form.addRow("SHA-256", self.sha256)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.download_button, self.remove_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)

    def kind_key(self) -> str:
        """The kind of model chosen ("segmenter" or "detector")."""
        return str(self.kind.currentData())

    def _kind_changed(self, kind: str) -> None:
        self.family.clear()
        if kind == "segmenter":
            self.family.addItems(sorted(families(self.folder)))
        else:
            self.family.addItems(["yolo"])
        for role, edit in self.files.items():
            edit.setEnabled(role in _ROLES[kind])

    def _browse(self, edit: QLineEdit) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            translate("ModelsDialog", "Model file"),
            "",
            translate("ModelsDialog", "ONNX models (*.onnx)"),
        )
        if path:
            edit.setText(path)

    def reload(self) -> None:
        self.installed, problems = catalog.installed(self.folder)
        self.table.setRowCount(len(self.installed))
        for row, model in enumerate(self.installed):
            kind = translate(C, _KINDS[model.kind]) if model.kind in _KINDS else model.kind
            values = (model.name, kind, model.family, model.version, str(model.folder))
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.message.setText("\n".join(problems))

    def _install(self, files: dict[str, Path]) -> None:
        try:
            catalog.install(self.kind_key(), self.family.currentText(), files,
                            name=self.name.text().strip() or "model",
                            version=self.version.text().strip(), folder=self.folder)  # fmt: skip
        except AssistError as error:
            self.message.setText(str(error))
            return
        self.message.setText(translate("ModelsDialog", "Installed."))
        self.reload()
        self.changed.emit()

    def add_from_files(self) -> None:
        roles = _ROLES[self.kind_key()]
        self._install({role: Path(self.files[role].text().strip()) for role in roles})

    def download(self) -> None:
        """Fetch the URL (a detector's model file) on a worker thread, then install it."""
        if self._downloader is None or self.kind_key() != "detector":
            self.message.setText(
                translate("ModelsDialog", "Downloads hold one file: choose the detector kind")
            )
            return
        url, digest, downloader = (
            self.url.text().strip(),
            self.sha256.text().strip(),
            self._downloader,
        )
        self._cancel = threading.Event()
        self._tmp = TemporaryDirectory(prefix="limner-model-")
        target = Path(self._tmp.name) / "model.onnx"
        self.progress.show()
        self.download_button.setEnabled(False)

        def run() -> None:
            try:
                downloader(url, target, digest, progress=self._progress.emit, cancel=self._cancel)
                self._downloaded.emit(str(target), "")
            except LimnerError as error:
                self._downloaded.emit("", str(error))

        self.worker = threading.Thread(target=run, daemon=True)
        self.worker.start()

    def _show_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1) if total else 0)
        self.progress.setValue(done if total else 0)

    def _after_download(self, file: str, error: str) -> None:
        self.progress.hide()
        self.download_button.setEnabled(True)
        if error:
            self.message.setText(error)
        else:
            self._install({"model": Path(file)})
        self._tmp.cleanup()

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        for row in rows:
            catalog.remove(self.installed[row])
        if rows:
            self.reload()
            self.changed.emit()

    def cancel(self) -> None:
        self._cancel.set()


class ModelsDialog(QDialog):
    def __init__(self, downloader: Downloader | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("ModelsDialog", "Models"))
        self.page = ModelsWidget(downloader=downloader, parent=self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page)
        layout.addWidget(buttons)
        self.rejected.connect(self.page.cancel)
