"""``make bench``: run every benchmark module and print one table of medians.

Each module in ``BENCH_MODULES`` exposes functions named ``bench_*`` that return
``{"name": {"median": number, "unit": str, "target": str (optional)}}``, optionally with
the ``min`` and ``max`` of the repetitions behind the median. The same figures
are written as JSON to the file named by ``BENCH_OUT`` (default ``bench-results.json``).
Benchmarks inform; they never decide whether the test suite passes.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

BENCH_MODULES = (
    "tests.perf.bench_store",
    "tests.perf.bench_project",
    "tests.perf.bench_masks",
    "tests.perf.bench_polygon",
    "tests.perf.bench_canvas",
    "tests.perf.bench_interaction",
    "tests.perf.bench_tiles",
    "tests.perf.bench_sync",
    "tests.perf.bench_formats",
    "tests.perf.bench_cli",
    "tests.perf.bench_open_huge",
    "tests.perf.bench_assist",
)


def machine() -> str:
    cpus = os.cpu_count() or 0
    python = platform.python_version()
    return f"{platform.system()} {platform.machine()}, {cpus} cores, Python {python}"


def collect(only: str | None = None) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name in BENCH_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # a benchmark module not written yet
            raise
        for fname, func in inspect.getmembers(module, inspect.isfunction):
            if not fname.startswith("bench_") or func.__module__ != module.__name__:
                continue
            if only and only not in fname:
                continue
            started = time.perf_counter()
            print(f"running {name}.{fname} …", file=sys.stderr, flush=True)
            results.update(func())
            print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return results


def _shown(number: float) -> str:
    return f"{number:.3f}" if isinstance(number, float) and number < 100 else f"{number:.1f}"


def table(results: dict[str, dict[str, Any]]) -> str:
    rows = [("benchmark", "median", "min - max", "unit", "target")]
    for key, value in results.items():
        spread = f"{_shown(value['min'])} - {_shown(value['max'])}" if "min" in value else ""
        target = str(value.get("target", ""))
        rows.append((key, _shown(value["median"]), spread, value["unit"], target))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    results = collect(args[0] if args else None)
    print(f"\nlimner benchmarks on {machine()}\n")
    print(table(results))
    out = Path(os.environ.get("BENCH_OUT", "bench-results.json"))
    out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
