"""The image encoder runs ahead of the annotator: the image on screen first, then the next
ones, on a worker thread; stale work is dropped or stopped when the annotator moves on."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from limner.models.assist.families import families
from limner.models.assist.sam import Embedding, EmbeddingCache, Segmenter
from limner.models.domain.entities import ImageRecord
from limner.models.editing.encode_ahead import LOWEST_PRIORITY, EncodeAhead, embedding_key
from limner.models.editing.session import EditingSession
from limner.models.editing.tools.segment import SegmentTool
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from tests.models.assist.tiny_onnx import (
    build_decoder,
    build_encoder,
    build_slow_encoder,
    expected_disc,
)
from tests.models.editing_session import click, use_tool

pytest.importorskip("onnxruntime", reason="onnxruntime runs the models (limner[assist])")

WAIT = 120.0
"""How long a test waits for the worker at most; reaching it is a failure, not a timing."""


class Counting(Segmenter):
    """The tiny model, counting the encoder's runs; ``gate``, when set up, holds each run
    until the test opens it, and ``started`` says a run is being held."""

    def __init__(self, *args: Any, gated: bool = False) -> None:
        super().__init__(*args)
        self.runs: list[tuple[int, int]] = []
        self.started = threading.Event()
        self.gate = threading.Event()
        if not gated:
            self.gate.set()

    def encode(self, pixels: np.ndarray, options: Any = None) -> Embedding:
        self.runs.append((int(pixels.shape[1]), int(pixels.shape[0])))
        self.started.set()
        assert self.gate.wait(WAIT)
        return super().encode(pixels, options)


def _model(folder: Path, *, gated: bool = False, slow: bool = False) -> Counting:
    family = families()["sam"]
    build = build_slow_encoder if slow else build_encoder
    encoder = build(family, folder / ("slow.onnx" if slow else "enc.onnx"))
    decoder = build_decoder(family, folder / "dec.onnx")
    return Counting("tiny", family, encoder, decoder, gated=gated)


def _records(store: ProjectStore) -> list[ImageRecord]:
    with store.read() as conn:
        return queries.image_page(conn, 0, 10)


def _on_disk(cache: EmbeddingCache, records: list[ImageRecord]) -> list[bool]:
    return [cache.has("tiny", embedding_key(r)) for r in records]


def test_the_next_images_are_encoded_before_the_annotator_reaches_them(
    project: ProjectStore, tmp_path: Path
) -> None:
    records = _records(project)
    model = _model(tmp_path)
    cache = EmbeddingCache(tmp_path / "cache")
    ahead = EncodeAhead(project, cache)
    session = EditingSession(project)
    session.open_image(records[0].id)
    tool = use_tool(session, "segment")
    assert isinstance(tool, SegmentTool)
    tool.use_model(model, "model:tiny@1", ahead)

    ahead.follow(records[0], records[1:4])
    assert ahead.wait_idle(WAIT)
    assert _on_disk(cache, records) == [True, True, True, True, False]
    assert model.runs == [(r.width, r.height) for r in records[:4]]
    if sys.platform.startswith("linux"):  # elsewhere threads share their process's priority
        assert ahead.native_id is not None
        assert os.getpriority(os.PRIO_PROCESS, ahead.native_id) == LOWEST_PRIORITY

    # The annotator steps on: a click there decodes with the encoding already on disk.
    session.open_image(records[1].id)
    ahead.follow(records[1], records[2:5])
    click(tool, 20.5, 30.5)
    assert np.array_equal(tool.mask, expected_disc((records[1].width, 60), 20.5, 30.5))
    assert ahead.wait_idle(WAIT)
    assert len(model.runs) == 5  # only the one image that had not been encoded yet
    assert ahead.encoded == [embedding_key(r) for r in records]
    ahead.shutdown()


def test_moving_quickly_drops_the_encodings_nobody_needs_any_more(
    project: ProjectStore, tmp_path: Path
) -> None:
    records = _records(project)
    model = _model(tmp_path, gated=True)
    cache = EmbeddingCache(tmp_path / "cache")
    ahead = EncodeAhead(project, cache)
    ahead.use_model(model)

    ahead.follow(records[0], records[1:3])
    assert model.started.wait(WAIT)  # image 0 is being encoded, held by the gate
    ahead.follow(records[1], records[2:4])  # the annotator steps, and steps again...
    ahead.follow(records[2], records[3:5])
    ahead.follow(records[4], [])  # ...and jumps to the last image
    model.gate.set()
    assert ahead.wait_idle(WAIT)

    assert ahead.encoded == [embedding_key(records[4])]
    assert ahead.stopped == 1  # the run for image 0 was ended, its result never stored
    assert _on_disk(cache, records) == [False, False, False, False, True]
    assert model.runs == [(records[0].width, 60), (records[4].width, 60)]
    ahead.shutdown()


def test_an_encoding_in_flight_is_stopped_in_the_middle(
    project: ProjectStore, tmp_path: Path
) -> None:
    records = _records(project)
    model = _model(tmp_path, slow=True)  # seconds of matrix products if left to finish
    cache = EmbeddingCache(tmp_path / "cache")
    ahead = EncodeAhead(project, cache)
    ahead.use_model(model)
    ahead.follow(records[0], [])
    waiting = ahead.embedding(records[0].id)
    assert waiting is not None and model.started.wait(WAIT)
    ahead.follow(None, [])  # the image closed: nothing is wanted any more
    assert ahead.wait_idle(WAIT)
    assert waiting.cancelled()
    assert ahead.stopped == 1 and ahead.encoded == []
    assert _on_disk(cache, records[:1]) == [False]
    ahead.shutdown()


def test_asking_for_an_image_puts_it_first(project: ProjectStore, tmp_path: Path) -> None:
    records = _records(project)
    model = _model(tmp_path, gated=True)
    ahead = EncodeAhead(project, EmbeddingCache(tmp_path / "cache"))
    ahead.use_model(model)
    ahead.follow(records[0], records[1:4])
    assert model.started.wait(WAIT)
    future = ahead.embedding(records[3].id)  # the annotator went straight there and clicked
    assert future is not None
    model.gate.set()
    assert future.result(WAIT).image_size == (records[3].width, 60)
    assert ahead.wait_idle(WAIT)
    order = [embedding_key(records[i]) for i in (0, 3, 1, 2)]
    assert ahead.encoded == order
    ahead.shutdown()
