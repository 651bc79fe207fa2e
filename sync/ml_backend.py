"""Asking a Label Studio ML backend for suggestions on one image.

A team that serves its model as a Label Studio ML backend can point a project at it; the
"Suggest" action then posts the current image as one task to the backend's ``/predict``
(the same request Label Studio itself sends) and reads the answer's ``results`` with the
predictions codec, so what comes back is the same kind of suggestion as a pulled
prediction. The backend fetches the image from the task's URL itself, as it would for
Label Studio.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from limner.sync.adapters.labelstudio_config import LSConfig
from limner.sync.adapters.labelstudio_predictions import Prediction, predictions_of
from limner.sync.errors import SyncError

META_KEY = "ml_backend_url"
"""The project setting holding the backend's base URL."""


class BackendError(SyncError):
    """The ML backend could not be reached or answered something unreadable."""


def predict(
    base_url: str,
    task: Mapping[str, Any],
    config: LSConfig,
    label_config: str,
    size: tuple[int, int],
    *,
    client: httpx.Client | None = None,
) -> list[Prediction]:
    """The backend's predictions for ``task`` ({"id": ..., "data": {...}}), as suggestions."""
    if not base_url.startswith(("http://", "https://")):
        raise BackendError(f"not a web address: {base_url}")
    body = {"tasks": [dict(task)], "label_config": label_config, "params": {}}
    own = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(60.0))
    try:
        response = http.post(base_url.rstrip("/") + "/predict", json=body)
        response.raise_for_status()
        answer = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise BackendError(f"the ML backend at {base_url} failed: {error}") from error
    finally:
        if own:
            http.close()
    results = answer.get("results") if isinstance(answer, Mapping) else answer
    if not isinstance(results, list):
        raise BackendError("the ML backend's answer has no list of results")
    numbered = [
        {**r, "id": r.get("id", f"backend-{index}")}
        for index, r in enumerate(results)
        if isinstance(r, Mapping)
    ]
    return predictions_of({"predictions": numbered}, config, *size)
