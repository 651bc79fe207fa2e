"""Fixtures the clarifai adapter tests share: the fake, seeded, and a project linked to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from limner.models.store.store import ProjectStore
from limner.sync.engine import SyncEngine
from tests.fakes.clarifai_server import ClarifaiFake, Recorder
from tests.sync.clarifai_world import (
    linked_to,
    outside_host,
    seeded_fake,
)


@pytest.fixture
def outside() -> Iterator[Recorder]:
    yield from outside_host()


@pytest.fixture
def fake(outside: Recorder) -> Iterator[ClarifaiFake]:
    yield from seeded_fake(outside)


@pytest.fixture
def linked(tmp_path: Path, fake: ClarifaiFake) -> Iterator[tuple[ProjectStore, SyncEngine]]:
    yield from linked_to(tmp_path, fake)
