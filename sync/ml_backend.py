"""Asking a Label Studio ML backend for suggestions on one image.

A team that serves its model as a Label Studio ML backend can point a project at it; the
"Suggest" action then posts the current image as one task to the backend's ``/predict``
(the same request Label Studio itself sends) and reads the answer's ``results`` with the
predictions codec, so what comes back is the same kind of suggestion as a pulled
prediction. The backend fetches the image from the task's URL itself, as it would for
Label Studio.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

import httpx
from sqlalchemy import delete

from limner.models.store import queries, schema, suggestions, sync_store
from limner.models.store.store import ProjectStore
from limner.models.store.suggestions import OPEN, Suggestion
from limner.models.store.tx import new_uuid
from limner.models.workflow.project import resolve_image_path
from limner.sync.adapters.labelstudio_config import LSConfig, parse_label_config
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


_CONTROLS = {"box": "RectangleLabels", "polygon": "PolygonLabels", "mask": "BrushLabels"}


def label_config_for(classes: Sequence[tuple[str, str]]) -> str:
    """A label config naming the project's classes, one control per shape kind (a class
    of any kind in each), for a backend asked about a project that has no Label Studio
    config of its own."""
    parts = ['<View>\n  <Image name="image" value="$image"/>']
    for kind, tag in _CONTROLS.items():
        names = [name for name, k in classes if k in (kind, "any")]
        if names:
            labels = "".join(f'<Label value="{escape(n, {chr(34): "&quot;"})}"/>' for n in names)
            parts.append(f'  <{tag} name="{kind}" toName="image">{labels}</{tag}>')
    parts.append("</View>")
    return "\n".join(parts)


def suggest_for_image(
    store: ProjectStore, image_id: int, base_url: str, *, client: httpx.Client | None = None
) -> int:
    """Ask the backend about one image and keep its answer as that image's open
    suggestions from the backend (replacing its earlier answer); returns how many."""
    with store.read() as conn:
        record = queries.image_by_id(conn, image_id)
        classes = queries.label_classes(conn)
        links = [sync_store.link_by_image(conn, r.id, image_id) for r in sync_store.remotes(conn)]
    if record is None or not record.width or not record.height:
        raise BackendError("the image is not readable, so it cannot be sent")
    url = next((link.source_url for link in links if link and link.source_url), None)
    if url is None:
        url = resolve_image_path(store, record.path).resolve().as_uri()
    xml = label_config_for([(c.name, c.kind) for c in classes])
    task = {"id": image_id, "data": {"image": url}}
    found = predict(base_url, task, parse_label_config(xml), xml, (record.width, record.height),
                    client=client)  # fmt: skip
    ids = {c.name: c.id for c in classes}
    items = [
        Suggestion(new_uuid(), image_id, ids.get(p.class_name or ""), p.class_name or "",
                   p.geometry, p.score, p.source)
        for p in found
    ]  # fmt: skip
    sug = schema.suggestion
    with store.transaction(origin="model") as (conn, changes):
        conn.execute(
            delete(sug).where(
                sug.c.image_id == image_id,
                sug.c.state == OPEN,
                sug.c.remote_key.is_(None),
                sug.c.source.in_({i.source for i in items} or {""}),
            )
        )
        changes.suggestions.add(image_id)
        return suggestions.add(conn, changes, items)
