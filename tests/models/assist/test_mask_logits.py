"""The decoder's logits become the same mask whether the whole image or only the rectangle
the object can cover is thresholded (and enlarged, for low-resolution answers)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from limner.models.assist.families import families
from limner.models.assist.sam import Embedding, best_mask
from limner.models.domain.geometry import Mask
from limner.models.imaging.mask_ops.logits import positive_mask


def _blobs(shape: tuple[int, int], seed: int, count: int = 3) -> np.ndarray:
    """Smooth logits: a few discs of positive values on a negative background, plus noise."""
    rng = np.random.default_rng(seed)
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    out = np.full(shape, -1.0, np.float32)
    for _ in range(count):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(0.05, 0.3) * min(w, h)
        out = np.maximum(out, (r * r - (xx - cx) ** 2 - (yy - cy) ** 2) / (r * r))
    return out + rng.normal(0, 0.05, shape).astype(np.float32)


def _same(a: Mask | None, b: Mask | None) -> None:
    assert (a is None) == (b is None)
    if a is not None:
        assert a == b


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threshold", [0.0, 0.3])
def test_a_full_size_answer_gives_the_same_mask_cropped(seed: int, threshold: float) -> None:
    logits = _blobs((150, 210), seed)
    logits[np.random.default_rng(seed).random(logits.shape) < 0.01] = np.nan
    cropped = positive_mask(logits, (210, 150), threshold)
    full = positive_mask(logits, (210, 150), threshold, crop=False)
    _same(cropped, full)
    assert cropped is not None
    assert np.array_equal(cropped.to_array(), logits > threshold)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    ("low", "size"), [((64, 64), (400, 300)), ((48, 37), (401, 299)), ((256, 256), (256, 256))]
)
@pytest.mark.parametrize("threshold", [0.0, -0.2])
def test_a_low_resolution_answer_gives_the_same_mask_cropped(
    seed: int, low: tuple[int, int], size: tuple[int, int], threshold: float
) -> None:
    logits = _blobs(low, seed, count=2)
    cropped = positive_mask(logits, size, threshold)
    full = positive_mask(logits, size, threshold, crop=False)
    _same(cropped, full)


def test_the_enlargement_is_opencvs_bilinear_one() -> None:
    logits = _blobs((64, 48), 3)
    mine = positive_mask(logits, (401, 299), crop=False)
    assert mine is not None
    theirs = cv2.resize(logits, (401, 299), interpolation=cv2.INTER_LINEAR)
    differ = mine.to_array() != (theirs > 0)
    # Float rounding may only decide pixels whose value is zero to a few ulps.
    assert np.all(np.abs(theirs[differ]) < 1e-5)
    assert differ.sum() <= 2


def test_nothing_positive_is_no_mask() -> None:
    low = np.full((32, 32), -3.0, np.float32)
    assert positive_mask(low, (300, 200)) is None
    assert positive_mask(np.full((200, 300), -1.0, np.float32), (300, 200)) is None
    assert positive_mask(np.full((200, 300), np.nan, np.float32), (300, 200)) is None


def test_an_object_at_the_image_edges_is_kept_whole() -> None:
    low = np.full((16, 16), -1.0, np.float32)
    low[0, :] = 1.0
    low[:, -1] = 1.0
    cropped = positive_mask(low, (333, 250))
    full = positive_mask(low, (333, 250), crop=False)
    _same(cropped, full)
    assert cropped is not None and cropped.top == 0 and cropped.left + cropped.width == 333


@pytest.mark.parametrize("name", ["sam", "sam2", "efficient_sam"])
@pytest.mark.parametrize("size", [(400, 300), (300, 400)])
def test_each_family_answer_cropped_is_the_full_size_one(name: str, size: tuple[int, int]) -> None:
    family = families()[name]
    width, height = size
    side = family.encoder.size or max(size)
    scale = (side / max(size),) * 2 if family.encoder.resize == "longest" else (1.0, 1.0)
    if family.encoder.resize == "stretch":
        scale = (side / width, side / height)
    emb = Embedding({}, size, scale)
    for low in ((1, 3, 256, 256), (1, 1, height, width)):
        masks = np.stack([_blobs(low[-2:], seed) for seed in range(low[1])])[None]
        scores = np.asarray([[0.2, 0.9, 0.4][: low[1]]], np.float32)
        _same(
            best_mask(family, masks, scores, emb),
            best_mask(family, masks, scores, emb, crop=False),
        )
