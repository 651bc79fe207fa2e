"""Pre-labels over 20 images and the annotator's verdicts, with real events in the window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest

from limner.models.domain.geometry import Box
from limner.models.store import suggestions
from limner.models.store.store import ProjectStore
from tests.conftest import write_image
from tests.sync.test_ml_backend import backend

__all__ = ["backend"]  # the fixture, used by name

pytest.importorskip("onnxruntime", reason="onnxruntime runs the models (limner[assist])")


@pytest.fixture
def twenty(tmp_path: Path) -> Iterator[ProjectStore]:
    from limner.models.workflow.project import create_project

    folder = tmp_path / "images"
    for i in range(20):
        write_image(folder / f"img{i:02}.png", 96, 64, seed=i)
    store, report = create_project(
        tmp_path / "proj", images=[folder], classes=["cat", "dog", "Car"]
    )
    assert report.added == 20
    yield store
    store.close()


@pytest.fixture
def detector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from limner.models.assist import catalog
    from tests.models.assist.test_detect import yolo_model

    monkeypatch.setenv(catalog.ENV_FOLDER, str(tmp_path / "models"))
    path = yolo_model(tmp_path / "yolo.onnx")
    return catalog.install("detector", "yolo", {"model": path}, name="tiny-yolo", version="3")


@pytest.fixture
def win(qtbot, twenty: ProjectStore, detector) -> Iterator:
    from limner.app.main_window import MainWindow

    window = MainWindow(twenty)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.editor.open_first()
    yield window
    window.close()


def counts(store: ProjectStore) -> dict[str, int]:
    with store.read() as conn:
        return suggestions.counts(conn)


def test_prelabel_the_queue_then_accept_and_reject_in_the_panel(qtbot, win) -> None:
    action = win.findChild(QAction, "action_prelabel_all")
    assert action.isEnabled()
    action.trigger()
    assert win.suggestions.worker is not None
    qtbot.waitUntil(lambda: win.suggestions.worker is None, timeout=60_000)
    win.activateWindow()  # the progress dialog had the focus; offscreen nobody gives it back
    qtbot.waitUntil(win.isActiveWindow)
    # Every image got the cat and the dog (the model's labels map to the classes by name).
    assert counts(win.store) == {"open": 40}
    assert "20 of 20" in win.statusBar().currentMessage()
    panel = win.suggestion_panel
    assert panel.rows.count() == 2
    assert len(win.suggestions.overlay.items) == 2
    assert win.editor.annotations == []
    # Accept the first (the highest score), reject the second, with the keyboard.
    panel.rows.setFocus()
    QTest.keyClick(panel.rows, Qt.Key.Key_Return)
    (ann,) = win.editor.annotations
    assert ann.source == "model:tiny-yolo@3" and isinstance(ann.geometry, Box)
    assert win.editor.class_by_id(ann.class_id).name == "cat"
    rows = win.annotation_list.model()
    assert "proposed by tiny-yolo@3" in rows.data(rows.index(0, 0))
    QTest.keyClick(panel.rows, Qt.Key.Key_Delete)
    assert panel.rows.count() == 0 and not win.suggestions.overlay.items
    assert counts(win.store) == {"open": 38, "accepted": 1, "rejected": 1}
    # On the next image, accept everything above 0.7: only the cat.
    first = win.editor.image.id
    QTest.keyClick(win, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: win.editor.image.id != first)
    qtbot.waitUntil(lambda: panel.rows.count() == 2)
    panel.threshold.setValue(0.7)
    QTest.mouseClick(panel.accept_above, Qt.MouseButton.LeftButton)
    assert [win.editor.class_by_id(a.class_id).name for a in win.editor.annotations] == ["cat"]
    assert panel.rows.count() == 1
    # Undo brings the suggestion back.
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.editor.annotations == [] and panel.rows.count() == 2


def test_suggest_asks_the_projects_ml_backend(qtbot, win, backend) -> None:
    _, url = backend
    action = win.findChild(QAction, "action_suggest")
    assert not action.isEnabled() and "no backend URL" in action.toolTip()
    win.store.set_meta("ml_backend_url", url)
    win.action_set.refresh()
    assert action.isEnabled()
    action.trigger()
    qtbot.waitUntil(lambda: win.suggestions.worker is None, timeout=20_000)
    qtbot.waitUntil(lambda: win.suggestion_panel.rows.count() == 1)
    assert "backend-v5" in win.suggestion_panel.rows.item(0).text()
