"""The first edit of a new image's labels moves it to in progress, and undo takes that back.

An image an annotator has begun is no longer new: the queue of unlabeled images, the
progress chart and the server's task status should all say so from the first stroke, not
only once it is submitted. The move belongs to the edit (same transaction, same undo step),
so the shapes and the status can never disagree on disk.
"""

from __future__ import annotations

import pytest

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import AddAnnotations, AddClass, EditAnnotations
from limner.models.editing.history import History
from limner.models.store import queries
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.models.workflow import review as rv
from limner.models.workflow.review_commands import AddRemark, Submit
from tests.models.test_review import image_ids, statuses


def box_on(image_id: int, x: int = 1) -> NewAnnotation:
    return NewAnnotation(new_uuid(), image_id, None, Box(x, 1, x + 4, 5))


def test_the_first_edit_starts_the_image_and_its_undo_makes_it_new_again(
    project: ProjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIMNER_USER", "ana")
    history = History(project)
    first, other = image_ids(project)[:2]
    history.execute(AddAnnotations((box_on(first),)))
    assert statuses(project)[first] == "in_progress"
    assert statuses(project)[other] == "new"
    with project.read() as conn:
        (change,) = rv.status_history(conn, first)
        (record,) = [r for r in queries.image_page(conn, 0, 10) if r.id == first]
    assert (change.from_status, change.to_status, change.actor, change.kind) == (
        "new", "in_progress", "ana", "start",
    )  # fmt: skip
    assert record.rev > 1  # the status is dirty for sync like any other edit

    history.undo()
    assert statuses(project)[first] == "new"
    with project.read() as conn:
        assert rv.status_history(conn, first) == []  # no trace of a start that never was
    history.redo()
    assert statuses(project)[first] == "in_progress"
    with project.read() as conn:
        assert len(rv.status_history(conn, first)) == 1


def test_only_the_first_edit_starts_and_later_undos_keep_the_start(project: ProjectStore) -> None:
    history = History(project)
    image = image_ids(project)[0]
    shape = box_on(image)
    history.execute(AddAnnotations((shape,)))
    with project.read() as conn:
        record = queries.annotation_by_uuid(conn, shape.uuid)
    assert record is not None
    history.execute(EditAnnotations.from_records("Move", [(record, {"geometry": Box(2, 2, 6, 6)})]))
    history.undo()  # the move: the image stays started
    assert statuses(project)[image] == "in_progress"
    with project.read() as conn:
        assert len(rv.status_history(conn, image)) == 1
    history.undo()  # the add that started it
    assert statuses(project)[image] == "new"


def test_edits_leave_other_statuses_alone(project: ProjectStore) -> None:
    history = History(project)
    image = image_ids(project)[0]
    history.execute(Submit([image]))
    history.execute(AddAnnotations((box_on(image),)))
    assert statuses(project)[image] == "submitted"
    history.undo()
    assert statuses(project)[image] == "submitted"


def test_one_command_on_two_images_starts_both(project: ProjectStore) -> None:
    history = History(project)
    a, b = image_ids(project)[:2]
    history.execute(AddAnnotations((box_on(a), box_on(b))))
    assert (statuses(project)[a], statuses(project)[b]) == ("in_progress", "in_progress")
    history.undo()
    assert (statuses(project)[a], statuses(project)[b]) == ("new", "new")


def test_classes_and_remarks_do_not_start_an_image(project: ProjectStore) -> None:
    history = History(project)
    image = image_ids(project)[0]
    history.execute(AddClass({"name": "fox", "color": "#aa5500"}))
    history.execute(AddRemark(image, "look at the corner", x=1.0, y=1.0))
    assert statuses(project)[image] == "new"
