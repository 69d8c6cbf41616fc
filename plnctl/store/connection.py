"""Opening the database: identity check, pragmas, migrations, transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from plnctl.errors import Busy, NotAPlnDatabase, PlnError, StorageError

# A post is ~7 KB (its HTML and its text): with SQLite's 4,096-byte pages every one spilled into
# overflow pages. 16 KiB pages hold it whole; storing a cold sync's 4,000 posts took ~20 % less
# CPU (issue 14). New databases only: converting one means rewriting it (VACUUM).
PAGE_SIZE = 16_384
WAL_CHECKPOINT_BYTES = 4 << 20
# 'PLNC': marks the file as ours in the SQLite header (PRAGMA application_id).
APPLICATION_ID = 0x504C4E43
# Number of migrations in plnctl.store.schema; lets an up-to-date database open without
# importing sqlite-utils (about 50 ms of start-up).
LATEST = 27
BUSY_TIMEOUT_MS = 5000
Progress = Callable[[str, int, int], None]  # label, done, total


class Store:
    """One SQLite connection with plnctl's schema. The only place that speaks SQL is store/."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None):
        self.conn = conn
        self.path = path

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE .. COMMIT; rolls back on any exception. Nested calls join the outer."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def open_store(path: str | Path, *, create: bool = True, progress: Progress | None = None) -> Store:
    """Open (and create or migrate) a plnctl database. ``":memory:"`` works for tests.

    A file that is not a plnctl database is refused before anything is written to it. A
    migration that re-indexes every post calls ``progress(label, done, total)`` as it goes.
    """
    memory = str(path) == ":memory:"
    file_path = None if memory else Path(path)
    empty = file_path is not None and (not file_path.exists() or file_path.stat().st_size == 0)
    if file_path is not None:
        if file_path.is_dir():
            raise StorageError(f"{file_path} is a directory, not a database file")
        if not file_path.exists():
            if not create:
                raise StorageError(f"no database at {file_path}")
            file_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(
            str(path),
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
    except sqlite3.Error as e:
        raise StorageError(f"cannot open {path}") from e
    try:
        _check_identity(conn, path)
        _configure(conn, memory=memory, empty=empty)
        _migrate(conn, progress)
    except sqlite3.DatabaseError as e:
        conn.close()
        raise StorageError(f"cannot use database {path}") from e
    except BaseException:
        conn.close()
        raise
    return Store(conn, file_path)


def _check_identity(conn: sqlite3.Connection, path: str | Path) -> None:
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as e:
        if _header_says_ours(path):
            raise translate_error(e, Path(path)) or StorageError(str(e)) from None
        raise NotAPlnDatabase(f"{path} is not a plnctl database (not SQLite: {e})") from None
    if app_id != APPLICATION_ID and tables:
        raise NotAPlnDatabase(
            f"{path} is an SQLite database of another program; plnctl left it untouched"
        )


def _header_says_ours(path: str | Path) -> bool:
    """The file starts with SQLite's magic and carries our application id (bytes 68-71)."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(72)
    except OSError:
        return False
    return header[:16] == b"SQLite format 3\x00" and header[68:72] == APPLICATION_ID.to_bytes(
        4, "big"
    )


def _configure(conn: sqlite3.Connection, *, memory: bool, empty: bool) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if empty:  # only a new file takes it; an existing database keeps its pages
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    if not memory:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        # Checkpoint every ~4 MB of WAL, as SQLite's 1,000 pages of 4 KiB do: at 16 KiB pages
        # the default let 16 MB wait, and the last connection's close copied it all at the end
        # of a sync (~25 ms of a cold sync's 1.4 s; ~6 ms at 4 MB).
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute(f"PRAGMA wal_autocheckpoint = {max(100, WAL_CHECKPOINT_BYTES // page_size)}")


def _migrate(conn: sqlite3.Connection, progress: Progress | None = None) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == LATEST:
        return
    if version > LATEST:
        raise StorageError(
            f"this database was written by a newer plnctl (schema {version}, this one knows "
            f"{LATEST}); upgrade plnctl"
        )
    from sqlite_utils import Database

    from plnctl.store import schema
    from plnctl.store.schema import migrations

    db = Database(conn, recursive_triggers=False, execute_plugins=False)
    # Foreign keys are off while migrating (SQLite ignores the pragma inside a transaction):
    # a migration that rebuilds a table drops the old one, and with foreign keys on that drop
    # would cascade into every table that points at it. They are checked before committing.
    conn.execute("PRAGMA foreign_keys = OFF")
    # Lock out a concurrent opener while migrating: two processes must not both apply 0001.
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] == LATEST:
            conn.execute("COMMIT")
            return
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        schema.progress = progress
        try:
            migrations.apply(db)  # nested: each migration runs in a savepoint of this transaction
        finally:
            schema.progress = None
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise StorageError(
                f"a migration left {len(broken)} broken references (first: {broken[0]}); "
                "nothing was changed"
            )
        applied = len(migrations.applied(db))
        conn.execute(f"PRAGMA user_version = {applied}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def translate_error(error: BaseException, path: Path | None) -> PlnError | None:
    """A plnctl error for an SQLite error that escaped a store call (None if it is not one)."""
    if not isinstance(error, sqlite3.Error):
        return None
    where = f" {path}" if path else ""
    text = str(error)
    if isinstance(error, sqlite3.OperationalError) and "locked" in text:
        return Busy(f"the database{where} is busy (locked by another plnctl); try again")
    if isinstance(error, sqlite3.DatabaseError) and (
        "malformed" in text or "not a database" in text or "corrupt" in text
    ):
        return StorageError(
            f"the database{where} is damaged ({text}); restore a backup, or rescue what is left "
            f"with: sqlite3 OLD.db .recover | sqlite3 NEW.db"
        )
    if isinstance(error, sqlite3.OperationalError) and "readonly" in text:
        return StorageError(
            f"cannot write to the database{where}: it is read-only; check the permissions of "
            "the file and its directory, or use another --db"
        )
    if isinstance(error, sqlite3.OperationalError) and "disk is full" in text:
        return StorageError(
            f"the disk holding the database{where} is full; free some space and run it again "
            "(nothing stored was lost)"
        )
    if isinstance(error, sqlite3.IntegrityError):  # its text names tables and columns
        return StorageError(
            f"the database{where} refused a change that conflicts with what it holds (a "
            "duplicate or a missing row); nothing was changed. Run it again with -vv for "
            "details, and report it if it repeats"
        )
    return StorageError(f"database error{where}: {text}")
