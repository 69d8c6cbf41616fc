"""The demo network (5 people, 10 posts, a question), synced once per session and copied into
each test's home, so reader tests start from real synced data without paying for a sync."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from plnctl.api import Pln, open_pln


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from plnctl.demo.run import run_demo

    where = tmp_path_factory.mktemp("demo")
    saved = os.environ.get("PLNCTL_HOME")
    os.environ["PLNCTL_HOME"] = str(where)  # never the real config
    try:
        # The feeds-only demo: these tests know its ten posts by id and count.
        run_demo(where / "demo.db", say=lambda _line: None, with_social=False).close()
    finally:
        if saved is None:
            os.environ.pop("PLNCTL_HOME", None)
        else:
            os.environ["PLNCTL_HOME"] = saved
    return where / "demo.db"


@pytest.fixture
def demo_db(demo_master: Path, db_path: Path) -> Path:
    """The demo database as the test home's default database (plain `plnctl` commands use it)."""
    with open_pln(demo_master) as pln:  # checkpoint: one self-contained file to copy
        pln.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(demo_master, db_path)
    return db_path


@pytest.fixture
def demo(demo_db: Path) -> Iterator[Pln]:
    with open_pln(demo_db) as pln:
        yield pln


@pytest.fixture
def recording_browser(tmp_path: Path) -> tuple[str, Path]:
    """A $BROWSER command that appends the URL it is given to a file: (command, that file)."""
    log = tmp_path / "opened.txt"
    script = tmp_path / "record-browser"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{log}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), log
