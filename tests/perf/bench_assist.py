"""Benchmarks of model assistance on a 4,000 x 3,000 image.

Intelligent scissors must answer each pointer move within a frame: the figure is the
latency of one live path from the anchor to the pointer, at 100 % and zoomed to fit (the
map's window then covers the whole image at a coarser step), plus the time a click takes
to build the next anchor's map on the worker thread. The click-to-segment figures are the
pipeline's own work per click, everything but the model: the prompt's tensors, picking the
decoder's best mask and thresholding it (enlarging it first when the decoder answers at
256 x 256) into the cropped mask the preview shows; tracing that mask into a polygon, which
happens when the annotator keeps a polygon, is its own row and is added in the "kept as
polygon" row, the figure the 30 ms target is about. The decoder's answer is a prepared
array, so the model's compute is left out by construction.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from limner.models.assist.families import families
from limner.models.assist.sam import Embedding, Prompt, best_mask, preprocess, prompt_arrays
from limner.models.assist.scissors import EdgeTracer
from limner.models.domain.geometry import Mask
from limner.models.imaging.mask_ops import mask_to_polygons

SIZE = (4000, 3000)
TARGET_MS = 30.0


def _image() -> np.ndarray:
    rng = np.random.default_rng(7)
    pixels = rng.integers(20, 60, (SIZE[1], SIZE[0], 3), dtype=np.uint8)
    yy, xx = np.mgrid[0 : SIZE[1], 0 : SIZE[0]]
    pixels[(xx - 2000) ** 2 + (yy - 1500) ** 2 < 900**2] = 210
    pixels[400:900, 300:1400] = 160
    return pixels


def _figure(samples_ms: list[float], target: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {
        "median": statistics.median(samples_ms),
        "min": min(samples_ms),
        "max": max(samples_ms),
        "unit": "ms",
    }
    if target:
        out["target"] = target
    return out


def _timed(func: Callable[[], object], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bench_scissors() -> dict[str, dict[str, Any]]:
    tracer = EdgeTracer(_image())
    results: dict[str, dict[str, Any]] = {}
    anchor = (2000.0, 600.0)
    for label, scale in (("100%", 1.0), ("fit", 0.3)):
        build = _timed(lambda s=scale: (tracer.anchor(*anchor, s), tracer.wait()), 5)
        span = 280 if scale == 1.0 else 900
        moves = [
            (anchor[0] + span * np.cos(t), anchor[1] + span * np.sin(t) + span)
            for t in np.linspace(0, np.pi, 60)
        ]
        per_move = []
        for x, y in moves:
            started = time.perf_counter()
            tracer.path(float(x), float(y))
            per_move.append((time.perf_counter() - started) * 1000)
        results[f"scissors move 4000x3000 {label}"] = _figure(per_move, f"< {TARGET_MS:g} ms")
        results[f"scissors click map 4000x3000 {label}"] = _figure(build)
    tracer.close()
    return results


def _answers(family_size: int) -> dict[str, np.ndarray]:
    """The decoder's answer to a click on the 1,600-pixel disc of :func:`_image`: at the
    image's size (SAM's own export upscales inside the model) and at 256 x 256 over the
    padded square input (exports that leave the upscaling to the caller)."""
    width, height = SIZE
    yy, xx = np.mgrid[0:height, 0:width]
    full = (800.0**2 - ((xx - 2000.0) ** 2 + (yy - 1500.0) ** 2)).astype(np.float32)
    side, step = 256, family_size / max(SIZE) * 256 / family_size
    ly, lx = np.mgrid[0:side, 0:side] + 0.5
    low = (800.0 * step) ** 2 - ((lx - 2000.0 * step) ** 2 + (ly - 1500.0 * step) ** 2)
    return {
        "full-size answer": full.reshape(1, 1, height, width),
        "256 px answer": low.astype(np.float32).reshape(1, 1, side, side),
    }


def bench_segment_overhead() -> dict[str, dict[str, Any]]:
    family = families()["sam"]
    pixels = _image()
    scale = family.encoder.size / max(SIZE)
    embedding = Embedding({"image_embeddings": np.zeros((1, 256, 64, 64), np.float32)}, SIZE,
                          (scale, scale))  # fmt: skip
    scores = np.asarray([[0.9]], np.float32)
    prompt = Prompt(((2000.5, 1500.5, True), (2100.5, 1400.5, True), (100.5, 100.5, False)))
    results: dict[str, dict[str, Any]] = {}
    for label, masks in _answers(family.encoder.size).items():

        def one_click(masks: np.ndarray = masks) -> Mask:
            prompt_arrays(family, prompt, embedding)
            mask = best_mask(family, masks, scores, embedding)
            assert mask is not None
            return mask

        results[f"segment overhead per click 4000x3000, {label}"] = _figure(
            _timed(one_click, 15), f"< {TARGET_MS:g} ms"
        )
        if label == "full-size answer":
            shown = one_click()
            results["segment mask-to-polygon of a 1600 px object"] = _figure(
                _timed(lambda shown=shown: mask_to_polygons(shown), 9)
            )
            results["segment click kept as polygon 4000x3000 (all but the model)"] = _figure(
                _timed(lambda: mask_to_polygons(one_click()), 9), f"< {TARGET_MS:g} ms"
            )
    results["segment encoder pre-processing 4000x3000"] = _figure(
        _timed(lambda: preprocess(family, pixels), 5)
    )
    return results
