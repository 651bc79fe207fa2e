"""Preferences and About, opened with their keys and filled in with the keyboard."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel

from limner.app.preferences import Preferences, apply_author
from limner.models.imaging.tile_cache import tile_cache_dir


def _open_preferences(qtbot, window):
    QTest.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = window.home._dialogs[0]
    qtbot.waitExposed(dialog)
    return dialog


def _pick(combo, key: str) -> None:
    combo.setFocus()
    while combo.currentData() != key:
        QTest.keyClick(combo, Qt.Key.Key_Down)


def test_preferences_apply_at_once_and_are_kept(qtbot, window, restore_look) -> None:
    dialog = _open_preferences(qtbot, window)
    _pick(dialog.theme, "dark")
    _pick(dialog.wheel, "zoom")
    dialog.prefetch.setFocus()
    dialog.prefetch.selectAll()
    QTest.keyClicks(dialog.prefetch, "5")
    QTest.mouseClick(dialog.toolbar_text, Qt.MouseButton.LeftButton)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert window.canvas.wheel_zooms
    assert window.editor.prefetcher.ahead == 5
    assert all(
        b.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        for b in window.toolbars.values()
    )
    window_color = QApplication.instance().palette().color(QPalette.ColorRole.Window)
    assert window_color.lightness() < 80  # dark
    kept = Preferences.load()
    assert (kept.theme, kept.wheel, kept.prefetch, kept.toolbar_text) == ("dark", "zoom", 5, True)


def test_a_new_window_starts_with_the_saved_preferences(qtbot, project) -> None:
    Preferences(wheel="zoom", prefetch=1).save()
    from limner.app.main_window import MainWindow

    win = MainWindow(project)
    qtbot.addWidget(win)
    assert win.canvas.wheel_zooms and win.editor.prefetcher.ahead == 1
    win.close()


def test_a_hand_edited_value_out_of_range_falls_back(qtbot) -> None:
    Preferences(theme="purple", prefetch=900).save()
    prefs = Preferences.load()
    assert prefs.theme == "system" and prefs.prefetch == 20


def test_author_name_is_used_unless_the_environment_names_one(monkeypatch) -> None:
    monkeypatch.delenv("LIMNER_USER", raising=False)
    apply_author(Preferences(author="Ada"))
    import os

    from limner.models.store.tx import current_user

    assert current_user() == "Ada"
    apply_author(Preferences(author=""))
    assert os.environ.get("LIMNER_USER") is None
    monkeypatch.setenv("LIMNER_USER", "from-env")
    apply_author(Preferences(author="Ada"))
    assert current_user() == "from-env"


def test_closing_a_project_trims_its_tile_cache_to_the_limit(qtbot, home, project) -> None:
    folder = Path(project.folder)
    project.close()
    tiles = tile_cache_dir(folder) / "someimage" / "t256"
    tiles.mkdir(parents=True)
    (tiles / "0_0_0.npy").write_bytes(b"x" * 4096)
    Preferences(tile_cache_mb=0).save()
    assert home.open_project(folder) is not None
    home.close_project()
    assert not tiles.exists()


def test_about_names_version_licence_and_folders(qtbot, home) -> None:
    start = home.show_start()
    about = next(a for a in start.actions() if a.objectName() == "action_about")
    about.trigger()
    dialog = home._dialogs[0]
    texts = " ".join(w.text() for w in dialog.findChildren(QLabel))
    assert "limner " in texts and "Apache" in texts and "limner.conf" in texts
