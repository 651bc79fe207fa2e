"""Intelligent scissors: clicks on an object's outline become a polygon along its edges."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from limner.models.assist.scissors import WINDOW_PX, EdgeTracer, window_around
from limner.models.domain.geometry import Polygon
from limner.models.editing.tools.base import Pointer
from limner.models.editing.tools.scissors import ScissorsTool
from tests.models.editing_session import SessionFactory, click, stored, use_tool
from tests.models.test_mask_tools import make_session

__all__ = ["make_session"]  # the fixture, used by name

SQUARE = (60, 40, 140, 120)  # x0, y0, x1, y1 of a bright square on a dark image


def square_image(size: tuple[int, int] = (200, 160)) -> np.ndarray:
    pixels = np.full((size[1], size[0], 3), 30, np.uint8)
    x0, y0, x1, y1 = SQUARE
    pixels[y0:y1, x0:x1] = 220
    return pixels


def area_overlap(polygon: Polygon, size: tuple[int, int]) -> float:
    """Intersection over union of the polygon's fill with the square."""
    canvas = Image.new("1", size, 0)
    ImageDraw.Draw(canvas).polygon(list(polygon.parts[0].outer), fill=1)
    drawn = np.asarray(canvas, bool)
    truth = np.zeros_like(drawn)
    x0, y0, x1, y1 = SQUARE
    truth[y0:y1, x0:x1] = True
    return float((drawn & truth).sum() / (drawn | truth).sum())


def settle(tool: ScissorsTool) -> None:
    tracer = tool.tracer()
    assert tracer is not None
    tracer.wait()


def outline_by_side_midpoints(tool: ScissorsTool) -> None:
    """Click the middle of each side; straight segments would make a diamond of half the
    square's area, so only paths along the edges give the square back."""
    for x, y in ((100, 40), (140, 80), (100, 120), (60, 80)):
        click(tool, x, y)
        settle(tool)


def test_clicks_follow_the_edges_and_close_into_the_square(make_session: SessionFactory) -> None:
    session = make_session((200, 160), square_image())
    tool = use_tool(session, "scissors")
    assert isinstance(tool, ScissorsTool)
    outline_by_side_midpoints(tool)
    assert tool.key("Enter")
    (ann,) = stored(session)
    assert isinstance(ann.geometry, Polygon)
    assert area_overlap(ann.geometry, (200, 160)) > 0.9
    assert not tool.busy
    session.undo()
    assert stored(session) == []


def test_the_preview_traces_to_the_pointer_while_it_moves(make_session: SessionFactory) -> None:
    session = make_session((200, 160), square_image())
    tool = use_tool(session, "scissors")
    click(tool, 100, 40)
    settle(tool)
    tool.move(Pointer(140, 80))
    line = tool.preview.polyline
    assert line[0] == (100, 40) and line[-1] == (140, 80)
    # The live stretch turns the square's corner instead of cutting across it.
    assert min(np.hypot(x - 140, y - 40) for x, y in line) < 3
    assert "Enter" in tool.preview.hint


def test_backspace_takes_back_a_stretch_and_escape_drops_the_outline(
    make_session: SessionFactory,
) -> None:
    session = make_session((200, 160), square_image())
    tool = use_tool(session, "scissors")
    click(tool, 100, 40)
    settle(tool)
    click(tool, 140, 80)
    settle(tool)
    assert tool.points[-1] == (140, 80)
    assert tool.key("Backspace")
    assert tool.points == ((100, 40),)
    tool.cancel()
    assert not tool.busy and tool.points == ()
    assert stored(session) == []


def test_clicking_the_first_point_closes(make_session: SessionFactory) -> None:
    session = make_session((200, 160), square_image())
    tool = use_tool(session, "scissors")
    outline_by_side_midpoints(tool)
    click(tool, 100.5, 40.5)
    (ann,) = stored(session)
    assert isinstance(ann.geometry, Polygon)


def test_a_large_image_is_traced_in_a_window_of_the_visible_area() -> None:
    # Zoomed out to a tenth, a click works on 6,400 image pixels around it, at a tenth.
    window = window_around((4000, 3000), 2000, 1500, 0.1)
    assert window.factor == 0.1 and window.side_x == 4000 and window.side_y == 3000
    assert window.work_size == (400, 300)
    # At 100 % the window is WINDOW_PX image pixels at full resolution, inside the image.
    window = window_around((4000, 3000), 3990, 10, 1.0)
    assert window.factor == 1.0 and window.side_x == WINDOW_PX
    assert window.x0 + window.side_x == 4000 and window.y0 == 0


def test_tracing_on_a_big_image_zoomed_out_still_follows_the_edges() -> None:
    big = np.full((1500, 2000, 3), 30, np.uint8)
    big[400:1100, 500:1500] = 220
    tracer = EdgeTracer(big)
    tracer.anchor(1000, 400, scale=0.25)
    tracer.wait()
    path = tracer.path(1500, 750)
    assert min(np.hypot(x - 1500, y - 400) for x, y in path) < 12
    tracer.close()
