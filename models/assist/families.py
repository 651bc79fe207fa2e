"""What a family of exported segmentation models expects, read from data files.

The public SAM-family exports differ only in names, sizes and conventions: which input
takes the image and in what layout and normalisation, whether points are in the resized
frame or in image pixels, whether a padding point is expected, what the outputs are called.
Each family is one entry of a JSON object (``sam_families.json`` next to this module, and
any ``*families.json`` of the same shape in the user's models folder), so supporting a new export
is a data file, never a new code path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from limner.models.assist.errors import ModelFileError

BUILTIN = Path(__file__).with_name("sam_families.json")


@dataclass(frozen=True, slots=True)
class EncoderSpec:
    input: str
    layout: str  # "NCHW" or "HWC"
    size: int  # side of the model's square input; 0 when the image goes in as it is
    resize: str  # "longest" (then pad), "stretch" or "none"
    scale: float
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    outputs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DecoderSpec:
    embeddings: dict[str, str]  # decoder input -> encoder output
    coords: str
    labels: str
    points_rank: int  # 3: [1, N, 2]; 4: [1, 1, N, 2]
    coords_frame: str  # "input" (the resized image) or "image" (image pixels)
    pad_point: bool
    orig_size: str
    orig_size_dtype: str
    masks: str
    scores: str
    threshold: float = 0.0
    mask_input: str | None = None
    mask_input_size: int = 256
    has_mask_input: str | None = None


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    title: str
    encoder: EncoderSpec
    decoder: DecoderSpec
    extra: dict[str, Any] = field(default_factory=dict)


def _family(name: str, raw: dict[str, Any]) -> Family:
    try:
        enc, dec = dict(raw["encoder"]), dict(raw["decoder"])
        encoder = EncoderSpec(
            input=str(enc["input"]),
            layout=str(enc["layout"]),
            size=int(enc["size"]),
            resize=str(enc["resize"]),
            scale=float(enc["scale"]),
            mean=tuple(float(v) for v in enc["mean"]),  # type: ignore[arg-type]
            std=tuple(float(v) for v in enc["std"]),  # type: ignore[arg-type]
            outputs=tuple(str(v) for v in enc["outputs"]),
        )
        decoder = DecoderSpec(**dec)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"model family {name!r} is not described fully: {error}") from error
    if encoder.layout not in ("NCHW", "HWC") or encoder.resize not in (
        "longest",
        "stretch",
        "none",
    ):
        raise ModelFileError(f"model family {name!r}: unknown layout or resize mode")
    if decoder.coords_frame not in ("input", "image") or decoder.points_rank not in (3, 4):
        raise ModelFileError(f"model family {name!r}: unknown point frame or rank")
    return Family(name, str(raw.get("title", name)), encoder, decoder)


def read_families(path: Path) -> dict[str, Family]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ModelFileError(f"cannot read model families from {path.name}: {error}") from error
    if not isinstance(raw, dict):
        raise ModelFileError(f"{path.name} must hold an object of model families")
    return {name: _family(name, entry) for name, entry in raw.items()}


def families(user_folder: Path | None = None) -> dict[str, Family]:
    """The built-in families, then the user's (which may replace a built-in one)."""
    found = read_families(BUILTIN)
    if user_folder is not None and user_folder.is_dir():
        for path in sorted(user_folder.glob("*families.json")):
            found.update(read_families(path))
    return found
