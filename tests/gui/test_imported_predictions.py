"""Predictions imported from a Label Studio file, in the window: dashed on the image, listed
in the panel with their model and score, accepted and rejected like any suggestion."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from limner.models.domain.geometry import Box
from limner.models.store import suggestions
from limner.models.store.store import ProjectStore
from limner.models.workflow.label_import import import_labels
from limner.sync.adapters.labelstudio_file import FORMAT
from tests.sync.test_labelstudio_file_predictions import _limner_config, write_tasks


@pytest.fixture
def win(qtbot, project: ProjectStore, tmp_path: Path) -> Iterator:
    from limner.app.main_window import MainWindow

    source = write_tasks(tmp_path / "file", _limner_config())
    assert import_labels(project, FORMAT.read(source), "labelstudio").suggestions == 4
    window = MainWindow(project)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.editor.open_first()
    yield window
    window.close()


def test_imported_predictions_are_suggestions_in_the_window(qtbot, win) -> None:
    assert win.editor.image.name == "img1.png"
    panel = win.suggestion_panel
    rows = [panel.rows.item(i).text() for i in range(panel.rows.count())]
    assert rows[0].startswith("car · 0.91 · model:yolo-7")
    assert any(row.startswith("weather = rain · 0.80") for row in rows)
    # The box and the polygon are drawn dashed; the answer about the image is not drawn.
    overlay = win.suggestions.overlay.items
    assert len(overlay) == 2
    assert {item.pen().style() for item in overlay.values()} == {Qt.PenStyle.DashLine}
    assert win.editor.annotations[0].source == "import"  # the file's own annotation

    panel.rows.setFocus()
    QTest.keyClick(panel.rows, Qt.Key.Key_Return)  # accept the car
    made = [a for a in win.editor.annotations if a.source != "import"]
    assert [(a.source, a.geometry) for a in made] == [("model:yolo-7", Box(10.0, 6.0, 30.0, 36.0))]
    QTest.keyClick(panel.rows, Qt.Key.Key_Delete)  # reject the next one
    with win.store.read() as conn:
        assert suggestions.counts(conn) == {"open": 2, "accepted": 1, "rejected": 1}
    assert panel.rows.count() == 1
