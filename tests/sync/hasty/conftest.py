"""Fixtures the hasty adapter tests share: the fake, seeded, and a project linked to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.hasty_world import (
    Linked,
    World,
    linked_to,
    seeded_world,
)


@pytest.fixture
def world() -> Iterator[World]:
    yield from seeded_world()


@pytest.fixture
def linked(tmp_path: Path, world: World) -> Iterator[Linked]:
    yield from linked_to(tmp_path, world)
