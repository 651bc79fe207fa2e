"""Turns the table of actions into live QActions, menus and toolbars, and keeps them current.

A row of the table (:class:`ActionSpec`) says everything about one action: its text, keys,
what it does, when it is enabled or checked, and where it appears. Behaviour is named, not
written inline: a reference such as ``"review.approve"`` or ``("editor.set_tool", "box")``
names a target (one of the controllers the window hands over), a dotted attribute path on it
and, optionally, arguments. Every reference is checked when the actions are built, so a
misspelt name stops the window from opening instead of failing on the first key press.

Texts and tips are the English source, marked for the catalogue in the table, and said in
the user's language when the actions are built (a detail such as the step Undo would undo
is said when it is read). Conditions (enabled, checked, text, keys) are read again by
:meth:`ActionSet.refresh`, which the window calls when the state they read changes (an
edit, a mode switch, a new server link). A condition may also answer :class:`Refused`: the
action is disabled and its tooltip says who refuses and why, and it gets its own tooltip
back once the refusal ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar, QWidget

from limner.widgets.i18n import said, translate
from limner.widgets.icons import has_icon, icon
from limner.widgets.plain import menu_text, set_plain_tip

Key: TypeAlias = str | QKeySequence.StandardKey
Ref: TypeAlias = str | tuple[object, ...]
"""``"target.path"`` or ``("target.path", *args)``."""


@dataclass(frozen=True, slots=True)
class Refused:
    """A condition's answer that disables an action and tells the user why."""

    who: str
    why: str


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One action of the window.

    ``menu`` and ``toolbar`` place the action as ``"name/section"``, optionally followed by
    ``"@n"``: a menu or toolbar shows its rows in table order, or by rank ``n`` first where
    one is given (no rank counts as 0), with a separator wherever the section changes.
    """

    name: str
    text: str
    handler: Ref
    keys: tuple[Key, ...] = ()
    tip: str = ""
    icon: str | None = None
    enabled_when: Ref | None = None
    checkable: bool = False
    checked_when: Ref | None = None
    group: str | None = None
    text_when: Ref | None = None
    """Names a detail appended to ``text`` ("Undo" + " Paste"); no detail, the plain text."""
    keys_when: tuple[Ref, tuple[Key, ...]] | None = None
    """(condition, keys): while the condition holds, these keys replace ``keys``."""
    menu: str | None = None
    toolbar: str | None = None


class ActionTableError(ValueError):
    """A row of the table names a target or attribute that does not exist."""


class _Bound:
    """A reference resolved once: the object, the attribute read at each call, the args."""

    def __init__(self, owner: object, attr: str, args: tuple[object, ...]) -> None:
        self.owner, self.attr, self.args = owner, attr, args

    def __call__(self) -> object:
        value = getattr(self.owner, self.attr)
        return value(*self.args) if callable(value) else value


def resolve(ref: Ref, targets: Mapping[str, object], row: str = "?") -> _Bound:
    """The callable a reference names; raises :class:`ActionTableError` when it names nothing."""
    path, *args = (ref,) if isinstance(ref, str) else ref
    if not isinstance(path, str) or "." not in path:
        raise ActionTableError(f"action {row}: {path!r} is not 'target.attribute'")
    target, *middle, attr = path.split(".")
    if target not in targets:
        raise ActionTableError(f"action {row}: no target {target!r} (have {sorted(targets)})")
    owner = targets[target]
    for step in middle:
        if not hasattr(owner, step):
            raise ActionTableError(f"action {row}: {path!r}: no {step!r}")
        owner = getattr(owner, step)
    if not hasattr(owner, attr):
        raise ActionTableError(f"action {row}: {path!r}: no {attr!r}")
    return _Bound(owner, attr, tuple(args))


def _tooltip(tip: str, keys: Sequence[Key]) -> str:
    """``tip`` (already in the user's language) followed by the keys, as Qt names them."""
    shown = ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText)
                      for k in keys)  # fmt: skip
    return f"{tip} ({shown})" if shown else tip


@dataclass(slots=True)
class _Live:
    """The conditions of one row that :meth:`ActionSet.refresh` re-reads."""

    spec: ActionSpec
    action: QAction
    enabled: _Bound | None
    checked: _Bound | None
    text: _Bound | None
    keys: tuple[_Bound, tuple[Key, ...]] | None
    keys_now: tuple[Key, ...] = ()


