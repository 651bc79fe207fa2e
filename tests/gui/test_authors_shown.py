"""Whose shape is whose: other people's shapes name their author, one's own do not.

The project holds what a pull from a server writes (a region whose author is the server
user) next to a shape drawn here, and the window must tell them apart on the canvas label
and in the annotation list, without ever reading a server's name as markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QGuiApplication, QImage
from PySide6.QtTest import QTest

import limner.widgets.canvas.annotation_item as annotation_item
from limner.models.domain.entities import Annotation, NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.store import queries, tx
from limner.models.store.store import ProjectStore
from limner.widgets.authors import local_authors, short_author
from limner.widgets.canvas.annotation_item import ItemStyle
from limner.widgets.canvas.view import CanvasView
from limner.widgets.panels.annotation_list import AnnotationList

OTHER = "ana@example.com"
SNEAKY = "<b>eve</b> & co@evil.example"


def add_shape(store: ProjectStore, box: Box, author: str, class_name: str = "cat") -> str:
    """One annotation on the first image, written the way a pull writes a server's region."""
    with store.transaction(origin="sync") as (conn, changes):
        image = queries.first_image(conn)
        assert image is not None
        cls = next(c for c in queries.label_classes(conn) if c.name == class_name)
        uuid = tx.new_uuid()
        tx.insert_annotation(
            conn, changes, NewAnnotation(uuid, image.id, cls.id, box), author=author
        )
    return uuid


@pytest.fixture
def shapes(project: ProjectStore) -> dict[str, str]:
    """Who made what: the local user's box, a server user's box, a hostile name's box."""
    return {
        "mine": add_shape(project, Box(4, 20, 30, 40), tx.current_user()),
        "ana": add_shape(project, Box(40, 20, 44, 40), OTHER, "dog"),
        "eve": add_shape(project, Box(50, 45, 70, 55), SNEAKY),
    }


@pytest.fixture
def win(qtbot, project: ProjectStore, shapes: dict[str, str]) -> Iterator:
    from limner.app.main_window import MainWindow

    window = MainWindow(project)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.editor.open_first()
    yield window
    window.close()


def list_row(win, uuid: str):
    """The list's row of ``uuid``, as a model index."""
    lst = win.annotation_list
    rows = (lst.model().index(r) for r in range(lst.count()))
    return next(index for index in rows if index.data(Qt.ItemDataRole.UserRole) == uuid)


def text(index) -> str:
    return index.data(Qt.ItemDataRole.DisplayRole)


def tooltip(index) -> str:
    return index.data(Qt.ItemDataRole.ToolTipRole)


def test_canvas_label_names_other_people_only(win, shapes) -> None:
    items = win.canvas.items_by_uuid()
    assert items[shapes["mine"]].chip == "cat"
    assert items[shapes["ana"]].chip == "dog · ana"
    assert items[shapes["eve"]].chip == "cat · <b>eve</b> & co"


def test_list_rows_name_other_people_and_tooltips_are_plain(win, shapes) -> None:
    mine, ana, eve = (list_row(win, shapes[k]) for k in ("mine", "ana", "eve"))
    assert "ana" not in text(mine) and tx.current_user() not in text(mine)
    assert text(ana).endswith("dog · box · ana")
    assert f"Author: {OTHER}" in tooltip(ana)
    assert "(you)" in tooltip(mine)
    # Escaped: Qt shows the name's characters instead of making "eve" bold.
    assert "&lt;b&gt;eve&lt;/b&gt; &amp; co@evil.example" in tooltip(eve)
    assert "<b>" not in tooltip(eve)
    assert text(eve).endswith("· <b>eve</b> & co")


def test_chip_fits_inside_what_the_item_repaints(win, shapes) -> None:
    """A narrow box with a wide chip: the chip must lie inside the item's bounds."""
    win.canvas.set_zoom(4.0)
    item = win.canvas.items_by_uuid()[shapes["ana"]]
    metrics = QFontMetricsF(QGuiApplication.font())
    zoom = win.canvas.zoom
    width = (metrics.horizontalAdvance("dog · ana") + 8) / zoom
    chip = QRectF(40, 20 - (metrics.height() + 2) / zoom, width, 1)
    assert chip.right() > 44 + 12 / zoom  # wider than the box and its usual margin
    assert item.boundingRect().contains(chip)


def test_painted_chip_shows_the_author(qtbot) -> None:
    """Rendered pixels: the chip of a colleague's shape is wider than one's own."""

    def chip_width(author: str) -> int:
        canvas = CanvasView()
        qtbot.addWidget(canvas)
        canvas.resize(400, 300)
        canvas.show()
        image = QImage(100, 80, QImage.Format.Format_RGB888)
        image.fill(QColor(0, 0, 0))
        canvas.set_image(image)
        canvas.set_styles({1: ItemStyle(QColor(255, 0, 0), "car")})
        canvas.set_annotations([Annotation(1, "u", 1, 1, Box(10, 40, 14, 60), author=author)])
        canvas.set_zoom(2.0)
        top_left = canvas.mapFromScene(10, 40)
        shot = canvas.viewport().grab().toImage()
        row = top_left.y() - 6  # inside the chip, which sits on the box's top edge
        red = [x for x in range(shot.width()) if shot.pixelColor(x, row) == QColor(255, 0, 0)]
        assert red, "no chip drawn"
        return max(red) - min(red)

    own = chip_width(tx.current_user())
    colleague = chip_width(OTHER)
    assert colleague > own + 10


