"""Pre-labels from a YOLO-family detection or segmentation ONNX export.

The layout is the one current YOLO exports share (v8, v11): one input of a letterboxed
square RGB image in 0..1, and an output of shape ``[1, 4 + classes (+ 32), candidates]``
holding each candidate's centre, size and class scores (and, for segmentation, 32 mask
coefficients that weigh a second output of prototype masks ``[1, 32, h, w]``). Boxes are
kept by score and non-maximum suppression, mapped back through the letterbox to image
pixels, and become :class:`~limner.models.store.suggestions.Suggestion` rows, never
annotations: the annotator decides. A class map names the project class each of the
model's labels stands for; a label the map leaves out is not proposed.

:func:`run_over` walks a list of images with a progress callback and a cancel flag, so the
window can run it on a worker thread over a selection or a whole queue.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from limner.models.assist.errors import ModelFileError
from limner.models.assist.runtime import open_session
from limner.models.domain.geometry import Box, Geometry, Mask
from limner.models.errors import GeometryError


@dataclass(frozen=True, slots=True)
class Detection:
    label: str
    score: float
    geometry: Geometry


@dataclass(frozen=True, slots=True)
class Letterbox:
    scale: float
    pad_x: float
    pad_y: float

    def to_image(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.pad_x) / self.scale, (y - self.pad_y) / self.scale


def letterbox(pixels: np.ndarray, side: int) -> tuple[np.ndarray, Letterbox]:
    """The model's [1, 3, side, side] input: the image scaled to fit, centred on grey."""
    rgb = pixels[..., :3] if pixels.ndim == 3 else np.repeat(pixels[..., None], 3, axis=2)
    height, width = rgb.shape[:2]
    scale = side / max(width, height)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    canvas = np.full((side, side, 3), 114, np.uint8)
    pad_x, pad_y = (side - new_w) // 2, (side - new_h) // 2
    canvas[pad_y : pad_y + new_h, pad_x : pad_x + new_w] = cv2.resize(rgb, (new_w, new_h))
    tensor = canvas.astype(np.float32).transpose(2, 0, 1)[None] / np.float32(255)
    return np.ascontiguousarray(tensor), Letterbox(scale, float(pad_x), float(pad_y))


def labels_from_metadata(meta: Mapping[str, str]) -> tuple[str, ...]:
    """YOLO exports carry ``names`` as the text of a dict ``{0: 'person', ...}``."""
    raw = meta.get("names")
    if not raw:
        return ()
    try:
        names = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return ()
    if isinstance(names, dict):
        return tuple(str(names[k]) for k in sorted(names))
    return tuple(str(n) for n in names) if isinstance(names, list | tuple) else ()


