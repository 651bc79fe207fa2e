"""Child process of the crash test: draw a box in the real window, say so, then wait.

The parent kills this process with SIGKILL the moment it reads "SHOWN"; nothing after
that line may be needed for the edit to survive.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from limner.app.main_window import MainWindow
from limner.models.store.store import ProjectStore


def main(project: str) -> None:
    app = QApplication([])
    window = MainWindow(ProjectStore.open(project))
    window.resize(1000, 700)
    window.show()
    window.editor.open_first()
    app.processEvents()
    QTest.keyClick(window, Qt.Key.Key_B)
    viewport = window.canvas.viewport()
    start, end = window.canvas.mapFromScene(5, 5), window.canvas.mapFromScene(40, 30)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    app.processEvents()
    items = window.canvas.items_by_uuid()
    if len(items) != 1:
        print("NOT SHOWN", flush=True)
        sys.exit(1)
    print(f"SHOWN {next(iter(items))}", flush=True)
    while True:  # keep the process (and its open database) alive until killed
        app.processEvents()
        time.sleep(0.01)


if __name__ == "__main__":
    main(sys.argv[1])