def test_text_is_worked_out_on_change_not_per_paint(qtbot, monkeypatch) -> None:
    canvas = CanvasView()
    qtbot.addWidget(canvas)
    canvas.resize(400, 300)
    canvas.show()
    image = QImage(200, 200, QImage.Format.Format_RGB888)
    canvas.set_image(image)
    canvas.set_styles({1: ItemStyle(QColor("#3cb44b"), "car")})
    shapes = [
        Annotation(i, f"u{i}", 1, 1, Box(i, i, i + 20, i + 20), author=f"p{i % 3}@x.org")
        for i in range(1, 60)
    ]
    canvas.set_annotations(shapes)
    calls: list[str] = []
    real = annotation_item.chip_text

    def counting(label: str, author: str, local: frozenset[str]) -> str:
        calls.append(author)
        return real(label, author, local)

    monkeypatch.setattr(annotation_item, "chip_text", counting)
    canvas.viewport().repaint()
    canvas.set_zoom(3.0)
    canvas.viewport().repaint()
    canvas.set_annotations(shapes)  # nothing changed
    assert calls == []
    moved = [replace(shapes[0], author="bo@x.org"), *shapes[1:]]
    canvas.set_annotations(moved)
    assert calls == ["bo@x.org"]
    assert canvas.items_by_uuid()["u1"].chip == "car · bo"


def test_list_filter_by_author_and_select_theirs(win, shapes) -> None:
    lst: AnnotationList = win.annotation_list
    menu = lst.author_menu(list_row(win, shapes["ana"]))
    labels = [a.text() for a in menu.actions()]
    assert labels == ["List only ana's shapes", "Select ana's shapes"]
    menu.actions()[0].trigger()
    assert lst.author_filter == OTHER
    assert lst.shown_uuids() == [shapes["ana"]]
    assert lst.banner_text.startswith("Only ana's shapes: 1 of 3")
    # Select all in a filtered list takes only what is listed.
    lst.setFocus()
    lst.selectAll()
    assert win.editor.selection() == {shapes["ana"]}
    # The filter survives a refresh (another image, or the same one redrawn).
    win.editor.set_selection([])
    lst.set_annotations(win.editor.annotations, {c.id: c for c in win.editor.classes})
    assert lst.shown_uuids() == [shapes["ana"]]
    # Clicking the banner lists everyone again.
    banner = lst.model().index(0)
    QTest.mouseClick(
        lst.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        lst.visualRect(banner).center(),
    )
    assert lst.author_filter is None
    assert sorted(lst.shown_uuids()) == sorted(shapes.values())
    assert lst.count() == 3 and lst.banner_text == ""
    # "Select my shapes" highlights one's own on the canvas too.
    mine_menu = lst.author_menu(list_row(win, shapes["mine"]))
    assert [a.text() for a in mine_menu.actions()][1] == "Select my shapes"
    mine_menu.actions()[1].trigger()
    assert win.editor.selection() == {shapes["mine"]}
    assert win.canvas.items_by_uuid()[shapes["mine"]].highlighted
    assert not win.canvas.items_by_uuid()[shapes["ana"]].highlighted


def test_menu_names_keep_ampersands_literal(qtbot) -> None:
    lst = AnnotationList()
    qtbot.addWidget(lst)
    lst.set_annotations([Annotation(1, "u", 1, None, Box(0, 0, 5, 5), author="a&b@x.org")], {})
    (only, _select) = lst.author_menu(lst.model().index(0)).actions()
    assert only.text() == "List only a&&b's shapes"  # "&&" shows as one "&", no mnemonic
    assert text(lst.model().index(0)) == "1. (no class) · box · a&b"


@pytest.mark.parametrize(
    ("author", "local"),
    [("", True), ("user", True), ("Local", True), ("limner demo", True), (OTHER, False)],
)
def test_who_counts_as_local(author: str, local: bool) -> None:
    assert (author.strip().casefold() in local_authors()) is local


def test_local_user_is_the_name_edits_are_stamped_with(monkeypatch) -> None:
    monkeypatch.setenv("LIMNER_USER", OTHER)
    assert OTHER in local_authors()
    monkeypatch.setenv("LIMNER_USER", "someone.else")
    assert OTHER not in local_authors()


@pytest.mark.parametrize(
    ("author", "short"),
    [
        ("ana@example.com", "ana"),
        ("remote:labelstudio", "labelstudio"),
        ("user 7", "user 7"),
        ("@example.com", "@example.com"),
        ("bad\nname\x00@x.org", "bad name"),
        ("a" * 40 + "@x.org", "a" * 23 + "…"),
    ],
)
def test_short_names(author: str, short: str) -> None:
    assert short_author(author) == short


def test_pointer_still_selects_a_labelled_shape(win, shapes) -> None:
    """The wider chip bounds do not steal clicks: clicking the box selects it."""
    QTest.keyClick(win, Qt.Key.Key_V)
    centre = win.canvas.mapFromScene(17, 30)
    QTest.mouseClick(
        win.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre
    )
    assert win.editor.selection() == {shapes["mine"]}
