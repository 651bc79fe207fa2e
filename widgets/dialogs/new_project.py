"""New project: a folder of images, where the project goes, and its classes.

The project folder defaults to a ``limner`` folder inside the images folder, so images are
stored relative to the project and the pair can be moved together. The dialog only
collects the three answers; the application creates the project and reads the images in
the background with a progress dialog.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from limner.widgets.i18n import translate
from limner.widgets.plain import plain_label

PROJECT_SUBFOLDER = "limner"


class NewProjectDialog(QDialog):
    def __init__(self, images: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newProjectDialog")
        self.setWindowTitle(translate("NewProjectDialog", "New project"))
        self.images = QLineEdit()
        self.images.setObjectName("newImages")
        self.images.setPlaceholderText(
            translate("NewProjectDialog", "a folder of images (may be left empty)")
        )
        self.project = QLineEdit()
        self.project.setObjectName("newProject")
        self.project.setPlaceholderText(translate("NewProjectDialog", "where the project is kept"))
        self.classes = QLineEdit()
        self.classes.setObjectName("newClasses")
        self.classes.setPlaceholderText(translate("NewProjectDialog", "cat, dog, bird"))
        self.note = plain_label(name="newNote")
        self.note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            translate("NewProjectDialog", "Create")
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._project_typed = False
        self.images.textChanged.connect(self._images_changed)
        self.project.textEdited.connect(lambda _t: setattr(self, "_project_typed", True))
        self.project.textChanged.connect(self._check)
        form = QFormLayout(self)
        form.addRow(
            translate("NewProjectDialog", "Images"),
            self._with_browse(self.images, translate("NewProjectDialog", "Folder of images")),
        )
        project_folder = translate("NewProjectDialog", "Project folder")
        form.addRow(project_folder, self._with_browse(self.project, project_folder))
        form.addRow(translate("NewProjectDialog", "Classes"), self.classes)
        form.addRow(self.note)
        form.addRow(self.buttons)
        self.resize(560, self.sizeHint().height())
        if images is not None:
            self.images.setText(str(images))
        self._check()

    def _with_browse(self, edit: QLineEdit, title: str) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        button = QPushButton(translate("NewProjectDialog", "Browse…"))
        button.clicked.connect(lambda: self._browse(edit, title))
        layout.addWidget(button)
        return row

    def _browse(self, edit: QLineEdit, title: str) -> None:
        start = edit.text() or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, title, start)
        if folder:
            edit.setText(folder)
            if edit is self.project:
                self._project_typed = True

    def _images_changed(self, text: str) -> None:
        if text.strip() and not self._project_typed:
            self.project.setText(str(Path(text.strip()) / PROJECT_SUBFOLDER))
        self._check()

    def _check(self) -> None:
        images, project = self.images_folder(), self.project_folder()
        problem = ""
        if images is not None and not images.is_dir():
            problem = translate("NewProjectDialog", "{path} is not a folder.").format(path=images)
        elif project is None:
            problem = translate("NewProjectDialog", "Choose where the project is kept.")
        elif (project / "project.limner").exists():
            problem = translate(
                "NewProjectDialog", "{path} holds a project already: open it instead."
            ).format(path=project)
        self.note.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def images_folder(self) -> Path | None:
        text = self.images.text().strip()
        return Path(text).expanduser() if text else None

    def project_folder(self) -> Path | None:
        text = self.project.text().strip()
        return Path(text).expanduser() if text else None

    def class_names(self) -> list[str]:
        return [c.strip() for c in self.classes.text().split(",") if c.strip()]
