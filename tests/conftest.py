"""Shared fixtures: real projects on disk, real images made with Pillow."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LIMNER_USER", "tester")


def write_image(path: Path, width: int = 64, height: int = 48, seed: int = 0) -> Path:
    """A small real image with content that differs per seed (so hashes differ)."""
    rng = np.random.default_rng(seed)
    array = rng.integers(0, 255, size=(height, width, 3), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)
    return path


@pytest.fixture
def image_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    for i in range(5):
        write_image(folder / f"img{i + 1}.png", 80 + i, 60, seed=i)
    return folder


@pytest.fixture
def project(tmp_path: Path, image_dir: Path) -> Iterator:
    from limner.models.workflow.project import create_project

    store, report = create_project(
        tmp_path / "proj", images=[image_dir], classes=["cat", "dog", "bird"]
    )
    assert report.added == 5
    yield store
    store.close()
