"""Benchmarks of tiled image display: how fast a gigapixel image shows up and pans.

* ``first_view_40k_s``: from :func:`open_tile_source` to every tile of a fit-to-window
  view (1400 x 860) decoded, for a 40,000 x 40,000 tiled pyramidal BigTIFF. Each run is
  a fresh process, so the memory cache is cold and the peak RSS is that of the view
  alone (the file itself may be in the operating system's page cache).
* ``first_view_40k_rss_mb``: the peak resident memory of such a process.
* ``first_view_40k_jpeg_s`` / ``..._cached_s``: the same view of a 40k x 40k baseline
  JPEG, which has no pyramid and must be entropy-decoded whole; then again with the
  disk tile cache filled by a previous open.
* ``pan_unseen_ms``: decoding the tiles of a 1400 x 860 view at 100% over a region not
  seen before (median over 10 regions).

Run alone with ``python -m tests.perf.bench_tiles``. Set ``LIMNER_BENCH_DIR`` to keep the
generated files between runs (they take a minute or two to write).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from limner.models.imaging.tiles import TileSource, open_tile_source
from tests.perf.synth_images import make_big_jpeg, make_big_tiff

SIDE = 40_000
VIEWPORT = (1400, 860)
WORKERS = 3
ROOT = Path(__file__).resolve().parents[2]

_temp: tempfile.TemporaryDirectory[str] | None = None


def _bench_dir() -> Path:
    global _temp
    configured = os.environ.get("LIMNER_BENCH_DIR")
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    if _temp is None:
        _temp = tempfile.TemporaryDirectory(prefix="limner-bench-")
    return Path(_temp.name)


def _big_tiff() -> Path:
    path = _bench_dir() / f"pyramid_{SIDE}.tif"
    if not path.exists():
        partial = path.with_suffix(".partial")
        make_big_tiff(partial, SIDE, SIDE, levels=True, maxworkers=os.cpu_count())
        partial.replace(path)
    return path


def _big_jpeg() -> Path:
    path = _bench_dir() / f"big_{SIDE}.jpg"
    if not path.exists():
        partial = path.with_suffix(".partial")
        make_big_jpeg(partial, SIDE, SIDE)
        partial.replace(path)
    return path


def _decode_all(source: TileSource, level: int, tiles: list[tuple[int, int]]) -> None:
    with ThreadPoolExecutor(WORKERS) as pool:
        for tile in pool.map(lambda cr: source.read_tile(level, *cr), tiles):
            assert tile.ndim == 3


def first_view(path: Path, cache_dir: Path | None = None) -> dict[str, float]:
    """Open ``path`` and decode a fit-to-window view; seconds and peak RSS in MB."""
    started = time.perf_counter()
    source = open_tile_source(path, allow_huge=True, cache_dir=cache_dir)
    scale = min(VIEWPORT[0] / source.width, VIEWPORT[1] / source.height)
    level = source.best_level(scale)
    _decode_all(source, level, source.tiles_for_view(level, 0, 0, source.width, source.height))
    elapsed = time.perf_counter() - started
    source.close()
    return {"seconds": elapsed, "rss_mb": _peak_rss_mb(), "level": level}


def _peak_rss_mb() -> float:
    """Peak resident memory of this process in MB.

    On Linux ``ru_maxrss`` survives ``exec``, so a child started by a big parent would
    report the parent's peak; the kernel's VmHWM belongs to the new program alone.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _first_view_in_child(path: Path, cache_dir: Path | None = None) -> dict[str, float]:
    """Run :func:`first_view` in a fresh interpreter, whose peak RSS is the view's own."""
    command = [sys.executable, "-m", "tests.perf.bench_tiles", "--first-view", str(path)]
    if cache_dir is not None:
        command += ["--cache-dir", str(cache_dir)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_first_view_40k() -> dict[str, dict[str, Any]]:
    path = _big_tiff()
    runs = [_first_view_in_child(path) for _ in range(3)]
    return {
        "first_view_40k_s": {
            "median": statistics.median(r["seconds"] for r in runs),
            "unit": "s",
            "target": "<= 1.5",
        },
        "first_view_40k_rss_mb": {
            "median": statistics.median(r["rss_mb"] for r in runs),
            "unit": "MB",
            "target": "<= 1536",
        },
    }


def bench_first_view_40k_jpeg() -> dict[str, dict[str, Any]]:
    path = _big_jpeg()
    cold = _first_view_in_child(path)
    with tempfile.TemporaryDirectory(prefix="limner-tiles-") as cache:
        _first_view_in_child(path, Path(cache))  # fills the disk cache
        warm = [_first_view_in_child(path, Path(cache)) for _ in range(3)]
    return {
        "first_view_40k_jpeg_s": {"median": cold["seconds"], "unit": "s"},
        "first_view_40k_jpeg_rss_mb": {"median": cold["rss_mb"], "unit": "MB"},
        "first_view_40k_jpeg_cached_s": {
            "median": statistics.median(r["seconds"] for r in warm),
            "unit": "s",
        },
    }


def bench_pan_unseen() -> dict[str, dict[str, Any]]:
    path = _big_tiff()
    source = open_tile_source(path)
    width, height = VIEWPORT
    # Regions on a coarse grid, far apart, so no two share a tile.
    spots = [(1000 + 3700 * i, 2000 + 3300 * ((i * 7) % 10)) for i in range(10)]
    times = []
    for x, y in spots:
        tiles = source.tiles_for_view(0, x, y, x + width, y + height)
        started = time.perf_counter()
        _decode_all(source, 0, tiles)
        times.append((time.perf_counter() - started) * 1000)
    source.close()
    return {"pan_unseen_ms": {"median": statistics.median(times), "unit": "ms", "target": "<= 150"}}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--first-view"]:
        cache = Path(argv[3]) if argv[2:3] == ["--cache-dir"] else None
        print(json.dumps(first_view(Path(argv[1]), cache)))
        return 0
    results: dict[str, dict[str, Any]] = {}
    for bench in (bench_first_view_40k, bench_pan_unseen, bench_first_view_40k_jpeg):
        started = time.perf_counter()
        results.update(bench())
        print(f"{bench.__name__}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    for name, value in results.items():
        print(f"{name:32} {value['median']:10.3f} {value['unit']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
