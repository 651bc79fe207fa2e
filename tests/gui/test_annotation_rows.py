"""The annotation list's model patches its rows: inserts, removals and moves are told as
such (never as a reset), numbers follow the drawing order, and the author filter holds."""

from __future__ import annotations

from dataclasses import replace

from limner.models.domain.entities import Annotation
from limner.models.domain.geometry import Box
from limner.widgets.panels.annotation_list import AnnotationList

ANA = "ana@x.org"
BO = "bo@x.org"


def shape(uuid: str, row: int, z: int, author: str) -> Annotation:
    return Annotation(row, uuid, 1, None, Box(0, 0, 5 + row, 5), z=z, author=author)


def texts(lst: AnnotationList) -> list[str]:
    model = lst.model()
    return [model.index(r).data() for r in range(model.rowCount())]


def test_rows_are_patched_and_renumbered_under_a_filter(qtbot) -> None:
    lst = AnnotationList()
    qtbot.addWidget(lst)
    a, b, c = shape("a", 1, 0, ANA), shape("b", 2, 1, BO), shape("c", 3, 2, ANA)
    lst.set_annotations([a, b, c], {})
    lst.set_author_filter(ANA)
    model = lst.model()
    told: list[str] = []
    model.modelReset.connect(lambda: told.append("reset"))
    model.rowsInserted.connect(lambda *_a: told.append("inserted"))
    model.rowsRemoved.connect(lambda *_a: told.append("removed"))
    model.layoutChanged.connect(lambda *_a: told.append("layout"))
    assert texts(lst)[1:] == ["1. (no class) · box · ana", "3. (no class) · box · ana"]

    first = shape("z", 4, -1, BO)  # someone else's shape goes below everything
    model.sync([first, a, b, c], ["z"])
    assert told == []  # the listed rows did not change, only their numbers
    assert texts(lst) == [
        "Only ana's shapes: 2 of 4 (click to list all)",
        "2. (no class) · box · ana",
        "4. (no class) · box · ana",
    ]

    lowered = replace(c, z=-2)
    model.sync([lowered, first, a, b], ["c"])
    assert told == ["layout"] and lst.shown_uuids() == ["c", "a"]
    model.sync([lowered, first, b], ["a"])
    assert told == ["layout", "removed"] and lst.shown_uuids() == ["c"]
    lst.set_author_filter(None)
    assert lst.shown_uuids() == ["c", "z", "b"]
    model.sync([lowered, first, a, b], ["a"])
    assert told[-1] == "inserted" and lst.shown_uuids() == ["c", "z", "a", "b"]
    assert texts(lst)[2] == "3. (no class) · box · ana"


def test_selection_in_a_filtered_list_keeps_the_hidden_part(qtbot) -> None:
    lst = AnnotationList()
    qtbot.addWidget(lst)
    lst.set_annotations([shape("a", 1, 0, ANA), shape("b", 2, 1, BO)], {})
    lst.set_selection({"b"})
    lst.set_author_filter(ANA)
    edited: list[frozenset[str]] = []
    lst.selectionEdited.connect(edited.append)
    lst.selectAll()
    assert edited == [{"a", "b"}]  # b is hidden by the filter, so it stays selected


class _CountingList(AnnotationList):
    """Counts full layouts of the list (each one visits every row)."""

    layouts = 0

    def doItemsLayout(self) -> None:
        self.layouts += 1
        super().doItemsLayout()


def test_editing_one_shape_repaints_its_row_without_laying_out_every_row(qtbot) -> None:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    lst = _CountingList()
    qtbot.addWidget(lst)
    lst.resize(300, 400)
    lst.show()
    shapes = [shape(f"s{i}", i, i, ANA) for i in range(1, 3001)]
    lst.set_annotations(shapes, {})
    QApplication.processEvents()
    paints: list[int] = []

    class Paints(QObject):
        def eventFilter(self, obj, event):  # type: ignore[no-untyped-def]
            if event.type() == QEvent.Type.Paint:
                paints.append(1)
            return False

    watcher = Paints()
    lst.viewport().installEventFilter(watcher)
    lst.layouts = 0
    edited = replace(shapes[2], hidden=True)
    lst.model().sync([*shapes[:2], edited, *shapes[3:]], [edited.uuid])
    QApplication.processEvents()
    QApplication.processEvents()
    assert lst.layouts == 0
    assert paints, "the edited row was not repainted"
    assert texts(lst)[2] == "3. (no class) · box · ana (hidden)"
