"""Connect to server…: kind, address, token, test the connection, pick the project."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
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
from limner.sync.retry import RetryPolicy
from limner.widgets.plain import plain_label


class ConnectDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to server")
        self.setObjectName("connectDialog")
        self.kind = QComboBox()
        for kind, name in KIND_NAMES.items():
            self.kind.addItem(name, kind)
        self.url = QLineEdit("http://localhost:8080")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("access token (kept in the OS keyring)")
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.project = QComboBox()
        self.project.setEditable(True)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.status = plain_label()  # server messages and project titles are untrusted
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Server", self.kind)
        form.addRow("Address", self.url)
        form.addRow("Token", self.token)
        form.addRow("", self.test_button)
        form.addRow("Project", self.project)
        form.addRow(self.status)
        form.addRow(self.buttons)

    def _kind_changed(self) -> None:
        hint = PROJECT_HINTS.get(self.kind.currentData(), "")
        self.project.lineEdit().setPlaceholderText(hint)

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
            self.status.setText(f"Could not connect: {exc}")
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.project.clear()
        for project_id, title in projects:
            label = f"{title} (#{project_id})" if title != project_id else project_id
            self.project.addItem(label, project_id)
        self.status.setText(
            f"Connected: {len(projects)} project{'s' if len(projects) != 1 else ''}."
            if projects
            else "Connected, but this account sees no project."
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(projects))
        return True

    def values(self) -> tuple[str, str, str, str]:
        """(kind, url, token, project id)."""
        return (
            self.kind.currentData(),
            self.url.text().strip().rstrip("/"),
            self.token.text().strip(),
            str(self.project.currentData() or self.project.currentText().strip()),
        )
