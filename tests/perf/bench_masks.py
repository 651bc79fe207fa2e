"""Benchmarks of mask painting: what one brush dab costs on a very large image."""

from __future__ import annotations

import json
import math
import statistics
import time
from typing import Any

from limner.models.imaging.mask_ops import MaskLayer, overlay_rgba

OVERLAY_COLOR = (255, 230, 90, 120)


def bench_brush_dab_8192() -> dict[str, dict[str, Any]]:
    """One dab of radius 20 on an 8192x8192 layer, plus the RGBA overlay of what changed.

    The overlay is part of the figure because the canvas has to convert the dirty
    rectangles after every dab; together they are the per-event cost of painting. The
    dabs follow a wavy path, one radius apart, so each changes fresh pixels as a real
    stroke does.
    """
    layer = MaskLayer(8192, 8192)
    times: list[float] = []
    for i in range(200):
        x = 1000.0 + i * 20.0
        y = 4096.0 + 600.0 * math.sin(i / 15.0)
        started = time.perf_counter()
        layer.dab(x, y, 20.0, True)
        for rect in layer.take_dirty():
            overlay_rgba(layer, rect, OVERLAY_COLOR)
        times.append((time.perf_counter() - started) * 1000.0)
    return {"brush_dab_8192_ms": {"median": statistics.median(times), "unit": "ms"}}


if __name__ == "__main__":
    print(json.dumps(bench_brush_dab_8192(), indent=2))
