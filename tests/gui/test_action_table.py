"""The action table and its builder: every key reaches the handler its row names, conditions
enable, check, rename, re-key and refuse, and placement follows the rows."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMainWindow

from limner.app.action_set import (
    ActionSet,
    ActionSpec,
    ActionTableError,
    Refused,
    build_menus,
    build_toolbars,
)
from limner.app.actions import ACTIONS, MENUS, TOOLBARS


class Recorder:
    """A stand-in for every target: each attribute path is a callable that records its call
    and answers True, so that every condition holds and every action is enabled."""

    def __init__(self, calls: list[tuple[str, tuple[object, ...]]], path: str) -> None:
        self._calls, self._path = calls, path

    def __getattr__(self, name: str) -> Recorder:
        return Recorder(self._calls, f"{self._path}.{name}")

    def __call__(self, *args: object) -> bool:
        self._calls.append((self._path, args))
        return True


def _ref(ref: object) -> tuple[str, tuple[object, ...]]:
    path, *args = (ref,) if isinstance(ref, str) else ref  # type: ignore[misc]
    return str(path), tuple(args)


@pytest.fixture
def bare(qtbot):
    win = QMainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_every_key_of_the_table_runs_the_handler_its_row_names(bare) -> None:
    calls: list[tuple[str, tuple[object, ...]]] = []
    names = ("window", "editor", "canvas", "view", "importer", "labels", "sync_ui", "review",
             "home", "layout", "assist", "suggest")  # fmt: skip
    targets = {t: Recorder(calls, t) for t in names}
    actions = ActionSet(bare, ACTIONS, targets)
    pressed = 0
    for spec in ACTIONS:
        keys = spec.keys_when[1] if spec.keys_when else spec.keys  # every condition holds
        for key in keys:
            sequence = QKeySequence(key)
            if sequence.isEmpty():  # a standard key this platform leaves unbound
                continue
            calls.clear()
            QTest.keySequence(bare, sequence)
            handler = _ref(spec.handler)
            assert handler in calls, (spec.name, sequence.toString(), calls)
            pressed += 1
    assert pressed > 50  # the loop reached the whole table
    assert actions["undo"].text() == "Undo True"  # text_when appends its detail


def test_no_key_means_two_things_in_either_mode(window) -> None:
    for mode in ("annotate", "review"):
        window.workflow.set_mode(mode)
        held = Counter(
            key.toString()
            for action in window.actions()
            if action.isEnabled()
            for key in action.shortcuts()
            if not key.isEmpty()
        )
        assert [k for k, n in held.items() if n > 1] == [], mode


def test_a_and_left_follow_the_mode(window) -> None:
    prev, approve = window.action_set["prev"], window.action_set["approve"]
    assert [k.toString() for k in prev.shortcuts()] == ["A"] and not approve.isEnabled()
    window.workflow.set_mode("review")
    assert [k.toString() for k in prev.shortcuts()] == ["Left"] and approve.isEnabled()
    assert prev.toolTip() == "Previous image (Left)"
    window.workflow.set_mode("annotate")
    assert [k.toString() for k in prev.shortcuts()] == ["A"]


def test_the_cheat_sheet_lists_every_row_with_a_key(window) -> None:
    rows = dict(window.shortcut_rows())
    for spec in ACTIONS:
        shown = ", ".join(QKeySequence(k).toString() for k in spec.keys)
        if shown and spec.keys_when is None:
            assert rows.get(spec.text) == shown, spec.name


def test_undo_follows_the_history(qtbot, window) -> None:
    undo = window.action_set["undo"]
    assert not undo.isEnabled() and undo.text() == "Undo"
    window.editor.add_class("pear")
    assert undo.isEnabled()
    assert undo.text() == f"Undo {window.editor.history.undo_text}" != "Undo "
    undo.trigger()
    assert window.action_set["redo"].isEnabled()


class State:
    def __init__(self) -> None:
        self.allowed: bool | Refused = True
        self.on = False
        self.hits: list[str] = []

    def allow(self) -> bool | Refused:
        return self.allowed

    def hit(self, what: str) -> None:
        self.hits.append(what)


def test_a_refusal_disables_and_explains_then_gives_the_tooltip_back(bare) -> None:
    state = State()
    spec = ActionSpec("go", "Go", ("s.hit", "go"), ("G",), "Go on", enabled_when="s.allow")
    actions = ActionSet(bare, [spec], {"s": state})
    go = actions["go"]
    assert go.isEnabled() and go.toolTip() == "Go on (G)"
    state.allowed = Refused("Server", "cannot go")
    actions.refresh()
    assert not go.isEnabled()
    assert go.toolTip() == "Go: Server — cannot go" and go.statusTip() == "Server: cannot go"
    QTest.keyClick(bare, "G")
    assert state.hits == []
    state.allowed = True
    actions.refresh()
    assert go.isEnabled() and go.toolTip() == "Go on (G)" and go.statusTip() == "Go on"
    QTest.keyClick(bare, "G")
    assert state.hits == ["go"]


def test_checked_rows_of_a_group_follow_their_condition(bare) -> None:
    state = State()
    specs = [
        ActionSpec("one", "One", ("s.hit", "one"), group="g", checked_when="s.allow"),
        ActionSpec("two", "Two", ("s.hit", "two"), group="g"),
    ]
    actions = ActionSet(bare, specs, {"s": state})
    assert actions["one"].isChecked() and not actions["two"].isChecked()
    assert list(actions.in_group("g")) == ["one", "two"]
    actions["two"].trigger()
    assert state.hits == ["two"] and not actions["one"].isChecked()


def test_menus_and_toolbars_keep_table_order_ranks_and_sections(bare) -> None:
    state = State()

    def row(name: str, menu: str | None, toolbar: str | None = None) -> ActionSpec:
        return ActionSpec(name, name.title(), ("s.hit", name), menu=menu, toolbar=toolbar)

    specs = [
        row("a", "m/x", "t/p@2"),
        row("b", "m/x", "t/q"),
        row("c", "m/y", "t/p@1"),
        row("d", None),
    ]
    actions = ActionSet(bare, specs, {"s": state})
    menus = build_menus(bare, actions, [("m", "&M"), ("empty", "&Empty")])
    bars = build_toolbars(bare, actions, [("t", "T")])

    def names(widget) -> list[str]:  # type: ignore[no-untyped-def]
        return ["|" if a.isSeparator() else a.text() for a in widget.actions()]

    assert names(menus["m"]) == ["A", "B", "|", "C"]
    assert names(menus["empty"]) == []
    assert names(bars["t"]) == ["B", "|", "C", "A"]
    assert bars["t"].objectName() == "tToolbar"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ActionSpec("x", "X", "nobody.run"), "no target 'nobody'"),
        (ActionSpec("x", "X", "s.nothing"), "no 'nothing'"),
        (ActionSpec("x", "X", "s.hits.deep.run"), "no 'deep'"),
        (ActionSpec("x", "X", "run"), "is not 'target.attribute'"),
        (ActionSpec("x", "X", "s.hit", enabled_when="s.missing"), "no 'missing'"),
    ],
)
def test_a_row_that_names_nothing_stops_the_build(bare, spec, message) -> None:
    with pytest.raises(ActionTableError, match=message):
        ActionSet(bare, [spec], {"s": State()})


def test_twice_the_same_name_or_an_unknown_menu_stops_the_build(bare) -> None:
    spec = ActionSpec("x", "X", "s.hit", menu="nowhere/a")
    with pytest.raises(ActionTableError, match="used twice"):
        ActionSet(bare, [spec, spec], {"s": State()})
    actions = ActionSet(bare, [spec], {"s": State()})
    with pytest.raises(ActionTableError, match="nowhere"):
        build_menus(bare, actions, MENUS)
    with pytest.raises(ActionTableError, match="nowhere"):
        build_toolbars(bare, ActionSet(bare, [ActionSpec("y", "Y", "s.hit", toolbar="nowhere/a")],
                                       {"s": State()}), TOOLBARS)  # fmt: skip
