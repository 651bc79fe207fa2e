"""Tiny ONNX models with the exact inputs and outputs of each supported export family.

No weights can be fetched, so the tests build models that take what the real exports take
(same names, ranks and dtypes) and compute something checkable: the encoder averages the
image, and the decoder answers a disc of :data:`RADIUS_SQ` around the first point, mapped
back to image pixels the way that family's points are framed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from limner.models.assist.families import Family

onnx = pytest.importorskip("onnx", reason="the onnx package builds the test models")
helper, TensorProto = onnx.helper, onnx.TensorProto

RADIUS_SQ = 150.5
"""Squared radius of the decoder's disc; not a sum of two squares, so no pixel sits on it."""
OPSET = 17
_DTYPES = {"float32": TensorProto.FLOAT, "int64": TensorProto.INT64, "int32": TensorProto.INT32}


def _const(name: str, value: object, dtype: type = np.float32) -> object:
    return helper.make_node(
        "Constant", [], [name], value=onnx.numpy_helper.from_array(np.asarray(value, dtype), name)
    )


def _save(graph: object, path: Path) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def build_encoder(family: Family, path: Path) -> Path:
    enc = family.encoder
    if enc.layout == "NCHW":
        shape = [1, 3, enc.size, enc.size] if enc.size else [1, 3, "height", "width"]
        axes = [2, 3]
    else:
        shape, axes = [enc.size, enc.size, 3], [0, 1]
    nodes = [helper.make_node("ReduceMean", [enc.input], ["mean"], axes=axes, keepdims=1)]
    outputs = []
    for name in enc.outputs:
        nodes.append(helper.make_node("Identity", ["mean"], [name]))
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, 3, 1, 1]))
    graph = helper.make_graph(
        nodes,
        f"{family.name}-encoder",
        [helper.make_tensor_value_info(enc.input, TensorProto.FLOAT, shape)],
        outputs,
    )
    return _save(graph, path)


def build_slow_encoder(family: Family, path: Path, steps: int = 40) -> Path:
    """An encoder of ``family``'s layout (``NCHW`` with a fixed size) that multiplies its
    input by a matrix ``steps`` times before averaging it: seconds of work on a CPU, for
    tests that stop an encoding in the middle."""
    enc = family.encoder
    assert enc.layout == "NCHW" and enc.size, "a fixed-size NCHW family"
    side = enc.size
    nodes, previous = [], enc.input
    for step in range(steps):
        nodes.append(helper.make_node("MatMul", [previous, "weight"], [f"step{step}"]))
        previous = f"step{step}"
    nodes.append(helper.make_node("ReduceMean", [previous], ["mean"], axes=[2, 3], keepdims=1))
    outputs = []
    for name in enc.outputs:
        nodes.append(helper.make_node("Identity", ["mean"], [name]))
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, 3, 1, 1]))
    weight = onnx.numpy_helper.from_array(np.eye(side, dtype=np.float32), "weight")
    graph = helper.make_graph(
        nodes,
        f"{family.name}-slow-encoder",
        [helper.make_tensor_value_info(enc.input, TensorProto.FLOAT, [1, 3, side, side])],
        outputs,
        [weight],
    )
    return _save(graph, path)


def _scale_nodes(family: Family) -> list[object]:
    """Nodes giving ``fx`` and ``fy``: image pixels per point unit, from ``H`` and ``W``."""
    enc, dec = family.encoder, family.decoder
    if dec.coords_frame == "image" or enc.resize == "none":
        return [_const("fx", 1.0), _const("fy", 1.0)]
    nodes = [_const("side", float(enc.size))]
    if enc.resize == "longest":
        nodes += [
            helper.make_node("Max", ["H", "W"], ["longest"]),
            helper.make_node("Div", ["longest", "side"], ["fx"]),
            helper.make_node("Identity", ["fx"], ["fy"]),
        ]
    else:
        nodes += [
            helper.make_node("Div", ["W", "side"], ["fx"]),
            helper.make_node("Div", ["H", "side"], ["fy"]),
        ]
    return nodes


