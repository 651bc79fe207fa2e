"""Label Studio predictions read as suggestions, never as annotations.

A task's ``predictions`` are what the team's model (an ML backend, or an import) proposed,
each with a ``model_version`` and a ``score`` (and sometimes a score per result item). They
are read with the same codec as annotations, so every shape limner can hold comes through,
and they are handed to the pull step as suggestions keyed by prediction and region id, so
pulling the same task again adds nothing twice. Nothing here writes to the server: a
prediction stays a prediction there, and only what the annotator accepts becomes an
annotation, pushed like any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from limner.models.domain.geometry import Geometry
from limner.sync.adapters.labelstudio_config import LSConfig
from limner.sync.adapters.labelstudio_read import group_results


@dataclass(frozen=True, slots=True)
class Prediction:
    key: str  # "ls-prediction:<prediction id>:<region id>"
    class_name: str | None
    geometry: Geometry
    score: float | None
    source: str  # "model:<model_version>"


def _score(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def predictions_of(task: Any, config: LSConfig, width: int, height: int) -> list[Prediction]:
    """Every region of every prediction of ``task`` that limner can represent."""
    found = task.get("predictions") if isinstance(task, Mapping) else None
    if not isinstance(found, list):
        return []
    out: list[Prediction] = []
    for prediction in found:
        if not isinstance(prediction, Mapping) or prediction.get("id") is None:
            continue
        result = prediction.get("result")
        if not isinstance(result, list):
            continue
        version = str(prediction.get("model_version") or "unknown model")
        overall = _score(prediction.get("score"))
        item_scores = {
            str(item.get("id")): _score(item.get("score"))
            for item in result
            if isinstance(item, Mapping)
        }
        for region in group_results(result, config, width, height).regions:
            score = item_scores.get(region.uuid)
            out.append(
                Prediction(
                    key=f"ls-prediction:{prediction['id']}:{region.uuid}",
                    class_name=region.class_name,
                    geometry=region.geometry,
                    score=score if score is not None else overall,
                    source=f"model:{version}",
                )
            )
    return out
