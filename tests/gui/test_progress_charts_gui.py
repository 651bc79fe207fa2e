"""The Progress view's charts, opened with Ctrl+P, read in dark, exported as a PNG."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from limner.app.theme import apply_theme

CTRL = Qt.KeyboardModifier.ControlModifier


def _draw_and_submit(qtbot, window) -> None:
    from tests.gui.conftest import drag, image_to_view

    QTest.keyClick(window, Qt.Key.Key_1)  # class "cat"
    QTest.keyClick(window, Qt.Key.Key_B)
    drag(window.canvas.viewport(), image_to_view(window, 5, 5), image_to_view(window, 30, 25))
    QTest.keyClick(window, Qt.Key.Key_Return, CTRL)  # submit


def test_charts_show_classes_days_and_pace_and_export(qtbot, window, tmp_path: Path) -> None:
    _draw_and_submit(qtbot, window)
    QTest.keyClick(window, Qt.Key.Key_P, CTRL)
    dialog = window.workflow.progress_dialog
    qtbot.waitExposed(dialog)
    assert ("cat", 1) in dialog.class_shapes._rows and ("dog", 0) in dialog.class_shapes._rows
    assert ("cat", 1) in dialog.class_images._rows
    (day,) = dialog.days.days
    assert dialog.days.days[day].get("submitted") == 1
    assert dialog.pace._rows == [("tester", 1)]
    out = tmp_path / "progress.png"
    assert dialog.export_png(out)
    with Image.open(out) as picture:
        assert picture.width > 300 and picture.height > 400


def test_the_charts_read_on_a_dark_palette(qtbot, window, restore_look) -> None:
    apply_theme(QApplication.instance(), "dark")
    _draw_and_submit(qtbot, window)
    QTest.keyClick(window, Qt.Key.Key_P, CTRL)
    dialog = window.workflow.progress_dialog
    qtbot.waitExposed(dialog)
    image = dialog.days.grab().toImage()
    legend = [
        image.pixelColor(x, y).lightness()
        for x in range(image.width())
        for y in range(image.height() - 24, image.height())
    ]
    assert sum(v > 170 for v in legend) > 20  # legend text in the light text colour
    box = dialog.findChild(QDialogButtonBox)
    assert dialog.export_button in box.buttons()
