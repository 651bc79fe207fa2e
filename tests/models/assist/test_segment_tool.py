"""The click-to-segment tool through a real editing session (no Qt)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from limner.models.assist.families import families
from limner.models.assist.sam import EmbeddingCache, Segmenter
from limner.models.domain.geometry import Mask, Polygon
from limner.models.editing.encode_ahead import EncodeAhead
from limner.models.editing.tools.base import Pointer
from limner.models.editing.tools.segment import SegmentTool
from tests.models.assist.tiny_onnx import build_decoder, build_encoder, expected_disc
from tests.models.editing_session import SessionFactory, add_image, click, stored, use_tool
from tests.models.test_mask_tools import make_session

pytest.importorskip("onnxruntime", reason="onnxruntime runs the models (limner[assist])")
__all__ = ["make_session"]  # the fixture, used by name


def segment_tool(session, tmp_path: Path) -> SegmentTool:
    family = families()["mobile_sam"]
    model = Segmenter("tiny", family, build_encoder(family, tmp_path / "e.onnx"),
                      build_decoder(family, tmp_path / "d.onnx"))  # fmt: skip
    tool = use_tool(session, "segment")
    assert isinstance(tool, SegmentTool)
    ahead = EncodeAhead(session.store, EmbeddingCache(tmp_path / "cache"))
    tool.use_model(model, "model:tiny@0", ahead)
    encoded(tool)
    return tool


def encoded(tool: SegmentTool) -> None:
    """Wait until the open image is encoded, so that a click is answered at once."""
    future = tool.embedding()
    assert future is not None
    future.result(timeout=60)


def test_a_click_before_the_encoding_is_done_does_not_wait_for_it(
    make_session: SessionFactory, tmp_path
) -> None:
    """The click returns at once with a hint; the mask comes at the next pointer move after
    the encoding is done, and Enter keeps nothing until then."""
    from concurrent.futures import Future

    session = make_session((120, 90))
    tool = segment_tool(session, tmp_path)
    real = tool.embedding()
    assert real is not None
    gate: Future = Future()
    tool._embedding = (session.image_id, gate)  # the encoder is still busy
    click(tool, 40.5, 30.5)
    assert tool.answer is None
    assert "still reading this image" in tool.preview.hint
    tool.key("Enter")
    assert stored(session) == []
    tool.move(Pointer(50.0, 40.0))
    assert tool.answer is None  # still not encoded
    gate.set_result(real.result())
    tool.move(Pointer(50.0, 40.0))
    assert tool.answer is not None
    assert np.array_equal(tool.mask, expected_disc((120, 90), 40.5, 30.5))
    assert "still reading" not in tool.preview.hint


def test_the_tool_says_when_the_awaited_encoding_is_done(
    make_session: SessionFactory, tmp_path
) -> None:
    """Without any pointer move: the encoder's completion calls ``on_encoded`` (once, on
    the thread that finished it), and ``encoded()`` then answers the waiting click."""
    from concurrent.futures import Future

    session = make_session((120, 90))
    tool = segment_tool(session, tmp_path)
    real = tool.embedding()
    assert real is not None
    calls: list[str] = []
    tool.on_encoded = lambda: calls.append("done")
    gate: Future = Future()
    tool._embedding = (session.image_id, gate)
    click(tool, 40.5, 30.5)
    click(tool, 44.5, 30.5)  # a second click while waiting watches the same encoding
    assert calls == [] and not tool.encoded()
    gate.set_result(real.result())
    assert calls == ["done"]
    assert tool.encoded()
    assert isinstance(tool.preview.drawing, Mask)
    assert "still reading" not in tool.preview.hint
    assert not tool.encoded()  # nothing waits any more


def test_tab_keeps_the_exact_polygon_of_the_mask(make_session: SessionFactory, tmp_path) -> None:
    session = make_session((120, 90))
    tool = segment_tool(session, tmp_path)
    click(tool, 40.5, 30.5)
    assert isinstance(tool.preview.drawing, Mask)
    assert tool.key("Tab") and tool.as_polygon
    assert tool.key("Enter")
    (ann,) = stored(session)
    assert isinstance(ann.geometry, Polygon) and ann.source == "model:tiny@0"
    assert list((tmp_path / "cache").rglob("*.npz"))  # the embedding was kept on disk


def test_negative_clicks_box_drag_and_backspace(make_session: SessionFactory, tmp_path) -> None:
    session = make_session((120, 90))
    tool = segment_tool(session, tmp_path)
    click(tool, 60.5, 40.5, alt=True)
    assert tool.prompt.points == ((60.5, 40.5, False),)
    tool.press(Pointer(20, 20))
    tool.move(Pointer(50, 60))
    tool.release(Pointer(50, 60))
    assert tool.prompt.box == (20, 20, 50, 60)
    assert tool.key("Backspace") and tool.prompt.points == ()
    assert tool.key("Backspace") and tool.prompt.box is None and not tool.busy
    tool.cancel()
    assert stored(session) == []


def test_opening_another_image_drops_the_prompt_and_encodes_that_image(
    make_session: SessionFactory, tmp_path
) -> None:
    session = make_session((120, 90))
    tool = segment_tool(session, tmp_path)
    click(tool, 40.5, 30.5)
    assert tool.busy
    other = add_image(session.store, tmp_path / "more", (64, 48))
    session.open_image(other)
    encoded(tool)
    click(tool, 10.5, 10.5)
    assert tool.prompt.points == ((10.5, 10.5, True),)
    assert tool.mask is not None
    assert np.array_equal(tool.mask, expected_disc((64, 48), 10.5, 10.5))
