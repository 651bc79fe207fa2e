"""YOLO-family pre-labels through onnxruntime, on tiny models with the export's layout."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from limner.models.assist.detect import Detector, class_map, labels_from_metadata, run_over
from limner.models.domain.geometry import Box, Mask
from tests.models.assist.tiny_onnx import helper, onnx

pytest.importorskip("onnxruntime", reason="onnxruntime runs the models (limner[assist])")

# Three candidates in the 640 frame: (cx, cy, w, h, score cat, score dog).
CANDIDATES = np.array(
    [
        [320, 320, 100, 50, 0.9, 0.1],  # a cat
        [322, 321, 100, 50, 0.8, 0.1],  # the same cat again: suppressed
        [100, 300, 40, 40, 0.05, 0.6],  # a dog
    ],
    np.float32,
)


def yolo_model(path: Path, *, segment: bool = False) -> Path:
    """output0 = the candidates (plus their mask coefficients) + 0 * mean(image), so the
    output depends on the input like a real model's; output1 = prototype masks."""
    rows = CANDIDATES
    nodes = []
    outputs = []
    if segment:
        coeffs = np.zeros((len(rows), 32), np.float32)
        coeffs[:, 0] = 10.0
        rows = np.concatenate([rows, coeffs], axis=1)
        protos = np.full((1, 32, 160, 160), -1.0, np.float32)
        protos[0, 0, 72:88, 60:80] = 1.0  # a 160-frame patch over the cat's left half
        nodes.append(helper.make_node("Constant", [], ["output1"],
                                      value=onnx.numpy_helper.from_array(protos)))  # fmt: skip
        outputs.append(helper.make_tensor_value_info("output1", onnx.TensorProto.FLOAT,
                                                     [1, 32, 160, 160]))  # fmt: skip
    table = rows.T[None].copy()  # [1, 4 + classes (+ 32), candidates]
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["mean"], keepdims=0),
        helper.make_node(
            "Constant", [], ["zero"], value=onnx.numpy_helper.from_array(np.zeros((), np.float32))
        ),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
        helper.make_node("Constant", [], ["table"], value=onnx.numpy_helper.from_array(table)),
        helper.make_node("Add", ["table", "nothing"], ["output0"]),
        *nodes,
    ]
    outputs.insert(0, helper.make_tensor_value_info("output0", onnx.TensorProto.FLOAT,
                                                    list(table.shape)))  # fmt: skip
    graph = helper.make_graph(
        nodes,
        "yolo",
        [helper.make_tensor_value_info("images", onnx.TensorProto.FLOAT, [1, 3, 640, 640])],
        outputs,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    helper.set_model_props(model, {"names": "{0: 'cat', 1: 'dog'}"})
    onnx.save(model, str(path))
    return path


def test_boxes_come_back_in_image_pixels_with_labels_from_the_model(tmp_path: Path) -> None:
    detector = Detector(yolo_model(tmp_path / "yolo.onnx"))
    pixels = np.zeros((640, 1280, 3), np.uint8)  # letterboxed at 0.5, 160 px of padding above
    found = detector.detect(pixels)
    assert detector.labels == ("cat", "dog")
    assert [(d.label, round(d.score, 2)) for d in found] == [("cat", 0.9), ("dog", 0.6)]
    cat = found[0].geometry
    assert isinstance(cat, Box)
    assert (cat.x0, cat.y0, cat.x1, cat.y1) == pytest.approx((540, 270, 740, 370))


def test_segmentation_masks_are_cut_to_their_box(tmp_path: Path) -> None:
    detector = Detector(yolo_model(tmp_path / "yolo-seg.onnx", segment=True))
    found = detector.detect(np.zeros((640, 640, 3), np.uint8))
    cat = next(d for d in found if d.label == "cat")
    assert isinstance(cat.geometry, Mask)
    # The prototype covers x 240..320, y 288..352 in the 640 frame; the box x 270..370,
    # y 295..345: the mask is the box's left half.
    g = cat.geometry
    assert (g.left, g.top, g.width, g.height) == (270, 295, 50, 50)
    assert g.crop_array().all()
    assert all(d.label != "dog" for d in found)  # its box holds none of the prototype


def test_run_over_reports_progress_and_stops_when_cancelled(tmp_path: Path) -> None:
    detector = Detector(yolo_model(tmp_path / "yolo.onnx"))
    cancel = threading.Event()
    stored: list[int] = []
    steps: list[tuple[int, int]] = []

    def on_image(image_id: int, found: list) -> None:
        stored.append(image_id)
        if image_id == 2:
            cancel.set()

    images = [(i, lambda: np.zeros((64, 64, 3), np.uint8)) for i in range(1, 6)]
    done = run_over(detector, images, 5, on_image, lambda n, t: steps.append((n, t)), cancel)
    assert done == 2 and stored == [1, 2] and steps == [(1, 5), (2, 5)]


def test_labels_map_to_project_classes_by_name() -> None:
    assert class_map(["Cat", "dog", "zebra"], {"cat": 1, "Dog": 2}) == {"Cat": 1, "dog": 2}
    assert labels_from_metadata({"names": "{0: 'a', 1: 'b'}"}) == ("a", "b")
    assert labels_from_metadata({"names": "not python"}) == ()
