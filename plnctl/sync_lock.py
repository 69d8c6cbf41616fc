"""One sync at a time per database: an exclusive ``flock`` on a file next to it, which the
kernel releases when the holder dies, even by SIGKILL."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from plnctl.errors import Busy

if TYPE_CHECKING:
    from plnctl.store import Store


def lock_path(store: Store) -> Path | None:
    """``<database>.sync-lock`` next to the database file; None for an in-memory database."""
    return store.path.with_name(store.path.name + ".sync-lock") if store.path else None


@contextmanager
def sync_lock(path: Path | None, *, wait: float) -> Iterator[int | None]:
    """Hold an exclusive ``flock`` on ``path`` (None: no lock, e.g. an in-memory database).

    Waits up to ``wait`` seconds for another holder, then raises Busy naming its pid. The
    kernel drops the lock when the holder dies, even by SIGKILL. Yields the file descriptor.
    """
    if path is None:
        yield None
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
                    raise Busy(
                        f"another plnctl sync is running (pid {holder}); try again later"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield fd
    finally:
        os.close(fd)  # releases the lock
