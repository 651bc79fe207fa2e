"""File -> Import annotations… and File -> Export… in the window, with the loss report.

The flows go through the menu: the action is found in the File menu and triggered, the
dialog is filled in as a user would, the conversion runs on its worker thread, and what
the project holds afterwards is read from the store. Undo takes back an import batch.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from limner.models.store import queries
from limner.widgets.dialogs.label_transfer import ExportLabelsDialog, ImportLabelsDialog
from tests.app.test_cli_formats import coco_dataset, load_coco
from tests.conftest import write_image
from tests.models.formats.test_labels_found import labelme_sidecar


def file_action(win, text: str) -> QAction:
    """The File menu's action showing ``text`` (so the test uses what the user sees)."""
    menus = [a.menu() for a in win.menuBar().actions() if a.menu() is not None]
    file_menu = next(m for m in menus if m.title().replace("&", "") == "File")
    return next(a for a in file_menu.actions() if a.text() == text)


def shape_count(win) -> int:
    with win.store.read() as conn:
        return sum(r.annotation_count for r in queries.image_page(conn, 0, 100))


def test_import_from_the_menu_reports_its_losses_and_undoes_as_one_step(
    qtbot, window, tmp_path: Path
) -> None:
    win = window
    coco_dataset(tmp_path, orphan=True)
    file_action(win, "Import annotations…").trigger()
    dialog = win.labels._dialog
    assert isinstance(dialog, ImportLabelsDialog) and dialog.isVisible()
    dialog.path.setText(str(tmp_path))
    assert dialog.detected.text().startswith("Recognised as COCO")
    dialog.accept()
    qtbot.waitUntil(lambda: not win.labels.busy, timeout=60000)
    assert shape_count(win) == 3
    report = win.labels.report
    assert report is not None and report.isVisible()
    assert "1 loss" in report.summary.text()
    expected = "dataset, annotation 4: annotation: its image id 42 is not among the images"
    assert report.lines.toPlainText() == expected
    report.copy_button.click()
    assert expected in QGuiApplication.clipboard().text()
    assert "imported 3 shapes" in win.statusBar().currentMessage()
    undo = win.action_set["undo"]
    assert undo.isEnabled() and "Import coco annotations" in undo.text()
    undo.trigger()
    assert shape_count(win) == 0
    win.action_set["redo"].trigger()
    assert shape_count(win) == 3


def test_export_from_the_menu_writes_the_chosen_classes(
    qtbot, window, tmp_path: Path
) -> None:
    win = window
    coco_dataset(tmp_path)
    assert win.labels.import_from(tmp_path / "instances.json") is not None
    qtbot.waitUntil(lambda: not win.labels.busy, timeout=60000)
    file_action(win, "Export…").trigger()
    dialog = win.labels._dialog
    assert isinstance(dialog, ExportLabelsDialog)
    dialog.format.setCurrentIndex(dialog.format.findText("COCO", Qt.MatchFlag.MatchContains))
    out = tmp_path / "export.json"
    dialog.out.setText(str(out))
    for row in range(dialog.classes.count()):
        item = dialog.classes.item(row)
        if item.text() != "truck":
            item.setCheckState(Qt.CheckState.Unchecked)
    assert dialog.chosen_classes() == ("truck",)
    dialog.accept()
    qtbot.waitUntil(lambda: not win.labels.busy, timeout=60000)
    api = load_coco(out)
    assert [c["name"] for c in api.cats.values()] == ["truck"]
    assert len(api.anns) == 2 and len(api.imgs) == 5
    assert win.statusBar().currentMessage().startswith("exported 5 images, 2 shapes")


def _answer(qtbot, win, button: QMessageBox.StandardButton) -> None:
    qtbot.waitUntil(lambda: win.labels.found_box is not None, timeout=60000)
    box = win.labels.found_box
    assert "labelme annotations in" in box.text()
    box.button(button).click()


def test_adding_a_folder_with_sidecars_offers_their_labels(
    qtbot, window, tmp_path: Path
) -> None:
    win = window
    folder = tmp_path / "pets"
    for i in range(2):
        labelme_sidecar(write_image(folder / f"p{i}.png", seed=40 + i), "dog")
    win.importer.add_paths([folder])
    _answer(qtbot, win, QMessageBox.StandardButton.Yes)
    qtbot.waitUntil(lambda: not win.labels.busy and shape_count(win) == 2, timeout=60000)
    with win.store.read() as conn:
        counts = {r.name: r.annotation_count for r in queries.image_page(conn, 0, 100)}
    assert counts["p0.png"] == 1 and counts["p1.png"] == 1


def test_declining_the_labels_says_they_were_not_imported(
    qtbot, window, tmp_path: Path
) -> None:
    win = window
    folder = tmp_path / "pets"
    labelme_sidecar(write_image(folder / "p0.png", seed=40), "dog")
    win.importer.add_paths([folder])
    _answer(qtbot, win, QMessageBox.StandardButton.No)
    message = win.statusBar().currentMessage()
    assert message.startswith(f"Not imported: labelme annotations in {folder}")
    assert shape_count(win) == 0
