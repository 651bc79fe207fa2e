"""An old project worth migrating, and what a migration of it must keep.

``tests/fixtures/baseline_0001.limner`` is a project at the first schema (0001); copied and
grown here with plain SQL of that schema (no limner code, so it stays what an old limner
left on disk) to a few thousand images and annotations, its migration takes long enough
for a kill or a second opener to land inside it. :func:`content` reads the rows every
schema has, keyed by uuid, so the file before and after a migration can be compared.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "baseline_0001.limner"
STAMP = "2026-01-01T00:00:00.000+00:00"
Content = dict[str, dict[str, tuple]]


def make_old_project(db_file: Path, images: int = 1500, per_image: int = 10) -> Path:
    """A copy of the baseline fixture at ``db_file``, grown to ``images`` more images."""
    shutil.copy(FIXTURE, db_file)
    grow_old_project(db_file, images, per_image)
    return db_file


def grow_old_project(db_file: Path, images: int = 1500, per_image: int = 10) -> None:
    """Add rows to a schema-0001 file with that schema's own SQL (no limner code)."""
    con = sqlite3.connect(db_file)
    con.executemany(
        "INSERT INTO image(id, uuid, name, path, content_hash, width, height, format,"
        " size_bytes, status, error, position, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                100 + i,
                f"10000000-0000-4000-8000-{i:012d}",
                f"x{i}.png",
                f"/nowhere/x{i}.png",
                f"{i:064x}",
                64,
                48,
                "PNG",
                999,
                "new",
                None,
                10 + i,
                STAMP,
            )
            for i in range(images)
        ],
    )
    con.executemany(
        "INSERT INTO annotation(uuid, image_id, class_id, kind, geometry, x0, y0, x1, y1,"
        " author, source, created_at, updated_at, deleted, rev)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                f"20000000-0000-4000-8000-{n:012d}",
                100 + n % images,
                1 + n % 2,
                "box",
                f'{{"kind":"box","x0":{n % 50},"y0":1,"x1":{n % 50 + 3},"y1":9}}',
                n % 50,
                1,
                n % 50 + 3,
                9,
                "alice",
                "manual",
                STAMP,
                STAMP,
                int(n % 9 == 0),
                1,
            )
            for n in range(images * per_image)
        ],
    )
    con.commit()
    con.close()


def content(db_file: Path) -> Content:
    """The rows a migration must keep, keyed by uuid (columns every schema has)."""
    con = sqlite3.connect(db_file)
    try:
        return {
            "image": {
                r[0]: r[1:]
                for r in con.execute(
                    "SELECT uuid, name, path, content_hash, width, height, status FROM image"
                )
            },
            "class": {r[0]: r[1:] for r in con.execute("SELECT uuid, name, kind FROM label_class")},
            "annotation": {
                r[0]: r[1:]
                for r in con.execute(
                    "SELECT a.uuid, i.uuid, a.class_id, a.geometry, a.deleted, a.rev"
                    " FROM annotation a JOIN image i ON i.id = a.image_id"
                )
            },
        }
    finally:
        con.close()


def differences(before: Content, after: Content) -> tuple[list[str], int]:
    """What the migration lost, added or changed, in words, and how many rows that is."""
    found, rows_off = [], 0
    for table, rows in before.items():
        now = after.get(table, {})
        missing = [u for u in rows if u not in now]
        changed = [u for u in rows if u in now and now[u] != rows[u]]
        extra = [u for u in now if u not in rows]
        for what, uuids in (("missing", missing), ("changed", changed), ("extra", extra)):
            if uuids:
                found.append(f"{len(uuids)} {table} rows {what}, e.g. {uuids[0]}")
                rows_off += len(uuids)
    return found, rows_off


def disk_revision(db_file: Path) -> str:
    con = sqlite3.connect(db_file)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()
