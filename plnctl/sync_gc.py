"""The garbage collector during a sync: scan only what the sync itself creates, and rarely.

A sync decodes thousands of JSON objects per second (a 100-post Bluesky or Mastodon page is
~2,000 dicts and lists), and CPython's default thresholds start a collection every 700 new
containers; each older-generation pass then walks every object the process holds (the CLI,
typer, httpx, the settings, every imported module), none of which a sync can free. Measured
on an incremental sync of 300 Bluesky accounts (benchmarks/bench_bluesky.py): ~600 young and
5 full collections, 0.1-0.2 s of a ~1.5 s run; with the objects alive at the start frozen and
a young threshold of ``YOUNG``, two collections and a few milliseconds.

The sync makes few reference cycles (asyncio futures and exceptions), so collecting less
often keeps memory flat; the frozen objects are handed back to the collector afterwards.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 50_000  # new containers between young collections during a sync (CPython: 700)

_lock = threading.Lock()
_active = 0  # syncs running in this process (threads of a program that embeds the API)
_saved = (gc.get_threshold(), False)  # the thresholds before the first sync, and "we froze"


@contextmanager
def collecting_less() -> Iterator[None]:
    """The first sync to start tunes the collector; the last to end restores it. Objects a
    program froze itself stay frozen (we freeze only when nothing is)."""
    global _active, _saved
    with _lock:
        if _active == 0:
            old, ours = gc.get_threshold(), gc.get_freeze_count() == 0
            if ours:
                gc.freeze()  # what exists now (modules, CLI, settings) is never scanned again
            gc.set_threshold(max(old[0], YOUNG), *old[1:])
            _saved = (old, ours)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                old, ours = _saved
                gc.set_threshold(*old)
                if ours:
                    gc.unfreeze()
