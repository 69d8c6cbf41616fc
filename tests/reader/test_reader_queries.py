"""Every query the reader adds reads an index for its filter and its order: no full scan of
posts, no sort of a whole list (the reading list and search results, small sets, are sorted)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from plnctl.api import Pln
from plnctl.store import reading
from plnctl.store.posts import PostFilter


class _PlanSpy:
    """A Store stand-in whose connection records each query's plan, then runs it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.real = conn
        self.plans: list[str] = []

    @property
    def conn(self) -> _PlanSpy:
        return self

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        plan = self.real.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        self.plans.append(" | ".join(row[3] for row in plan))
        return self.real.execute(sql, params)


AFTER = ("2026-11-30T00:00:00Z", 5)


@pytest.mark.parametrize(
    ("f", "index"),
    [
        (PostFilter(unread=True), "posts_unread_when"),
        (PostFilter(read=True), "posts_when"),
        (PostFilter(person_id=1, unread=True), "posts_unread_person"),
        (PostFilter(person_id=1, read=True), "posts_person_when"),
        (PostFilter(topic_id=3, read=True), "posts_when"),
        (PostFilter(topic_id=3, unread=True), "posts_unread_when"),
    ],
)
@pytest.mark.parametrize("oldest", [False, True])
def test_list_pages_read_the_order_index(
    demo: Pln, f: PostFilter, index: str, oldest: bool
) -> None:
    spy = _PlanSpy(demo.store.conn)
    reading.page_posts(spy, f, after=AFTER, oldest_first=oldest, limit=50)  # type: ignore[arg-type]
    if f.topic_id is not None:
        # The demo's topics are small: listed from their tags (a big topic walks the order
        # index, probing each post's tags: tests/test_query_plans.py checks both).
        count, plan = spy.plans
        assert "post_topics_topic_origin" in count
        assert "SEARCH p USING INTEGER PRIMARY KEY" in plan
        return
    (plan,) = spy.plans
    assert f"USING INDEX {index}" in plan
    assert "TEMP B-TREE" not in plan


def test_counts_read_the_unread_indexes(demo: Pln) -> None:
    spy = _PlanSpy(demo.store.conn)
    reading.count_posts(spy, PostFilter(unread=True))  # type: ignore[arg-type]
    reading.unread_by_person(spy)  # type: ignore[arg-type]
    reading.unread_by_topic(spy)  # type: ignore[arg-type]
    total, people, topics = spy.plans
    assert "posts_unread_when" in total
    assert "COVERING INDEX posts_unread_person" in people or "INDEX posts_unread_person" in people
    assert topics.startswith("SCAN p USING INDEX posts_unread_when")
    assert "SEARCH pt USING PRIMARY KEY (post_id=?)" in topics
    for plan in spy.plans:
        assert "SCAN p |" not in plan + " |" and not plan.endswith("SCAN p")


def test_the_reading_list_reads_its_own_index(demo: Pln) -> None:
    spy = _PlanSpy(demo.store.conn)
    reading.page_posts(spy, PostFilter(saved=True, read=True), limit=50)  # type: ignore[arg-type]
    assert "USING INDEX posts_saved" in spy.plans[0]


def test_the_reader_shows_the_same_posts_the_cli_lists(demo: Pln) -> None:
    """The paged, unread-first list holds exactly the posts `post list` has."""
    from plnctl.api.reading import ReaderView

    demo.posts.mark_read([1, 4, 9])
    seen: list[int] = []
    page = demo.reading.page(ReaderView(), limit=3)
    while True:
        seen += [p.id for p in page.posts]
        if page.next is None:
            break
        page = demo.reading.page(ReaderView(), page.next, limit=3)
    unread = [p.id for p in demo.posts.list(unread=True)]
    assert seen[: len(unread)] == unread
    assert sorted(seen) == sorted(p.id for p in demo.posts.list(limit=None))
