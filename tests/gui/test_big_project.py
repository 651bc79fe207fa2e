"""A 100,000-image project: the list pages from SQL and memory stays flat to the end."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from limner.models.store.store import ProjectStore
from limner.widgets.panels.image_list import CACHED_PAGES, PAGE_SIZE, ImageListPanel
from tests.perf.synth_project import make_big_project


@pytest.mark.slow
def test_scrolling_100k_images_keeps_memory_flat(qtbot, tmp_path: Path) -> None:
    path = make_big_project(tmp_path, images=100_000, annotations=0)
    store = ProjectStore.open(path)
    panel = ImageListPanel(store)
    qtbot.addWidget(panel)
    panel.resize(400, 800)
    panel.show()
    qtbot.waitExposed(panel)
    model = panel.model
    assert model.rowCount() == 100_000
    bar = panel.table.verticalScrollBar()
    tracemalloc.start()
    bar.setValue(bar.maximum() // 20)
    qtbot.wait(10)
    baseline, _ = tracemalloc.get_traced_memory()
    for step in range(1, 21):
        bar.setValue(bar.maximum() * step // 20)
        qtbot.wait(5)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert bar.value() == bar.maximum()
    last = model.index(99_999, 0).data()
    assert last == "img099999.jpg"
    assert model.cached_rows <= CACHED_PAGES * PAGE_SIZE
    assert current - baseline < 5 * 1024 * 1024  # no growth with the rows scrolled past
    assert peak - baseline < 10 * 1024 * 1024
    store.close()
