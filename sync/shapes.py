"""Typed reading of server answers: check the shape before using a value.

A server (or a proxy, a captive portal, a half-upgraded deployment) can answer valid JSON
of the wrong shape: ``[1, 2, 3]`` where an object was promised, ``"12"`` or ``null`` where
an id should be. Used unchecked, such a value fails far from its cause with an
``AttributeError`` or ``KeyError`` that says nothing about the server. These helpers check
each value where it is read and raise :class:`~sync.errors.ProtocolError`, whose message
names the route and what was wrong::

    GET /api/tasks/: expected an object, got a list
    GET /api/tasks/7/: field 'id' should be an integer, got a string

Every helper takes ``route``, a short description of where the value came from (by
convention ``"METHOD /path/"`` without the query, so no secret ends up in a message);
:meth:`sync.transport.Transport.get_object` and ``get_list`` pass it for you.

Typical use in an adapter::

    body = self.t.get_object("/api/tasks/", params={"page": 1})
    route = "GET /api/tasks/"
    for task in shapes.items(body, route, key="tasks"):
        key = shapes.integer(task, "id", route)
        name = shapes.text(task, "title", route, default="")
        data = shapes.member(task, "data", route, default={})

Fields that may be missing or ``null`` take a ``default``; without one, a missing field
is an error. Nothing is converted silently except what is lossless and common in real
APIs: an integral float or a decimal string where an integer is wanted, an integer where
a number is wanted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Final, TypeVar, overload

from limner.sync.errors import ProtocolError

T = TypeVar("T")


class _Missing:
    def __repr__(self) -> str:
        return "<required>"


REQUIRED: Final = _Missing()
_DECIMAL = re.compile(r"[+-]?\d{1,19}")


def describe(value: object) -> str:
    """What kind of JSON value ``value`` is, for messages: "a list", "null"..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def _fail(route: str, what: str) -> ProtocolError:
    return ProtocolError(f"{route}: {what}", route)


def obj(value: Any, route: str) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else :class:`ProtocolError`."""
    if isinstance(value, Mapping):
        return value
    raise _fail(route, f"expected an object, got {describe(value)}")


def items(value: Any, route: str, key: str | None = None) -> list[Mapping[str, Any]]:
    """A list of objects: ``value`` itself, or the list under ``key`` of the object ``value``.

    Every element must be an object; the message names the first one that is not
    (``GET /api/tasks/: tasks[3] should be an object, got a number``).
    """
    where = "the answer"
    if key is not None:
        value = obj(value, route).get(key, REQUIRED)
        if value is REQUIRED:
            raise _fail(route, f"expected a list under {key!r}, the object has no {key!r}")
        where = key
    if not isinstance(value, list):
        expected = "expected a list" if key is None else f"{key!r} should be a list"
        raise _fail(route, f"{expected}, got {describe(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            label = f"item {index} of {where}" if key is None else f"{key}[{index}]"
            raise _fail(route, f"{label} should be an object, got {describe(item)}")
    return value


def _field(mapping: Mapping[str, Any], name: str, route: str) -> Any:
    if not isinstance(mapping, Mapping):
        raise _fail(route, f"expected an object holding {name!r}, got {describe(mapping)}")
    return mapping.get(name)


def _absent(route: str, name: str, default: object) -> Any:
    if default is REQUIRED:
        raise _fail(route, f"field {name!r} is missing")
    return default


def _wrong(route: str, name: str, expected: str, value: object) -> ProtocolError:
    return _fail(route, f"field {name!r} should be {expected}, got {describe(value)}")


@overload
def text(mapping: Mapping[str, Any], name: str, route: str) -> str: ...
@overload
def text(mapping: Mapping[str, Any], name: str, route: str, default: T) -> str | T: ...
def text(mapping: Mapping[str, Any], name: str, route: str, default: Any = REQUIRED) -> Any:
    """The string field ``name``; ``default`` when it is missing or null."""
    value = _field(mapping, name, route)
    if value is None:
        return _absent(route, name, default)
    if not isinstance(value, str):
        raise _wrong(route, name, "a string", value)
    return value


@overload
def integer(mapping: Mapping[str, Any], name: str, route: str) -> int: ...
@overload
def integer(mapping: Mapping[str, Any], name: str, route: str, default: T) -> int | T: ...
def integer(mapping: Mapping[str, Any], name: str, route: str, default: Any = REQUIRED) -> Any:
    """The integer field ``name`` (also from ``12.0`` or ``"12"``); ``default`` when missing
    or null. ``true``/``false`` are not integers here."""
    value = _field(mapping, name, route)
    if value is None:
        return _absent(route, name, default)
    if isinstance(value, bool):
        raise _wrong(route, name, "an integer", value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return int(value)
    raise _wrong(route, name, "an integer", value)


@overload
def number(mapping: Mapping[str, Any], name: str, route: str) -> float: ...
@overload
def number(mapping: Mapping[str, Any], name: str, route: str, default: T) -> float | T: ...
def number(mapping: Mapping[str, Any], name: str, route: str, default: Any = REQUIRED) -> Any:
    """The finite number field ``name`` as a float; ``default`` when missing or null."""
    value = _field(mapping, name, route)
    if value is None:
        return _absent(route, name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong(route, name, "a number", value)
    result = float(value)
    if not math.isfinite(result):
        raise _fail(route, f"field {name!r} should be a finite number, got {value!r}")
    return result


@overload
def boolean(mapping: Mapping[str, Any], name: str, route: str) -> bool: ...
@overload
def boolean(mapping: Mapping[str, Any], name: str, route: str, default: T) -> bool | T: ...
def boolean(mapping: Mapping[str, Any], name: str, route: str, default: Any = REQUIRED) -> Any:
    """The ``true``/``false`` field ``name``; ``default`` when missing or null."""
    value = _field(mapping, name, route)
    if value is None:
        return _absent(route, name, default)
    if not isinstance(value, bool):
        raise _wrong(route, name, "true or false", value)
    return value


@overload
def member(mapping: Mapping[str, Any], name: str, route: str) -> Mapping[str, Any]: ...
@overload
def member(
    mapping: Mapping[str, Any], name: str, route: str, default: T
) -> Mapping[str, Any] | T: ...
def member(mapping: Mapping[str, Any], name: str, route: str, default: Any = REQUIRED) -> Any:
    """The object field ``name`` (a nested object); ``default`` when missing or null."""
    value = _field(mapping, name, route)
    if value is None:
        return _absent(route, name, default)
    if not isinstance(value, Mapping):
        raise _wrong(route, name, "an object", value)
    return value


def listing(
    mapping: Mapping[str, Any], name: str, route: str, default: Any = REQUIRED
) -> list[Mapping[str, Any]]:
    """The field ``name`` as a list of objects (see :func:`items`); ``default`` when it is
    missing or null."""
    value = _field(mapping, name, route)
    if value is None:
        return _absent(route, name, default)
    return items(mapping, route, key=name)
