"""Whether ONNX models can run here, and one place that opens an inference session.

onnxruntime is an optional extra: the application must open and say *why* a model tool is
unavailable rather than fail at import. Importing it lazily, once, keeps the start-up cost
for users who never touch a model.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from typing import Any

from limner.models.assist.errors import ModelFileError, RuntimeMissingError

INSTALL_HINT = "install the model extra: pip install 'limner[assist]'"


@cache
def _onnxruntime() -> Any | None:
    try:
        return importlib.import_module("onnxruntime")
    except ImportError:
        return None


def missing_reason() -> str | None:
    """None when ONNX models can run; otherwise a sentence for a tooltip."""
    if _onnxruntime() is None:
        return f"onnxruntime is not installed ({INSTALL_HINT})"
    return None


def open_session(path: Path) -> Any:
    """An onnxruntime inference session on the CPU for the model file at ``path``."""
    ort = _onnxruntime()
    if ort is None:
        raise RuntimeMissingError(missing_reason() or "onnxruntime is not installed")
    if not path.is_file():
        raise ModelFileError(f"model file not found: {path}")
    options = ort.SessionOptions()
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as error:  # onnxruntime raises its own unexported error classes
        raise ModelFileError(f"{path.name} is not a model onnxruntime can load: {error}") from error


def run_options() -> Any:
    """Fresh onnxruntime run options; setting their ``terminate`` to True from another
    thread ends the run they were passed to (it then fails, which the caller expects)."""
    ort = _onnxruntime()
    if ort is None:
        raise RuntimeMissingError(missing_reason() or "onnxruntime is not installed")
    return ort.RunOptions()
