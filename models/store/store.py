"""The project store: one SQLite file per project, opened through SQLAlchemy 2.

A project is a folder holding ``project.limner``. The database runs in WAL mode with
foreign keys on and ``synchronous=FULL``: every commit is flushed to the disk before it
returns, so a committed edit survives a crash of the application and a power cut alike,
which is what makes "no Save button" safe (``NORMAL`` in WAL mode survives the first but
may lose the last commits to the second). Every write goes through
:meth:`ProjectStore.transaction`, which also collects what changed so listeners (the
canvas, the image list, later the sync engine) hear about it once the commit succeeded.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.exc import DBAPIError, OperationalError

from limner.models.errors import StoreError
from limner.models.store import revisions, schema
from limner.models.store.access import (
    NewerProjectError,
    ReadOnlyProjectError,
    check_readable,
    db_problem,
    disk_is_full,
    read_only_reason,
    read_only_uri,
    write_failure,
)

PROJECT_FILE = "project.limner"
SCHEMA_HEAD_KEY = "schema"
BUSY_TIMEOUT_MS = 10_000
"""How long a write waits for another connection's transaction before it gives up."""
SYNCHRONOUS = "FULL"
"""SQLite's durability level for new connections; the benchmarks compare it with NORMAL."""


@dataclass(slots=True)
class ChangeSet:
    """What one committed transaction changed; handed to every listener after commit."""

    annotations: dict[int, set[str]] = field(default_factory=dict)  # image id -> uuids
    images: set[int] = field(default_factory=set)
    images_added: int = 0
    classes: bool = False
    suggestions: set[int] = field(default_factory=set)  # images whose suggestions changed
    origin: str = "user"

    def touch_annotation(self, image_id: int, uuid: str) -> None:
        self.annotations.setdefault(image_id, set()).add(uuid)

    @property
    def empty(self) -> bool:
        return not (
            self.annotations or self.images or self.images_added or self.classes or self.suggestions
        )


Listener = Callable[[ChangeSet], None]


def resolve_project_file(path: str | Path) -> Path:
    """Accept a project folder or its ``project.limner`` file and return the file."""
    p = Path(path).expanduser()
    if p.suffix == ".limner" and not p.is_dir():
        return p
    return p / PROJECT_FILE


def _migrations_dir() -> str:
    return str(resources.files("limner.models.store") / "migrations")


