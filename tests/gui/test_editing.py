"""Copy/paste, duplicate, z-order, hide/lock and attributes through the window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QComboBox

from limner.models.domain.geometry import translate
from tests.gui.conftest import drag, image_to_view


def draw(win, x0: float, y0: float, x1: float, y1: float) -> None:
    QTest.keyClick(win, Qt.Key.Key_B)
    drag(win.canvas.viewport(), image_to_view(win, x0, y0), image_to_view(win, x1, y1))


def ctrl(win, key: Qt.Key, shift: bool = False) -> None:
    mods = Qt.KeyboardModifier.ControlModifier
    if shift:
        mods |= Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(win, key, mods)


def test_copy_paste_duplicate_and_paste_into_next(qtbot, window) -> None:
    win = window
    draw(win, 10, 10, 30, 30)
    (first,) = win.editor.annotations
    ctrl(win, Qt.Key.Key_C)
    ctrl(win, Qt.Key.Key_V)
    shapes = win.editor.annotations
    assert len(shapes) == 2 and shapes[1].geometry == first.geometry
    assert shapes[1].uuid != first.uuid
    assert win.editor.selection() == {shapes[1].uuid}
    ctrl(win, Qt.Key.Key_D)
    dup = win.editor.annotations[-1]
    assert dup.geometry == translate(first.geometry, 10, 10)
    assert len(win.editor.annotations) == 3
    ctrl(win, Qt.Key.Key_V, shift=True)
    assert win.editor.image.name == "img2.png"
    (pasted,) = win.editor.annotations
    assert pasted.geometry == dup.geometry
    ctrl(win, Qt.Key.Key_Z)  # undo the paste; the window stays on the image it touched
    assert win.editor.annotations == []


def test_z_order_hide_and_lock(qtbot, window) -> None:
    win = window
    draw(win, 10, 10, 40, 40)
    draw(win, 20, 20, 50, 50)
    a, b = win.editor.annotations
    QTest.keyClick(win, Qt.Key.Key_V)
    QTest.mouseClick(
        win.canvas.viewport(), Qt.MouseButton.LeftButton, pos=image_to_view(win, 30, 30)
    )
    assert win.editor.selection() == {b.uuid}  # the top one
    ctrl(win, Qt.Key.Key_BracketLeft)  # send to back
    QTest.mouseClick(
        win.canvas.viewport(), Qt.MouseButton.LeftButton, pos=image_to_view(win, 30, 30)
    )
    assert win.editor.selection() == {a.uuid}  # a is on top now
    QTest.keyClick(win, Qt.Key.Key_H)
    assert win.editor.selection() == frozenset()
    assert not win.canvas.items_by_uuid()[a.uuid].isVisible()
    QTest.mouseClick(
        win.canvas.viewport(), Qt.MouseButton.LeftButton, pos=image_to_view(win, 15, 15)
    )
    assert win.editor.selection() == frozenset()  # hidden shapes cannot be picked
    QTest.keyClick(win, Qt.Key.Key_H, Qt.KeyboardModifier.ShiftModifier)
    assert win.canvas.items_by_uuid()[a.uuid].isVisible()
    QTest.mouseClick(
        win.canvas.viewport(), Qt.MouseButton.LeftButton, pos=image_to_view(win, 15, 15)
    )
    assert win.editor.selection() == {a.uuid}
    QTest.keyClick(win, Qt.Key.Key_L)
    before = win.editor.annotations
    drag(win.canvas.viewport(), image_to_view(win, 15, 15), image_to_view(win, 60, 60))
    assert win.editor.annotations == before  # locked: not moved


def test_class_lock_and_hide(qtbot, window) -> None:
    win = window
    draw(win, 10, 10, 40, 40)
    (ann,) = win.editor.annotations
    cat = win.editor.classes[0]
    win.classes.flagRequested.emit(cat.id, "hidden", True)
    assert not win.canvas.items_by_uuid()[ann.uuid].isVisible()
    assert "hidden" in win.classes.list.item(0).text()
    ctrl(win, Qt.Key.Key_Z)
    assert win.canvas.items_by_uuid()[ann.uuid].isVisible()
    win.classes.flagRequested.emit(cat.id, "locked", True)
    assert win.editor.editable_annotations() == []


def test_attribute_editor_edits_the_selected_annotation(qtbot, window) -> None:
    win = window
    cat = win.editor.classes[0]
    schema = [
        {"name": "occluded", "type": "bool"},
        {"name": "pose", "type": "choice", "options": ["left", "right"]},
    ]
    assert win.editor.update_class(cat.id, attribute_schema=schema)
    draw(win, 10, 10, 40, 40)
    box = win.attribute_editor.fields["occluded"]
    assert isinstance(box, QCheckBox)
    box.setChecked(True)
    combo = win.attribute_editor.fields["pose"]
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("right"))
    (ann,) = win.editor.annotations
    assert dict(ann.attributes) == {"occluded": True, "pose": "right"}
    ctrl(win, Qt.Key.Key_Z)
    (ann,) = win.editor.annotations
    assert dict(ann.attributes) == {"occluded": True}


def test_class_dialog_sets_schema_and_skeleton(qtbot, window) -> None:
    from limner.widgets.dialogs.class_dialog import ClassDialog

    cat = window.editor.classes[0]
    dialog = ClassDialog(cat)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("keypoints"))
    dialog.accept()
    assert "skeleton points" in dialog.error.text()
    dialog.points.setText("head, tail")
    dialog.edges.setText("head-tail")
    dialog.attributes.setPlainText("size: choice = s | m | l")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert window.editor.update_class(cat.id, **dialog.fields())
    updated = window.editor.class_by_id(cat.id)
    assert updated.kind == "keypoints"
    assert updated.skeleton is not None and updated.skeleton.names == ("head", "tail")
    assert updated.attribute_schema[0]["options"] == ["s", "m", "l"]


def test_f1_lists_every_tool_letter(qtbot, window) -> None:
    from limner.widgets.dialogs.shortcuts import ShortcutsDialog

    QTest.keyClick(window, Qt.Key.Key_F1)
    box = window.findChild(ShortcutsDialog, "shortcutsBox")
    assert box is not None and box.isVisible()
    text = box.text()
    for name, key in [
        ("Select", "V"),
        ("Polygon", "P"),
        ("Brush", "M"),
        ("Eraser", "E"),
        ("Magic wand", "W"),
        ("GrabCut", "G"),
        ("Keypoints", "K"),
        ("Box", "B"),
    ]:
        assert f"<td>{name}</td><td><b>{key}</b></td>" in text
    box.close()
