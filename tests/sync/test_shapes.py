"""Typed reading of server answers: the right shape passes, anything else names the route."""

from __future__ import annotations

import math

import pytest

from limner.sync import shapes
from limner.sync.errors import ProtocolError, SyncError, TransientError

ROUTE = "GET /api/tasks/"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ([1, 2, 3], "a list"),
        ("text", "a string"),
        (7, "an integer"),
        (1.5, "a number"),
        (None, "null"),
        (True, "true"),
    ],
)
def test_obj_refuses_everything_but_an_object(value: object, kind: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        shapes.obj(value, ROUTE)
    assert str(caught.value) == f"GET /api/tasks/: expected an object, got {kind}"
    assert caught.value.route == ROUTE


def test_protocol_errors_are_sync_errors_and_not_transient() -> None:
    with pytest.raises(ProtocolError) as caught:
        shapes.obj([], ROUTE)
    assert isinstance(caught.value, SyncError)
    assert not isinstance(caught.value, TransientError)


def test_obj_and_items_return_what_they_checked() -> None:
    body = {"tasks": [{"id": 1}, {"id": 2}], "total": 2}
    assert shapes.obj(body, ROUTE) is body
    assert shapes.items(body, ROUTE, key="tasks") == [{"id": 1}, {"id": 2}]
    assert shapes.items([{"id": 3}], ROUTE) == [{"id": 3}]
    assert shapes.items([], ROUTE) == []


def test_items_names_what_is_wrong() -> None:
    with pytest.raises(ProtocolError, match=r"^GET /api/tasks/: expected a list, got an object$"):
        shapes.items({"id": 1}, ROUTE)
    with pytest.raises(ProtocolError, match=r"item 2 of the answer should be an object, got null"):
        shapes.items([{}, {}, None], ROUTE)
    with pytest.raises(ProtocolError, match=r"tasks\[0\] should be an object, got an integer"):
        shapes.items({"tasks": [1, 2, 3]}, ROUTE, key="tasks")
    with pytest.raises(ProtocolError, match=r"'tasks' should be a list, got a string"):
        shapes.items({"tasks": "none"}, ROUTE, key="tasks")
    with pytest.raises(ProtocolError, match=r"the object has no 'tasks'"):
        shapes.items({"results": []}, ROUTE, key="tasks")
    with pytest.raises(ProtocolError, match=r"expected an object, got a list"):
        shapes.items([1, 2, 3], ROUTE, key="tasks")


def test_text_fields() -> None:
    task = {"title": "Street", "empty": "", "none": None, "number": 12}
    assert shapes.text(task, "title", ROUTE) == "Street"
    assert shapes.text(task, "empty", ROUTE) == ""
    assert shapes.text(task, "none", ROUTE, default="untitled") == "untitled"
    assert shapes.text(task, "missing", ROUTE, default=None) is None
    with pytest.raises(ProtocolError, match=r"^GET /api/tasks/: field 'missing' is missing$"):
        shapes.text(task, "missing", ROUTE)
    with pytest.raises(ProtocolError, match=r"field 'number' should be a string, got an integer"):
        shapes.text(task, "number", ROUTE)


def test_integer_fields() -> None:
    task = {"id": 7, "float": 8.0, "string": "9", "half": 1.5, "word": "seven", "flag": True}
    assert shapes.integer(task, "id", ROUTE) == 7
    assert shapes.integer(task, "float", ROUTE) == 8
    assert shapes.integer(task, "string", ROUTE) == 9
    assert shapes.integer(task, "missing", ROUTE, default=0) == 0
    for name, kind in (("half", "a number"), ("word", "a string"), ("flag", "true")):
        with pytest.raises(ProtocolError, match=f"field '{name}' should be an integer, got {kind}"):
            shapes.integer(task, name, ROUTE)


def test_number_fields() -> None:
    region = {"x": 1, "y": 2.5, "w": "3", "h": math.inf, "ok": False}
    assert shapes.number(region, "x", ROUTE) == 1.0
    assert isinstance(shapes.number(region, "x", ROUTE), float)
    assert shapes.number(region, "y", ROUTE) == 2.5
    assert shapes.number(region, "missing", ROUTE, default=0.0) == 0.0
    with pytest.raises(ProtocolError, match=r"field 'w' should be a number, got a string"):
        shapes.number(region, "w", ROUTE)
    with pytest.raises(ProtocolError, match=r"field 'h' should be a finite number"):
        shapes.number(region, "h", ROUTE)
    with pytest.raises(ProtocolError, match=r"field 'ok' should be a number, got false"):
        shapes.number(region, "ok", ROUTE)


def test_boolean_member_and_listing_fields() -> None:
    task = {"done": True, "data": {"image": "/a.png"}, "annotations": [{"id": 1}], "bad": [1]}
    assert shapes.boolean(task, "done", ROUTE) is True
    assert shapes.boolean(task, "missing", ROUTE, default=False) is False
    with pytest.raises(ProtocolError, match=r"field 'data' should be true or false"):
        shapes.boolean(task, "data", ROUTE)
    assert shapes.member(task, "data", ROUTE) == {"image": "/a.png"}
    assert shapes.member(task, "meta", ROUTE, default={}) == {}
    with pytest.raises(ProtocolError, match=r"field 'annotations' should be an object, got a list"):
        shapes.member(task, "annotations", ROUTE)
    assert shapes.listing(task, "annotations", ROUTE) == [{"id": 1}]
    assert shapes.listing(task, "drafts", ROUTE, default=[]) == []
    with pytest.raises(ProtocolError, match=r"bad\[0\] should be an object"):
        shapes.listing(task, "bad", ROUTE)


def test_fields_of_something_that_is_not_an_object() -> None:
    with pytest.raises(ProtocolError, match=r"expected an object holding 'id', got a list"):
        shapes.integer([1, 2, 3], "id", ROUTE)  # type: ignore[arg-type]