def _alembic_config(connection: Connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config  # only to migrate: Alembic takes 0.4 s to import

    cfg = Config()
    cfg.set_main_option("script_location", _migrations_dir())
    cfg.attributes["connection"] = connection
    return cfg


def _head_revision() -> str:
    return revisions.head_revision()


def _known_revisions() -> frozenset[str]:
    return revisions.known_revisions()


def make_engine(db_file: Path, *, read_only: bool = False) -> Engine:
    """An engine with the pragmas limner relies on set on every new connection.

    ``read_only`` opens the file through a read-only SQLite URI and forbids writes on
    every connection, so nothing (not even the WAL switch) writes to it or beside it.
    """
    if read_only:
        uri = read_only_uri(db_file)
        engine = create_engine(
            f"sqlite:///{db_file}",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
        )
    else:
        engine = create_engine(f"sqlite:///{db_file}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is lazy and
        # would let a read turn into a write lock upgrade).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        # The wait comes first: switching a file to WAL needs a lock another process may hold.
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if read_only:
            cur.execute("PRAGMA query_only=ON")
        else:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("limner_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


MIGRATION_WAIT_MS = 600_000
"""How long an opener waits for another process's migration of the same project."""


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` with Alembic (no-op when it is there already).

    The whole upgrade is one ``BEGIN IMMEDIATE`` transaction: the write lock is taken
    before the version is read, so a second process opening the same old project waits
    for the first one's migration, then reads the new version and has nothing to do. A
    migration killed half-way rolls back to the old schema as a whole.
    """
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection  # a pragma here must not open a transaction
        assert raw is not None
        raw.execute(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")
        try:
            with conn.execution_options(limner_write=True).begin():
                from alembic import command as alembic_command

                alembic_command.upgrade(_alembic_config(conn), revision)
        except OperationalError as exc:
            if "locked" not in str(exc.orig):
                raise
            raise StoreError(
                "another program kept the project locked while limner wanted to upgrade it; "
                "close it there and try again"
            ) from exc
        finally:
            raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def current_revision(engine: Engine) -> str | None:
    """The project's schema revision; None if it has none (not a limner project)."""
    with engine.connect() as conn:
        names = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchall()
        if not names:
            return None
        rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
    if len(rows) > 1:
        raise StoreError(f"the project has {len(rows)} schema versions; it was damaged")
    return rows[0][0] if rows else None


def _bring_to_head(engine: Engine, db_file: Path, read_only: str | None) -> None:
    """Check the schema version of an opened file and migrate it to today's, if allowed."""
    try:
        rev = current_revision(engine)
    except DBAPIError as exc:
        raise StoreError(f"cannot open {db_file}: {db_problem(exc)}") from exc
    if rev is None:
        raise StoreError(f"{db_file} is not a limner project (no schema version)")
    if rev not in _known_revisions():
        raise NewerProjectError(
            f"this project was made by a newer limner (schema {rev}); "
            f"upgrade limner to open it ({db_file} was left untouched)"
        )
    if rev == _head_revision():
        return
    if read_only is not None:
        raise ReadOnlyProjectError(
            f"{db_file} was made by an older limner (schema {rev}) and must be upgraded "
            f"to open, but {read_only}; copy the folder somewhere writable and open the copy"
        )
    try:
        upgrade_database(engine)
    except DBAPIError as exc:
        raise StoreError(f"cannot upgrade {db_file}: {db_problem(exc)}") from exc


class ProjectStore:
    """Owns the engine of one project and the listeners of its changes.

    Use :meth:`create` or :meth:`open`. Reads go through ``models.queries`` with a
    connection from :meth:`read`; writes through ``models.store.tx.Tx`` inside
    :meth:`transaction`. A project that cannot be written opens read-only: reads work,
    :attr:`read_only_message` says why edits are off (for a banner), and every write
    raises :class:`ReadOnlyProjectError` with that message. Database failures reach
    callers as one-line :class:`StoreError` messages naming the file and the cause.
    """

    def __init__(
        self, db_file: Path, engine: Engine, *, read_only_reason: str | None = None
    ) -> None:
        self.db_file = db_file
        self.folder = db_file.parent
        self.engine = engine
        self.read_only_reason = read_only_reason
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    @property
    def read_only_message(self) -> str | None:
        """What the window shows as a banner when edits are off, else None."""
        if self.read_only_reason is None:
            return None
        return f"this project is read-only ({self.read_only_reason}): edits are off"

    # -- opening ---------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, *, name: str | None = None) -> ProjectStore:
        db_file = resolve_project_file(path)
        if db_file.exists():
            raise StoreError(f"a project already exists at {db_file.parent}")
        try:
            db_file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder {db_file.parent}: {exc}") from exc
        store = cls(db_file, make_engine(db_file))
        try:
            upgrade_database(store.engine)
            with store.transaction(origin="settings") as (conn, _changes):
                conn.execute(
                    schema.meta.insert(), [{"key": "name", "value": name or db_file.parent.name}]
                )
        except DBAPIError as exc:
            store.close()
            raise StoreError(f"cannot create a project at {db_file}: {db_problem(exc)}") from exc
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def open(cls, path: str | Path) -> ProjectStore:
        db_file = resolve_project_file(path)
        check_readable(db_file, path)
        reason = read_only_reason(db_file)
        engine = make_engine(db_file, read_only=reason is not None)
        try:
            _bring_to_head(engine, db_file, reason)
        except BaseException:
            engine.dispose()
            raise
        return cls(db_file, engine, read_only_reason=reason)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> ProjectStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading and writing ---------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except DBAPIError as exc:
            raise StoreError(f"cannot read {self.db_file}: {db_problem(exc)}") from exc

    @contextmanager
    def transaction(self, origin: str = "user") -> Iterator[tuple[Connection, ChangeSet]]:
        """One write transaction; listeners hear of its changes only after it committed."""
        if self.read_only_message is not None:
            raise ReadOnlyProjectError(self.read_only_message)
        changes = ChangeSet(origin=origin)
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(limner_write=True)
                with conn.begin():
                    yield conn, changes
        except DBAPIError as exc:
            raise write_failure(self.db_file, exc) from exc
        except OSError as exc:  # a file the change writes met a full disk
            if not disk_is_full(exc):
                raise
            raise write_failure(self.db_file, exc) from exc
        if not changes.empty:
            self._emit(changes)

    # -- listeners -------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, changes: ChangeSet) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(changes)

    # -- small settings --------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self.read() as conn:
            value = conn.execute(
                select(schema.meta.c.value).where(schema.meta.c.key == key)
            ).scalar_one_or_none()
        return default if value is None else value

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction(origin="settings") as (conn, _changes):
            conn.execute(schema.meta.delete().where(schema.meta.c.key == key))
            conn.execute(schema.meta.insert().values(key=key, value=value))

    @property
    def name(self) -> str:
        return self.get_meta("name") or self.folder.name
