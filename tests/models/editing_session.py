"""Driving the tools through the real editing session on a real project, without Qt.

The tools' tests open an image (a real file, imported into a real project) in an
``EditingSession`` and send pointer events to tools that edit through that session, exactly
as the window does. ``stored`` reads the store itself and checks that the session's shapes
are the same rows: the session re-reads only the rows each change names, so every such
check also proves that it missed none.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from limner.models.domain.entities import Annotation, LabelClass, NewAnnotation
from limner.models.domain.geometry import Geometry
from limner.models.editing.commands import AddAnnotations, AddClass
from limner.models.editing.session import EditingSession
from limner.models.editing.tools.base import Pointer, Tool
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.models.workflow.project import import_images

SessionFactory = Callable[..., EditingSession]
_serial = itertools.count(1)


def add_image(
    store: ProjectStore,
    folder: Path,
    size: tuple[int, int],
    pixels: np.ndarray | None = None,
) -> int:
    """Write an image of ``size`` (width, height) holding ``pixels`` (or a flat grey that
    differs from every other one made here), import it and return its id."""
    number = next(_serial)
    path = folder / f"session-{number}.png"
    folder.mkdir(parents=True, exist_ok=True)
    if pixels is None:
        picture = Image.new("L", size, 0)
        picture.putpixel((0, 0), number % 256)
        picture.putpixel((min(1, size[0] - 1), 0), number // 256 % 256)
    else:
        assert pixels.shape[1::-1] == size, (pixels.shape, size)
        picture = Image.fromarray(pixels)
    picture.save(path)
    report = import_images(store, [path])
    assert report.added == 1, f"{path.name} was not imported: {report}"
    with store.read() as conn:
        record = queries.image_by_name(conn, path.name)
    assert record is not None and record.error is None, record
    return record.id


def session_on_first_image(store: ProjectStore) -> EditingSession:
    session = EditingSession(store)
    session.open_first()
    assert session.image is not None and session.image_size is not None
    return session


@pytest.fixture
def make_session(project: ProjectStore, tmp_path: Path) -> Iterator[SessionFactory]:
    """``make_session((w, h), pixels=None)``: a session showing a new image of that size."""
    opened: list[EditingSession] = []

    def make(size: tuple[int, int], pixels: np.ndarray | None = None) -> EditingSession:
        image_id = add_image(project, tmp_path / "session-images", size, pixels)
        session = EditingSession(project)
        session.open_image(image_id)
        assert session.image_size == size
        opened.append(session)
        return session

    yield make
    for session in opened:
        session.close()


# -- reading what was stored ---------------------------------------------------------------
def stored(session: EditingSession) -> list[Annotation]:
    """The live annotations of the open image as the store has them (and as the session
    must have them too)."""
    assert session.image is not None
    with session.store.read() as conn:
        rows = queries.annotations_for_image(conn, session.image.id)
    assert session.annotations == rows, "the session's shapes differ from the store's"
    return rows


def geometry_of(session: EditingSession, uuid: str) -> Geometry:
    found = [a for a in stored(session) if a.uuid == uuid]
    assert found, f"annotation {uuid} is not live"
    return found[0].geometry


def class_named(session: EditingSession, name: str) -> LabelClass:
    found = [c for c in session.classes if c.name == name]
    assert found, name
    return found[0]


# -- editing without a tool ----------------------------------------------------------------
def add_shape(session: EditingSession, geometry: Geometry, class_id: int | None = None) -> str:
    """Store a shape through the session (one undo step, selection left alone)."""
    assert session.image is not None
    uuid = new_uuid()
    chosen = class_id if class_id is not None else session.active_class_id()
    item = NewAnnotation(uuid, session.image.id, chosen, geometry)
    assert session.commit(AddAnnotations((item,), select=False))
    return uuid


def add_class(session: EditingSession, **fields: Any) -> LabelClass:
    """Create a class through the undoable command, as the class dialog does."""
    command = AddClass(fields)
    assert session.commit(command)
    created = session.class_by_id(command.class_id)
    assert created is not None
    return created


# -- pointer gestures ----------------------------------------------------------------------
def use_tool(session: EditingSession, name: str) -> Tool:
    """Make ``name`` the session's tool, as its key does in the window, and return it."""
    session.set_tool(name)
    assert session.tool.name == name
    return session.tool


def click(tool: Tool, x: float, y: float, **modifiers: Any) -> None:
    """Press and release at one point, as a mouse click does."""
    pointer = Pointer(x, y, **modifiers)
    tool.press(pointer)
    tool.release(pointer)


def drag(tool: Tool, start: tuple[float, float], end: tuple[float, float], steps: int = 5) -> None:
    """Press at ``start``, move in ``steps`` to ``end``, release there."""
    tool.press(Pointer(*start))
    for step in range(1, steps + 1):
        t = step / steps
        x = start[0] + (end[0] - start[0]) * t
        y = start[1] + (end[1] - start[1]) * t
        tool.move(Pointer(x, y))
    tool.release(Pointer(*end))
