"""GUI fixtures: a real main window on a real project, offscreen."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtTest import QTest

from limner.models.store.store import ProjectStore


@pytest.fixture
def window(qtbot, project: ProjectStore) -> Iterator:
    from limner.app.main_window import MainWindow

    win = MainWindow(project)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    win.editor.open_first()
    yield win
    win.close()


def image_to_view(win, x: float, y: float) -> QPoint:
    """Viewport position of an image coordinate."""
    return win.canvas.mapFromScene(x, y)


def drag(
    widget, start: QPoint, end: QPoint, steps: int = 5, modifier=Qt.KeyboardModifier.NoModifier
) -> None:
    """A real press-move-release gesture with the left button."""
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, modifier, start)
    for i in range(1, steps + 1):
        point = start + (end - start) * (i / steps)
        QTest.mouseMove(widget, point)
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, modifier, end)


def info_in_new_process(path: Path) -> dict:
    """``limner info --json`` in a fresh interpreter: what is on disk, not in memory."""
    out = subprocess.run(
        [sys.executable, "-m", "limner", "info", str(path), "--json"],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(out.stdout)


@pytest.fixture(autouse=True)
def user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point QSettings and the data and cache folders at ``tmp_path/user``: no GUI test
    reads or writes the preferences, recent list or layout of whoever runs the tests."""
    root = tmp_path / "user"
    for name in ("config", "data", "cache"):
        (root / name).mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(root / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "cache"))
    fmt, scope = QSettings.Format.NativeFormat, QSettings.Scope.UserScope
    QSettings.setPath(fmt, scope, str(root / "config"))
    yield root
    QSettings.setPath(fmt, scope, str(Path.home() / ".config"))


@pytest.fixture
def home(qtbot, user_folders: Path) -> Iterator:
    from limner.app.home import ProjectHome
    from limner.app.main_window import MainWindow

    made = ProjectHome(lambda store, h: MainWindow(store, home=h))
    yield made
    made.quit()


@pytest.fixture
def restore_look(qapp) -> Iterator[None]:
    """The application's style and palette as they were, after a test changes the theme."""
    palette, style = qapp.palette(), qapp.style().name()
    yield
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setProperty("limnerTheme", None)
