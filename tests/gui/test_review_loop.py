"""The annotate → review → fix loop driven from the keyboard, with the history it leaves."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog

from limner.models.store import queries
from limner.models.workflow import review as rv
from limner.models.workflow.project import create_project
from tests.conftest import write_image
from tests.gui.conftest import drag, image_to_view

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window20(qtbot, tmp_path: Path):
    from limner.app.main_window import MainWindow

    for i in range(20):
        write_image(tmp_path / "imgs" / f"p{i:02d}.png", 50, 40, seed=300 + i)
    store, _ = create_project(tmp_path / "proj", images=[tmp_path / "imgs"], classes=["cat"])
    win = MainWindow(store)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    win.editor.open_first()
    yield win
    win.close()
    store.close()


def type_into_dialog(qtbot, win, text: str) -> None:
    dialog = win.workflow.dialog
    assert isinstance(dialog, QInputDialog)
    qtbot.waitUntil(dialog.isVisible)
    QTest.keyClicks(dialog.focusWidget(), text)
    QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)


def statuses(win) -> dict[str, str]:
    with win.store.read() as conn:
        return {r.name: r.status for r in queries.image_page(conn, 0, 100)}


def test_keyboard_loop_with_history(qtbot, window20, monkeypatch) -> None:
    win = window20
    monkeypatch.setenv("LIMNER_USER", "annie")
    QTest.keyClick(win, Qt.Key.Key_B)
    drag(win.canvas.viewport(), image_to_view(win, 5, 5), image_to_view(win, 30, 25))
    QTest.keyClick(win, Qt.Key.Key_C, CTRL)
    for _ in range(20):
        if not win.editor.annotations:
            QTest.keyClick(win, Qt.Key.Key_V, CTRL)
        QTest.keyClick(win, Qt.Key.Key_Return, CTRL)
    assert set(statuses(win).values()) == {"submitted"}

    monkeypatch.setenv("LIMNER_USER", "rita")
    QTest.keyClick(win, Qt.Key.Key_F7)
    assert win.workflow.mode == "review"
    assert win.images.model.rowCount() == 20
    rejected: list[str] = []
    for i in range(20):
        name = win.editor.image.name
        if i % 4 == 3:
            QTest.keyClick(win, Qt.Key.Key_R)
            type_into_dialog(qtbot, win, f"box too loose on {name}")
            rejected.append(name)
        else:
            QTest.keyClick(win, Qt.Key.Key_A)
    done = statuses(win)
    assert sorted(n for n, s in done.items() if s == "rejected") == sorted(rejected)
    assert sum(s == "approved" for s in done.values()) == 15

    monkeypatch.setenv("LIMNER_USER", "annie")
    QTest.keyClick(win, Qt.Key.Key_F6)
    for _ in range(5):
        QTest.keyClick(win, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
        name = win.editor.image.name
        assert win.editor.image.status == "rejected"
        assert win.workflow.banner.isVisible()
        assert f"box too loose on {name}" in win.workflow.banner.text()
        QTest.keyClick(win, Qt.Key.Key_Return, CTRL)
    done = statuses(win)
    assert sum(s == "submitted" for s in done.values()) == 5
    assert sum(s == "approved" for s in done.values()) == 15

    with win.store.read() as conn:
        for record in queries.image_page(conn, 0, 100):
            steps = rv.status_history(conn, record.id)
            path = [(s.from_status, s.to_status, s.actor) for s in steps]
            if record.name in rejected:
                assert path == [
                    ("new", "in_progress", "annie"),  # her first box started it
                    ("in_progress", "submitted", "annie"),
                    ("submitted", "rejected", "rita"),
                    ("rejected", "submitted", "annie"),
                ]
                assert steps[2].comment == f"box too loose on {record.name}"
            else:
                assert path == [
                    ("new", "in_progress", "annie"),
                    ("in_progress", "submitted", "annie"),
                    ("submitted", "approved", "rita"),
                ]
            assert all(s.time for s in steps)


def test_history_panel_progress_and_changes_overlay(qtbot, window20) -> None:
    win = window20
    QTest.keyClick(win, Qt.Key.Key_B)
    drag(win.canvas.viewport(), image_to_view(win, 5, 5), image_to_view(win, 30, 25))
    QTest.keyClick(win, Qt.Key.Key_Return, CTRL)
    QTest.keyClick(win, Qt.Key.Key_F7)
    QTest.keyClick(win, Qt.Key.Key_R)
    type_into_dialog(qtbot, win, "add the ear")
    QTest.keyClick(win, Qt.Key.Key_F6)
    QTest.keyClick(win, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert win.workflow.history_panel.count() == 3  # started, submitted, rejected
    assert "add the ear" in win.workflow.history_panel.item(2).text()
    # the annotator adds a shape; the reviewer sees it as added since the last review
    QTest.keyClick(win, Qt.Key.Key_B)
    drag(win.canvas.viewport(), image_to_view(win, 32, 5), image_to_view(win, 45, 20))
    QTest.keyClick(win, Qt.Key.Key_Return, CTRL)
    QTest.keyClick(win, Qt.Key.Key_F7)
    assert win.editor.image.status == "submitted"
    assert win.workflow.changes.counts == {"added": 1}
    QTest.keyClick(win, Qt.Key.Key_P, CTRL)
    chart = win.workflow.progress_dialog.charts["Project"][0]
    assert ("submitted", 1) in chart._rows and ("new", 19) in chart._rows


def test_queue_selector_filters_the_list_and_navigation(qtbot, window20) -> None:
    from limner.models.workflow.review_commands import AssignToQueue, CreateQueue

    win = window20
    with win.store.read() as conn:
        ids = [r.id for r in queries.image_page(conn, 0, 100)]
    win.editor.commit(CreateQueue("ana's", "annotate", "ana"))
    win.editor.commit(AssignToQueue("ana's", ids[5:8]))
    win.images.refresh()
    combo = win.images.queue_filter
    index = next(i for i in range(combo.count()) if "ana's" in combo.itemText(i))
    combo.setCurrentIndex(index)
    assert win.images.model.rowCount() == 3
    win.editor.open_image(ids[5])
    QTest.keyClick(win, Qt.Key.Key_D)
    assert win.editor.image.id == ids[6]
    QTest.keyClick(win, Qt.Key.Key_D)
    QTest.keyClick(win, Qt.Key.Key_D)
    assert win.editor.image.id == ids[7]  # the end of the queue
