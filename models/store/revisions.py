"""The schema revisions this limner knows, read from its migration files without Alembic.

Opening a project at today's schema only needs to compare its ``alembic_version`` with the
newest revision; importing Alembic to learn that cost more than everything else ``limner
info`` does (0.4 s). So the revision graph is read here from the ``revision`` and
``down_revision`` lines every migration file carries, and Alembic is imported only to
actually migrate. ``tests/models/test_revisions.py`` checks that both agree.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from limner.models.errors import StoreError

_LINE = re.compile(r'^(revision|down_revision)\s*=\s*(?:"([^"]*)"|None)\s*$', re.MULTILINE)


@functools.cache
def revision_graph() -> dict[str, str | None]:
    """{revision: the revision it revises (None for the first)} of every migration file."""
    graph: dict[str, str | None] = {}
    folder = resources.files("limner.models.store") / "migrations" / "versions"
    for entry in folder.iterdir():
        if not entry.name.endswith(".py") or entry.name.startswith("__"):
            continue
        found = {key: value or None for key, value in _LINE.findall(entry.read_text("utf-8"))}
        if "revision" in found and found["revision"] is not None:
            graph[found["revision"]] = found.get("down_revision")
    return graph


def known_revisions() -> frozenset[str]:
    return frozenset(revision_graph())


@functools.cache
def head_revision() -> str:
    graph = revision_graph()
    heads = set(graph) - {down for down in graph.values() if down is not None}
    if len(heads) != 1:
        raise StoreError(f"limner was installed without one line of migrations ({sorted(heads)})")
    return heads.pop()
