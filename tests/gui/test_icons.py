"""Icons for every action, drawn for the palette; a toolbar that never jumps."""

from __future__ import annotations

from importlib.resources import files

import pytest
from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from limner.app.actions import ACTIONS, START_ACTIONS
from limner.app.theme import apply_theme
from limner.widgets.icons import has_icon, icon, svg_text

WITHOUT_ICON = {"escape"} | {f"class_{n}" for n in range(1, 10)}
"""Keys only: they never show in a menu or toolbar."""


def test_every_action_in_a_menu_or_toolbar_has_an_icon() -> None:
    missing = [
        s.name for s in (*ACTIONS, *START_ACTIONS)
        if s.name not in WITHOUT_ICON and not has_icon(s.icon or s.name)
    ]  # fmt: skip
    assert missing == []


def test_icons_are_valid_svg_drawn_in_the_text_colour() -> None:
    folder = files("limner.resources") / "icons"
    names = [p.name.removesuffix(".svg") for p in folder.iterdir() if p.name.endswith(".svg")]
    assert len(names) >= 50
    for name in names:
        text = svg_text(name)
        assert QSvgRenderer(QByteArray(text.encode())).isValid(), name
        assert name == "limner" or "currentColor" in text, name


def _ink(qicon, size: int = 24) -> list[QColor]:
    image = qicon.pixmap(QSize(size, size)).toImage()
    return [
        QColor.fromRgba(image.pixel(x, y))
        for x in range(size)
        for y in range(size)
        if QColor.fromRgba(image.pixel(x, y)).alpha() > 200
    ]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_icons_follow_the_theme(theme, restore_look) -> None:
    apply_theme(QApplication.instance(), theme)
    ink = _ink(icon("box"))
    assert ink
    mean = sum(c.lightness() for c in ink) / len(ink)
    assert (mean > 160) if theme == "dark" else (mean < 90)


def test_a_theme_switch_redraws_the_toolbar_icons(qtbot, window, restore_look) -> None:
    apply_theme(QApplication.instance(), "light")
    QApplication.processEvents()  # the palette change reaches the widgets as an event
    dark_ink = _ink(window.action_set["box"].icon())
    apply_theme(QApplication.instance(), "dark")
    QApplication.processEvents()
    light_ink = _ink(window.action_set["box"].icon())
    assert sum(c.lightness() for c in light_ink) / len(light_ink) > sum(
        c.lightness() for c in dark_ink
    ) / len(dark_ink)


def test_undo_button_keeps_its_size_and_the_tooltip_names_the_step(qtbot, window) -> None:
    bar = window.toolbars["main"]
    undo = window.action_set["undo"]
    button = bar.widgetForAction(undo)
    width = button.sizeHint().width()
    window.editor.add_class("a very long class name for the toolbar")
    assert undo.text().startswith("Undo ") and undo.text() != "Undo"  # the menu names it
    assert button.sizeHint().width() == width
    assert "Ctrl+Z" in undo.toolTip() and undo.text().removeprefix("Undo ") in undo.toolTip()


def test_approve_and_reject_stay_on_screen_at_1400_px(qtbot, window) -> None:
    window.resize(1400, 860)
    for _ in range(3):
        window.editor.add_class(f"class with a long name number {_}")
    QTest.keyClick(window, Qt.Key.Key_F7)
    qtbot.wait(10)
    bar = window.toolbars["mode"]
    for name in ("approve", "reject"):
        button = bar.widgetForAction(window.action_set[name])
        assert button is not None and button.isVisible(), name
        right = button.mapTo(window, button.rect().topRight()).x()
        assert right < window.width(), name


def test_toolbar_tooltips_name_their_keys(window) -> None:
    for bar in window.toolbars.values():
        for action in bar.actions():
            if action.isSeparator() or not action.shortcuts():
                continue
            assert action.shortcuts()[0].toString() in action.toolTip(), action.objectName()


def _ink_mask(name: str, size: int = 32) -> list[list[bool]]:
    image = icon(name).pixmap(QSize(size, size)).toImage()
    return [[QColor.fromRgba(image.pixel(x, y)).alpha() > 128 for x in range(size)]
            for y in range(size)]  # fmt: skip


def _turned(mask: list[list[bool]]) -> list[list[list[bool]]]:
    """The mask in each of its eight quarter turns and mirror images."""
    found, current = [], mask
    for _ in range(4):
        current = [list(row) for row in zip(*current[::-1], strict=True)]
        found += [current, [row[::-1] for row in current]]
    return found


def _overlap(a: list[list[bool]], b: list[list[bool]]) -> float:
    both = sum(x and y for ra, rb in zip(a, b, strict=True) for x, y in zip(ra, rb, strict=True))
    either = sum(x or y for ra, rb in zip(a, b, strict=True) for x, y in zip(ra, rb, strict=True))
    return both / max(1, either)


def test_no_two_tool_icons_look_alike(qapp) -> None:
    """The tools sit side by side on the toolbar: no icon is another one turned or mirrored
    (GrabCut's was the scissors' at another angle: 85% of their ink in common)."""
    from limner.app.actions import TOOL_ROWS

    masks = {name: _ink_mask(name) for name, *_rest in TOOL_ROWS}
    alike = [
        (a, b, round(best, 2))
        for i, a in enumerate(masks)
        for b in list(masks)[i + 1 :]
        if (best := max(_overlap(masks[a], t) for t in _turned(masks[b]))) > 0.5
    ]
    assert alike == []
