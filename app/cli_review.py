"""The review commands: ``images``, ``status`` and ``queue``.

They work on a closed project from a shell or a script, without a window: every change
goes through the same commands as the GUI (so the status history records who did it and
when), and listings page through SQL so a 100,000-image project prints without being
loaded whole. This module must not import Qt.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator

from sqlalchemy import Connection

from limner.models.domain.entities import ImageRecord, ImageStatus
from limner.models.editing.history import History
from limner.models.errors import LimnerError
from limner.models.store import queries, tx
from limner.models.store.store import ProjectStore
from limner.models.workflow import queues as qs
from limner.models.workflow import review as rv
from limner.models.workflow.review_commands import (
    AssignToQueue,
    ChangeStatus,
    CreateQueue,
    RemoveFromQueue,
    Review,
)

PAGE = 500
STATUSES = tuple(s.value for s in ImageStatus)


def find_image(conn: Connection, name: str) -> ImageRecord:
    """The image called ``name`` (its file name, as ``limner images`` lists it).

    A bare number that matches no name is taken as an image id, so the id column of the
    listing works too.
    """
    record = queries.image_by_name(conn, name)
    if record is None and name.isdigit():
        record = queries.image_by_id(conn, int(name))
    if record is None:
        raise LimnerError(f"no image named {name!r} in this project (see 'limner images')")
    return record


def _pages(fetch: Callable[[int, int], list[ImageRecord]]) -> Iterator[ImageRecord]:
    offset = 0
    while True:
        page = fetch(offset, PAGE)
        yield from page
        if len(page) < PAGE:
            return
        offset += PAGE


def shown_status(record: ImageRecord) -> str:
    """A file limner cannot read is listed as "unreadable", not as a new image to label."""
    return "unreadable" if record.error else record.status


def _image_json(record: ImageRecord) -> dict[str, object]:
    found: dict[str, object] = {
        "name": record.name,
        "id": record.id,
        "status": record.status,
        "annotations": record.annotation_count,
    }
    if record.error:
        found["error"] = record.error  # why limner cannot read the file
    return found


# -- commands ------------------------------------------------------------------------------
def cmd_images(args: argparse.Namespace) -> int:
    with ProjectStore.open(args.path) as store, store.read() as conn:
        if args.queue:
            queue_id = qs.require_queue(conn, args.queue).id
            status = None if args.status == queries.ERROR_FILTER else args.status

            def fetch(offset: int, limit: int) -> list[ImageRecord]:
                return qs.queue_page(conn, queue_id, offset, limit, status)

            if args.status == queries.ERROR_FILTER:
                records = (r for r in _pages(fetch) if r.error is not None)
            else:
                records = _pages(fetch)
        else:
            flt = queries.ImageFilter(status=args.status)
            records = _pages(lambda offset, limit: queries.image_page(conn, offset, limit, flt))
        out = sys.stdout
        if args.json:
            # streamed element by element: valid JSON without holding the whole list
            out.write("[")
            for n, record in enumerate(records):
                out.write(",\n " if n else "\n ")
                out.write(json.dumps(_image_json(record)))
            out.write("\n]\n")
            return 0
        count = 0
        for record in records:
            if count == 0:
                out.write(f"{'name':<32} {'id':>7}  {'status':<12} {'annotations':>11}\n")
            count += 1
            out.write(
                f"{record.name:<32} {record.id:>7}  {shown_status(record):<12} "
                f"{record.annotation_count:>11}\n"
            )
        if count == 0:
            print("no images", file=sys.stderr)
    return 0


def _history_line(change: rv.StatusChange) -> str:
    line = f"{change.time}  {change.actor:<12} {change.from_status} -> {change.to_status}"
    return f"{line}  ({change.comment})" if change.comment else line


def cmd_status(args: argparse.Namespace) -> int:
    with ProjectStore.open(args.path) as store:
        with store.read() as conn:
            record = find_image(conn, args.image)
        if args.to_status is not None:
            command: ChangeStatus
            if args.to_status == ImageStatus.APPROVED:
                command = Review(record.id, "approve", args.comment, actor=tx.current_user())
            elif args.to_status == ImageStatus.REJECTED:
                command = Review(record.id, "reject", args.comment, actor=tx.current_user())
            else:
                command = ChangeStatus(
                    (record.id,), args.to_status, args.comment, actor=tx.current_user()
                )
            History(store).execute(command)
            if not args.json:
                print(f"{record.name}: {record.status} -> {args.to_status}")
        with store.read() as conn:
            history = rv.status_history(conn, record.id)
            status = rv.image_status(conn, record.id)
    if args.json:
        payload = {
            "name": record.name,
            "id": record.id,
            "status": status,
            "history": [
                {
                    "from": c.from_status,
                    "to": c.to_status,
                    "actor": c.actor,
                    "time": c.time,
                    "comment": c.comment,
                    "kind": c.kind,
                }
                for c in history
            ],
        }
        print(json.dumps(payload, indent=2))
    elif args.to_status is None:
        print(f"{record.name}: {status}")
        for change in history:
            print(f"  {_history_line(change)}")
    return 0


def _image_ids(conn: Connection, names: list[str]) -> tuple[int, ...]:
    return tuple(find_image(conn, name).id for name in names)


def cmd_queue(args: argparse.Namespace) -> int:
    with ProjectStore.open(args.path) as store:
        history = History(store)
        if args.queue_command == "add":
            history.execute(CreateQueue(args.name, args.role, args.assignee))
            who = f" for {args.assignee}" if args.assignee else ""
            print(f"queue {args.name!r} created ({args.role}{who})")
            return 0
        if args.queue_command in ("assign", "unassign"):
            with store.read() as conn:
                qs.require_queue(conn, args.name)
                ids = _image_ids(conn, args.images)
            if args.queue_command == "assign":
                done = history.execute(AssignToQueue(args.name, ids))
                assert isinstance(done, AssignToQueue)
                n, verb = len(done.added), "added to"
            else:
                undone = history.execute(RemoveFromQueue(args.name, ids))
                assert isinstance(undone, RemoveFromQueue)
                n, verb = len(undone.removed), "removed from"
            with store.read() as conn:
                size = qs.require_queue(conn, args.name).size
            print(f"{n} image{'s' if n != 1 else ''} {verb} {args.name!r} ({size} in the queue)")
            return 0
        with store.read() as conn:
            records = qs.queues(conn)
        if args.json:
            print(
                json.dumps(
                    [
                        {
                            "name": r.name,
                            "role": r.role,
                            "assignee": r.assignee,
                            "source": r.source,
                            "images": r.size,
                            "by_status": dict(r.by_status),
                        }
                        for r in records
                    ],
                    indent=2,
                )
            )
            return 0
        if not records:
            print("no queues", file=sys.stderr)
        for r in records:
            counts = ", ".join(f"{s} {n}" for s, n in sorted(r.by_status.items()))
            who = f" @{r.assignee}" if r.assignee else ""
            print(f"{r.name}  [{r.role}{who}, {r.source}]  {r.size} images  {counts}".rstrip())
    return 0


HANDLERS = {"images": cmd_images, "status": cmd_status, "queue": cmd_queue}
