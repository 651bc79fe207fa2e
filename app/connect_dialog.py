"""Connect to server…: kind, address, token, test the connection, pick the project, and
whether to publish this project's local images there (into the picked project or a new
one). A kind of server that cannot take new images says why and offers no publishing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from limner.sync.errors import SyncError
from limner.sync.factory import KIND_NAMES, PROJECT_HINTS, make_adapter
from limner.sync.publish import publish_refusal
from limner.sync.retry import RetryPolicy
from limner.widgets.i18n import counted, said, translate
from limner.widgets.plain import plain_label


class ConnectDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("Connect", "Connect to server"))
        self.setObjectName("connectDialog")
        self.kind = QComboBox()
        for kind, name in KIND_NAMES.items():
            self.kind.addItem(name, kind)
        self.url = QLineEdit("http://localhost:8080")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(translate("Connect", "access token (kept in the OS keyring)"))
        self.test_button = QPushButton(translate("Connect", "Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.project = QComboBox()
        self.project.setEditable(True)
        self.publish = QCheckBox(
            translate("Connect", "Publish this project: send its local images and labels")
        )
        self.publish.setObjectName("publishProject")
        self.new_title = QLineEdit()
        self.new_title.setObjectName("publishTitle")
        self.new_title.setPlaceholderText(
            translate("Connect", "or the title of a new server project")
        )
        self.publish_note = plain_label()
        self.publish_note.setObjectName("publishNote")
        self.publish_note.setWordWrap(True)
        self.status = plain_label()  # server messages and project titles are untrusted
        self.status.setWordWrap(True)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._connected = False
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.publish.toggled.connect(self._update_ok)
        self.new_title.textChanged.connect(self._update_ok)
        self._kind_changed()
        form = QFormLayout(self)
        form.addRow(translate("Connect", "Server"), self.kind)
        form.addRow(translate("Connect", "Address"), self.url)
        form.addRow(translate("Connect", "Token"), self.token)
        form.addRow("", self.test_button)
        form.addRow(translate("Connect", "Project"), self.project)
        form.addRow("", self.publish)
        form.addRow(translate("Connect", "New project"), self.new_title)
        form.addRow(self.publish_note)
        form.addRow(self.status)
        form.addRow(self.buttons)

    def _kind_changed(self) -> None:
        hint = PROJECT_HINTS.get(self.kind.currentData(), "")
        self.project.lineEdit().setPlaceholderText(said(hint))
        refusal = publish_refusal(self.kind.currentData())
        if refusal:
            self.publish.setChecked(False)
        self.publish.setEnabled(refusal is None)
        self.new_title.setEnabled(refusal is None)
        note = translate("Connect", "Publishing: {refusal}").format(refusal=said(refusal))
        self.publish_note.setText(note if refusal else "")

    def _update_ok(self) -> None:
        ready = self._connected and (
            self.project.count() > 0
            or (self.publish.isChecked() and bool(self.new_title.text().strip()))
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ready)

    def publish_choice(self) -> tuple[bool, str]:
        """(publish the local images, the title of a new server project or "")."""
        if not self.publish.isChecked():
            return False, ""
        return True, self.new_title.text().strip()

    def test_connection(self) -> bool:
        """Sign in and list the projects; say plainly what went wrong otherwise."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            typed = self.project.currentText().strip()
            adapter = make_adapter(
                self.kind.currentData(),
                self.url.text().strip(),
                str(self.project.currentData() or typed or "0"),
                self.token.text().strip(),
                policy=RetryPolicy(attempts=1),
                timeout=10.0,
            )
            try:
                lister = getattr(adapter, "projects", None)
                if callable(lister):
                    projects = [(str(pid), str(title)) for pid, title in lister()]
                else:
                    adapter.connect()
                    projects = [(typed, typed)] if typed else []
            finally:
                adapter.close()
        except SyncError as exc:
            self.status.setText(
                translate("Connect", "Could not connect: {error}").format(error=exc)
            )
            self._connected = False
            self._update_ok()
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.project.clear()
        for project_id, title in projects:
            label = f"{title} (#{project_id})" if title != project_id else project_id
            self.project.addItem(label, project_id)
        self.status.setText(
            counted(
                len(projects),
                translate("Connect", "Connected: {count} project."),
                translate("Connect", "Connected: {count} projects."),
            )
            if projects
            else translate("Connect", "Connected, but this account sees no project.")
        )
        self._connected = True
        self._update_ok()
        return True

    def values(self) -> tuple[str, str, str, str]:
        """(kind, url, token, project id)."""
        return (
            self.kind.currentData(),
            self.url.text().strip().rstrip("/"),
            self.token.text().strip(),
            str(self.project.currentData() or self.project.currentText().strip()),
        )
