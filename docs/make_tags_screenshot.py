"""Renders the README's picture of image tags and groups from the demo project.

Run ``QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_tags_screenshot.py``; it makes a
fresh demo project in a temporary folder, adds three tag classes, answers them on one
image, groups two of its shapes and rests the pointer on one of them, then writes
``tags-and-groups.png`` next to this file.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from make_screenshots import prepared_app  # noqa: E402

from limner.app.main_window import MainWindow  # noqa: E402
from limner.models.demo import create_demo_project  # noqa: E402
from limner.models.domain.geometry import TagSpec, bounds  # noqa: E402
from limner.models.editing.commands import AddClass  # noqa: E402
from limner.models.store import queries  # noqa: E402

TAG_CLASSES = (
    ("weather", "#4363d8", TagSpec("single", ("sunny", "cloudy", "rainy"))),
    ("scene", "#911eb4", TagSpec("multiple", ("crowded", "occluded", "blurred", "night"))),
    ("caption", "#f58231", TagSpec("text")),
)


def main() -> None:
    app = prepared_app()
    with tempfile.TemporaryDirectory() as tmp:
        store = create_demo_project(Path(tmp) / "demo")
        win = MainWindow(store)
        win.resize(1400, 860)
        win.show()
        ids = {}
        for name, color, spec in TAG_CLASSES:
            command = AddClass({"name": name, "color": color, "kind": "tag", "tag": spec})
            win.editor.commit(command)
            ids[name] = command.class_id
        with store.read() as conn:
            record = queries.image_by_name(conn, "fruit_table.jpg")
        assert record is not None
        win.editor.open_image(record.id)
        win.canvas.fit()
        QApplication.processEvents()
        QTest.keyClick(win.canvas, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)  # sunny
        QTest.keyClick(win.canvas, Qt.Key.Key_4, Qt.KeyboardModifier.AltModifier)  # crowded
        QTest.keyClick(win.canvas, Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)  # occluded
        win.editor.set_tag(ids["caption"], "fruit on a wooden table")
        shapes = win.editor.annotations[:2]
        win.editor.set_selection([s.uuid for s in shapes])
        QTest.keyClick(win.canvas, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
        win.editor.set_selection([])
        x0, y0, x1, _y1 = bounds(shapes[0].geometry)
        QTest.mouseMove(win.canvas.viewport(), win.canvas.mapFromScene((x0 + x1) / 2, y0 + 2))
        QApplication.processEvents()
        win.grab().save(str(HERE / "tags-and-groups.png"))
        print("wrote", HERE / "tags-and-groups.png")
        win.close()
        store.close()
    app.quit()


if __name__ == "__main__":
    main()
