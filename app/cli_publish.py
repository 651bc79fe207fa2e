"""``limner remote add`` for a project that started offline: publish it, then sync.

Adding a remote publishes: the server project is made (``--create TITLE``) or taken
(``--project ID``), every local image the server does not hold is sent, and one normal
sync run sends the labels, statuses and reviews. Running the same command again after a
crash or an interrupt continues where the first stopped (the remote is already stored;
publishing finds what arrived by the image ids on the server). A server whose API gives
no way to add images is refused before anything is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from limner.models.errors import LimnerError
from limner.models.store import queries, sync_store
from limner.models.store.store import ProjectStore
from limner.sync.engine import EXIT_ERROR, SyncReport
from limner.sync.factory import KIND_NAMES, check_base_url
from limner.sync.publish import (
    Publisher,
    PublishError,
    PublishReport,
    create_refusal,
    publish_refusal,
)


def _local_only(store: ProjectStore) -> int:
    with store.read() as conn:
        total = queries.image_count(conn)
        linked = sum(len(sync_store.all_links(conn, r.id)) for r in sync_store.remotes(conn))
    return total - linked


def _remote_for(store: ProjectStore, args: argparse.Namespace) -> sync_store.RemoteRecord | None:
    """The remote a repeated ``remote add`` continues with, or None for a first one."""
    with store.read() as conn:
        found = sync_store.remotes(conn)
    if not found:
        return None
    remote = found[0]
    same = remote.kind == args.kind and check_base_url(remote.base_url) == args.url
    if not same or (args.project and str(args.project) != remote.project_ref):
        raise LimnerError("this project has a remote already")
    return remote


def _labelstudio_remote(
    store: ProjectStore, args: argparse.Namespace, token: str, settings: dict[str, Any]
) -> tuple[sync_store.RemoteRecord, Any, list[str]]:
    from limner.sync.adapters.labelstudio_publish import open_publish

    remote = _remote_for(store, args)
    return open_publish(
        store,
        args.url,
        token,
        project=args.project,
        title=args.create,
        remote=remote,
        settings=settings,
    )


def _by_project(
    store: ProjectStore, args: argparse.Namespace, token: str, settings: dict[str, Any]
) -> tuple[sync_store.RemoteRecord, Any, list[str]]:
    """Hasty and Clarifai: publishing into a project (app) made on the server first."""
    if args.kind == "hasty":
        from limner.sync.adapters.hasty_publish import open_publish
    else:
        from limner.sync.adapters.clarifai_publish import open_publish

    remote = _remote_for(store, args)
    return open_publish(
        store, args.url, token, project=str(args.project), remote=remote, settings=settings
    )


def print_publish(report: PublishReport, notes: list[str], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"publish": report.to_json(), "notes": notes}, indent=2, sort_keys=True))
        return
    for note in notes + report.notes:
        print(f"  {note}")
    print(
        f"published: {len(report.sent)} images sent, {len(report.already)} already there, "
        f"{len(report.refused)} refused" + (" (cancelled)" if report.cancelled else "")
    )
    if report.resumed:
        print(f"  continued a stopped publish ({report.resumed} images were in flight)")
    for name, rule in report.already:
        print(f"  already there: {name} (matched by {rule})")
    for name, why in report.refused:
        print(f"  refused: {name}: {why}")


def cmd_remote_add(
    args: argparse.Namespace,
    token: str,
    settings: dict[str, Any],
    run: Any,
    print_report: Any,
) -> int:
    """Add (or continue adding) a remote and publish the project to it."""
    if not args.project and not args.create:
        raise LimnerError("say which server project: --project ID or --create TITLE")
    with ProjectStore.open(args.path) as store:
        label = KIND_NAMES.get(args.kind, args.kind)
        refusal = publish_refusal(args.kind)
        if refusal and (args.create or _local_only(store)):
            raise PublishError(f"cannot publish to {label}: {refusal}")
        if args.create and create_refusal(args.kind):
            raise PublishError(f"cannot publish to {label}: {create_refusal(args.kind)}")
        if args.kind == "labelstudio":
            remote, target, notes = _labelstudio_remote(store, args, token, settings)
        elif args.kind in ("hasty", "clarifai"):
            remote, target, notes = _by_project(store, args, token, settings)
        else:
            return -1  # nothing to publish: the caller only records the remote
        try:
            report = Publisher(store, remote.id, target).run(progress=_progress)
        finally:
            target.close()
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print_publish(report, notes, args.json)
        sync: SyncReport = run(store, remote, token)
        print_report(sync, args.json)
        code = sync.exit_code
        return EXIT_ERROR if report.refused or report.cancelled else code


def _progress(stage: str, done: int, total: int | None) -> None:
    if sys.stderr.isatty():
        text = f"{stage} {done}/{total}" if total else f"{stage} {done}"
        print(f"\r{text:<40}", end="", file=sys.stderr, flush=True)
