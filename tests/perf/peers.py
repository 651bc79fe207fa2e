"""``make bench-peers``: limner and labelme 6.3.1 on the same shapes and the same events.

labelme runs in its own virtualenv (``.venv-labelme``, made by the make target with pip),
through ``tests/perf/peer_labelme.py``; limner runs the matching rows of
``bench_interaction`` here. The table shows both medians and labelme's time over
limner's (for updates per second, limner's rate over labelme's), so a ratio above 1
means limner is faster.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

PEER_PYTHON = Path(".venv-labelme/bin/python")


def limner_rows() -> dict[str, dict[str, Any]]:
    from tests.perf import bench_interaction as bench

    rows: dict[str, dict[str, Any]] = {}
    for count in (1_000, 12_000):
        rows.update(bench.interaction(count))
    rows.update(bench.bench_vertex_drag_window())
    return rows


def labelme_rows() -> dict[str, dict[str, Any]]:
    out = subprocess.run(
        [str(PEER_PYTHON), "tests/perf/peer_labelme.py"],
        check=True,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    if not PEER_PYTHON.exists():
        print("no .venv-labelme: run `make bench-peers`", file=sys.stderr)
        return 2
    peer = labelme_rows()
    ours = limner_rows()
    print(f"{'interaction':28} {'limner':>12} {'labelme':>12} {'ratio':>8}")
    for name, theirs in peer.items():
        mine = ours.get(name)
        if mine is None:
            continue
        if theirs["unit"] == "updates/s":
            ratio = mine["median"] / theirs["median"]
        else:
            ratio = theirs["median"] / mine["median"]
        unit = theirs["unit"]
        print(
            f"{name:28} {mine['median']:9.1f} {unit:>2} {theirs['median']:9.1f} {unit:>2}"
            f" {ratio:7.1f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
