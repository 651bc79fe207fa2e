"""The command line of ``limner``: every command's arguments, and nothing else.

This module imports only the standard library. ``limner --version`` and ``limner --help``
build the whole parser, so whatever this module pulled in (SQLAlchemy, Alembic, numpy, the
sync engine...) every user would pay for on each call. The handlers live in the command
modules (``cli``, ``cli_sync``, ``cli_review``, ``cli_formats``), imported only once argparse
has named the command. The choices below are copies of the model's own constants, kept as
literals for that reason; ``tests/app/test_cli_args.py`` checks that they still agree.
"""

from __future__ import annotations

import argparse
from importlib import metadata
from pathlib import Path

STATUSES = ("new", "in_progress", "submitted", "approved", "rejected", "skipped")
"""The values of ``ImageStatus``."""
ERROR_FILTER = "error"
"""The pseudo-status of the image filter for unreadable images (``queries.ERROR_FILTER``)."""
ROLES = ("annotate", "review")
"""Queue roles (``queues.ROLES``)."""
KINDS = ("labelstudio", "cloudfactory", "hasty", "clarifai")
"""Server kinds the sync factory knows (``factory.KINDS``)."""
CHOICES = ("mine", "theirs", "both")
"""Ways to resolve a conflict (``conflicts.CHOICES``)."""

COMMANDS: dict[str, str] = {
    "new": "limner.app.cli",
    "open": "limner.app.cli",
    "demo": "limner.app.cli",
    "start": "limner.app.cli",
    "info": "limner.app.cli",
    "clone": "limner.app.cli_sync",
    "remote": "limner.app.cli_sync",
    "sync": "limner.app.cli_sync",
    "token": "limner.app.cli_sync",
    "conflicts": "limner.app.cli_sync",
    "images": "limner.app.cli_review",
    "status": "limner.app.cli_review",
    "queue": "limner.app.cli_review",
    "import": "limner.app.cli_formats",
    "export": "limner.app.cli_formats",
}
"""Which module's ``HANDLERS`` runs each command."""

_EPILOG = (
    "exit status: 0 nothing lost, 3 finished with losses (listed), 1 failed, "
    "2 wrong command line"
)


def version() -> str:
    try:
        return metadata.version("limner")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def default_demo_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("limner", appauthor=False) / "demo"


LANGUAGE_CHOICES = ("system", "en", "de", "zh_CN")
THEME_CHOICES = ("system", "light", "dark")
"""As in ``app.preferences`` (not imported here: the command line starts without Qt)."""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="limner",
        description="Label images with boxes, polygons, masks and skeletons; offline first.",
    )
    top.add_argument("--version", action="version", version=f"limner {version()}")
    top.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log what limner does (HTTP requests...) to stderr",
    )
    top.add_argument(
        "--screenshot",
        metavar="FILE",
        type=Path,
        help="render the window after loading, save it as FILE (PNG) and exit",
    )
    top.add_argument(
        "--language",
        choices=LANGUAGE_CHOICES,
        help="the window's language for this run (Preferences keeps the usual one)",
    )
    top.add_argument(
        "--theme",
        choices=THEME_CHOICES,
        help="light or dark for this run (Preferences keeps the usual one)",
    )
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    _project_parsers(sub)
    _sync_parsers(sub)
    _review_parsers(sub)
    _format_parsers(sub)
    return top


def _project_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p_new = sub.add_parser("new", help="create a project folder")
    p_new.add_argument("path", type=Path)
    p_new.add_argument(
        "--images", type=Path, action="append", default=[], help="image file or folder to add"
    )
    p_new.add_argument("--classes", default="", help="comma-separated class names")
    p_new.add_argument(
        "--no-labels",
        action="store_true",
        help="do not import annotations found with the images (labelme, COCO, YOLO, VOC...)",
    )

    p_open = sub.add_parser("open", help="open a project in the window")
    p_open.add_argument("path", type=Path)
    p_open.add_argument("--image", help="show this image first (by file name)")

    p_demo = sub.add_parser("demo", help="open the demo project (made on first use)")
    p_demo.add_argument(
        "--path", type=Path, help=f"where the demo lives (default: {default_demo_path()})"
    )

    p_start = sub.add_parser("start")  # no help: not listed, `limner [PATH]` is its form
    p_start.add_argument("paths", type=Path, nargs="*")

    p_info = sub.add_parser("info", help="print counts of a project")
    p_info.add_argument("path", type=Path)
    p_info.add_argument("--json", action="store_true", help="machine-readable output")


