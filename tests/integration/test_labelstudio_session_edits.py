"""Tags toggled and groups made, pasted and deleted through the editing session (what the
tag panel, Ctrl+G, Ctrl+C / Ctrl+V and Delete call), through a real Label Studio server.

The kinds test already pushes tags and a group written as commands; this one goes the
way a user does, including a group that exists only because a group was pasted (its
anchor is the copy of the old anchor) and a tag answer changed after it was first pushed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from limner.models.domain.geometry import Box, Tag
from limner.models.editing.session import EditingSession
from limner.models.store.store import ProjectStore
from tests.integration.labelstudio_server import LabelStudioServer
from tests.integration.test_labelstudio_kinds import (
    _annotations,
    _clone,
    _close,
    _local,
    _numbers,
    _project,
    _sync,
)
from tests.models.editing_session import add_shape


def _classes(session: EditingSession) -> dict[str, int]:
    return {c.name: c.id for c in session.classes}


def test_a_tagged_and_grouped_image_round_trips(
    labelstudio_running: LabelStudioServer, token_env: str, tmp_path: Path, capsys: Any
) -> None:
    server = labelstudio_running
    project_id, task_id = _project(server, "limner tags and groups from the session")
    path = tmp_path / "clone"
    _clone(server, project_id, path, capsys)
    with ProjectStore.open(path) as store:
        session = EditingSession(store)
        session.open_first()
        ids = _classes(session)
        session.set_tool("box")
        a = add_shape(session, Box(10, 10, 40, 30), ids["car"])
        b = add_shape(session, Box(60, 20, 90, 50), ids["car"])
        lone = add_shape(session, Box(150, 80, 190, 110), ids["car"])
        session.set_selection([a, b])
        assert session.group_selection()
        session.set_selection([b])
        assert session.copy() == 2 and session.paste((0.0, 50.0)) == 2
        assert session.toggle_tag(ids["weather"], "rainy")
        assert session.toggle_tag(ids["issues"], "dark")
        assert session.toggle_tag(ids["issues"], "blur")
        assert session.set_tag(ids["caption"], "two cars at dusk")
        session.close()
    code, report = _sync(path, capsys)
    assert code == 0 and report["pending"] == 0 and report["problems"] == [], report
    shapes, tags, _names = _local(path)
    groups = {s.group_id for s in shapes.values()} - {None}
    assert len(groups) == 2 and shapes[lone].group_id is None

    # A changed answer and a deleted group go out as well.
    with ProjectStore.open(path) as store:
        session = EditingSession(store)
        session.open_first()
        assert session.toggle_tag(ids["weather"], "sunny")
        session.set_selection([a])
        assert session.delete_selection()  # the whole first group
        session.close()
    code, report = _sync(path, capsys)
    assert code == 0 and report["pending"] == 0 and report["problems"] == [], report
    shapes, tags, _names = _local(path)
    assert a not in shapes and b not in shapes and len(shapes) == 3

    other = tmp_path / "second"
    _clone(server, project_id, other, capsys)
    their_shapes, their_tags, their_names = _local(other)
    assert set(their_shapes) == set(shapes)
    for uuid, local in shapes.items():  # percent coordinates: equal to the last bits
        assert _close(_numbers(their_shapes[uuid].geometry), _numbers(local.geometry))
    assert {u: s.group_id for u, s in their_shapes.items()} == {
        u: s.group_id for u, s in shapes.items()
    }
    answers = {their_names[t.class_id]: t.geometry for t in their_tags.values()}
    assert answers == {
        "weather": Tag("sunny"),
        "issues": Tag(("blur", "dark")),
        "caption": Tag("two cars at dusk"),
    }
    (annotation,) = _annotations(server, task_id)
    assert len(annotation["result"]) == len(shapes) + len(tags) + 1  # + the group's relation
