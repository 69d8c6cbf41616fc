"""Search, `topic rebuild` and tagging at ingest over a generated 1,000,000-post network.

    python benchmarks/run.py search [--posts 1000000] [--people 1000] [--runs 5] [--quick]
    python benchmarks/bench_search.py --posts 100000

The database is generated once (executemany in big transactions; the FTS triggers index every
post as a sync would) and cached under ``benchmarks/.work/`` keyed by its size; ``--rebuild``
makes a new one. Text: educator-blog sentences (feedgen's templates and word lists) plus a Zipf
long tail of 60,000 rarer words; 30 % of posts are Mastodon-like statuses with hashtags.

Targets (issue 4): search p50 < 50 ms; `topic rebuild` with the starter taxonomy < 60 s;
tagging at ingest adds < 10 % to sync time (measured against the time to store the same posts,
which is only part of a sync, so the ratio shown is an upper bound).
Peers on the same data: `LIKE '%term%'` in SQLite, and `grep -i` over a text export.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import feedgen  # noqa: E402
from harness import BIN, WORK, fmt_ratio, fmt_s, log, md_table, measure  # noqa: E402

SEARCH_P50_S, REBUILD_S, INGEST_SHARE = 0.050, 60.0, 0.10
GENERATOR_VERSION = 3  # bump when the generated shape changes (2: stemmed + exact FTS tables,
# 3: arrival times as a daily sync leaves them)
SYNC_HOUR = 6  # the daily sync (cron) at 06:00 UTC picks up what was published since the last
EXTRA_TOPICS = [
    "micro:bit",
    "picture books",
    "learning analytics",
    "student data privacy",
    "GDPR",
    "ChatGPT",
    "open educational resources",
    "computational thinking",
    "media literacy",
    "professional development",
    "social learning",
    "online exams",
    "rubrics",
    "phonics",
]
HASHTAGS = [
    "edchat",
    "ukedchat",
    "mtbos",
    "sschat",
    "edutooters",
    "teachers",
    "edtech",
    "literacy",
    "assessment",
    "aied",
    "oer",
    "stem",
    "microbit",
    "pln",
    "kidlit",
    "iteachmath",
]
# (label, query, filters); peers search the same literal words where they can
QUERIES: list[tuple[str, str, dict[str, str]]] = [
    ("common word", "students", {}),
    ("common word", "lesson", {}),
    ("mid word", "assessment", {}),
    ("mid word", "misconception", {}),
    ("rare word", "@tail200", {}),
    ("rare word", "@tail5000", {}),
    ("rare word", "@tail40000", {}),
    ("phrase", '"formative assessment"', {}),
    ("phrase", '"picture books"', {}),
    ("prefix", "scaffold*", {}),
    ("prefix", "microb*", {}),
    ("two words", "rubrics feedback", {}),
    ("three words", "retrieval practice homework", {}),
    ("+ since 30d", "assessment", {"since": "30d"}),
    ("+ person", "feedback", {"person": "Educator 0007"}),
    ("+ topic", "feedback", {"topic": "assessment & online testing"}),
    ("exact", "lesson", {"exact": True}),
    ("exact phrase", '"formative assessment"', {"exact": True}),
]


# --- generation ---------------------------------------------------------------------------------


class Text:
    """Deterministic educator-ish prose with a long tail of rare words."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        syllables = ["ka", "lo", "mi", "ren", "tor", "vi", "sel", "dun", "pa", "qui", "zo", "bre"]
        tail = {"".join(self.rng.choices(syllables, k=3)) + str(i % 97) for i in range(60000)}
        self.tail = sorted(tail)
        self.tail_weights = list(itertools.accumulate(1 / (i + 1) for i in range(len(self.tail))))
        self.pool = [self._sentence() for _ in range(30000)]

    def tail_word(self, rank: int) -> str:
        return self.tail[min(rank, len(self.tail) - 1)]

    def _sentence(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            template = rng.choice(feedgen.SENTENCES)
            topic = rng.choice(feedgen.TOPICS + EXTRA_TOPICS)
            return template.format(
                topic=topic, year=rng.randint(1, 13), subject=rng.choice(feedgen.SUBJECTS)
            )
        words = [
            rng.choice(feedgen.ADJECTIVES).capitalize(),
            rng.choice(feedgen.NOUNS),
            rng.choice(feedgen.VERBS),
            rng.choice(["the", "our", "a", "their"]),
            rng.choice(feedgen.NOUNS),
            rng.choice(feedgen.CONNECTORS),
            rng.choice(["we", "they", "the class", "I"]),
            rng.choice(feedgen.VERBS),
            rng.choice(feedgen.NOUNS),
        ]
        return " ".join(words) + "."

    def post(self, status: bool) -> tuple[str | None, str, list[str]]:
        rng = self.rng
        tail = rng.choices(self.tail, cum_weights=self.tail_weights, k=rng.randint(1, 4))
        if status:
            tags = rng.sample(HASHTAGS, rng.randint(0, 3))
            body = " ".join(rng.choices(self.pool, k=rng.randint(1, 3)))
            text = f"{body} Also {', '.join(tail)}. " + " ".join(f"#{t}" for t in tags)
            return None, text.strip(), tags
        subject = rng.choice(feedgen.TOPICS + EXTRA_TOPICS)
        title = f"{rng.choice(feedgen.ADJECTIVES).capitalize()} notes on {subject}"
        sentences = rng.choices(self.pool, k=rng.randint(6, 16))
        sentences.insert(rng.randrange(len(sentences)), f"See also {', '.join(tail)}.")
        return title, " ".join(sentences), []


def generate(path: Path, posts: int, people: int, seed: int = 4) -> None:
    from plnctl.store import open_store

    started = time.perf_counter()
    path.unlink(missing_ok=True)
    open_store(path).close()  # the real schema, migrations and triggers
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    text, rng, now = Text(seed), random.Random(seed + 1), datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    _people(conn, people, stamp)
    weights = list(itertools.accumulate(1 / (i + 1) ** 0.6 for i in range(people)))
    batch, tags = [], []
    for post_id in range(1, posts + 1):
        person = rng.choices(range(1, people + 1), cum_weights=weights)[0]
        status = rng.random() < 0.3
        title, body, hashtags = text.post(status)
        when = now - timedelta(days=1095 * (1 - post_id / posts), minutes=rng.randint(0, 999))
        arrived = min(arrival(when), now).strftime("%Y-%m-%dT%H:%M:%SZ")
        batch.append(
            (
                post_id,
                person,
                person,
                f"g{post_id}",
                f"https://blog{person}.example.org/{post_id}",
                title,
                when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                body,
                arrived,
                "status" if status else "article",
            )
        )
        tags.extend((post_id, t) for t in hashtags)
        if len(batch) >= 50000 or post_id == posts:
            conn.execute("BEGIN")
            conn.executemany(
                """INSERT INTO posts (id, person_id, source_id, guid, url, title, published_at,
                   content_text, fetched_at, kind) VALUES (?,?,?,?,?,?,?,?,?,?)""",
                batch,
            )
            conn.executemany("INSERT INTO post_hashtags (post_id, tag) VALUES (?, ?)", tags)
            conn.execute("COMMIT")
            batch, tags = [], []
            log(f"  generated {post_id:,} posts ({time.perf_counter() - started:.0f} s)")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    log(f"  database ready: {path.stat().st_size / 1e6:.0f} MB")


def arrival(published: datetime) -> datetime:
    """When a daily sync at SYNC_HOUR stores a post published at ``published``: the next run."""
    run = published.replace(hour=SYNC_HOUR, minute=0, second=0, microsecond=0)
    return run if run > published else run + timedelta(days=1)


def _people(conn: sqlite3.Connection, people: int, stamp: str) -> None:
    """One person with one feed each; person i has source i."""
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO people (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
        [(i, f"Educator {i:04d}", stamp, stamp) for i in range(1, people + 1)],
    )
    conn.executemany(
        "INSERT INTO sources (id, person_id, kind, url, created_at) VALUES (?, ?, ?, ?, ?)",
        [
            (i, i, "feed", f"https://blog{i}.example.org/feed.xml", stamp)
            for i in range(1, people + 1)
        ],
    )
    conn.execute("COMMIT")


def database(posts: int, people: int, rebuild: bool, given: Path | None = None) -> Path:
    if given is not None:  # e.g. /tmp/plnctl-bench-db/db-1000000-*.db, already migrated
        return given
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"search-{posts}-{people}-v{GENERATOR_VERSION}.db"
    if rebuild or not path.exists():
        log(f"generating {posts:,} posts over {people:,} people into {path} ...")
        generate(path, posts, people)
    return path


def export_text(db: Path) -> Path:
    """One line per post (id, title, text): what a user would grep."""
    out = db.with_suffix(".txt")
    if not out.exists():
        conn = sqlite3.connect(db)
        with open(out, "w", encoding="utf-8") as handle:
            for row in conn.execute("SELECT id, title, content_text FROM posts ORDER BY id"):
                handle.write(f"{row[0]}\t{row[1] or ''}\t{row[2] or ''}\n")
        conn.close()
    return out


# --- measurements -------------------------------------------------------------------------------


def _queries() -> list[tuple[str, str, dict[str, str]]]:
    text = Text(4)
    out = []
    for label, query, filters in QUERIES:
        if query.startswith("@tail"):
            query = text.tail_word(int(query[5:]))
        out.append((label, query, filters))
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_search(
    db: Path, runs: int, *, peers_too: bool = True
) -> tuple[list[list[object]], list[float], dict[str, list[float]]]:
    from plnctl.api import open_pln

    rows, samples = [], []
    peers: dict[str, list[float]] = {"like": [], "grep": [], "plnctl": []}
    export = export_text(db) if peers_too else db
    with open_pln(db) as pln:
        for label, query, filters in _queries():
            hits = pln.topics.search(query, **filters)  # warm the page cache once
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                pln.topics.search(query, **filters)
                times.append(time.perf_counter() - t0)
            if not filters.get("exact"):  # p50 over the same queries as before issue 17
                samples.extend(times)
            like = grep = None
            literal = query.strip('"')
            if peers_too and not filters and "*" not in query:
                like = _like(pln.store.conn, literal)
                grep = _grep(export, literal)
                peers["plnctl"].append(statistics.median(times))
                peers["like"].append(like)
                peers["grep"].append(grep)
            rows.append(
                [
                    label,
                    f"`{query}`" + "".join(f" --{k} {v}" for k, v in filters.items()),
                    len(hits),
                    fmt_s(statistics.median(times)),
                    fmt_s(max(times)),
                    fmt_s(like),
                    fmt_s(grep),
                ]
            )
    return rows, samples, peers


def _like(conn: sqlite3.Connection, literal: str) -> float:
    """The first 20 posts containing the text anywhere (unranked, substrings: LIKE's best case)."""
    t0 = time.perf_counter()
    pattern = f"%{literal}%"
    conn.execute(
        "SELECT id FROM posts WHERE (title LIKE ? OR content_text LIKE ?) "
        "AND deleted_at IS NULL LIMIT 20",
        (pattern, pattern),
    ).fetchall()
    return time.perf_counter() - t0


def _grep(export: Path, literal: str) -> float:
    """`grep -i -w -F` over the export, stopping at 20 lines (unranked, grep's best case)."""
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    result = measure(["grep", "-i", "-w", "-F", "-m", "20", literal, str(export)], env=env)
    return result.wall


def bench_rebuild(db: Path) -> tuple[float, float, float, str]:
    from plnctl.api import open_pln

    with open_pln(db) as pln:
        pln.topics.install_starter_taxonomy()
    result = measure([BIN / "plnctl", "--db", db, "topic", "rebuild", "--json"], timeout=1800)
    if not result.ok:
        raise RuntimeError(f"topic rebuild failed: {result.error_tail()}")
    return result.wall, result.cpu, result.maxrss_mb, result.stdout.strip().replace("\n", " ")


def bench_ingest(db: Path, posts: int, batch: int = 200) -> tuple[float, float, int]:
    """Store ``posts`` new posts in batches as a sync does, then tag them; rolled back after."""
    from plnctl.api import open_pln
    from plnctl.models import NewPost
    from plnctl.store import posts as posts_db

    text, rng = Text(99), random.Random(99)
    store_s = tag_s = 0.0
    tagged = 0
    with open_pln(db) as pln:
        pln.topics.install_starter_taxonomy()
        conn = pln.store.conn
        people = conn.execute("SELECT count(*) FROM people").fetchone()[0]
        first_id = conn.execute("SELECT max(id) FROM posts").fetchone()[0]
        conn.execute("BEGIN IMMEDIATE")
        try:
            for start in range(0, posts, batch):
                source = rng.randint(1, people)
                new = []
                for i in range(start, min(posts, start + batch)):
                    title, body, tags = text.post(rng.random() < 0.3)
                    new.append(
                        NewPost(
                            guid=f"ingest-{i}",
                            title=title,
                            content_text=body,
                            hashtags=tuple(tags),
                            published_at="2030-01-01T00:00:00Z",
                        )
                    )
                t0 = time.perf_counter()
                result = posts_db.upsert_posts(
                    pln.store, source, source, new, fetched_at="2030-01-01T00:00:00Z"
                )
                t1 = time.perf_counter()
                pln.topics.tag_new_posts(list(result.new_ids))
                t2 = time.perf_counter()
                store_s, tag_s = store_s + t1 - t0, tag_s + t2 - t1
            tagged = conn.execute(
                "SELECT count(*) FROM post_topics WHERE post_id > ?", (first_id,)
            ).fetchone()[0]
        finally:
            conn.execute("ROLLBACK")
    return store_s, tag_s, tagged


def bench_sync(feeds: int, runs: int) -> dict[str, list[tuple[float, float]]]:
    """`plnctl sync` of ``feeds`` generated feeds from the loopback server into a new database,
    without topics and with the starter taxonomy (interleaved runs): {variant: [(wall, cpu)]}."""
    from harness import temp_dir
    from peers import isolated_env
    from server import ServerProcess

    plnctl = str(BIN / "plnctl")
    timings: dict[str, list[tuple[float, float]]] = {"no topics": [], "starter taxonomy": []}
    with ServerProcess(feeds) as srv:
        for run in range(runs):
            variants = list(timings) if run % 2 == 0 else list(reversed(timings))
            for variant in variants:
                with temp_dir("search-sync") as d:
                    env, db = isolated_env(d), str(d / "plnctl.db")
                    opml = d / "feeds.opml"
                    opml.write_text(feedgen.opml(feedgen.generate(feeds), srv.base_url))
                    setup = [["import", "opml", str(opml)]]
                    if variant == "starter taxonomy":
                        setup.append(["topic", "init", "--no-rebuild"])
                    for args in setup:
                        if not (m := measure([plnctl, "--db", db, *args], env=env)).ok:
                            raise RuntimeError(f"{args}: {m.error_tail()}")
                    m = measure([plnctl, "--db", db, "sync", "--quiet"], env=env, timeout=600)
                    conn = sqlite3.connect(db)
                    stored = conn.execute("SELECT count(*) FROM posts").fetchone()[0]
                    tags = conn.execute("SELECT count(*) FROM post_topics").fetchone()[0]
                    conn.close()
                    if not m.ok or stored != srv.entries:
                        raise RuntimeError(f"sync stored {stored}/{srv.entries}: {m.error_tail()}")
                    timings[variant].append((m.wall, m.cpu))
                    log(f"  sync {variant}: {fmt_s(m.wall)} wall, {fmt_s(m.cpu)} CPU, {tags} tags")
    return timings


def bench_cli_search(db: Path) -> float:
    walls = []
    for _ in range(3):
        result = measure([BIN / "plnctl", "--db", db, "search", "formative assessment", "--json"])
        if not result.ok:
            raise RuntimeError(f"plnctl search failed: {result.error_tail()}")
        walls.append(result.wall)
    return statistics.median(walls)


UPDATE_COLUMNS = ["one topic's update (<= 10 s)", "tagged", "untagged", "wall", "CPU", "load"]


def _cpu() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def bench_topic_update(db: Path) -> list[list[object]]:
    """One topic's live update (issue 17: at most 10 s on 1,000,000 posts): add a new topic,
    edit it, edit a big starter topic, remove the new one. Each is one API call, as the CLI
    makes it; the database is left as it was (the last step removes the topic)."""
    from plnctl.api import open_pln
    from plnctl.models import RuleKind

    big = "assessment & online testing"
    text = Text(4)
    rare = [text.tail_word(300), text.tail_word(2000)]
    steps: list[tuple[str, Any]] = [
        (f"topic add (2 rarer words: {', '.join(rare)})", lambda t: t.add(
            "bench rare", keywords=rare)),
        ("topic edit (+1 mid word: misconception)", lambda t: t.edit(
            "bench rare", add={RuleKind.KEYWORD: ["misconception"]})),
        ("topic remove", lambda t: t.remove("bench rare")),
        ("topic add (2 phrases, 1 hashtag)", lambda t: t.add("bench retrieval", keywords=[
            "retrieval practice", "spaced practice"], hashtags=["aied"])),
        ("topic edit (+1 keyword)", lambda t: t.edit("bench retrieval", add={
            RuleKind.KEYWORD: ["interleaving"]})),
        ("topic remove", lambda t: t.remove("bench retrieval")),
        (f"topic edit '{big}' --exact: all its 19 rules re-run (worst case)",
         lambda t: t.edit(big, exact=True)),
        (f"topic edit '{big}' --stem: back, all 19 rules again",
         lambda t: t.edit(big, exact=False)),
        (f"topic edit '{big}' --stem again (unchanged: nothing re-run)",
         lambda t: t.edit(big, exact=False)),
        (f"topic edit '{big}' (+1 keyword)", lambda t: t.edit(
            big, add={RuleKind.KEYWORD: ["exit tickets"]})),
        (f"topic edit '{big}' (-1 keyword)", lambda t: t.edit(
            big, remove={RuleKind.KEYWORD: ["exit tickets"]})),
        (f"topic edit '{big}' (-1 keyword: assessment)", lambda t: t.edit(
            big, remove={RuleKind.KEYWORD: ["assessment"]})),
        (f"topic edit '{big}' (+1 keyword: assessment, back)", lambda t: t.edit(
            big, add={RuleKind.KEYWORD: ["assessment"]})),
    ]  # fmt: skip
    rows: list[list[object]] = []
    with open_pln(db) as pln:
        pln.topics.install_starter_taxonomy(region="us")
        for label, step in steps:
            t0, c0 = time.perf_counter(), _cpu()
            change = step(pln.topics)
            wall, cpu = time.perf_counter() - t0, _cpu() - c0
            load = os.getloadavg()[0]  # the machine's (1 min): wall is only fair when idle
            rows.append(
                [
                    *(label, f"{change.tagged:,}", f"{change.untagged:,}"),
                    *(fmt_s(wall), fmt_s(cpu), f"{load:.1f}"),
                ]
            )
            log(f"  {label}: {wall:.2f} s ({change.tagged} tagged, {change.untagged} untagged)")
    return rows


def _paired_samples(db: Path, runs: int) -> tuple[list[float], list[float]]:
    """The benchmark's queries (not the --exact ones), each run alternately on posts_fts
    (stemmed) and on posts_fts_exact (unicode61 without porter: the tokenizer posts_fts had
    before issue 17), so both see the same cache and the same neighbours on a shared machine."""
    from plnctl.api import open_pln

    stemmed: list[float] = []
    unstemmed: list[float] = []
    with open_pln(db) as pln:
        for _label, query, filters in _queries():
            if filters.get("exact"):
                continue
            for exact in (False, True):  # warm-up
                pln.topics.search(query, exact=exact, **filters)
            for _ in range(runs):
                for exact, into in ((False, stemmed), (True, unstemmed)):
                    t0 = time.perf_counter()
                    pln.topics.search(query, exact=exact, **filters)
                    into.append(time.perf_counter() - t0)
    return stemmed, unstemmed


def topic_and_search(args: argparse.Namespace) -> str:
    """Only search p50 and one topic's update (``--topics-only``): the issue-17 numbers."""
    db = database(args.posts, args.people, args.rebuild, args.db)
    log("one topic's update ...")
    updates = bench_topic_update(db)
    log("search ...")
    rows, _samples, _peers = bench_search(db, args.runs, peers_too=False)
    samples, unstemmed = _paired_samples(db, args.runs)
    p50, p95 = _pct(samples, 0.5), _pct(samples, 0.95)
    u50, u95 = _pct(unstemmed, 0.5), _pct(unstemmed, 0.95)
    size = db.stat().st_size / 1e6
    return "\n".join(
        [
            f"## search and live topics — {args.posts:,} posts ({size:,.0f} MB)",
            "",
            f"search p50 {fmt_s(p50)}, p95 {fmt_s(p95)} over {len(samples)} timed queries "
            f"(stemmed, posts_fts). The same queries on the unstemmed index (posts_fts_exact, "
            f"the index as it was before issue 17), interleaved: p50 {fmt_s(u50)}, p95 "
            f"{fmt_s(u95)}. Target: no worse than before: {verdict(p50 <= u50 * 1.1)}",
            "",
            md_table(UPDATE_COLUMNS, updates),
            "",
            md_table(["kind", "query", "hits", "p50", "max", "", ""], rows),
            "",
        ]
    )


def bench_suggest(db: Path) -> float:
    from plnctl.api import open_pln

    with open_pln(db) as pln:
        t0 = time.perf_counter()
        pln.topics.suggest(since="30d")
        return time.perf_counter() - t0


# --- report -------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "✅ met" if ok else "❌ missed"


def main(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(prog="bench_search", description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query")
    parser.add_argument("--ingest", type=int, default=20000, help="posts for the store test")
    parser.add_argument("--feeds", type=int, default=200, help="feeds for the sync test")
    parser.add_argument("--sync-runs", type=int, default=3, help="syncs per variant")
    parser.add_argument("--quick", action="store_true", help="100,000 posts, fewer runs")
    parser.add_argument("--rebuild", action="store_true", help="generate the database again")
    parser.add_argument(
        "--db", type=Path, help="an existing generated database (bench_db's cache) to use"
    )
    parser.add_argument(
        "--topics-only", action="store_true", help="only search p50 and one topic's update"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.posts, args.runs, args.sync_runs = min(args.posts, 100_000), 3, 1
    if args.topics_only:
        return topic_and_search(args)
    db = database(args.posts, args.people, args.rebuild, args.db)
    log("topic rebuild ...")
    rebuild = bench_rebuild(db)
    log("search ...")
    search = bench_search(db, args.runs)
    log("tagging at ingest ...")
    ingest = bench_ingest(db, args.ingest)
    sync = bench_sync(args.feeds, args.sync_runs)
    extra = (bench_cli_search(db), bench_suggest(db))
    text = report(args, db, rebuild, search, (ingest, sync), extra)
    log("one topic's update ...")
    updates = bench_topic_update(db)
    return text + "\n" + md_table(["one topic's update", "tagged", "untagged", "wall"], updates)


def _median_pair(values: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)


def report(args, db, rebuild, search, ingest, extra) -> str:  # type: ignore[no-untyped-def]
    rebuild_wall, rebuild_cpu, rebuild_rss, rebuild_json = rebuild
    rows, samples, peers = search
    (store_s, tag_s, tagged), sync = ingest
    cli_wall, suggest_s = extra
    p50, p95 = _pct(samples, 0.5), _pct(samples, 0.95)
    (base_wall, base_cpu), (tag_wall, tag_cpu) = (_median_pair(v) for v in sync.values())
    added_wall, added_cpu = tag_wall / base_wall - 1, tag_cpu / base_cpu - 1
    targets = [
        ["search p50 < 50 ms", f"p50 {fmt_s(p50)}, p95 {fmt_s(p95)}", verdict(p50 < SEARCH_P50_S)],
        [
            "`topic rebuild` (starter taxonomy) < 60 s",
            f"{fmt_s(rebuild_wall)} wall, {fmt_s(rebuild_cpu)} CPU, {rebuild_rss:.0f} MB RSS",
            verdict(rebuild_wall < REBUILD_S),
        ],
        [
            "tagging at ingest adds < 10 % to sync time",
            f"{added_wall:+.1%} wall, {added_cpu:+.1%} CPU: `plnctl sync` of {args.feeds} feeds "
            f"({fmt_s(base_wall)} without topics, {fmt_s(tag_wall)} with the starter taxonomy; "
            f"median of {args.sync_runs})",
            verdict(added_wall < INGEST_SHARE),
        ],
    ]
    columns = ["kind", "query", "hits", "plnctl p50", "plnctl max", "LIKE (first 20)", "grep"]
    lines = [
        f"## search — {args.posts:,} posts, {args.people:,} people",
        "",
        f"Database: `{db.name}` ({db.stat().st_size / 1e6:,.0f} MB, FTS5 unicode61, external "
        "content); queries run in-process through `pln.topics.search` (the API the CLI calls; "
        f"{args.runs} timed runs each after one warm-up).",
        "",
        md_table(["target", "result", ""], targets),
        "",
        f"Tagging against storing alone, on the {args.posts:,}-post database (a stricter "
        f"measure: a sync also fetches and parses): `tag_new_posts` took {fmt_s(tag_s)} for "
        f"{args.ingest:,} new posts ({tagged:,} tags), {tag_s / store_s:.1%} of the "
        f"{fmt_s(store_s)} `upsert_posts` took to store them (batches of 200, rolled back).",
        "",
        md_table(columns, rows),
        "",
        "Peers on the queries they can express (no filters or prefixes): median / slowest "
        f"query: plnctl {_spread(peers, 'plnctl')}, `LIKE '%term%' LIMIT 20` "
        f"{_spread(peers, 'like')}, `grep -i -w -F -m 20` over a text export "
        f"{_spread(peers, 'grep')}. Both peers stop at the first 20 matching lines and rank "
        "nothing, so they win on common words and lose on rare words and word combinations, "
        "where they read everything; LIKE also matches inside words, and grep's time includes "
        "its process start.",
        "",
        f'End-to-end `plnctl search "formative assessment" --json` (a new process each time): '
        f"{fmt_s(cli_wall)}, median of 3. `topic suggest --since 30d`: {fmt_s(suggest_s)}.",
        "",
        f"Rebuild report: `{rebuild_json}`",
    ]
    return "\n".join(lines) + "\n"


def _spread(peers: dict[str, list[float]], tool: str) -> str:
    times = peers.get(tool) or []
    if not times:
        return "–"
    mid, worst = statistics.median(times), max(times)
    base = peers["plnctl"]
    ratio = (
        f" ({fmt_ratio(mid / statistics.median(base))} / {fmt_ratio(worst / max(base))} plnctl's)"
    )
    return f"{fmt_s(mid)} / {fmt_s(worst)}" + ("" if tool == "plnctl" else ratio)


if __name__ == "__main__":
    sys.stdout.write(main(sys.argv[1:]))
