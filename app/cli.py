"""The ``limner`` command: GUI commands (open, demo) and headless ones (new, info).

:func:`main` is the one place where a failure becomes what the user reads: one line on
stderr and an exit status, never a traceback. limner's own errors (the store, images,
servers, arguments) and the operating system's (a full disk, a missing permission) exit
with 2; anything else is a fault in limner, named by its kind on one line, exit 1, and
``-v`` adds the traceback for a bug report. Output into a pipe that closed early (``limner
images P --json | head``) is not an error: the command stops quietly with 141, the status
a shell reports for any program stopped by a closed pipe (128 + SIGPIPE), so scripts
using ``set -o pipefail`` treat limner like ``cat``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from importlib import import_module

from limner.app.cli_args import COMMANDS, default_demo_path, parser
from limner.models.errors import LimnerError

EXIT_ERROR = 2
EXIT_FAULT = 1
EXIT_INTERRUPTED = 130
EXIT_PIPE = 141
log = logging.getLogger("limner")


def cmd_new(args: argparse.Namespace) -> int:
    from limner.models.workflow.project import create_project

    classes = [c for c in args.classes.split(",") if c.strip()]

    def progress(done: int, total: int, _name: str) -> bool:
        if sys.stderr.isatty() and total:
            print(f"\rreading images {done}/{total}", end="", file=sys.stderr, flush=True)
        return True

    store, report = create_project(
        args.path, images=args.images, classes=classes, progress=progress
    )
    if sys.stderr.isatty() and args.images:
        print(file=sys.stderr)
    from limner.app.cli_formats import labels_for_new

    try:
        label_lines, code = labels_for_new(store, args.images, args.no_labels)
    finally:
        store.close()
    print(f"created {args.path}: {report.summary()}")
    for name, reason in report.unreadable:
        print(f"  unreadable: {name}: {reason}")
    for name, reason in report.skipped:
        print(f"  skipped: {name}: {reason}")
    for line in label_lines:
        print(line)
    print(f"open it with: limner open {args.path}")
    return code


def cmd_info(args: argparse.Namespace) -> int:
    from limner.models.store.store import ProjectStore
    from limner.models.workflow.stats import project_stats

    with ProjectStore.open(args.path) as store, store.read() as conn:
        stats = project_stats(conn)
        name = store.name
    if args.json:
        print(json.dumps(stats, indent=2, sort_keys=True))
        return 0
    print(f"project        {name}")
    print(f"images         {stats['images']}")
    for status, n in sorted(stats["by_status"].items()):
        print(f"  {status:<13}{n}")
    if stats["unreadable_images"]:
        print(f"  unreadable   {stats['unreadable_images']}")
    print(f"annotations    {stats['annotations']}")
    for kind, n in sorted(stats["by_kind"].items()):
        print(f"  {kind:<13}{n}")
    print("classes")
    for cls_name, n in stats["by_class"].items():
        print(f"  {cls_name:<13}{n}")
    _print_review_info(stats)
    return 0


def _print_review_info(stats: dict[str, object]) -> None:
    """The review lines of ``limner info``: queue counts and the length of the history."""
    queue_counts = stats.get("queues") or {}
    assert isinstance(queue_counts, dict)
    if queue_counts:
        print("queues")
        for name, counts in sorted(queue_counts.items()):
            detail = ", ".join(f"{s} {n}" for s, n in sorted(counts.items())) or "empty"
            print(f"  {name:<13}{detail}")
    print(f"status changes {stats.get('status_changes', 0)}")


def cmd_open(args: argparse.Namespace) -> int:
    from limner.app.gui import run_gui
    from limner.models.store import queries
    from limner.models.store.store import ProjectStore, resolve_project_file

    with ProjectStore.open(args.path) as store:  # clear errors before Qt starts
        if args.image:
            with store.read() as conn:
                if queries.image_by_name(conn, args.image) is None:
                    raise LimnerError(f"no image named {args.image!r} in {args.path}")
    return run_gui(resolve_project_file(args.path).parent, image_name=args.image, **_look(args))


def cmd_demo(args: argparse.Namespace) -> int:
    from limner.app.gui import run_gui
    from limner.models.demo import create_demo_project
    from limner.models.store.store import PROJECT_FILE

    path = args.path or default_demo_path()
    if not (path / PROJECT_FILE).exists():
        print(f"creating the demo project in {path}")
        create_demo_project(path).close()
    return run_gui(path, **_look(args))


def cmd_start(args: argparse.Namespace) -> int:
    """Bare ``limner`` (the start page) or ``limner PATH`` (a file manager, the desktop
    entry): the first path opens; a folder of images is offered as a new project."""
    from limner.app.gui import run_gui

    return run_gui(args.paths[0] if args.paths else None, **_look(args))


def _look(args: argparse.Namespace) -> dict[str, object]:
    """The options of the top level that change how the window is shown, for this run."""
    return {"screenshot": args.screenshot, "language": args.language, "theme": args.theme}


TOP_OPTIONS_WITH_VALUE = ("--screenshot", "--language", "--theme")


def with_start_command(argv: list[str], commands: set[str]) -> list[str]:
    """``argv`` with the hidden ``start`` command inserted where no command is named, so
    ``limner``, ``limner PATH`` and ``limner --screenshot F PATH`` open the window."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            return [*argv[:i], "start", *argv[i:]]
        if arg.startswith("-"):
            i += 2 if arg in TOP_OPTIONS_WITH_VALUE else 1
            continue
        return argv if arg in commands else [*argv[:i], "start", *argv[i:]]
    if any(a in ("-h", "--help", "--version") for a in argv):
        return argv
    return [*argv, "start"]


def main(argv: list[str] | None = None) -> int:
    top = parser()
    argv = with_start_command(list(sys.argv[1:] if argv is None else argv), set(COMMANDS))
    args = top.parse_args(argv)
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    module = import_module(COMMANDS[args.command])  # only the chosen command's imports
    return run_command(module.HANDLERS[args.command], args)


def run_command(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run one command; every way it can end becomes an exit status and at most one line."""
    try:
        code = handler(args)
        sys.stdout.flush()  # a closed pipe or a full disk shows up here at the latest
        return code
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_PIPE
    except LimnerError as exc:
        return _fail(str(exc), EXIT_ERROR)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(f"cannot finish {args.command}: {exc.strerror or exc}{where}", EXIT_ERROR)
    except Exception as exc:  # a fault in limner: one line here, the traceback with -v
        from limner.sync.redact import clean_message

        if args.verbose:
            log.exception("unexpected failure of %s", args.command)
        detail = clean_message(str(exc), 200)
        return _fail(
            f"unexpected problem ({type(exc).__name__}: {detail}); "
            "run again with -v to see where, and please report it",
            EXIT_FAULT,
        )


def _fail(message: str, code: int) -> int:
    _silence_stdout_if_broken()
    print(f"limner: {message}", file=sys.stderr)
    return code


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush of what is still
    buffered for the closed pipe fails nowhere (Python's documented recipe)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing will be flushed to a pipe
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _silence_stdout_if_broken() -> None:
    """Before a message: output the user can no longer receive must not fail at exit."""
    try:
        sys.stdout.flush()
    except OSError:
        _silence_stdout()


HANDLERS = {
    "new": cmd_new, "info": cmd_info, "open": cmd_open, "demo": cmd_demo, "start": cmd_start,
}  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
