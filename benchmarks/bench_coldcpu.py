"""CPU per feed of a cold sync, stage by stage, in this process (no HTTP, no worker processes).

    python benchmarks/bench_coldcpu.py [--feeds 200] [--topics 8] [--profile]

Renders ``--feeds`` feeds of the default ``feedgen`` mix, then does what a cold sync does with
each body after it arrived: ``parse_feed`` (fast parse, nh3, text, facets, ingest boundary),
topic matching at parse time (``ingest_tags.tag_parsed`` with the starter-like topics below),
``clean_outcome``, and the sync's writer (``upsert_posts`` with both FTS5 indexes, facets, rule
tags) in batches of 25 feeds per transaction, as ``sync`` stores them. Prints CPU ms per feed
for each stage (``--no-stages``: the total alone, without the timers' own cost);
``--profile`` adds the top of a cProfile of the whole run.

Measured 2026-12-01 (2 cores, load 1.7-1.8), 200 feeds, 8 topics, ``--no-stages``, one after
the other: main at 79fb650 4.97 / 4.83 s CPU, this branch 4.43 / 4.33 s (24.5 -> 21.9 ms per
feed). Of the ~22 ms: parse_feed ~10.6 (lxml + walker 2.5, nh3 2.3, html_to_text 1.5,
ingest 2.2), topic matching 2.2, store 9.7, of which the two FTS5 indexes are 8.2 (measured by
dropping their insert trigger) and everything else 1.4.

Branch cold3 (same machine, load 6-7): main at 31eea88 24.3 ms per feed (store 10.1), cold3
17.7 ms (store 4.3: new posts inserted many rows per statement, so the FTS5 indexes stopped
flushing a segment per post; see benchmarks/README.md "Cold sync (cold3)").
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import feedgen  # noqa: E402

BASE = "http://127.0.0.1:8080"
TOPICS = {
    "assessment": ["formative assessment", "feedback", "retrieval practice"],
    "reading": ["reading fluency", "phonics"],
    "wellbeing": ["teacher wellbeing", "burnout"],
    "ai": ["AI in the classroom", "chatgpt"],
    "talk": ["oracy", "classroom talk"],
    "inclusion": ["inclusion", "special education"],
    "memory": ["spaced practice", "cognitive load", "worked examples"],
    "curriculum": ["curriculum sequencing"],
}

totals: dict[str, float] = defaultdict(float)


@contextmanager
def stage(name: str) -> Iterator[None]:
    started = time.process_time()
    try:
        yield
    finally:
        totals[name] += time.process_time() - started


def wrap(module: Any, name: str, label: str) -> None:
    """Time every call of ``module.name`` under ``label`` (nested stages are not subtracted)."""
    original: Callable[..., Any] = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        with stage(label):
            return original(*args, **kwargs)

    setattr(module, name, timed)


def instrument() -> None:
    from plnctl import ingest
    from plnctl.fetchers import feed

    wrap(feed, "parse_rss_atom", "  fast parse (lxml + walker)")
    wrap(feed, "sanitize_html", "  nh3 sanitize")
    wrap(feed, "html_to_text", "  html_to_text")
    wrap(feed, "extract_links", "  extract_links")
    wrap(feed, "extract_hashtags", "  extract_hashtags")
    wrap(feed, "entry_media", "  entry_media")
    wrap(ingest, "normalize_post", "  ingest normalize_post")


def run(n: int, topics: int, profile: bool, stages: bool = True) -> None:
    from plnctl import ingest, ingest_tags
    from plnctl.api import open_pln
    from plnctl.fetchers.feed import parse_feed
    from plnctl.models import FetchOutcome, SourceKind
    from plnctl.store import people as people_db
    from plnctl.sync_writer import Writer

    feeds = feedgen.generate(n)
    bodies = [(BASE + f.path, feedgen.render(f, BASE)) for f in feeds]
    with tempfile.TemporaryDirectory() as tmp, open_pln(Path(tmp) / "b.db") as pln:
        for name, words in list(TOPICS.items())[:topics]:
            pln.topics.add(name, keywords=words, hashtags=[name])
        matcher = pln.topics.matcher()
        ingest_tags.set_matcher(matcher if topics else None)
        with pln.store.transaction():
            ids = [
                people_db.insert_source(pln.store, None, SourceKind.FEED, url) for url, _ in bodies
            ]
        sources = {s.id: s for s in pln.sources.list()}
        writer = Writer(pln.store, pln.settings, {})
        if stages:
            instrument()
        profiler = cProfile.Profile() if profile else None
        started, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        batch: list = []
        for source_id, (url, body) in zip(ids, bodies, strict=True):
            with stage("parse_feed (all)"):
                parsed = parse_feed(body, url=url, headers={"content-type": "application/xml"})
            with stage("topic match (tag_parsed)"):
                parsed = ingest_tags.tag_parsed(parsed)
            with stage("clean_outcome"):
                outcome = ingest.clean_outcome(
                    FetchOutcome("ok", 200, posts=parsed.entries, topics=parsed.topics)
                )
            batch.append((sources[source_id], outcome))
            if len(batch) == 25:
                with stage("store (upsert, FTS, facets, tags)"):
                    writer.store_batch(batch)
                batch = []
        if batch:
            with stage("store (upsert, FTS, facets, tags)"):
                writer.store_batch(batch)
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - started, time.perf_counter() - wall
        stored = pln.store.conn.execute("SELECT count(*) FROM posts").fetchone()[0]
    print(f"{n} feeds, {stored} posts, {topics} topics: {cpu:.2f} s CPU, {wall:.2f} s wall")
    print(f"{'stage':40} {'ms/feed':>8}")
    for name, seconds in totals.items():
        print(f"{name:40} {1000 * seconds / n:8.2f}")
    print(f"{'total':40} {1000 * cpu / n:8.2f}")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--topics", type=int, default=len(TOPICS))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-stages", action="store_true", help="only the total (no timers)")
    args = parser.parse_args(argv)
    run(args.feeds, args.topics, args.profile, stages=not args.no_stages)


if __name__ == "__main__":
    main()
