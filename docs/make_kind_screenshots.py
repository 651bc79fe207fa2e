"""Renders the README's screenshots of the polyline, point, ellipse and rotate tools.

Run ``QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_kind_screenshots.py``; like
``make_screenshots.py`` it makes a fresh demo project in a temporary folder, drives the
tools with mouse events and writes PNGs next to this file.
"""

from __future__ import annotations

import math
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from make_screenshots import key, open_image, pick_class, prepared_app, shoot, view  # noqa: E402

from limner.app.main_window import MainWindow  # noqa: E402
from limner.models.demo import create_demo_project  # noqa: E402
from limner.models.editing import shape_handles  # noqa: E402

NONE = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
LEFT = Qt.MouseButton.LeftButton


def click(win: MainWindow, x: float, y: float) -> None:
    QTest.mouseClick(win.canvas.viewport(), LEFT, NONE, view(win, x, y))


def shift_move(win: MainWindow, x: float, y: float) -> None:
    """A mouse move with the left button and Shift held (QTest's moves carry neither)."""
    vp = win.canvas.viewport()
    point = QPointF(view(win, x, y))
    event = QMouseEvent(
        QEvent.Type.MouseMove, point, vp.mapToGlobal(point), Qt.MouseButton.NoButton, LEFT, SHIFT
    )
    QApplication.sendEvent(vp, event)


def polyline(win: MainWindow) -> None:
    open_image(win, "parking_lot.jpg")
    pick_class(win, "car")
    key(win, Qt.Key.Key_I)
    for x, y in [(90, 398), (330, 398), (560, 402), (760, 430), (980, 470)]:
        click(win, x, y)
    key(win, Qt.Key.Key_Return)
    for x, y in [(60, 330), (400, 332), (700, 338)]:
        click(win, x, y)
    QTest.mouseMove(win.canvas.viewport(), view(win, 880, 345))
    shoot(win, "tool-polyline.png")
    key(win, Qt.Key.Key_Escape)


def points(win: MainWindow) -> None:
    open_image(win, "cells_01.jpg")
    pick_class(win, "cell")
    key(win, Qt.Key.Key_T)
    centres = [(172, 155), (278, 188), (438, 240), (560, 80), (532, 163), (762, 122), (768, 225)]
    centres += [(866, 226), (660, 388), (750, 390), (812, 365), (562, 430), (488, 462)]
    centres += [(372, 488), (226, 532), (458, 578), (776, 562)]
    for x, y in centres:
        click(win, x, y)
    shoot(win, "tool-point.png")


def ellipses(win: MainWindow) -> None:
    open_image(win, "fruit_table.jpg")
    pick_class(win, "orange")
    key(win, Qt.Key.Key_O)
    vp = win.canvas.viewport()
    for (x0, y0), (x1, y1) in [((288, 62), (402, 178)), ((50, 628), (170, 750))]:
        QTest.mousePress(vp, LEFT, NONE, view(win, x0, y0))
        QTest.mouseMove(vp, view(win, x1, y1))
        QTest.mouseRelease(vp, LEFT, NONE, view(win, x1, y1))
    pick_class(win, "apple")  # the bottom-right apple, as a circle still being dragged
    QTest.mousePress(vp, LEFT, SHIFT, view(win, 835, 555))
    shift_move(win, 975, 690)
    shoot(win, "tool-ellipse.png")
    QTest.mouseRelease(vp, LEFT, SHIFT, view(win, 975, 690))


def rotated_box(win: MainWindow) -> None:
    open_image(win, "parking_lot.jpg")
    pick_class(win, "car")
    win.canvas.set_zoom(2.0)
    win.canvas.centerOn(420, 398)
    QApplication.processEvents()
    key(win, Qt.Key.Key_B)
    vp = win.canvas.viewport()
    QTest.mousePress(vp, LEFT, NONE, view(win, 334, 360))
    QTest.mouseMove(vp, view(win, 508, 436))
    QTest.mouseRelease(vp, LEFT, NONE, view(win, 508, 436))
    key(win, Qt.Key.Key_V)
    (box,) = [a.geometry for a in win.editor.selected_annotations()]
    hx, hy = shape_handles.rotate_handle(box, win.canvas.zoom)
    cx, cy = box.centre
    reach = 120.0
    target = (cx + reach * math.sin(math.radians(3)), cy - reach * math.cos(math.radians(3)))
    QTest.mousePress(vp, LEFT, NONE, view(win, hx, hy))
    for step in range(1, 6):
        t = step / 5
        QTest.mouseMove(vp, view(win, hx + (target[0] - hx) * t, hy + (target[1] - hy) * t))
    QTest.mouseRelease(vp, LEFT, NONE, view(win, *target))
    (turned,) = [a.geometry for a in win.editor.selected_annotations()]
    QTest.mouseMove(vp, view(win, *shape_handles.rotate_handle(turned, win.canvas.zoom)))
    shoot(win, "tool-rotate.png")


def main() -> None:
    app = prepared_app()
    with tempfile.TemporaryDirectory() as tmp:
        store = create_demo_project(Path(tmp) / "demo")
        win = MainWindow(store)
        win.resize(1400, 860)
        win.show()
        polyline(win)
        points(win)
        ellipses(win)
        rotated_box(win)
        win.close()
        store.close()
    app.quit()


if __name__ == "__main__":
    main()
