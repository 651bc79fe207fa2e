"""Click-to-segment with an exported SAM-family model: an encoder file and a decoder file.

The encoder is slow (seconds on a CPU) and depends on the image only, so it runs once per
image and its outputs are kept in an :class:`EmbeddingCache` on disk, one folder per
project and model; the decoder is fast and runs on every click with the points and box of
the prompt. Everything specific to one export lives in its
:class:`~limner.models.assist.families.Family`; this module only applies it.

Image coordinates are continuous (the centre of pixel column c is c + 0.5) while the
SAM exports take pixel indices (they add the half pixel themselves), hence the shift.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from limner.models.assist.errors import ModelFileError
from limner.models.assist.families import Family
from limner.models.assist.runtime import open_session
from limner.models.domain.geometry import Mask
from limner.models.imaging.mask_ops.logits import positive_mask

POSITIVE, NEGATIVE, BOX_START, BOX_END, PADDING = 1.0, 0.0, 2.0, 3.0, -1.0


@dataclass(frozen=True, slots=True)
class Prompt:
    """What the annotator said: points (x, y, positive?) and an optional box (x0, y0, x1, y1)."""

    points: tuple[tuple[float, float, bool], ...] = ()
    box: tuple[float, float, float, float] | None = None

    @property
    def empty(self) -> bool:
        return not self.points and self.box is None


@dataclass(slots=True)
class Embedding:
    """The encoder's outputs for one image, with how that image was fitted to its input."""

    outputs: dict[str, np.ndarray]
    image_size: tuple[int, int]  # width, height
    scale: tuple[float, float] = (1.0, 1.0)  # input pixels per image pixel, x and y
    extra: dict[str, Any] = field(default_factory=dict)


def fit_scale(family: Family, size: tuple[int, int]) -> tuple[float, float]:
    width, height = size
    enc = family.encoder
    if enc.resize == "longest":
        s = enc.size / max(width, height)
        return s, s
    if enc.resize == "stretch":
        return enc.size / width, enc.size / height
    return 1.0, 1.0


