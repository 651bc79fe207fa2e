"""Image tags and groups in the real window, with real clicks and keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolButton

from limner.models.domain.geometry import Skeleton, TagSpec, translate
from limner.models.editing.commands import AddClass
from limner.models.store import queries
from limner.widgets.canvas.group_outline import OVERLAY
from tests.gui.conftest import drag, image_to_view

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def add_tag_class(win, name: str, spec: TagSpec) -> int:
    command = AddClass({"name": name, "color": "#4363d8", "kind": "tag", "tag": spec})
    assert win.editor.commit(command)
    return command.class_id


@pytest.fixture
def tagged(qtbot, window):
    win = window
    weather = add_tag_class(win, "weather", TagSpec("single", ("sunny", "rainy")))
    defects = add_tag_class(win, "defects", TagSpec("multiple", ("scratch", "dent")))
    caption = add_tag_class(win, "caption", TagSpec("text"))
    buttons = win.tag_panel.buttons.values()
    qtbot.waitUntil(lambda: all(b.isVisible() and b.height() > 0 for b in buttons))
    return win, weather, defects, caption


def answer(win, class_id: int):
    tag = win.editor.tag_of(class_id)
    return tag.geometry.value if tag is not None else None


def stored_tags(win) -> dict[int, object]:
    with win.store.read() as conn:
        return {t.class_id: t.geometry.value for t in queries.image_tags(conn, win.editor.image.id)}


def test_tags_toggle_by_click_and_hotkey_with_undo_redo(qtbot, tagged) -> None:
    win, weather, defects, caption = tagged
    panel = win.tag_panel
    sunny = panel.buttons[(weather, "sunny")]
    assert sunny.text() == "Alt+1  sunny"
    assert panel.buttons[(defects, "dent")].text() == "Alt+4  dent"
    QTest.mouseClick(sunny, Qt.MouseButton.LeftButton)
    assert answer(win, weather) == "sunny" and sunny.isChecked()
    QTest.keyClick(win, Qt.Key.Key_2, ALT)  # rainy: a single choice replaces the answer
    assert answer(win, weather) == "rainy"
    assert not sunny.isChecked() and panel.buttons[(weather, "rainy")].isChecked()
    QTest.keyClick(win, Qt.Key.Key_4, ALT)
    QTest.keyClick(win, Qt.Key.Key_3, ALT)
    assert answer(win, defects) == ("scratch", "dent")  # in option order
    assert stored_tags(win) == {weather: "rainy", defects: ("scratch", "dent")}
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)  # each press was one step
    assert answer(win, defects) == ("dent",)
    assert not panel.buttons[(defects, "scratch")].isChecked()
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL | SHIFT)
    assert answer(win, defects) == ("scratch", "dent")
    QTest.keyClick(win, Qt.Key.Key_2, ALT)  # pressing the answer again clears it
    assert answer(win, weather) is None and weather not in stored_tags(win)
    line = panel.edits[caption]
    line.setFocus()
    QTest.keyClicks(line, "two dogs")
    QTest.keyClick(line, Qt.Key.Key_Return)
    assert answer(win, caption) == "two dogs"
    win.canvas.setFocus()
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)
    assert answer(win, caption) is None and line.text() == ""


def test_an_image_with_only_tags_counts_as_labeled(qtbot, tagged) -> None:
    win, weather, _defects, _caption = tagged
    image = win.editor.image
    row = win.images.model.row_of(image.id)
    assert win.images.model.record(row).annotation_count == 0
    QTest.keyClick(win, Qt.Key.Key_1, ALT)
    assert win.editor.shapes.image_id == image.id and len(win.editor.annotations) == 0
    with win.store.read() as conn:
        assert queries.image_by_id(conn, image.id).annotation_count == 1
    qtbot.waitUntil(lambda: win.images.model.record(row).annotation_count == 1)
    QTest.keyClick(win, Qt.Key.Key_D)  # the next image has its own answers
    assert win.editor.tags == () and not win.tag_panel.buttons[(weather, "sunny")].isChecked()
    QTest.keyClick(win, Qt.Key.Key_A)
    assert win.tag_panel.buttons[(weather, "sunny")].isChecked()


def test_the_class_dialog_makes_a_tag_class_for_the_tag_panel(qtbot, window) -> None:
    win = window
    QTest.mouseClick(win.tag_panel.add_button, Qt.MouseButton.LeftButton)
    dialog = win._class_dialog
    assert dialog.kind.currentData() == "tag"
    dialog.name.setText("season")
    dialog.tag_mode.setCurrentIndex(dialog.tag_mode.findData("multiple"))
    dialog.tag_options.setText("spring | summer")
    dialog.accept()
    season = next(c for c in win.editor.classes if c.name == "season")
    assert season.kind == "tag" and season.tag == TagSpec("multiple", ("spring", "summer"))
    summer = win.tag_panel.buttons[(season.id, "summer")]
    qtbot.waitUntil(lambda: summer.isVisible() and summer.height() > 0)
    assert "season" not in [c.name for c in win.classes.classes]  # no digit, no drawing
    QTest.mouseClick(summer, Qt.MouseButton.LeftButton)
    assert answer(win, season.id) == ("summer",)


def draw(win, x0: float, y0: float, x1: float, y1: float) -> None:
    QTest.keyClick(win, Qt.Key.Key_B)
    drag(win.canvas.viewport(), image_to_view(win, x0, y0), image_to_view(win, x1, y1))


def click(win, x: float, y: float, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.mouseClick(
        win.canvas.viewport(), Qt.MouseButton.LeftButton, modifier, image_to_view(win, x, y)
    )


def grouped_pair(win):
    draw(win, 5, 5, 20, 20)
    draw(win, 40, 30, 60, 50)
    QTest.keyClick(win, Qt.Key.Key_V)
    click(win, 10, 10)
    click(win, 50, 40, SHIFT)
    QTest.keyClick(win, Qt.Key.Key_G, CTRL)
    return win.editor.annotations


def test_ctrl_g_groups_and_ctrl_shift_g_ungroups_each_one_step(qtbot, window) -> None:
    win = window
    a, b = grouped_pair(win)
    assert a.group_id is not None and a.group_id == b.group_id
    assert win.editor.tool.name == "select"  # G alone would be GrabCut
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)
    assert [s.group_id for s in win.editor.annotations] == [None, None]
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL | SHIFT)
    assert [s.group_id for s in win.editor.annotations] == [a.group_id] * 2
    click(win, 10, 10)  # one member is enough to ungroup the whole group
    QTest.keyClick(win, Qt.Key.Key_G, CTRL | SHIFT)
    assert [s.group_id for s in win.editor.annotations] == [None, None]
    rows = dict(win.shortcut_rows())
    assert rows["Group"] == "Ctrl+G" and rows["Ungroup"] == "Ctrl+Shift+G"
    assert "Alt+1" in rows["Image tags: toggle an option (shown on its button)"]


def test_a_group_moves_with_the_mouse_as_one_step(qtbot, window) -> None:
    win = window
    a, b = grouped_pair(win)
    click(win, 70, 55)  # nothing selected
    click(win, 10, 10)
    assert win.editor.selection() == {a.uuid}
    drag(win.canvas.viewport(), image_to_view(win, 10, 10), image_to_view(win, 15, 13))
    moved = {s.uuid: s for s in win.editor.annotations}
    dx = moved[a.uuid].geometry.x0 - a.geometry.x0
    dy = moved[a.uuid].geometry.y0 - a.geometry.y0
    assert dx > 3 and dy > 1
    assert moved[b.uuid].geometry == translate(b.geometry, dx, dy)  # the other member too
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)
    assert {s.uuid: s.geometry for s in win.editor.annotations} == {
        a.uuid: a.geometry,
        b.uuid: b.geometry,
    }


def test_copy_paste_keeps_the_group_and_delete_takes_it_whole(qtbot, window) -> None:
    win = window
    a, b = grouped_pair(win)
    click(win, 70, 55)
    click(win, 50, 40)  # one member
    QTest.keyClick(win, Qt.Key.Key_C, CTRL)
    QTest.keyClick(win, Qt.Key.Key_V, CTRL)
    shapes = win.editor.annotations
    assert len(shapes) == 4
    pasted = [s for s in shapes if s.uuid not in (a.uuid, b.uuid)]
    assert sorted(s.geometry.x0 for s in pasted) == sorted([a.geometry.x0, b.geometry.x0])
    assert pasted[0].group_id == pasted[1].group_id not in (None, a.group_id)
    click(win, 70, 55)
    click(win, 10, 10)  # one member of the group on top
    (picked,) = win.editor.selected_annotations()
    QTest.keyClick(win, Qt.Key.Key_Delete)
    left = win.editor.annotations
    assert len(left) == 2 and left[0].group_id == left[1].group_id != picked.group_id
    QTest.keyClick(win, Qt.Key.Key_Z, CTRL)
    assert len(win.editor.annotations) == 4


def test_hovering_a_member_outlines_the_whole_group(qtbot, window) -> None:
    win = window
    grouped_pair(win)
    draw(win, 65, 5, 75, 15)  # not in the group
    QTest.keyClick(win, Qt.Key.Key_V)
    scene = win.canvas.annotation_scene
    QTest.mouseMove(win.canvas.viewport(), image_to_view(win, 50, 40))
    (outline,) = scene.overlay(OVERLAY)
    rect = outline.rect()
    assert (rect.left(), rect.top(), rect.right(), rect.bottom()) == pytest.approx(
        (5, 5, 60, 50), abs=1.5
    )
    assert outline.pen().style() == Qt.PenStyle.DashLine
    QTest.mouseMove(win.canvas.viewport(), image_to_view(win, 70, 10))
    assert scene.overlay(OVERLAY) == []
    QTest.mouseMove(win.canvas.viewport(), image_to_view(win, 10, 10))
    assert len(scene.overlay(OVERLAY)) == 1


def box_class(win) -> int:
    return next(c.id for c in win.editor.classes if c.name == "cat")


def test_tools_only_draw_with_classes_that_fit(qtbot, window) -> None:
    win = window
    bird = next(c for c in win.editor.classes if c.name == "bird")
    skeleton = Skeleton(("head", "tail"), ((0, 1),))
    win.editor.update_class(bird.id, skeleton=skeleton)  # its kind is still "any"
    assert win.editor.class_by_id(bird.id).kind == "any"
    QTest.keyClick(win, Qt.Key.Key_K)
    assert win.editor.active_class_id() == bird.id  # the class with the skeleton
    offered = {c.name: win.classes.is_offered(c.id) for c in win.classes.classes}
    assert offered == {"cat": False, "dog": False, "bird": True}  # the others are greyed
    click(win, 10, 10)
    click(win, 30, 20)
    (instance,) = win.editor.annotations
    assert instance.class_id == bird.id and instance.kind == "keypoints"
    QTest.keyClick(win, Qt.Key.Key_B)
    assert win.editor.active_class_id() != bird.id  # boxes are never of a skeleton class
    assert not win.classes.is_offered(bird.id) and win.classes.is_offered(box_class(win))
    drag(win.canvas.viewport(), image_to_view(win, 40, 30), image_to_view(win, 60, 50))
    box = win.editor.annotations[-1]
    assert box.kind == "box" and box.class_id != bird.id
    QTest.keyClick(win, Qt.Key.Key_3)  # bird's digit while drawing boxes
    assert win.editor.tool.name == "keypoints" and win.editor.active_class_id() == bird.id
    QTest.keyClick(win, Qt.Key.Key_V)
    click(win, 50, 40)
    QTest.keyClick(win, Qt.Key.Key_3)  # the selected box cannot become a bird
    assert win.editor.shape(box.uuid).class_id == box.class_id


def test_a_tag_class_is_never_offered_to_a_shape_tool(qtbot, window) -> None:
    win = window
    mood = add_tag_class(win, "mood", TagSpec("single", ("calm",)))
    win.editor.set_active_class(mood)
    assert win.editor.active_class_id() != mood
    assert mood not in [c.id for c in win.classes.classes]
    draw(win, 5, 5, 20, 20)
    (box,) = win.editor.annotations
    assert box.class_id != mood and win.editor.tags == ()


def test_tag_panel_hotkeys_do_not_clash_with_the_action_table(qtbot, window) -> None:
    from PySide6.QtGui import QKeySequence

    from limner.widgets.panels.tag_panel import TAG_KEYS

    taken = {
        s.toString() for action in window.actions() for s in action.shortcuts() if not s.isEmpty()
    }
    assert not taken & {QKeySequence(k).toString() for k in TAG_KEYS}


def test_editing_a_tag_class_and_a_skeleton_class_in_the_dialog(qtbot, tagged) -> None:
    win, weather, _defects, _caption = tagged
    edit = win.tag_panel.findChild(QToolButton, "editTagClass" + str(weather))
    QTest.mouseClick(edit, Qt.MouseButton.LeftButton)
    dialog = win._class_dialog
    assert dialog.tag_options.text() == "sunny | rainy"
    dialog.tag_options.setText("sunny | rainy | foggy")
    dialog.accept()
    assert win.editor.class_by_id(weather).tag.options == ("sunny", "rainy", "foggy")
    assert (weather, "foggy") in win.tag_panel.buttons
    bird = next(c for c in win.editor.classes if c.name == "bird")
    win.edit_class(bird.id)
    dialog = win._class_dialog
    dialog.points.setText("head, tail")
    dialog.accept()  # the kind stays "any" in the dialog, the points make it keypoints
    assert win.editor.class_by_id(bird.id).kind == "keypoints"
