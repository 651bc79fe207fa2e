"""The model-assisted tools driven with real mouse and key events in the real window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from limner.models.domain.geometry import Polygon
from limner.models.store.store import ProjectStore
from tests.gui.conftest import image_to_view
from tests.models.test_scissors_tool import SQUARE, area_overlap, square_image

NONE = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def square_project(tmp_path: Path) -> Iterator[ProjectStore]:
    from limner.models.workflow.project import create_project

    folder = tmp_path / "images"
    folder.mkdir()
    Image.fromarray(square_image()).save(folder / "square.png")
    store, report = create_project(tmp_path / "proj", images=[folder], classes=["box"])
    assert report.added == 1
    yield store
    store.close()


@pytest.fixture
def square_window(qtbot, square_project: ProjectStore) -> Iterator:
    from limner.app.main_window import MainWindow

    win = MainWindow(square_project)
    qtbot.addWidget(win)
    win.resize(1000, 800)
    win.show()
    qtbot.waitExposed(win)
    win.editor.open_first()
    yield win
    win.close()


def click(win, x: float, y: float) -> None:
    QTest.mouseClick(win.canvas.viewport(), Qt.MouseButton.LeftButton, NONE, image_to_view(win, x, y))


def test_scissors_follow_the_square_and_enter_stores_a_polygon(qtbot, square_window) -> None:
    win = square_window
    QTest.keyClick(win, Qt.Key.Key_S)
    tool = win.editor.tool
    assert tool.name == "scissors"
    x0, y0, x1, y1 = SQUARE
    midpoints = [((x0 + x1) / 2, y0), (x1, (y0 + y1) / 2), ((x0 + x1) / 2, y1), (x0, (y0 + y1) / 2)]
    for x, y in midpoints:
        click(win, x, y)
        qtbot.waitUntil(lambda: tool.tracer().ready)
    QTest.mouseMove(win.canvas.viewport(), image_to_view(win, *midpoints[0]))
    assert len(tool.preview.polyline) > len(midpoints) + 1  # the live path bends at corners
    QTest.keyClick(win.canvas, Qt.Key.Key_Return)
    (ann,) = win.editor.annotations
    assert isinstance(ann.geometry, Polygon)
    assert area_overlap(ann.geometry, (200, 160)) > 0.9
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.editor.annotations == []
