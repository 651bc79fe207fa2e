"""Copying a decoded image into an array strip by strip gives exactly ``np.asarray``."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from limner.models.imaging.tiles import pillow


@pytest.mark.parametrize("mode", ["1", "L", "LA", "RGB", "RGBA", "I;16", "I", "F", "CMYK"])
@pytest.mark.parametrize("height", [1, 7, 600])
def test_strips_equal_the_whole_copy(mode: str, height: int, monkeypatch) -> None:
    monkeypatch.setattr(pillow, "STRIP_ROWS", 64)
    rng = np.random.default_rng(height)
    base = Image.fromarray(rng.integers(0, 255, (height, 37, 4), dtype=np.uint8), "RGBA")
    img = base.convert(mode) if mode not in ("I;16",) else base.convert("L").convert("I;16")
    expected = np.asarray(img)
    got = pillow.image_array(img)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert np.array_equal(got, expected)
