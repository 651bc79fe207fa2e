"""The report at the end of an import or export: the summary, then every loss, copyable.

A conversion that lost something says what, per annotation, and the user must be able to
keep that list (paste it into an issue, a spreadsheet, a message to whoever made the
dataset). The losses are shown as plain text in a read-only text box, whose text can be
selected, and the Copy button puts the summary and every line on the clipboard at once.
Names in the list come from the files read and are shown exactly as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from limner.widgets.i18n import translate
from limner.widgets.plain import plain_label


class LossReport(QDialog):
    """A summary line and one line per loss (``str(loss)``), with a Copy button."""

    def __init__(
        self, title: str, summary: str, lines: Sequence[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lossReport")
        self.setWindowTitle(title)
        self.resize(760, 420)
        self.summary = plain_label(summary, name="lossSummary")
        self.summary.setWordWrap(True)
        self.lines = QPlainTextEdit()
        self.lines.setObjectName("lossLines")
        self.lines.setReadOnly(True)
        self.lines.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.lines.setPlainText(
            "\n".join(lines) if lines else translate("LossReport", "Nothing was lost.")
        )
        self._lines = list(lines)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(translate("LossReport", "Copy"))
        self.copy_button.setObjectName("copyLosses")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.lines)
        layout.addWidget(buttons)

    def text(self) -> str:
        """The summary and every loss line, as copied."""
        return "\n".join([self.summary.text(), *self._lines]) + "\n"

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
