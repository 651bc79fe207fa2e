"""Light and dark: chart labels, status colours and the rejection banner stay readable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from limner.app.theme import apply_theme
from limner.widgets.palette_colors import STATUS_HUES, status_color
from tests.gui.test_review_loop import type_into_dialog

CTRL = Qt.KeyboardModifier.ControlModifier


def _light_pixels(widget, right: int, threshold: int = 170) -> int:
    """Light pixels left of ``right``: the chart's label column holds nothing but text."""
    image = widget.grab().toImage()
    return sum(
        QColor(image.pixel(x, y)).lightness() > threshold
        for x in range(min(right, image.width()))
        for y in range(image.height())
    )


def test_progress_chart_labels_read_on_a_dark_palette(qtbot, window, restore_look) -> None:
    apply_theme(QApplication.instance(), "dark")
    QTest.keyClick(window, Qt.Key.Key_P, CTRL)
    dialog = window.workflow.progress_dialog
    qtbot.waitExposed(dialog)
    status_chart, _people = dialog.charts["Project"]
    background = status_chart.palette().color(QPalette.ColorRole.Window)
    assert background.lightness() < 80
    assert _light_pixels(status_chart, 104) > 40  # the labels, drawn in light text


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_status_colours_stand_apart_from_the_background(theme, restore_look) -> None:
    apply_theme(QApplication.instance(), theme)
    palette = QApplication.palette()
    base = palette.color(QPalette.ColorRole.Base).lightness()
    for status in STATUS_HUES:
        assert abs(status_color(status, palette).lightness() - base) >= 60, status


def test_the_rejection_banner_sits_above_the_image_not_over_it(qtbot, window) -> None:
    first = window.editor.image.id
    QTest.keyClick(window, Qt.Key.Key_Return, CTRL)  # submitted
    QTest.keyClick(window, Qt.Key.Key_F7)
    window.editor.open_image(first)
    QTest.keyClick(window, Qt.Key.Key_R)
    type_into_dialog(qtbot, window, "the box is too loose")
    QTest.keyClick(window, Qt.Key.Key_F6)
    window.editor.open_image(first)
    banner = window.workflow.banner
    assert banner.isVisible() and "too loose" in banner.text()
    viewport = window.canvas.viewport()
    assert viewport.geometry().top() >= banner.geometry().bottom()
    assert banner.width() == window.canvas.width()
    QTest.keyClick(window, Qt.Key.Key_Return, CTRL)  # submitted again: the banner goes
    window.editor.open_image(first)
    assert not banner.isVisible() and window.canvas.viewport().geometry().top() < 4
