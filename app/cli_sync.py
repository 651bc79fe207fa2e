"""The sync commands: ``clone``, ``remote add``, ``sync``, ``token set``, ``conflicts``.

Tokens never come from the command line: they are read from the OS keyring (saved by
``limner token set`` or the Connect dialog) or from the environment variable named by
``--token-env``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time

from limner.app.cli_publish import cmd_remote_add
from limner.models.errors import LimnerError
from limner.models.store import sync_store
from limner.models.store.store import ProjectStore
from limner.sync import credentials
from limner.sync.engine import SyncEngine, SyncReport, resolve_conflict
from limner.sync.factory import check_base_url, make_adapter


def _settings(pairs: list[str]) -> dict[str, object]:
    """``--set KEY=VALUE`` options as a dict; values are JSON when they parse as JSON."""
    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise LimnerError(f"--set needs KEY=VALUE, got {pair!r}")
        try:
            out[key.strip()] = json.loads(value)
        except ValueError:
            out[key.strip()] = value
    return out


def _token(kind: str, url: str, env_name: str | None) -> str:
    if env_name:
        value = os.environ.get(env_name, "").strip()
        if not value:
            raise LimnerError(f"the environment variable {env_name} is empty or not set")
        return value
    value = credentials.load_token(kind, url)
    if not value:
        raise LimnerError(
            f"no token saved for {url}: run 'limner token set --kind {kind} --url {url}' "
            "or pass --token-env NAME"
        )
    return value


def _progress(stage: str, done: int, total: int | None) -> None:
    if not sys.stderr.isatty():
        return
    text = f"{stage} {done}/{total}" if total else f"{stage} {done}"
    print(f"\r{text:<40}", end="", file=sys.stderr, flush=True)


def _print_report(report: SyncReport, as_json: bool) -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if as_json:
        print(json.dumps(report.to_json(), indent=2, sort_keys=True))
        return
    print(
        f"{report.state}: pulled {report.pulled_images} images "
        f"(+{report.created} ~{report.updated} -{report.deleted} annotations), "
        f"pushed {report.pushed_images}, downloaded {report.downloaded}, "
        f"pending {report.pending}, conflicts {report.conflicts}"
    )
    if report.message:
        print(f"  {report.message}")
    for problem in report.problems:
        where = problem.get("remote_key") or problem.get("local_key") or ""
        print(f"  {problem['kind']}: {problem.get('image') or ''} {where}: {problem['message']}")


def _run(store: ProjectStore, remote: sync_store.RemoteRecord, token: str) -> SyncReport:
    adapter = make_adapter(
        remote.kind, remote.base_url, remote.project_ref, token, settings=remote.settings
    )
    try:
        return SyncEngine(store, remote.id, adapter).run_once(progress=_progress)
    finally:
        adapter.close()


def _exit_code(report: SyncReport) -> int:
    """0 in sync; 3 in sync except for kept items limner cannot represent; 1 otherwise."""
    return report.exit_code


def _only_remote(store: ProjectStore) -> sync_store.RemoteRecord:
    with store.read() as conn:
        found = sync_store.remotes(conn)
    if not found:
        raise LimnerError(f"{store.folder} has no remote: use 'limner remote add'")
    return found[0]


def cmd_clone(args: argparse.Namespace) -> int:
    args.url = check_base_url(args.url)  # before anything is made
    token = _token(args.kind, args.url, args.token_env)
    settings = _settings(args.set)
    store = ProjectStore.create(args.path)
    with store.transaction(origin="settings") as (conn, _changes):
        sync_store.add_remote(conn, args.kind, args.url, args.project, settings=settings)
    remote = _only_remote(store)
    report = _run(store, remote, token)
    _print_report(report, args.json)
    store.close()
    return _exit_code(report)


def cmd_remote(args: argparse.Namespace) -> int:
    with ProjectStore.open(args.path) as store:
        if args.remote_command == "list":
            with store.read() as conn:
                for r in sync_store.remotes(conn):
                    print(f"{r.id}  {r.kind}  {r.base_url}  project {r.project_ref}")
            return 0
        args.url = check_base_url(args.url)
        token = _token(args.kind, args.url, args.token_env)
    code = cmd_remote_add(args, token, _settings(args.set), _run, _print_report)
    if code >= 0:
        return code
    with ProjectStore.open(args.path) as store:
        with store.read() as conn:
            if sync_store.remotes(conn):
                raise LimnerError("this project has a remote already")
        with store.transaction(origin="settings") as (conn, _changes):
            sync_store.add_remote(
                conn, args.kind, args.url, args.project, settings=_settings(args.set)
            )
        print(f"{args.path} now syncs with {args.url} project {args.project}")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    with ProjectStore.open(args.path) as store:
        remote = _only_remote(store)
        token = _token(remote.kind, remote.base_url, args.token_env)
        while True:
            report = _run(store, remote, token)
            _print_report(report, args.json)
            if args.once or report.state in ("auth", "tls"):  # waiting fixes neither
                return _exit_code(report)
            time.sleep(args.interval)


def cmd_token(args: argparse.Namespace) -> int:
    args.url = check_base_url(args.url)
    if sys.stdin.isatty():
        value = getpass.getpass(f"token for {args.url}: ")
    else:
        value = sys.stdin.readline()
    value = value.strip()
    if not value:
        raise LimnerError("no token given")
    where = credentials.store_token(args.kind, args.url, value)
    print(f"token saved ({where})")
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    with ProjectStore.open(args.path) as store:
        if args.resolve is not None:
            if not args.take:
                raise LimnerError("say which version to keep with --take mine|theirs|both")
            resolve_conflict(store, args.resolve, args.take)
            print(f"conflict {args.resolve} resolved: {args.take}")
            return 0
        with store.read() as conn:
            found = sync_store.open_conflicts(conn)
        for c in found:
            print(f"{c.id}  {c.entity} {c.local_key}  {c.detail}")
        if not found:
            print("no conflicts")
    return 0


HANDLERS = {
    "clone": cmd_clone,
    "remote": cmd_remote,
    "sync": cmd_sync,
    "token": cmd_token,
    "conflicts": cmd_conflicts,
}
