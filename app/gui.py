"""Starting the GUI: QApplication, the main window, and the headless screenshot mode."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from limner.app.platform_check import display_problem


def _prepare_platform(screenshot: Path | None) -> None:
    if (
        screenshot is not None
        and not os.environ.get("DISPLAY")
        and not os.environ.get("QT_QPA_PLATFORM")
    ):
        # A screenshot needs no screen: render offscreen rather than fail.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        raise SystemExit(3)


def run_gui(project: Path, *, image_name: str | None = None, screenshot: Path | None = None) -> int:
    """Open ``project`` in the main window; with ``screenshot``, save a picture and exit."""
    _prepare_platform(screenshot)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from limner.app.formats_setup import register_formats
    from limner.app.main_window import MainWindow
    from limner.models.store import queries
    from limner.models.store.store import ProjectStore

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("limner")
    app.setOrganizationName("limner")
    register_formats()
    store = ProjectStore.open(project)
    window = MainWindow(store)
    if screenshot is None:
        window.restore_layout()
    window.show()
    target = None
    if image_name:
        with store.read() as conn:
            target = queries.image_by_name(conn, image_name)
        if target is None:
            print(f"limner: no image named {image_name!r} in {project}", file=sys.stderr)
            return 2
    if target is not None:
        window.editor.open_image(target.id)
    else:
        window.editor.open_first()
    if screenshot is not None:

        def shoot() -> None:
            window.canvas.fit()
            app.processEvents()
            ok = window.grab().save(str(screenshot))
            if not ok:
                print(f"limner: could not write {screenshot}", file=sys.stderr)
            window.close()
            store.close()
            app.exit(0 if ok else 1)

        QTimer.singleShot(300, shoot)
    code = app.exec()
    store.close()
    return int(code)
