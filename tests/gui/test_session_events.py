"""The window follows the editing session's events: one commit reads the one row it
changed, the views patch what the events name, and nothing depends on when they arrive."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from sqlalchemy import event

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.events import SessionEvent
from limner.models.store import queries, tx
from limner.models.store.store import ProjectStore
from limner.widgets.canvas.annotation_item import ItemStyle
from limner.widgets.canvas.view import CanvasView
from tests.gui.conftest import drag, image_to_view
from tests.perf.bench_canvas import dense_annotations


def write_boxes(store: ProjectStore, image_id: int, count: int) -> list[str]:
    """Shapes written straight into the store, as a pull from a server writes them."""
    uuids = []
    with store.transaction(origin="sync") as (conn, changes):
        for i in range(count):
            uuid = tx.new_uuid()
            box = Box(1 + i % 50, 1 + i % 40, 8 + i % 50, 8 + i % 40)
            tx.insert_annotation(conn, changes, NewAnnotation(uuid, image_id, None, box, z=i))
            uuids.append(uuid)
    return uuids


def draw_box(win, start: tuple[float, float], end: tuple[float, float]) -> None:
    QTest.keyClick(win, Qt.Key.Key_B)
    drag(win.canvas.viewport(), image_to_view(win, *start), image_to_view(win, *end))


class RowCounter:
    """Annotation rows read per query the session uses, and every SQL statement that read
    annotation geometry from the database (whoever sent it)."""

    def __init__(self, store: ProjectStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rows = {"annotations_for_image": 0, "annotations_by_uuids": 0}
        self.statements: list[str] = []
        for name in self.rows:
            monkeypatch.setattr(queries, name, self._counting(name, getattr(queries, name)))
        event.listen(store.engine, "before_cursor_execute", self._statement)
        self._engine = store.engine

    def _counting(self, name: str, real: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
        def counted(*args: Any, **kwargs: Any) -> list[Any]:
            found = real(*args, **kwargs)
            self.rows[name] += len(found)
            return found

        return counted

    def _statement(self, _conn, _cursor, statement: str, *_rest: Any) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "annotation.geometry" in statement:
            self.statements.append(statement)

    def stop(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._statement)


def test_drawing_a_box_reads_only_the_row_it_added(qtbot, window, monkeypatch) -> None:
    win = window
    write_boxes(win.store, win.editor.image.id, 60)
    assert len(win.canvas.items_by_uuid()) == 60 and win.annotation_list.count() == 60
    counter = RowCounter(win.store, monkeypatch)
    try:
        draw_box(win, (20, 20), (60, 50))
    finally:
        counter.stop()
    assert counter.rows == {"annotations_for_image": 0, "annotations_by_uuids": 1}
    assert len(counter.statements) == 1, counter.statements
    assert "annotation.uuid IN" in counter.statements[0]
    assert len(win.canvas.items_by_uuid()) == 61 and win.annotation_list.count() == 61
    (box,) = win.editor.selection()
    assert win.canvas.items_by_uuid()[box].highlighted


def test_the_box_is_selected_when_events_arrive_later(qtbot, window) -> None:
    win = window
    cat = win.editor.classes[0]
    assert win.editor.update_class(cat.id, attribute_schema=[{"name": "occ", "type": "bool"}])
    QTest.keyClick(win, Qt.Key.Key_B)  # the canvas has the box tool before events queue
    queue: list[SessionEvent] = []
    win.session_events.close()  # the views stop hearing the session directly...
    win.editor.subscribe(queue.append)  # ...its events wait here instead
    drag(win.canvas.viewport(), image_to_view(win, 10, 10), image_to_view(win, 50, 40))
    (box,) = win.editor.annotations
    assert win.editor.selection() == {box.uuid}
    assert win.canvas.items_by_uuid() == {} and win.annotation_list.count() == 0
    for queued in queue:
        win.session_events.event.emit(queued)
    item = win.canvas.items_by_uuid()[box.uuid]
    assert item.highlighted and item.geometry == box.geometry
    assert win.annotation_list.selected_uuids() == {box.uuid}
    assert win.annotation_list.selectionModel().selectedIndexes()[0].row() == 0
    assert "occ" in win.attribute_editor.fields  # the one selected shape's attributes


def test_a_pull_in_another_thread_reaches_the_views_in_the_gui_thread(qtbot, window) -> None:
    win = window
    gui = threading.get_ident()
    handled: list[int] = []
    win.session_events.event.connect(lambda _event: handled.append(threading.get_ident()))
    written: list[str] = []
    image_id = win.editor.image.id
    writer = threading.Thread(target=lambda: written.extend(write_boxes(win.store, image_id, 3)))
    writer.start()
    writer.join()
    assert {a.uuid for a in win.editor.annotations} == set(written)  # the session has them
    qtbot.waitUntil(lambda: set(win.canvas.items_by_uuid()) == set(written), timeout=5000)
    assert win.annotation_list.count() == 3
    assert handled and set(handled) == {gui}


def test_an_edit_patches_items_and_rows_instead_of_rebuilding(qtbot, window) -> None:
    win = window
    first, second = write_boxes(win.store, win.editor.image.id, 2)
    items = dict(win.canvas.items_by_uuid())
    model = win.annotation_list.model()
    signals: list[str] = []
    model.modelReset.connect(lambda: signals.append("reset"))
    model.rowsInserted.connect(lambda *_a: signals.append("inserted"))
    model.layoutChanged.connect(lambda *_a: signals.append("layout"))
    draw_box(win, (30, 30), (70, 55))
    (box,) = win.editor.selection()
    kept = win.canvas.items_by_uuid()
    assert kept[first] is items[first] and kept[second] is items[second]
    assert signals == ["inserted"]
    QTest.keyClick(win, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)  # to back
    assert signals == ["inserted", "layout"]
    assert win.annotation_list.uuids() == [a.uuid for a in win.editor.annotations]
    assert win.annotation_list.uuids()[0] == box
    assert win.annotation_list.selected_uuids() == {box}
    assert kept[box].zValue() < kept[first].zValue()


def test_two_canvases_draw_at_their_own_zoom(qtbot) -> None:
    canvases = []
    for zoom in (4.0, 0.25):
        canvas = CanvasView()
        qtbot.addWidget(canvas)
        canvas.resize(500, 400)
        canvas.show()
        image = QImage(400, 400, QImage.Format.Format_RGB888)
        image.fill(QColor(0, 0, 0))
        canvas.set_image(image)
        canvas.set_styles({1: ItemStyle(QColor("#3cb44b"), "car")})
        canvas.set_annotations(dense_annotations(1, 400, 3, 2))
        canvas.set_zoom(zoom)
        canvases.append(canvas)
    near, far = canvases
    assert near.annotation_scene.render.zoom == pytest.approx(4.0)
    assert far.annotation_scene.render.zoom == pytest.approx(0.25)
    box = "b0"
    near_rect = near.items_by_uuid()[box].boundingRect()
    far_rect = far.items_by_uuid()[box].boundingRect()
    assert far_rect.width() - near_rect.width() > 50  # margins in image pixels follow each zoom


def test_overlays_go_through_the_scene_owner(qtbot, window) -> None:
    from PySide6.QtWidgets import QGraphicsRectItem

    win = window
    owner = win.canvas.overlays
    frame = QGraphicsRectItem(0, 0, 5, 5)
    owner.set_overlay("test", [frame])
    assert frame.scene() is win.canvas.scene()
    owner.set_overlay("test", [])
    assert frame.scene() is None and owner.overlay("test") == []
