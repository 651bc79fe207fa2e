"""The interchange commands: ``import`` and ``export`` of annotations in other formats.

``limner import PROJECT PATH`` recognises the format of PATH (a file or a folder) and says
which one it chose and why; ``--format`` overrides the guess. ``limner export PROJECT OUT
--format F`` writes the project's annotations, optionally only images of one ``--status``,
of one ``--queue``, or shapes of some ``--classes``. Both print one summary line (images,
shapes, losses) and then one line per loss, each naming the image and the annotation; with
``--json`` they print the same as one JSON object.

Exit status, so a script can tell a clean conversion from a lossy one:
0 nothing was lost, 3 the conversion finished but named losses, 1 it failed (a file that
is not the format, an unknown queue...), 2 the command line was wrong (argparse's usage
status; an unknown format name too). This module must not import Qt.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from limner.app.formats_setup import register_formats
from limner.models.errors import LimnerError
from limner.models.formats.base import Format, Loss

register_formats()  # the Label Studio file format lives in sync/, so the registry is told here

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOSSES = 3


def _format(name: str) -> Format | None:
    """The format called ``name``; None after saying on stderr which ones exist."""
    from limner.models.formats import registry

    if name not in registry.names():
        known = ", ".join(registry.names())
        print(f"limner: unknown format {name!r} (known: {known})", file=sys.stderr)
        return None
    return registry.get(name)


def _progress(verb: str):  # type: ignore[no-untyped-def]
    def report(done: int, total: int, _name: str) -> bool:
        if sys.stderr.isatty():
            where = f"{done}/{total}" if total else str(done)
            print(f"\r{verb} image {where}   ", end="", file=sys.stderr, flush=True)
        return True

    return report


def _end_progress() -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)


def _failed(exc: BaseException) -> int:
    print(f"limner: {exc}", file=sys.stderr)
    return EXIT_FAILED


def _finish(summary: str, losses: Sequence[Loss], data: dict[str, Any], as_json: bool) -> int:
    if as_json:
        print(json.dumps(data, indent=2, sort_keys=True, default=str))
    else:
        print(summary)
        for loss in losses:
            print(f"  loss: {loss}")
    return EXIT_LOSSES if losses else EXIT_OK


def choose(source: Path, name: str | None) -> tuple[Format, str, dict[str, Any]] | None:
    """The format to read ``source`` as, why, and what every format said (for --json)."""
    from limner.models.formats import registry

    if name is not None:
        fmt = _format(name)
        if fmt is None:
            return None
        return fmt, "given with --format", {"format": fmt.name, "by": "--format"}
    found = registry.detect(source)
    considered = {n: {"confidence": d.confidence, "reason": d.reason} for n, d in found.considered}
    chosen = {"format": found.format.name, "by": "detection", "reason": found.detection.reason}
    return found.format, found.detection.reason, {**chosen, "considered": considered}


def cmd_import(args: argparse.Namespace) -> int:
    from limner.models.store.store import ProjectStore
    from limner.models.workflow.label_import import import_labels

    try:
        picked = choose(args.source, args.format)
        if picked is None:
            return EXIT_USAGE
        fmt, reason, chosen = picked
        with ProjectStore.open(args.project) as store:
            reading = fmt.read(args.source)
            result = import_labels(
                store,
                reading,
                fmt.name,
                progress=_progress("importing"),
                add_images=not args.no_add_images,
            )
    except (LimnerError, OSError) as exc:
        _end_progress()
        return _failed(exc)
    _end_progress()
    summary = f"{result.summary()}; read {reading.source} as {fmt.name} ({reason})"
    return _finish(summary, result.losses, {**result.to_json(), "chosen": chosen}, args.json)


def cmd_export(args: argparse.Namespace) -> int:
    from limner.models.store.store import ProjectStore
    from limner.models.workflow.label_export import ExportFilter, export_labels

    fmt = _format(args.format)
    if fmt is None:
        return EXIT_USAGE
    classes = tuple(c.strip() for c in args.classes.split(",") if c.strip())
    flt = ExportFilter(status=args.status, queue=args.queue, classes=classes)
    try:
        with ProjectStore.open(args.project) as store:
            result = export_labels(store, fmt, args.out, flt, progress=_progress("exporting"))
    except (LimnerError, OSError) as exc:
        _end_progress()
        return _failed(exc)
    _end_progress()
    summary = f"{result.summary()} as {fmt.name}"
    return _finish(summary, result.losses, result.to_json(), args.json)


def labels_for_new(store: Any, images: Sequence[Path], skip: bool) -> tuple[list[str], int]:
    """``limner new --images``: import the labels found with the image folders.

    Returns the lines to print and the exit status: 0, 3 when labels were imported with
    losses, 1 when found labels could not be read (the project itself is made either way).
    With ``skip`` (``--no-labels``) the labels are only named, as not imported.
    """
    from limner.models.workflow.label_import import import_labels
    from limner.models.workflow.labels_found import find_labels

    lines: list[str] = []
    code = EXIT_OK
    for found in find_labels(images):
        if skip:
            lines.append(f"{found.summary}: not imported (--no-labels)")
            continue
        fmt = found.choice.format
        try:
            result = import_labels(store, fmt.read(found.path), fmt.name)
        except (LimnerError, OSError) as exc:
            lines.append(f"{found.summary}: not imported: {exc}")
            code = EXIT_FAILED
            continue
        lines.append(f"labels: {result.summary()}; read {found.path} as {found.choice.summary}")
        lines.extend(f"  loss: {loss}" for loss in result.losses)
        if result.losses and code == EXIT_OK:
            code = EXIT_LOSSES
    return lines, code


HANDLERS = {"import": cmd_import, "export": cmd_export}
