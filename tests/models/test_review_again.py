"""Approving an approved image says nothing new; rejecting again with new words does."""

from __future__ import annotations

from limner.models.editing.history import History
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.workflow import review as rv
from limner.models.workflow.review_commands import ChangeStatus, Review, Submit


def _steps(project: ProjectStore, image_id: int) -> int:
    with project.read() as conn:
        return len(rv.status_history(conn, image_id))


def test_approving_an_approved_image_adds_no_history_step(project: ProjectStore) -> None:
    history = History(project)
    with project.read() as conn:
        image_id = queries.first_image(conn).id
    history.execute(Submit([image_id]))
    history.execute(Review(image_id, "approve"))
    steps = _steps(project, image_id)
    history.execute(Review(image_id, "approve"))
    history.execute(ChangeStatus((image_id,), "approved"))
    assert _steps(project, image_id) == steps
    history.execute(Review(image_id, "approve", "checked once more, still fine"))
    assert _steps(project, image_id) == steps + 1  # a comment is news
    history.execute(Review(image_id, "reject", "the box is loose"))
    history.execute(Review(image_id, "reject", "and the label is wrong"))
    assert _steps(project, image_id) == steps + 3
