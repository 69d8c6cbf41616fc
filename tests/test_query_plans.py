"""Every list, digest, reader and stats query over ``posts`` reads an index for its filter and
its order (issue 14: at 1,000,000 posts a full scan is seconds, an index range milliseconds).

The list filters are enumerated from ``PostFilter`` itself (each field alone and every pair),
so a filter added there is checked here without anyone remembering to; each query's plan is
read from ``EXPLAIN QUERY PLAN`` on a small database without ``sqlite_stat1`` and again after
``ANALYZE`` (the plan must not depend on statistics, which go stale as posts are read).
A plan fails on a full pass over ``posts`` (see ``problems``) and, for a page (``LIMIT``), on
sorting in a temporary B-tree where an index holds the order; only posts named by id (search
results, ``post read 4-8``) are a small set found by key and then sorted.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plnctl.models import NewPost
from plnctl.store import insights, open_store, reading, search, share
from plnctl.store import people as people_db
from plnctl.store import posts as posts_db
from plnctl.store.posts import PostFilter

SAMPLES: dict[str, Any] = {
    "bool": True,
    "str | None": "2026-11-20T00:00:00Z",
    "int | None": 2,
    "tuple[int, ...]": (3, 9, 12),
    "tuple[tuple[int, int], ...]": ((4, 8),),
}
SCAN = re.compile(r"^SCAN (p|posts|pw)( |$)")  # pw: reading.WINDOW_START


def _samples() -> dict[str, Any]:
    found = {}
    for f in dataclasses.fields(PostFilter):
        kind = str(f.type)
        assert kind in SAMPLES, f"PostFilter.{f.name}: add a sample value for {kind} to SAMPLES"
        found[f.name] = SAMPLES[kind]
    return found


def filters() -> list[PostFilter]:
    """No filter, each field alone, every pair of fields."""
    values = _samples()
    combos = [()] + [(name,) for name in values] + list(itertools.combinations(values, 2))
    return [PostFilter(**{name: values[name] for name in combo}) for combo in combos]


def _label(f: PostFilter) -> str:
    changed = [k for k, v in dataclasses.asdict(f).items() if v not in (None, False, ())]
    return "+".join(changed) or "none"


@pytest.fixture(scope="module", params=["no statistics", "analyzed"])
def conn(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    path = Path(tmp_path_factory.mktemp("plans")) / "pln.db"
    store = open_store(path)
    with store.transaction():
        people = [people_db.insert_person(store, f"P{i}") for i in range(5)]
        from plnctl.models import SourceKind

        sources = [
            people_db.insert_source(store, pid, SourceKind.FEED, f"https://e{i}.example/feed")
            for i, pid in enumerate(people)
        ]
        for day in range(40):
            batch = [
                NewPost(
                    guid=f"{day}-{n}",
                    title=f"post {day} {n}",
                    content_text="some text " * 20,
                    published_at=f"2026-11-{1 + day % 28:02d}T0{n}:00:00Z",
                )
                for n in range(5)
            ]
            posts_db.upsert_posts(
                store,
                sources[day % 5],
                people[day % 5],
                batch,
                fetched_at=f"2026-11-{1 + day % 28:02d}T09:00:00Z",
            )
        store.conn.execute("UPDATE posts SET read_at = fetched_at WHERE id % 3 = 0")
        store.conn.execute("UPDATE posts SET saved_at = fetched_at WHERE id % 7 = 0")
        topic = people_db.ensure_topic(store, "assessment")
        store.conn.execute(
            "INSERT INTO post_topics (post_id, topic_id, origin, reason, created_at) "
            "SELECT id, ?, 'rule', 'keyword', fetched_at FROM posts WHERE id % 2 = 0",
            (topic,),
        )
    if request.param == "analyzed":
        store.conn.execute("ANALYZE")
    yield store.conn
    store.close()


class _PlanSpy:
    """A Store stand-in whose connection records each query's plan, then runs it."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real
        self.plans: list[tuple[str, list[str]]] = []

    @property
    def conn(self) -> _PlanSpy:
        return self

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        plan = [row[3] for row in self.real.execute("EXPLAIN QUERY PLAN " + sql, params)]
        self.plans.append((sql, plan))
        return self.real.execute(sql, params)


def problems(sql: str, plan: list[str], *, sorted_ok: bool = False) -> list[str]:
    """The plan lines that read all of ``posts``: a scan without an index; in a query that is
    not a page, any scan of an index except the partial ones of unread or saved posts (a page
    may walk its order index: it stops at LIMIT); in a page, a sort where an index holds the
    order."""
    paged = re.search(r"LIMIT \?( OFFSET \?)?$", sql.strip()) is not None  # not a subquery's
    bad = []
    for line in plan:
        if not SCAN.match(line):
            continue
        if "USING" not in line or not (paged or re.search(r"INDEX posts_(unread|saved)", line)):
            bad.append(line)
    if paged and not sorted_ok:
        bad += [line for line in plan if "TEMP B-TREE FOR" in line and "ORDER BY" in line]
    return bad