def _decoder_nodes(family: Family) -> list[object]:
    dec = family.decoder
    lead = [1, 1, 1] if dec.points_rank == 4 else [1, 1]
    return [
        helper.make_node("Cast", [dec.orig_size], ["size"], to=TensorProto.FLOAT),
        _const("i0", 0, np.int64),
        _const("i1", 1, np.int64),
        helper.make_node("Gather", ["size", "i0"], ["H"]),
        helper.make_node("Gather", ["size", "i1"], ["W"]),
        *_scale_nodes(family),
        _const("half", 0.5),
        _const("one", 1.0),
        _const("r2", RADIUS_SQ),
        _const("flat", [-1, 2], np.int64),
        helper.make_node("Reshape", [dec.coords, "flat"], ["pts"]),
        helper.make_node("Gather", ["pts", "i0"], ["p0"]),
        helper.make_node("Gather", ["p0", "i0"], ["px_in"]),
        helper.make_node("Gather", ["p0", "i1"], ["py_in"]),
        helper.make_node("Mul", ["px_in", "fx"], ["px_s"]),
        helper.make_node("Mul", ["py_in", "fy"], ["py_s"]),
        helper.make_node("Add", ["px_s", "half"], ["px"]),
        helper.make_node("Add", ["py_s", "half"], ["py"]),
        helper.make_node("Range", ["half", "W", "one"], ["xs"]),
        helper.make_node("Range", ["half", "H", "one"], ["ys"]),
        helper.make_node("Sub", ["xs", "px"], ["dx"]),
        helper.make_node("Sub", ["ys", "py"], ["dy"]),
        helper.make_node("Mul", ["dx", "dx"], ["dx2"]),
        helper.make_node("Mul", ["dy", "dy"], ["dy2_row"]),
        _const("col", [-1, 1], np.int64),
        helper.make_node("Reshape", ["dy2_row", "col"], ["dy2"]),
        helper.make_node("Add", ["dy2", "dx2"], ["d2"]),
        helper.make_node("Sub", ["r2", "d2"], ["disc"]),
        _const("lead", lead, np.int64),
        helper.make_node("Shape", ["disc"], ["hw"]),
        helper.make_node("Concat", ["lead", "hw"], ["mask_shape"], axis=0),
        helper.make_node("Reshape", ["disc", "mask_shape"], [dec.masks]),
        _const(dec.scores, np.full(lead, 0.9)),
    ]


def build_decoder(family: Family, path: Path) -> Path:
    dec = family.decoder
    point_shape = [1, 1, "n", 2] if dec.points_rank == 4 else [1, "n", 2]
    label_shape = [1, 1, "n"] if dec.points_rank == 4 else [1, "n"]
    inputs = [
        helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, "c", "h", "w"])
        for name in dec.embeddings
    ]
    inputs += [
        helper.make_tensor_value_info(dec.coords, TensorProto.FLOAT, point_shape),
        helper.make_tensor_value_info(dec.labels, TensorProto.FLOAT, label_shape),
    ]
    if dec.mask_input:
        size = dec.mask_input_size
        inputs.append(
            helper.make_tensor_value_info(dec.mask_input, TensorProto.FLOAT, [1, 1, size, size])
        )
    if dec.has_mask_input:
        inputs.append(helper.make_tensor_value_info(dec.has_mask_input, TensorProto.FLOAT, [1]))
    inputs.append(helper.make_tensor_value_info(dec.orig_size, _DTYPES[dec.orig_size_dtype], [2]))
    lead = [1, 1, 1] if dec.points_rank == 4 else [1, 1]
    outputs = [
        helper.make_tensor_value_info(dec.masks, TensorProto.FLOAT, [*lead, "H", "W"]),
        helper.make_tensor_value_info(dec.scores, TensorProto.FLOAT, lead),
    ]
    graph = helper.make_graph(_decoder_nodes(family), f"{family.name}-decoder", inputs, outputs)
    return _save(graph, path)


def expected_disc(size: tuple[int, int], x: float, y: float) -> np.ndarray:
    """The mask the test decoder must give for a first point at (x, y)."""
    width, height = size
    cols = np.arange(width) + 0.5
    rows = np.arange(height) + 0.5
    d2 = (cols[None, :] - x) ** 2 + (rows[:, None] - y) ** 2
    return d2 < RADIUS_SQ
