"""Small previews of images for the image list, made once and kept on disk.

Making one decodes the file at a reduced scale (JPEG draft mode, or the coarsest tile of
a pyramid), so even huge images cost little; the result is stored under the project's
``cache/thumbs`` folder by content hash, so it survives restarts and moves.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from limner.models.errors import LimnerError
from limner.models.imaging.tiles import open_tile_source

SIZE = 64


def thumbnail_dir(project_folder: Path | str) -> Path:
    return Path(project_folder) / "cache" / "thumbs"


def thumbnail_path(project_folder: Path | str, key: str) -> Path:
    return thumbnail_dir(project_folder) / f"{key}.png"


def make_thumbnail(image_path: Path, target: Path, size: int = SIZE) -> Path | None:
    """Write a thumbnail of ``image_path`` to ``target`` (atomically); None if unreadable."""
    try:
        with open_tile_source(image_path) as source:
            top = source.levels - 1
            array = np.asarray(source.read_tile(top, 0, 0))
    except (LimnerError, OSError, ValueError):
        return None
    picture = Image.fromarray(array)
    picture.thumbnail((size, size))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
    picture.save(tmp, format="PNG")
    os.replace(tmp, target)
    return target