class ActionSet:
    """The QActions of a table, added to ``owner`` so that their keys work window-wide."""

    def __init__(
        self, owner: QWidget, specs: Sequence[ActionSpec], targets: Mapping[str, object]
    ) -> None:
        self.specs = tuple(specs)
        self._actions: dict[str, QAction] = {}
        self._groups: dict[str, QActionGroup] = {}
        self._live: list[_Live] = []
        for spec in self.specs:
            if spec.name in self._actions:
                raise ActionTableError(f"action {spec.name}: the name is used twice")
            self._actions[spec.name] = self._make(owner, spec, targets)
        self.refresh()

    def _make(self, owner: QWidget, spec: ActionSpec, targets: Mapping[str, object]) -> QAction:
        text, tip = said(spec.text), said(spec.tip)
        action = QAction(text, owner)
        action.setObjectName(f"action_{spec.name}")
        action.setShortcuts([QKeySequence(k) for k in spec.keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if has_icon(spec.icon or spec.name):
            action.setIcon(icon(spec.icon or spec.name))
        action.setIconText(text.replace("…", ""))  # toolbars show this: it never changes
        if spec.tip:
            action.setStatusTip(tip)
            action.setToolTip(_tooltip(tip, spec.keys))
        action.setCheckable(spec.checkable or spec.group is not None or bool(spec.checked_when))
        if spec.group is not None:
            group = self._groups.get(spec.group)
            if group is None:
                group = self._groups[spec.group] = QActionGroup(owner)
            group.addAction(action)
        handler = resolve(spec.handler, targets, spec.name)
        action.triggered.connect(lambda _checked=False, run=handler: run())
        owner.addAction(action)

        def bound(ref: Ref | None) -> _Bound | None:
            return None if ref is None else resolve(ref, targets, spec.name)

        keys = None
        if spec.keys_when is not None:
            keys = (resolve(spec.keys_when[0], targets, spec.name), spec.keys_when[1])
        live = _Live(
            spec, action, bound(spec.enabled_when), bound(spec.checked_when),
            bound(spec.text_when), keys, spec.keys,
        )  # fmt: skip
        if live.enabled or live.checked or live.text or live.keys:
            self._live.append(live)
        return action

    # -- access -----------------------------------------------------------------------
    def __getitem__(self, name: str) -> QAction:
        return self._actions[name]

    def __contains__(self, name: object) -> bool:
        return name in self._actions

    def __iter__(self) -> Iterator[QAction]:
        return iter(self._actions.values())

    def refresh_icons(self) -> None:
        """Draw every icon again in the colours of the current palette (a theme change)."""
        for spec in self.specs:
            if has_icon(spec.icon or spec.name):
                self._actions[spec.name].setIcon(icon(spec.icon or spec.name))

    def in_group(self, group: str) -> dict[str, QAction]:
        """The actions of one group, by row name, in table order."""
        return {s.name: self._actions[s.name] for s in self.specs if s.group == group}

    # -- state ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read every condition again and bring the actions in line with it."""
        for live in self._live:
            action, spec = live.action, live.spec
            keys_changed, detail = False, ""
            if live.keys is not None:
                condition, other = live.keys
                keys = other if condition() else spec.keys
                if keys != live.keys_now:
                    live.keys_now, keys_changed = keys, True
                    action.setShortcuts([QKeySequence(k) for k in keys])
            if live.text is not None:
                detail = said(live.text() or "")
                action.setText(_with_detail(spec, menu_text(detail)))
            if live.checked is not None:
                action.setChecked(bool(live.checked()))
            if live.enabled is not None:
                verdict = live.enabled()
                if isinstance(verdict, Refused):
                    action.setEnabled(False)
                    shown = action.text().replace("&&", "&")
                    who, why = said(verdict.who), said(verdict.why)
                    set_plain_tip(action, f"{shown}: {who} — {why}")
                    action.setStatusTip(f"{who}: {why}")
                    continue
                action.setEnabled(bool(verdict))
            if live.enabled is not None or keys_changed or live.text is not None:
                _own_tips(spec, action, live.keys_now, detail)


def _with_detail(spec: ActionSpec, detail: str) -> str:
    """The row's text with a detail ("Undo" and "Draw box"), or its text alone."""
    if not detail:
        return said(spec.text)
    return translate("Actions", "{action} {detail}").format(action=said(spec.text), detail=detail)


def _own_tips(spec: ActionSpec, action: QAction, keys: Sequence[Key], detail: str = "") -> None:
    """The row's own tooltip and status tip (an empty tooltip shows the text); a detail
    (the step Undo would undo) is named in the tooltip, since the button shows no text."""
    tip = said(spec.tip)
    action.setStatusTip(tip)
    if detail:
        set_plain_tip(action, _tooltip(_with_detail(spec, detail), keys))
    else:
        action.setToolTip(_tooltip(tip, keys) if spec.tip else "")


# -- placement ----------------------------------------------------------------------------
def _placed(
    specs: Iterable[ActionSpec], where: Callable[[ActionSpec], str | None]
) -> dict[str, list[list[str]]]:
    """{container: [[row names of a section], ...]} in the order the placement rule gives."""
    found: dict[str, list[tuple[int, int, str, str]]] = {}
    for index, spec in enumerate(specs):
        place = where(spec)
        if place:
            head, _, rank = place.partition("@")
            container, _, section = head.partition("/")
            found.setdefault(container, []).append((int(rank or 0), index, section, spec.name))
    placed: dict[str, list[list[str]]] = {}
    for container, rows in found.items():
        runs: list[list[str]] = []
        last: str | None = None
        for _rank, _index, section, name in sorted(rows):
            if section != last:
                runs.append([])
                last = section
            runs[-1].append(name)
        placed[container] = runs
    return placed


def _fill(widget: QMenu | QToolBar, sections: list[list[str]], actions: ActionSet) -> None:
    for i, names in enumerate(sections):
        if i:
            widget.addSeparator()
        widget.addActions([actions[name] for name in names])


def build_menus(
    window: QMainWindow, actions: ActionSet, menus: Sequence[tuple[str, str]]
) -> dict[str, QMenu]:
    """The menu bar: ``menus`` gives (name, title) in menu-bar order."""
    placed = _placed(actions.specs, lambda s: s.menu)
    unknown = set(placed) - {name for name, _title in menus}
    if unknown:
        raise ActionTableError(f"rows name menus that do not exist: {sorted(unknown)}")
    built: dict[str, QMenu] = {}
    for name, title in menus:
        menu = built[name] = window.menuBar().addMenu(said(title))
        _fill(menu, placed.get(name, []), actions)
    return built


def build_toolbars(
    window: QMainWindow, actions: ActionSet, toolbars: Sequence[tuple[str, str]]
) -> dict[str, QToolBar]:
    """The toolbars: ``toolbars`` gives (name, title) in order; a toolbar's object name is
    ``<name>Toolbar``, which the saved window layout refers to."""
    placed = _placed(actions.specs, lambda s: s.toolbar)
    unknown = set(placed) - {name for name, _title in toolbars}
    if unknown:
        raise ActionTableError(f"rows name toolbars that do not exist: {sorted(unknown)}")
    built: dict[str, QToolBar] = {}
    for name, title in toolbars:
        bar = built[name] = window.addToolBar(said(title))
        bar.setObjectName(f"{name}Toolbar")
        _fill(bar, placed.get(name, []), actions)
    return built


def shortcut_rows(
    actions: Iterable[QAction], gestures: Iterable[tuple[str, str]] = ()
) -> list[tuple[str, str]]:
    """(what, keys) for every action with a key, then the gestures no action holds."""
    rows = []
    native = QKeySequence.SequenceFormat.NativeText
    for action in actions:
        keys = ", ".join(k.toString(native) for k in action.shortcuts())
        if keys:
            rows.append((action.text().replace("&", ""), keys))
    rows.extend((said(what), said(keys)) for what, keys in gestures)
    return rows


__all__ = [
    "ActionSet",
    "ActionSpec",
    "ActionTableError",
    "Key",
    "Ref",
    "Refused",
    "build_menus",
    "build_toolbars",
    "resolve",
    "shortcut_rows",
]
