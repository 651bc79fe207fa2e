"""Starting the GUI: QApplication, the start page or a project, and the screenshot mode."""

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


def _quiet_offscreen_plugin() -> None:
    """The offscreen platform warns that it cannot resize or raise windows, which a
    picture never needs; every other Qt message still reaches stderr."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if kind == QtMsgType.QtWarningMsg and message.startswith("This plugin does not support"):
            return
        print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def run_gui(
    target: Path | None,
    *,
    image_name: str | None = None,
    screenshot: Path | None = None,
    language: str | None = None,
    theme: str | None = None,
) -> int:
    """Open ``target`` (a project, a folder of images, an image) or, with None, the start
    page; with ``screenshot``, save a picture of the window and exit, leaving the user's
    saved window layout as it was. ``language`` and ``theme`` override the preferences for
    this run only."""
    _prepare_platform(screenshot)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from limner.app.formats_setup import register_formats
    from limner.app.home import ProjectHome
    from limner.app.language import install_language
    from limner.app.main_window import MainWindow
    from limner.app.theme import apply_preferences, apply_theme

    if screenshot is not None:
        _quiet_offscreen_plugin()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("limner")
    app.setOrganizationName("limner")
    register_formats()
    prefs = apply_preferences(app)
    install_language(app, language or prefs.language)  # before any window is made
    if theme is not None:
        apply_theme(app, theme)
    from limner.widgets.icons import icon

    app.setWindowIcon(icon("limner"))
    home = ProjectHome(
        lambda store, h: MainWindow(store, home=h), keep_layout=screenshot is not None
    )
    if target is None:
        home.show_start()
    elif not home.open_path(target, image=image_name) and screenshot is not None:
        return 2
    if screenshot is not None:

        def shoot() -> None:
            shown = home.current()
            canvas = getattr(shown, "canvas", None)
            if canvas is not None:
                canvas.fit()
            app.processEvents()
            ok = shown.grab().save(str(screenshot))
            if not ok:
                print(f"limner: could not write {screenshot}", file=sys.stderr)
            home.quit()
            app.exit(0 if ok else 1)

        QTimer.singleShot(300, shoot)
    code = app.exec()
    home.quit()
    return int(code)
