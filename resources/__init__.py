"""Files limner ships besides code, such as the demo project.

They are located through :mod:`importlib.resources` rather than relative to the working
directory, so they are found both in a source checkout and in an installed copy.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

__all__ = ["demo_dir", "demo_labels"]


def demo_dir() -> Path:
    """Folder holding the demo images, their masks and ``labels.json``.

    A real :class:`~pathlib.Path` is returned because the demo images are copied and
    opened by path. limner is installed as plain files (never zipped), so the package's
    resource folder is a directory on disk.
    """
    return Path(str(files("limner.resources") / "demo"))


def demo_labels() -> dict[str, Any]:
    """The demo's classes and ground-truth labels, as written by ``make_demo.py``.

    Paths inside (image files, mask PNGs) are relative to :func:`demo_dir`.
    """
    with (demo_dir() / "labels.json").open(encoding="utf-8") as fh:
        labels: dict[str, Any] = json.load(fh)
    return labels
