"""Pre-labels over images of a project: a detector's results stored as suggestions.

Each image is one transaction, so a cancelled or crashed run keeps what it finished, and a
second run does not stack copies of the same proposals: suggestions of one source on one
image that are still open are replaced, while accepted and rejected ones are left as the
annotator decided.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import delete

from limner.models.assist.detect import Detection, Detector, run_over
from limner.models.imaging.imageio import load_rgb
from limner.models.store import queries, schema, suggestions
from limner.models.store.store import ProjectStore
from limner.models.store.suggestions import OPEN, Suggestion
from limner.models.store.tx import new_uuid
from limner.models.workflow.project import resolve_image_path


def store_detections(
    store: ProjectStore,
    image_id: int,
    found: Sequence[Detection],
    class_map: Mapping[str, int],
    source: str,
) -> int:
    """Replace the image's open suggestions from ``source`` with ``found``; returns how
    many were stored (labels the class map leaves out are not)."""
    items = [
        Suggestion(new_uuid(), image_id, class_map[d.label], d.label, d.geometry, d.score, source)
        for d in found
        if d.label in class_map
    ]
    sug = schema.suggestion
    with store.transaction(origin="model") as (conn, changes):
        conn.execute(
            delete(sug).where(
                sug.c.image_id == image_id,
                sug.c.source == source,
                sug.c.state == OPEN,
                sug.c.remote_key.is_(None),
            )
        )
        changes.suggestions.add(image_id)
        return suggestions.add(conn, changes, items)


def prelabel(
    store: ProjectStore,
    detector: Detector,
    image_ids: Sequence[int],
    class_map: Mapping[str, int],
    source: str,
    progress: Callable[[int, int], None],
    cancel: threading.Event,
) -> int:
    """Run ``detector`` over ``image_ids`` in order; returns how many images were done."""

    def loader(image_id: int) -> Callable[[], object]:
        def load() -> object:
            with store.read() as conn:
                record = queries.image_by_id(conn, image_id)
            assert record is not None
            return load_rgb(resolve_image_path(store, record.path))

        return load

    images = ((i, loader(i)) for i in image_ids)
    return run_over(
        detector,
        images,  # type: ignore[arg-type]
        len(image_ids),
        lambda image_id, found: store_detections(store, image_id, found, class_map, source),
        progress,
        cancel,
    )