def _sync_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    def remote_args(p: argparse.ArgumentParser, publish: bool = False) -> None:
        p.add_argument("--kind", choices=KINDS, required=True)
        p.add_argument("--url", required=True, help="server address, e.g. http://localhost:8080")
        where = p.add_mutually_exclusive_group(required=True)
        where.add_argument("--project", help="the remote project's id")
        if publish:
            where.add_argument("--create", metavar="TITLE", help="make a new server project")
        p.add_argument("--token-env", help="read the token from this environment variable")
        p.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="a remote setting (JSON values allowed), e.g. routes, space_id, classes",
        )

    p_clone = sub.add_parser("clone", help="a new local project from a remote project")
    remote_args(p_clone)
    p_clone.add_argument("path", type=Path)
    p_clone.add_argument("--json", action="store_true")

    p_remote = sub.add_parser("remote", help="connect a project to a remote")
    remote_sub = p_remote.add_subparsers(dest="remote_command", required=True)
    p_add = remote_sub.add_parser(
        "add", help="connect PATH to a remote project and publish its local images"
    )
    p_add.add_argument("path", type=Path)
    remote_args(p_add, publish=True)
    p_add.add_argument("--json", action="store_true", help="print the reports as JSON")
    p_list = remote_sub.add_parser("list", help="the remotes of PATH")
    p_list.add_argument("path", type=Path)

    p_sync = sub.add_parser("sync", help="synchronize a project with its remote")
    p_sync.add_argument("path", type=Path)
    p_sync.add_argument("--once", action="store_true", help="one run, then exit")
    p_sync.add_argument("--interval", type=float, default=30.0, help="seconds between runs")
    p_sync.add_argument("--json", action="store_true", help="print the report as JSON")
    p_sync.add_argument("--token-env", help="read the token from this environment variable")

    p_token = sub.add_parser("token", help="save a server token in the OS keyring")
    token_sub = p_token.add_subparsers(dest="token_command", required=True)
    p_set = token_sub.add_parser("set", help="read a token from stdin and save it")
    p_set.add_argument("--kind", choices=KINDS, required=True)
    p_set.add_argument("--url", required=True)

    p_conf = sub.add_parser("conflicts", help="list or resolve sync conflicts")
    p_conf.add_argument("path", type=Path)
    p_conf.add_argument("--resolve", type=int, metavar="ID")
    p_conf.add_argument("--take", choices=CHOICES, help="mine, theirs or both")


def _review_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p_images = sub.add_parser("images", help="list the images of a project")
    p_images.add_argument("path", type=Path)
    p_images.add_argument(
        "--status", choices=(*STATUSES, ERROR_FILTER), help="only images in this status"
    )
    p_images.add_argument("--queue", help="only the images of this queue, in queue order")
    p_images.add_argument("--json", action="store_true", help="machine-readable output")

    p_status = sub.add_parser("status", help="show or set the status of an image")
    p_status.add_argument("path", type=Path)
    p_status.add_argument("image", help="the image's name as 'limner images' lists it")
    p_status.add_argument("--set", choices=STATUSES, dest="to_status", help="the new status")
    p_status.add_argument("--comment", default="", help="why (required to reject)")
    p_status.add_argument("--json", action="store_true", help="print the status history as JSON")

    p_queue = sub.add_parser("queue", help="make local work queues and assign images")
    p_queue.add_argument("path", type=Path)
    queue_sub = p_queue.add_subparsers(dest="queue_command", required=True)
    p_add = queue_sub.add_parser("add", help="create a queue")
    p_add.add_argument("name")
    p_add.add_argument("--role", choices=ROLES, required=True)
    p_add.add_argument("--assignee", help="who works on it")
    p_assign = queue_sub.add_parser("assign", help="append images to a queue")
    p_assign.add_argument("name")
    p_assign.add_argument("images", nargs="+", metavar="IMAGE")
    p_unassign = queue_sub.add_parser("unassign", help="take images out of a queue")
    p_unassign.add_argument("name")
    p_unassign.add_argument("images", nargs="+", metavar="IMAGE")
    p_list = queue_sub.add_parser("list", help="queues with counts by status")
    p_list.add_argument("--json", action="store_true")


# -- helpers -------------------------------------------------------------------------------


def _format_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p_import = sub.add_parser(
        "import", help="import annotations (COCO, YOLO, VOC, labelme, CVAT...)", epilog=_EPILOG
    )
    p_import.add_argument("project", type=Path, help="the limner project")
    p_import.add_argument("source", type=Path, help="the annotation file or dataset folder")
    p_import.add_argument("--format", help="read as this format instead of recognising it")
    p_import.add_argument(
        "--no-add-images",
        action="store_true",
        help="only label images the project has; do not add the dataset's other images",
    )
    p_import.add_argument("--json", action="store_true", help="machine-readable output")

    p_export = sub.add_parser("export", help="export annotations to a format", epilog=_EPILOG)
    p_export.add_argument("project", type=Path, help="the limner project")
    p_export.add_argument("out", type=Path, help="the file or folder to write")
    p_export.add_argument("--format", required=True, help="coco, yolo, voc, labelme, cvat...")
    p_export.add_argument("--status", choices=STATUSES, help="only images in this status")
    p_export.add_argument("--queue", help="only the images of this queue")
    p_export.add_argument("--classes", default="", help="only these classes (comma-separated)")
    p_export.add_argument("--json", action="store_true", help="machine-readable output")
