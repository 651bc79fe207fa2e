"""Renders the README's screenshots from the demo project: each tool in the middle of use.

Run ``QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py``; it makes a
fresh demo project in a temporary folder and writes PNGs next to this file.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from limner.app.main_window import MainWindow  # noqa: E402
from limner.models.demo import create_demo_project  # noqa: E402
from limner.models.store import queries  # noqa: E402

NONE = Qt.KeyboardModifier.NoModifier
LEFT = Qt.MouseButton.LeftButton


def view(win: MainWindow, x: float, y: float) -> QPoint:
    return win.canvas.mapFromScene(x, y)


def open_image(win: MainWindow, name: str) -> None:
    with win.store.read() as conn:
        record = queries.image_by_name(conn, name)
    assert record is not None
    win.editor.open_image(record.id)
    win.canvas.fit()
    QApplication.processEvents()


def key(win: MainWindow, k: Qt.Key, mods=NONE) -> None:
    QTest.keyClick(win.canvas, k, mods)
    QApplication.processEvents()


def shoot(win: MainWindow, name: str) -> None:
    QApplication.processEvents()
    win.grab().save(str(HERE / name))
    print("wrote", HERE / name)


def pick_class(win: MainWindow, name: str) -> None:
    cls = next(c for c in win.editor.classes if c.name == name)
    win.editor.set_active_class(cls.id)


def prepared_app() -> QApplication:
    """The application as a new user sees it: light theme, English, the toolbar's icons,
    and settings in a folder of their own (the user's preferences and layout stay out)."""
    from PySide6.QtCore import QSettings

    from limner.app.language import install_language
    from limner.app.theme import apply_theme

    settings = tempfile.mkdtemp(prefix="limner-shots-")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, settings)
    app = QApplication.instance() or QApplication([])
    apply_theme(app, "light")
    install_language(app, "en")
    return app


def main() -> None:
    app = prepared_app()
    with tempfile.TemporaryDirectory() as tmp:
        store = create_demo_project(Path(tmp) / "demo")
        win = MainWindow(store)
        win.resize(1400, 860)
        win.show()
        vp = win.canvas.viewport()

        open_image(win, "parking_lot.jpg")
        pick_class(win, "car")
        key(win, Qt.Key.Key_P)
        for x, y in [(610, 420), (690, 418), (700, 470), (615, 476)]:
            QTest.mouseClick(vp, LEFT, NONE, view(win, x, y))
        QTest.mouseMove(vp, view(win, 640, 500))
        shoot(win, "tool-polygon.png")
        key(win, Qt.Key.Key_Escape)

        open_image(win, "cells_02.jpg")
        pick_class(win, "cell")
        key(win, Qt.Key.Key_M)
        QTest.mousePress(vp, LEFT, NONE, view(win, 300, 300))
        for i in range(1, 30):
            QTest.mouseMove(vp, view(win, 300 + i * 8, 300 + (i % 7) * 6))
        QTest.mouseRelease(vp, LEFT, NONE, view(win, 532, 318))
        QTest.mouseMove(vp, view(win, 560, 330))
        shoot(win, "tool-brush.png")
        key(win, Qt.Key.Key_E)
        QTest.mousePress(vp, LEFT, NONE, view(win, 380, 280))
        for i in range(1, 20):
            QTest.mouseMove(vp, view(win, 400 + i * 2, 260 + i * 4))
        QTest.mouseRelease(vp, LEFT, NONE, view(win, 494, 320))
        QTest.mouseMove(vp, view(win, 500, 322))
        shoot(win, "tool-eraser.png")

        open_image(win, "street.jpg")
        pick_class(win, "person")
        key(win, Qt.Key.Key_K)
        for x, y in [(2424, 880), (2424, 915), (2398, 930), (2450, 930)]:
            QTest.mouseClick(vp, LEFT, NONE, view(win, x, y))
        shoot(win, "tool-keypoints.png")
        key(win, Qt.Key.Key_Escape)


        open_image(win, "cells_01.jpg")
        pick_class(win, "cell")
        key(win, Qt.Key.Key_W)
        QTest.mouseClick(vp, LEFT, NONE, view(win, 775, 377))
        QTest.mouseMove(vp, view(win, 790, 390))
        shoot(win, "tool-wand.png")

        open_image(win, "fruit_table.jpg")
        pick_class(win, "apple")
        key(win, Qt.Key.Key_B)
        QTest.mousePress(vp, LEFT, NONE, view(win, 880, 560))
        QTest.mouseMove(vp, view(win, 1000, 680))
        shoot(win, "tool-box.png")
        QTest.mouseRelease(vp, LEFT, NONE, view(win, 1000, 680))

        win.editor.add_class("fruit")  # GrabCut makes masks: a class of any kind takes one
        pick_class(win, "fruit")
        key(win, Qt.Key.Key_G)
        QTest.mousePress(vp, LEFT, NONE, view(win, 32, 585))
        QTest.mouseMove(vp, view(win, 168, 718))
        QTest.mouseRelease(vp, LEFT, NONE, view(win, 168, 718))
        key(win, Qt.Key.Key_V)
        shoot(win, "tool-grabcut-result.png")
        review_screenshots(win)
        win.close()
        store.close()
    app.quit()


def review_screenshots(win: MainWindow) -> None:
    """A rejected image as the annotator sees it, then the reviewer's view of the fix."""
    from limner.models.domain.entities import NewAnnotation
    from limner.models.domain.geometry import Box
    from limner.models.editing.commands import AddAnnotations
    from limner.models.store.tx import new_uuid
    from limner.models.workflow.review_commands import AddRemark, Review, Submit

    open_image(win, "fruit_table.jpg")
    image = win.editor.image
    win.editor.commit(Submit([image.id]))
    win.workflow.set_mode("review")
    win.editor.commit(Review(image.id, "reject", "The two fruits at the bottom are not labeled."))
    win.editor.commit(AddRemark(image.id, "this orange", x=98.0, y=650.0))
    win.workflow.set_mode("annotate")
    open_image(win, "fruit_table.jpg")
    win.workflow.refresh()
    shoot(win, "mode-annotate.png")
    orange = next(c.id for c in win.editor.classes if c.name == "orange")
    apple = next(c.id for c in win.editor.classes if c.name == "apple")
    win.editor.commit(
        AddAnnotations(
            (
                NewAnnotation(new_uuid(), image.id, orange, Box(48, 596, 150, 704)),
                NewAnnotation(new_uuid(), image.id, apple, Box(880, 560, 1000, 672)),
            )
        )
    )
    win.workflow.submit()
    win.workflow.set_mode("review")
    open_image(win, "fruit_table.jpg")
    win.workflow.refresh()
    shoot(win, "mode-review.png")


if __name__ == "__main__":
    main()
