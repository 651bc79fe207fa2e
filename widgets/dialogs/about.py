"""About limner: the version, the licence and where limner keeps the user's files."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QWidget

from limner.widgets.i18n import translate
from limner.widgets.plain import plain_label


class AboutDialog(QDialog):
    def __init__(
        self,
        version: str,
        licence: str,
        folders: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(translate("AboutDialog", "About limner"))
        form = QFormLayout(self)
        title = plain_label(f"limner {version}", name="aboutVersion")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        form.addRow(title)
        about = translate(
            "AboutDialog",
            "Image labeling: boxes, polygons, masks and skeletons, offline first, synced with "
            "annotation servers.",
        )
        form.addRow(plain_label(about))
        form.addRow(translate("AboutDialog", "Licence"), plain_label(licence, name="aboutLicence"))
        for what, path in folders:
            label = plain_label(path)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(what, label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
