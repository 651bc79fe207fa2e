"""The review workflow on a real project file: statuses with history, reviews, remarks,
queues, "next" jumps, changes since the last review and progress counts."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from limner.models.domain.entities import NewAnnotation
from limner.models.domain.geometry import Box
from limner.models.editing.commands import (
    AddAnnotations,
    DeleteAnnotations,
    EditAnnotations,
    SetImageStatus,
)
from limner.models.editing.history import History
from limner.models.errors import StoreError
from limner.models.store import queries, sync_store
from limner.models.store.store import ProjectStore
from limner.models.store.tx import new_uuid
from limner.models.workflow import queues as qs
from limner.models.workflow import review as rv
from limner.models.workflow.project import create_project
from limner.models.workflow.review_commands import (
    AddRemark,
    AssignToQueue,
    ChangeStatus,
    CreateQueue,
    DeleteQueue,
    DeleteRemark,
    RemoveFromQueue,
    ResolveRemark,
    Review,
    Skip,
    Submit,
)
from limner.models.workflow.stats import project_stats
from tests.conftest import write_image

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "baseline_0001.limner"
REVIEW_TABLES = {"status_change", "queue", "queue_item", "remark", "review_snapshot"}


@pytest.fixture
def twenty(tmp_path: Path) -> Iterator[ProjectStore]:
    folder = tmp_path / "images20"
    for i in range(20):
        write_image(folder / f"im{i:02d}.png", 16, 12, seed=100 + i)
    store, report = create_project(tmp_path / "p20", images=[folder], classes=["cat", "dog"])
    assert report.added == 20
    yield store
    store.close()


def image_ids(store: ProjectStore) -> list[int]:
    with store.read() as conn:
        return [r.id for r in queries.image_page(conn, 0, 1000)]


def statuses(store: ProjectStore) -> dict[int, str]:
    with store.read() as conn:
        return {r.id: r.status for r in queries.image_page(conn, 0, 1000)}


def raw(store: ProjectStore, sql: str) -> list[tuple]:
    con = sqlite3.connect(store.db_file)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def add_box(history: History, image_id: int, box: Box, class_id: int | None = None) -> str:
    uuid = new_uuid()
    history.execute(AddAnnotations((NewAnnotation(uuid, image_id, class_id, box),)))
    return uuid


# -- the whole loop ------------------------------------------------------------------------
def test_twenty_images_through_submit_review_and_resubmit(twenty: ProjectStore) -> None:
    history = History(twenty)
    ids = image_ids(twenty)
    for image_id in ids:
        history.execute(Submit([image_id], actor="ann"))
    approved, rejected = ids[:15], ids[15:]
    for image_id in approved:
        history.execute(Review(image_id, "approve", actor="rev"))
    for n, image_id in enumerate(rejected):
        history.execute(Review(image_id, "reject", f"fix box {n}", actor="rev"))

    with twenty.read() as conn:
        feedback = rv.review_feedback(conn, rejected[0])
        assert feedback.pending and feedback.status == "rejected"
        assert feedback.review is not None and feedback.review.comment == "fix box 0"
        mid = qs.progress(conn)
    assert dict(mid.by_status) == {"approved": 15, "rejected": 5}

    for image_id in rejected:
        history.execute(Submit([image_id], actor="ann"))

    assert statuses(twenty) == {i: "approved" for i in approved} | {
        i: "submitted" for i in rejected
    }
    with twenty.read() as conn:
        for image_id in approved:
            steps = rv.status_history(conn, image_id)
            assert [(s.from_status, s.to_status, s.actor, s.kind) for s in steps] == [
                ("new", "submitted", "ann", "submit"),
                ("submitted", "approved", "rev", "approve"),
            ]
        for n, image_id in enumerate(rejected):
            steps = rv.status_history(conn, image_id)
            assert [(s.from_status, s.to_status, s.actor, s.comment) for s in steps] == [
                ("new", "submitted", "ann", ""),
                ("submitted", "rejected", "rev", f"fix box {n}"),
                ("rejected", "submitted", "ann", ""),
            ]
            times = [s.time for s in steps]
            assert all(times) and times == sorted(times)
            assert not rv.review_feedback(conn, image_id).pending  # submitted again
        assert rv.status_change_count(conn) == 20 + 20 + 5
        assert len(rv.reviews(conn, rejected[0])) == 1
        done = qs.progress(conn)
    assert done.total == 20
    assert dict(done.by_status) == {"approved": 15, "submitted": 5}
    assert {k: dict(v) for k, v in done.by_annotator.items()} == {
        "ann": {"approved": 15, "submitted": 5}
    }


def test_status_changes_bump_rev_so_sync_pushes_them(project: ProjectStore) -> None:
    history = History(project)
    image_id = image_ids(project)[0]
    with project.transaction() as (conn, _changes):
        remote_id = sync_store.add_remote(conn, "label_studio", "http://x", "1")
        sync_store.save_link(conn, remote_id, image_id, remote_key="t1", synced_rev=1)
    with project.read() as conn:
        assert sync_store.dirty_image_ids(conn, remote_id) == []
    history.execute(Submit([image_id]))
    with project.read() as conn:
        assert sync_store.dirty_image_ids(conn, remote_id) == [image_id]
        assert rv.status_history(conn, image_id)[0].actor == "tester"  # LIMNER_USER


def test_rejection_needs_a_comment_and_status_must_be_known(project: ProjectStore) -> None:
    image_id = image_ids(project)[0]
    with pytest.raises(StoreError, match="a rejection needs a comment"):
        Review(image_id, "reject", "   ")
    with pytest.raises(StoreError, match="a rejection needs a comment"):
        ChangeStatus((image_id,), "rejected")
    with pytest.raises(StoreError, match="unknown status"):
        ChangeStatus((image_id,), "done")
    with pytest.raises(StoreError, match="unknown review decision"):
        Review(image_id, "maybe")


def test_missing_image_changes_nothing(project: ProjectStore) -> None:
    history = History(project)
    first = image_ids(project)[0]
    with pytest.raises(StoreError, match="does not exist"):
        history.execute(Submit([first, 999_999]))
    assert statuses(project)[first] == "new"
    assert raw(project, "SELECT COUNT(*) FROM status_change") == [(0,)]


def test_skip_keeps_its_reason_and_unchanged_images_get_no_row(project: ProjectStore) -> None:
    history = History(project)
    a, b = image_ids(project)[:2]
    history.execute(Skip([a], "blurry"))
    history.execute(Skip([a, b], "blurry too"))
    with project.read() as conn:
        assert [(s.to_status, s.comment, s.kind) for s in rv.status_history(conn, a)] == [
            ("skipped", "blurry", "skip")
        ]
        assert [s.comment for s in rv.status_history(conn, b)] == ["blurry too"]


# -- undo ----------------------------------------------------------------------------------
def test_undo_and_redo_of_a_status_change(project: ProjectStore) -> None:
    history = History(project)
    a, b, c = image_ids(project)[:3]
    history.execute(ChangeStatus((a,), "in_progress"))
    history.execute(Submit([a, b]))
    revs = dict(raw(project, "SELECT id, rev FROM image"))
    # another writer (a second window, the CLI) records a change in between
    History(project).execute(Skip([c], "dark"))
    history.undo()
    assert statuses(project)[a] == "in_progress" and statuses(project)[b] == "new"
    assert statuses(project)[c] == "skipped"
    after = dict(raw(project, "SELECT id, rev FROM image"))
    assert after[a] > revs[a] and after[b] > revs[b]  # the restored status is pushed too
    with project.read() as conn:
        assert [s.to_status for s in rv.status_history(conn, a)] == ["in_progress"]
        assert rv.status_history(conn, b) == []
        assert [s.to_status for s in rv.status_history(conn, c)] == ["skipped"]
    history.redo()
    assert statuses(project)[a] == "submitted"
    with project.read() as conn:
        assert [s.to_status for s in rv.status_history(conn, a)] == ["in_progress", "submitted"]


def test_undo_of_a_review_removes_its_snapshot(project: ProjectStore) -> None:
    history = History(project)
    image_id = image_ids(project)[0]
    history.execute(Submit([image_id]))
    history.execute(Review(image_id, "reject", "missing the tail"))
    assert history.undo_text == "Reject"
    with project.read() as conn:
        assert rv.latest_review(conn, image_id) is not None
    history.undo()
    with project.read() as conn:
        assert rv.latest_review(conn, image_id) is None
        assert rv.changes_since_review(conn, image_id) is None
        assert rv.image_status(conn, image_id) == "submitted"
    history.redo()
    with project.read() as conn:
        review = rv.latest_review(conn, image_id)
        assert review is not None and review.decision == "reject"
        assert review.comment == "missing the tail" and review.reviewer == "tester"
        last = rv.status_history(conn, image_id)[-1]
        assert review.status_change_id == last.id


def test_a_second_review_is_recorded_even_without_a_status_move(project: ProjectStore) -> None:
    history = History(project)
    image_id = image_ids(project)[0]
    history.execute(Review(image_id, "reject", "first"))
    history.execute(Review(image_id, "reject", "second"))
    with project.read() as conn:
        assert [r.comment for r in rv.reviews(conn, image_id)] == ["first", "second"]
        assert [s.comment for s in rv.status_history(conn, image_id)] == ["first", "second"]


def test_remarks_add_resolve_delete_and_undo(project: ProjectStore) -> None:
    history = History(project)
    image_id = image_ids(project)[0]
    box = add_box(history, image_id, Box(2, 2, 20, 20))
    point = history.execute(AddRemark(image_id, "tail is cut", x=12.5, y=30.0))
    on_box = history.execute(AddRemark(image_id, "wrong class", annotation_uuid=box))
    assert isinstance(point, AddRemark) and isinstance(on_box, AddRemark)
    with project.read() as conn:
        (first, second) = rv.open_remarks(conn, image_id)
    assert (first.text, first.x, first.y, first.author) == ("tail is cut", 12.5, 30.0, "tester")
    assert second.annotation_uuid == box and second.x is None

    history.execute(ResolveRemark(point.uuid))
    with project.read() as conn:
        assert [r.uuid for r in rv.open_remarks(conn, image_id)] == [on_box.uuid]
        resolved = rv.remark_by_uuid(conn, point.uuid)
        assert resolved is not None and resolved.resolved and resolved.resolved_by == "tester"
    history.undo()
    with project.read() as conn:
        again = rv.remark_by_uuid(conn, point.uuid)
        assert again is not None and not again.resolved and again.resolved_at is None

    history.execute(DeleteRemark(on_box.uuid))
    with project.read() as conn:
        assert [r.uuid for r in rv.remarks_for_image(conn, image_id)] == [point.uuid]
    history.undo()
    history.undo()  # the add of the box remark
    with project.read() as conn:
        assert [r.uuid for r in rv.remarks_for_image(conn, image_id)] == [point.uuid]
        gone = rv.remark_by_uuid(conn, on_box.uuid)
        assert gone is not None and gone.deleted  # a tombstone sync can push
    history.redo()
    with project.read() as conn:
        assert len(rv.open_remarks(conn, image_id)) == 2
    revs = raw(project, f"SELECT rev FROM remark WHERE uuid='{on_box.uuid}'")
    assert revs[0][0] >= 3  # add, delete (undo), revive (redo)


def test_remark_validation(project: ProjectStore) -> None:
    history = History(project)
    a, b = image_ids(project)[:2]
    on_b = add_box(history, b, Box(1, 1, 5, 5))
    with pytest.raises(StoreError, match="needs some text"):
        history.execute(AddRemark(a, "  "))
    with pytest.raises(StoreError, match="x and y"):
        history.execute(AddRemark(a, "half a point", x=3.0))
    with pytest.raises(StoreError, match="not on this image"):
        history.execute(AddRemark(a, "elsewhere", annotation_uuid=on_b))
    remark = history.execute(AddRemark(a, "ok"))
    assert isinstance(remark, AddRemark)
    history.execute(DeleteRemark(remark.uuid))
    with pytest.raises(StoreError, match="was deleted"):
        history.execute(ResolveRemark(remark.uuid))
    assert history.undo_text == "Delete remark"


def test_feedback_shows_the_rejection_until_submitted_again(project: ProjectStore) -> None:
    history = History(project)
    image_id = image_ids(project)[0]
    with project.read() as conn:
        fresh = rv.review_feedback(conn, image_id)
    assert fresh.review is None and not fresh.pending and fresh.remarks == ()
    history.execute(Submit([image_id]))
    history.execute(Review(image_id, "reject", "redo the mask"))
    history.execute(AddRemark(image_id, "here", x=1.0, y=2.0))
    history.execute(ChangeStatus((image_id,), "in_progress"))
    with project.read() as conn:
        feedback = rv.review_feedback(conn, image_id)
        assert feedback.pending and feedback.review is not None
        assert feedback.review.comment == "redo the mask"
        assert [r.text for r in feedback.remarks] == ["here"]
        assert rv.review_payload(conn, image_id) == {
            "decision": "reject",
            "comment": "redo the mask",
            "reviewer": "tester",
            "time": feedback.review.reviewed_at,
        }
    history.execute(Submit([image_id]))
    with project.read() as conn:
        assert not rv.review_feedback(conn, image_id).pending


# -- changes since the last review ---------------------------------------------------------
def test_changes_since_review(project: ProjectStore) -> None:
    history = History(project)
    image_id = image_ids(project)[0]
    with project.read() as conn:
        cat, dog = (c.id for c in queries.label_classes(conn)[:2])
    keep = add_box(history, image_id, Box(1, 1, 10, 10), cat)
    move = add_box(history, image_id, Box(20, 20, 30, 30), cat)
    relabel = add_box(history, image_id, Box(40, 5, 50, 15), cat)
    drop = add_box(history, image_id, Box(5, 30, 15, 40), cat)
    with project.read() as conn:
        assert rv.changes_since_review(conn, image_id) is None  # never reviewed
    history.execute(Review(image_id, "reject", "tighten the boxes"))
    with project.read() as conn:
        unchanged = rv.changes_since_review(conn, image_id)
        assert unchanged is not None and unchanged.empty

    with project.read() as conn:
        records = {a.uuid: a for a in queries.annotations_for_image(conn, image_id)}
    history.execute(
        EditAnnotations.from_records("Move", [(records[move], {"geometry": Box(21, 21, 31, 31)})])
    )
    history.execute(EditAnnotations.from_records("Class", [(records[relabel], {"class_id": dog})]))
    history.execute(EditAnnotations.from_records("Hide", [(records[keep], {"hidden": True})]))
    history.execute(DeleteAnnotations((drop,), on_image=image_id))
    added = add_box(history, image_id, Box(60, 40, 70, 45), dog)

    with project.read() as conn:
        diff = rv.changes_since_review(conn, image_id)
    assert diff is not None and diff.review.comment == "tighten the boxes"
    assert diff.added == (added,)
    assert set(diff.changed) == {move, relabel}  # hiding a box is not a change to review
    assert diff.removed == (drop,)
    assert diff.before[move].geometry == Box(20, 20, 30, 30)
    assert diff.before[relabel].class_id == cat
    assert diff.before[drop].geometry == Box(5, 30, 15, 40)
    assert added not in diff.before

    history.execute(Review(image_id, "approve"))
    with project.read() as conn:
        latest = rv.changes_since_review(conn, image_id)
    assert latest is not None and latest.empty and latest.review.decision == "approve"
    history.undo()  # the approval: the diff is against the rejection again
    with project.read() as conn:
        again = rv.changes_since_review(conn, image_id)
    assert again is not None and again.removed == (drop,)


# -- next image ----------------------------------------------------------------------------
def test_next_image_jumps_and_wraps(project: ProjectStore) -> None:
    history = History(project)
    i1, i2, i3, i4, i5 = image_ids(project)
    history.execute(SetImageStatus({i1: "new", i3: "new"}, "submitted"))
    history.execute(Review(i2, "reject", "no"))
    history.execute(Review(i5, "reject", "no"))
    # statuses now: submitted, rejected, submitted, new, rejected
    with project.read() as conn:

        def nxt(after: int | None, wanted: str) -> int | None:
            record = qs.next_image(conn, after, wanted)
            return record.id if record else None

        assert nxt(i1, "unlabeled") == i4
        assert nxt(i4, "unlabeled") is None  # the current image is not its own next
        assert nxt(None, "unlabeled") == i4
        assert nxt(i2, "rejected") == i5
        assert nxt(i5, "rejected") == i2  # wraps around
        assert nxt(i3, "submitted") == i1  # wraps around
        assert nxt(i4, "approved") is None
        with pytest.raises(StoreError, match="cannot look for"):
            qs.next_image(conn, i1, "done")


def test_next_image_in_a_queue_follows_queue_order(project: ProjectStore) -> None:
    history = History(project)
    i1, i2, _i3, i4, i5 = image_ids(project)
    history.execute(CreateQueue("mine", "annotate", "ann"))
    history.execute(AssignToQueue("mine", (i5, i2, i4)))
    with project.read() as conn:
        assert qs.next_image(conn, None, "unlabeled", queue="mine").id == i5
        assert qs.next_image(conn, i5, "unlabeled", queue="mine").id == i2
        assert qs.next_image(conn, i4, "unlabeled", queue="mine").id == i5  # wraps
        assert qs.next_image(conn, i1, "unlabeled", queue="mine").id == i5  # not in queue
        with pytest.raises(StoreError, match="no queue named"):
            qs.next_image(conn, i1, "unlabeled", queue="nope")


def test_next_image_skips_unreadable_files(tmp_path: Path) -> None:
    folder = tmp_path / "imgs"
    write_image(folder / "a.png", seed=1)
    (folder / "b.png").write_bytes(b"not a png at all")
    write_image(folder / "c.png", seed=2)
    store, report = create_project(tmp_path / "p", images=[folder])
    with store:
        assert len(report.unreadable) == 1
        with store.read() as conn:
            a, b, c = queries.image_page(conn, 0, 10)
            assert b.error is not None and b.status == "new"
            assert qs.next_image(conn, a.id, "unlabeled").id == c.id


# -- queues --------------------------------------------------------------------------------
def test_queues_with_counts_order_and_undo(project: ProjectStore) -> None:
    history = History(project)
    i1, i2, i3, i4, i5 = image_ids(project)
    history.execute(CreateQueue("batch 1", "annotate", "ann"))
    history.execute(CreateQueue("check", "review"))
    history.execute(AssignToQueue("batch 1", (i4, i1, i3)))
    history.execute(AssignToQueue("batch 1", (i1, i2)))  # i1 is there already
    history.execute(Submit([i1, i4]))
    history.execute(AssignToQueue("check", (i1, i4)))
    with project.read() as conn:
        listed = qs.queues(conn)
        assert [(q.name, q.role, q.assignee, q.size) for q in listed] == [
            ("batch 1", "annotate", "ann", 4),
            ("check", "review", None, 2),
        ]
        batch = listed[0]
        assert dict(batch.by_status) == {"new": 2, "submitted": 2}
        assert [r.id for r in qs.queue_page(conn, batch.id, 0, 10)] == [i4, i1, i3, i2]
        assert [r.id for r in qs.queue_page(conn, batch.id, 1, 2)] == [i1, i3]
        assert [r.id for r in qs.queue_page(conn, batch.id, 0, 10, "new")] == [i3, i2]
        assert qs.queue_count(conn, batch.id) == 4
        assert qs.queue_count(conn, batch.id, "submitted") == 2
        flt = queries.ImageFilter(queue_id=batch.id, status="new")
        assert [r.id for r in queries.image_page(conn, 0, 10, flt)] == [i2, i3]  # project order
        assert queries.image_count(conn, queries.ImageFilter(queue_id=batch.id)) == 4
        assert qs.queues_of_image(conn, i1) == ["batch 1", "check"]
        assert qs.queue_status_counts(conn) == {
            "batch 1": {"new": 2, "submitted": 2},
            "check": {"submitted": 2},
        }
        assert i5 not in qs.queue_image_ids(conn, batch.id)

    history.execute(RemoveFromQueue("batch 1", (i1, i5)))
    with project.read() as conn:
        assert qs.queue_image_ids(conn, batch.id) == [i4, i3, i2]
    history.undo()
    with project.read() as conn:
        assert qs.queue_image_ids(conn, batch.id) == [i4, i1, i3, i2]  # back in its place

    history.undo()  # Assign to "check"
    history.undo()  # Submit
    history.undo()  # the second assign to "batch 1": only i2 was added
    with project.read() as conn:
        assert qs.queue_image_ids(conn, batch.id) == [i4, i1, i3]


def test_create_and_delete_queue_undo_keep_items(project: ProjectStore) -> None:
    history = History(project)
    ids = image_ids(project)
    history.execute(CreateQueue("q", "review"))
    History(project).execute(AssignToQueue("q", tuple(ids[:2])))  # another writer
    history.undo()  # the create: the queue and its items go
    with project.read() as conn:
        assert qs.queue_by_name(conn, "q") is None
    history.redo()
    with project.read() as conn:
        record = qs.require_queue(conn, "q")
        assert qs.queue_image_ids(conn, record.id) == ids[:2]

    history.execute(DeleteQueue("q"))
    with project.read() as conn:
        assert qs.queues(conn) == []
        assert raw(project, "SELECT COUNT(*) FROM queue_item") == [(0,)]
    history.undo()
    with project.read() as conn:
        record = qs.require_queue(conn, "q")
        assert (record.role, qs.queue_image_ids(conn, record.id)) == ("review", ids[:2])

    with pytest.raises(StoreError, match="exists already"):
        history.execute(CreateQueue("q", "annotate"))
    with pytest.raises(StoreError, match="role"):
        history.execute(CreateQueue("r", "label"))
    with pytest.raises(StoreError, match="no image with id"):
        history.execute(AssignToQueue("q", (999_999,)))


def test_remote_queues_are_replaced_by_sync_and_read_only_here(project: ProjectStore) -> None:
    history = History(project)
    i1, i2, i3, _i4, _i5 = image_ids(project)
    history.execute(CreateQueue("mine", "annotate"))
    with project.transaction(origin="sync") as (conn, changes):
        remote_id = sync_store.add_remote(conn, "label_studio", "http://x", "7")
        first = qs.sync_remote_queue(
            conn,
            changes,
            remote_id=remote_id,
            remote_key="u5",
            name="mine",
            role="annotate",
            assignee="ann",
            image_ids=[i3, i1],
        )
    with project.transaction(origin="sync") as (conn, changes):
        again = qs.sync_remote_queue(
            conn,
            changes,
            remote_id=remote_id,
            remote_key="u5",
            name="mine",
            role="annotate",
            assignee="ann",
            image_ids=[i2, i3],
        )
    assert again == first
    with project.read() as conn:
        remote = qs.queue_by_id(conn, first)
        assert remote is not None and remote.name == "mine [u5]" and remote.source == "remote"
        assert qs.queue_image_ids(conn, first) == [i2, i3]
    with pytest.raises(StoreError, match="comes from the server"):
        history.execute(AssignToQueue("mine [u5]", (i1,)))


def test_progress_per_queue_and_annotator(
    project: ProjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = History(project)
    i1, i2, i3, i4, _i5 = image_ids(project)
    monkeypatch.setenv("LIMNER_USER", "ann")
    add_box(history, i1, Box(1, 1, 4, 4))
    history.execute(Submit([i1]))
    add_box(history, i3, Box(1, 1, 4, 4))
    monkeypatch.setenv("LIMNER_USER", "bob")
    add_box(history, i2, Box(1, 1, 4, 4))  # drawn, never submitted: in progress
    history.execute(Submit([i3]))  # the submitter counts, not who drew
    history.execute(Review(i1, "approve"))  # the reviewer does not become the annotator
    history.execute(CreateQueue("q", "annotate"))
    history.execute(AssignToQueue("q", (i1, i2, i4)))
    with project.read() as conn:
        whole = qs.progress(conn)
        queue = qs.progress(conn, "q")
        every = qs.progress_by_queue(conn)
    assert whole.to_json() == {
        "total": 5,
        "by_status": {"approved": 1, "in_progress": 1, "new": 2, "submitted": 1},
        "by_annotator": {
            qs.NO_ANNOTATOR: {"new": 2},
            "ann": {"approved": 1},
            "bob": {"in_progress": 1, "submitted": 1},
        },
    }
    assert queue.to_json() == {
        "total": 3,
        "by_status": {"approved": 1, "in_progress": 1, "new": 1},
        "by_annotator": {
            qs.NO_ANNOTATOR: {"new": 1},
            "ann": {"approved": 1},
            "bob": {"in_progress": 1},
        },
    }
    assert every["q"] == queue


# -- migration -----------------------------------------------------------------------------
def test_baseline_project_gets_the_review_tables(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "project.limner")
    with ProjectStore.open(folder) as store:
        assert REVIEW_TABLES <= set(inspect(store.engine).get_table_names())
        history = History(store)
        with store.read() as conn:
            _a, b = queries.image_page(conn, 0, 10)
            assert b.status == "submitted"
            assert rv.status_history(conn, b.id) == []  # no history before 0004
        history.execute(Review(b.id, "approve"))
        with store.read() as conn:
            (step,) = rv.status_history(conn, b.id)
            assert (step.from_status, step.to_status) == ("submitted", "approved")
            diff = rv.changes_since_review(conn, b.id)
            assert diff is not None and diff.empty
            assert project_stats(conn)["status_changes"] == 1
