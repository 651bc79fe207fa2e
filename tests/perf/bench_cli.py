"""The command line as a user waits for it: ``limner --version``, ``limner info`` on a
1,000,000-annotation project, ``limner new`` with one multi-gigabyte TIFF.

Each figure is the wall time of a fresh ``limner`` process (interpreter start, imports and
all), the median of several runs with their min and max.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

LIMNER = Path(sys.executable).with_name("limner")


def _walls(argv: Sequence[str], runs: int) -> list[float]:
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(LIMNER), *argv], check=True, capture_output=True)
        walls.append(time.perf_counter() - started)
    return walls


def _row(walls: list[float], target: str) -> dict[str, Any]:
    return {
        "median": statistics.median(walls),
        "min": min(walls),
        "max": max(walls),
        "unit": "s",
        "target": target,
    }


def bench_cli_version() -> dict[str, dict[str, Any]]:
    _walls(["--version"], 1)  # warm the page cache
    return {"cli_version_s": _row(_walls(["--version"], 7), "<= 0.2")}


def bench_cli_info_1m() -> dict[str, dict[str, Any]]:
    from tests.perf.synth_project import make_big_project

    with tempfile.TemporaryDirectory() as tmp:
        path = make_big_project(Path(tmp), images=100_000, annotations=1_000_000)
        _walls(["info", str(path)], 1)
        return {"cli_info_1m_annotations_s": _row(_walls(["info", str(path)], 5), "<= 0.3")}


def sparse_tiff(path: Path, side: int) -> int:
    """A valid uncompressed RGB TIFF of side² pixels whose strips are a sparse hole."""
    import tifffile

    with tifffile.TiffWriter(path, bigtiff=True) as tif:
        tif.write(shape=(side, side, 3), dtype="uint8", photometric="rgb", rowsperstrip=64)
    return path.stat().st_size


def bench_cli_new_big_tiff() -> dict[str, dict[str, Any]]:
    side = 41_700  # 41,700² x 3 bytes: 5.2 GB, the size users reported
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "huge.tif"
        size = sparse_tiff(image, side)
        walls = []
        for n in range(3):
            started = time.perf_counter()
            subprocess.run(
                [str(LIMNER), "new", str(Path(tmp) / f"p{n}"), "--images", str(image)],
                check=True,
                capture_output=True,
                env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            )
            walls.append(time.perf_counter() - started)
    row = _row(walls, "no full read")
    row["note"] = f"{size / 1e9:.1f} GB TIFF"
    return {"cli_new_5gb_tiff_s": row}


if __name__ == "__main__":
    for bench in (bench_cli_version, bench_cli_info_1m, bench_cli_new_big_tiff):
        print(bench())
