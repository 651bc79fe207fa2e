"""Fixtures the cloudfactory adapter tests share: the fake, seeded, and a project linked to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.cloudfactory_server import CloudFactoryFake
from tests.fakes.cloudfactory_world import (
    KEY,
    Linker,
    World,
    seed,
)


@pytest.fixture
def fake() -> Iterator[CloudFactoryFake]:
    with CloudFactoryFake(KEY) as server:
        yield server


@pytest.fixture
def world(fake: CloudFactoryFake) -> World:
    return seed(fake)


@pytest.fixture
def link(tmp_path: Path, world: World) -> Iterator[Linker]:
    linker = Linker(tmp_path, world)
    yield linker
    linker.close()