@pytest.mark.parametrize("f", filters(), ids=_label)
@pytest.mark.parametrize("oldest", [False, True], ids=["newest", "oldest"])
@pytest.mark.parametrize("after", [None, ("2026-11-10T00:00:00Z", 50)], ids=["first", "keyset"])
def test_every_list_page_reads_an_index_for_its_filter_and_order(
    conn: sqlite3.Connection, f: PostFilter, oldest: bool, after: tuple[str, int] | None
) -> None:
    for by_topic in (False, True) if f.topic_id is not None else (False,):
        sql, params = reading.list_sql(
            f, oldest_first=oldest, after=after, limit=20, offset=20, by_topic=by_topic
        )
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
        by_key = bool(f.ids or f.id_ranges) or by_topic  # a small set, sorted
        assert not problems(sql, plan, sorted_ok=by_key), "\n".join(plan)
        if not by_key:
            assert any(f"INDEX {reading.order_index(f)}" in line for line in plan), plan
        else:
            assert any("USING INTEGER PRIMARY KEY" in line for line in plan), plan
        conn.execute(sql, params).fetchall()  # and it runs


def test_a_since_list_reads_the_order_index_from_the_window_start(
    conn: sqlite3.Connection,
) -> None:
    """`post list --since 7d` does not sort the window: the order index is read from the
    earliest moment any post of the window has, found in the arrival index alone."""
    sql, params = reading.list_sql(PostFilter(since="2026-11-20T00:00:00Z"), limit=20)
    plan = " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    assert "SEARCH p USING INDEX posts_when (<expr>>?)" in plan
    assert "COVERING INDEX posts_arrived_cover (fetched_at>?)" in plan


def _run_other_queries(spy: _PlanSpy) -> None:
    store: Any = spy
    window = {"after": "2026-11-20T00:00:00Z", "until": "2026-11-27T00:00:00Z"}
    share.window_posts(store, **window)
    share.window_posts(store, **window, topic_ids=[1], source_ids=[1, 2])
    share.reading_list(store, saved=False, since="2026-11-20T00:00:00Z")
    share.reading_list(store, saved=True)
    reading.count_posts(store, PostFilter(unread=True))
    reading.count_posts(store, PostFilter(saved=True, unread=True))
    reading.unread_by_person(store)
    reading.unread_by_topic(store)
    since, until = "2026-09-01T00:00:00Z", "2026-11-30T00:00:00Z"
    insights.activity(store, since, until)
    insights.topic_activity(store, since, until)
    insights.posts_in_windows(store, ["2026-11-20T00:00:00Z", "2026-11-27T00:00:00Z"], arrived=True)
    search.recent_posts(store, "2026-11-20T00:00:00Z", limit=50)
    search.recent_posts(store, "2026-11-20T00:00:00Z", limit=50, before=True)
    share.quiet_people(store, before="2026-10-01T00:00:00Z")
    for signals in (
        insights.boost_signals,
        insights.mention_signals,
        insights.reply_signals,
        insights.link_signals,
    ):
        signals(store)
        signals(store, "2026-11-20T00:00:00Z")  # a digest's: the recent posts only
    insights.tag_posts(store, since="2026-11-01T00:00:00Z")


def test_digest_reader_and_stats_queries_read_an_index(conn: sqlite3.Connection) -> None:
    spy = _PlanSpy(conn)
    _run_other_queries(spy)
    assert len(spy.plans) >= 12
    for sql, plan in spy.plans:
        if "posts" not in sql:
            continue
        assert not problems(sql, plan), f"{' '.join(sql.split())[:200]}\n" + "\n".join(plan)


def test_the_check_catches_a_full_scan_and_a_sorted_page(conn: sqlite3.Connection) -> None:
    """The rule itself: what a list without the order index would do is reported."""
    sql = (
        "SELECT p.id FROM posts p NOT INDEXED WHERE p.deleted_at IS NULL "
        "ORDER BY coalesce(p.published_at, p.fetched_at) DESC, p.id DESC LIMIT ?"
    )
    plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, (20,))]
    assert len(problems(sql, plan)) == 2, plan


@pytest.mark.parametrize("f", [f for f in filters() if f.topic_id is not None], ids=_label)
@pytest.mark.parametrize("oldest", [False, True], ids=["newest", "oldest"])
def test_a_small_topic_listed_from_its_tags_gives_the_same_page(
    conn: sqlite3.Connection, f: PostFilter, oldest: bool
) -> None:
    """Both ways to find a topic's posts list the same posts in the same order."""
    pages = []
    for by_topic in (False, True):
        sql, params = reading.list_sql(f, oldest_first=oldest, limit=7, offset=3, by_topic=by_topic)
        pages.append([row[0] for row in conn.execute(sql, params)])
    assert pages[0] == pages[1]
