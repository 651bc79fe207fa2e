"""Window/level for deep images (16-bit, float): which raw values show as black and white."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QPushButton,
    QWidget,
)

from limner.widgets.i18n import translate

RANGE = 1e12


class WindowLevelDialog(QDialog):
    """Applies as soon as a value changes, so the canvas shows the effect while typing."""

    windowChanged = Signal(float, float)
    autoRequested = Signal()

    def __init__(self, low: float, high: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("windowLevelDialog")
        self.setWindowTitle(translate("WindowLevel", "Window / level"))
        self.low = QDoubleSpinBox()
        self.high = QDoubleSpinBox()
        for box, value in ((self.low, low), (self.high, high)):
            box.setRange(-RANGE, RANGE)
            box.setDecimals(3)
            box.setValue(value)
            box.valueChanged.connect(self._changed)
        auto = QPushButton(translate("WindowLevel", "Auto (0.5–99.5 percentiles)"))
        auto.clicked.connect(self.autoRequested.emit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(translate("WindowLevel", "Black at"), self.low)
        form.addRow(translate("WindowLevel", "White at"), self.high)
        form.addRow(auto)
        form.addRow(buttons)

    def _changed(self) -> None:
        if self.high.value() > self.low.value():
            self.windowChanged.emit(self.low.value(), self.high.value())