def preprocess(family: Family, pixels: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """The encoder's input tensor for ``pixels`` (H, W, 3|4 uint8) and the scale used."""
    enc = family.encoder
    rgb = pixels[..., :3] if pixels.ndim == 3 else np.repeat(pixels[..., None], 3, axis=2)
    height, width = rgb.shape[:2]
    sx, sy = fit_scale(family, (width, height))
    if enc.resize != "none":
        target = (max(1, round(width * sx)), max(1, round(height * sy)))
        rgb = cv2.resize(rgb, target, interpolation=cv2.INTER_LINEAR)
    data = (rgb.astype(np.float32) * enc.scale - np.float32(enc.mean)) / np.float32(enc.std)
    if enc.resize == "longest":
        padded = np.zeros((enc.size, enc.size, 3), np.float32)
        padded[: data.shape[0], : data.shape[1]] = data
        data = padded
    if enc.layout == "NCHW":
        data = data.transpose(2, 0, 1)[None]
    return np.ascontiguousarray(data, dtype=np.float32), (sx, sy)


def prompt_arrays(family: Family, prompt: Prompt, embedding: Embedding) -> dict[str, np.ndarray]:
    """The decoder's point, label and size inputs for one prompt."""
    dec = family.decoder
    coords: list[tuple[float, float]] = []
    labels: list[float] = []
    for x, y, positive in prompt.points:
        coords.append((x - 0.5, y - 0.5))
        labels.append(POSITIVE if positive else NEGATIVE)
    if prompt.box is not None:
        x0, y0, x1, y1 = prompt.box
        coords += [(x0 - 0.5, y0 - 0.5), (x1 - 0.5, y1 - 0.5)]
        labels += [BOX_START, BOX_END]
    elif dec.pad_point:
        coords.append((0.0, 0.0))
        labels.append(PADDING)
    points = np.asarray(coords, np.float32).reshape(-1, 2)
    if dec.coords_frame == "input":
        points[:, 0] *= embedding.scale[0]
        points[:, 1] *= embedding.scale[1]
    shape = (1, 1) if dec.points_rank == 4 else (1,)
    width, height = embedding.image_size
    feeds = {
        dec.coords: points.reshape(*shape, -1, 2),
        dec.labels: np.asarray(labels, np.float32).reshape(*shape, -1),
        dec.orig_size: np.asarray([height, width], dtype=dec.orig_size_dtype),
    }
    if dec.mask_input:
        size = dec.mask_input_size
        feeds[dec.mask_input] = np.zeros((1, 1, size, size), np.float32)
    if dec.has_mask_input:
        feeds[dec.has_mask_input] = np.zeros((1,), np.float32)
    return feeds


def best_mask(
    family: Family, masks: np.ndarray, scores: np.ndarray, emb: Embedding, *, crop: bool = True
) -> Mask | None:
    """The highest-scoring mask of the decoder's answer, cropped to what it covers (None
    when it covers nothing).

    Only the rectangle the mask can cover is thresholded, or enlarged first when the
    decoder answers at a low resolution (:func:`positive_mask`); ``crop=False`` works on
    the whole image and gives the same mask, slower.
    """
    width, height = emb.image_size
    stack = masks.reshape(-1, *masks.shape[-2:])
    flat_scores = scores.reshape(-1)
    pick = int(np.argmax(flat_scores)) if flat_scores.size == len(stack) else 0
    logits = stack[pick]
    if logits.shape != (height, width):
        if family.encoder.resize == "longest" and logits.shape[0] == logits.shape[1]:
            # A mask of the padded square input: drop the padding first.
            side = logits.shape[0] / family.encoder.size
            valid_w = max(1, round(width * emb.scale[0] * side))
            valid_h = max(1, round(height * emb.scale[1] * side))
            logits = logits[:valid_h, :valid_w]
    return positive_mask(logits, (width, height), family.decoder.threshold, crop=crop)


class Segmenter:
    """One installed SAM-family model: its family and its two files."""

    def __init__(self, model_id: str, family: Family, encoder: Path, decoder: Path) -> None:
        self.model_id = model_id
        self.family = family
        self._paths = (encoder, decoder)
        self._encoder: Any = None
        self._decoder: Any = None

    # Each session is opened by the first thread that uses it, and onnxruntime's worker
    # threads inherit that thread's priority: the encoder, run in the background, must
    # not lend its low priority to the decoder the annotator waits for.
    def _encoder_session(self) -> Any:
        if self._encoder is None:
            self._encoder = open_session(self._paths[0])
        return self._encoder

    def _decoder_session(self) -> Any:
        if self._decoder is None:
            self._decoder = open_session(self._paths[1])
        return self._decoder

    def encode(self, pixels: np.ndarray, options: Any = None) -> Embedding:
        """The encoder's outputs for ``pixels``; ``options`` are onnxruntime run options,
        through which another thread may stop the run (:func:`run_options`)."""
        encoder = self._encoder_session()
        tensor, scale = preprocess(self.family, pixels)
        names = list(self.family.encoder.outputs)
        try:
            values = encoder.run(names, {self.family.encoder.input: tensor}, options)
        except Exception as error:  # onnxruntime's errors are not exported classes
            raise ModelFileError(f"the encoder of {self.model_id} failed: {error}") from error
        size = (int(pixels.shape[1]), int(pixels.shape[0]))
        return Embedding(dict(zip(names, values, strict=True)), size, scale)

    def decode_mask(self, embedding: Embedding, prompt: Prompt) -> Mask | None:
        """The mask for ``prompt``, cropped; None when it is empty or covers nothing."""
        if prompt.empty:
            return None
        decoder = self._decoder_session()
        dec = self.family.decoder
        feeds = prompt_arrays(self.family, prompt, embedding)
        for name, source in dec.embeddings.items():
            feeds[name] = embedding.outputs[source]
        try:
            masks, scores = decoder.run([dec.masks, dec.scores], feeds)
        except Exception as error:  # onnxruntime's errors are not exported classes
            raise ModelFileError(f"the decoder of {self.model_id} failed: {error}") from error
        return best_mask(self.family, np.asarray(masks), np.asarray(scores), embedding)

    def decode(self, embedding: Embedding, prompt: Prompt) -> np.ndarray:
        """The mask for ``prompt`` as a full-image bool array (empty prompts: all False)."""
        found = self.decode_mask(embedding, prompt)
        if found is not None:
            return found.to_array()
        width, height = embedding.image_size
        return np.zeros((height, width), bool)


class EmbeddingCache:
    """Encoder outputs on disk, ``folder/<model>/<image content hash>.npz``.

    Plain ``.npz`` without pickles, so a cache file can never run code; a file that does not
    load is treated as absent and overwritten.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, model_id: str, image_key: str) -> Path:
        safe = [re.sub(r"[^A-Za-z0-9._-]", "_", part) for part in (model_id, image_key)]
        return self.folder / safe[0] / f"{safe[1]}.npz"

    def has(self, model_id: str, image_key: str) -> bool:
        """Whether an embedding is stored (without reading it)."""
        return self._path(model_id, image_key).is_file()

    def get(self, model_id: str, image_key: str) -> Embedding | None:
        path = self._path(model_id, image_key)
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError, KeyError):
            return None
        meta = arrays.pop("__meta__", None)
        if meta is None or meta.shape != (4,):
            return None
        size = (int(meta[0]), int(meta[1]))
        return Embedding(arrays, size, (float(meta[2]), float(meta[3])))

    def put(self, model_id: str, image_key: str, embedding: Embedding) -> None:
        path = self._path(model_id, image_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = np.asarray([*embedding.image_size, *embedding.scale], np.float64)
        partial = path.with_suffix(".tmp.npz")
        np.savez(partial, __meta__=meta, **embedding.outputs)
        partial.replace(path)


def embedding_for(
    segmenter: Segmenter, cache: EmbeddingCache | None, image_key: str, pixels: np.ndarray
) -> Embedding:
    """The cached embedding of an image, computing and storing it when missing."""
    if cache is not None:
        found = cache.get(segmenter.model_id, image_key)
        if found is not None and found.image_size == (pixels.shape[1], pixels.shape[0]):
            return found
    embedding = segmenter.encode(pixels)
    if cache is not None:
        cache.put(segmenter.model_id, image_key, embedding)
    return embedding


__all__: Sequence[str] = (
    "Embedding",
    "EmbeddingCache",
    "Prompt",
    "Segmenter",
    "best_mask",
    "embedding_for",
    "preprocess",
    "prompt_arrays",
)
