"""Reading a 1,000,000-post database: `post list` with every filter, digests, the reader, stats.

    python benchmarks/bench_db.py [--posts 1000000] [--people 1000] [--runs 5] [--rebuild]
                                  [--db PATH]

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

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_search  # noqa: E402
from harness import BIN, fmt_s, log, md_table, measure  # noqa: E402

CACHE = Path("/tmp/plnctl-bench-db")
GENERATOR_VERSION = 2  # 2: boosts, replies, mentions and links
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
    facets(conn)
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


def facets(conn: sqlite3.Connection) -> None:
    """What statuses and articles carry and `person suggest` and the digest's "worth
    following" count: a tenth of statuses boost someone (a third of those someone in the
    network), a seventh reply, a third mention one or two accounts outside the network; every
    article links out once, a third of them twice (1 site in 5,000, a long tail)."""
    outsider = "'outsider' || (abs(random()) % 3000) || '@elsewhere.example'"
    conn.execute(
        f"""UPDATE posts SET boost_of_handle = CASE WHEN id % 3 = 0
            THEN 'educator' || (1 + id % 1000) || '@mastodon.example' ELSE {outsider} END,
            boost_of_url = 'https://elsewhere.example/s/' || id
            WHERE kind = 'status' AND id % 10 = 3"""
    )
    conn.execute(
        f"""UPDATE posts SET in_reply_to_handle = {outsider},
            in_reply_to = 'https://elsewhere.example/@outsider' || (id % 3000) || '/' || id
            WHERE kind = 'status' AND id % 7 = 2"""
    )
    for k in (0, 1):
        conn.execute(
            f"""INSERT OR IGNORE INTO post_mentions (post_id, handle) SELECT id, {outsider}
                FROM posts WHERE kind = 'status' AND id % 3 = 0 AND (id % 2 = 0 OR {k} = 0)"""
        )
    conn.execute(
        """INSERT OR IGNORE INTO post_links (post_id, url)
           SELECT id, 'https://site' || (abs(random()) % 5000) || '.example/' || id FROM posts
           WHERE kind = 'article'"""
    )
    conn.execute(
        """INSERT OR IGNORE INTO post_links (post_id, url)
           SELECT id, 'https://site' || (abs(random()) % 5000) || '.example/x' || id FROM posts
           WHERE kind = 'article' AND id % 3 = 0"""
    )


# --- measurements -------------------------------------------------------------------------------


def cases(db: Path) -> list[tuple[str, list[str], float | None]]:
    """(label, plnctl arguments, target beyond start-up) for each timed command."""
    conn = sqlite3.connect(db)
    ranked = conn.execute(
        "SELECT t.name FROM topics t JOIN (SELECT topic_id, count(*) AS n FROM post_topics "
        "GROUP BY topic_id) x ON x.topic_id = t.id ORDER BY x.n DESC"
    ).fetchall()
    empty = conn.execute(
        "SELECT name FROM topics WHERE id NOT IN (SELECT topic_id FROM post_topics) LIMIT 1"
    ).fetchone()[0]
    conn.close()
    big, small = ranked[0], ranked[-1]
    page = ["post", "list", "--limit", "20"]
    lists: list[tuple[str, list[str]]] = [
        ("post list --limit 20", []),
        ("  --json", ["--json"]),
        ("  --unread", ["--unread"]),
        ("  --person", ["--person", "Educator 0007"]),
        ("  --person --unread", ["--person", "Educator 0007", "--unread"]),
        (f"  --topic (largest: {big[0]})", ["--topic", big[0]]),
        (f"  --topic (smallest: {small[0]})", ["--topic", small[0]]),
        ("  --topic (a new one, no posts)", ["--topic", empty]),
        ("  --topic --unread", ["--topic", big[0], "--unread"]),
        ("  --source", ["--source", "1007"]),
        ("  --saved", ["--saved"]),
        ("  --since 1d", ["--since", "1d"]),
        ("  --since 7d --oldest", ["--since", "7d", "--oldest"]),
        ("  --since 90d --unread", ["--since", "90d", "--unread"]),
        ("  --oldest", ["--oldest"]),
        ("  --offset 1000", ["--offset", "1000"]),
    ]
    out: list[tuple[str, list[str], float | None]] = [
        (label, page + extra, LIST_S) for label, extra in lists
    ]
    out += [
        ('search "assessment" --limit 20', ["search", "assessment", "--limit", "20"], None),
        ("digest --since 1d", ["digest", "--since", "1d"], DIGEST_S),
        ("digest --since 1d --format json", ["digest", "--since", "1d", "-f", "json"], DIGEST_S),
        ("digest --since 1d --format html", ["digest", "--since", "1d", "-f", "html"], DIGEST_S),
        ("digest --since 7d", ["digest", "--since", "7d"], None),
        ("digest --since 7d --format json", ["digest", "--since", "7d", "-f", "json"], None),
        ("digest --since 7d --format html", ["digest", "--since", "7d", "-f", "html"], None),
        ("stats --since 90d", ["stats", "--since", "90d"], None),
    ]
    return out


def timed(db: Path, args: list[str], runs: int) -> tuple[float, float, str]:
    """Median wall and CPU seconds of ``plnctl --db DB ARGS`` over ``runs`` after a warm-up."""
    cmd = [str(BIN / "plnctl"), "--db", str(db), *args]
    first = measure(cmd)
    if not first.ok:
        raise RuntimeError(f"{' '.join(args)} failed: {first.error_tail()}")
    found = [measure(cmd) for _ in range(runs)]
    wall = statistics.median(m.wall for m in found)
    return wall, statistics.median(m.cpu for m in found), first.stdout


def bench(db: Path, runs: int) -> list[list[object]]:
    """One row per command. The targets are judged on CPU time (user + sys of the process):
    on a machine shared with other work the wall time mostly measures the others."""
    import bench_reader

    base_wall, base, _ = timed(db, ["--version"], runs)
    rows: list[list[object]] = [
        ["`plnctl --version` (start-up baseline)", fmt_s(base_wall), fmt_s(base), "", "", ""]
    ]
    for label, args, target in cases(db):
        log(f"  {label} ...")
        wall, cpu, out = timed(db, args, runs)
        # A list's target is work beyond start-up; a digest's is the whole command.
        value = cpu - base if target == LIST_S else cpu
        verdict = "" if target is None else ("✅" if value <= target else "❌")
        row = [f"`{label}`", fmt_s(wall), fmt_s(cpu), fmt_s(cpu - base), out.count("\n"), verdict]
        rows.append(row)
    log("  reader first screen ...")
    screens = bench_reader.first_screen(db, runs)
    wall, cpu = (statistics.median(t[i] for t in screens) for i in (0, 1))
    ok = "✅" if cpu <= FIRST_SCREEN_S else "❌"
    screen = "`plnctl read`: first screen (80x24, headless)"
    rows.append([screen, fmt_s(wall), fmt_s(cpu), fmt_s(cpu - base), "", ok])
    return rows


def report(db: Path, args: argparse.Namespace, rows: list[list[object]]) -> str:
    conn = sqlite3.connect(db)
    posts, unread, saved, tags = conn.execute(
        "SELECT count(*), sum(read_at IS NULL), sum(saved_at IS NOT NULL), "
        "(SELECT count(*) FROM post_topics) FROM posts"
    ).fetchone()
    day = conn.execute(
        "SELECT count(*) FROM posts WHERE fetched_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', "
        "'-1 day')"
    ).fetchone()[0]
    conn.close()
    head = (
        f"Database: {posts:,} posts over {args.people:,} people (2 sources each), "
        f"{unread:,} unread, {saved:,} saved, {tags:,} topic tags, {day:,} arrived in the last "
        f"day; {db.stat().st_size / 1e9:.1f} GB. Median of {args.runs} runs after a warm-up, "
        "each a new process; 'beyond start-up' subtracts the CPU time of `plnctl --version`; "
        "targets judged on CPU time (user + sys)."
    )
    columns = ["command", "wall", "CPU", "CPU beyond start-up", "lines out", "target"]
    return head + "\n\n" + md_table(columns, rows) + "\n"


def main(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(prog="bench_db", description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="generate the database again")
    parser.add_argument(
        "--db", type=Path, help="time this database instead (e.g. a copy with other pages)"
    )
    args = parser.parse_args(argv)
    db = args.db or database(args.posts, args.people, args.rebuild)
    return report(db, args, bench(db, args.runs))


if __name__ == "__main__":
    sys.stdout.write(main(sys.argv[1:]))