class Detector:
    """One installed YOLO-family model."""

    def __init__(self, path: Path, labels: tuple[str, ...] = (), *, side: int = 640) -> None:
        self.path = path
        self.side = side
        self._labels = labels
        self._session: Any = None
        self.score_threshold = 0.25
        self.iou_threshold = 0.45

    def _open(self) -> Any:
        if self._session is None:
            self._session = open_session(self.path)
            if not self._labels:
                meta = self._session.get_modelmeta().custom_metadata_map
                self._labels = labels_from_metadata(meta)
        return self._session

    @property
    def labels(self) -> tuple[str, ...]:
        self._open()
        return self._labels

    def detect(self, pixels: np.ndarray) -> list[Detection]:
        session = self._open()
        tensor, box = letterbox(pixels, self.side)
        name = session.get_inputs()[0].name
        try:
            outputs = session.run(None, {name: tensor})
        except Exception as error:  # onnxruntime's errors are not exported classes
            raise ModelFileError(f"{self.path.name} failed on this image: {error}") from error
        protos = np.asarray(outputs[1])[0] if len(outputs) > 1 else None
        return self._decode(np.asarray(outputs[0])[0], protos, box, pixels.shape[1::-1])

    def _label(self, index: int) -> str:
        return self._labels[index] if index < len(self._labels) else str(index)

    def _decode(
        self,
        raw: np.ndarray,
        protos: np.ndarray | None,
        box: Letterbox,
        size: tuple[int, int],
    ) -> list[Detection]:
        n_mask = protos.shape[0] if protos is not None else 0
        n_classes = raw.shape[0] - 4 - n_mask
        if n_classes < 1:
            raise ModelFileError(f"{self.path.name}: output of shape {raw.shape} has no classes")
        candidates = raw.T  # [candidates, 4 + classes (+ mask coefficients)]
        class_scores = candidates[:, 4 : 4 + n_classes]
        classes = class_scores.argmax(axis=1)
        scores = class_scores[np.arange(len(candidates)), classes]
        keep = np.flatnonzero(scores >= self.score_threshold)
        cx, cy, w, h = (candidates[keep, i] for i in range(4))
        rects = np.stack([cx - w / 2, cy - h / 2, w, h], axis=1)
        chosen = cv2.dnn.NMSBoxes(
            rects.tolist(), scores[keep].tolist(), self.score_threshold, self.iou_threshold
        )
        found: list[Detection] = []
        for i in np.asarray(chosen, dtype=int).reshape(-1):
            geometry = self._geometry(rects[i], box, size, protos, candidates[keep[i], -n_mask:])
            if geometry is not None:
                label = self._label(int(classes[keep[i]]))
                found.append(Detection(label, float(scores[keep[i]]), geometry))
        return found

    def _geometry(
        self,
        rect: np.ndarray,
        box: Letterbox,
        size: tuple[int, int],
        protos: np.ndarray | None,
        coefficients: np.ndarray,
    ) -> Geometry | None:
        width, height = size
        x0, y0 = box.to_image(float(rect[0]), float(rect[1]))
        x1, y1 = box.to_image(float(rect[0] + rect[2]), float(rect[1] + rect[3]))
        x0, x1 = min(max(x0, 0.0), width), min(max(x1, 0.0), width)
        y0, y1 = min(max(y0, 0.0), height), min(max(y1, 0.0), height)
        try:
            outline = Box(x0, y0, x1, y1)
        except GeometryError:
            return None
        if protos is None:
            return outline
        return _instance_mask(protos, coefficients, box, self.side, outline, size)


def _instance_mask(
    protos: np.ndarray,
    coefficients: np.ndarray,
    box: Letterbox,
    side: int,
    outline: Box,
    size: tuple[int, int],
) -> Mask | None:
    """The detection's mask: prototypes weighed by its coefficients, back in image pixels
    and cut to its box (as the exports' own post-processing does)."""
    width, height = size
    logits = np.tensordot(coefficients.astype(np.float32), protos, axes=1)
    factor = logits.shape[0] / side
    top, left = round(box.pad_y * factor), round(box.pad_x * factor)
    bottom = logits.shape[0] - round(box.pad_y * factor)
    right = logits.shape[1] - round(box.pad_x * factor)
    valid = logits[top:bottom, left:right]
    full = cv2.resize(valid, (width, height), interpolation=cv2.INTER_LINEAR) > 0.0
    x0, y0 = int(outline.x0), int(outline.y0)
    x1, y1 = int(np.ceil(outline.x1)), int(np.ceil(outline.y1))
    crop = full[y0:y1, x0:x1]
    if not crop.any():
        return None
    return Mask.from_crop(crop, x0, y0, width, height)


def run_over(
    detector: Detector,
    images: Iterable[tuple[int, Callable[[], np.ndarray]]],
    total: int,
    on_image: Callable[[int, list[Detection]], None],
    progress: Callable[[int, int], None],
    cancel: threading.Event,
) -> int:
    """Detect on each (image id, pixel loader) in turn; returns how many were done.

    ``on_image`` stores one image's results (its own transaction, so a cancel or a crash
    keeps every image finished before it); ``cancel`` is checked between images.
    """
    done = 0
    for image_id, load in images:
        if cancel.is_set():
            break
        on_image(image_id, detector.detect(load()))
        done += 1
        progress(done, total)
    return done


def class_map(labels: Iterable[str], classes: Mapping[str, int]) -> dict[str, int]:
    """The default map from model labels to project classes: the same name, any case."""
    by_name = {name.casefold(): cid for name, cid in classes.items()}
    return {label: by_name[label.casefold()] for label in labels if label.casefold() in by_name}
