"""What a forked child of the crash trials does: edit, migrate, import, or run the CLI.

Each task gets its parameters from the test and a ``say`` function for the protocol
pipe; it returns an exit code (the fork server then says ``DONE`` and waits to be
killed). Nothing here decides when the kill comes: the test does, from outside.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from limner.models.store.store import ProjectStore, current_revision
from tests.reliability.child_edits import run_edits

Say = Callable[[str, str], None]


def run_migrate(task: Mapping[str, Any], say: Say) -> int:
    """Open an old-schema project, which migrates it to the newest schema."""
    say("OPENING", "")
    store = ProjectStore.open(task["project"])
    say("MIGRATED", str(current_revision(store.engine)))
    store.close()
    return 0


def run_import(task: Mapping[str, Any], say: Say) -> int:
    """Import a folder through the import API; acknowledge every committed batch.

    The batch size is lowered so that a kill can land between commits as well as inside
    one; each acknowledgement is sent by a store listener, which runs only after its
    transaction committed, and carries the number of images committed so far.
    """
    from limner.models.workflow import project

    project.IMPORT_BATCH = int(task["batch"])
    store = ProjectStore.open(task["project"])
    committed = 0

    def heard(changes: Any) -> None:
        nonlocal committed
        if changes.images_added:
            committed += changes.images_added
            say("ACK", str(committed))

    store.subscribe(heard)
    say("READY", "")
    report = project.import_images(store, [task["folder"]])
    say("IMPORTED", str(report.added))
    store.close()
    return 0


def run_cli(task: Mapping[str, Any], say: Say) -> int:
    """``limner ARGV`` as the command line runs it (``main`` of ``limner.app.cli``)."""
    from limner.app.cli import main

    say("STARTED", "")
    return main(list(task["argv"]))


TASKS: dict[str, Callable[[Mapping[str, Any], Say], int]] = {
    "edits": run_edits,
    "migrate": run_migrate,
    "import": run_import,
    "cli": run_cli,
}
