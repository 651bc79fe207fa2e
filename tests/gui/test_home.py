"""The start page and File > New / Open / Open Recent / Close, driven with real input."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from tests.conftest import write_image


def _type(widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    QTest.keyClicks(widget, text)


def _press_create(dialog) -> None:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert button.isEnabled(), dialog.note.text()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def test_new_project_from_a_folder_then_close_and_reopen_from_recent(
    qtbot, home, image_dir: Path, tmp_path: Path
) -> None:
    start = home.show_start()
    qtbot.waitExposed(start)
    assert start.page.recent_paths() == [] and not start.page.empty.isHidden()
    QTest.mouseClick(start.page.buttons["new"], Qt.MouseButton.LeftButton)
    dialog = home._dialogs[0]
    _type(dialog.images, str(image_dir))
    assert dialog.project.text() == str(image_dir / "limner")  # kept with the images
    _type(dialog.classes, "cat, dog")
    _press_create(dialog)
    window = home.window
    assert window is not None and not start.isVisible()
    window.importer.wait()
    qtbot.waitUntil(lambda: window.images.model.rowCount() == 5)
    assert [c.name for c in window.editor.classes] == ["cat", "dog"]
    qtbot.waitUntil(lambda: window.editor.image is not None)

    QTest.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # Close project
    qtbot.waitUntil(lambda: home.window is None)
    assert start.isVisible()
    assert start.page.recent_paths() == [str((image_dir / "limner").resolve())]
    row = start.page.recent.item(0)
    assert "5 images, 0 done" in row.text() and not row.icon().isNull()  # counts, thumbnail

    start.page.recent.setFocus()
    QTest.keyClick(start.page.recent, Qt.Key.Key_Return)
    assert home.window is not None and home.window.images.model.rowCount() == 5
    assert not start.isVisible()


def test_open_recent_menu_lists_projects_and_opens_one(qtbot, home, project) -> None:
    folder = Path(project.folder)
    project.close()
    assert home.open_project(folder) is not None
    home.close_project()
    start = home.show_start()
    menu = start.findChild(type(start.menus["file"]), "recentMenu")
    menu.aboutToShow.emit()
    names = [a.text() for a in menu.actions() if a.text()]
    assert any(str(folder.resolve()) in n for n in names)
    next(a for a in menu.actions() if str(folder.resolve()) in a.text()).trigger()
    assert home.window is not None and home.window.store.folder.resolve() == folder.resolve()


def test_a_folder_of_images_is_offered_as_a_project(qtbot, home, tmp_path, monkeypatch) -> None:
    folder = tmp_path / "shots"
    for i in range(3):
        write_image(folder / f"s{i}.png", seed=i)
    asked = []
    monkeypatch.setattr("limner.app.home.ask_plain", lambda *a, **k: asked.append(a) or True)
    assert home.open_path(folder)
    assert asked and str(folder) in asked[0][2]
    dialog = home._dialogs[0]
    assert dialog.images.text() == str(folder)
    _press_create(dialog)
    home.window.importer.wait()
    qtbot.waitUntil(lambda: home.window.images.model.rowCount() == 3)
    home.close_project()
    # Next time the same folder opens its project at once, without a question.
    asked.clear()
    assert home.open_path(folder) and not asked
    assert home.window.images.model.rowCount() == 3


def test_an_image_file_opens_its_project_at_that_image(qtbot, home, project, image_dir) -> None:
    folder = Path(project.folder)
    project.close()
    # The project lives elsewhere; an image of a project folder opens that project.
    assert home.open_path(folder / "project.limner")
    home.close_project()
    assert not home.open_path(folder / "nothing-here")
    boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "errorBox"]
    for box in boxes:
        box.close()


def test_open_project_shortcut_and_new_project_shortcut_exist(qtbot, window) -> None:
    keys = {a.objectName(): a.shortcut().toString() for a in window.actions()}
    assert keys["action_new_project"] == "Ctrl+N"
    assert keys["action_open_project"] == "Ctrl+O"
    assert keys["action_close_project"] == "Ctrl+W"
    rows = dict(window.shortcut_rows())
    assert rows["Open project…"] == "Ctrl+O"  # the F1 sheet lists them
