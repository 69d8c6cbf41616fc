"""A small generated network with known answers, built through the store functions.

Timestamps are fixed relative to ``now`` (pinned for the API tests, the real clock for CLI
tests), and no value sits on a week boundary, so the expected numbers below are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from plnctl.api import Pln
from plnctl.models import NewPost, SourceKind, TagOrigin
from plnctl.store import people as people_db
from plnctl.store import posts as posts_db
from plnctl.store import questions as questions_db
from plnctl.store import topics as topics_db
from plnctl.timeutil import now as real_now
from plnctl.timeutil import to_iso

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class Network:
    now: datetime
    people: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    posts: dict[str, int] = field(default_factory=dict)


def _ago(now: datetime, days: float) -> str:
    return to_iso(now - timedelta(days=days))  # type: ignore[return-value]


def build_network(pln: Pln, now: datetime) -> Network:
    store, net = pln.store, Network(now)
    with store.transaction():
        _people_and_sources(pln, net)
        _posts(pln, net)
        _topics(pln, net)
        _questions(pln, net)
        # Eve was added long ago and never posted: she counts as quiet.
        store.conn.execute(
            "UPDATE people SET created_at = ? WHERE id = ?", (_ago(now, 300), net.people["Eve"])
        )
    return net


def _people_and_sources(pln: Pln, net: Network) -> None:
    store = pln.store
    for name in ("Ana", "Ben", "Cleo", "Dev", "Eve", "Finn"):
        net.people[name] = people_db.insert_person(store, name)
    feeds = {
        "ana-feed": (
            "Ana",
            "https://ana.example.org/feed.xml",
            {"site_url": "https://ana.example.org/"},
        ),
        "dev-feed": ("Dev", "https://dev.example.net/rss", {}),
        "eve-feed": ("Eve", "https://eve.example.com/atom.xml", {"state": "gone"}),
        "finn-feed": (
            "Finn",
            "https://finn.example.com/feed",
            {"error_count": 3, "last_error": "HTTP 500"},
        ),
    }
    for key, (owner, url, extra) in feeds.items():
        net.sources[key] = people_db.insert_source(
            store, net.people[owner], SourceKind.FEED, url, **extra
        )
    for key, owner, handle in (
        ("ana-masto", "Ana", "@ana@edu.social"),
        ("ben-masto", "Ben", "@ben@edu.social"),
        ("cleo-masto", "Cleo", "@Cleo@Mastodon.example"),
    ):
        user, host = handle.lstrip("@").split("@")
        net.sources[key] = people_db.insert_source(
            store, net.people[owner], SourceKind.MASTODON, f"https://{host}/@{user}", handle=handle
        )


def _add(pln: Pln, net: Network, source: str, owner: str, key: str, days: float, **kw) -> None:
    post = NewPost(
        guid=key,
        url=f"https://example.invalid/{key}",
        title=key,
        published_at=_ago(net.now, days),
        **kw,
    )
    # Stored when it was published, as a daily sync leaves it (stats count by arrival).
    result = posts_db.upsert_posts(
        pln.store, net.sources[source], net.people[owner], [post], fetched_at=post.published_at
    )
    net.posts[key] = result.new_ids[0]


def _posts(pln: Pln, net: Network) -> None:
    for key, days in (("ana1", 1), ("ana2", 2), ("ana3", 3)):
        _add(pln, net, "ana-feed", "Ana", key, days, links=("https://ana.example.org/older",))
    for key, days in (("ana4", 8), ("ana5", 9)):
        _add(pln, net, "ana-masto", "Ana", key, days, kind="status")
    _add(
        pln,
        net,
        "ben-masto",
        "Ben",
        "ben1",
        1,
        kind="status",
        boost_of_handle="@zoe@other.social",
        boost_of_url="https://other.social/@zoe/1",
        mentions=("someone@else.example",),
    )
    _add(pln, net, "ben-masto", "Ben", "ben2", 2, kind="status", boost_of_handle="zoe@other.social")
    _add(
        pln,
        net,
        "ben-masto",
        "Ben",
        "ben3",
        15,
        kind="status",
        mentions=("zoe@other.social", "ana@edu.social"),
    )
    _add(
        pln,
        net,
        "ben-masto",
        "Ben",
        "ben4",
        16,
        kind="status",
        in_reply_to="https://far.example/@yan/1111",
        mentions=("yan@far.example",),
    )
    _add(
        pln,
        net,
        "ben-masto",
        "Ben",
        "ben-deleted",
        4,
        kind="status",
        boost_of_handle="zoe@other.social",
        mentions=("ghost@gone.example",),
    )
    posts_db.mark_deleted(pln.store, net.sources["ben-masto"], ["ben-deleted"], at=to_iso(net.now))
    _add(
        pln,
        net,
        "cleo-masto",
        "Cleo",
        "cleo1",
        3,
        kind="status",
        boost_of_handle="zoe@other.social",
    )
    _add(
        pln,
        net,
        "cleo-masto",
        "Cleo",
        "cleo2",
        20,
        kind="status",
        mentions=("zoe@other.social",),
        links=("https://blog.quinn.example/2026/05/post", "https://www.youtube.com/watch?v=x"),
    )
    _add(
        pln,
        net,
        "dev-feed",
        "Dev",
        "dev1",
        68,
        links=("http://blog.quinn.example/other", "https://ana.example.org/post"),
    )
    _add(pln, net, "finn-feed", "Finn", "finn1", 200)


def _topics(pln: Pln, net: Network) -> None:
    store = pln.store
    assessment = people_db.ensure_topic(store, "assessment")
    maths = people_db.ensure_topic(store, "maths")
    people_db.ensure_topic(store, "ai")
    for key in ("ana1", "ana2", "ana3", "ben3"):
        topics_db.set_tag(store, net.posts[key], assessment, TagOrigin.RULE, "keyword: rubric")
    topics_db.set_tag(store, net.posts["cleo2"], assessment, TagOrigin.BLOCKED, "removed by hand")
    for key in ("ana4", "ben4", "cleo1"):
        topics_db.set_tag(store, net.posts[key], maths, TagOrigin.MANUAL, "tagged by hand")


def _questions(pln: Pln, net: Network) -> None:
    store, now = pln.store, net.now
    q1 = questions_db.insert_question(store, "Rubrics?", kind="mastodon", asked_at=_ago(now, 30))
    q2 = questions_db.insert_question(
        store, "Exit tickets?", kind="mastodon", asked_at=_ago(now, 10)
    )
    questions_db.insert_question(store, "Homework?", kind="blog", asked_at=_ago(now, 5))
    q4 = questions_db.insert_question(store, "Old one", kind="blog", asked_at=_ago(now, 200))
    q5 = questions_db.insert_question(store, "Deleted", kind="offline", asked_at=_ago(now, 3))
    questions_db.update_question(store, q5, deleted_at=_ago(now, 1))
    answer = {"found_via": "mastodon", "answered_at": _ago(now, 2)}
    questions_db.insert_answer(
        store,
        q1,
        answer_key="b1",
        author_name="Ben",
        author_handle="ben@edu.social",
        person_id=net.people["Ben"],
        **answer,
    )
    questions_db.insert_answer(
        store, q1, answer_key="x1", author_name="Xena", author_handle="xena@far.example", **answer
    )
    questions_db.insert_answer(
        store, q2, answer_key="x2", author_name="Xena", author_handle="xena@far.example", **answer
    )
    questions_db.insert_answer(
        store,
        q4,
        answer_key="o1",
        author_name="Old Timer",
        author_url="https://old.example/about",
        found_via="comments",
    )
    questions_db.insert_answer(
        store, q5, answer_key="d1", author_name="Del", author_handle="del@deleted.example", **answer
    )


@pytest.fixture
def network(pln: Pln) -> Network:
    """The network with ``now`` pinned to NOW (pass ``now=network.now`` to the API)."""
    return build_network(pln, NOW)


@pytest.fixture
def live_network(pln: Pln) -> Network:
    """The same network relative to the real clock, for CLI runs (which use the clock)."""
    return build_network(pln, real_now())
