"""Reading a 1,000,000-post database: `post list` with every filter, digests, the reader, stats.

    python benchmarks/bench_db.py [--posts 1000000] [--people 1000] [--runs 5] [--rebuild]

The database comes from bench_search's generator (educator-blog text, 1,000 people, three
years, arrival times as a daily 06:00 sync leaves them), then gets what a year of use leaves:
each person's statuses on a second, Mastodon source, the starter taxonomy applied by
`topic rebuild`, everything read but 2 % of older posts and half of the last fortnight, one
post in 500 saved. It is cached under ``/tmp/plnctl-bench-db/`` keyed by its size and the day
it was made (``--since 1d`` needs today's posts); ``--rebuild`` makes a new one.

Each command runs as a new process (median of ``--runs`` after one warm-up); "beyond
start-up" subtracts the median of `plnctl --version` measured the same way.

Targets (issue 14): `post list` (any filter, first page) <= 100 ms beyond start-up;
`digest --since 1d` <= 0.5 s; the reader's first screen <= 0.5 s.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_search  # noqa: E402
from harness import log  # noqa: E402

CACHE = Path("/tmp/plnctl-bench-db")
GENERATOR_VERSION = 1
LIST_S, DIGEST_S, FIRST_SCREEN_S = 0.100, 0.5, 0.5


def database(posts: int, people: int, rebuild: bool) -> Path:
    day = datetime.now(UTC).strftime("%Y%m%d")
    path = (
        CACHE
        / f"db-{posts}-{people}-v{bench_search.GENERATOR_VERSION}.{GENERATOR_VERSION}-{day}.db"
    )
    if rebuild or not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        for old in CACHE.glob(f"db-{posts}-{people}-*.db*"):
            old.unlink()
        tmp = path.with_suffix(".tmp")
        log(f"generating {posts:,} posts over {people:,} people into {tmp} ...")
        bench_search.generate(tmp, posts, people)
        use(tmp, people)
        shutil.move(tmp, path)
    return path


def use(path: Path, people: int, seed: int = 14) -> None:
    """What a year of use leaves in the generated database (see the module docstring)."""
    from plnctl.api import open_pln

    started = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO sources (id, person_id, kind, url, handle, created_at) "
        "VALUES (?, ?, 'mastodon', ?, ?, '2024-01-01T00:00:00Z')",
        [
            (
                people + i,
                i,
                f"https://mastodon.example/@educator{i}",
                f"educator{i}@mastodon.example",
            )
            for i in range(1, people + 1)
        ],
    )
    conn.execute("UPDATE posts SET source_id = source_id + ? WHERE kind = 'status'", (people,))
    newest = conn.execute("SELECT max(fetched_at) FROM posts").fetchone()[0]
    fortnight = conn.execute(
        "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', ?, '-14 days')", (newest,)
    ).fetchone()[0]
    rng = random.Random(seed)
    read = []
    for post_id, old in conn.execute("SELECT id, fetched_at < ? FROM posts", (fortnight,)):
        if rng.random() < (0.98 if old else 0.5):
            read.append((post_id,))
    conn.executemany(
        "UPDATE posts SET read_at = strftime('%Y-%m-%dT%H:%M:%SZ', fetched_at, '+3 hours') "
        "WHERE id = ?",
        read,
    )
    conn.execute(
        "UPDATE posts SET saved_at = strftime('%Y-%m-%dT%H:%M:%SZ', fetched_at, '+4 hours') "
        "WHERE id % 500 = 0"
    )
    conn.execute("COMMIT")
    conn.close()
    log(f"  read state set: {len(read):,} read ({time.perf_counter() - started:.0f} s)")
    with open_pln(path) as pln:
        pln.topics.install_starter_taxonomy()
        pln.topics.rebuild()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    log(f"  tagged and analysed ({time.perf_counter() - started:.0f} s)")
