"""Suggestions: stored apart from annotations, accepted or rejected as undoable edits."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from limner.models.domain.geometry import Box
from limner.models.editing.session import EditingSession
from limner.models.editing.suggestion_commands import AcceptSuggestions, RejectSuggestions, above
from limner.models.store import schema, suggestions
from limner.models.store.store import ProjectStore
from limner.models.store.suggestions import Suggestion
from limner.models.store.tx import new_uuid
from tests.models.editing_session import session_on_first_image, stored


@pytest.fixture
def session(project: ProjectStore) -> Iterator[EditingSession]:
    session = session_on_first_image(project)
    yield session
    session.close()


def propose(
    session: EditingSession, *scores: float, remote_key: str | None = None
) -> list[Suggestion]:
    assert session.image is not None
    cls = session.classes[0]
    items = [
        Suggestion(new_uuid(), session.image.id, cls.id, "cat", Box(5 + i, 5, 20 + i, 30), score,
                   "model:yolov8n@8.1", remote_key=remote_key)
        for i, score in enumerate(scores)
    ]  # fmt: skip
    with session.store.transaction(origin="model") as (conn, changes):
        suggestions.add(conn, changes, items)
    return items


def open_ones(session: EditingSession) -> list[Suggestion]:
    assert session.image is not None
    with session.store.read() as conn:
        return suggestions.for_image(conn, session.image.id)


def test_suggestions_are_not_annotations(session: EditingSession) -> None:
    propose(session, 0.9, 0.4)
    assert stored(session) == []
    assert len(open_ones(session)) == 2


def test_accept_makes_an_annotation_with_the_models_source_and_undo_reopens(
    session: EditingSession,
) -> None:
    first, _ = propose(session, 0.9, 0.4)
    assert session.commit(AcceptSuggestions((first,)))
    (ann,) = stored(session)
    assert ann.source == "model:yolov8n@8.1"
    assert ann.geometry == first.geometry and ann.class_id == first.class_id
    assert [s.uuid for s in open_ones(session)] != [first.uuid]
    with session.store.read() as conn:
        (accepted,) = suggestions.by_uuid(conn, [first.uuid])
        events = conn.execute(select(schema.event.c.detail)).scalars().all()
    assert accepted.state == "accepted" and accepted.annotation_uuid == ann.uuid
    assert any("model:yolov8n@8.1" in json.loads(e).get("sources", []) for e in events)
    session.undo()
    assert stored(session) == []
    assert first.uuid in {s.uuid for s in open_ones(session)}
    session.redo()
    assert [a.uuid for a in stored(session)] == [ann.uuid]


def test_reject_and_accept_all_above_a_threshold(session: EditingSession) -> None:
    items = propose(session, 0.95, 0.7, 0.3)
    assert session.commit(RejectSuggestions((items[1],)))
    keep = above(open_ones(session), 0.5)
    assert [s.uuid for s in keep] == [items[0].uuid]
    assert session.commit(AcceptSuggestions(tuple(keep)))
    assert len(stored(session)) == 1
    assert [s.uuid for s in open_ones(session)] == [items[2].uuid]
    session.undo()
    session.undo()
    assert len(open_ones(session)) == 3


def test_a_server_prediction_pulled_twice_is_stored_once(session: EditingSession) -> None:
    propose(session, 0.9, remote_key="ls:pred:7:0")
    propose(session, 0.9, remote_key="ls:pred:7:0")
    assert len(open_ones(session)) == 1
