"""Label Studio predictions read as suggestions, never as annotations, and written back.

A task's ``predictions`` are what the team's model (an ML backend, or an import) proposed,
each with a ``model_version`` and a ``score`` (and sometimes a score per result item). They
are read with the same codec as annotations, so every shape limner can hold comes through,
and become one :class:`~limner.models.formats.base.Prediction` per region, keyed by
prediction and region id, so reading the same task again adds nothing twice. The pull
step, the ML backend's answers and the Label Studio file format all read predictions
through :func:`read_predictions`; nothing here talks to a server: a prediction stays a
prediction there, and only what the annotator accepts becomes an annotation.

Each prediction keeps its raw form: the entry's own fields (everything but ``result``)
and the result items of its region. :func:`prediction_entries` writes open suggestions
back as ``predictions`` entries from it, item for item as they came when the items still
fit the label config being written, and encoded afresh by the codec when they do not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from limner.models.errors import GeometryError
from limner.models.formats.base import Prediction
from limner.sync.adapters.labelstudio_config import LabelStudioFormatError, LSConfig
from limner.sync.adapters.labelstudio_read import group_results

__all__ = [
    "KEY_PREFIX",
    "Prediction",
    "PredictionProblem",
    "prediction_entries",
    "predictions_of",
    "read_predictions",
]

KEY_PREFIX = "ls-prediction"
UNNAMED_MODEL = "unknown model"


@dataclass(frozen=True, slots=True)
class PredictionProblem:
    """Part of a prediction limner cannot keep as a suggestion, and why."""

    item: int | str | None  # the result item's id, else the prediction's
    why: str


def _score(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def read_predictions(
    task: Any, config: LSConfig, width: int, height: int
) -> tuple[list[Prediction], list[PredictionProblem]]:
    """Every region of every prediction of ``task`` limner can represent, and a problem
    for each item it cannot (a relation, a control limner has no form for) and for each
    prediction that cannot be read at all. A prediction without an id (a file written by
    hand) is known by its place in the task."""
    found = task.get("predictions") if isinstance(task, Mapping) else None
    out: list[Prediction] = []
    problems: list[PredictionProblem] = []
    for index, entry in enumerate(found if isinstance(found, list) else ()):
        if isinstance(entry, int | str) and not isinstance(entry, bool):
            # Label Studio's quick export lists predictions by id only.
            why = "the file holds only the prediction's id; export it with full predictions"
            problems.append(PredictionProblem(entry, why))
            continue
        if not isinstance(entry, Mapping) or not isinstance(entry.get("result"), list):
            continue
        pid = entry.get("id") if entry.get("id") is not None else f"#{index + 1}"
        try:
            read, unread = _read_one(entry, str(pid), config, width, height)
        except (LabelStudioFormatError, GeometryError) as error:
            problems.append(PredictionProblem(entry.get("id"), str(error)))
            continue
        out.extend(read)
        problems.extend(unread)
    return out, problems


def _read_one(
    entry: Mapping[str, Any], pid: str, config: LSConfig, width: int, height: int
) -> tuple[list[Prediction], list[PredictionProblem]]:
    result: list[Any] = entry["result"]
    version = str(entry.get("model_version") or UNNAMED_MODEL)
    overall = _score(entry.get("score"))
    fields = {k: v for k, v in entry.items() if k != "result"}
    groups = group_results(result, config, width, height)
    out = []
    for region in groups.regions:
        items = [result[i] for i, owner in sorted(groups.owners.items()) if owner == region.uuid]
        scores = [_score(item.get("score")) for item in items if isinstance(item, Mapping)]
        score = next((s for s in scores if s is not None), overall)
        raw = {"prediction": fields, "items": items}
        key = f"{KEY_PREFIX}:{pid}:{region.uuid}"
        out.append(
            Prediction(region.geometry, region.class_name, score, f"model:{version}", key, raw)
        )
    unread = []
    for index in groups.opaque:
        item = result[index]
        item_id = item.get("id", index) if isinstance(item, Mapping) else index
        why = "a prediction item limner cannot hold as a suggestion (a relation, or a control "
        unread.append(PredictionProblem(item_id, why + "without a limner shape); not kept"))
    return out, unread


def predictions_of(task: Any, config: LSConfig, width: int, height: int) -> list[Prediction]:
    """Every region of every prediction of ``task`` that limner can represent."""
    return read_predictions(task, config, width, height)[0]


Encode = Callable[[Prediction, str], list[dict[str, Any]] | None]
"""Writes one prediction's region with the config being written (its region id given),
or says it cannot (None)."""
Fits = Callable[[Mapping[str, Any]], bool]
"""Whether the config being written has the control a result item names."""


def prediction_entries(
    predictions: Sequence[Prediction], encode: Encode, fits: Fits
) -> list[dict[str, Any]]:
    """``predictions`` entries for a task: the ones read from Label Studio grouped back
    into the entries they came from, with their own fields; the others one entry per
    model, scored by their mean."""
    entries: dict[str, dict[str, Any]] = {}
    scores: dict[str, list[float]] = {}
    for number, prediction in enumerate(predictions):
        pid, region_id = _origin(prediction, number)
        raw = prediction.raw if isinstance(prediction.raw, Mapping) else {}
        fields = raw.get("prediction") if isinstance(raw.get("prediction"), Mapping) else None
        group = f"read:{pid}" if fields is not None else f"made:{prediction.source}"
        entry = entries.get(group)
        if entry is None:
            version = prediction.source.removeprefix("model:")
            entry = entries[group] = {**(fields or {"model_version": version}), "result": []}
        raw_items = raw.get("items") if fields is not None else None
        items = _items(prediction, raw_items, region_id, encode, fits)
        entry["result"].extend(items)
        if fields is None and prediction.score is not None:
            scores.setdefault(group, []).append(prediction.score)
    for group, values in scores.items():
        entries[group]["score"] = sum(values) / len(values)
    return [entry for entry in entries.values() if entry["result"]]


def _origin(prediction: Prediction, number: int) -> tuple[str, str]:
    """The prediction's entry id and region id, from its key when it came from Label
    Studio; otherwise a region id of its own."""
    key = prediction.key or ""
    parts = key.split(":", 2)
    if len(parts) == 3 and parts[0] == KEY_PREFIX:
        return parts[1], parts[2]
    return "", key or f"s{number + 1}"


def _control(item: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    return item.get("from_name"), item.get("to_name"), item.get("type")


def _items(
    prediction: Prediction, raw_items: Any, region_id: str, encode: Encode, fits: Fits
) -> list[dict[str, Any]]:
    """The region's items as they came when the config being written holds every one of
    them and they include what the codec would write, else as the codec writes them
    now, with the score the items had (a suggestion of limner's own: its score)."""
    fresh = encode(prediction, region_id)
    if fresh is None:
        return []
    if not isinstance(raw_items, list):
        score = prediction.score
    elif (
        raw_items
        and all(isinstance(item, Mapping) and fits(item) for item in raw_items)
        and {_control(item) for item in fresh} <= {_control(item) for item in raw_items}
    ):
        return [dict(item) for item in raw_items]
    else:
        first = raw_items[0] if raw_items else None
        score = _score(first.get("score")) if isinstance(first, Mapping) else None
    if score is not None:
        for item in fresh:
            item["score"] = score
    return fresh
