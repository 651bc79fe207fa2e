"""Errors of model assistance, shown to the user with their message alone."""

from __future__ import annotations

from limner.models.errors import LimnerError


class AssistError(LimnerError):
    """A model or an assist tool cannot do what was asked; the message says why."""


class RuntimeMissingError(AssistError):
    """onnxruntime is not installed, so no ONNX model can run."""


class ModelFileError(AssistError):
    """A model file or its descriptor does not have the layout it claims."""
