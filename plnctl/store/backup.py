"""Whole-database backups: a consistent copy out (``VACUUM INTO``), and a copy back into an
empty database (SQLite's backup API), migrated to this plnctl's schema."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from plnctl.errors import InvalidInput, NotAPlnDatabase, StorageError
from plnctl.store.connection import APPLICATION_ID, LATEST, Store, _header_says_ours, _migrate

# Tables whose rows make a database "not empty": what a user would lose by a restore.
_CONTENT_TABLES = ("people", "sources", "posts", "questions", "topics")


def write_backup(store: Store, path: Path) -> None:
    """A consistent, compacted copy of the database at ``path`` (atomically: a temporary
    file in the same directory, renamed). Readers and a running sync are not disturbed."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise InvalidInput(f"{path} is a directory: give a file name for the backup")
    if not path.parent.is_dir():
        raise InvalidInput(f"cannot write {path}: the directory {path.parent} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.unlink(tmp_name)  # VACUUM INTO wants a file that does not exist yet
    try:
        store.conn.execute("VACUUM INTO ?", (tmp_name,))
        with open(tmp_name, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except (sqlite3.Error, OSError) as e:
        Path(tmp_name).unlink(missing_ok=True)
        raise StorageError(f"cannot write the backup {path}: {e}") from None


def content_counts(store: Store) -> dict[str, int]:
    return {
        table: int(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        for table in _CONTENT_TABLES
    }


def restore_backup(store: Store, path: Path, *, replace: bool = False) -> dict[str, int]:
    """Replace the (empty, unless ``replace``) database with the plnctl backup at ``path``;
    returns what it now holds. A file that is not a plnctl database is refused untouched."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise InvalidInput(f"cannot read {path}: no such file")
    if not _header_says_ours(path):
        raise NotAPlnDatabase(f"{path} is not a plnctl backup (not a plnctl database)")
    held = {k: v for k, v in content_counts(store).items() if v}
    if held and not replace:
        what = ", ".join(f"{count} {table}" for table, count in held.items())
        raise InvalidInput(
            f"this database is not empty ({what}); restore into a new one with --db NEW.db, "
            f"or add --replace to overwrite it"
        )
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise StorageError(f"cannot open the backup {path}: {e}") from None
    try:
        _check_backup(source, path)
        source.backup(store.conn)
    except sqlite3.Error as e:
        raise StorageError(f"cannot restore {path}: {e}") from None
    finally:
        source.close()
    if store.path is not None:
        store.conn.execute("PRAGMA journal_mode = WAL")  # the copied header says rollback
    _migrate(store.conn)  # a backup from an older plnctl gets this one's schema
    return content_counts(store)


def _check_backup(source: sqlite3.Connection, path: Path) -> None:
    app_id = source.execute("PRAGMA application_id").fetchone()[0]
    version = source.execute("PRAGMA user_version").fetchone()[0]
    if app_id != APPLICATION_ID:
        raise NotAPlnDatabase(f"{path} is not a plnctl backup")
    if version > LATEST:
        raise StorageError(
            f"{path} was written by a newer plnctl (schema {version}, this one knows {LATEST}); "
            f"upgrade plnctl to restore it"
        )
    check = source.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise StorageError(f"{path} is damaged ({check}); it was not restored")
